"""The permission matrix of member development (see redengine.testing.matrix): cases, steps, scans, contacts,
cultivation records and plans, with every page, action, fragment and API method they have.

The sample cases sit in four places of the demo tree (the secretary's own school, a sibling school of
the same district, another district, a city-direct school); each case's ``setup`` makes what it needs
with the real services, for each test."""

import datetime

from django.utils import timezone

from redengine.core.services import Item
from redengine.core.writes import SYSTEM, writing
from redengine.development.models import (
    CaseContact,
    CaseStatus,
    CultivationRecord,
    DevelopmentCase,
    DevelopmentEvent,
    DevelopmentPlan,
    EventAttachment,
)
from redengine.development.services import open_case, record_step, save_cultivation, save_plans
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person
from redengine.testing.matrix import (
    Action,
    ApiCreate,
    ApiDelete,
    ApiDetail,
    ApiList,
    ApiPatch,
    Confirm,
    Create,
    Delete,
    Detail,
    Edit,
    Export,
    ListPage,
    Needs,
    ScopedCase,
    build_matrix,
)

from .helpers import TODAY, new_applicant, walk

PLACES = {  # position -> (person name, school code, organization code)
    "own": ("矩阵本校老师", "4301040002", "CS430104-02-01"),
    "sibling": ("矩阵邻校老师", "4301040001", "CS430104-01"),
    "other_district": ("矩阵外区老师", "4301020001", "CS430102-01"),
    "city": ("矩阵市直老师", "4301000001", "CS430100-01-01"),
}
NAMES = {position: name for position, (name, _school, _org) in PLACES.items()}
CONTACT = {  # a full member near each case: its training contact
    "own": "梅溪湖张老师",
    "sibling": "麓山赵老师",
    "other_district": "芙蓉周老师",
    "city": "梅溪湖王校长",
}
SCAN = ("扫描件.pdf", b"%PDF-1.4 matrix")


def org(code):
    return PartyOrganization.objects.get(code=code)


def person(name):
    return Person.objects.get(name=name)


def person_owners(p):
    return list(p.school.organizations.all()) or list(
        PartyOrganization.objects.filter(district=p.school.district)
    )


def sample_cases(upto="S01", contacts=False, cultivation=False, scan=False):
    """A case for each place, its steps up to ``upto`` (S01 with a scan, if asked), a training contact and a
    talk with them."""
    for number, (position, (name, school, code)) in enumerate(PLACES.items()):
        applicant = new_applicant(name, birth="1993-03-03", sequence=700 + number, school=school)
        case = open_case(applicant, org(code), by=SYSTEM)
        if scan:
            record_step(case, "S01", datetime.date(2022, 1, 10), today=TODAY, by=SYSTEM, attachment=SCAN)
        else:
            walk(case, upto)
        if contacts:
            with writing(SYSTEM):  # a contact as step S05 would assign one, without the steps between
                CaseContact.objects.create(
                    case=case, person=person(CONTACT[position]), role="contact", assigned_on="2022-05-01"
                )
        if cultivation:
            values = {
                "case": case,
                "kind": "talk",
                "date": datetime.date(2022, 5, 2),
                "summary": f"谈话-{position}",
            }
            save_cultivation([Item(values)], by=SYSTEM)


def case_owners(c):
    return [c.organization]


def set_person_name(obj, marker):
    Person.objects.filter(pk=obj.person_id).update(name=marker)


NAMED_PERSON = Needs(
    lambda place: person_owners(person(place[0])), action="change", model=Person, field="person"
)
IN_ORGANIZATION = Needs(lambda place: [org(place[1])], action="add", field="organization")


# 发展对象 ------------------------------------------------------------------------------------------
def cases_and_a_newcomer():
    sample_cases()
    new_applicant("矩阵新人", birth="1994-04-04", sequence=720)


# A new case: (person without one, organization). The last names an organization of another district.
CASE_PLACES = {
    "own": ("矩阵新人", "CS430104-02-01"),
    "sibling": ("麓山钱老师", "CS430104-01"),
    "joint": ("明德孙老师", "CS430104-04"),
    "other_district": ("芙蓉吴老师", "CS430102-01"),
    "organization_elsewhere": ("矩阵新人", "CS430102-01"),
}
NEW_CASE = lambda place: DevelopmentCase.objects.filter(person__name=place[0])  # noqa: E731
STEPPED = {("developmentevent", "create"): 1, ("developmentcase", "update"): 1}

CASES = ScopedCase(
    name="development_case",
    model=DevelopmentCase,
    lookup="person__name",
    owners=case_owners,
    positions=NAMES,
    setup=cases_and_a_newcomer,
    mark=set_person_name,
    views=[
        ListPage("development:case_list", query={}),
        Export("development:case_list"),
        ListPage("development:due", query={}),
        Export("development:due"),
        Detail("development:case_detail"),
        Create(
            "development:case_add",
            places=CASE_PLACES,
            data=lambda place: {"person": person(place[0]).pk, "organization": org(place[1]).pk},
            needs=[NAMED_PERSON, IN_ORGANIZATION],
            created=NEW_CASE,
        ),
        Action(
            "development:step_add",
            action="add",
            model=DevelopmentEvent,
            data=lambda c: {"step": "S02", "date": "2022-01-25"},
            done=lambda c: c.events.filter(step="S02").exists(),
            records=lambda c: STEPPED,
        ),
        Confirm(
            "development:step_undo",
            label="confirm",
            action="delete",
            says=lambda c: f"将删除{c.person.name}的最近一步",
            done=lambda c: not c.events.exists(),
        ),
        Action(
            "development:step_undo",
            action="delete",
            data=lambda c: {},
            done=lambda c: not c.events.exists(),
            records=lambda c: {("developmentevent", "delete"): 1, ("developmentcase", "update"): 1},
        ),
        Action(
            "development:case_close",
            action="change",
            data=lambda c: {"reason": "withdrawn", "closed_on": timezone.localdate().isoformat()},
            done=lambda c: DevelopmentCase.objects.get(pk=c.pk).status == CaseStatus.CLOSED,
            records=lambda c: {("developmentcase", "update"): 1},
        ),
        ApiList("developmentcase-list"),
        ApiDetail("developmentcase-detail"),
        ApiCreate(
            "developmentcase-list",
            places=CASE_PLACES,
            body=lambda place: {"person": person(place[0]).pk, "organization": place[1]},
            needs=[NAMED_PERSON, IN_ORGANIZATION],
            created=NEW_CASE,
        ),
        # Derived from the steps: opened by POST, changed only by recording or removing steps.
        ApiPatch("developmentcase-detail", writable=False),
        ApiDelete("developmentcase-detail", writable=False),
        ApiList("developmentdue-list"),
        ApiDetail("developmentdue-detail"),
    ],
)


# 发展环节 ------------------------------------------------------------------------------------------
def step_with(contact):
    """Step S05 of the case (its training contacts chosen), naming ``contact``."""
    return lambda e: {
        "case": e.case_id,
        "step": "S05",
        "date": "2022-04-10",
        "data": {"contacts": [person(contact).pk]},
    }


def named_contact(contact):
    return Needs(lambda e: person_owners(person(contact)), action="view", model=Person, field="contacts")


OF_CASE = Needs(lambda record: [record.case.organization], action="add", field="case")
NEW_STEP = lambda e: DevelopmentEvent.objects.filter(case=e.case_id, step="S05")  # noqa: E731
CONTACTED = {**STEPPED, ("casecontact", "create"): 1}

EVENTS = ScopedCase(
    name="development_event",
    model=DevelopmentEvent,
    owners=lambda e: [e.case.organization],
    positions=NAMES,
    find=lambda name: DevelopmentEvent.objects.get(case__person__name=name, step="S01"),
    setup=lambda: sample_cases(upto="S04"),
    views=[
        ApiList("developmentevent-list"),
        ApiDetail("developmentevent-detail"),
        ApiCreate(
            "developmentevent-list",
            label="contact_inside",
            body=step_with("梅溪湖张老师"),
            needs=[OF_CASE, named_contact("梅溪湖张老师")],
            created=NEW_STEP,
            records=lambda e: CONTACTED,
        ),
        ApiCreate(
            "developmentevent-list",
            label="contact_outside",  # a full member of 芙蓉区, outside 岳麓区
            body=step_with("芙蓉周老师"),
            needs=[OF_CASE, named_contact("芙蓉周老师")],
            created=NEW_STEP,
            records=lambda e: CONTACTED,
        ),
        # A correction removes the latest step (development:step_undo); nothing else changes a step.
        ApiPatch("developmentevent-detail", writable=False),
        ApiDelete("developmentevent-detail", writable=False),
    ],
)

ATTACHMENTS = ScopedCase(
    name="event_attachment",
    model=EventAttachment,
    owners=lambda a: [a.event.case.organization],
    positions=NAMES,
    find=lambda name: EventAttachment.objects.get(event__case__person__name=name),
    setup=lambda: sample_cases(scan=True),
    views=[Detail("development:attachment", logs="export")],
)

CONTACTS = ScopedCase(
    name="case_contact",
    model=CaseContact,
    owners=lambda c: [c.case.organization],
    positions=NAMES,
    find=lambda name: CaseContact.objects.get(case__person__name=name),
    setup=lambda: sample_cases(contacts=True),
    views=[
        ApiList("casecontact-list"),
        ApiDetail("casecontact-detail"),
        # Assigned with steps S05 and S09 (development:step_add, the events' POST).
        ApiCreate("casecontact-list", writable=False),
        ApiPatch("casecontact-detail", writable=False),
        ApiDelete("casecontact-detail", writable=False),
    ],
)


# 培养教育 ------------------------------------------------------------------------------------------
def talk(r, contact=None):
    contact = person(contact) if contact else r.case.contacts.get().person
    return {
        "case": r.case_id,
        "kind": "talk",
        "date": "2022-06-01",
        "contact": contact.pk,
        "summary": "矩阵谈话",
    }


ON_CASE = Needs(lambda r: [r.case.organization], action="change", model=DevelopmentCase, field="case")
NEW_TALK = lambda r: CultivationRecord.objects.filter(summary="矩阵谈话")  # noqa: E731

CULTIVATION = ScopedCase(
    name="cultivation_record",
    model=CultivationRecord,
    lookup="summary",
    owners=lambda r: [r.case.organization],
    positions={position: f"谈话-{position}" for position in PLACES},
    setup=lambda: sample_cases(contacts=True, cultivation=True),
    marker_field="summary",
    views=[
        Create(
            "development:cultivation_add",
            query=lambda r: {"case": r.case_id},
            parent=ON_CASE,
            data=talk,
            created=NEW_TALK,
        ),
        ApiList("cultivationrecord-list"),
        ApiDetail("cultivationrecord-detail"),
        ApiCreate(
            "cultivationrecord-list", label="own_contact", body=talk, needs=[ON_CASE], created=NEW_TALK
        ),
        ApiCreate(
            "cultivationrecord-list",
            label="contact_outside",  # a full member of 芙蓉区, outside 岳麓区
            body=lambda r: talk(r, "芙蓉周老师"),
            needs=[
                ON_CASE,
                Needs(
                    lambda r: person_owners(person("芙蓉周老师")),
                    action="view",
                    model=Person,
                    field="contact",
                ),
            ],
            created=NEW_TALK,
        ),
        ApiPatch(
            "cultivationrecord-detail",
            body=lambda r: {"summary": "接口改了"},
            done=lambda r: r.summary == "接口改了",
        ),
        ApiDelete("cultivationrecord-detail"),
    ],
)


# 年度计划 ------------------------------------------------------------------------------------------
def sample_plans():
    items = [
        Item({"organization": org(code), "year": 2031, "quota": 2, "remarks": f"计划-{position}"})
        for position, (_name, _school, code) in PLACES.items()
    ]
    save_plans(items, by=SYSTEM)


PLAN_PLACES = {position: code for position, (_name, _school, code) in PLACES.items()}
NEW_PLAN = lambda code: DevelopmentPlan.objects.filter(remarks="矩阵计划")  # noqa: E731
OF_ORGANIZATION = [Needs(lambda code: [org(code)], action="add", field="organization")]


def new_plan(code):
    return {"organization": code, "year": 2032, "quota": 3, "front_line_quota": 1, "remarks": "矩阵计划"}


PLANS = ScopedCase(
    name="development_plan",
    model=DevelopmentPlan,
    lookup="remarks",
    owners=lambda p: [p.organization],
    positions={position: f"计划-{position}" for position in PLACES},
    setup=sample_plans,
    mark=lambda p, marker: PartyOrganization.objects.filter(pk=p.organization_id).update(name=marker),
    views=[
        ListPage("development:plan_list", query={}),
        Export("development:plan_list"),
        Create(
            "development:plan_add",
            places=PLAN_PLACES,
            data=lambda code: {**new_plan(code), "organization": org(code).pk, "young_backbone_quota": 0},
            needs=OF_ORGANIZATION,
            created=NEW_PLAN,
        ),
        Edit(
            "development:plan_edit",
            change=("quota", 9),
            fields=["organization", "year", "quota", "front_line_quota", "young_backbone_quota", "remarks"],
        ),
        Delete("development:plan_delete"),
        ApiList("developmentplan-list"),
        ApiDetail("developmentplan-detail"),
        ApiCreate(
            "developmentplan-list", places=PLAN_PLACES, body=new_plan, needs=OF_ORGANIZATION, created=NEW_PLAN
        ),
        ApiPatch("developmentplan-detail", body=lambda p: {"quota": 9}, done=lambda p: p.quota == 9),
        ApiDelete("developmentplan-detail"),
    ],
)

globals().update(build_matrix(CASES, EVENTS, ATTACHMENTS, CONTACTS, CULTIVATION, PLANS))
