"""Recording steps: ``record_steps`` checks a batch of steps by the rules engine and writes it in bulk."""

from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.audit import bulk_create_audited, bulk_update_audited, remember
from redengine.core.services import ADD, CHANGE, VIEW
from redengine.core.writes import Problem, chunked, outside_scope, writing
from redengine.orgs.models import admission_approvers
from redengine.people.models import Person
from redengine.people.services import MEMBERSHIPS, current_memberships

from .. import engine, rules
from ..lookups import BatchLookups, BranchRolls, case_key
from ..models import (
    DERIVED_FIELDS,
    OVERRIDE,
    CaseContact,
    CaseStatus,
    DevelopmentCase,
    DevelopmentEvent,
    EventAttachment,
)
from .following import MembershipsFollowSteps
from .scans import make_attachment
from .stories import (
    CASE_ORGANIZATION,
    CASE_PERSON,
    ROLES_OF,
    WRITE_CHUNK,
    Step,
    StepPlan,
    StepRefusedError,
    Story,
    admission_problem,
    apply_plan,
    clean_data,
    covering_orgs,
    effective_membership,
    kinds,
    recorded_cases,
    school_of,
)


class StepService(MembershipsFollowSteps):
    """``record_steps``: every step checked by the rules engine against its case's steps, in date order."""

    def save(self, steps, *, by, today=None, given=None, coverage=None):
        steps = list(steps)
        with writing(by) as write:
            cases = [s.case.pk for s in steps if s.case is not None and s.case.pk]
            if cases:  # one writer at a time on a case
                list(DevelopmentCase.objects.select_for_update().filter(pk__in=cases).values_list("pk"))
            plan = self.check(steps, write, today=today, given=given, coverage=coverage)
            if plan.problems:
                raise StepRefusedError(plan.problems)
            self.apply(plan, write)
        return [plan.events.get(index) for index in range(len(steps))]

    # Checking ----------------------------------------------------------------------------------------
    def check(self, steps, scope, *, today=None, given=None, coverage=None):
        today = today or timezone.localdate()
        plan = StepPlan(list(steps))
        for index, step in enumerate(plan.steps):
            if step.code not in rules.STEP:
                plan.problems.append(
                    Problem(_("Unknown step %(code)s.") % {"code": step.code}, index, "step")
                )
        valid = [i for i, s in enumerate(plan.steps) if s.code in rules.STEP]
        plan.stories = self.stories(plan, valid)
        self.check_cases(plan, scope)
        names = self.check_people(plan, scope, valid)
        serials = {str(plan.steps[i].data.get("form_serial") or "").strip() for i in valid} - {""}
        named = {pk for pks in names.values() if pks for pk in pks}
        converting = {  # their own standing: a conversion is approved only in good standing
            s.person.pk
            for s in plan.stories
            if s.person.pk and any(plan.steps[i].code == "S24" for i in s.indexes)
        }
        lookups = BatchLookups(named, serials, standing=converting)
        user = scope.user
        may_override = scope.allowed(DevelopmentCase, OVERRIDE, [s.case for s in plan.stories if s.case.pk])
        for story in plan.stories:
            lookups.ends_open[case_key(story.case)] = self.ends_open(plan, story)
        voting = [org_of(s.case) for s in plan.stories if any(plan.steps[i].code in VOTES for i in s.indexes)]
        rolls = BranchRolls([org for org in voting if org is not None and org.pk])
        for story in plan.stories:
            self.check_story(plan, story, lookups, today, user, names, story.case.pk in may_override, rolls)
        self.place(plan, scope, given, coverage)
        for story in plan.stories:
            if story.new:
                self.derive(story)
        self.record_approvers(plan)
        self.check_memberships(plan, scope, given or {}, today)
        return plan

    def stories(self, plan, valid):
        """The case of every step: given, or the person's open case, else their completed one (which takes no
        step), else one opened by the batch."""
        stories, by_case = [], {}
        given = {
            s.case.pk: s.case for i in valid for s in [plan.steps[i]] if s.case is not None and s.case.pk
        }
        people = {
            s.person.pk: s.person for i in valid for s in [plan.steps[i]] if s.case is None and s.person.pk
        }
        recorded = recorded_cases(list(given.values()), list(people.values()))
        for index in valid:
            step = plan.steps[index]
            if step.case is not None:
                key = ("case", step.case.pk or id(step.case))
                if key not in by_case:
                    case = recorded["by_pk"].get(step.case.pk, step.case)
                    by_case[key] = Story(case, new_case=not case.pk)  # a case the batch opens, placed already
            else:
                key = ("person", step.person.pk or id(step.person))
                if key not in by_case:
                    cases = recorded["of_person"].get(step.person.pk, []) if step.person.pk else []
                    open_case = next((c for c in cases if c.status == CaseStatus.OPEN), None)
                    completed = next((c for c in cases if c.status == CaseStatus.COMPLETED), None)
                    if open_case or completed:
                        by_case[key] = Story(open_case or completed, completed=open_case is None)
                    else:
                        case = DevelopmentCase(status=CaseStatus.OPEN)
                        CASE_PERSON.set_cached_value(case, step.person)
                        by_case[key] = Story(case, new_case=True)
            story = by_case[key]
            if not story.indexes:
                stories.append(story)
            story.indexes.append(index)
        for story in stories:
            story.indexes.sort(key=lambda i: (plan.steps[i].date, rules.ORDER[plan.steps[i].code], i))
        return stories

    @staticmethod
    def ends_open(plan, story):
        """Whether the case stays open once the batch's steps are recorded (only open cases load a contact)."""
        done = story.done + [
            engine.Done(
                plan.steps[i].code, plan.steps[i].date, clean_data(plan.steps[i].code, plan.steps[i].data)
            )
            for i in story.indexes
        ]
        result = engine.plan(done)
        return not (result.finished or result.cancelled or story.completed)

    def check_cases(self, plan, scope):
        recorded = [s.case for s in plan.stories if s.case.pk]
        allowed = scope.allowed(DevelopmentCase, ADD, recorded, rule=DevelopmentEvent)
        for story in plan.stories:
            if story.case.pk and story.case.pk not in allowed:
                plan.problems += [Problem(outside_scope(), i, None, True) for i in story.indexes]
                story.indexes = []
            elif story.case.pk and not story.completed and story.case.status != CaseStatus.OPEN:
                message = _("The case is closed: no step can be recorded.")
                plan.problems += [Problem(message, i) for i in story.indexes]
                story.indexes = []

    def check_people(self, plan, scope, valid):
        """{step index: people it names}: the contacts and introducers must be people the writer may choose
        (seen through the roles that allow recording steps); else the step is refused naming the field,
        telling nothing of the person."""
        names, wanted = {}, set()
        for index in valid:
            step = plan.steps[index]
            data = clean_data(step.code, step.data)
            people = {pk for key, kind in kinds(step.code) if kind == "people" for pk in data.get(key, [])}
            names[index] = people
            wanted |= people
        allowed = scope.allowed(Person, PICK_ACTION, wanted, through=(DevelopmentEvent, ADD))
        existing = (
            set(Person._base_manager.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()
        )
        allowed &= existing
        for index in valid:
            step = plan.steps[index]
            data = clean_data(step.code, step.data)
            for key, kind in kinds(step.code):
                if kind == "people" and set(data.get(key, [])) - allowed:
                    plan.problems.append(Problem(_("No such person in your scope."), index, key))
                    names[index] = None
        return names

    @staticmethod
    def should_attend(story, code, date, data, rolls):
        """A branch general meeting's voting full members who should attend (domain-rules §0.1): the branch's
        full members on the meeting date, less those under 留党察看 and those recorded as excused."""
        org = org_of(story.case)
        if code not in VOTES or org is None or not org.pk:
            return data  # a case the batch opens is placed later: its vote figures are checked without it
        members = rolls.voting(org, date)
        data["should_attend"] = len(members - set(data.get("excused", [])))
        return data

    def check_story(self, plan, story, lookups, today, user, names, may_override, rolls):
        recorded = {(e.step, e.date): e for e in story.events}
        person = story.person
        for index in story.indexes:
            step = plan.steps[index]
            match = recorded.get((step.code, step.date))
            if match is not None:
                if step.remarks is not None and match.remarks != step.remarks:
                    remember([match])
                    match.remarks = step.remarks
                    plan.remarks.append(match)
                else:
                    plan.unchanged.append(index)
                plan.events[index] = match
                continue
            if names.get(index, set()) is None:
                continue  # a person named outside the scope: the engine is not asked about them
            data = self.should_attend(story, step.code, step.date, clean_data(step.code, step.data), rolls)
            violations = engine.check(
                story.done,
                step.code,
                step.date,
                data,
                person_id=person.pk,
                birth_date=person.birth_date,
                today=today,
                lookups=lookups.for_case(story.case),
            )
            if step.lenient_order:
                violations = [v for v in violations if v.rule != "DEV.ORDER"]
            reason = (step.exception_reason or "").strip()
            late = [v for v in violations if v.late]  # recorded as it happened, flagged (never refused)
            refused = [v for v in violations if not v.late]
            lifted = bool(refused) and all(v.overridable for v in refused) and bool(reason) and may_override
            if refused and not lifted:
                plan.problems += [
                    Problem(
                        refusal(v, may_override, reason),
                        index,
                        rules.RULE_FIELDS.get(v.rule),
                        rule=v.rule,
                        overridable=v.overridable,
                    )
                    for v in refused
                ]
            violations = refused
            if story.completed:
                if not violations:
                    message = _("The person's development case is completed: no step can be added.")
                    plan.problems.append(Problem(message, index, "step"))
                continue
            if not any(v.rule == "DEV.ONCE" for v in violations):
                story.done.append(
                    engine.Done(step.code, step.date, data)
                )  # later steps are judged on their own
            lookups.planned(story.case, data)
            event = DevelopmentEvent(
                case=story.case,
                step=step.code,
                date=step.date,
                data=data,
                remarks=step.remarks or "",
                form_serial=data.get("form_serial") or None,
                exception_reason=reason if lifted else "",
                exception_rules=",".join(sorted({v.rule for v in violations})) if lifted else "",
                late=bool(late),
                late_rules=",".join(sorted({v.rule for v in late})),
                late_due=min(v.due for v in late) if late else None,
                incomplete=bool(engine.missing_data(step.code, data)),
                rules_version=rules.version_on(step.date).version,
                recorded_by=user,
            )
            story.new.append((index, event))
            plan.events[index] = event

    def place(self, plan, scope, given, coverage):
        """The organization of each case the batch opens: the caller's, else the person's membership's, else the
        first (by path) of those covering the person's school. There the writer must be able to open cases
        and record steps, and the person must be one the writer may change: else the steps are refused as
        records outside the scope."""
        opened = [s for s in plan.stories if s.new_case and s.new]
        unplaced = [s for s in opened if not s.case.organization_id]
        if unplaced:
            people = [s.person for s in unplaced]
            current = current_memberships(people)
            covering = covering_orgs([school_of(p) for p in people], coverage)
        for story in unplaced:
            person = story.person
            membership = effective_membership(person, given or {}, current)
            org = membership.organization if membership is not None else None
            school = school_of(person)
            if org is None and school is not None:
                orgs = covering.get(school.code, [])
                branches = [o for o in orgs if o.admits_members]  # admission passes through a branch
                org = (branches or orgs or [None])[0]
            if org is None:
                if school is not None:
                    message = _(
                        "No organization to open the development case in: the person has no party membership "
                        "and no organization covers school %(school)s."
                    ) % {"school": school.code}
                    plan.problems.append(Problem(message, story.new[0][0], "person"))
                continue
            story.case.organization_id = org.pk  # (setting the id drops a cached organization: first)
            CASE_ORGANIZATION.set_cached_value(story.case, org)
        opened = [s for s in opened if CASE_ORGANIZATION.get_cached_value(s.case, None) is not None]
        self.place_approvers(plan, opened)
        may_change = scope.allowed(Person, CHANGE, [s.person for s in opened], through=(DevelopmentCase, ADD))
        for story in opened:
            org, person = story.case.organization, story.person
            path = org.path if org.pk else None
            outside = path is not None and not (
                scope.path_allowed(DevelopmentCase, ADD, path)
                and scope.path_allowed(DevelopmentEvent, ADD, path)
            )
            if outside or (person.pk and person.pk not in may_change):
                plan.problems += [
                    Problem(outside_scope(), index, "person", True) for index, _event in story.new
                ]

    @staticmethod
    def place_approvers(plan, opened):
        """A case opens only in a branch or a joint branch; it records the committee that will approve the
        admission (DEV.APPROVER), and a recorded case records it again when its approval (S17) is recorded."""
        plan.approvers = {}
        for story in opened:
            problem = admission_problem(story.case.organization)
            if problem:
                plan.problems += [Problem(problem, index, "organization") for index, _event in story.new]
        approving = [s for s in opened if s.case.organization.pk]
        approving += [
            s for s in plan.stories if not s.new_case and any(event.step == "S17" for _index, event in s.new)
        ]
        approvers = admission_approvers([s.case.organization for s in approving])
        for story in approving:
            approver = approvers.get(story.case.organization.pk)
            if approver is None and any(event.step == "S17" for _index, event in story.new):
                message = _(
                    "No committee above %(org)s has the authority to approve admissions, so the approval "
                    "cannot be recorded. A city or district administrator can mark the committee that "
                    "approves on its page."
                ) % {"org": story.case.organization.name}
                plan.problems += [Problem(message, i) for i, e in story.new if e.step == "S17"]
            if approver is not None or not story.case.pk:
                plan.approvers[id(story)] = (story, approver)

    @staticmethod
    def record_approvers(plan):
        """Set the approvers found (after ``derive``, which remembers the recorded cases as loaded)."""
        for story, approver in plan.approvers.values():
            story.case.approver = approver

    @staticmethod
    def derive(story):
        """The case's stage, dates and next step from its steps (``engine.plan``), in Python."""
        case = story.case
        story.plan = engine.plan(story.done)
        if case.pk:
            remember([case])
        apply_plan(case, story.plan, story.done)
        new = [event for _index, event in story.new]
        case.incomplete = any(e.incomplete for e in story.events) or any(e.incomplete for e in new)
        case.has_exception = any(e.exception_reason for e in [*story.events, *new])
        case.has_late = any(e.late for e in [*story.events, *new])

    # Writing -----------------------------------------------------------------------------------------
    def apply(self, plan, write):
        new_cases = [s.case for s in plan.stories if s.new_case and s.new]
        for case in new_cases:  # people and organizations of the batch have their ids now
            case.person = case.person
            case.organization = case.organization
        if new_cases:
            bulk_create_audited(
                DevelopmentCase, new_cases, scope_paths=[c.organization.path for c in new_cases]
            )
        events = plan.new_events
        for event in events:
            event.case = event.case
        for chunk in chunked(events, WRITE_CHUNK):
            bulk_create_audited(
                DevelopmentEvent, chunk, scope_paths=[e.case.organization.path for e in chunk]
            )
            write.advance(len(chunk))
        self.write_contacts(events)
        self.write_attachments(plan, write)
        if plan.remarks:
            paths = [e.case.organization.path for e in plan.remarks]
            bulk_update_audited(DevelopmentEvent, plan.remarks, ["remarks"], scope_paths=paths)
        changed = [s.case for s in plan.stories if s.new and not s.new_case]
        if changed:
            bulk_update_audited(
                DevelopmentCase, changed, DERIVED_FIELDS, scope_paths=[c.organization.path for c in changed]
            )
        if plan.memberships is not None:
            for item in plan.memberships.items:
                if item.obj.person_id is None:
                    item.obj.person = item.obj.person
            MEMBERSHIPS.write(plan.memberships, write)
        write.expect(DevelopmentCase, ADD, new_cases)
        write.expect(DevelopmentEvent, ADD, events)
        write.expect(DevelopmentEvent, CHANGE, plan.remarks)
        named = {
            pk
            for e in events
            for key, kind in kinds(e.step)
            if kind == "people"
            for pk in e.data.get(key, [])
        }
        write.refer(Person, VIEW, named, field="contacts", through=(DevelopmentEvent, ADD))

    @staticmethod
    def write_contacts(events):
        named = {pk for e in events if e.step in ROLES_OF for pk in e.data.get(ROLES_OF[e.step][0], [])}
        people = {}
        for chunk in chunked(sorted(named)):
            people.update((p.pk, p) for p in Person.objects.filter(pk__in=chunk).only("pk", "name"))
        contacts = []
        for event in events:
            key, role = ROLES_OF.get(event.step, (None, None))
            for person_id in event.data.get(key, []) if key else []:
                contact = CaseContact(
                    case=event.case, person=people[person_id], role=role, assigned_on=event.date
                )
                contacts.append(contact)
        if contacts:
            bulk_create_audited(
                CaseContact, contacts, scope_paths=[c.case.organization.path for c in contacts]
            )

    @staticmethod
    def write_attachments(plan, write):
        scans = []
        for index, step in enumerate(plan.steps):
            if step.attachment and index in plan.events:
                name, content = step.attachment
                scans.append(make_attachment(plan.events[index], name, content, write.user))
        if scans:
            bulk_create_audited(
                EventAttachment, scans, scope_paths=[a.event.case.organization.path for a in scans]
            )


def org_of(case):
    """The case's organization where it is known already (cached, or by its id), else None."""
    org = CASE_ORGANIZATION.get_cached_value(case, None)
    if org is None and case.organization_id:
        org = case.organization
    return org


def refusal(violation, may_override, reason):
    """What the user reads of a refused step: the rule in plain words with its source, and what can be done."""
    message = violation.message()
    if not violation.overridable:
        if reason:
            return message + _(" This is a condition of validity: no one can record it as an exception.")
        return message
    if may_override:
        return message + _(" You may record it as an exception by giving the reason below.")
    return message + _(
        " Only a district or city administrator can record it as an exception, with a written reason: ask "
        "your district's administrator."
    )


VOTES = ("S15", "S23")  # branch general meetings: "should attend" is derived
PICK_ACTION = VIEW  # a contact or introducer is chosen among the people the writer sees through that role
STEPS = StepService()


def record_steps(steps, *, by, today=None, given=None, coverage=None):
    """Record ``steps`` (``Step``s), each checked by the rules; ``StepRefusedError`` with nothing written."""
    return STEPS.save(steps, by=by, today=today, given=given, coverage=coverage)


def record_step(
    case, code, date, *, by, data=None, remarks="", exception_reason="", today=None, attachment=None
):
    """One step of one case: a batch of one."""
    step = Step(code, date, case=case, data=data or {}, remarks=remarks, exception_reason=exception_reason)
    step.attachment = attachment
    return record_steps([step], by=by, today=today)[0]
