"""示范创建 pages: the overview of a scope and year (the three figures, what waits for a move), the units
(list with filters and export, detail with commitments, members, the history of moves, the service logs of a
volunteer team and the moves the user's role may make), their add and edit forms, each move's confirm form,
and the service logs; every write goes through the app's services."""

from django.contrib import messages
from django.db.models import Count, DecimalField, F, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.metrics import REGISTRY, Period
from redengine.core.views import (
    Column,
    ObjectActionView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    guard,
)
from redengine.core.writes import RefusedError
from redengine.orgs.models import PartyOrganization, School
from redengine.orgs.views import page_scope

from . import rules, services
from .filters import ServiceLogFilterSet, UnitFilterSet
from .forms import MoveForm, ServiceLogForm, UnitForm
from .metrics import ORDER
from .models import PioneerUnit, ServiceLog
from .rules import CERTIFY, CHECK, FILE, REJECT, REVIEW, REVOKE, UnitStatus

LOGS_SHOWN = 20  # the latest service logs on a unit's page; the rest in the service-log list


def figure_link(name, org, year):
    """The list behind a figure: the units filed in the year (and of them those certified by its end), or the
    service logs of the year, within the organization's subtree."""
    if name == "pioneer.service_hours":
        return reverse("pioneer:servicelog_list") + f"?within={org.code}&year={year}"
    extra = f"&certified_by={year}" if name == "pioneer.certified" else ""
    return reverse("pioneer:pioneerunit_list") + f"?within={org.code}&year={year}{extra}"


def figures_of(org, period):
    found = []
    for name in ORDER:
        metric = REGISTRY[name]
        result = metric.compute(org, period)
        found.append(
            {
                "name": name,
                "slug": name.replace(".", "-").replace("_", "-"),
                "label": metric.label,
                "definition": metric.definition,
                "value": result.value,
                "denominator": result.denominator,
                "share": result.share,
                "url": figure_link(name, org, period.first_year),
            }
        )
    return found


def overview(request):
    """A scope's pioneer units for a year: the three figures, and the units waiting for a move."""
    refused = guard(request, PioneerUnit)
    if refused:
        return refused
    org, period, _visible = page_scope(request)
    today = timezone.localdate()
    units = PioneerUnit.objects.visible_to(request.user).in_subtree(org.path)
    waiting = dict(
        units.filter(status__in=[UnitStatus.APPLIED, UnitStatus.FILED, UnitStatus.REVIEWED])
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    context = {
        "org": org,
        "year": period.first_year,
        "years": list(range(today.year, today.year - 10, -1)),
        "figures": figures_of(org, period),
        "waiting": [
            (UnitStatus(s).label, waiting.get(s, 0), s)
            for s in (UnitStatus.APPLIED, UnitStatus.FILED, UnitStatus.REVIEWED)
        ],
        "check_due": services.checks_past_due(units, today).count(),
        "can_add": request.user.can(PioneerUnit, "add"),
        "title": _("Pioneer units"),
    }
    return render(request, "pioneer/overview.html", context)


def organization_panel(request, pk):
    """The panel on an organization's page: its figures of the year, linking to the overview."""
    refused = guard(request, PioneerUnit)
    if refused:
        return refused
    org = get_object_or_404(PartyOrganization.objects.visible_to(request.user), pk=pk)
    period = Period.of(timezone.localdate().year)
    return render(
        request,
        "pioneer/organization_panel.html",
        {"org": org, "figures": figures_of(org, period), "year": period.first_year},
    )


# Units ------------------------------------------------------------------------------------------------
class UnitListView(ObjectListView):
    model = PioneerUnit
    filterset_class = UnitFilterSet
    select_related = ("school", "organization", "leader")
    default_order = ["-applied_on", "-pk"]
    create_url_name = "pioneer:unit_add"
    export_title = gettext_lazy("Pioneer units")
    columns = [
        Column("name", gettext_lazy("Name"), "name", link=True),
        Column("get_kind_display", gettext_lazy("Kind"), "kind"),
        Column("school.name", gettext_lazy("School"), "school__code"),
        Column("organization.name", gettext_lazy("Leading organization")),
        Column("leader.name", gettext_lazy("Leader")),
        Column("get_status_display", gettext_lazy("Status"), "status"),
        Column("applied_on", gettext_lazy("Date of application"), "applied_on"),
        Column("filed_on", gettext_lazy("Date filed"), "filed_on"),
        Column("certified_on", gettext_lazy("Date certified"), "certified_on"),
        Column("plaque_number", gettext_lazy("Plaque number")),
    ]


MOVE_URLS = {
    FILE: "pioneer:unit_file",
    REVIEW: "pioneer:unit_review",
    CERTIFY: "pioneer:unit_certify",
    REJECT: "pioneer:unit_reject",
    CHECK: "pioneer:unit_check",
    REVOKE: "pioneer:unit_revoke",
}


class UnitDetailView(ObjectDetailView):
    model = PioneerUnit
    select_related = ("school", "organization", "leader")
    template_name = "pioneer/unit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        today = timezone.localdate()
        moves = list(unit.moves.select_related("by").order_by("date", "recorded_at", "pk"))
        possible = [m for m in rules.MOVES if unit.status in rules.TRANSITIONS[m][0]]
        buttons = [
            (m, rules.move_label(m), reverse(MOVE_URLS[m], args=[unit.pk])) for m in possible if self.may(m)
        ]
        due = services.check_due(unit, today) if unit.is_certified else None
        context.update(
            members=list(unit.members.order_by("name_key", "pk")),
            moves=moves,
            buttons=buttons,
            check_due=due,
            check_overdue=due is not None and due < today,
            logs=list(unit.service_logs.order_by("-date", "-pk")[:LOGS_SHOWN]) if unit.is_team else [],
            log_totals=unit.service_logs.aggregate(
                logs=Count("pk"), hours=Sum(F("hours") * F("people"), output_field=DecimalField())
            )
            if unit.is_team
            else None,
            logs_url=reverse("pioneer:servicelog_list") + f"?unit={unit.pk}",
            can_log=unit.is_team and self.request.user.can(ServiceLog, "add") and self.may("change"),
            can_change_logs=unit.is_team and self.request.user.can(ServiceLog, "change"),
            breadcrumbs=[(_("Pioneer units"), reverse("pioneer:pioneerunit_list")), (str(unit), None)],
            title=str(unit),
        )
        return context


class SchoolChoiceMixin:
    """An add form opened for a school (``?school=<pk>``); a user who may add at one school only is given it."""

    def chosen_school(self):
        if self.object is not None:
            return self.object.school
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        schools = School.objects.visible_to(self.request.user, "view")
        pk = data.get("school")
        if pk and str(pk).isdigit():
            return get_object_or_404(schools, pk=pk)
        few = list(self.schools_to_choose()[:2])
        return few[0] if len(few) == 1 else None

    def schools_to_choose(self):
        """The schools where the user may add a unit (through the roles that allow it)."""
        return School.objects.visible_to(self.request.user, "view", through=(PioneerUnit, "add")).order_by(
            "code"
        )


class UnitEditView(SchoolChoiceMixin, ObjectEditView):
    model = PioneerUnit
    form_class = UnitForm
    service = services.UNITS
    template_name = "pioneer/unit_form.html"
    select_related = ("school", "organization", "leader")

    def get_parent_kwargs(self):
        self.school = self.chosen_school()
        return {"school": self.school}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["school"] = self.school
        context["schools"] = self.schools_to_choose()
        return context


class UnitDeleteView(ObjectDeleteView):
    model = PioneerUnit
    service = services.UNITS
    success_url_name = "pioneer:pioneerunit_list"


class MoveView(ObjectActionView):
    """One move of a unit: the page says what will happen and asks its date (and the plaque number, the
    reason); the move is the form's POST, written by ``services.move_units``."""

    model = PioneerUnit
    form_class = MoveForm
    template_name = "pioneer/move_form.html"
    select_related = ("school",)
    move = None

    @property
    def action(self):
        return self.move

    def get_title(self):
        return _("%(move)s: %(unit)s") % {"move": rules.move_label(self.move), "unit": self.object}

    def form_arguments(self):
        return {"move": self.move}

    def perform(self, form):
        data = form.cleaned_data
        services.move_units(
            [
                services.Step(
                    self.object,
                    self.move,
                    data["date"],
                    data.get("note", ""),
                    data.get("plaque_number", ""),
                )
            ],
            by=self.request.user,
        )
        return _("%(move)s recorded for %(unit)s.") % {
            "move": rules.move_label(self.move),
            "unit": self.object,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["question"] = QUESTIONS[self.move] % {"unit": self.object}
        context["move"] = self.move
        return context


QUESTIONS = {
    FILE: gettext_lazy("File %(unit)s (申报备案): the district accepts the school's application."),
    REVIEW: gettext_lazy("Record the review of %(unit)s: it then waits for the city's certification."),
    CERTIFY: gettext_lazy("Certify %(unit)s (授牌认定) with its plaque number."),
    REJECT: gettext_lazy("Reject %(unit)s, with the reason the school will read."),
    CHECK: gettext_lazy("Record the yearly check (年度复核) of %(unit)s."),
    REVOKE: gettext_lazy("Revoke %(unit)s, with the reason: it loses its certification."),
}


def move_view(move):
    return type(f"{move.title()}View", (MoveView,), {"move": move}).as_view()


# Service logs -----------------------------------------------------------------------------------------
class ServiceLogListView(ObjectListView):
    model = ServiceLog
    filterset_class = ServiceLogFilterSet
    select_related = ("unit__school",)
    default_order = ["-date", "-pk"]
    title = gettext_lazy("Volunteer service")
    columns = [
        Column("date", gettext_lazy("Date"), "date", link=True),
        Column("unit.name", gettext_lazy("Volunteer team")),
        Column("unit.school.name", gettext_lazy("School")),
        Column("hours", gettext_lazy("Hours"), "hours"),
        Column("people", gettext_lazy("Number of people"), "people"),
        Column("person_hours", gettext_lazy("Person-hours")),
        Column("activity", gettext_lazy("What they did")),
    ]


class ServiceLogEditView(ObjectEditView):
    """Log a team's service (``?unit=<pk>``, a unit the writer may change) or change a log."""

    model = ServiceLog
    form_class = ServiceLogForm
    service = services.LOGS
    select_related = ("unit",)
    template_name = "pioneer/log_form.html"

    def get_parent_kwargs(self):
        if self.object is not None:
            self.unit = self.object.unit
            return {}
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        pk = data.get("unit")
        if not (pk and str(pk).isdigit()):
            raise Http404
        self.unit = get_object_or_404(PioneerUnit.objects.visible_to(self.request.user, "change"), pk=pk)
        return {"unit": self.unit}

    def get_success_url(self):
        return self.unit.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unit"] = self.unit
        context["can_delete"] = (
            self.object is not None
            and ServiceLog.objects.visible_to(self.request.user, "delete").filter(pk=self.object.pk).exists()
        )
        return context

    def list_url(self):
        return reverse("pioneer:servicelog_list")


class ServiceLogDeleteView(ObjectDeleteView):
    model = ServiceLog
    service = services.LOGS

    def form_valid(self, form):
        target = self.object.unit.get_absolute_url()
        name = str(self.object)
        try:
            services.delete_service_logs([self.object], by=self.request.user)
        except RefusedError as exc:
            messages.error(self.request, " ".join(exc.messages))
            return redirect(target)
        messages.success(self.request, _("Deleted %(object)s.") % {"object": name})
        return redirect(target)
