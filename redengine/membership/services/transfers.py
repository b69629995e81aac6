"""Transfers of the organization relationship (组织关系转接), batch-first; the forms, the API, the action views
and the people's writes (a change of school) call these, and one record is a batch of one:

* ``start_transfers(starts, *, by)``: within the system, a member (their current membership) or a person
  with an open development case, from their organization to another of the tree (and a new school, for a
  rotation 交流轮岗). Started by the sending side it waits for the receiving side (``SENT``); started by the
  receiving side it waits for the sending side's release (``REQUESTED``).
* ``move_transfers(steps, *, by)``: send, request, accept (the receiving side may name a branch under the
  receiving organization), reject and cancel with a reason, and the return slip of a letter received.
* ``issue_letters(letters, *, by)`` (out of the system: an introduction letter, 组织关系介绍信, with its number
  and validity), ``reissue_letters`` (cancelled and issued again) and ``receive_letters(letters, *, by)`` (into
  the system: the letter received, the membership recorded through ``people``' ``MembershipService``).
* a change of school through the people's service proposes the transfer (``propose_for_school_changes``,
  registered with ``people.services.on_school_change``), never moves the membership itself.

Each batch is checked before anything is written, every problem located on its item and field, in Chinese:
a person with neither a current membership nor an open case has nothing to transfer; a member whose
membership is not in good standing (suspended, out of contact) is not transferred; a transfer goes to
another organization, one that holds members (not a working committee, not a temporary branch) and covers
the school the person will be at (the person's records lie where their school lies); a person has one
transfer waiting at a time; a date is neither in the future nor before the transfer's previous move; a
refusal or a cancellation gives its reason (organizations may not refuse without cause, REL.WHO). A move
is made by the side it belongs to (the sending side: the sending organization's scope; the receiving side:
the receiving organization's), with the move's action; a transfer decided more than
``transfer.accept_days`` days after it started is recorded and flagged late, never refused (domain-rules
§0.1, kind 3).

Until it is accepted the membership stays with the sending organization (REL.WHO). On acceptance, inside the
same write, the same ``people.Membership`` row takes the receiving organization (a second row would count the
member twice: the metrics count memberships by their date of admission), the person takes the new school,
and an open development case moves along with its approving committee worked out again (DEV.APPROVER). The
receiving secretary's scope does not hold the old place: those rows are written here with the audited
helpers after these checks, and the write path re-checks that the new places lie in the writer's scope. A
release (the sending side's ``send`` of a request) completes a transfer that the receiving side asked for
within its own scope: there the write path re-checks the sending side's.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.audit import bulk_create_audited, bulk_update_audited, remember
from redengine.core.dates import add_months
from redengine.core.scoping import prefix_q, user_prefixes
from redengine.core.services import Item
from redengine.core.writes import Problem, RefusedError, chunked, outside_scope, writing
from redengine.development.models import DERIVED_FIELDS, CaseStatus, CloseReason, DevelopmentCase
from redengine.development.services.stories import admission_problem
from redengine.orgs.choices import OrgType
from redengine.orgs.models import PartyOrganization, School, admission_approvers
from redengine.orgs.services import school_places
from redengine.people.choices import IN_GOOD_STANDING, MembershipStatus
from redengine.people.models import Membership, Person
from redengine.people.services import MEMBERSHIPS, PEOPLE, current_memberships, on_school_change

from .. import rules
from ..models import MOVE_LABELS, PROPOSE, Transfer, TransferMove
from ..rules import (
    ACCEPT,
    CANCEL,
    ISSUE,
    PENDING,
    RECEIPT,
    REJECT,
    REQUEST,
    SEND,
    TRANSFER_TRANSITIONS,
    TransferKind,
    TransferReason,
    TransferStatus,
)

S = TransferStatus
SENDING, RECEIVING, EITHER = "sending", "receiving", "either"
# A person has one transfer open at a time: one waiting (PENDING), or a letter issued and not yet back.
OPEN = PENDING | {S.ISSUED}
# A membership is not placed in these (REL.MUST_BELONG: a member belongs to a branch, a general branch or a
# committee): a working committee is a dispatched body (domain-rules §0.2), a temporary branch does not hold
# members' relationships (it does not admit them either: ``development`` admission_problem).
NOT_HOLDING = (OrgType.WORKING_COMMITTEE, OrgType.TEMPORARY_BRANCH)
COMPLETING = frozenset({ACCEPT, SEND})  # an acceptance, or the release of a request (SEND from REQUESTED)
DECIDING = frozenset({ACCEPT, REJECT, SEND})  # the moves the time limit counts to
NEEDS_REASON = frozenset({REJECT, CANCEL})
LETTER_PREFIX = "转字〔{year}〕"
LETTER_NUMBER = "转字〔{year}〕{serial:04d}号"


def required():
    return _("This field is required.")


def move_label(move):
    return str(MOVE_LABELS.get(move, move))


# Sides -----------------------------------------------------------------------------------------------
def side_of(transfer, move, status=None):
    """The side that makes ``move`` on ``transfer`` in ``status`` (its own by default): ``SENDING``,
    ``RECEIVING`` or, for dismissing a proposal, ``EITHER``."""
    status = status or transfer.status
    if move in (SEND, ISSUE, RECEIPT):
        return SENDING
    if move in (REQUEST, ACCEPT):
        return RECEIVING
    if move == REJECT:  # by the side awaited
        return RECEIVING if status == S.SENT else SENDING
    if move == CANCEL:  # by the side that started it; a proposal by either
        return EITHER if status == S.PROPOSED else transfer.started_by
    return SENDING


def side_paths(transfer, side, receiving=None):
    """The paths of the organizations of ``side`` (the receiving one may be named by the step)."""
    receiving = receiving or transfer.to_organization
    sending_path = [transfer.from_organization.path] if transfer.from_organization_id else []
    receiving_path = [receiving.path] if receiving is not None else []
    if side == SENDING:
        return sending_path
    if side == RECEIVING:
        return receiving_path
    return sending_path + receiving_path


def may_move(scope, transfer, move, status=None, receiving=None):
    """Whether ``scope`` (a ``core.writes.Scope``) holds the side of ``move`` with the move's action."""
    paths = side_paths(transfer, side_of(transfer, move, status), receiving)
    return any(scope.path_allowed(Transfer, move, path) for path in paths)


NOTHING = Q(pk__in=[])


def movable_q(user, move):
    """A ``Q`` of the transfers on which ``user`` may make ``move`` from their side (``Q()``: all of them)."""
    if getattr(user, "is_system", False):
        return Q()
    prefixes = user_prefixes(user, Transfer, move)
    if not prefixes:
        return NOTHING
    if "" in prefixes:
        return Q()
    sending = prefix_q("from_organization__path", prefixes)
    receiving = prefix_q("to_organization__path", prefixes)
    if move in (SEND, ISSUE, RECEIPT):
        return sending
    if move in (REQUEST, ACCEPT):
        return receiving
    if move == REJECT:
        return (Q(status=S.SENT) & receiving) | (~Q(status=S.SENT) & sending)
    if move == CANCEL:
        return (
            (Q(status=S.PROPOSED) & (sending | receiving))
            | (Q(started_by=SENDING) & ~Q(status=S.PROPOSED) & sending)
            | (Q(started_by=RECEIVING) & ~Q(status=S.PROPOSED) & receiving)
        )
    return NOTHING


def movable(queryset, user, move):
    """The transfers of ``queryset`` on which ``user`` may make ``move`` from their side (a page or a route of
    the move answers 404 for the others, as for a record that does not exist): one filter, no query."""
    return queryset.filter(movable_q(user, move))


def waiting_for(queryset, user):
    """The pending transfers of ``queryset`` that wait for ``user``'s side: sent, waiting for the receiving
    side's acceptance; requested, waiting for the sending side's release; proposed, for either side. (One
    filter: the querysets are not OR-combined, whose joins of the two organizations could be mixed up.)"""
    return queryset.filter(
        (Q(status=S.SENT) & movable_q(user, ACCEPT))
        | (Q(status=S.REQUESTED) & movable_q(user, SEND))
        | (Q(status=S.PROPOSED) & movable_q(user, CANCEL))
    )


def overdue(queryset, today):
    """The transfers of ``queryset`` sent or requested more than ``transfer.accept_days`` days before
    ``today`` and not decided yet (on both sides' to-do lists)."""
    cutoff = today - datetime.timedelta(days=rules.param("transfer.accept_days", on=today))
    return queryset.filter(status__in=[S.SENT, S.REQUESTED], started_on__lt=cutoff)


def expired_q(today):
    """Letters issued out of the system, past their validity, whose return slip has not come back."""
    return Q(kind=TransferKind.OUT, status=S.ISSUED, letter_valid_until__lt=today)


def expiring_q(today, days=15):
    """Letters issued out of the system whose validity ends within ``days`` days (or has ended)."""
    return Q(
        kind=TransferKind.OUT, status=S.ISSUED, letter_valid_until__lte=today + datetime.timedelta(days=days)
    )


def letters_expired(queryset, today):
    return queryset.filter(expired_q(today))


def letters_expiring(queryset, today, days=15):
    """Letters past their validity or whose validity ends within ``days`` days."""
    return queryset.filter(expiring_q(today, days))


def is_late(started_on, day):
    """Whether a decision on ``day`` comes after the time limit counted from ``started_on``."""
    limit = rules.param("transfer.accept_days", on=started_on)
    return started_on is not None and day is not None and (day - started_on).days > limit


# What a person has to transfer ---------------------------------------------------------------------------
@dataclass
class Holding:
    """A person's organization relationship: the current membership, the open development case, and the
    organization they are in (the membership's, else the case's)."""

    membership: Membership | None
    case: DevelopmentCase | None

    @property
    def organization(self):
        if self.membership is not None:
            return self.membership.organization
        return self.case.organization if self.case is not None else None


def holdings(people):
    """{person pk: Holding} of recorded people: two queries per 5,000 people."""
    memberships = current_memberships(people)
    cases = {}
    for chunk in chunked(sorted(p.pk for p in people if p.pk)):
        for case in DevelopmentCase.objects.open().filter(person_id__in=chunk).select_related("organization"):
            cases[case.person_id] = case
    return {p.pk: Holding(memberships.get(p.pk), cases.get(p.pk)) for p in people if p.pk}


def open_transfers(people, exclude=()):
    """{person pk: the status of the person's open transfer} (one waiting, or a letter not yet back)."""
    found = {}
    for chunk in chunked(sorted({p.pk for p in people if p.pk})):
        rows = (
            Transfer.objects.filter(person_id__in=chunk, status__in=OPEN)
            .exclude(pk__in=list(exclude))
            .values_list("person_id", "status")
        )
        found.update(rows)
    return found


def places_of(schools):
    """{school pk: the paths of the organizations the school lies at today (``orgs`` SchoolPlace)}."""
    schools = list({s.pk: s for s in schools if s is not None}.values())
    found = school_places(schools)
    return {s.pk: set(found.get(id(s)) or ()) for s in schools}


def standing_problem(person, membership):
    """Why a member in this state is not transferred, or None (STATUS.SUSPEND; domain-rules §3.3)."""
    if membership is None or membership.status in IN_GOOD_STANDING:
        return None
    return _(
        "%(name)s's membership is %(status)s: a member is transferred only in good standing (a suspended "
        "member, or one out of contact, is not). The branch restores the membership first."
    ) % {"name": person.name, "status": MembershipStatus(membership.status).label}


def nothing_to_transfer(person):
    return _(
        "%(name)s has neither a current party membership nor an open development case: there is no "
        "organization relationship to transfer."
    ) % {"name": person.name}


def open_problem(person, status):
    if status == S.ISSUED:
        return _(
            "An introduction letter of %(name)s is out and its return slip has not come back: cancel it first."
        ) % {"name": person.name}
    return _(
        "%(name)s already has a transfer waiting (%(status)s): a person has one transfer at a time. Decide "
        "or cancel that one first."
    ) % {"name": person.name, "status": TransferStatus(status).label}


def holding_problem(org):
    if org.org_type in NOT_HOLDING:
        return _(
            "%(org)s is a %(type)s, which holds no member's organization relationship: name the branch, "
            "general branch or committee that receives the member."
        ) % {"org": org.name, "type": org.get_org_type_display()}
    return None


def date_problems(day, index, field, today, after=None, after_label=None):
    if day is None:
        return [Problem(required(), index, field)]
    if day > today:
        return [Problem(_("The date is in the future."), index, field)]
    if after is not None and day < after:
        message = _("The transfer's previous move was on %(date)s: this one cannot be before it.")
        if after_label:
            message = after_label
        return [Problem(message % {"date": after.isoformat()}, index, field)]
    return []


def lock_people(people):
    """One writer at a time on a person's transfers (the check that none is waiting holds until commit)."""
    pks = sorted({p.pk for p in people if p is not None and p.pk})
    for chunk in chunked(pks):
        list(Person.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))


# Starting within the system --------------------------------------------------------------------------------
@dataclass
class Start:
    """A transfer within the system: who, to which organization (and new school), from what day, why.
    ``side``: "sending" or "receiving"; left None, the sending side when the writer's scope holds the
    person's organization, else the receiving side (a request)."""

    person: Person | None
    to_organization: PartyOrganization | None
    started_on: datetime.date | None
    reason: str = TransferReason.JOB
    to_school: School | None = None
    note: str = ""
    side: str | None = None


def receiving_problems(person, holding, receiving, to_school, places, index, field="to_organization"):
    """The receiving organization holds members, is another than the person's, and covers (or has under
    it an organization that covers) the school the person will be at."""
    current = holding.organization
    if current is not None and receiving.pk == current.pk:
        message = _("%(name)s is already in %(org)s: a transfer goes to another organization.")
        return [Problem(message % {"name": person.name, "org": receiving.name}, index, field)]
    problem = holding_problem(receiving)
    if problem:
        return [Problem(problem, index, field)]
    school = to_school or person.school
    if not any(path.startswith(receiving.path) for path in places.get(school.pk, ())):
        message = _(
            "Neither %(org)s nor an organization under it covers %(school)s, the school %(name)s will be at: "
            "name the new school the person moves to, or an organization of that school."
        ) % {"org": receiving.name, "school": school.name, "name": person.name}
        return [Problem(message, index, "to_school" if to_school else field)]
    return []


def check_starts(starts, scope, today):
    people = [s.person for s in starts if s.person is not None]
    held = holdings(people)
    waiting = open_transfers(people)
    places = places_of([s.to_school or s.person.school for s in starts if s.person is not None])
    visible = scope.allowed(Person, "view", people)
    problems, seen, sides = [], set(), []
    for index, start in enumerate(starts):
        sides.append(None)
        person = start.person
        if person is None:
            problems.append(Problem(required(), index, "person"))
            continue
        holding = held.get(person.pk) or Holding(None, None)
        sending = holding.organization
        may_send = sending is not None and scope.path_allowed(Transfer, SEND, sending.path)
        side = start.side or (SENDING if may_send else RECEIVING)
        if side not in (SENDING, RECEIVING):
            raise ValueError(f"a transfer is started by the sending or the receiving side, not {side!r}")
        sides[index] = side
        receiving = start.to_organization
        if side == SENDING and not may_send and not (sending is None and person.pk in visible):
            problems.append(Problem(outside_scope(), index, None, True))
            continue
        if side == RECEIVING and person.pk not in visible:
            problems.append(Problem(outside_scope(), index, None, True))
            continue
        if sending is None:
            problems.append(Problem(nothing_to_transfer(person), index, "person"))
            continue
        problem = standing_problem(person, holding.membership)
        if problem:
            problems.append(Problem(problem, index, "person"))
            continue
        if person.pk in waiting or person.pk in seen:
            problems.append(Problem(open_problem(person, waiting.get(person.pk, S.SENT)), index, "person"))
            continue
        seen.add(person.pk)
        if receiving is None:
            problems.append(Problem(required(), index, "to_organization"))
            continue
        if side == RECEIVING and not scope.path_allowed(Transfer, REQUEST, receiving.path):
            message = _("You may request a transfer only to an organization of your scope.")
            problems.append(Problem(message, index, "to_organization"))
            continue
        found = receiving_problems(person, holding, receiving, start.to_school, places, index)
        if start.reason not in TransferReason.values:
            found.append(Problem(required(), index, "reason"))
        found += date_problems(start.started_on, index, "started_on", today)
        problems += found
    return held, sides, problems


def start_transfers(starts, *, by):
    """Check and write a batch of ``Start``s; the transfers (``SENT`` or ``REQUESTED``) with their first
    move, in order."""
    starts = list(starts)
    today = timezone.localdate()
    with writing(by) as write:
        lock_people([s.person for s in starts])
        held, sides, problems = check_starts(starts, write, today)
        if problems:
            raise RefusedError(problems)
        transfers, moves = [], []
        for start, side in zip(starts, sides, strict=True):
            holding = held[start.person.pk]
            transfer = Transfer(
                kind=TransferKind.WITHIN,
                status=S.SENT if side == SENDING else S.REQUESTED,
                reason=start.reason,
                note=(start.note or "").strip(),
                person=start.person,
                membership=holding.membership,
                from_organization=holding.organization,
                to_organization=start.to_organization,
                to_school=start.to_school,
                started_by=side,
                started_on=start.started_on,
            )
            transfers.append(transfer)
            moves.append(
                TransferMove(
                    transfer=transfer,
                    move=SEND if side == SENDING else REQUEST,
                    date=start.started_on,
                    by=write.user,
                    note=transfer.note,
                )
            )
        write_new(transfers, moves)
        write.expect(Transfer, "add", transfers)
    return transfers


def write_new(transfers, moves):
    bulk_create_audited(Transfer, transfers, scope_paths=[t.audit_scope_path() for t in transfers])
    bulk_create_audited(TransferMove, moves, scope_paths=[m.transfer.audit_scope_path() for m in moves])


# Moves ----------------------------------------------------------------------------------------------------
@dataclass
class Step:
    """One move of a transfer: what, on what day, the note (the reason of a refusal or a cancellation) and,
    for an acceptance, the organization under the receiving one that takes the member (a branch), or for
    starting a proposal, the receiving organization."""

    transfer: Transfer
    move: str
    date: datetime.date | None = None
    note: str = ""
    organization: PartyOrganization | None = None


def wrong_state(status, move):
    if move == ACCEPT and status == S.REQUESTED:
        return _(
            "The receiving side asked for this transfer: it is completed when the sending side releases the "
            "member (send), not accepted again."
        )
    if move == RECEIPT:
        return _("Only an introduction letter issued and not yet back has its return slip recorded.")
    return _("This transfer is %(status)s: %(move)s is not a move it can take now.") % {
        "status": TransferStatus(status).label,
        "move": move_label(move),
    }


def not_your_side(transfer, move, status):
    side = side_of(transfer, move, status)
    if side == RECEIVING:
        org = (
            transfer.to_organization.name if transfer.to_organization_id else _("the receiving organization")
        )
        return _("Only the receiving side (%(org)s) may do this move (%(move)s) on this transfer.") % {
            "org": org,
            "move": move_label(move),
        }
    org = transfer.from_organization.name if transfer.from_organization_id else _("the sending organization")
    return _("Only the sending side (%(org)s) may do this move (%(move)s) on this transfer.") % {
        "org": org,
        "move": move_label(move),
    }


class MoveService:
    """The moves, checked on the transfers as they are recorded and, within a batch, one after the other;
    written with the transfers' new state, one ``TransferMove`` each, and what a completed transfer moves."""

    def load(self, steps):
        pks = sorted({s.transfer.pk for s in steps if s.transfer is not None and s.transfer.pk})
        found = {}
        for chunk in chunked(pks):
            rows = Transfer.objects.filter(pk__in=chunk).select_related(
                "from_organization", "to_organization", "to_school", "person__school", "membership"
            )
            found.update((t.pk, t) for t in rows)
        last = {}
        for chunk in chunked(pks):
            rows = TransferMove.objects.filter(transfer_id__in=chunk).order_by().values_list("transfer_id")
            last.update(rows.annotate(last=Max("date")))
        for pk, transfer in found.items():
            transfer.last_move_on = last.get(pk) or transfer.started_on
        remember(list(found.values()))
        return found

    def check(self, steps, scope, today):
        transfers = self.load(steps)
        visible = scope.allowed(Transfer, "view", list(transfers))
        people = [t.person for t in transfers.values()]
        held = holdings(people)
        waiting = open_transfers(people, exclude=transfers)
        schools = [t.to_school or t.person.school for t in transfers.values()]
        places = places_of(schools)
        state = {pk: (t.status, t.last_move_on) for pk, t in transfers.items()}
        problems = []
        for index, step in enumerate(steps):
            transfer = transfers.get(getattr(step.transfer, "pk", None))
            if transfer is None or transfer.pk not in visible:
                problems.append(Problem(outside_scope(), index, None, True))
                continue
            problems += self.check_step(index, step, transfer, state, scope, today, held, waiting, places)
        return transfers, held, problems

    def check_step(self, index, step, transfer, state, scope, today, held, waiting, places):
        status, last = state[transfer.pk]
        if step.move not in TRANSFER_TRANSITIONS:
            return [Problem(_("There is no such move."), index, "move")]
        starts, leads_to, _side = TRANSFER_TRANSITIONS[step.move]
        if status not in starts:
            return [Problem(wrong_state(status, step.move), index, "move")]
        naming = step.move in (SEND, REQUEST) and status == S.PROPOSED
        receiving = step.organization if naming and step.organization is not None else None
        if naming and (receiving or transfer.to_organization) is None:
            message = _(
                "No organization covers the new school: name the organization that receives the member."
            )
            return [Problem(message, index, "organization")]
        if not may_move(scope, transfer, step.move, status, receiving):
            if step.move == REQUEST and receiving is not None:
                message = _("You may request a transfer only to an organization of your scope.")
                return [Problem(message, index, "organization")]
            return [Problem(not_your_side(transfer, step.move, status), index, "move")]
        problems = date_problems(step.date, index, "date", today, last)
        if step.move in NEEDS_REASON and not (step.note or "").strip():
            message = (
                _(
                    "Give the reason of the refusal: an organization may not refuse a member's transfer without cause."
                )
                if step.move == REJECT
                else _("Give the reason of the cancellation.")
            )
            problems.append(Problem(message, index, "note"))
        if problems:
            return problems
        person = transfer.person
        holding = held.get(person.pk) or Holding(None, None)
        if naming:
            problems += self.check_naming(index, step, transfer, holding, waiting, places)
        completing = step.move == ACCEPT or (step.move == SEND and status == S.REQUESTED)
        if completing:
            problems += self.check_completing(index, step, transfer, holding, scope, places)
        if step.move == RECEIPT and transfer.kind == TransferKind.OUT:
            problems += self.check_receipt(index, step, transfer, holding)
        if not problems:
            new_status = S.ACCEPTED if step.move == SEND and status == S.REQUESTED else leads_to
            state[transfer.pk] = (new_status, step.date)
        return problems

    def check_naming(self, index, step, transfer, holding, waiting, places):
        """A proposal started: the person still holds a relationship in good standing, has no other transfer
        open, and the receiving organization (the proposal's, or the one the step names) can take them."""
        person = transfer.person
        if holding.organization is None:
            return [Problem(nothing_to_transfer(person), index, "move")]
        problem = standing_problem(person, holding.membership)
        if problem:
            return [Problem(problem, index, "move")]
        if person.pk in waiting:
            return [Problem(open_problem(person, waiting[person.pk]), index, "move")]
        receiving = step.organization or transfer.to_organization
        if receiving is None:
            message = _(
                "No organization covers the new school: name the organization that receives the member."
            )
            return [Problem(message, index, "organization")]
        return receiving_problems(
            person, holding, receiving, transfer.to_school, places, index, "organization"
        )

    def check_completing(self, index, step, transfer, holding, scope, places):
        """An acceptance (or a release): the member is still in good standing where the transfer started, and
        the organization that takes them (a branch under the receiving one, if named) can hold them, covers
        their school, and, with an open development case, admits members (the case opens in a branch)."""
        person = transfer.person
        field = "organization"
        if holding.organization is None:
            return [Problem(nothing_to_transfer(person), index, "move")]
        problem = standing_problem(person, holding.membership)
        if problem:
            return [Problem(problem, index, "move")]
        if holding.organization.pk != transfer.from_organization_id:
            message = _(
                "%(name)s is no longer in %(org)s, where this transfer started: cancel it and start another."
            ) % {"name": person.name, "org": transfer.from_organization.name}
            return [Problem(message, index, "move")]
        receiving = transfer.to_organization
        final = step.organization if step.move == ACCEPT and step.organization is not None else receiving
        if not final.path.startswith(receiving.path):
            message = _("%(org)s is not under %(receiving)s: the member is received there or under it.") % {
                "org": final.name,
                "receiving": receiving.name,
            }
            return [Problem(message, index, field)]
        if step.move == ACCEPT and not scope.path_allowed(Transfer, ACCEPT, final.path):
            return [Problem(_("No such record in your scope."), index, field)]
        problems = receiving_problems(person, holding, final, transfer.to_school, places, index, field)
        if not problems and holding.case is not None:
            problem = admission_problem(final)
            if problem:
                message = _(
                    "%(name)s has an open development case, which moves with the transfer: %(why)s Name the "
                    "branch under %(org)s that receives them."
                ) % {"name": person.name, "why": problem, "org": receiving.name}
                problems.append(Problem(message, index, field))
        return problems

    def check_receipt(self, index, step, transfer, holding):
        """The return slip of a letter out: the membership it was issued for is still current (it ends on the
        day the slip is received); an open development case is closed as transferred that day."""
        membership = holding.membership
        if membership is None or membership.pk != transfer.membership_id:
            message = _("The membership this letter was issued for is no longer current.")
            return [Problem(message, index, "move")]
        case = holding.case
        if case is not None and case.last_step_on and step.date < case.last_step_on:
            message = _(
                "The open development case has a step on %(date)s: the return slip is received on or after it."
            ) % {"date": case.last_step_on.isoformat()}
            return [Problem(message, index, "date")]
        return []

    def save(self, steps, *, by):
        steps = list(steps)
        today = timezone.localdate()
        with writing(by) as write:
            pks = [s.transfer.pk for s in steps if s.transfer is not None and s.transfer.pk]
            if pks:  # one writer at a time on a transfer, and on its person's relationship
                list(Transfer.objects.select_for_update().filter(pk__in=pks).values_list("pk"))
                lock_people([s.transfer.person for s in steps if s.transfer is not None])
            transfers, held, problems = self.check(steps, write, today)
            if problems:
                raise RefusedError(problems)
            moves = self.apply(steps, transfers, held, write)
        return moves

    def apply(self, steps, transfers, held, write):
        moves, completed, receipts, changed = [], [], [], {}
        for step in steps:
            transfer = transfers[step.transfer.pk]
            status = transfer.status
            late = (
                step.move in DECIDING
                and status in (S.SENT, S.REQUESTED)
                and is_late(transfer.started_on, step.date)
            )
            moves.append(
                TransferMove(
                    transfer=transfer,
                    move=step.move,
                    date=step.date,
                    by=write.user,
                    note=(step.note or "").strip(),
                    late=late,
                )
            )
            self.advance(transfer, step, status, completed, receipts)
            changed[transfer.pk] = transfer
        if completed:  # (gives the transfers their development case, written with them below)
            complete(completed, held, write)
        objs = list(changed.values())
        bulk_update_audited(
            Transfer,
            objs,
            [
                "status",
                "to_organization",
                "started_on",
                "started_by",
                "decided_on",
                "refusal",
                "receipt_on",
                "case",
            ],
            scope_paths=[t.audit_scope_path() for t in objs],
        )
        bulk_create_audited(TransferMove, moves, scope_paths=[m.transfer.audit_scope_path() for m in moves])
        if receipts:
            end_memberships(receipts, held, write)
        for move in {s.move for s in steps}:
            write.expect(Transfer, move, [s.transfer.pk for s in steps if s.move == move])
        names = [f.attname for f in Transfer._meta.concrete_fields]
        for step in steps:  # the caller's records show the new state
            recorded = transfers[step.transfer.pk]
            if step.transfer is not recorded:
                step.transfer.__dict__.update({name: getattr(recorded, name) for name in names})
        return moves

    def advance(self, transfer, step, status, completed, receipts):
        """The transfer's new state after ``step`` (made from ``status``)."""
        _starts, leads_to, _side = TRANSFER_TRANSITIONS[step.move]
        if step.move in (SEND, REQUEST) and status == S.PROPOSED:
            if step.organization is not None:
                transfer.to_organization = step.organization
            transfer.started_on = step.date
            transfer.started_by = SENDING if step.move == SEND else RECEIVING
            transfer.status = leads_to
            return
        if step.move == ACCEPT or (step.move == SEND and status == S.REQUESTED):
            transfer.status = S.ACCEPTED
            transfer.decided_on = step.date
            final = step.organization if step.move == ACCEPT and step.organization is not None else None
            completed.append((transfer, final or transfer.to_organization, step.date))
            return
        transfer.status = leads_to
        if step.move in NEEDS_REASON:
            transfer.refusal = (step.note or "").strip()
            transfer.decided_on = step.date
        if step.move == RECEIPT:
            transfer.receipt_on = step.date
            transfer.decided_on = step.date
            receipts.append((transfer, step.date))


def complete(completed, held, write):
    """What an accepted transfer moves, in bulk: the same membership row to the organization that takes the
    member, the person to the new school, the open development case to that organization with its approving
    committee worked out again (DEV.APPROVER). The new places must lie in the writer's scope: re-checked by
    the write path (for a release, the sending side's write, the receiving side asked for them)."""
    memberships, people, cases = [], [], []
    for transfer, final, _day in completed:
        holding = held[transfer.person_id]
        if holding.membership is not None:
            membership = remember([holding.membership])[0]
            membership.organization = final
            memberships.append((transfer, membership))
        person = transfer.person
        if transfer.to_school_id and person.school_id != transfer.to_school_id:
            remember([person])
            person.school = transfer.to_school
            people.append((transfer, person))
        if holding.case is not None:
            case = remember([holding.case])[0]
            case.organization = final
            cases.append((transfer, case))
            transfer.case = case
    if memberships:
        objs = [m for _t, m in memberships]
        bulk_update_audited(
            Membership, objs, ["organization"], scope_paths=[m.organization.path for m in objs]
        )
    if people:
        objs = [p for _t, p in people]
        bulk_update_audited(Person, objs, ["school"], scope_paths=Person.audit_scope_paths(objs))
    if cases:
        objs = [c for _t, c in cases]
        approvers = admission_approvers([c.organization for c in objs])
        for case in objs:
            case.approver = approvers.get(case.organization_id)
        bulk_update_audited(
            DevelopmentCase,
            objs,
            ["organization", "approver"],
            scope_paths=[c.organization.path for c in objs],
        )
    accepted = {
        t.pk for t, _final, _day in completed if t.started_by == SENDING
    }  # the receiving side's write
    if accepted:  # the new places lie in the accepting side's scope
        write.expect(Membership, "change", [m for t, m in memberships if t.pk in accepted])
        write.expect(Person, "change", [p for t, p in people if t.pk in accepted])
        write.expect(DevelopmentCase, "change", [c for t, c in cases if t.pk in accepted])


def end_memberships(receipts, held, write):
    """A letter's return slip received: the membership ends that day (its state stays), the person's political
    status follows, an open development case is closed as transferred elsewhere."""
    memberships, cases = [], []
    for transfer, day in receipts:
        holding = held[transfer.person_id]
        membership = remember([holding.membership])[0]
        membership.ended_on = day
        memberships.append(membership)
        if holding.case is not None:
            case = remember([holding.case])[0]
            case.status, case.close_reason, case.closed_on = CaseStatus.CLOSED, CloseReason.TRANSFERRED, day
            case.next_step, case.next_earliest, case.next_rule = "", None, ""
            case.due_step, case.next_due, case.due_rule = "", None, ""
            cases.append(case)
    bulk_update_audited(
        Membership, memberships, ["ended_on"], scope_paths=[m.organization.path for m in memberships]
    )
    if cases:
        bulk_update_audited(
            DevelopmentCase, cases, DERIVED_FIELDS, scope_paths=[c.organization.path for c in cases]
        )
        write.expect(DevelopmentCase, "change", cases)
    PEOPLE.follow([m.person_id for m in memberships], write)
    write.expect(Membership, "change", memberships)


MOVES = MoveService()


def move_transfers(steps, *, by):
    """Check and write a batch of ``Step``s; the ``TransferMove`` rows, in order."""
    return MOVES.save(steps, by=by)


def move_transfer(transfer, move, *, by, date=None, note="", organization=None):
    (found,) = move_transfers([Step(transfer, move, date or timezone.localdate(), note, organization)], by=by)
    return found


# Letters out of the system ------------------------------------------------------------------------------
@dataclass
class LetterOut:
    """An introduction letter (组织关系介绍信) out of the system: the member, the receiving body (outside the
    system, by name), the day issued, the reason; the number is made when left empty (转字〔年〕NNNN号)."""

    person: Person | None
    outside_organization: str
    issued_on: datetime.date | None
    reason: str = TransferReason.JOB
    letter_number: str = ""
    note: str = ""


def next_numbers(years):
    """{year: the next serial of the letter numbers made by the system that year}: one query per year."""
    found = {}
    for year in sorted(set(years)):
        prefix = LETTER_PREFIX.format(year=year)
        numbers = Transfer.objects.filter(letter_number__startswith=prefix).values_list(
            "letter_number", flat=True
        )
        serials = [int(m.group(1)) for n in numbers if (m := re.match(re.escape(prefix) + r"(\d+)号$", n))]
        found[year] = max(serials, default=0) + 1
    return found


def numbers_taken(numbers):
    wanted = sorted({n for n in numbers if n})
    taken = set()
    for chunk in chunked(wanted):
        taken.update(Transfer.objects.filter(letter_number__in=chunk).values_list("letter_number", flat=True))
    return taken


def check_letters_out(letters, scope, today, exclude=()):
    people = [letter.person for letter in letters if letter.person is not None]
    held = holdings(people)
    waiting = open_transfers(people, exclude=exclude)
    taken = numbers_taken([(letter.letter_number or "").strip() for letter in letters])
    problems, seen, numbers = [], set(), set()
    for index, letter in enumerate(letters):
        person = letter.person
        if person is None:
            problems.append(Problem(required(), index, "person"))
            continue
        holding = held.get(person.pk) or Holding(None, None)
        membership = holding.membership
        if membership is None or not scope.path_allowed(Transfer, ISSUE, membership.organization.path):
            if membership is None and scope.allowed(Person, "view", [person]):
                message = _(
                    "%(name)s has no current party membership: an introduction letter is issued for a member."
                ) % {"name": person.name}
                problems.append(Problem(message, index, "person"))
            else:
                problems.append(Problem(outside_scope(), index, None, True))
            continue
        problem = standing_problem(person, membership)
        if problem:
            problems.append(Problem(problem, index, "person"))
            continue
        if person.pk in waiting or person.pk in seen:
            problems.append(Problem(open_problem(person, waiting.get(person.pk, S.ISSUED)), index, "person"))
            continue
        seen.add(person.pk)
        if not (letter.outside_organization or "").strip():
            problems.append(Problem(required(), index, "outside_organization"))
        number = (letter.letter_number or "").strip()
        if number and (number in taken or number in numbers):
            problems.append(Problem(_("Another letter has this number."), index, "letter_number"))
        numbers.add(number)
        if letter.reason not in TransferReason.values:
            problems.append(Problem(required(), index, "reason"))
        problems += date_problems(letter.issued_on, index, "issued_on", today)
    return held, problems


def issue_letters(letters, *, by, exclude=()):
    """Check and write a batch of ``LetterOut``s: transfers out of the system, ``ISSUED``, valid for
    ``transfer.letter_valid_months`` months from the day issued (REL.LETTER), each with its number."""
    letters = list(letters)
    today = timezone.localdate()
    with writing(by) as write:
        lock_people([letter.person for letter in letters])
        held, problems = check_letters_out(letters, write, today, exclude)
        if problems:
            raise RefusedError(problems)
        serials = next_numbers(
            letter.issued_on.year for letter in letters if not letter.letter_number.strip()
        )
        transfers, moves = [], []
        for letter in letters:
            number = letter.letter_number.strip()
            if not number:
                year = letter.issued_on.year
                number = LETTER_NUMBER.format(year=year, serial=serials[year])
                serials[year] += 1
            membership = held[letter.person.pk].membership
            months = rules.param("transfer.letter_valid_months", on=letter.issued_on)
            transfer = Transfer(
                kind=TransferKind.OUT,
                status=S.ISSUED,
                reason=letter.reason,
                note=(letter.note or "").strip(),
                person=letter.person,
                membership=membership,
                from_organization=membership.organization,
                outside_organization=letter.outside_organization.strip(),
                started_by=SENDING,
                started_on=letter.issued_on,
                letter_number=number,
                letter_valid_until=add_months(letter.issued_on, months),
            )
            transfers.append(transfer)
            moves.append(
                TransferMove(transfer=transfer, move=ISSUE, date=letter.issued_on, by=write.user, note=number)
            )
        write_new(transfers, moves)
        write.expect(Transfer, ISSUE, transfers)
    return transfers


def reissue_letters(transfers, issued_on, *, by, note=""):
    """Cancel each letter (issued, not back: usually past its validity) and issue a new one for the same
    member and receiving body, in one write; the new transfers."""
    transfers = list(transfers)
    with writing(by):
        reason = note or _("Issued again")
        move_transfers([Step(t, CANCEL, issued_on, reason) for t in transfers], by=by)
        letters = [
            LetterOut(t.person, t.outside_organization, issued_on, t.reason, "", t.note) for t in transfers
        ]
        return issue_letters(letters, by=by)


# Letters into the system -----------------------------------------------------------------------------------
@dataclass
class LetterIn:
    """An introduction letter received from outside the system: the person (registered at their school), the
    organization that receives them, the sending body, the letter's number, the day received, and the
    membership it gives (入党日期, 转正日期)."""

    person: Person | None
    to_organization: PartyOrganization | None
    outside_organization: str
    received_on: datetime.date | None
    admitted_on: datetime.date | None
    full_on: datetime.date | None = None
    letter_number: str = ""
    reason: str = TransferReason.JOB
    note: str = ""


def check_letters_in(letters, scope, today):
    people = [letter.person for letter in letters if letter.person is not None]
    held = holdings(people)
    waiting = open_transfers(people)
    places = places_of([letter.person.school for letter in letters if letter.person is not None])
    visible = scope.allowed(Person, "change", people)
    taken = numbers_taken([(letter.letter_number or "").strip() for letter in letters])
    problems, seen, numbers = [], set(), set()
    for index, letter in enumerate(letters):
        person, receiving = letter.person, letter.to_organization
        if person is None:
            problems.append(Problem(required(), index, "person"))
            continue
        if person.pk not in visible:
            problems.append(Problem(outside_scope(), index, None, True))
            continue
        holding = held.get(person.pk) or Holding(None, None)
        if holding.membership is not None:
            message = _(
                "%(name)s already has a current membership (in %(org)s): a letter from outside the system is "
                "recorded for a person without one."
            ) % {"name": person.name, "org": holding.membership.organization.name}
            problems.append(Problem(message, index, "person"))
            continue
        if person.pk in waiting or person.pk in seen:
            problems.append(Problem(open_problem(person, waiting.get(person.pk, S.SENT)), index, "person"))
            continue
        seen.add(person.pk)
        if receiving is None:
            problems.append(Problem(required(), index, "to_organization"))
        elif not scope.path_allowed(Transfer, ACCEPT, receiving.path):
            problems.append(Problem(_("No such record in your scope."), index, "to_organization"))
        else:
            problems += receiving_problems(person, Holding(None, None), receiving, None, places, index)
        if not (letter.outside_organization or "").strip():
            problems.append(Problem(required(), index, "outside_organization"))
        number = (letter.letter_number or "").strip()
        if not number:
            problems.append(Problem(required(), index, "letter_number"))
        elif number in taken or number in numbers:
            problems.append(Problem(_("Another letter has this number."), index, "letter_number"))
        numbers.add(number)
        problems += date_problems(letter.received_on, index, "received_on", today)
        if letter.admitted_on is None:
            problems.append(Problem(required(), index, "admitted_on"))
        elif letter.received_on and letter.admitted_on > letter.received_on:
            message = _("The member was admitted before the letter transferring them came: check the dates.")
            problems.append(Problem(message, index, "admitted_on"))
    return problems


def receive_letters(letters, *, by):
    """Check and write a batch of ``LetterIn``s: the membership each letter gives, at the receiving
    organization (through ``people``' ``MembershipService``: the 18th birthday, the date of full membership),
    and the transfer into the system, ``RECEIVED``."""
    letters = list(letters)
    today = timezone.localdate()
    with writing(by) as write:
        lock_people([letter.person for letter in letters])
        problems = check_letters_in(letters, write, today)
        items = [
            Item(
                {
                    "person": letter.person,
                    "organization": letter.to_organization,
                    "admitted_on": letter.admitted_on,
                    "full_on": letter.full_on,
                }
            )
            for letter in letters
        ]
        plan = None
        if not problems:
            plan = MEMBERSHIPS.check(items, write)
            problems = [Problem(p.message, p.item, p.field, p.missing) for p in plan.problems]
        if problems:
            raise RefusedError(problems)
        MEMBERSHIPS.write(plan, write)
        transfers, moves = [], []
        for letter, item in zip(letters, plan.items, strict=True):
            transfer = Transfer(
                kind=TransferKind.IN,
                status=S.RECEIVED,
                reason=letter.reason,
                note=(letter.note or "").strip(),
                person=letter.person,
                membership=item.obj,
                to_organization=letter.to_organization,
                outside_organization=letter.outside_organization.strip(),
                started_by=RECEIVING,
                started_on=letter.received_on,
                decided_on=letter.received_on,
                letter_number=letter.letter_number.strip(),
                admitted_on=letter.admitted_on,
                full_on=letter.full_on,
            )
            transfers.append(transfer)
            moves.append(
                TransferMove(
                    transfer=transfer,
                    move=ACCEPT,
                    date=letter.received_on,
                    by=write.user,
                    note=transfer.letter_number,
                )
            )
        write_new(transfers, moves)
        write.expect(Transfer, ACCEPT, transfers)
    return transfers


# A change of school proposes the transfer --------------------------------------------------------------
Coverage = PartyOrganization.schools.through


def own_organizations(schools):
    """{school pk: the school's own organization}: of those covering it, the one nearest the root (the
    school's committee over its branches), else its district's bureau organization; none: absent."""
    pks = sorted({s.pk for s in schools})
    covering = defaultdict(list)
    for chunk in chunked(pks):
        rows = Coverage.objects.filter(school_id__in=chunk).values_list(
            "school_id", "partyorganization_id", "partyorganization__path", "partyorganization__org_type"
        )
        for school_id, org_id, path, org_type in rows:
            if org_type not in NOT_HOLDING:
                covering[school_id].append((len(path), path, org_id))
    wanted = {min(found)[2] for found in covering.values()}
    orgs = {o.pk: o for o in PartyOrganization.objects.filter(pk__in=sorted(wanted))}
    districts = {s.district for s in schools if not covering.get(s.pk)}
    bureaus = {}
    if districts:
        rows = PartyOrganization.objects.filter(district__in=sorted(districts)).exclude(
            org_type__in=NOT_HOLDING
        )
        bureaus = {o.district: o for o in rows}
    found = {}
    for school in schools:
        if covering.get(school.pk):
            found[school.pk] = orgs[min(covering[school.pk])[2]]
        elif school.district in bureaus:
            found[school.pk] = bureaus[school.district]
    return found


@on_school_change
def propose_for_school_changes(changes, write):
    """The people's service changed these people's school ([(person, old school, new school)], inside its
    write): a member (or a person with an open development case) whose organization does not cover the new
    school gets a transfer proposed (``PROPOSED``) from that organization to the new school's own one — the
    membership is not moved: either side starts the transfer, or dismisses the proposal."""
    people = [person for person, _old, new in changes if new is not None]
    if not people:
        return []
    held = holdings(people)
    waiting = open_transfers(people)
    new_schools = [new for _person, _old, new in changes if new is not None]
    places = places_of(new_schools)
    owners = own_organizations(new_schools)
    today = timezone.localdate()
    transfers, moves = [], []
    for person, _old, new in changes:
        holding = held.get(person.pk)
        org = holding.organization if holding else None
        if new is None or org is None or person.pk in waiting:
            continue
        if org.path in places.get(new.pk, ()):
            continue  # the organization covers the new school: nothing to transfer
        receiving = owners.get(new.pk)
        note = (
            _("Proposed by the change of school to %(school)s.") % {"school": new.name}
            if receiving is not None
            else _(
                "Proposed by the change of school to %(school)s, which no organization covers: name the "
                "receiving organization when the transfer is started."
            )
            % {"school": new.name}
        )
        transfer = Transfer(
            kind=TransferKind.WITHIN,
            status=S.PROPOSED,
            reason=TransferReason.JOB,
            note=note,
            person=person,
            membership=holding.membership,
            from_organization=org,
            to_organization=receiving if receiving is not None and receiving.pk != org.pk else None,
            to_school=new,
            started_by=SENDING,
            started_on=today,
            proposed_by_change=True,
        )
        transfers.append(transfer)
        moves.append(TransferMove(transfer=transfer, move=PROPOSE, date=today, by=write.user, note=note))
        waiting[person.pk] = S.PROPOSED
    if transfers:
        write_new(transfers, moves)
    return transfers


__all__ = [
    "LetterIn",
    "LetterOut",
    "Start",
    "Step",
    "issue_letters",
    "move_transfer",
    "move_transfers",
    "movable",
    "receive_letters",
    "reissue_letters",
    "start_transfers",
    "waiting_for",
]
