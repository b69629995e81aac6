"""Changes of a membership's state, floating members and the lapse alerts, batch-first.

``record_status_changes(items, *, by)`` records collective decisions on a membership's state (失联, 停止党籍,
恢复, 自行脱党, 除名, 退党, 去世): ``StatusChange`` rows (``from_status`` filled here) and the membership's
``status``/``status_since``; an ending state (``people.choices.ENDING_STATUSES``) ends the membership on the
day of the change and the person's political status follows (``people.services.PEOPLE.follow``). Each item is
checked before anything is written, every problem located on its item and field:

* the move is one ``rules.STATUS_MOVES`` lists (a condition of validity, refused with no override): a
  removed, expelled, withdrawn or deceased member stays so (they may apply again, STATUS.SUSPEND); a member
  is restored only from suspended or out of contact; 开除党籍 is a disciplinary measure (``records.py``);
  the floating state comes and goes with a floating record (``record_floating``, ``return_floating``);
* the date is not in the future nor before the previous change or the admission; the reason is given;
* where the rules require the branch general meeting and a higher organization's approval
  (``Approval.BRANCH_AND_HIGHER``), the resolution and its date and the approving body and its date are
  required, the approval not before the resolution, the change not before the resolution;
* the membership lies in the writer's scope (``CHANGE`` through the roles that may record a change), and
  the write path re-checks it before committing. Within a batch the changes of one membership are judged
  one after the other, in date order.

Who records: the school's secretary (and the district and city administrators) records the decision once
the higher organization's approval has come, with the approving body and the date of its document: the
approval is a document of an organization that is often outside the system (the school's committee, the
district bureau's), not a move of an account here, so ``StatusChange.role_actions`` is kept as it is.

``record_floating`` / ``return_floating``: a floating member (流动党员) away at a place, with where they take
part in organizational life; the state becomes floating from the day away (a ``StatusChange`` written with
it) and active again on the return. A second open record and a day away in the future are refused. Away
``transfer.away_months`` months or more (REL.WHEN), the record says that a transfer should be considered —
flagged on the lists and the alerts page, never refused.

``alert_rows(memberships, today)`` / ``findings(membership, today)``: the lapse alerts (LIFE.LAPSE, DUES.LAPSE,
STATUS.SUSPEND), read in one query whatever the number of members (correlated subqueries on the attendance
and dues indexes). The software proposes, people decide (domain-rules §3.1):

* months without organizational life: since the latest meeting the member attended, or was excused from
  with a reason (an absence with good reason is no lapse: 党章第九条 "没有正当理由"), else since the admission
  or the latest change of state; counted only where the member's organization lists its attendance (a
  meeting with its list within the alert's months: one that records meetings by their counts tells nothing
  of anyone, as in ``activities/todo.py``); a floating member who takes part in organizational life
  elsewhere (their record says where) is not counted here;
* months without dues: since the oldest month of the ledger (``DuesEntry``) whose due is not paid in full;
* "n months" is counted back from today: ``day ≤ today − n months``; the alert from ``lapse.alert_months``
  (3), the lapse reached at ``lapse.months`` (6): the branch talks with the member first, then may decide
  自行脱党 (removal by the branch general meeting, approved above);
* out of contact ``status.suspend_after_lost_months`` (6) since the change → suspension proposed; suspended
  ``status.remove_after_suspended_months`` (24) → removal as having left on their own proposed; floating
  ``transfer.away_months`` (6) → a transfer should be considered.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.activities.models import Attendance, AttendanceStatus, Meeting
from redengine.core.audit import bulk_create_audited, bulk_update_audited, remember
from redengine.core.dates import add_months
from redengine.core.services import CHANGE, ModelService, Plan
from redengine.core.writes import Problem, RefusedError, chunked, outside_scope, writing
from redengine.people.choices import ENDING_STATUSES, IN_GOOD_STANDING, MembershipStatus
from redengine.people.models import Membership
from redengine.people.services import PEOPLE

from ..models import DuesEntry, FloatingRecord, StatusChange
from ..rules import STATUS_MOVES, Approval, TransferReason, param

S = MembershipStatus
FLOATING, DISCIPLINE = "floating", "discipline"  # the writers of a move that a bare change may not make
MEMBERSHIP_FIELDS = ["status", "status_since", "ended_on", "observation_from", "observation_until"]
TEXT_FIELDS = ("reason", "resolution", "approved_by", "document")


def required():
    return _("This field is required.")


def label(status):
    return str(S(status).label) if status in S.values else status


def not_allowed(status, to):
    """Why a membership in ``status`` cannot be moved to ``to`` (a pair ``STATUS_MOVES`` does not list)."""
    if status in ENDING_STATUSES:
        return _(
            "This member is %(status)s: a membership that has ended stays so; they may apply to join the "
            "Party again (党员教育管理工作条例第二十四条)."
        ) % {"status": label(status)}
    if to == S.ACTIVE:
        return _(
            "A member is restored to full standing only from suspended or out of contact, or back from "
            "floating (党员教育管理工作条例第二十四条): this member is %(status)s."
        ) % {"status": label(status)}
    allowed = [label(t) for (f, t) in STATUS_MOVES if f == status and t != S.FLOATING]
    return _(
        "A member %(status)s cannot be made %(to)s: from %(status)s the rules allow only %(allowed)s "
        "(党章第九条；党员教育管理工作条例第二十四条)."
    ) % {"status": label(status), "to": label(to), "allowed": "、".join(allowed)}


# The memberships of a batch and their state --------------------------------------------------------------
class States:
    """The memberships a batch names, as recorded (locked for the write), and their state as the batch moves
    them, one change after the other: ``check`` a move, ``commit`` it, then ``write`` everything at once."""

    def __init__(self, pks, *, lock=True):
        pks = sorted({pk for pk in pks if pk})
        self.memberships = {}
        last = {}
        for chunk in chunked(pks):
            query = Membership.objects.filter(pk__in=chunk).select_related("person", "organization")
            if lock and connection.in_atomic_block:  # (a check alone, outside a write, locks nothing)
                query = query.select_for_update(of=("self",))
            self.memberships.update((m.pk, m) for m in query)
            last.update(
                StatusChange.objects.filter(membership_id__in=chunk)
                .order_by()
                .values_list("membership_id")
                .annotate(day=Max("date"))
            )
        remember(list(self.memberships.values()))
        self.state = {}  # pk -> (status, the day of the latest change or the admission, day ended)
        for pk, m in self.memberships.items():
            days = [d for d in (m.admitted_on, m.status_since, last.get(pk)) if d is not None]
            self.state[pk] = (m.status, max(days), m.ended_on)
        self.changes = []  # StatusChange rows planned
        self.touched = set()  # memberships the batch changes
        self.moved = set()  # memberships whose state the batch changes
        self.left_floating = {}  # membership pk -> the day it stopped floating otherwise than by a return

    def get(self, pk):
        return self.memberships.get(pk)

    def status(self, pk):
        return self.state[pk][0]

    def check(self, pk, to, day, index, *, via=None, field="date", today=None):
        """The problems of moving membership ``pk`` to ``to`` on ``day`` (located on item ``index``); none: it
        may be committed."""
        today = today or timezone.localdate()
        status, last, ended = self.state[pk]
        say = lambda message, where=field: [Problem(message, index, where)]  # noqa: E731
        if to not in S.values:
            return say(_("There is no such state: %(value)s.") % {"value": to}, "to_status")
        if ended is not None:
            if status in ENDING_STATUSES:
                return say(not_allowed(status, to), "to_status")
            return say(
                _("This membership ended on %(date)s: its state no longer changes here.")
                % {"date": ended.isoformat()},
                "membership",
            )
        if to == S.EXPELLED and via != DISCIPLINE:
            return say(
                _(
                    "Expulsion from the Party (开除党籍) is a disciplinary measure (党章第四十条): record it as "
                    "party discipline, which ends the membership."
                ),
                "to_status",
            )
        if {status, to} == {S.ACTIVE, S.FLOATING} and via != FLOATING:
            return say(
                _(
                    "A floating member is recorded with a floating record (where they are, where they take "
                    "part in organizational life), and their return on it."
                ),
                "to_status",
            )
        if to == status:
            return say(_("The membership is %(status)s already.") % {"status": label(status)}, "to_status")
        if (status, to) not in STATUS_MOVES and not (via == DISCIPLINE and to == S.EXPELLED):
            return say(not_allowed(status, to), "to_status")
        if day is None:
            return say(required())
        if day > today:
            return say(_("A decision is recorded once taken: the date is in the future."))
        if day < last:
            return say(
                _(
                    "The membership's state last changed (or the member was admitted) on %(date)s: a change "
                    "cannot be dated before it."
                )
                % {"date": last.isoformat()}
            )
        return []

    def commit(self, pk, to, day, change, *, via=None):
        """Record the move checked: ``change`` (an unsaved ``StatusChange``) gets its from-state."""
        status, _last, _ended = self.state[pk]
        change.membership = self.memberships[pk]
        change.from_status = status
        change.to_status = to
        change.date = day
        self.changes.append(change)
        self.touched.add(pk)
        self.moved.add(pk)
        if status == S.FLOATING and via != FLOATING:
            self.left_floating[pk] = day
        self.state[pk] = (to, day, day if to in ENDING_STATUSES else None)

    def touch(self, pk):
        """The batch changes membership ``pk`` otherwise (its 留党察看): written with the others."""
        self.touched.add(pk)

    def write(self, write):
        """The changes planned, the memberships' new state (an ending state ends it), the floating records
        closed, and the political status of the people whose membership ended."""
        if self.changes:
            bulk_create_audited(
                StatusChange, self.changes, scope_paths=[c.membership.organization.path for c in self.changes]
            )
        memberships = [self.memberships[pk] for pk in sorted(self.touched)]
        for m in memberships:
            status, since, ended = self.state[m.pk]
            if m.pk in self.moved:
                m.status, m.status_since = status, since
            if ended is not None:
                m.ended_on = ended
        if memberships:
            bulk_update_audited(
                Membership,
                memberships,
                MEMBERSHIP_FIELDS,
                scope_paths=[m.organization.path for m in memberships],
            )
        self.close_floating()
        ended = [m.person_id for m in memberships if m.ended_on is not None]
        if ended:
            PEOPLE.follow(ended, write)
        write.expect(StatusChange, "add", self.changes)
        write.expect(Membership, CHANGE, memberships)

    def close_floating(self):
        """A floating member who becomes out of contact, leaves or dies stops floating: the open record ends
        (``returned_on``) on the day of that change."""
        if not self.left_floating:
            return
        records = remember(
            list(
                FloatingRecord.objects.filter(
                    membership_id__in=sorted(self.left_floating), returned_on__isnull=True
                ).select_related("membership__organization")
            )
        )
        for record in records:
            record.returned_on = self.left_floating[record.membership_id]
        bulk_update_audited(
            FloatingRecord,
            records,
            ["returned_on"],
            scope_paths=[r.membership.organization.path for r in records],
        )


def bind_memberships(plan, states):
    """Each item's membership as recorded now (the state is judged on it, not on the caller's copy)."""
    for item in plan.items:
        found = states.get(item.obj.membership_id)
        if found is not None:
            item.obj.membership = found


def blocked_items(plan):
    """Items whose membership is missing or outside the scope: nothing more is said of them."""
    return {p.item for p in plan.problems if p.missing or p.field == "membership"}


# Changes of state ---------------------------------------------------------------------------------------
class StatusChangeService(ModelService):
    model = StatusChange
    fields = (
        "membership",
        "to_status",
        "date",
        "reason",
        "resolution",
        "resolution_on",
        "approved_by",
        "approved_on",
        "document",
    )
    references = {"membership": CHANGE}
    deletable = False

    def check(self, items, scope, today=None):
        today = today or timezone.localdate()
        plan = Plan(list(items))
        self.build(plan)
        states = plan.extra["states"] = States([i.obj.membership_id for i in plan.items])
        bind_memberships(plan, states)
        for index, item in enumerate(plan.items):
            if not item.is_new:
                message = _("A recorded change of state is not changed: record the change that followed it.")
                plan.problems.append(Problem(message, index))
        self.validate(plan)
        self.check_scope(plan, scope)
        blocked = blocked_items(plan)
        order = sorted(
            (i for i in range(len(plan.items)) if i not in blocked and plan.items[i].is_new),
            key=lambda i: (plan.items[i].obj.date or datetime.date.max, i),
        )
        for index in order:
            plan.problems += self.check_change(plan.items[index].obj, index, states, today)
        plan.problems.sort(key=lambda p: (p.item is None, p.item or 0))
        return plan

    def check_change(self, change, index, states, today):
        for name in TEXT_FIELDS:
            setattr(change, name, (getattr(change, name) or "").strip())
        problems = [] if change.reason else [Problem(required(), index, "reason")]
        moved = states.check(change.membership_id, change.to_status, change.date, index, today=today)
        if moved:
            return problems + moved
        rule, source = STATUS_MOVES[(states.status(change.membership_id), change.to_status)]
        problems += approval_problems(change, rule, source, index, today)
        if not problems:
            states.commit(change.membership_id, change.to_status, change.date, change)
        return problems

    def apply(self, plan, write):
        plan.extra["states"].write(write)
        self.expect(plan, write)


def approval_problems(change, rule, source, index, today):
    """The resolution and the approval a change needs (``Approval``), and the order of their dates."""
    found = []

    def say(message, where):
        found.append(Problem(message, index, where))

    if rule == Approval.BRANCH_AND_HIGHER:
        if not change.resolution:
            say(
                _("The branch general meeting decides this change (%(source)s): name its resolution.")
                % {"source": source},
                "resolution",
            )
        if change.resolution_on is None:
            say(_("Give the date of the branch general meeting's resolution."), "resolution_on")
        if not change.approved_by:
            say(
                _("A higher organization approves this change (%(source)s): name the approving body.")
                % {"source": source},
                "approved_by",
            )
        if change.approved_on is None:
            say(_("Give the date of the higher organization's approval."), "approved_on")
    for name in ("resolution_on", "approved_on"):
        day = getattr(change, name)
        if day is not None and day > today:
            say(_("This date is in the future: record the decision once taken."), name)
    resolved, approved = change.resolution_on, change.approved_on
    if resolved and approved and approved < resolved:
        say(
            _("The approval cannot come before the resolution it approves (%(date)s).")
            % {"date": resolved.isoformat()},
            "approved_on",
        )
    if resolved and change.date and change.date < resolved:
        say(
            _("The change takes effect once decided: its date cannot be before the resolution (%(date)s).")
            % {"date": resolved.isoformat()},
            "date",
        )
    return found


STATUS_CHANGES = StatusChangeService()


def record_status_changes(items, *, by):
    """Check and write a batch of changes of state (``Item``s of ``StatusChange`` values); the rows written.
    ``RefusedError`` with every problem, nothing written."""
    return STATUS_CHANGES.save(items, by=by)


# Floating members ---------------------------------------------------------------------------------------
def transfer_from(record):
    """The day from which a transfer should be considered: ``transfer.away_months`` after the day away."""
    return add_months(record.left_on, param("transfer.away_months", on=record.left_on))


def transfer_advised(record, today=None):
    """Whether a floating member has been away long enough that a transfer should be considered (REL.WHEN):
    the record is open and ``transfer.away_months`` have passed. A flag, never a refusal."""
    today = today or timezone.localdate()
    return record.returned_on is None and record.left_on is not None and transfer_from(record) <= today


class FloatingService(ModelService):
    model = FloatingRecord
    fields = ("membership", "place", "reason", "left_on", "takes_part_in", "note")
    references = {"membership": CHANGE}
    FIXED = {"membership", "left_on"}

    def check(self, items, scope, today=None):
        today = today or timezone.localdate()
        plan = Plan(list(items))
        self.build(plan)
        states = plan.extra["states"] = States([i.obj.membership_id for i in plan.items])
        bind_memberships(plan, states)
        self.validate(plan)
        self.check_scope(plan, scope)
        blocked = blocked_items(plan)
        open_records = self.open_records(plan)
        for index, item in enumerate(plan.items):
            if index not in blocked and (item.is_new or item.changed):
                plan.problems += self.check_record(item, index, states, open_records, today)
        plan.problems.sort(key=lambda p: (p.item is None, p.item or 0))
        return plan

    @staticmethod
    def open_records(plan):
        """{membership pk: the open record} of the memberships the batch's new records name."""
        pks = sorted({i.obj.membership_id for i in plan.items if i.is_new and i.obj.membership_id})
        found = {}
        for chunk in chunked(pks):
            for record in FloatingRecord.objects.filter(membership_id__in=chunk, returned_on__isnull=True):
                found[record.membership_id] = record
        return found

    def check_record(self, item, index, states, open_records, today):
        record = item.obj
        for name in ("place", "takes_part_in", "note"):
            setattr(record, name, (getattr(record, name) or "").strip())
        found = [Problem(required(), index, name) for name in ("place",) if not record.place]
        if record.reason not in TransferReason.values:
            found.append(Problem(_("Choose the reason they are away."), index, "reason"))
        if not item.is_new:
            if self.FIXED & set(item.changed):
                found.append(
                    Problem(
                        _(
                            "The member and the day away are those of the change of state recorded with the "
                            "record: they are not changed (record the return, then a new record)."
                        ),
                        index,
                        "left_on",
                    )
                )
            return found
        pk = record.membership_id
        if pk in open_records:
            other = open_records[pk]
            found.append(
                Problem(
                    _(
                        "This member is recorded floating already (since %(date)s, at %(place)s): record their "
                        "return first."
                    )
                    % {"date": other.left_on.isoformat(), "place": other.place},
                    index,
                    "membership",
                )
            )
            return found
        if record.left_on is None:
            return [*found, Problem(required(), index, "left_on")]
        if record.left_on > today:
            return [
                *found,
                Problem(_("The day away is in the future: record it once they have left."), index, "left_on"),
            ]
        moved = states.check(
            pk, S.FLOATING, record.left_on, index, via=FLOATING, field="left_on", today=today
        )
        if moved:
            return found + [
                Problem(p.message, index, p.field if p.field != "to_status" else "membership") for p in moved
            ]
        if not found:
            reason = TransferReason(record.reason).label
            text = _("Away at %(place)s (%(reason)s): a floating member.") % {
                "place": record.place,
                "reason": reason,
            }
            states.commit(pk, S.FLOATING, record.left_on, StatusChange(reason=text), via=FLOATING)
        return found

    def places(self, objs):
        return [
            ("membership", None) for _obj in objs
        ]  # where its membership lies: re-checked by the write path

    def scope_paths(self, objs):
        return [o.membership.organization.path for o in objs]

    def apply(self, plan, write):
        super().apply(plan, write)
        plan.extra["states"].write(write)


FLOATING_RECORDS = FloatingService()


def record_floating(items, *, by):
    """Record floating members (new ``FloatingRecord`` items: the state becomes floating from the day away)
    or change a record's place, reason, where they take part and note."""
    return FLOATING_RECORDS.save(items, by=by)


@dataclass
class Return:
    """A floating member's return: the record, the day, a note (kept with the change of state)."""

    record: FloatingRecord
    date: datetime.date | None
    note: str = ""


def return_floating(returns, *, by, today=None):
    """Record the return of floating members: each record ends on its day and the state is active again.
    ``RefusedError`` with the problems, nothing written."""
    returns = list(returns)
    today = today or timezone.localdate()
    with writing(by) as write:
        pks = sorted({r.record.pk for r in returns if r.record is not None and r.record.pk})
        records = {}
        for chunk in chunked(pks):
            records.update(
                (r.pk, r) for r in FloatingRecord.objects.filter(pk__in=chunk).select_related("membership")
            )
        remember(list(records.values()))
        allowed = write.allowed(FloatingRecord, CHANGE, list(records))
        states = States([r.membership_id for r in records.values()])
        problems, written = [], []
        for index, given in enumerate(returns):
            record = records.get(getattr(given.record, "pk", None))
            if record is None or record.pk not in allowed:
                problems.append(Problem(outside_scope(), index, None, True))
                continue
            found = return_problems(record, given, index, states, today)
            if found:
                problems += found
                continue
            note = (given.note or "").strip()
            text = _("Back from %(place)s.") % {"place": record.place}
            change = StatusChange(reason=f"{text} {note}".strip())
            states.commit(record.membership_id, S.ACTIVE, given.date, change, via=FLOATING)
            record.returned_on = given.date
            written.append(record)
        if problems:
            raise RefusedError(problems)
        for record in written:
            record.membership = states.get(record.membership_id)
        bulk_update_audited(
            FloatingRecord,
            written,
            ["returned_on"],
            scope_paths=[r.membership.organization.path for r in written],
        )
        states.write(write)
        write.expect(FloatingRecord, CHANGE, written)
    for given, record in zip(returns, written, strict=True):
        given.record.returned_on = record.returned_on
    return written


def return_problems(record, given, index, states, today):
    if record.returned_on is not None:
        return [
            Problem(
                _("This member came back on %(date)s already.") % {"date": record.returned_on.isoformat()},
                index,
                "date",
            )
        ]
    if given.date is None:
        return [Problem(required(), index, "date")]
    if given.date > today:
        return [Problem(_("The day back is in the future: record it once they are back."), index, "date")]
    if given.date < record.left_on:
        return [
            Problem(
                _("They left on %(date)s: the day back cannot be before it.")
                % {"date": record.left_on.isoformat()},
                index,
                "date",
            )
        ]
    return states.check(record.membership_id, S.ACTIVE, given.date, index, via=FLOATING, today=today)


# Lapse alerts -------------------------------------------------------------------------------------------
LIFE, DUES, SUSPEND, REMOVE, TRANSFER = "life", "dues", "suspend", "remove", "transfer"
KINDS = (LIFE, DUES, SUSPEND, REMOVE, TRANSFER)


@dataclass(frozen=True)
class Finding:
    """One thing to act on about a member: what (``kind``), since when, for how many months, whether the
    rule's limit is reached, what the software proposes, and the state a decision would record."""

    kind: str
    since: datetime.date
    months: int
    reached: bool
    text: str
    proposal: str
    to_status: str = ""
    reason: str = ""  # the reason a decision form is prefilled with


def months_since(day, today):
    """Whole months from ``day`` to ``today``, counted back from today: the largest n with day ≤ today − n
    months (the calendar of ``core.dates.add_months``)."""
    if day is None or day > today:
        return 0
    n = (today.year - day.year) * 12 + today.month - day.month
    while n > 0 and add_months(today, -n) < day:
        n -= 1
    return n


def thresholds(today):
    return {
        "alert": param("lapse.alert_months", on=today),
        "lapse": param("lapse.months", on=today),
        "suspend": param("status.suspend_after_lost_months", on=today),
        "remove": param("status.remove_after_suspended_months", on=today),
        "away": param("transfer.away_months", on=today),
    }


def annotated(memberships, today):
    """``memberships`` (current ones) with what the alerts read, in the same query: the latest meeting
    attended or excused from with a reason, the oldest month of dues not paid in full, and the open
    floating record (day, place, where they take part)."""
    took_part = Q(status=AttendanceStatus.PRESENT) | (Q(status=AttendanceStatus.LEAVE) & ~Q(reason=""))
    attended = (
        Attendance.objects.filter(person=OuterRef("person_id"), guest=False, date__lte=today)
        .filter(took_part)
        .order_by("-date")
        .values("date")[:1]
    )
    unpaid = (
        DuesEntry.objects.filter(membership=OuterRef("pk"), month__lte=today, due__gt=F("paid"))
        .order_by("month")
        .values("month")[:1]
    )
    floating = FloatingRecord.objects.filter(membership=OuterRef("pk"), returned_on__isnull=True).order_by(
        "-left_on"
    )
    # Only an organization that lists its attendance (a listed meeting within the alert's months) tells that
    # a member took no part: one that records its meetings by their counts tells nothing of anyone.
    cutoff = add_months(today, -param("lapse.alert_months", on=today))
    listing = Meeting.objects.filter(
        organization=OuterRef("organization_id"), from_list=True, date__gte=cutoff, date__lte=today
    )
    return memberships.filter(ended_on__isnull=True).annotate(
        life_listed=Exists(listing),
        last_life=Subquery(attended),
        first_unpaid=Subquery(unpaid),
        floating_since=Subquery(floating.values("left_on")[:1]),
        floating_place=Subquery(floating.values("place")[:1]),
        floating_takes_part=Subquery(floating.values("takes_part_in")[:1]),
        state_since=Coalesce("status_since", "admitted_on"),
    )


def conditions(today):
    """{kind: Q} of the annotated memberships with a finding of that kind at ``today``."""
    t = thresholds(today)
    cutoff = add_months(today, -t["alert"])
    quiet = (
        Q(admitted_on__lte=cutoff)
        & (Q(status_since__isnull=True) | Q(status_since__lte=cutoff))
        & (Q(last_life__isnull=True) | Q(last_life__lte=cutoff))
    )
    elsewhere = Q(floating_takes_part__isnull=False) & ~Q(floating_takes_part="")
    return {
        LIFE: quiet & Q(life_listed=True) & (Q(status=S.ACTIVE) | (Q(status=S.FLOATING) & ~elsewhere)),
        DUES: Q(status__in=IN_GOOD_STANDING, first_unpaid__lte=cutoff),
        SUSPEND: Q(status=S.OUT_OF_CONTACT, state_since__lte=add_months(today, -t["suspend"])),
        REMOVE: Q(status=S.SUSPENDED, state_since__lte=add_months(today, -t["remove"])),
        TRANSFER: Q(status=S.FLOATING, floating_since__lte=add_months(today, -t["away"])),
    }


def alert_rows(memberships, today=None, kinds=KINDS):
    """The current memberships of ``memberships`` (a queryset in the user's scope) with at least one finding
    of ``kinds`` at ``today``, annotated for ``findings``: one query, whatever the number of members."""
    today = today or timezone.localdate()
    wanted = conditions(today)
    test = Q()
    for kind in kinds:
        test |= wanted[kind]
    return annotated(memberships, today).filter(test)


def findings(m, today=None, kinds=KINDS):
    """The findings of an annotated membership (``alert_rows``), in Python: no query."""
    today = today or timezone.localdate()
    t = thresholds(today)
    found = []
    if (
        LIFE in kinds
        and m.life_listed
        and m.status in IN_GOOD_STANDING
        and not (m.status == S.FLOATING and m.floating_takes_part)
    ):
        base = max(d for d in (m.admitted_on, m.status_since, m.last_life) if d is not None)
        months = months_since(base, today)
        if months >= t["alert"]:
            found.append(life_finding(m, base, months, t, today))
    if DUES in kinds and m.status in IN_GOOD_STANDING and m.first_unpaid is not None:
        months = months_since(m.first_unpaid, today)
        if months >= t["alert"]:
            found.append(dues_finding(m.first_unpaid, months, t))
    since = m.status_since or m.admitted_on
    months = months_since(since, today)
    if SUSPEND in kinds and m.status == S.OUT_OF_CONTACT and months >= t["suspend"]:
        found.append(
            Finding(
                SUSPEND,
                since,
                months,
                True,
                _("Out of contact since %(date)s (%(months)s months).")
                % {"date": since.isoformat(), "months": months},
                _(
                    "Out of contact %(limit)s months and not found: suspension of membership (停止党籍) is "
                    "proposed, decided by the branch and approved above (党员教育管理工作条例第二十四条)."
                )
                % {"limit": t["suspend"]},
                S.SUSPENDED,
                _("Out of contact for %(months)s months and not found.") % {"months": months},
            )
        )
    if REMOVE in kinds and m.status == S.SUSPENDED and months >= t["remove"]:
        found.append(
            Finding(
                REMOVE,
                since,
                months,
                True,
                _("Membership suspended since %(date)s (%(months)s months).")
                % {"date": since.isoformat(), "months": months},
                _(
                    "Suspended %(limit)s months and still out of contact: removal as having left the Party on "
                    "their own (自行脱党) is proposed, by the branch general meeting with the approval of the "
                    "higher organization (党员教育管理工作条例第二十四条)."
                )
                % {"limit": t["remove"]},
                S.LEFT,
                _("Suspended for %(months)s months and still out of contact.") % {"months": months},
            )
        )
    if TRANSFER in kinds and m.status == S.FLOATING and m.floating_since is not None:
        away = months_since(m.floating_since, today)
        if away >= t["away"]:
            found.append(
                Finding(
                    TRANSFER,
                    m.floating_since,
                    away,
                    True,
                    _("Away at %(place)s since %(date)s (%(months)s months).")
                    % {"place": m.floating_place, "date": m.floating_since.isoformat(), "months": away},
                    _(
                        "Away %(limit)s months or more at a relatively fixed place: a transfer of the organization "
                        "relationship should be considered (党员教育管理工作条例第二十五条)."
                    )
                    % {"limit": t["away"]},
                )
            )
    return found


def life_finding(m, base, months, t, today):
    if m.last_life is not None and m.last_life >= base:
        text = _("No organizational life for %(months)s months (last meeting: %(date)s).")
    else:
        text = _("No organizational life for %(months)s months (none attended since %(date)s).")
    text = text % {"months": months, "date": base.isoformat()}
    reached = months >= t["lapse"]
    return Finding(
        LIFE,
        base,
        months,
        reached,
        text,
        lapse_proposal(reached, t),
        S.LEFT if reached else "",
        _("No organizational life for %(months)s consecutive months without good reason (党章第九条).")
        % {"months": months},
    )


def dues_finding(first_unpaid, months, t):
    reached = months >= t["lapse"]
    return Finding(
        DUES,
        first_unpaid,
        months,
        reached,
        _("Dues unpaid since %(month)s (%(months)s months).")
        % {"month": f"{first_unpaid:%Y-%m}", "months": months},
        lapse_proposal(reached, t),
        S.LEFT if reached else "",
        _("No dues paid for %(months)s consecutive months without good reason (党章第九条).")
        % {"months": months},
    )


def lapse_proposal(reached, t):
    if not reached:
        return _(
            "Talk with the member and help them (教育提醒) before the %(limit)s months of 党章第九条 are reached."
        ) % {"limit": t["lapse"]}
    return _(
        "%(limit)s months (党章第九条): after a talk, if there is no good reason, the branch general meeting may "
        "decide that the member has left the Party on their own (自行脱党) and remove them, with the approval "
        "of the higher organization."
    ) % {"limit": t["lapse"]}


def alerts(memberships, today=None, kinds=KINDS):
    """[(membership, [Finding])] of ``memberships`` at ``today``: ``alert_rows`` read once, ``findings`` of each."""
    today = today or timezone.localdate()
    rows = alert_rows(memberships, today, kinds).select_related("person", "organization")
    return [
        (m, findings(m, today, kinds)) for m in rows.order_by("organization__path", "person__name_key", "pk")
    ]


def alert_counts(memberships, today=None):
    """{kind: number of members with a finding of that kind} of ``memberships`` at ``today``: one query."""
    today = today or timezone.localdate()
    wanted = conditions(today)
    return annotated(memberships, today).aggregate(
        **{kind: Count("pk", filter=q) for kind, q in wanted.items()}
    )


def decision_url(m, finding):
    """The form that records the decision a finding proposes, prefilled (the people decide)."""
    query = {"membership": m.pk, "to_status": finding.to_status, "reason": finding.reason}
    return reverse("membership:statuschange_add") + "?" + urlencode({k: v for k, v in query.items() if v})


__all__ = [
    "FLOATING_RECORDS",
    "STATUS_CHANGES",
    "Finding",
    "Return",
    "States",
    "alert_counts",
    "alert_rows",
    "alerts",
    "findings",
    "record_floating",
    "record_status_changes",
    "return_floating",
    "transfer_advised",
]
