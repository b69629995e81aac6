"""The dashboard: the user's scope in figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from redengine.core.codes import DISTRICTS
from redengine.core.views import refuse
from redengine.orgs.choices import OrgType
from redengine.orgs.models import PartyOrganization, School


def organizations_by_type(user):
    counts = dict(
        PartyOrganization.objects.visible_to(user).order_by().values_list("org_type").annotate(n=Count("pk"))
    )
    return [(label, counts.get(value, 0)) for value, label in OrgType.choices if counts.get(value)]


def schools_by_district(user):
    counts = dict(School.objects.visible_to(user).order_by().values_list("district").annotate(n=Count("pk")))
    return [(name, counts[code]) for code, name in DISTRICTS.items() if counts.get(code)]


@login_required
def dashboard(request):
    user = request.user
    sees_records = user.can(PartyOrganization, "view") or user.can(School, "view")
    context = {"sees_records": sees_records}
    if sees_records:
        org_rows = organizations_by_type(user)
        school_rows = schools_by_district(user)
        context.update(
            org_rows=org_rows,
            school_rows=school_rows,
            org_total=sum(n for _, n in org_rows),
            school_total=sum(n for _, n in school_rows),
            chart={
                "districts": [str(n) for n, _ in school_rows],
                "schools": [c for _, c in school_rows],
                "types": [str(n) for n, _ in org_rows],
                "orgs": [c for _, c in org_rows],
            },
        )
    return render(request, "reports/dashboard.html", context)


@login_required
def coverage(request):
    """应建尽建: the schools that break the coverage rule, with advice on form and terms, for a scope and year."""
    from redengine.core.metrics import Period

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
    return render(
        request,
        "reports/coverage.html",
        {
            "title": _("Coverage analysis"),
            "scope": scope,
            "period": period,
            "gaps": analysis.gaps(scope, period),
            "advice": analysis.form_advice(scope, period),
            "elections": analysis.elections_due(scope, period),
            "breadcrumbs": [(_("Coverage analysis"), None)],
        },
    )
