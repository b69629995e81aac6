"""The coverage gaps (应建尽建) on the to-do list of the district and city administrators (core/todo.py):
the schools that break the coverage rule this year, counted per district for the city, each count
linking to the coverage analysis of that scope. Two or three queries."""

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.core.codes import district_name
from redengine.core.metrics import Period
from redengine.core.todo import CITY, DISTRICT, Row, Todo, todo
from redengine.orgs.models import PartyOrganization, School
from redengine.people.metrics import MEETS, REQUIRED, coverage_annotated, coverage_gaps_count


def coverage_url(scope):
    return reverse("reports:coverage") + "?" + urlencode({"scope": scope.code})


@todo("reports.coverage", "records", 30)
def coverage_gaps(reach):
    user = reach.user
    if reach.level not in (CITY, DISTRICT) or not user.can(School, "view"):
        return []
    visible = PartyOrganization.objects.visible_to(user)
    scope = visible.filter(path=user.home_scope_path()).first() or visible.order_by("depth").first()
    if scope is None:
        return []
    period = Period.of(reach.today.year)
    rows = []
    if reach.level == CITY:
        # The gaps are grouped per school already: counted per district over them, as a subquery.
        gaps = coverage_annotated(scope, period.end).filter(REQUIRED).exclude(MEETS)
        per_district = School.objects.filter(pk__in=gaps.values("pk")).order_by().values("district")
        grouped = list(per_district.annotate(n=Count("pk")).order_by("-n", "district"))
        total = sum(row["n"] for row in grouped)
        bureaus = {
            org.district: org
            for org in visible.filter(
                depth=scope.depth + 1, district__in=[row["district"] for row in grouped]
            )
        }
        for row in grouped:
            bureau = bureaus.get(row["district"])
            rows.append(Row(district_name(row["district"]), row["n"], coverage_url(bureau or scope)))
    else:
        total = coverage_gaps_count(scope, period.end)
    return [Todo("reports.coverage", _("Schools with a coverage gap"), total, coverage_url(scope), rows)]
