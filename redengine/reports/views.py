"""The dashboard (工作台): the user's to-do list (core/todo.py, registered by each app) and the scope in figures."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core import todo
from redengine.core.codes import DISTRICTS, district_name
from redengine.core.dbrouting import replica_reads
from redengine.core.exports import xlsx_response
from redengine.core.forms import bootstrapify
from redengine.core.views import paged, refuse
from redengine.orgs.choices import OrgType, SchoolType
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person


def organizations_by_type(user):
    counts = dict(
        PartyOrganization.objects.visible_to(user).order_by().values_list("org_type").annotate(n=Count("pk"))
    )
    return [(label, counts.get(value, 0)) for value, label in OrgType.choices if counts.get(value)]


def schools_by(user, field, choices):
    """Schools in scope counted by ``field``, in the order of ``choices`` (one grouped query)."""
    counts = dict(School.objects.visible_to(user).order_by().values_list(field).annotate(n=Count("pk")))
    return [(str(label), counts[code]) for code, label in choices if counts.get(code)]


def people_figures(user):
    """Staff and current party members in scope (one aggregate; none for roles that do not see people).

    Counted over the columns of the (school, political status) index, so that the count is read from the
    index alone (counting ids would read every row of the scope's staff)."""
    if not user.can(Person, "view"):
        return None
    return Person.objects.visible_to(user).aggregate(
        staff=Count("*"),
        members=Count("political_status", filter=Q(political_status__in=["member", "probationary"])),
    )


SECTION_LABELS = {
    "due": gettext_lazy("Deadlines"),
    "waiting": gettext_lazy("Waiting for you"),
    "records": gettext_lazy("Records to complete"),
}


@login_required
@replica_reads  # figures and to-do counts from the replica when there is one (core/dbrouting.py)
def dashboard(request):
    user = request.user
    sees_records = user.can(PartyOrganization, "view") or user.can(School, "view")
    level = todo.level_of(user)
    context = {
        "sees_records": sees_records,
        "todo_sections": [(SECTION_LABELS[section], items) for section, items in todo.todos_for(user)],
        # A school's secretary works on the school: no district tables.
        "shows_charts": level != todo.SCHOOL,
    }
    if sees_records:
        org_rows = organizations_by_type(user)
        school_rows = schools_by(user, "district", DISTRICTS.items())
        # Within one district, schools by type say more than one bar.
        by_district = len(school_rows) > 1
        school_chart = school_rows if by_district else schools_by(user, "school_type", SchoolType.choices)
        context.update(
            org_rows=org_rows,
            school_rows=school_rows,
            school_chart_rows=school_chart,
            schools_by_district=by_district,
            people=people_figures(user),
            org_total=sum(n for _, n in org_rows),
            school_total=sum(n for _, n in school_rows),
            chart={
                "districts": [str(n) for n, _ in school_chart],
                "schools": [c for _, c in school_chart],
                "types": [str(n) for n, _ in org_rows],
                "orgs": [c for _, c in org_rows],
            },
        )
    return render(request, "reports/dashboard.html", context)


class CoverageFilterForm(forms.Form):
    district = forms.ChoiceField(label=gettext_lazy("District or county"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    q = forms.CharField(label=gettext_lazy("School or organization"), required=False, max_length=100)

    def __init__(self, data, districts, kinds):
        super().__init__(data)
        everything = [("", gettext_lazy("All"))]
        self.fields["district"].choices = everything + [(d, district_name(d)) for d in districts]
        self.fields["kind"].choices = everything + list(kinds)
        bootstrapify(self)


COVERAGE_PER_PAGE = 25


@login_required
@replica_reads
def coverage(request):
    """应建尽建: the schools that break the coverage rule, the advice on form and the elections due, for a
    scope and year: counted per district (each count a link to its items), then the items filtered (district,
    kind, name or code), sorted by district then school or organization, paged, and exported."""
    from redengine.core.metrics import Period
    from redengine.core.pickers import PickerInput

    from . import coverage as analysis

    user = request.user
    if not user.can(School, "view"):
        return refuse(request, School, "view")
    visible = PartyOrganization.objects.visible_to(user)
    code = request.GET.get("scope")
    scope = (
        visible.filter(code=code).first()
        if code
        else (visible.filter(path=user.home_scope_path()).first() or visible.order_by("depth").first())
    )
    if scope is None:
        raise Http404
    year = request.GET.get("year", "").strip()
    try:
        period = Period.of(int(year) if year.isascii() and year.isdigit() else None)
    except ValueError:
        messages.error(request, _("Give a four-digit year."))
        period = Period.of()
    everything = analysis.items(scope, period)
    table, totals = analysis.by_district(everything)
    labels = dict(analysis.KINDS)
    form = CoverageFilterForm(request.GET, [d for d, _c, _t in table], analysis.KINDS)
    shown = []
    if form.is_valid():
        district, kind, q = (form.cleaned_data[k] for k in ("district", "kind", "q"))
        q = q.strip().lower()
        shown = [
            r
            for r in everything
            if (not district or r["district"] == district)
            and (not kind or r["kind"] == kind)
            and (not q or q in r["name"].lower() or q in r["code"].lower())
        ]
    for row in shown:
        row.update(district_name=district_name(row["district"]), kind_label=labels[row["kind"]])
    if request.GET.get("export") == "xlsx":
        if not user.can(School, "export"):
            return refuse(request, School, "export")
        return xlsx_response(
            request,
            title=_("Coverage analysis"),
            headers=[_("District or county"), _("Kind"), _("Code"), _("Name"), _("Details")],
            rows=([r["district_name"], r["kind_label"], r["code"], r["name"], r["text"]] for r in shown),
            filename="coverage.xlsx",
        )
    base = {"scope": scope.code, "year": period.last_year}

    def links(counts, query):
        return [
            (n, urlencode({**query, "kind": kind}), label)
            for n, (kind, label) in zip(counts, analysis.KINDS, strict=True)
        ]

    context = paged(request, shown, COVERAGE_PER_PAGE)
    context.update(
        title=_("Coverage analysis"),
        scope=scope,
        scope_picker=PickerInput("orgs:organization_suggest").render(
            "scope", scope.code, {"id": "scope", "class": "form-control"}
        ),
        period=period,
        form=form,
        kinds=analysis.KINDS,
        districts=[
            (
                district_name(d),
                links(counts, {**base, "district": d}),
                total,
                urlencode({**base, "district": d}),
            )
            for d, counts, total in table
        ],
        totals=links(totals, base),
        total=len(everything),
        shown_total=len(shown),
        filtered=any(request.GET.get(k) for k in ("district", "kind", "q")),
        # A school's secretary works on the school: no district tables.
        shows_districts=todo.level_of(user) != todo.SCHOOL,
        can_export=user.can(School, "export"),
        gaps=[r for r in everything if r["kind"] == analysis.GAP],
        breadcrumbs=[(_("Coverage analysis"), None)],
    )
    return render(request, "reports/coverage.html", context)
