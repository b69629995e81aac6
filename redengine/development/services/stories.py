"""The shapes of a batch of steps and what the step service derives from them: the steps, the cases they
go to (recorded, or opened by the batch), and the data a step keeps."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from redengine.core.writes import RefusedError, chunked
from redengine.orgs.choices import OrgType
from redengine.people.models import Person
from redengine.people.services import MEMBER_STATUSES

from .. import engine, rules
from ..models import (
    CaseStatus,
    CloseReason,
    ContactRole,
    DevelopmentCase,
    DevelopmentEvent,
)

WRITE_CHUNK = 10_000  # steps inserted per step of the write, so that an import's progress shows
ROLES_OF = {"S05": ("contacts", ContactRole.CONTACT), "S09": ("introducers", ContactRole.INTRODUCER)}


class StepRefusedError(RefusedError):
    """Steps the rules refuse: the problems, each rule broken with its text and source."""

    @property
    def violations(self):
        return [p for p in self.problems if p.rule]


def done_of(case):
    return [engine.Done(e.step, e.date, e.data) for e in case.events.all()]


def clean_data(code, data):
    """Only the fields the step carries; people as lists of ids; empty values dropped."""
    allowed = set(rules.STEP[code].fields)
    cleaned = {}
    for key, value in (data or {}).items():
        if key not in allowed or value in (None, "", []):
            continue
        kind = rules.FIELDS[key][1]
        if kind == "derived":  # derived by the service from the records (should attend), never typed
            continue
        if kind == "people":
            cleaned[key] = sorted({int(getattr(pk, "pk", pk)) for pk in value})
        elif kind == "int":
            cleaned[key] = int(value)
        elif kind == "date":
            cleaned[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        else:
            cleaned[key] = str(value).strip()
    return cleaned


def apply_plan(case, plan, done):
    """Copy the engine's plan onto the case's derived fields (no save)."""
    application = engine.first(done, "S01")
    case.opened_on = application.date if application else None
    case.stage = plan.stage
    case.last_step = plan.last.step if plan.last else ""
    case.last_step_on = plan.last.date if plan.last else None
    upcoming, deadline = plan.next, plan.deadline
    case.next_step = upcoming.step if upcoming else ""
    case.next_earliest = upcoming.earliest if upcoming else None
    case.next_rule = upcoming.earliest_rule if upcoming else ""
    case.due_step = deadline.step if deadline else ""
    case.next_due = deadline.due if deadline else None
    case.due_rule = deadline.due_rule if deadline else ""
    case.admitted_on = plan.admitted_on
    case.probation_ends_on = plan.probation_ends_on
    case.converted_on = plan.converted_on
    if plan.finished:
        case.status, case.closed_on = CaseStatus.COMPLETED, plan.last.date
    elif plan.cancelled:
        case.status, case.close_reason, case.closed_on = (
            CaseStatus.CLOSED,
            CloseReason.PROBATION_CANCELLED,
            plan.last.date,
        )
    return case


# Steps ----------------------------------------------------------------------------------------------
@dataclass
class Step:
    """One step to record: for ``case``, or (an import) for ``person``, in their open case or in a case opened
    for them. ``remarks`` None keeps the remarks of a step recorded already; ``lenient_order`` leaves the
    order unjudged (an import row next to a row of the person's that could not be read)."""

    code: str
    date: datetime.date
    case: DevelopmentCase | None = None
    person: Person | None = None
    data: dict = field(default_factory=dict)
    remarks: str | None = ""
    exception_reason: str = ""
    attachment: tuple | None = None  # (file name, content): a scan of the step, sealed
    lenient_order: bool = False


@dataclass
class Given:
    """A person's membership as the same write leaves it (the 人员 sheet of an import)."""

    status: str
    admitted_on: datetime.date | None
    full_on: datetime.date | None
    organization: object


class Story:
    """The steps of one case in the batch: the case (recorded or opened by the batch), its steps as the
    batch leaves them, and what the batch does to it."""

    def __init__(self, case, new_case=False, completed=False):
        self.case, self.new_case, self.completed = case, new_case, completed
        self.events = list(getattr(case, "loaded_events", [])) if case.pk else []
        self.done = [engine.Done(e.step, e.date, e.data) for e in self.events]
        self.indexes = []  # the batch's steps for this case
        self.new = []  # (index, event) planned
        self.plan = None

    @property
    def person(self):
        return self.case.person

    def index_of(self, code, steps, last=False):
        found = [i for i in self.indexes if steps[i].code == code]
        if found:
            return found[-1] if last else found[0]
        return self.new[0][0] if self.new else (self.indexes[0] if self.indexes else None)


@dataclass
class StepPlan:
    steps: list
    problems: list = field(default_factory=list)
    stories: list = field(default_factory=list)
    remarks: list = field(default_factory=list)  # recorded events whose remarks change
    unchanged: list = field(default_factory=list)  # indexes of steps recorded already, as given
    memberships: object = None  # the membership service's plan
    events: dict = field(default_factory=dict)  # step index -> the event planned

    @property
    def new_events(self):
        return [event for story in self.stories for _index, event in story.new]

    def counts(self):
        return {"new": len(self.new_events), "changed": len(self.remarks), "unchanged": len(self.unchanged)}


CASE_PERSON = DevelopmentCase._meta.get_field("person")
CASE_ORGANIZATION = DevelopmentCase._meta.get_field("organization")


def kinds(code):
    return [(key, rules.FIELDS[key][1]) for key in rules.STEP[code].fields]


def person_key(person):
    return person.pk or id(person)


def school_of(person):
    field_ = Person._meta.get_field("school")
    if field_.is_cached(person):
        return field_.get_cached_value(person)
    return person.school if person.school_id else None


def effective_membership(person, given, current):
    """The person's membership as the write leaves it: the one the same write gives, else the recorded one."""
    found = given.get(person_key(person))
    if found is not None:
        return found if found.status in MEMBER_STATUSES else None
    return current.get(person.pk) if person.pk else None


def admission_disagrees(membership, from_file):
    if from_file is not None:
        return _(
            "The 人员 sheet gives this person's date admitted (入党日期) as %(date)s: the branch general meeting "
            "that admits them (S15) must be on that date."
        ) % {"date": membership.admitted_on.isoformat()}
    return _(
        "This person is recorded as admitted on %(date)s: the branch general meeting that admits them (S15) "
        "must be on that date."
    ) % {"date": membership.admitted_on.isoformat()}


def recorded_cases(cases, people):
    """{"by_pk": {pk: case}, "of_person": {person pk: [cases]}}, each case with its steps in
    ``loaded_events``: two queries per 5,000."""
    by_pk, of_person = {}, defaultdict(list)
    person_by_pk = {p.pk: p for p in people}
    found = list(
        DevelopmentCase.objects.filter(pk__in=[c.pk for c in cases]).select_related("person", "organization")
    )
    for chunk in chunked(sorted(person_by_pk)):
        found += list(DevelopmentCase.objects.filter(person_id__in=chunk).select_related("organization"))
    for case in found:
        if case.person_id in person_by_pk:
            CASE_PERSON.set_cached_value(case, person_by_pk[case.person_id])
        case.loaded_events = []
        by_pk[case.pk] = case
    for chunk in chunked(sorted(by_pk)):
        for event in DevelopmentEvent.objects.filter(case_id__in=chunk).order_by("date", "id"):
            event.case = by_pk[event.case_id]
            by_pk[event.case_id].loaded_events.append(event)
    for case in by_pk.values():
        if case.person_id in person_by_pk and case not in of_person[case.person_id]:
            of_person[case.person_id].append(case)
    for person_cases in of_person.values():
        person_cases.sort(key=lambda case: case.pk)
    return {"by_pk": by_pk, "of_person": of_person}


def covering_orgs(schools, coverage=None):
    """{school code: [organizations covering it]}, recorded ones by path first, then new ones by code.
    ``coverage`` ([(organization, school codes)]) replaces the recorded coverage of the organizations it
    names (an import's 党组织 sheet, whose organizations may be new)."""
    from redengine.orgs.models import PartyOrganization

    by_code = defaultdict(list)
    code_of = {s.pk: s.code for s in schools if s is not None and s.pk}
    through = PartyOrganization.schools.through
    for chunk in chunked(sorted(code_of)):
        for link in through.objects.filter(school_id__in=chunk).select_related("partyorganization"):
            by_code[code_of[link.school_id]].append(link.partyorganization)
    redefined = {org.code: (org, set(codes)) for org, codes in coverage or ()}
    for code, found in by_code.items():
        by_code[code] = [o for o in found if o.code not in redefined or code in redefined[o.code][1]]
    for org, codes in redefined.values():
        for code in codes:
            if all(o.code != org.code for o in by_code[code]):
                by_code[code].append(org)
    for found in by_code.values():
        found.sort(key=lambda org: (0, org.path, org.code) if org.pk else (1, "", org.code))
    return by_code


def admission_problem(org):
    """Why a development case cannot open in ``org``, or None: admission passes through a branch (党章 art. 5;
    细则 art. 21), so a case opens in a branch or a joint branch — not in a temporary branch, which does not
    admit members, nor in a general branch or a committee."""
    if org is None or org.admits_members:
        return None
    if org.org_type == OrgType.TEMPORARY_BRANCH:
        return _(
            "%(org)s is a temporary branch, which does not admit members: open the case in the branch of the "
            "person's own unit."
        ) % {"org": org.name}
    return _(
        "%(org)s is a %(type)s: admission passes through a branch (Party Constitution art. 5; Rules on "
        "developing members art. 21), so the case opens in the branch or joint branch the person belongs to."
    ) % {"org": org.name, "type": org.get_org_type_display()}
