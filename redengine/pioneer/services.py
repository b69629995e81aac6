"""Writes on pioneer units, batch-first: ``record_units(items, *, by)`` (a school's application, and its
changes), ``move_units(steps, *, by)`` (the workflow's moves: file, review, certify, reject, yearly check,
revoke), ``record_imported_units`` (the 示范创建 sheet: units in the state their dates say) and
``record_service_logs``; the forms, the API, the action views, the import and the demo call them, and one
record is a batch of one.

Each batch is checked before anything is written, every problem located on its item and field:

* a unit is of a kind that exists (示范岗、示范班、志愿服务队), named, applied for on a day not in the future;
  its leading organization covers its school (left empty: the school's own organization), its leader and
  members are people of the school; a school has one unit of a name;
* once filed, a unit is changed by those who may file it (the district, the city), not by the school;
* a move is one the unit's state allows (rules.TRANSITIONS: a unit is certified only once filed and
  reviewed, revoked only once certified), by a role that owns it, on a day neither in the future nor before
  the unit's previous move; a certification gives a plaque number no other unit has; a rejection and a
  revocation give their reason; a yearly check after it was due is recorded and flagged late, never refused;
* a service log is of a volunteer team, not in the future, of more than 0 hours and at most
  ``pioneer.max_daily_hours`` on a day for the team (with its other logs of that day), by at least one person;
* every record named lies in the writer's scope (``PICK``), and every record written lies where the writer
  may write it: re-checked by the write path before it commits.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.audit import bulk_create_audited, bulk_update_audited, remember
from redengine.core.dates import add_months
from redengine.core.services import CHANGE, PICK, VIEW, Item, ModelService, Plan, related_of
from redengine.core.writes import Problem, RefusedError, chunked, outside_scope, writing
from redengine.orgs.models import PartyOrganization
from redengine.orgs.services import school_places
from redengine.people.services import SchoolPlaced

from . import rules
from .models import PioneerUnit, ServiceLog, UnitMove
from .rules import APPLY, CERTIFY, CHECK, FILE, NEEDS_REASON, REJECT, REVIEW, REVOKE, UnitKind, UnitStatus

Coverage = PartyOrganization.schools.through
WORKFLOW_FIELDS = ("kind", "name", "school", "organization", "leader", "members")


def unknown_kind(value):
    return _(
        "There is no kind “%(kind)s”: a pioneer unit is a model post, a model class or a volunteer team."
    ) % {"kind": value}


def required():
    return _("This field is required.")


# Units ----------------------------------------------------------------------------------------------
class UnitService(SchoolPlaced, ModelService):
    model = PioneerUnit
    fields = (
        "kind",
        "name",
        "school",
        "organization",
        "leader",
        "members",
        "standard",
        "identity",
        "commitment",
        "applied_on",
    )
    references = {"school": PICK, "organization": PICK, "leader": PICK, "members": PICK}
    unique = (("school", "name"),)

    def problem_field(self, names):
        return "name"

    def duplicate_message(self, names):
        return _("This school already has a pioneer unit of this name.")

    def place_message(self, item):
        return _("You may not record a pioneer unit of this school: it lies outside your scope.")

    def validate(self, plan):
        for index, item in enumerate(plan.items):
            unit = item.obj
            if unit.kind and unit.kind not in UnitKind.values:
                plan.problems.append(Problem(unknown_kind(unit.kind), index, "kind"))
            for name in ("kind", "name", "applied_on"):
                value = getattr(unit, name)
                if value is None or (isinstance(value, str) and not value.strip()):
                    plan.problems.append(Problem(required(), index, name))
        super().validate(plan)
        self.check_organizations(plan)
        self.check_people(plan)
        self.check_filed(plan)
        self.check_logs(plan)

    def check_organizations(self, plan):
        """The leading organization covers the school; left empty, it is the school's own organization
        (of those covering it, the one nearest the root: the school's committee over its branches)."""
        touched = [
            (index, item.obj)
            for index, item in enumerate(plan.items)
            if (item.is_new or {"school", "organization"} & set(item.changed)) and item.obj.school_id
        ]
        if not touched:
            return
        covering = defaultdict(list)
        for chunk in chunked(sorted({u.school_id for _i, u in touched})):
            rows = Coverage.objects.filter(school_id__in=chunk).values_list(
                "school_id", "partyorganization_id", "partyorganization__path"
            )
            for school_id, org_id, path in rows:
                covering[school_id].append((len(path), path, org_id))
        wanted = {min(covering[u.school_id])[2] for _i, u in touched if covering[u.school_id]}
        orgs = {o.pk: o for o in PartyOrganization.objects.filter(pk__in=wanted)}
        for index, unit in touched:
            mine = {org_id for _n, _p, org_id in covering[unit.school_id]}
            if unit.organization_id is None:
                if mine:
                    unit.organization = orgs[min(covering[unit.school_id])[2]]
            elif unit.organization_id not in mine:
                plan.problems.append(
                    Problem(
                        _(
                            "%(org)s does not cover this school: a unit is led by one of its school's organizations."
                        )
                        % {"org": unit.organization.name},
                        index,
                        "organization",
                    )
                )

    def check_people(self, plan):
        for index, item in enumerate(plan.items):
            unit = item.obj
            if not unit.school_id:
                continue
            if unit.leader_id and unit.leader.school_id != unit.school_id:
                plan.problems.append(
                    Problem(
                        _("%(name)s is not of this school: the leader is one of its people.")
                        % {"name": unit.leader.name},
                        index,
                        "leader",
                    )
                )
            strangers = [p.name for p in item.many.get("members", []) if p.school_id != unit.school_id]
            if strangers:
                plan.problems.append(
                    Problem(
                        _("Not of this school: %(names)s. The members are people of the unit's school.")
                        % {"names": "、".join(strangers)},
                        index,
                        "members",
                    )
                )

    def check_filed(self, plan):
        """Once filed, a unit is changed by those who may file it: the school applies, the district files."""
        recorded = [
            (index, item)
            for index, item in enumerate(plan.items)
            if not item.is_new and item.changed and item.instance.status != UnitStatus.APPLIED
        ]
        if not recorded:
            return
        allowed = plan.extra["scope"].allowed(PioneerUnit, FILE, [i.instance for _n, i in recorded])
        for index, item in recorded:
            if item.instance.pk not in allowed:
                plan.problems.append(
                    Problem(
                        _(
                            "This unit has been filed: its school no longer changes it; ask the district's "
                            "administrator."
                        ),
                        index,
                    )
                )

    def check_logs(self, plan):
        """A volunteer team with service logs stays a volunteer team."""
        leaving = {
            item.obj.pk: index
            for index, item in enumerate(plan.items)
            if not item.is_new and "kind" in item.changed and item.obj.kind != UnitKind.TEAM
        }
        if not leaving:
            return
        for pk in (
            ServiceLog.objects.filter(unit_id__in=list(leaving)).values_list("unit_id", flat=True).distinct()
        ):
            plan.problems.append(
                Problem(
                    _("This volunteer team has service logs: it stays a volunteer team."), leaving[pk], "kind"
                )
            )

    def check(self, items, scope):
        plan = Plan(list(items), extra={"scope": scope})
        self.build(plan)
        self.validate(plan)
        self.check_unique(plan)
        self.check_scope(plan, scope)
        return plan

    def build(self, plan):
        super().build(plan)
        for item in plan.items:
            if item.is_new:
                item.obj.status = UnitStatus.APPLIED

    def apply(self, plan, write):
        super().apply(plan, write)
        new = [item.obj for item in plan.new]
        moves = [m for unit in new for m in self.first_moves(unit, write.user)]
        if moves:
            units = [m.unit for m in moves]
            bulk_create_audited(UnitMove, moves, scope_paths=self.scope_paths(units))

    def first_moves(self, unit, user):
        """The moves a new unit is recorded with: its application."""
        return [UnitMove(unit=unit, move=APPLY, date=unit.applied_on, by=user)]


class ImportedUnitService(UnitService):
    """Units of the 示范创建 sheet: filed on 申报日期, certified on 认定日期 with its plaque, revoked on 撤销日期,
    each landing in the state its dates say, with those moves recorded as imported. A recorded unit (its
    school and name) that the row describes otherwise is refused: its moves are made on its page."""

    fields = (*UnitService.fields, "filed_on", "certified_on", "plaque_number", "revoked_on")
    unique = (("school", "name"), ("plaque_number",))

    def problem_field(self, names):
        return "plaque_number" if names == ("plaque_number",) else "name"

    def duplicate_message(self, names):
        if names == ("plaque_number",):
            return _("Another unit already has this plaque number.")
        return super().duplicate_message(names)

    def build(self, plan):
        super().build(plan)
        for item in plan.items:
            unit = item.obj
            if item.is_new:
                unit.status = status_of(unit)
                unit.closed_on = unit.revoked_on
                unit.plaque_number = (unit.plaque_number or "").strip()

    def validate(self, plan):
        today = timezone.localdate()
        for index, item in enumerate(plan.items):
            unit = item.obj
            if not item.is_new:
                if item.changed:
                    plan.problems.append(
                        Problem(
                            _(
                                "This unit is recorded already (%(status)s) and the row describes it otherwise: "
                                "its moves are made on its page."
                            )
                            % {"status": unit.get_status_display()},
                            index,
                            "filed_on",
                        )
                    )
                continue
            plan.problems += dates_problems(unit, index, today)
        super().validate(plan)

    def first_moves(self, unit, user):
        moves = [UnitMove(unit=unit, move=FILE, date=unit.filed_on, by=user, imported=True)]
        if unit.certified_on:
            moves.append(
                UnitMove(
                    unit=unit,
                    move=CERTIFY,
                    date=unit.certified_on,
                    by=user,
                    imported=True,
                    note=unit.plaque_number,
                )
            )
        if unit.revoked_on:
            moves.append(UnitMove(unit=unit, move=REVOKE, date=unit.revoked_on, by=user, imported=True))
        return moves


def status_of(unit):
    if unit.revoked_on:
        return UnitStatus.REVOKED
    if unit.certified_on:
        return UnitStatus.CERTIFIED
    return UnitStatus.FILED


def dates_problems(unit, index, today):
    """The rules of the 示范创建 sheet's dates (import-templates.md), located on their fields."""
    found = []

    def say(message, field):
        found.append(Problem(message, index, field))

    plaque = (unit.plaque_number or "").strip()
    if unit.filed_on is None:
        say(required(), "filed_on")
    # (a date filed in the future: the unit's date of application, which is the same, tells it)
    if unit.certified_on:
        if unit.certified_on > today:
            say(_("The date certified is in the future."), "certified_on")
        elif unit.filed_on and unit.certified_on < unit.filed_on:
            say(
                _("The unit was filed on %(date)s: it cannot be certified before.")
                % {"date": unit.filed_on.isoformat()},
                "certified_on",
            )
        if not plaque:
            say(_("A certified unit has its plaque number."), "plaque_number")
    elif plaque:
        say(_("A plaque number is given with the date certified: the unit has none."), "plaque_number")
    if unit.revoked_on:
        if not unit.certified_on:
            say(_("Only a certified unit is revoked: the unit has no date certified."), "revoked_on")
        elif unit.revoked_on <= unit.certified_on:
            say(
                _("The unit was certified on %(date)s: it is revoked after that.")
                % {"date": unit.certified_on.isoformat()},
                "revoked_on",
            )
        elif unit.revoked_on > today:
            say(_("The date revoked is in the future."), "revoked_on")
    return found


# Moves -----------------------------------------------------------------------------------------------
@dataclass
class Step:
    """One move of a unit: what, on what day, the note or reason, and for a certification its plaque."""

    unit: PioneerUnit
    move: str
    date: datetime.date | None = None
    note: str = ""
    plaque_number: str = ""


DATE_FIELD = {
    FILE: "filed_on",
    REVIEW: "reviewed_on",
    CERTIFY: "certified_on",
    REJECT: "closed_on",
    CHECK: "last_checked_on",
    REVOKE: "revoked_on",
}


def wrong_state(unit_status, move):
    """Why a unit in ``unit_status`` cannot be given ``move``."""
    if move == CERTIFY and unit_status == UnitStatus.APPLIED:
        return _(
            "This unit has never been filed: a unit is certified once the district has filed and reviewed it."
        )
    if move == CERTIFY and unit_status == UnitStatus.FILED:
        return _(
            "This unit has not been reviewed yet: a unit is certified once the district has reviewed it."
        )
    if move in (REVOKE, CHECK) and unit_status != UnitStatus.CERTIFIED:
        return _("This unit has never been certified: only a certified unit is checked or revoked.")
    return _("This unit is %(status)s: %(move)s is not a move it can take now.") % {
        "status": UnitStatus(unit_status).label,
        "move": rules.move_label(move),
    }


def check_due(unit, day):
    """The day the next yearly check of a certified unit is due (``pioneer.check_months`` after the
    certification or the previous check)."""
    base = unit.checked_from
    return add_months(base, rules.param("pioneer.check_months", on=base)) if base else None


class MoveService:
    """The workflow's moves, checked on the units as they are recorded and, within a batch, one after the
    other; written with the units' new state and one ``UnitMove`` each."""

    def check(self, steps, scope, today=None):
        today = today or timezone.localdate()
        problems = []
        units = self.load([s.unit for s in steps])
        visible = scope.allowed(PioneerUnit, VIEW, list(units))
        allowed = {
            move: scope.allowed(PioneerUnit, move, list(units))
            for move in {s.move for s in steps}
            if move in rules.MOVES
        }
        state = {pk: (u.status, u.last_move_on) for pk, u in units.items()}
        plaques = self.plaques_taken(steps)
        batch_plaques = set()
        for index, step in enumerate(steps):
            unit = units.get(step.unit.pk)
            if unit is None or unit.pk not in visible:
                problems.append(Problem(outside_scope(), index, None, True))
                continue
            if step.move not in rules.MOVES:
                problems.append(Problem(_("There is no such move."), index, "move"))
                continue
            if unit.pk not in allowed[step.move]:
                problems.append(
                    Problem(
                        _("Your role may not do this move (%(move)s) on this unit.")
                        % {"move": rules.move_label(step.move)},
                        index,
                        "move",
                    )
                )
                continue
            status, last = state[unit.pk]
            starts, leads_to = rules.TRANSITIONS[step.move]
            if status not in starts:
                problems.append(Problem(wrong_state(status, step.move), index, "move"))
                continue
            if step.date is None:
                problems.append(Problem(required(), index, "date"))
                continue
            if step.date > today:
                problems.append(Problem(_("The date is in the future."), index, "date"))
                continue
            if last and step.date < last:
                problems.append(
                    Problem(
                        _("The unit's previous move was on %(date)s: this one cannot be before it.")
                        % {"date": last.isoformat()},
                        index,
                        "date",
                    )
                )
                continue
            if step.move in NEEDS_REASON and not (step.note or "").strip():
                problems.append(Problem(_("Give the reason."), index, "note"))
                continue
            if step.move == CERTIFY:
                plaque = (step.plaque_number or "").strip()
                if not plaque:
                    problems.append(
                        Problem(_("A certification gives the plaque number."), index, "plaque_number")
                    )
                    continue
                if plaques.get(plaque, unit.pk) != unit.pk or plaque in batch_plaques:
                    problems.append(
                        Problem(
                            _("The plaque number %(number)s is given to another unit already.")
                            % {"number": plaque},
                            index,
                            "plaque_number",
                        )
                    )
                    continue
                batch_plaques.add(plaque)
            state[unit.pk] = (leads_to, step.date)
        return units, problems

    def load(self, given):
        """The units as recorded (their state as it is now), with the date of their latest move."""
        pks = sorted({u.pk for u in given if u is not None and u.pk})
        found = {}
        for chunk in chunked(pks):
            for unit in PioneerUnit.objects.filter(pk__in=chunk).select_related("school"):
                found[unit.pk] = unit
        last = defaultdict(lambda: None)
        for chunk in chunked(pks):
            rows = (
                UnitMove.objects.filter(unit_id__in=chunk)
                .order_by()
                .values_list("unit_id")
                .annotate(last=Max("date"))
            )
            last.update(dict(rows))
        for pk, unit in found.items():
            unit.last_move_on = last[pk] or unit.applied_on
        remember(list(found.values()))
        return found

    @staticmethod
    def plaques_taken(steps):
        wanted = {(s.plaque_number or "").strip() for s in steps if s.move == CERTIFY} - {""}
        if not wanted:
            return {}
        return dict(
            PioneerUnit.objects.filter(plaque_number__in=sorted(wanted)).values_list("plaque_number", "pk")
        )

    def save(self, steps, *, by):
        steps = list(steps)
        with writing(by) as write:
            pks = [s.unit.pk for s in steps if s.unit is not None and s.unit.pk]
            if pks:  # one writer at a time on a unit
                list(PioneerUnit.objects.select_for_update().filter(pk__in=pks).values_list("pk"))
            units, problems = self.check(steps, write)
            if problems:
                raise RefusedError(problems)
            moves = self.apply(steps, units, write)
        return moves

    def apply(self, steps, units, write):
        moves, changed = [], {}
        for step in steps:
            unit = units[step.unit.pk]
            _starts, leads_to = rules.TRANSITIONS[step.move]
            late = False
            if step.move == CHECK:
                due = check_due(unit, step.date)
                late = due is not None and step.date > due
            unit.status = leads_to
            setattr(unit, DATE_FIELD[step.move], step.date)
            if step.move == CERTIFY:
                unit.plaque_number = step.plaque_number.strip()
            if step.move in NEEDS_REASON:
                unit.reason = step.note.strip()
                unit.closed_on = step.date
            changed[unit.pk] = unit
            moves.append(
                UnitMove(
                    unit=unit,
                    move=step.move,
                    date=step.date,
                    by=write.user,
                    note=(
                        step.plaque_number.strip() if step.move == CERTIFY and not step.note else step.note
                    ).strip(),
                    late=late,
                )
            )
        objs = list(changed.values())
        fields = ["status", *sorted(set(DATE_FIELD.values())), "plaque_number", "reason"]
        bulk_update_audited(PioneerUnit, objs, fields, scope_paths=UNITS.scope_paths(objs))
        bulk_create_audited(UnitMove, moves, scope_paths=UNITS.scope_paths([m.unit for m in moves]))
        for move in {s.move for s in steps}:
            write.expect(PioneerUnit, move, [s.unit.pk for s in steps if s.move == move])
        for step in steps:  # the caller's records show the new state
            if step.unit is not units[step.unit.pk]:
                step.unit.__dict__.update({k: getattr(units[step.unit.pk], k) for k in fields})
        return moves


# Service logs ----------------------------------------------------------------------------------------
class ServiceLogService(ModelService):
    model = ServiceLog
    fields = ("unit", "date", "hours", "people", "activity")
    references = {"unit": CHANGE}

    def place_message(self, item):
        return _("You may not log the service of this unit: it lies outside your scope.")

    def places(self, objs):
        units = related_of(objs, "unit")
        schools = related_of([u for u in units.values() if u is not None], "school")
        found = school_places([s for s in schools.values() if s is not None])
        return [
            ("unit", found.get(id(schools.get(id(units[id(o)])))) if units[id(o)] else None) for o in objs
        ]

    def scope_paths(self, objs):
        units = related_of(objs, "unit")
        return UNITS.scope_paths([units[id(o)] for o in objs])

    def validate(self, plan):
        today = timezone.localdate()
        limit = Decimal(rules.param("pioneer.max_daily_hours"))
        for index, item in enumerate(plan.items):
            log = item.obj
            if not (item.is_new or item.changed):
                continue
            if log.unit_id and log.unit.kind != UnitKind.TEAM:
                plan.problems.append(
                    Problem(
                        _("%(unit)s is not a volunteer team: only volunteer teams log their service.")
                        % {"unit": log.unit.name},
                        index,
                        "unit",
                    )
                )
            if log.date is None:
                plan.problems.append(Problem(required(), index, "date"))
            elif log.date > today:
                plan.problems.append(
                    Problem(_("Service is logged once done: the date is in the future."), index, "date")
                )
            if log.hours is None:
                plan.problems.append(Problem(required(), index, "hours"))
            elif log.hours <= 0:
                plan.problems.append(Problem(_("The hours must be more than 0."), index, "hours"))
            elif log.hours > limit:
                plan.problems.append(
                    Problem(
                        _("A day has %(limit)s hours: at most %(limit)s hours of service on a day.")
                        % {"limit": limit},
                        index,
                        "hours",
                    )
                )
            if log.people is None or log.people < 1:
                plan.problems.append(Problem(_("At least one person served."), index, "people"))
            if not (log.activity or "").strip():
                plan.problems.append(Problem(required(), index, "activity"))
        super().validate(plan)
        if not plan.problems:
            self.check_daily(plan, limit)

    def check_daily(self, plan, limit):
        """The logs of a team on a day add up to at most ``limit`` hours: the batch's with the recorded."""
        touched = [(index, item.obj) for index, item in enumerate(plan.items) if item.is_new or item.changed]
        keys = {(log.unit_id, log.date) for _i, log in touched}
        if not keys:
            return
        batch = {log.pk for _i, log in touched if log.pk}
        recorded = defaultdict(Decimal)
        days = sorted({date for _unit, date in keys})
        for chunk in chunked(sorted({unit for unit, _date in keys})):  # (not an OR per key: a batch is big)
            rows = (
                ServiceLog.objects.filter(unit_id__in=chunk, date__range=(days[0], days[-1]))
                .exclude(pk__in=batch)
                .values_list("unit_id", "date")
                .annotate(h=Sum("hours"))
            )
            for unit_id, date, hours in rows.order_by():
                if (unit_id, date) in keys:
                    recorded[(unit_id, date)] += hours
        for index, log in touched:
            key = (log.unit_id, log.date)
            recorded[key] += log.hours
            if recorded[key] > limit:
                plan.problems.append(
                    Problem(
                        _(
                            "With its other logs of %(date)s the team would serve %(total)s hours that day: at most %(limit)s."
                        )
                        % {"date": log.date.isoformat(), "total": recorded[key], "limit": limit},
                        index,
                        "hours",
                    )
                )


UNITS = UnitService()
IMPORTED_UNITS = ImportedUnitService()
MOVES = MoveService()
LOGS = ServiceLogService()


def record_units(items, *, by):
    """Check and write a batch of units (``Item``s): new ones are applied for, with their application move."""
    return UNITS.save(items, by=by)


def record_imported_units(items, *, by):
    return IMPORTED_UNITS.save(items, by=by)


def move_units(steps, *, by):
    """Check and write a batch of moves (``Step``s); the ``UnitMove`` rows, in order."""
    return MOVES.save(steps, by=by)


def move_unit(unit, move, *, by, date=None, note="", plaque_number=""):
    (found,) = move_units([Step(unit, move, date or timezone.localdate(), note, plaque_number)], by=by)
    return found


def delete_units(objs, *, by):
    UNITS.delete(objs, by=by)


def record_service_logs(items, *, by):
    return LOGS.save(items, by=by)


def delete_service_logs(objs, *, by):
    LOGS.delete(objs, by=by)


def checks_past_due(units, today):
    """The certified units of ``units`` (a queryset) whose yearly check is past due at ``today``: certified,
    or last checked, more than ``pioneer.check_months`` months before. One query."""
    cutoff = add_months(today, -rules.param("pioneer.check_months", on=today))
    return units.filter(status=UnitStatus.CERTIFIED).filter(
        Q(last_checked_on__isnull=True, certified_on__lt=cutoff) | Q(last_checked_on__lt=cutoff)
    )


__all__ = [
    "IMPORTED_UNITS",
    "LOGS",
    "MOVES",
    "UNITS",
    "Item",
    "Step",
    "move_unit",
    "move_units",
    "record_imported_units",
    "record_service_logs",
    "record_units",
]
