"""Organizations on the to-do list (core/todo.py): the elections due by the end of the month (or overdue).

A school's secretary sees the organizations, a district administrator too (at most ``SHOWN``), a city
administrator the counts per district; each count links to the organization list filtered to it."""

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.core.codes import district_name
from redengine.core.todo import CITY, Row, Todo, todo

from .models import PartyOrganization

SHOWN = 10


def organizations_url(**params):
    return reverse("orgs:organization_list") + "?" + urlencode(params)


@todo("orgs.elections", "due", 20)
def elections_due(reach):
    user = reach.user
    if not user.can(PartyOrganization, "view"):
        return []
    days = (reach.month_end - reach.today).days
    due = PartyOrganization.objects.visible_to(user).filter(election_due_on__lte=reach.month_end)
    if reach.level == CITY:
        grouped = list(due.order_by().values("district").annotate(n=Count("pk")).order_by("-n", "district"))
        total = sum(row["n"] for row in grouped)
        rows = [
            Row(
                district_name(row["district"]),
                row["n"],
                organizations_url(election_within=days, district=row["district"]),
            )
            for row in grouped
            if row["district"]
        ]
    else:
        listed = list(due.order_by("election_due_on", "path")[: SHOWN + 1])
        total = len(listed) if len(listed) <= SHOWN else due.count()
        rows = [
            Row(org.name, url=org.get_absolute_url(), note=f"{org.election_due_on:%Y-%m-%d}")
            for org in listed[:SHOWN]
        ]
    return [
        Todo(
            "orgs.elections",
            _("Elections due by the end of the month"),
            total,
            organizations_url(election_within=days),
            rows,
            level="due",
        )
    ]
