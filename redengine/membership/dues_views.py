"""党费 pages: the ledger of an organization and a year (members × months, with the month opened, paid and
owed), a member's dues (bases, reliefs, months, voluntary payments, what they owe), the forms (a base, a
payment, a whole month paid for the members chosen, a relief, a voluntary payment and its passing up, the
month opened), the monthly collection sheet (.xlsx, imported back as 党费缴纳), the year's totals per
organization with its drill-down and export, the list of entries and of voluntary payments, and the
calculator. Every write goes through ``services/dues.py``; every page costs a fixed number of queries."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core import approvals
from redengine.core.audit import log_access
from redengine.core.exports import export_filename, file_response, stamp_text, xlsx_response
from redengine.core.models import AccessEvent
from redengine.core.reads import account_read
from redengine.core.services import Item
from redengine.core.views import Column, ObjectActionView, ObjectListView, guard, paged, refuse
from redengine.core.writes import RefusedError, Scope
from redengine.orgs.models import PartyOrganization
from redengine.orgs.todo import bureau_label
from redengine.orgs.views import page_scope
from redengine.people.models import Membership, Person

from .dues_filters import DuesEntryFilterSet, MonthField, VoluntaryFilterSet
from .dues_forms import (
    BaseForm,
    BatchPaymentForm,
    CalculatorForm,
    OpenMonthForm,
    PassedUpForm,
    PaymentForm,
    ReliefForm,
    VoluntaryForm,
)
from .imports import collection_workbook
from .models import DuesBase, DuesEntry, DuesRelief, VoluntaryPayment
from .rules import FixingMode, dues_table, quote
from .services import dues
from .services.dues import ENTRY_RELATED, OWED, month_of, read_amount, shown_month, standing_problem

VIEW, ADD, CHANGE, EXPORT = "view", "add", "change", "export"
MEMBERS_PER_PAGE = 30
ENTRIES_SHOWN = 36  # the latest months on a member's page; the rest in the list of entries


def year_span(year):
    return datetime.date(year, 1, 1), datetime.date(year, 12, 1)


def ledger_url(org, year):
    return reverse("membership:dues_ledger") + f"?org={org.code}&year={year}"


# The ledger -------------------------------------------------------------------------------------------
class LedgerRow:
    """A member's line of the ledger: the twelve months (an entry or None), their sums, the base in force."""

    def __init__(self, member, months, base, today):
        self.member, self.base = member, base
        self.cells = [LedgerCell(months.get(n), today) for n in range(1, 13)]
        entries = [c.entry for c in self.cells if c.entry is not None]
        self.due = sum((e.due for e in entries), Decimal("0.00"))
        self.paid = sum((e.paid for e in entries), Decimal("0.00"))
        self.owed = sum((e.owed for e in entries if e.month <= month_of(today)), Decimal("0.00"))
        self.good = standing_problem(member) is None
        self.no_base = base is None and not entries


class LedgerCell:
    """One month of a member: not opened, exempt, paid (ahead), paid in part, or owed."""

    def __init__(self, entry, today):
        self.entry = entry
        if entry is None:
            self.state = "none"
        elif entry.due == 0 and entry.paid == 0:
            self.state = "exempt"
        elif entry.paid >= entry.due:
            self.state = "ahead" if entry.month > month_of(today) else "paid"
        elif entry.paid > 0:
            self.state = "part"
        else:
            self.state = "owed" if entry.month <= month_of(today) else "due"


def owing_at_least(entries, today, count):
    """The memberships owing ``count`` months or more of ``entries`` up to ``today``'s month (a subquery)."""
    return (
        entries.filter(month__lte=month_of(today), due__gt=F("paid"))
        .order_by()
        .values("membership_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=count)
        .values("membership_id")
    )


def ledger(request):
    """An organization's ledger of a year (``?org=&year=``; the top of the user's scope, this year): members
    × months with due, paid and owed, filtered by name and by months owed."""
    refused = guard(request, DuesEntry)
    if refused:
        return refused
    user, today = request.user, timezone.localdate()
    org, period, _visible = page_scope(request)
    year = period.first_year
    first, last = year_span(year)
    entries = (
        DuesEntry.objects.visible_to(user).in_subtree(org.path).filter(month__gte=first, month__lte=last)
    )
    listed = Q(pk__in=entries.values("membership_id"))
    if year == today.year:  # this year: the current members too, those without a month yet among them
        current = dues.good_standing(
            Membership.objects.visible_to(user).in_subtree(org.path), month_of(today)
        )
        listed |= Q(pk__in=current.values("pk"))
    members = Membership.objects.filter(listed)
    name = (request.GET.get("q") or "").strip()[:50]
    if name:
        members = members.filter(person__name__contains=name)
    owing = request.GET.get("owing") or ""
    if owing.isdigit() and 0 < int(owing) <= 12:
        members = members.filter(pk__in=owing_at_least(entries, today, int(owing)))
    members = members.select_related("person", "organization").order_by("person__name_key", "pk")
    pages = paged(request, members, per_page=MEMBERS_PER_PAGE)
    shown = list(pages["page_obj"])
    rows = ledger_rows(entries, shown, last, today)
    account_read(request, Membership, shown)
    totals = entries.aggregate(
        due_sum=Sum("due"), paid_sum=Sum("paid"), owed_sum=Sum(OWED, filter=Q(month__lte=month_of(today)))
    )
    scope = Scope(user)
    context = {
        **pages,
        "title": _("Party dues ledger"),
        "org": org,
        "year": year,
        "years": list(range(today.year + 1, today.year - 10, -1)),
        "months": range(1, 13),
        "rows": rows,
        "totals": totals,
        "name": name,
        "owing": owing,
        "this_month": f"{today:%Y-%m}",
        "can_open": scope.path_allowed(DuesEntry, ADD, org.path) and user.can(DuesEntry, ADD),
        "can_pay": scope.path_allowed(DuesEntry, CHANGE, org.path) and user.can(DuesEntry, CHANGE),
        "can_export": user.can(DuesEntry, EXPORT),
        "breadcrumbs": [(_("Party dues ledger"), None)],
    }
    return render(request, "membership/dues_ledger.html", context)


def ledger_rows(entries, members, last, today):
    """The rows of the page's members: two queries (their months of the year, their bases)."""
    ids = [m.pk for m in members]
    months = defaultdict(dict)
    for entry in entries.filter(membership_id__in=ids):
        months[entry.membership_id][entry.month.month] = entry
    bases = {}
    for base in DuesBase.objects.filter(membership_id__in=ids, from_month__lte=last).order_by("from_month"):
        bases[base.membership_id] = base
    return [LedgerRow(m, months[m.pk], bases.get(m.pk), today) for m in members]


# A member's dues -------------------------------------------------------------------------------------
def member_dues(request, pk):
    """A member's dues: the bases declared, the reliefs, the months (latest first) with what is owed, the
    voluntary payments, and the forms the user may fill. Reachable where the membership lies, or where a
    ledger the user sees holds the member's months (a member transferred since)."""
    refused = guard(request, DuesEntry)
    if refused:
        return refused
    user = request.user
    member = (
        Membership.objects.filter(pk=pk)
        .annotate(here=Exists(Membership.objects.visible_to(user).filter(pk=OuterRef("pk"))))
        .filter(
            Q(here=True)
            | Q(pk__in=DuesEntry.objects.visible_to(user).filter(membership_id=pk).values("membership_id"))
        )
        .select_related("person", "organization")
        .first()
    )
    if member is None:
        raise Http404
    # A member transferred out of the scope: their months here are shown, not where they are now.
    where_now = member.organization if member.here else None
    ledger_back = (
        ledger_url(where_now, timezone.localdate().year) if where_now else reverse("membership:dues_ledger")
    )
    scope = Scope(user)
    entries = list(
        DuesEntry.objects.visible_to(user)
        .filter(membership=member)
        .select_related("organization", "relief", "dues_base")
        .order_by("-month")[:ENTRIES_SHOWN]
    )
    for entry in entries:
        entry.can_pay = scope.path_allowed(DuesEntry, CHANGE, entry.organization.path)
    voluntary = list(
        VoluntaryPayment.objects.visible_to(user).filter(membership=member).select_related("organization")
    )
    for payment in voluntary:
        payment.can_pass_up = payment.to_pass_up and scope.path_allowed(
            VoluntaryPayment, CHANGE, payment.organization.path
        )
    account_read(request, Membership, [member])
    where = member.organization.path if where_now else None
    context = {
        "title": _("Dues of %(name)s") % {"name": member.person.name},
        "member": member,
        "standing": standing_problem(member),
        "bases": list(DuesBase.objects.visible_to(user).filter(membership=member).order_by("-from_month")),
        "reliefs": list(
            DuesRelief.objects.visible_to(user).filter(membership=member).order_by("-from_month")
        ),
        "entries": entries,
        "voluntary": voluntary,
        "arrears": dues.arrears([member]).get(member.pk),
        "today": timezone.localdate(),
        "can_base": bool(where) and user.can(DuesBase, ADD) and scope.path_allowed(DuesBase, ADD, where),
        "can_relief": bool(where)
        and user.can(DuesRelief, ADD)
        and scope.path_allowed(DuesRelief, ADD, where),
        "can_voluntary": bool(where)
        and user.can(VoluntaryPayment, ADD)
        and scope.path_allowed(VoluntaryPayment, ADD, where),
        "where_now": where_now,
        "ledger_url": ledger_back,
        "breadcrumbs": [
            (_("Party dues ledger"), ledger_back),
            (member.person.name, None),
        ],
    }
    return render(request, "membership/dues_member.html", context)


# Forms ------------------------------------------------------------------------------------------------
class DuesFormView(ObjectActionView):
    template_name = "membership/dues_form.html"
    list_url_name = "membership:dues_ledger"
    question = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["question"] = (
            self.question % {"object": self.object} if self.object is not None else self.question
        )
        return context


class MemberFormView(DuesFormView):
    """A form about a member (a base, a relief, a voluntary payment): the membership is looked up where the
    user may add that record (404 elsewhere, as for one that does not exist)."""

    action = ADD

    def object_queryset(self):
        user = self.request.user
        members = Membership.objects.visible_to(user, VIEW, through=(self.model, ADD))
        return members.select_related("person", "organization")

    def object_url(self):
        return reverse("membership:dues_member", args=[self.object.pk])

    def get_title(self):
        return self.title % {"name": self.object.person.name}

    def breadcrumbs(self):
        return [
            (_("Party dues ledger"), ledger_url(self.object.organization, timezone.localdate().year)),
            (self.object.person.name, self.object_url()),
            (self.get_title(), None),
        ]


class BaseView(MemberFormView):
    model = DuesBase
    form_class = BaseForm
    title = gettext_lazy("Declare the dues base of %(name)s")
    question = gettext_lazy(
        "The monthly dues follow from the base and the category by the rules in force (the whole base at one "
        "rate). In the yearly fixing, a new base declared after the first quarter takes effect next January."
    )

    def perform(self, form):
        data = form.cleaned_data
        (base,) = dues.record_dues_bases(
            [
                Item(
                    {
                        "membership": self.object,
                        "category": data["category"],
                        "base": data["base"],
                        "from_month": data["from_month"],
                        "declared_on": data["declared_on"],
                    }
                )
            ],
            by=self.request.user,
        )
        for note in dues.base_notes(base):
            messages.warning(self.request, note)
        return _("%(name)s's base recorded: %(monthly)s yuan a month from %(month)s.") % {
            "name": self.object.person.name,
            "monthly": base.monthly,
            "month": shown_month(base.from_month),
        }


class ReliefView(MemberFormView):
    model = DuesRelief
    form_class = ReliefForm
    title = gettext_lazy("Reduce or exempt the dues of %(name)s")
    question = gettext_lazy(
        "A member in real difficulty applies; the branch studies it; the committee above approves the reduction "
        "or exemption (DUES.HARDSHIP). The months it covers that are not paid yet are due at its amount."
    )

    def perform(self, form):
        values = {"membership": self.object, **form.cleaned_data}
        (relief,) = dues.record_reliefs([Item(values)], by=self.request.user)
        return _("Relief recorded for %(name)s, %(start)s to %(end)s.") % {
            "name": self.object.person.name,
            "start": shown_month(relief.from_month),
            "end": shown_month(relief.until_month),
        }


class VoluntaryView(MemberFormView):
    model = VoluntaryPayment
    form_class = VoluntaryForm
    title = gettext_lazy("Record a voluntary payment of %(name)s")
    question = gettext_lazy(
        "A voluntary payment beyond the dues is unlimited; a one-off payment of 1,000 yuan or more is passed up "
        "to the Centre in full (DUES.VOLUNTARY)."
    )

    def perform(self, form):
        values = {"membership": self.object, **form.cleaned_data}
        (payment,) = dues.record_voluntary([Item(values)], by=self.request.user)
        if payment.passed_up:
            return _(
                "Voluntary payment of %(amount)s yuan recorded: it is to be passed up to the Centre in full."
            ) % {"amount": payment.amount}
        return _("Voluntary payment of %(amount)s yuan recorded.") % {"amount": payment.amount}


class PayView(DuesFormView):
    """One month of a member paid (or a payment taken back, at 0 with no date)."""

    model = DuesEntry
    action = CHANGE
    form_class = PaymentForm
    select_related = ENTRY_RELATED
    title = gettext_lazy("Record the dues paid: %(object)s")
    question = gettext_lazy(
        "The amount paid for the month in all, at most the due; the rest of a larger payment is a voluntary "
        "payment. 0 with no date takes a payment back."
    )

    def form_arguments(self):
        return {"entry": self.object}

    def perform(self, form):
        data = form.cleaned_data
        payment = dues.Payment(
            entry=self.object, amount=data["paid"], paid_on=data["paid_on"], method=data["method"]
        )
        (entry,) = dues.record_payments([payment], by=self.request.user)
        if not entry.paid:
            return _("The payment of %(object)s is taken back.") % {"object": entry}
        return _("%(object)s: %(paid)s yuan paid on %(date)s.") % {
            "object": entry,
            "paid": entry.paid,
            "date": entry.paid_on.isoformat(),
        }


class OrganizationFormView(DuesFormView):
    """A form about an organization's ledger: the organization looked up where the user may act on entries
    (404 elsewhere)."""

    model = DuesEntry

    def object_queryset(self):
        return PartyOrganization.objects.visible_to(self.request.user, VIEW, through=(DuesEntry, self.action))

    def object_url(self):
        return ledger_url(self.object, timezone.localdate().year)

    def breadcrumbs(self):
        return [(_("Party dues ledger"), self.object_url()), (self.get_title(), None)]


class OpenMonthView(OrganizationFormView):
    action = ADD
    form_class = OpenMonthForm
    title = gettext_lazy("Open a month of dues: %(object)s")
    question = gettext_lazy(
        "Every member in good standing of the organization and those below it gets the month's due from the base "
        "in force (or a relief). Members without a base get none and are listed; opening again adds only what is "
        "missing."
    )

    def get_initial(self):
        return {"month": f"{timezone.localdate():%Y-%m}"}

    def perform(self, form):
        month = form.cleaned_data["month"]
        opened = dues.open_month(month, [self.object], by=self.request.user)
        if opened.missing:
            names = "、".join(m.person.name for m in opened.missing[:20])
            more = len(opened.missing) - 20
            messages.warning(
                self.request,
                _("Without a base, no month for them yet: %(names)s%(more)s.")
                % {"names": names, "more": _(" and %(count)s more") % {"count": more} if more > 0 else ""},
            )
        self.year = month.year
        return _("%(month)s opened: %(created)s members' months added, %(existing)s there already.") % {
            "month": shown_month(month),
            "created": len(opened.created),
            "existing": opened.existing,
        }

    def get_success_url(self):
        return ledger_url(self.object, getattr(self, "year", timezone.localdate().year))


class BatchPayView(OrganizationFormView):
    """A whole month marked paid (the due in full) for the members chosen (``?month=``, this one by default)."""

    action = CHANGE
    form_class = BatchPaymentForm
    template_name = "membership/dues_batch.html"
    title = gettext_lazy("Mark a month paid: %(object)s")

    def month(self):
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        try:
            return MonthField(required=False).clean(data.get("month")) or month_of(timezone.localdate())
        except ValidationError:  # a wrong month in the address: this month
            return month_of(timezone.localdate())

    def unpaid(self):
        return (
            DuesEntry.objects.visible_to(self.request.user, CHANGE)
            .in_subtree(self.object.path)
            .filter(month=self.month(), paid=0, due__gt=0)
            .select_related(*ENTRY_RELATED)
            .order_by("membership__person__name_key", "pk")
        )

    def form_arguments(self):
        return {"entries": self.unpaid()}

    def get_initial(self):
        if self.request.GET.get("all") == "1":
            return {"entries": list(self.unpaid())}
        return {}

    def perform(self, form):
        data = form.cleaned_data
        payments = [
            dues.Payment(entry=e, amount=e.due, paid_on=data["paid_on"], method=data["method"])
            for e in data["entries"]
        ]
        try:
            paid = dues.record_payments(payments, by=self.request.user)
        except RefusedError as exc:
            for problem in exc.problems:
                who = payments[problem.item].entry.membership.person.name if problem.item is not None else ""
                form.add_error(None, f"{who}：{problem.message}" if who else problem.message)
            raise ValidationErrorShown from exc
        return _("%(count)s members' dues of %(month)s recorded as paid.") % {
            "count": len(paid),
            "month": shown_month(self.month()),
        }

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationErrorShown:
            return self.form_invalid(form)

    def get_success_url(self):
        return ledger_url(self.object, self.month().year)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(month=shown_month(self.month()), all_url=f"?month={shown_month(self.month())}&all=1")
        return context


class ValidationErrorShown(Exception):  # noqa: N818 (the refusal is on the form already)
    pass


class PassedUpView(DuesFormView):
    model = VoluntaryPayment
    action = CHANGE
    form_class = PassedUpForm
    select_related = ("membership__person", "organization")
    title = gettext_lazy("Passed up to the Centre: %(object)s")
    question = gettext_lazy("Record the day this voluntary payment was passed up to the Centre in full.")

    def perform(self, form):
        dues.record_passed_up([self.object], form.cleaned_data["passed_up_on"], by=self.request.user)
        return _("%(object)s recorded as passed up.") % {"object": self.object}


# The collection sheet ----------------------------------------------------------------------------------
def collection_sheet(request):
    """The month's collection sheet of an organization (``?org=CODE&month=``, the top of the user's scope and
    this month when left out; ``&ids=full``: ID numbers in full,
    which needs the reveal permission and a second person's approval, as every unmasked export): the
    党费缴纳 sheet filled with the ledger, to be filled in and imported back. Logged with its row count."""
    refused = guard(request, DuesEntry, EXPORT)
    if refused:
        return refused
    user = request.user
    code = (request.GET.get("org") or "").strip()
    reachable = PartyOrganization.objects.visible_to(user, VIEW, through=(DuesEntry, EXPORT))
    # Without ``?org=``, the top of the user's scope (as the ledger): a link never leads to a dead end.
    org = get_object_or_404(reachable, code=code) if code else reachable.order_by("depth", "path").first()
    if org is None:
        raise Http404
    try:
        month = MonthField(required=False).clean(request.GET.get("month")) or month_of(timezone.localdate())
    except ValidationError:
        raise Http404 from None
    entries = (
        DuesEntry.objects.visible_to(user, EXPORT)
        .in_subtree(org.path)
        .filter(month=month)
        .select_related("membership__person", "dues_base")
        .order_by("membership__person__name_key", "pk")
    )
    people = Person.objects.filter(pk__in=entries.values("membership__person_id"))
    count = entries.count()
    revealed = set()
    if request.GET.get("ids") == "full":
        revealed = set(people.visible_to(user, "reveal").values_list("pk", flat=True))
    approval = None
    reason = approvals.reason_for(count, unmasked=bool(revealed))
    title = _("Dues collection sheet %(month)s") % {"month": shown_month(month)}
    if reason:
        outcome = approvals.gate(
            request, title=title, model_label="membership.duesentry", rows=count, reason=reason
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        approval = outcome
    account_read(request, Person, queryset=people, rows=count, detail="dues collection sheet")
    content, rows = collection_workbook(
        list(entries), revealed=revealed, stamp=stamp_text(user, approval), title=title
    )
    log_access(
        AccessEvent.Kind.EXPORT,
        request=request,
        obj="membership.duesentry",
        rows=rows,
        detail=_("dues collection sheet; ID numbers in full")
        if revealed
        else _("dues collection sheet; ID numbers masked"),
    )
    name = export_filename(_("Dues collection sheet") + f"_{shown_month(month)}", org.name)
    return file_response(content, name, f"dues-{shown_month(month)}.xlsx")


# Year totals ------------------------------------------------------------------------------------------
TOTAL_HEADERS = [
    gettext_lazy("Organization"),
    gettext_lazy("Members"),
    gettext_lazy("Due (yuan)"),
    gettext_lazy("Paid (yuan)"),
    gettext_lazy("Owed (yuan)"),
    gettext_lazy("Voluntary (yuan)"),
    gettext_lazy("Passed up (yuan)"),
    gettext_lazy("Share paid (%)"),
]


def totals_label(row):
    org = row.organization
    if row.own:
        return _("%(org)s (its own members)") % {"org": org.name}
    return bureau_label(org) if org.district else org.name


def totals(request):
    """The year's dues per organization just below the chosen one (``?org=&year=``): due, paid, owed,
    voluntary, passed up; each row drills down; ``&export=xlsx`` the table. Dues are reported upward: at the
    top of the city the rows are the districts' bureaus."""
    refused = guard(request, DuesEntry)
    if refused:
        return refused
    user = request.user
    exporting = request.GET.get("export") == "xlsx"
    if exporting and not user.can(DuesEntry, EXPORT):  # refused before any organization is looked up
        return refuse(request, DuesEntry, EXPORT)
    org, period, visible = page_scope(request)
    year = period.first_year
    rows, whole = dues.year_totals(user, org, year)
    if exporting:
        lines = [
            [totals_label(r), r.members, r.due, r.paid, r.owed, r.voluntary, r.passed_up, r.rate or ""]
            for r in rows
        ]
        lines.append(
            [
                _("Total"),
                whole.members,
                whole.due,
                whole.paid,
                whole.owed,
                whole.voluntary,
                whole.passed_up,
                whole.rate or "",
            ]
        )
        title = _("Party dues of %(year)s") % {"year": year}
        return xlsx_response(
            request,
            title=title,
            headers=TOTAL_HEADERS,
            rows=([float(v) if isinstance(v, Decimal) else v for v in line] for line in lines),
            filename=export_filename(title, org.name),
            fallback=f"dues-totals-{year}.xlsx",
            model=DuesEntry,
        )
    today = timezone.localdate()
    context = {
        "title": _("Party dues of the year"),
        "org": org,
        "year": year,
        "years": list(range(today.year, today.year - 10, -1)),
        "rows": [
            (
                r,
                totals_label(r),
                None
                if r.own
                else reverse("membership:dues_totals") + f"?org={r.organization.code}&year={year}",
            )
            for r in rows
        ],
        "whole": whole,
        "parent": visible.filter(path=org.path[: -org.steplen]).first() if org.depth > 1 else None,
        "can_export": user.can(DuesEntry, EXPORT),
        "breadcrumbs": [(_("Party dues of the year"), None)],
    }
    return render(request, "membership/dues_totals.html", context)


# Lists ------------------------------------------------------------------------------------------------
class NumbersExported:
    """Amounts go to the workbook as numbers (the export writes any other value as text)."""

    def export_rows(self, queryset):
        for row in super().export_rows(queryset):
            yield [float(v) if isinstance(v, Decimal) else v for v in row]


class EntryListView(NumbersExported, ObjectListView):
    """Every month of the ledger in the user's scope, with the ledger's filters; its export is the flat ledger
    (one row a member and month)."""

    model = DuesEntry
    filterset_class = DuesEntryFilterSet
    select_related = ("membership__person", "organization", "dues_base")
    default_order = ["-month", "membership__person__name_key", "pk"]
    title = gettext_lazy("Months of the dues ledger")
    export_title = gettext_lazy("Party dues ledger")
    columns = [
        Column(
            "membership.person.name", gettext_lazy("Full name"), "membership__person__name_key", link=True
        ),
        Column("membership.person.id_number_masked", gettext_lazy("ID number")),
        Column("organization.name", gettext_lazy("Organization"), "organization__path"),
        Column("month_text", gettext_lazy("Month"), "month"),
        Column("dues_base.base", gettext_lazy("Base (yuan)")),
        Column("due", gettext_lazy("Due (yuan)"), "due"),
        Column("paid", gettext_lazy("Paid (yuan)"), "paid"),
        Column("owed", gettext_lazy("Owed (yuan)")),
        Column("paid_on", gettext_lazy("Date paid"), "paid_on"),
        Column("get_method_display", gettext_lazy("Method")),
    ]


class VoluntaryListView(NumbersExported, ObjectListView):
    model = VoluntaryPayment
    filterset_class = VoluntaryFilterSet
    select_related = ("membership__person", "organization")
    default_order = ["-paid_on", "-pk"]
    title = gettext_lazy("Voluntary payments")
    columns = [
        Column(
            "membership.person.name", gettext_lazy("Full name"), "membership__person__name_key", link=True
        ),
        Column("organization.name", gettext_lazy("Organization"), "organization__path"),
        Column("paid_on", gettext_lazy("Date paid"), "paid_on"),
        Column("amount", gettext_lazy("Amount (yuan)"), "amount"),
        Column("passed_up", gettext_lazy("To be passed up to the Centre")),
        Column("passed_up_on", gettext_lazy("Date passed up"), "passed_up_on"),
        Column("note", gettext_lazy("Note")),
    ]


# The calculator ---------------------------------------------------------------------------------------
def calculator(request):
    """Base and category → the monthly dues, the rate, the rule and its source (a GET form, for phones too)."""
    refused = guard(request, DuesEntry)
    if refused:
        return refused
    form = CalculatorForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        amount, reason = read_amount(form.cleaned_data["base"])
        if reason or amount is None:
            form.add_error("base", reason or _("This field is required."))
        else:
            result = quote(amount, form.cleaned_data["category"])
    table = dues_table()
    context = {
        "title": _("Dues calculator"),
        "form": form,
        "result": result,
        "base": form.cleaned_data.get("base") if result else None,
        "rate_percent": (result.rate * 100).normalize() if result and result.rate is not None else None,
        "table": table,
        "yearly": table.fixing == FixingMode.YEARLY,
        "recalc_source": table.sources["DUES.RECALC"],
        "brackets": brackets_of(table),
        "breadcrumbs": [(_("Dues calculator"), None)],
    }
    return render(request, "membership/dues_calculator.html", context)


def brackets_of(table):
    """The table's lines as the page shows them: (category label, the range, the rate or amount)."""
    from .rules import DuesCategory

    lines = []
    for category, brackets in table.brackets.items():
        lower = None
        for limit, rate in brackets:
            if limit is None:
                span = _("above %(lower)s yuan") % {"lower": lower}
            elif lower is None:
                span = _("up to %(limit)s yuan") % {"limit": limit}
            else:
                span = _("%(lower)s to %(limit)s yuan") % {"lower": lower, "limit": limit}
            lines.append((DuesCategory(category).label, span, f"{(rate * 100).normalize()}%"))
            lower = limit
    for category, amount in table.flat.items():
        lines.append(
            (DuesCategory(category).label, _("any base"), _("%(amount)s yuan a month") % {"amount": amount})
        )
    return lines
