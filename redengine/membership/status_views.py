"""Pages of the membership states: the changes of state (list with filters and export, the form that records
a decision), the members by state (floating, out of contact, suspended…), the floating members (list, form,
return), the lapse alerts with a link to record each proposed decision, and the member picker. Every write
goes through ``services/statuses.py``."""

from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, OuterRef, Q, Subquery, Value, When
from django.db.models.fields import BooleanField
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.dates import add_months
from redengine.core.pickers import LIMIT
from redengine.core.reads import account_read
from redengine.core.services import CHANGE
from redengine.core.views import Column, ObjectActionView, ObjectEditView, ObjectListView, guard, paged
from redengine.orgs.models import PartyOrganization
from redengine.people.choices import MembershipStatus
from redengine.people.models import Membership

from .models import FloatingRecord, StatusChange
from .rules import STATUS_MOVES, param
from .services import statuses
from .status_forms import (
    KIND_LABELS,
    AlertFilterForm,
    FloatingFilterSet,
    FloatingForm,
    MemberStateFilterSet,
    ReturnForm,
    StatusChangeFilterSet,
    StatusChangeForm,
)

S = MembershipStatus
MEMBER = ("membership__person", "membership__organization")


# Changes of state --------------------------------------------------------------------------------------
class StatusChangeListView(ObjectListView):
    model = StatusChange
    filterset_class = StatusChangeFilterSet
    select_related = MEMBER
    default_order = ["-date", "-pk"]
    create_url_name = "membership:statuschange_add"
    template_name = "membership/status_list.html"
    title = gettext_lazy("Changes of membership status")
    export_title = gettext_lazy("Changes of membership status")
    columns = [
        Column(
            "membership.person.name", gettext_lazy("Full name"), "membership__person__name_key", link=True
        ),
        Column("membership.organization.name", gettext_lazy("Organization")),
        Column("date", gettext_lazy("Date"), "date"),
        Column("get_from_status_display", gettext_lazy("State before")),
        Column("get_to_status_display", gettext_lazy("State after"), "to_status"),
        Column("reason", gettext_lazy("Reason")),
        Column("resolution", gettext_lazy("Resolution")),
        Column("resolution_on", gettext_lazy("Date of the resolution")),
        Column("approved_by", gettext_lazy("Approved by")),
        Column("approved_on", gettext_lazy("Date approved")),
        Column("document", gettext_lazy("Document number")),
    ]


def moves_table():
    """The moves the rules allow, with who decides and the source: shown beside the form."""
    return [
        (S(f).label, S(t).label, rule.label, source)
        for (f, t), (rule, source) in STATUS_MOVES.items()
        if {f, t} != {S.ACTIVE, S.FLOATING}  # (made by a floating record and its return)
    ]


class StatusChangeAddView(ObjectEditView):
    """Record a decision on a member's state (prefilled from an alert: ``?membership=&to_status=&reason=``)."""

    model = StatusChange
    form_class = StatusChangeForm
    service = statuses.STATUS_CHANGES
    template_name = "membership/status_form.html"

    def get_initial(self):
        initial = super().get_initial()
        for name in ("membership", "to_status", "reason"):
            value = self.request.GET.get(name, "").strip()[:500]
            if value:
                initial[name] = value
        return initial

    def get_success_url(self):
        return reverse("membership:statuschange_list")

    def list_url(self):
        return reverse("membership:statuschange_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Record a change of membership status")
        context["breadcrumbs"] = [
            (_("Changes of membership status"), self.list_url()),
            (context["title"], None),
        ]
        context["moves"] = moves_table()
        return context


# Members by state ---------------------------------------------------------------------------------------
def open_floating():
    return FloatingRecord.objects.filter(membership=OuterRef("pk"), returned_on__isnull=True).order_by(
        "-left_on"
    )


class MemberStateListView(ObjectListView):
    """The members who are not active: floating, out of contact, suspended (current memberships)."""

    model = Membership
    filterset_class = MemberStateFilterSet
    select_related = ("person", "organization")
    default_order = ["status", "status_since", "pk"]
    template_name = "membership/status_members.html"
    title = gettext_lazy("Members by state")
    export_title = gettext_lazy("Members by state")
    columns = [
        Column("person.name", gettext_lazy("Full name"), "person__name_key", link=True),
        Column("organization.name", gettext_lazy("Organization")),
        Column("get_status_display", gettext_lazy("State"), "status"),
        Column("status_since", gettext_lazy("Since"), "status_since"),
        Column("floating_place", gettext_lazy("Where they are")),
        Column("floating_takes_part", gettext_lazy("Where they take part in organizational life")),
    ]

    def scoped(self, action=None):
        return (
            super()
            .scoped(action)
            .filter(ended_on__isnull=True)
            .exclude(status=S.ACTIVE)
            .annotate(
                floating_place=Subquery(open_floating().values("place")[:1]),
                floating_takes_part=Subquery(open_floating().values("takes_part_in")[:1]),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(self.scoped().order_by().values_list("status").annotate(n=Count("pk")))
        context["state_counts"] = [
            (value, label, counts.get(value, 0)) for value, label in S.choices if value in counts
        ]
        return context


# The member picker --------------------------------------------------------------------------------------
def member_label(m):
    state = "" if m.status == S.ACTIVE else f" · {m.get_status_display()}"
    return f"{m.person.name}（{m.organization.name}{state}）"


def picker_answer(request, queryset, label, name="person__name"):
    text = (request.GET.get("q") or "").strip()[:50]
    if not text:
        found = []
    elif text.isdigit():
        found = list(queryset.filter(pk=int(text))[:1])
    else:
        found = list(queryset.filter(**{f"{name}__contains": text}).order_by("pk")[: LIMIT + 1])
    options = [{"pk": row.pk, "code": row.pk, "label": label(row)} for row in found[:LIMIT]]
    context = {"options": options, "more": len(found) > LIMIT, "asked": bool(text)}
    return HttpResponse(render_to_string("core/widgets/picker_options.html", context))


@login_required
def member_suggest(request):
    """The member picker's suggestions: current memberships the user may change, by the member's name (or the
    membership's number, which the box keeps)."""
    refused = guard(request, Membership, CHANGE)
    if refused:
        return refused
    memberships = (
        Membership.objects.visible_to(request.user, CHANGE).current().select_related("person", "organization")
    )
    return picker_answer(request, memberships, member_label)


# Floating members ---------------------------------------------------------------------------------------
def transfer_due_annotation(today):
    cutoff = add_months(today, -param("transfer.away_months", on=today))
    return Case(
        When(Q(returned_on__isnull=True, left_on__lte=cutoff), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


class FloatingListView(ObjectListView):
    model = FloatingRecord
    filterset_class = FloatingFilterSet
    select_related = MEMBER
    default_order = ["-left_on", "-pk"]
    create_url_name = "membership:floating_add"
    template_name = "membership/floating_list.html"
    title = gettext_lazy("Floating members")
    export_title = gettext_lazy("Floating members")
    columns = [
        Column(
            "membership.person.name", gettext_lazy("Full name"), "membership__person__name_key", link=True
        ),
        Column("membership.organization.name", gettext_lazy("Organization")),
        Column("place", gettext_lazy("Where they are"), "place"),
        Column("get_reason_display", gettext_lazy("Reason"), "reason"),
        Column("left_on", gettext_lazy("Away since"), "left_on"),
        Column("returned_on", gettext_lazy("Back on"), "returned_on"),
        Column("takes_part_in", gettext_lazy("Where they take part in organizational life")),
        Column("transfer_due", gettext_lazy("Transfer to consider")),
    ]

    def scoped(self, action=None):
        return super().scoped(action).annotate(transfer_due=transfer_due_annotation(timezone.localdate()))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pks = [obj.pk for obj, _cells in context["rows"]]
        context["changeable"] = (
            set(
                FloatingRecord.objects.visible_to(self.request.user, CHANGE)
                .filter(pk__in=pks)
                .values_list("pk", flat=True)
            )
            if pks and self.request.user.can(FloatingRecord, CHANGE)
            else set()
        )
        context["away_months"] = param("transfer.away_months")
        return context


class FloatingEditView(ObjectEditView):
    model = FloatingRecord
    form_class = FloatingForm
    service = statuses.FLOATING_RECORDS
    template_name = "membership/floating_form.html"
    select_related = MEMBER

    def get_success_url(self):
        return reverse("membership:floating_list")

    def list_url(self):
        return reverse("membership:floating_list")

    def get_initial(self):
        initial = super().get_initial()
        value = self.request.GET.get("membership", "").strip()
        if self.object is None and value.isdigit():
            initial["membership"] = value
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        if record is not None:
            context["member"] = record.membership
            context["transfer_advised"] = statuses.transfer_advised(record)
            context["transfer_from"] = statuses.transfer_from(record)
        context["away_months"] = param("transfer.away_months")
        return context


class FloatingReturnView(ObjectActionView):
    """A floating member is back: the record ends, the state is active again."""

    model = FloatingRecord
    action = CHANGE
    form_class = ReturnForm
    select_related = MEMBER
    template_name = "membership/floating_return.html"

    def get_title(self):
        return _("Back from floating: %(name)s") % {"name": self.object.membership.person.name}

    def perform(self, form):
        data = form.cleaned_data
        statuses.return_floating(
            [statuses.Return(self.object, data.get("date"), data.get("note", ""))], by=self.request.user
        )
        return _("Recorded %(name)s back on %(date)s.") % {
            "name": self.object.membership.person.name,
            "date": data["date"].isoformat(),
        }

    def get_success_url(self):
        return reverse("membership:floating_list")

    def list_url(self):
        return reverse("membership:floating_list")

    def object_url(self):
        return reverse("membership:floating_edit", args=[self.object.pk])


# Lapse alerts -------------------------------------------------------------------------------------------
def alerts(request):
    """The members of the scope with something to act on (no organizational life or dues for months, a
    suspension or a removal the rules propose, a floating member to transfer), each with what the software
    proposes and a link to record the decision. A fixed number of queries, whatever the number of members."""
    refused = guard(request, StatusChange)
    if refused:
        return refused
    user, today = request.user, timezone.localdate()
    form = AlertFilterForm(request.GET or None)
    memberships = Membership.objects.visible_to(user)
    kinds = statuses.KINDS
    org = None
    if form.is_valid():
        code = form.cleaned_data["within"].strip()
        if code:
            org = PartyOrganization.objects.visible_to(user).filter(code=code).first()
            if org is None:
                form.add_error("within", _("No such organization in your scope."))
                memberships = memberships.none()
            else:
                memberships = memberships.in_subtree(org.path)
        if form.cleaned_data["kind"]:
            kinds = (form.cleaned_data["kind"],)
    rows = statuses.alert_rows(memberships, today, kinds).select_related("person", "organization")
    page = paged(request, rows.order_by("organization__path", "person__name_key", "pk"))
    shown = list(page["page_obj"])
    may_record = user.can(StatusChange, "add")
    actionable = set()
    if shown and may_record:
        actionable = set(
            Membership.objects.visible_to(user, CHANGE, through=(StatusChange, "add"))
            .filter(pk__in=[m.pk for m in shown])
            .values_list("pk", flat=True)
        )
    listed = []
    for m in shown:
        found = [
            (f, statuses.decision_url(m, f) if f.to_status and m.pk in actionable else "")
            for f in statuses.findings(m, today, kinds)
        ]
        listed.append((m, found))
    account_read(request, Membership, shown)
    totals = statuses.alert_counts(memberships, today)
    context = {
        **page,
        "title": _("Lapse alerts"),
        "breadcrumbs": [(_("Lapse alerts"), None)],
        "form": form,
        "rows": listed,
        "org": org,
        "today": today,
        "totals": [(kind, KIND_LABELS[kind], totals[kind]) for kind in statuses.KINDS],
        "alert_months": param("lapse.alert_months", on=today),
        "lapse_months": param("lapse.months", on=today),
        "can_add_floating": user.can(FloatingRecord, "add"),
    }
    return render(request, "membership/alert_list.html", context)
