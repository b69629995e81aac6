"""发展党员 pages: the cases, a case's timeline with the next steps and the rule behind each date, recording
a step (checked by the rules engine), the due-date calendar and the yearly plans."""

import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from redengine.core.codes import district_name
from redengine.core.files import download
from redengine.core.views import (
    Column,
    ObjectActionView,
    ObjectConfirmView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedMixin,
    refuse,
)
from redengine.people.models import Honor, Person

from . import engine, rules, services
from .filters import CaseFilterSet, PlanFilterSet
from .forms import CaseForm, CloseForm, CultivationForm, PlanForm, StepForm, step_choices
from .models import (
    CaseStatus,
    CultivationRecord,
    DevelopmentCase,
    DevelopmentEvent,
    DevelopmentPlan,
    EventAttachment,
)

CASE_COLUMNS = [
    # What matters first: who, the next step and its deadline; then where the case stands.
    Column("person.name", gettext_lazy("Full name"), "person__name_key", link=True),
    Column("next_step_label", gettext_lazy("Next step"), "next_step"),
    Column("next_due", gettext_lazy("Deadline"), "next_due"),
    Column("due_step_label", gettext_lazy("Step with a deadline"), "due_step"),
    Column("next_earliest", gettext_lazy("Earliest"), "next_earliest"),
    Column("get_status_display", gettext_lazy("Status"), "status"),
    Column("stage_label", gettext_lazy("Stage"), "stage"),
    Column("last_step_label", gettext_lazy("Last step"), "last_step"),
    Column("last_step_on", gettext_lazy("Date"), "last_step_on"),
    Column("person.school.name", gettext_lazy("School"), "person__school__code"),
    Column("organization.name", gettext_lazy("Organization"), "organization__path"),
]


class CaseListView(ObjectListView):
    model = DevelopmentCase
    filterset_class = CaseFilterSet
    select_related = ("person", "person__school", "organization")
    default_order = ["-opened_on", "pk"]
    create_url_name = "development:case_add"
    title = gettext_lazy("Development cases")
    columns = CASE_COLUMNS


class DueView(CaseListView):
    """The due-date calendar: every open case with its next step, earliest and latest date, late or not;
    counts per organization and per district of the scope; the same list as .xlsx and in the API."""

    template_name = "development/due.html"
    title = gettext_lazy("Development calendar")
    default_order = ["next_due", "next_earliest", "pk"]
    create_url_name = None
    paginate_by = 50
    columns = [
        Column("person.name", gettext_lazy("Full name"), "person__name_key", link=True),
        Column("due_step_label", gettext_lazy("Step with a deadline"), "due_step"),
        Column("next_due", gettext_lazy("Deadline"), "next_due"),
        Column("next_step_label", gettext_lazy("Next step"), "next_step"),
        Column("next_earliest", gettext_lazy("Earliest"), "next_earliest"),
        Column("stage_label", gettext_lazy("Stage"), "stage"),
        Column("organization.name", gettext_lazy("Organization"), "organization__path"),
    ]

    def scoped(self, action=None):
        return super().scoped(action).filter(status=CaseStatus.OPEN)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        cases = self.filtered(self.scoped())
        soon = today + datetime.timedelta(days=30)
        counts = Count("pk")
        late = Count("pk", filter=Q(next_due__lt=today))
        due_soon = Count("pk", filter=Q(next_due__gte=today, next_due__lte=soon))
        context.update(
            today=today,
            totals=cases.aggregate(
                open=counts, late=late, soon=due_soon, late_steps=Count("pk", filter=Q(has_late=True))
            ),
            by_district=cases.order_by()
            .values("person__school__district")
            .annotate(open=counts, late=late, soon=due_soon)
            .order_by("-late", "person__school__district")[:30],
            by_organization=cases.order_by()
            .values("organization__code", "organization__name", "organization_id")
            .annotate(open=counts, late=late, soon=due_soon)
            .order_by("-late", "organization__code")[:30],
        )
        for row in context["by_district"]:
            row["name"] = district_name(row["person__school__district"])
        return context


class CaseDetailView(ObjectDetailView):
    model = DevelopmentCase
    select_related = ("person", "person__school", "organization", "approver")
    template_name = "development/case_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.object
        user = self.request.user
        events = list(case.events.select_related("recorded_by").prefetch_related("attachments"))
        plan = engine.plan([engine.Done(e.step, e.date, e.data) for e in events])
        today = timezone.localdate()
        context.update(
            events=[(event, describe(event)) for event in events],
            plan=plan,
            upcoming=[
                {
                    "item": item,
                    "step": rules.STEP[item.step],
                    "late": item.late(today),
                    "earliest_rule": rules.RULES.get(item.earliest_rule),
                    "due_rule": rules.RULES.get(item.due_rule),
                }
                for item in plan.due
            ]
            if case.status == CaseStatus.OPEN
            else [],
            contacts=case.contacts.select_related("person").order_by("role", "assigned_on"),
            cultivation=case.cultivation_records.select_related("contact"),
            stages=rules.STAGES.items(),
            can_record=DevelopmentCase.objects.visible_to(user, "add").filter(pk=case.pk).exists(),
            breadcrumbs=[(_("Development cases"), reverse("development:case_list")), (str(case), None)],
        )
        return context


def describe(event):
    """The data of a step as (label, text) pairs, people by name."""
    rows = []
    people = {}
    ids = [pk for key in ("contacts", "introducers") for pk in event.data.get(key, [])]
    if ids:
        people = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name"))
    for key in rules.STEP[event.step].fields:
        if key not in event.data:
            continue
        label, kind = rules.FIELDS[key]
        value = event.data[key]
        if kind == "people":
            value = "、".join(people.get(pk, "?") for pk in value)
        elif kind == "choice":
            value = dict(rules.CHOICES[key]).get(value, value)
        rows.append((label, value))
    return rows


class CaseAddView(ObjectEditView):
    model = DevelopmentCase
    form_class = CaseForm
    service = services.CASES
    list_url_name = "development:case_list"  # where the form's Cancel goes

    def get_parent_kwargs(self):
        pk = self.request.GET.get("person")
        if pk and str(pk).isdigit():
            return {"person": get_object_or_404(Person.objects.visible_to(self.request.user), pk=pk)}
        return {}

    def get_success_url(self):
        return reverse("development:step_add", args=[self.object.pk])


class StepAddView(ObjectActionView):
    """Record a step. The form offers the steps the rules allow next; a refusal shows the rule and its source."""

    model = DevelopmentEvent
    action = "add"
    template_name = "development/step_form.html"
    select_related = ("person", "organization")

    def object_queryset(self):
        return DevelopmentCase.objects.visible_to(self.request.user, "add").select_related(
            "person", "organization"
        )

    def get_form(self, form_class=None, bound=True):
        case = self.object
        data = self.request.POST if self.request.method == "POST" and bound else None
        choices = [code for code, _label in step_choices(case)]
        chosen = (
            self.request.POST.get("step") if self.request.method == "POST" else self.request.GET.get("step")
        )
        code = chosen if chosen in rules.STEP else (choices[0] if choices else "S01")
        files = self.request.FILES if data is not None else None
        may = DevelopmentCase.objects.visible_to(self.request.user, services.OVERRIDE).filter(pk=case.pk)
        form = StepForm(data, files, case=case, user=self.request.user, code=code, may_override=may.exists())
        form.fields["step"].widget.attrs["hx-post"] = self.request.path
        return form

    def post(self, request, *args, **kwargs):
        self.setup_object()
        if request.POST.get("refresh"):  # the step was changed: show its fields, keep what was typed
            form = self.get_form(bound=False)
            # Keep what was typed in the fields the newly chosen step has too.
            for name, field in form.fields.items():
                if name in request.POST and name != "attachment":
                    many = getattr(field.widget, "allow_multiple_selected", False)
                    form.initial[name] = request.POST.getlist(name) if many else request.POST.get(name)
            return self.render_to_response(self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        try:
            event = services.record_step(
                self.object,
                data["step"],
                data["date"],
                by=self.request.user,
                data=form.step_data(),
                remarks=data.get("remarks", ""),
                exception_reason=data.get("exception_reason", ""),
                attachment=data.get("attachment"),
            )
        except services.StepRefusedError as exc:
            form.refused = exc.violations
            raise
        return _("Recorded %(step)s.") % {"step": event}

    def get_title(self):
        return _("Record a step of %(name)s") % {"name": self.object.person.name}

    def breadcrumbs(self):
        return [
            (_("Development cases"), reverse("development:case_list")),
            (str(self.object), self.object.get_absolute_url()),
            (_("Record a step"), None),
        ]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "case": self.object}


class StepUndoView(ObjectConfirmView):
    """Remove the latest step (a correction); its record stays in the change history."""

    model = DevelopmentCase
    action = "delete"
    list_url_name = "development:case_list"
    title = _("Remove the latest step of %(object)s")
    success_message = _("The latest step was removed.")

    def get_question(self):
        latest = self.object.events.order_by("-date", "-id").first()
        if latest is None:
            return _("The case has no step to remove.")
        return _(
            "The latest step of %(name)s, %(step)s, will be removed, with the training contacts or "
            "introducers it named; the case's stage and next steps are worked out again from the steps "
            "that remain. The removed step's record stays in the change history."
        ) % {"name": self.object.person.name, "step": latest}

    def perform(self, form):
        services.delete_last_steps([self.object], by=self.request.user)


class CaseCloseView(ObjectActionView):
    model = DevelopmentCase
    action = "change"
    list_url_name = "development:case_list"
    form_class = CloseForm
    title = _("Close %(object)s")
    success_message = _("The case was closed.")

    def get_initial(self):
        return {"closed_on": timezone.localdate()}

    def perform(self, form):
        data = form.cleaned_data
        services.close_cases(
            [services.Closure(self.object, data["reason"], data["closed_on"])], by=self.request.user
        )


class CultivationAddView(ObjectEditView):
    model = CultivationRecord
    form_class = CultivationForm
    service = services.CULTIVATION

    def item_values(self, form):
        return {**super().item_values(form), "case": form.instance.case}

    def get_parent_kwargs(self):
        pk = self.request.GET.get("case") or self.request.POST.get("case")
        if self.object is None and pk and str(pk).isdigit():
            return {
                "case": get_object_or_404(
                    DevelopmentCase.objects.visible_to(self.request.user, "change"), pk=pk
                )
            }
        return {}

    def list_url(self):
        return reverse("development:case_list")


class PlanListView(ObjectListView):
    link_action = "change"  # a plan's page is its edit form
    """Yearly plans with plan vs actual: admitted in the organization's subtree that year, of them front-line
    teachers and young and middle-aged backbone teachers (DEV.NO_RUSH)."""

    model = DevelopmentPlan
    filterset_class = PlanFilterSet
    select_related = ("organization",)
    default_order = ["-year", "organization__path"]
    create_url_name = "development:plan_add"
    columns = [
        Column("organization.name", gettext_lazy("Organization"), "organization__path", link=True),
        Column("year", gettext_lazy("Year"), "year"),
        Column("quota", gettext_lazy("Quota")),
        Column("actual", gettext_lazy("Admitted")),
        Column("front_line_quota", gettext_lazy("Front-line, planned")),
        Column("front_line_actual", gettext_lazy("Front-line, admitted")),
        Column("young_backbone_quota", gettext_lazy("Young backbone teachers, planned")),
        Column("young_backbone_actual", gettext_lazy("Young backbone teachers, admitted")),
    ]

    def filtered(self, queryset):
        return with_actuals(super().filtered(queryset))


class SubqueryCount(Subquery):
    """The number of rows of a subquery, as a column of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def with_actuals(plans):
    """Each plan with its actuals, counted in its organization's subtree in the same query: admitted that
    year, of them front-line teachers, and backbone teachers aged 45 or under that year (by year of birth)."""
    admitted = DevelopmentCase.objects.filter(
        admitted_on__year=OuterRef("year"),
        organization__path__startswith=OuterRef("organization__path"),
    )
    backbone = Honor.objects.filter(
        person=OuterRef("person"), title="backbone_teacher", awarded_on__lte=OuterRef("admitted_on")
    ).filter(Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=OuterRef("admitted_on")))
    young = admitted.filter(
        Exists(backbone), person__birth_date__year__gte=OuterRef("year") - rules.param("plan.young_max_age")
    )
    return plans.annotate(
        actual=SubqueryCount(admitted.values("pk")),
        front_line_actual=SubqueryCount(admitted.filter(person__front_line=True).values("pk")),
        young_backbone_actual=SubqueryCount(young.values("pk")),
    )


class PlanEditView(ObjectEditView):
    model = DevelopmentPlan
    form_class = PlanForm
    service = services.PLANS
    list_url_name = "development:plan_list"
    back_to_list = True


class PlanDeleteView(ObjectDeleteView):
    model = DevelopmentPlan
    service = services.PLANS
    success_url_name = "development:plan_list"


def person_cases(request, pk):
    """A person's development, shown on the person's page: each case's stage, steps and what comes next."""
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:login"))
    if not request.user.can(Person, "view"):
        return refuse(request, Person, "view")
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    cases = (
        DevelopmentCase.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("organization")
        .prefetch_related("events")
        .order_by("-opened_on", "-pk")
    )
    today = timezone.localdate()
    return render(
        request,
        "development/person_cases.html",
        {
            "person": person,
            "cases": [
                {
                    "case": case,
                    "events": list(case.events.all()),
                    "late": case.is_overdue(today),
                }
                for case in cases
            ],
            "can_open": not person.is_member
            and not any(c.status == CaseStatus.OPEN for c in cases)
            and request.user.can(DevelopmentCase, "add"),
            "stages": rules.STAGES,
        },
    )


class AttachmentView(ScopedMixin, View):
    """Download a step's scan: within scope, and logged like an export of personal data."""

    model = EventAttachment

    def get(self, request, pk):
        return download(request, get_object_or_404(self.scoped(), pk=pk))
