"""Cases opened, closed and corrected; cultivation records and yearly plans."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.audit import bulk_update_audited, remember
from redengine.core.services import CHANGE, DELETE, PICK, Item, ModelService
from redengine.core.writes import Problem, RefusedError, outside_scope, writing
from redengine.orgs.models import admission_approvers

from .. import engine
from ..models import (
    DERIVED_FIELDS,
    CaseContact,
    CaseStatus,
    CloseReason,
    CultivationRecord,
    DevelopmentCase,
    DevelopmentPlan,
)
from .stories import ROLES_OF, admission_problem, apply_plan


# Cases ----------------------------------------------------------------------------------------------
class CaseService(ModelService):
    """Open cases (the first step, S01, is recorded next); the rest of a case is derived from its steps."""

    model = DevelopmentCase
    fields = ("person", "organization")
    references = {"person": CHANGE}

    def validate(self, plan):
        super().validate(plan)
        orgs = [i.obj.organization for i in plan.items if i.is_new and i.obj.organization_id]
        approvers = admission_approvers(orgs)
        for index, item in enumerate(plan.items):
            if not (item.is_new and item.obj.organization_id):
                continue
            problem = admission_problem(item.obj.organization)
            if problem:
                plan.problems.append(Problem(problem, index, "organization"))
            item.obj.approver = approvers.get(item.obj.organization_id)

    def check_unique(self, plan):
        people = [i.obj.person_id for i in plan.items if i.is_new]
        taken = set(
            DevelopmentCase.objects.open().filter(person_id__in=people).values_list("person_id", flat=True)
        )
        seen = set()
        for index, item in enumerate(plan.items):
            pk = item.obj.person_id
            if item.is_new and (pk in taken or pk in seen):
                plan.problems.append(
                    Problem(_("This person already has an open development case."), index, "person")
                )
            seen.add(pk)


CASES = CaseService()


def open_case(person, organization, *, by):
    return CASES.save([Item({"person": person, "organization": organization})], by=by)[0]


@dataclass
class Closure:
    case: DevelopmentCase
    reason: str
    closed_on: datetime.date


def close_case(case, reason, closed_on, *, by):
    """Close one case: a batch of one."""
    return close_cases([Closure(case, reason, closed_on)], by=by)[0]


def close_cases(closures, *, by):
    """Close each case (withdrawn, moved away…): no step is recorded on it afterwards."""
    closures = list(closures)
    with writing(by) as write:
        allowed = write.allowed(DevelopmentCase, CHANGE, [c.case for c in closures])
        problems = []
        today = timezone.localdate()
        for index, closure in enumerate(closures):
            case = closure.case
            if case.pk not in allowed:
                problems.append(Problem(outside_scope(), index, None, True))
            elif case.status != CaseStatus.OPEN:
                problems.append(Problem(_("The case is already closed."), index))
            elif closure.closed_on > today:
                problems.append(Problem(_("The date cannot be in the future."), index, "closed_on"))
            elif case.last_step_on and closure.closed_on < case.last_step_on:
                problems.append(Problem(_("A case is closed on or after its last step."), index, "closed_on"))
        if problems:
            raise RefusedError(problems)
        cases = remember([c.case for c in closures])
        for case, closure in zip(cases, closures, strict=True):
            case.status, case.close_reason, case.closed_on = (
                CaseStatus.CLOSED,
                closure.reason,
                closure.closed_on,
            )
            case.next_step, case.next_earliest, case.next_rule = "", None, ""
            case.due_step, case.next_due, case.due_rule = "", None, ""
        bulk_update_audited(
            DevelopmentCase, cases, DERIVED_FIELDS, scope_paths=[c.organization.path for c in cases]
        )
        write.expect(DevelopmentCase, CHANGE, cases)
    return cases


def delete_last_steps(cases, *, by):
    """Undo each case's latest step (a correction); the case is derived again."""
    cases = list(cases)
    with writing(by) as write:
        allowed = write.allowed(DevelopmentCase, DELETE, cases)
        problems = [
            Problem(outside_scope(), n, None, True) for n, c in enumerate(cases) if c.pk not in allowed
        ]
        latest = {}
        for index, case in enumerate(cases):
            event = case.events.order_by("-date", "-id").first()
            if event is None:
                problems.append(Problem(_("The case has no step to remove."), index))
            latest[case.pk] = event
        if problems:
            raise RefusedError(problems)
        for case in cases:
            event = latest[case.pk]
            roles = [role for code, (_key, role) in ROLES_OF.items() if code == event.step]
            for contact in CaseContact.objects.filter(case=case, assigned_on=event.date, role__in=roles):
                contact.delete()
            event.delete()
        rederive(cases, write)
    return cases


def rederive(cases, write):
    """Derive the cases again from their recorded steps (after a correction), with the membership they give."""
    cases = remember(
        list(
            DevelopmentCase.objects.filter(pk__in=[c.pk for c in cases]).select_related(
                "person", "organization"
            )
        )
    )
    for case in cases:
        events = list(case.events.all())
        done = [engine.Done(e.step, e.date, e.data) for e in events]
        if case.status != CaseStatus.OPEN and case.close_reason != CloseReason.WITHDRAWN:
            case.status, case.close_reason, case.closed_on = CaseStatus.OPEN, "", None
        apply_plan(case, engine.plan(done), done)
        case.incomplete = any(e.incomplete for e in events)
        case.has_exception = any(e.exception_reason for e in events)
        case.has_late = any(e.late for e in events)
    bulk_update_audited(
        DevelopmentCase, cases, DERIVED_FIELDS, scope_paths=[c.organization.path for c in cases]
    )
    write.expect(DevelopmentCase, CHANGE, cases)
    return cases


# Cultivation records and plans ----------------------------------------------------------------------
class CultivationService(ModelService):
    model = CultivationRecord
    fields = ("case", "kind", "date", "contact", "summary")
    references = {"contact": PICK}

    def places(self, objs):
        return [("case", [o.case.organization.path] if o.case_id else None) for o in objs]

    def scope_paths(self, objs):
        return [o.case.organization.path for o in objs]

    def check_places(self, plan, scope):
        if scope.whole_tree:
            return
        cases = [i.obj.case for i in plan.items if i.obj.case_id]
        allowed = scope.allowed(DevelopmentCase, CHANGE, cases)
        for index, item in enumerate(plan.items):
            if item.obj.case_id not in allowed:
                plan.problems.append(Problem(_("No such record in your scope."), index, "case"))


class PlanService(ModelService):
    model = DevelopmentPlan
    fields = ("organization", "year", "quota", "front_line_quota", "young_backbone_quota", "remarks")
    unique = (("organization", "year"),)

    def validate(self, plan):
        """The priorities are people of the quota: neither may exceed it (each refused on its own field)."""
        super().validate(plan)
        for index, item in enumerate(plan.items):
            quota = item.obj.quota
            if quota is None:
                continue
            for name, message in (
                (
                    "front_line_quota",
                    _("Front-line teachers (%(count)s) cannot exceed the quota (%(quota)s)."),
                ),
                (
                    "young_backbone_quota",
                    _(
                        "Young and middle-aged backbone teachers (%(count)s) cannot exceed the quota "
                        "(%(quota)s)."
                    ),
                ),
            ):
                count = getattr(item.obj, name) or 0
                if count > quota:
                    plan.problems.append(Problem(message % {"count": count, "quota": quota}, index, name))


CULTIVATION = CultivationService()
PLANS = PlanService()
save_cultivation = CULTIVATION.save
save_plans = PLANS.save
