"""Party dues (党费), batch-first: the base a member declares (``record_dues_bases``), the monthly ledger
(``open_month``, and the daily job that opens the current month), payments (``record_payments``), reductions
and exemptions (``record_reliefs``), voluntary payments (``record_voluntary``, ``record_passed_up``); and the
reads other parts and pages use: ``arrears``, ``unpaid_months``, ``last_paid_month``,
``consecutive_unpaid_months``, ``members_without_base``, ``members_not_opened``, ``year_totals``.

Readings fixed here (domain-rules §3.2, §0.1), each a test in ``tests/test_dues*.py``:

* **Who pays.** A current membership in good standing (``people.choices.IN_GOOD_STANDING``: active or
  floating), probationary members included from the month admitted (DUES.PROB). A suspended member (停止党籍),
  one out of contact, and an ended membership declare no base, get no month in the ledger and pay nothing as
  a member: refused, naming the state (a condition of validity, §0.1 kind 1).
* **A base** applies from a month: this month or the next at the latest, never before the month of
  admission; the amount, rate and rule are those ``rules.quote`` gives by the table in force that month. In the
  *yearly* fixing mode (DUES.RECALC, the 2017 table) a member whose amount is already fixed and who declares a
  new base after the first quarter keeps the amount for the year: the new base is **stored from next
  January** and the message says so. The first base of a member (a new member, one come by transfer) applies
  from the month given, and a base given again for the month of a recorded one corrects it. A base declared
  after the first quarter *for* a month of it is recorded as given and flagged late (a time limit on the
  organization's own work, §0.1 kind 3). In the *on change* mode a base applies from the month given.
  A monthly amount above ``dues.monthly_cap_yuan`` is flagged, never refused (the member may volunteer more).
* **The ledger.** ``open_month`` gives every member in good standing of the organizations (their subtrees)
  the month's entry, due at the amount of the base in force (or of a relief covering the month: nothing when
  exempt, the reduced amount otherwise), in the organization the membership is in at that time. A member with
  neither a base nor a relief gets **no entry** (no silent 0): they are returned as missing and listed on
  the to-do list ("members without a base"); once the base is declared, the month is opened again (the daily
  job does it every day: opening is idempotent). A month is opened on or after its first day.
* **Payments** set the amount paid for a month (a re-import of the same sheet changes nothing): more than 0
  and at most the due — the excess of a payment is a voluntary payment, recorded as one (refused with that
  advice); 0 with no date takes a payment back. The date paid is not in the future nor before admission;
  arrears are paid late as a matter of course; a month is paid ahead at most up to the end of the year of
  payment (its entry is then made with the payment). A month not opened yet (this one or one before) is
  refused with the reason: open it, or declare the member's base first.
* **Reliefs** (DUES.HARDSHIP) name the committee above that approved them and the day; they do not overlap;
  a reduction is less than the member's dues. The months they cover that are not paid yet are due again at
  the relief's amount — as are the unpaid months after a new base (``reprice``).
* **Voluntary payments** (DUES.VOLUNTARY) of ``dues.voluntary_pass_up_yuan`` or more are to be passed up to
  the Centre in full (``passed_up``); the day they are passed up is recorded (``record_passed_up``).

Every check is made in bulk (a fixed number of queries per 5,000 records) before anything is written, with
located problems (item and field); every record written, and every member named, is re-checked against
the writer's scope inside the write path (``core.writes.writing``).
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.audit import bulk_create_audited, bulk_update_audited, remember
from redengine.core.dates import add_months
from redengine.core.scoping import prefix_q
from redengine.core.services import ADD, CHANGE, PICK, VIEW, ModelService, Plan
from redengine.core.writes import Problem, RefusedError, chunked, outside_scope, writing
from redengine.orgs.models import PartyOrganization
from redengine.people.choices import IN_GOOD_STANDING, MembershipStatus
from redengine.people.models import Membership

from ..models import DuesBase, DuesEntry, DuesRelief, PaymentMethod, VoluntaryPayment
from ..rules import DuesCategory, FixingMode, dues_table, param, quote

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("99999999.99")  # ten digits, two of them decimals (the fields' size)
MONTH_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]\s*\d{1,2}\s*日?)?")


# Months and amounts ----------------------------------------------------------------------------------
def month_of(day):
    return day.replace(day=1)


def next_month(day):
    return add_months(month_of(day), 1)


def month_end(month):
    return next_month(month) - datetime.timedelta(days=1)


def year_end(day):
    """The last month of ``day``'s year (its first day)."""
    return datetime.date(day.year, 12, 1)


def parse_month(value):
    """A month (its first day) from a date of it, or text such as 2026-03, 2026/3, 2026年3月 or 2026-03-01;
    None when empty; ``ValueError`` otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    match = MONTH_TEXT.fullmatch(str(value).strip())
    if not match:
        raise ValueError(f"not a month: {value!r}")
    return datetime.date(int(match[1]), int(match[2]), 1)


def read_amount(value):
    """(amount in yuan to the fen, None) or (None, the reason it is not one); (None, None) when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, not_an_amount()
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except ArithmeticError:
        return None, not_an_amount()
    if not amount.is_finite():
        return None, not_an_amount()
    if amount != amount.quantize(FEN):
        return None, _("An amount of yuan has at most two decimals (fen).")
    if amount < 0:
        return None, _("The amount cannot be negative.")
    if amount > MAX_AMOUNT:
        return None, _("The amount is too large.")
    return amount.quantize(FEN), None


def not_an_amount():
    return _("Enter an amount of yuan, such as 4200 or 4200.50.")


def required():
    return _("This field is required.")


def shown_month(month):
    return f"{month:%Y-%m}"


# Members ---------------------------------------------------------------------------------------------
def standing_problem(membership):
    """Why ``membership`` may not declare, owe or pay dues as a member now (None when it may)."""
    name = membership.person.name
    since = membership.status_since.isoformat() if membership.status_since else "—"
    if membership.ended_on is not None:
        return _("%(name)s's membership ended on %(date)s: no dues are recorded for it any more.") % {
            "name": name,
            "date": membership.ended_on.isoformat(),
        }
    if membership.status == MembershipStatus.SUSPENDED:
        return _(
            "%(name)s's membership is suspended (停止党籍) since %(date)s: a suspended member pays no dues as a "
            "member. Restore the membership first (a change of state with its resolution)."
        ) % {"name": name, "date": since}
    if membership.status not in IN_GOOD_STANDING:
        return _(
            "%(name)s is %(status)s since %(date)s: only an active or floating member pays dues as a member. "
            "Record the change of state first."
        ) % {"name": name, "status": membership.get_status_display(), "date": since}
    return None


def load_memberships(memberships):
    """{pk: membership} of ``memberships`` (records or pks), with their person and organization: one query
    per 5,000."""
    pks = sorted({getattr(m, "pk", m) for m in memberships if m is not None and getattr(m, "pk", m)})
    found = {}
    for chunk in chunked(pks):
        for m in Membership.objects.filter(pk__in=chunk).select_related("person", "organization"):
            found[m.pk] = m
    return found


class DueBook:
    """The bases and reliefs of some members, loaded in bulk (two queries per 5,000 members), and the due of
    a month from them."""

    def __init__(self, membership_ids):
        self.bases, self.reliefs = defaultdict(list), defaultdict(list)
        for chunk in chunked(sorted(set(membership_ids))):
            for base in DuesBase.objects.filter(membership_id__in=chunk).order_by(
                "membership_id", "from_month"
            ):
                self.bases[base.membership_id].append(base)
            for relief in DuesRelief.objects.filter(membership_id__in=chunk).order_by("from_month"):
                self.reliefs[relief.membership_id].append(relief)

    def base_on(self, membership_id, month):
        found = None
        for base in self.bases.get(membership_id, ()):
            if base.from_month > month:
                break
            found = base
        return found

    def relief_on(self, membership_id, month):
        return next(
            (r for r in self.reliefs.get(membership_id, ()) if r.from_month <= month <= r.until_month), None
        )

    def due(self, membership_id, month):
        """(the amount due, the base in force, the relief covering the month); the amount is None when the
        member has neither."""
        base, relief = self.base_on(membership_id, month), self.relief_on(membership_id, month)
        if relief is not None:
            return (ZERO if relief.exempt else relief.monthly), base, relief
        if base is not None:
            return base.monthly, base, None
        return None, None, None


class MemberPlaced:
    """A record of a member lies where the membership lies: there the writer adds it."""

    def places(self, objs):
        return [("membership", [o.membership.organization.path] if o.membership_id else None) for o in objs]

    def place_message(self, item):
        return _("This member lies outside your scope.")


class BatchSave:
    """``save`` with today's date given (the tests' calendar); the write path as in ``ModelService``. A
    service reads its items' values first (``prepare``: the located problems of what it parses itself), then
    the model's own checks, the unique tuples and the scope."""

    def check(self, items, scope, today=None):
        today = today or timezone.localdate()
        plan = Plan(list(items), extra={"today": today})
        problems = self.prepare(plan, today)
        self.build(plan)
        plan.problems = problems + plan.problems
        ModelService.validate(self, plan)
        self.check_unique(plan)
        self.check_scope(plan, scope)
        return plan

    def save(self, items, *, by, today=None):
        items = list(items)
        with writing(by) as write:
            plan = self.check(items, write, today)
            if plan.problems:
                raise RefusedError(plan.problems)
            self.apply(plan, write)
        return [item.obj for item in plan.items]


def member_values(plan, problems):
    """Give each item its membership as loaded (person and organization) and tell the ones that may not
    declare, owe or pay dues; the loaded memberships by pk."""
    members = load_memberships(item.values.get("membership") for item in plan.items)
    for index, item in enumerate(plan.items):
        given = item.values.get("membership")
        member = members.get(getattr(given, "pk", given)) if given is not None else None
        item.values["membership"] = member
        if given is not None and member is None:
            problems.append(Problem(outside_scope(), index, "membership", True))
        elif member is not None:
            problem = standing_problem(member)
            if problem:
                problems.append(Problem(problem, index, "membership"))
    return members


def month_value(item, name, index, problems, required_=True):
    """The month of ``item.values[name]`` (set to its first day), or None with the problem told."""
    try:
        month = parse_month(item.values.get(name))
    except ValueError:
        problems.append(Problem(_("Enter a month such as 2026-03."), index, name))
        month = None
    else:
        if month is None and required_:
            problems.append(Problem(required(), index, name))
    item.values[name] = month
    return month


def before_admission(membership, month):
    return membership is not None and month is not None and month < month_of(membership.admitted_on)


def admitted_problem(membership, index, name):
    return Problem(
        _("%(name)s was admitted on %(date)s: dues are recorded from that month on.")
        % {"name": membership.person.name, "date": membership.admitted_on.isoformat()},
        index,
        name,
    )


# Bases -----------------------------------------------------------------------------------------------
class BaseService(BatchSave, MemberPlaced, ModelService):
    model = DuesBase
    fields = ("membership", "category", "base", "from_month", "declared_on")
    references = {"membership": PICK}
    unique = (("membership", "from_month"),)

    def problem_field(self, names):
        return "from_month"

    def duplicate_message(self, names):
        return _("This member's base from this month is given twice.")

    def prepare(self, plan, today):
        problems = []
        members = member_values(plan, problems)
        recorded = defaultdict(list)
        for chunk in chunked(sorted(members)):
            for base in DuesBase.objects.filter(membership_id__in=chunk).order_by("from_month"):
                recorded[base.membership_id].append(base)
        for index, item in enumerate(plan.items):
            values, before = item.values, len(problems)
            member = values["membership"]
            amount, reason = read_amount(values.get("base"))
            if reason or amount is None:
                problems.append(Problem(reason or required(), index, "base"))
            values["base"] = amount
            category = values.get("category")
            if category not in DuesCategory.values:
                problems.append(
                    Problem(unknown_category(category) if category else required(), index, "category")
                )
            month = month_value(item, "from_month", index, problems)
            if month is not None and month > next_month(today):
                problems.append(
                    Problem(
                        _(
                            "%(month)s is more than a month ahead: a base is declared from this month or the "
                            "next at the latest."
                        )
                        % {"month": shown_month(month)},
                        index,
                        "from_month",
                    )
                )
            elif before_admission(member, month):
                problems.append(admitted_problem(member, index, "from_month"))
            values["declared_on"] = values.get("declared_on") or today
            if values["declared_on"] > today:
                problems.append(Problem(_("The date declared is in the future."), index, "declared_on"))
            item.extra["ok"] = len(problems) == before and member is not None
            if item.extra["ok"] and item.instance is None:
                values["from_month"] = self.effective_month(item, member, month, recorded[member.pk])
                existing = next(
                    (b for b in recorded[member.pk] if b.from_month == values["from_month"]), None
                )
                if existing is not None:  # a base given again for its month: a correction of it
                    remember([existing])
                    existing.membership = member
                    item.instance = existing
        return problems

    @staticmethod
    def effective_month(item, member, month, recorded):
        """The month the base takes effect from (the readings of the module's docstring)."""
        declared = item.values["declared_on"]
        if dues_table(month).fixing != FixingMode.YEARLY:
            return month
        if month.month <= 3:
            item.extra["late"] = declared >= datetime.date(month.year, 4, 1)
            return month
        if any(b.from_month == month for b in recorded) or not any(b.from_month <= month for b in recorded):
            return month  # a correction of a recorded base, or the member's first amount
        item.extra["deferred_from"] = month
        return datetime.date(month.year + 1, 1, 1)

    def derive(self, plan, item, index):
        obj = item.obj
        if item.extra.get("ok"):
            found = quote(obj.base, obj.category, on=obj.from_month)
            obj.monthly, obj.rate, obj.rule = found.monthly, found.rate, found.rule
        obj.deferred_from = item.extra.get("deferred_from")
        obj.late_fixing = item.extra.get("late", False)

    def apply(self, plan, write):
        super().apply(plan, write)
        reprice([i.obj.membership for i in plan.items if i.is_new or i.changed], write)


def unknown_category(value):
    return _(
        "There is no category “%(value)s”: a member is in service, retired, a student, or laid off, unemployed "
        "or on relief."
    ) % {"value": value}


def base_notes(base):
    """What the member and the secretary are told of a base just recorded: the month it takes effect from when
    the yearly fixing put it off, a late yearly fixing, an amount above the usual monthly cap."""
    notes = []
    deferred = getattr(base, "deferred_from", None)
    if deferred:
        notes.append(
            _(
                "%(name)s's new base, declared from %(asked)s, takes effect from %(month)s: the amount is fixed "
                "once a year in the first quarter and kept for the year (%(source)s)."
            )
            % {
                "name": base.membership.person.name,
                "asked": shown_month(deferred),
                "month": shown_month(base.from_month),
                "source": dues_table(deferred).sources["DUES.RECALC"],
            }
        )
    if getattr(base, "late_fixing", False):
        notes.append(
            _("%(name)s's amount for %(year)s was fixed after the first quarter: recorded, and flagged late.")
            % {"name": base.membership.person.name, "year": base.from_month.year}
        )
    if above_cap(base):
        notes.append(
            _(
                "%(name)s's monthly dues of %(amount)s yuan are above the usual %(cap)s yuan: kept, as the "
                "member volunteers to pay them; lower the base if they do not."
            )
            % {
                "name": base.membership.person.name,
                "amount": base.monthly,
                "cap": param("dues.monthly_cap_yuan", on=base.from_month),
            }
        )
    return notes


def above_cap(base):
    return base.monthly > param("dues.monthly_cap_yuan", on=base.from_month)


# Repricing -------------------------------------------------------------------------------------------
def reprice(memberships, write):
    """Work out again the due of the months of ``memberships`` (loaded records) not paid yet in the ledger of
    their current organization, from their bases and reliefs as they now are; the entries changed."""
    by_pk = {m.pk: m for m in memberships if m is not None and m.pk}
    entries = []
    for chunk in chunked(sorted(by_pk)):
        entries += [
            e
            for e in DuesEntry.objects.filter(membership_id__in=chunk, paid=0)
            if e.organization_id == by_pk[e.membership_id].organization_id
        ]
    if not entries:
        return []
    remember(entries)
    book = DueBook(by_pk)
    touched = []
    for entry in entries:
        due, base, relief = book.due(entry.membership_id, entry.month)
        if due is None:
            continue
        member = by_pk[entry.membership_id]
        entry.membership, entry.organization = member, member.organization
        entry.due, entry.dues_base, entry.relief = due, base, relief
        touched.append(entry)
    changed = bulk_update_audited(
        DuesEntry,
        touched,
        ["due", "dues_base", "relief"],
        scope_paths=[e.organization.path for e in touched],
    )
    write.expect(DuesEntry, CHANGE, changed)
    return changed


# The ledger ------------------------------------------------------------------------------------------
@dataclass
class MonthOpened:
    """What opening a month did: the entries made, how many were there already, the members missing a base."""

    month: datetime.date
    created: list = field(default_factory=list)
    existing: int = 0
    missing: list = field(default_factory=list)  # memberships without a base (nor a relief) that month


def open_month(month, organizations=None, *, by, today=None):
    """Give every current member in good standing of ``organizations`` (their subtrees; None: the writer's
    whole scope) the entry of ``month``, due from the base in force (or a relief); idempotent. A member
    without a base nor a relief gets none and is returned in ``missing``. A ``MonthOpened``."""
    today = today or timezone.localdate()
    month = month_of(month)
    if month > month_of(today):
        raise RefusedError(
            [
                Problem(
                    _("%(month)s has not begun: a month is opened on or after its first day.")
                    % {"month": shown_month(month)},
                    None,
                    "month",
                )
            ]
        )
    with writing(by) as write:
        members = Membership.objects.current().filter(
            status__in=IN_GOOD_STANDING, admitted_on__lte=month_end(month)
        )
        prefixes = None
        if organizations is not None:
            organizations = list(organizations)
            bad = [
                Problem(outside_scope(), n, "organization", True)
                for n, org in enumerate(organizations)
                if not write.path_allowed(DuesEntry, ADD, org.path)
            ]
            if bad:
                raise RefusedError(bad)
            prefixes = [org.path for org in organizations]
        elif not write.whole_tree:
            prefixes = write.prefixes(DuesEntry, ADD)
        if prefixes is not None:
            if not prefixes:
                raise RefusedError([Problem(outside_scope(), None, "organization", True)])
            members = members.filter(prefix_q("organization__path", prefixes))
        members = list(
            members.select_related("person", "organization").order_by(
                "organization__path", "person__name_key", "pk"
            )
        )
        opened = set()
        for chunk in chunked([m.pk for m in members]):
            opened.update(
                DuesEntry.objects.filter(month=month, membership_id__in=chunk).values_list(
                    "membership_id", flat=True
                )
            )
        members = [m for m in members if m.pk not in opened]
        book = DueBook(m.pk for m in members)
        result = MonthOpened(month, existing=len(opened))
        for member in members:
            due, base, relief = book.due(member.pk, month)
            if due is None:
                result.missing.append(member)
                continue
            result.created.append(
                DuesEntry(
                    membership=member,
                    organization=member.organization,
                    month=month,
                    due=due,
                    paid=ZERO,
                    dues_base=base,
                    relief=relief,
                )
            )
        if result.created:
            bulk_create_audited(
                DuesEntry, result.created, scope_paths=[e.organization.path for e in result.created]
            )
            write.expect(DuesEntry, ADD, result.created)
    return result


# Payments --------------------------------------------------------------------------------------------
@dataclass
class Payment:
    """A month's dues paid: the entry (or the member and the month), the amount paid for the month in all,
    the date and how. An amount of 0 with no date takes a payment back."""

    entry: DuesEntry | None = None
    membership: Membership | None = None
    month: object = None
    amount: object = None
    paid_on: datetime.date | None = None
    method: str = ""


@dataclass
class PaymentPlan:
    rows: list  # (index, entry as it will be written, whether it is new, whether it changes)
    problems: list

    def counts(self):
        return {
            "new": sum(1 for _i, _e, new, _c in self.rows if new),
            "changed": sum(1 for _i, _e, new, changed in self.rows if changed and not new),
            "unchanged": sum(1 for _i, _e, new, changed in self.rows if not (new or changed)),
        }


ENTRY_RELATED = ("membership__person", "membership__organization", "organization")


class PaymentService:
    """The payments of a batch, checked against the entries as recorded and one another, then written."""

    def check(self, payments, scope, today=None):
        today = today or timezone.localdate()
        payments = list(payments)
        problems = []
        entries = self.load_entries(payments)
        months = [self.month_of_payment(p, n, problems) for n, p in enumerate(payments)]
        members = load_memberships(p.membership for p in payments if p.entry is None)
        by_key = self.entries_by_key(members, months)
        may_name = scope.allowed(Membership, VIEW, list(members), through=(DuesEntry, CHANGE))
        creating = {}
        for n, p in enumerate(payments):
            if p.entry is None and months[n] and (getattr(p.membership, "pk", None), months[n]) not in by_key:
                creating[n] = members.get(getattr(p.membership, "pk", None))
        book = DueBook(m.pk for m in creating.values() if m is not None)
        rows, seen = [], set()
        for index, payment in enumerate(payments):
            if months[index] is None:
                continue
            entry, found = self.entry_of(
                payment, index, months[index], entries, members, by_key, may_name, problems
            )
            new = False
            if found and entry is None:
                entry, new = self.advance_entry(
                    creating[index], months[index], index, book, today, problems, scope
                )
            if entry is None:
                continue
            key = (entry.membership_id, entry.month)
            if key in seen:
                problems.append(
                    Problem(_("This month of this member is paid twice in the batch."), index, "month")
                )
                continue
            seen.add(key)
            changed = self.check_payment(payment, entry, index, today, problems)
            rows.append((index, entry, new, changed))
        existing = [e for _i, e, new, _c in rows if not new]
        allowed = scope.allowed(DuesEntry, CHANGE, existing)
        for index, entry, new, _changed in rows:
            if not new and entry.pk not in allowed:
                problems.append(Problem(outside_scope(), index, None, True))
        return PaymentPlan(rows, problems)

    @staticmethod
    def load_entries(payments):
        pks = sorted({p.entry.pk for p in payments if p.entry is not None and p.entry.pk})
        found = {}
        for chunk in chunked(pks):
            for entry in DuesEntry.objects.filter(pk__in=chunk).select_related(*ENTRY_RELATED):
                found[entry.pk] = entry
        remember(list(found.values()))
        return found

    @staticmethod
    def month_of_payment(payment, index, problems):
        if payment.entry is not None:
            return payment.entry.month
        try:
            month = parse_month(payment.month)
        except ValueError:
            problems.append(Problem(_("Enter a month such as 2026-03."), index, "month"))
            return None
        if month is None:
            problems.append(Problem(required(), index, "month"))
        return month

    @staticmethod
    def entries_by_key(members, months):
        wanted = {m for m in months if m}
        found = {}
        if not wanted or not members:
            return found
        for chunk in chunked(sorted(members)):
            rows = DuesEntry.objects.filter(membership_id__in=chunk, month__in=sorted(wanted)).select_related(
                *ENTRY_RELATED
            )
            for entry in rows:
                found[(entry.membership_id, entry.month)] = entry
        remember(list(found.values()))
        return found

    @staticmethod
    def entry_of(payment, index, month, entries, members, by_key, may_name, problems):
        """(the recorded entry paid, True); (None, True) when the member's month has no entry yet (for
        ``advance_entry``); (None, False) with the problem told."""
        if payment.entry is not None:
            entry = entries.get(payment.entry.pk)
            if entry is None:
                problems.append(Problem(outside_scope(), index, None, True))
            return entry, entry is not None
        member = members.get(getattr(payment.membership, "pk", None))
        if member is None or member.pk not in may_name:
            problems.append(Problem(outside_scope(), index, "membership", True))
            return None, False
        return by_key.get((member.pk, month)), True

    @staticmethod
    def advance_entry(member, month, index, book, today, problems, scope):
        """The entry of a month not in the ledger yet: made with the payment when the month is ahead (paying
        ahead), else the reason it cannot be paid."""
        due, base, relief = book.due(member.pk, month)
        name = member.person.name
        if month <= month_of(today):
            if due is None:
                message = _(
                    "%(name)s has no dues base for %(month)s: declare the base, then open the month in the "
                    "ledger."
                )
            else:
                message = _(
                    "%(month)s is not opened in the ledger of %(org)s yet: open the month, then record the "
                    "payment."
                )
            problems.append(
                Problem(
                    message % {"name": name, "month": shown_month(month), "org": member.organization.name},
                    index,
                    "month",
                )
            )
            return None, False
        if month > year_end(today):
            problems.append(Problem(too_far_ahead(month), index, "month"))
            return None, False
        if due is None:
            problems.append(
                Problem(
                    _("%(name)s has no dues base for %(month)s: declare the base before paying ahead.")
                    % {"name": name, "month": shown_month(month)},
                    index,
                    "month",
                )
            )
            return None, False
        if not scope.path_allowed(DuesEntry, ADD, member.organization.path):
            problems.append(Problem(outside_scope(), index, "membership", True))
            return None, False
        entry = DuesEntry(
            membership=member,
            organization=member.organization,
            month=month,
            due=due,
            paid=ZERO,
            dues_base=base,
            relief=relief,
        )
        return entry, True

    @staticmethod
    def check_payment(payment, entry, index, today, problems):
        """Check the payment against its entry and set it there; whether it changes the entry."""
        before = len(problems)
        member = entry.membership
        standing = standing_problem(member)
        if standing:
            problems.append(Problem(standing, index, "membership"))
        amount, reason = read_amount(payment.amount)
        if reason or amount is None:
            problems.append(Problem(reason or required(), index, "paid"))
        method = payment.method or ""
        if method not in PaymentMethod.values and method:
            problems.append(
                Problem(
                    _(
                        "There is no method “%(value)s”: cash, bank transfer, online payment or deducted from pay."
                    )
                    % {"value": method},
                    index,
                    "method",
                )
            )
        paid_on = payment.paid_on
        if amount == ZERO:
            if paid_on is not None:
                problems.append(
                    Problem(_("A payment taken back (0 yuan) has no date paid."), index, "paid_on")
                )
            method = ""
        elif amount is not None:
            if paid_on is None:
                problems.append(Problem(required(), index, "paid_on"))
            elif paid_on > today:
                problems.append(Problem(_("The date paid is in the future."), index, "paid_on"))
            elif paid_on < member.admitted_on:
                problems.append(
                    Problem(
                        _("%(name)s was admitted on %(date)s: dues are not paid before.")
                        % {"name": member.person.name, "date": member.admitted_on.isoformat()},
                        index,
                        "paid_on",
                    )
                )
            elif entry.month > year_end(paid_on):
                problems.append(Problem(too_far_ahead(entry.month), index, "month"))
            if amount > entry.due:
                problems.append(Problem(overpaid(amount, entry), index, "paid"))
        if len(problems) > before:
            return False
        entry.paid, entry.paid_on, entry.method = amount, (paid_on if amount else None), method
        old = getattr(entry, "_audit_loaded", None)
        return old is None or (str(amount), entry.paid_on and entry.paid_on.isoformat(), method) != (
            old["paid"],
            old["paid_on"],
            old["method"],
        )

    def save(self, payments, *, by, today=None):
        with writing(by) as write:
            plan = self.check(payments, write, today)
            if plan.problems:
                raise RefusedError(plan.problems)
            self.apply(plan, write)
        return [entry for _i, entry, _new, _c in plan.rows]

    @staticmethod
    def apply(plan, write):
        new = [e for _i, e, is_new, _c in plan.rows if is_new]
        changed = [e for _i, e, is_new, changes in plan.rows if changes and not is_new]
        if new:
            bulk_create_audited(DuesEntry, new, scope_paths=[e.organization.path for e in new])
            write.expect(DuesEntry, ADD, new)
        if changed:
            written = bulk_update_audited(
                DuesEntry,
                changed,
                ["paid", "paid_on", "method"],
                scope_paths=[e.organization.path for e in changed],
            )
            write.expect(DuesEntry, CHANGE, written)
        write.advance(len(new) + len(changed))


def too_far_ahead(month):
    return _(
        "%(month)s is too far ahead: dues are paid ahead at most to the end of the year they are paid in."
    ) % {"month": shown_month(month)}


def overpaid(amount, entry):
    if entry.due == 0:
        return _(
            "Nothing is due for %(month)s (exempt or reduced to nothing): a payment beyond the dues is a "
            "voluntary payment; record it as one."
        ) % {"month": shown_month(entry.month)}
    return _(
        "%(amount)s yuan is more than the %(due)s yuan due for %(month)s: record the due here, and the rest as "
        "a voluntary payment."
    ) % {"amount": amount, "due": entry.due, "month": shown_month(entry.month)}


# Reliefs ---------------------------------------------------------------------------------------------
class ReliefService(BatchSave, MemberPlaced, ModelService):
    model = DuesRelief
    fields = (
        "membership",
        "exempt",
        "monthly",
        "from_month",
        "until_month",
        "reason",
        "approved_by",
        "approved_on",
    )
    references = {"membership": PICK}

    def prepare(self, plan, today):
        problems = []
        members = member_values(plan, problems)
        book = DueBook(members)
        for index, item in enumerate(plan.items):
            values, member = item.values, item.values["membership"]
            start = month_value(item, "from_month", index, problems)
            end = month_value(item, "until_month", index, problems)
            if start and end and end < start:
                problems.append(
                    Problem(_("A relief ends in or after the month it begins."), index, "until_month")
                )
            if before_admission(member, start):
                problems.append(admitted_problem(member, index, "from_month"))
            values["exempt"] = bool(values.get("exempt"))
            if values["exempt"]:
                values["monthly"] = ZERO
            else:
                self.reduced(values, member, start, book, index, problems)
            for name in ("reason", "approved_by"):
                values[name] = (values.get(name) or "").strip()
                if not values[name]:
                    problems.append(Problem(required(), index, name))
            approved = values.get("approved_on")
            if approved is None:
                problems.append(Problem(required(), index, "approved_on"))
            elif approved > today:
                problems.append(Problem(_("The date approved is in the future."), index, "approved_on"))
        self.check_overlaps(plan, book, problems)
        return problems

    @staticmethod
    def reduced(values, member, start, book, index, problems):
        amount, reason = read_amount(values.get("monthly"))
        if reason:
            problems.append(Problem(reason, index, "monthly"))
        elif not amount:
            problems.append(
                Problem(_("Give the reduced monthly amount, or mark the member exempt."), index, "monthly")
            )
        else:
            base = book.base_on(member.pk, start) if member is not None and start else None
            if base is not None and amount >= base.monthly:
                problems.append(
                    Problem(
                        _("A reduction is less than the member's dues of %(amount)s yuan a month.")
                        % {"amount": base.monthly},
                        index,
                        "monthly",
                    )
                )
        values["monthly"] = amount or ZERO

    @staticmethod
    def check_overlaps(plan, book, problems):
        spans = defaultdict(list)  # membership -> [(from, until, relief pk)]
        for mid, reliefs in book.reliefs.items():
            spans[mid] += [(r.from_month, r.until_month, r.pk) for r in reliefs]
        for index, item in enumerate(plan.items):
            values, member = item.values, item.values["membership"]
            start, end = values.get("from_month"), values.get("until_month")
            if member is None or not start or not end or end < start:
                continue
            own = item.instance.pk if item.instance is not None else None
            clash = next((s for s in spans[member.pk] if s[2] != own and s[0] <= end and start <= s[1]), None)
            if clash:
                problems.append(
                    Problem(
                        _(
                            "Another relief of this member covers %(start)s to %(end)s: reliefs do not overlap."
                        )
                        % {"start": shown_month(clash[0]), "end": shown_month(clash[1])},
                        index,
                        "from_month",
                    )
                )
                continue
            spans[member.pk].append((start, end, own or -index - 1))

    def apply(self, plan, write):
        super().apply(plan, write)
        reprice([i.obj.membership for i in plan.items if i.is_new or i.changed], write)


# Voluntary payments ----------------------------------------------------------------------------------
class VoluntaryService(BatchSave, ModelService):
    model = VoluntaryPayment
    fields = ("membership", "amount", "paid_on", "note")
    references = {"membership": PICK}

    def place_message(self, item):
        return _("This member lies outside your scope.")

    def prepare(self, plan, today):
        problems = []
        member_values(plan, problems)
        for index, item in enumerate(plan.items):
            values, member = item.values, item.values["membership"]
            amount, reason = read_amount(values.get("amount"))
            if reason or not amount:
                problems.append(Problem(reason or _("A voluntary payment is more than 0."), index, "amount"))
            values["amount"] = amount
            paid_on = values.get("paid_on")
            if paid_on is None:
                problems.append(Problem(required(), index, "paid_on"))
            elif paid_on > today:
                problems.append(Problem(_("The date paid is in the future."), index, "paid_on"))
            elif member is not None and paid_on < member.admitted_on:
                problems.append(
                    Problem(
                        _("%(name)s was admitted on %(date)s: dues are not paid before.")
                        % {"name": member.person.name, "date": member.admitted_on.isoformat()},
                        index,
                        "paid_on",
                    )
                )
            values["note"] = (values.get("note") or "").strip()
        return problems

    def derive(self, plan, item, index):
        obj = item.obj
        if obj.membership_id:
            obj.organization = obj.membership.organization
        if obj.amount and obj.paid_on:
            # DUES.VOLUNTARY: a one-off voluntary payment of 1,000 yuan or more goes to the Centre in full.
            obj.passed_up = obj.amount >= param("dues.voluntary_pass_up_yuan", on=obj.paid_on)


def record_passed_up(payments, day, *, by, today=None):
    """Record that voluntary payments to be passed up were passed up to the Centre on ``day``."""
    today = today or timezone.localdate()
    pks = sorted({p.pk for p in payments})
    with writing(by) as write:
        found = {}
        for chunk in chunked(pks):
            found.update(
                (p.pk, p)
                for p in VoluntaryPayment.objects.filter(pk__in=chunk).select_related(
                    "membership__person", "organization"
                )
            )
        remember(list(found.values()))
        allowed = write.allowed(VoluntaryPayment, CHANGE, list(found))
        problems = []
        for index, pk in enumerate(pks):
            payment = found.get(pk)
            if payment is None or pk not in allowed:
                problems.append(Problem(outside_scope(), index, None, True))
                continue
            if not payment.passed_up:
                problems.append(
                    Problem(
                        _(
                            "%(amount)s yuan stays with the organization: only a one-off payment of %(limit)s yuan "
                            "or more is passed up to the Centre."
                        )
                        % {
                            "amount": payment.amount,
                            "limit": param("dues.voluntary_pass_up_yuan", on=payment.paid_on),
                        },
                        index,
                    )
                )
            elif payment.passed_up_on:
                problems.append(
                    Problem(
                        _("This payment was passed up on %(date)s already.")
                        % {"date": payment.passed_up_on.isoformat()},
                        index,
                    )
                )
            if day is None:
                problems.append(Problem(required(), index, "passed_up_on"))
            elif day > today:
                problems.append(Problem(_("The date is in the future."), index, "passed_up_on"))
            elif day < payment.paid_on:
                problems.append(
                    Problem(
                        _("It was paid on %(date)s: it is passed up after.")
                        % {"date": payment.paid_on.isoformat()},
                        index,
                        "passed_up_on",
                    )
                )
        if problems:
            raise RefusedError(problems)
        objs = list(found.values())
        for payment in objs:
            payment.passed_up_on = day
        written = bulk_update_audited(
            VoluntaryPayment, objs, ["passed_up_on"], scope_paths=[p.organization.path for p in objs]
        )
        write.expect(VoluntaryPayment, CHANGE, written)
    return objs


BASES = BaseService()
PAYMENTS = PaymentService()
RELIEFS = ReliefService()
VOLUNTARY = VoluntaryService()


def record_dues_bases(items, *, by, today=None):
    """Check and write a batch of bases (``Item``s of membership, category, base, from_month, declared_on);
    the bases as recorded (``base_notes`` tells what to say of each)."""
    return BASES.save(items, by=by, today=today)


def record_payments(payments, *, by, today=None):
    """Check and write a batch of ``Payment``s; the entries paid, in order."""
    return PAYMENTS.save(payments, by=by, today=today)


def record_reliefs(items, *, by, today=None):
    """Check and write a batch of reliefs; the unpaid months they cover are due again at their amount."""
    return RELIEFS.save(items, by=by, today=today)


def record_voluntary(items, *, by, today=None):
    """Check and write a batch of voluntary payments (membership, amount, paid_on, note)."""
    return VOLUNTARY.save(items, by=by, today=today)


# Reads -----------------------------------------------------------------------------------------------
OWED = Case(
    When(due__gt=F("paid"), then=F("due") - F("paid")),
    default=Value(ZERO),
    output_field=DecimalField(max_digits=12, decimal_places=2),
)


def entries_of(memberships):
    """Querysets of the entries of ``memberships``: a queryset of memberships (one query, as a subquery), or
    records or pks (one query per 5,000)."""
    if isinstance(memberships, QuerySet):
        return [DuesEntry.objects.filter(membership_id__in=memberships.values("pk"))]
    pks = sorted({getattr(m, "pk", m) for m in memberships})
    return [DuesEntry.objects.filter(membership_id__in=chunk) for chunk in chunked(pks)]


@dataclass
class Arrears:
    """A member's months owed (up to the current month) and the amount owed for them."""

    months: list = field(default_factory=list)
    amount: Decimal = ZERO

    @property
    def count(self):
        return len(self.months)


def arrears(memberships, today=None):
    """{membership pk: Arrears} of the members that owe dues for months up to ``today``'s (the months paid
    ahead are not owed yet); the others are not in it."""
    month = month_of(today or timezone.localdate())
    found = {}
    for entries in entries_of(memberships):
        rows = (
            entries.filter(month__lte=month, due__gt=F("paid"))
            .order_by("membership_id", "month")
            .values_list("membership_id", "month", "due", "paid")
        )
        for pk, when, due, paid in rows:
            owed = found.setdefault(pk, Arrears())
            owed.months.append(when)
            owed.amount += due - paid
    return found


def unpaid_months(memberships, today=None):
    """{membership pk: [the months owed, oldest first]} (up to ``today``'s month)."""
    return {pk: owed.months for pk, owed in arrears(memberships, today).items()}


def last_paid_month(memberships, today=None):
    """{membership pk: the latest month up to ``today``'s whose dues are settled (paid in full, or nothing due:
    exempt), or None} for every membership with an entry in the ledger."""
    month = month_of(today or timezone.localdate())
    found = {}
    for entries in entries_of(memberships):
        rows = (
            entries.filter(month__lte=month)
            .order_by()
            .values_list("membership_id")
            .annotate(last=Max("month", filter=Q(paid__gte=F("due"))))
        )
        found.update(rows)
    return found


def consecutive_unpaid_months(memberships, today=None):
    """{membership pk: how many months of the ledger in a row, up to ``today``'s, are owed since the last one
    settled} (DUES.LAPSE counts them: six without good reason); members owing nothing are not in it."""
    owed = arrears(memberships, today)
    last = last_paid_month(list(owed), today)
    found = {}
    for pk, debt in owed.items():
        settled = last.get(pk)
        count = sum(1 for m in debt.months if settled is None or m > settled)
        if count:
            found[pk] = count
    return found


def good_standing(memberships, month):
    """The memberships of ``memberships`` (a queryset) current and in good standing, admitted by ``month``'s end."""
    return memberships.current().filter(status__in=IN_GOOD_STANDING, admitted_on__lte=month_end(month))


def has_dues(month):
    """The Q of a membership with a base in force in ``month`` or a relief covering it."""
    base = DuesBase.objects.filter(membership=OuterRef("pk"), from_month__lte=month)
    relief = DuesRelief.objects.filter(
        membership=OuterRef("pk"), from_month__lte=month, until_month__gte=month
    )
    return Q(Exists(base)) | Q(Exists(relief))


def members_without_base(memberships, month):
    """The members in good standing of ``memberships`` (a queryset) with neither a base in force in ``month``
    nor a relief covering it: they get no entry when the month is opened."""
    return good_standing(memberships, month).exclude(has_dues(month))


def members_not_opened(memberships, month):
    """The members in good standing of ``memberships`` who would be due in ``month`` but have no entry of it
    (in any ledger): the month is not opened for them."""
    entry = DuesEntry.objects.filter(membership=OuterRef("pk"), month=month)
    return good_standing(memberships, month).filter(has_dues(month)).exclude(Exists(entry))


@dataclass
class Totals:
    """The dues of a year of one organization's subtree (or of the organization's own ledger)."""

    organization: object
    own: bool = False  # the organization's own ledger (its members directly), not a subtree below it
    members: int = 0
    due: Decimal = ZERO
    paid: Decimal = ZERO
    owed: Decimal = ZERO
    voluntary: Decimal = ZERO
    passed_up: Decimal = ZERO

    @property
    def rate(self):
        """The share of the due paid, in percent (None when nothing is due)."""
        return None if not self.due else (min(self.paid, self.due) * 100 / self.due).quantize(Decimal("0.1"))


def year_totals(user, org, year):
    """(the rows, the sum of all): the year's due, paid, owed, voluntary and passed up per organization just
    below ``org`` (each its subtree) and ``org``'s own ledger, within ``user``'s scope. Three queries: the
    entries grouped, the voluntary payments grouped, the organizations named."""
    cut = len(org.path) + org.steplen
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    entries = (
        DuesEntry.objects.visible_to(user)
        .in_subtree(org.path)
        .filter(month__gte=first, month__lte=last)
        .order_by()
        .annotate(top=Substr("organization__path", 1, cut))
        .values("top")
        .annotate(
            due_sum=Sum("due"),
            paid_sum=Sum("paid"),
            owed_sum=Sum(OWED),
            members=Count("membership_id", distinct=True),
        )
    )
    voluntary = (
        VoluntaryPayment.objects.visible_to(user)
        .in_subtree(org.path)
        .filter(paid_on__gte=first, paid_on__lte=last)
        .order_by()
        .annotate(top=Substr("organization__path", 1, cut))
        .values("top")
        .annotate(given=Sum("amount"), up=Sum("amount", filter=Q(passed_up=True)))
    )
    rows = {}
    for row in entries:
        rows[row["top"]] = Totals(
            None, members=row["members"], due=row["due_sum"], paid=row["paid_sum"], owed=row["owed_sum"]
        )
    for row in voluntary:
        totals = rows.setdefault(row["top"], Totals(None))
        totals.voluntary, totals.passed_up = row["given"] or ZERO, row["up"] or ZERO
    named = {o.path: o for o in PartyOrganization.objects.filter(path__in=list(rows))}
    found = []
    for path, totals in rows.items():
        totals.organization = named.get(path, org)
        totals.own = path == org.path
        found.append(totals)
    found.sort(key=lambda t: (not t.own, t.organization.path))
    whole = Totals(org)
    for t in found:
        whole.members += t.members
        for name in ("due", "paid", "owed", "voluntary", "passed_up"):
            setattr(whole, name, getattr(whole, name) + getattr(t, name))
    return found, whole
