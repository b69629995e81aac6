"""What recorded steps do to a person's membership: given by the approved admission, made full by the
approved conversion, ended by a cancellation; a membership recorded otherwise must agree with the steps."""

from django.utils.translation import gettext as _

from redengine.core.audit import remember
from redengine.core.codes import POLITICAL_STATUSES
from redengine.core.services import Item
from redengine.core.writes import Problem
from redengine.people.services import MEMBER_STATUSES, MEMBERSHIPS, current_memberships

from .. import engine
from ..models import (
    CaseStatus,
)
from .stories import CASE_ORGANIZATION, admission_disagrees, effective_membership, person_key


class MembershipsFollowSteps:
    # Memberships -------------------------------------------------------------------------------------
    def check_memberships(self, plan, scope, given, today):
        """What the steps do to each person's membership, checked by the membership service with the steps."""
        stories = [s for s in plan.stories if s.new and s.plan is not None]
        current = current_memberships([s.person for s in stories])
        items, where = [], []
        for story in stories:
            for index, item in self.membership_items(plan, story, given, current, today):
                items.append(item)
                where.append(index)
        if items:
            plan.memberships = MEMBERSHIPS.check(items, scope)
            for problem in plan.memberships.problems:
                at = where[problem.item] if problem.item is not None else None
                plan.problems.append(Problem(problem.message, at, None, problem.missing))

    def membership_items(self, plan, story, given, current, today):
        """[(step index, membership item)] the steps give: a membership from the approved admission, full from
        the approved conversion, ended by a cancellation; a membership recorded (or given by the same
        write) that disagrees with the steps is a problem instead."""
        person, result, steps = story.person, story.plan, plan.steps
        from_file = given.get(person_key(person))
        membership = effective_membership(person, given, current)
        if membership is not None and membership.admitted_on and story.case.status != CaseStatus.CLOSED:
            for index in story.indexes:
                if steps[index].code == "S15" and steps[index].date != membership.admitted_on:
                    plan.problems.append(Problem(admission_disagrees(membership, from_file), index, "date"))
                    return []
        if result.cancelled:
            admission = engine.first(story.done, "S15")
            if membership is None or admission is None or membership.admitted_on != admission.date:
                return []
            at = story.index_of("S24", steps, last=True)
            if from_file is not None:
                message = _(
                    "The 人员 sheet gives this person as a party member, but these steps cancel the probation."
                )
                plan.problems.append(Problem(message, at, "step"))
                return []
            return [(at, Item({"ended_on": story.case.closed_on}, instance=remember([membership])[0]))]
        if result.admitted_on is None:
            return []
        if from_file is not None and from_file.status not in MEMBER_STATUSES:
            at = next((i for i, e in story.new if e.step == "S17"), None)
            if at is not None:
                message = _(
                    "The 人员 sheet gives this person as %(status)s, but this step admits them as a probationary "
                    "member: give their party membership in the 人员 sheet."
                ) % {"status": dict(POLITICAL_STATUSES).get(from_file.status, from_file.status)}
                plan.problems.append(Problem(message, at, "step"))
            return []
        if membership is None:
            org = CASE_ORGANIZATION.get_cached_value(story.case, None)
            if org is None:
                return []
            values = {"person": person, "organization": org, "admitted_on": result.admitted_on}
            values["full_on"] = result.converted_on
            return [(story.index_of("S17", steps), Item(values))]
        if membership.admitted_on is None:
            return []
        if membership.admitted_on != result.admitted_on:
            at = story.index_of("S15", steps)
            plan.problems.append(Problem(admission_disagrees(membership, from_file), at, "date"))
            return []
        converted = result.converted_on
        if converted is None or membership.full_on == converted:
            return []
        at = story.index_of("S24", steps, last=True)
        if membership.full_on is not None:
            message = _(
                "The date of full membership (转正日期) is %(full)s, but by these steps the probation ends on "
                "%(date)s: full membership begins on that date."
            ) % {"full": membership.full_on.isoformat(), "date": converted.isoformat()}
            plan.problems.append(Problem(message, at, "date"))
            return []
        if from_file is not None:
            message = _(
                "The 人员 sheet gives this person as a probationary member, but these steps make them a full "
                "member on %(date)s."
            ) % {"date": converted.isoformat()}
            plan.problems.append(Problem(message, at, "date"))
            return []
        return [(at, Item({"full_on": converted}, instance=remember([membership])[0]))]
