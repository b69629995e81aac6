"""The permission matrix for development records (see redengine.testing.matrix).

The sample cases sit in four places of the demo tree (the secretary's own school, a sibling school of
the same district, another district, a city-direct school); they are made for each test by the fixture
below, with the real services."""

import datetime

import pytest

from redengine.development.models import (
    CaseContact,
    CultivationRecord,
    DevelopmentCase,
    DevelopmentEvent,
    DevelopmentPlan,
)
from redengine.development.services import open_case, record_step
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person
from redengine.testing.matrix import ScopedCase, build_matrix

from .helpers import TODAY, new_applicant

PLACES = {  # position -> (person name, school code, organization code)
    "own": ("矩阵本校老师", "4301040002", "CS430104-02-01"),
    "sibling": ("矩阵邻校老师", "4301040001", "CS430104-01"),
    "other_district": ("矩阵外区老师", "4301020001", "CS430102-01"),
    "city": ("矩阵市直老师", "4301000001", "CS430100-01-01"),
}
NAMES = {position: name for position, (name, _school, _org) in PLACES.items()}
CONTACT = {
    "own": "梅溪湖张老师",
    "sibling": "麓山赵老师",
    "other_district": "芙蓉周老师",
    "city": "梅溪湖王校长",
}


@pytest.fixture(autouse=True)
def sample_cases(db):
    from redengine.orgs.models import School

    for number, (position, (name, school, org)) in enumerate(PLACES.items()):
        person = new_applicant(name, birth="1993-03-03", sequence=700 + number)
        Person.objects.filter(pk=person.pk).update(school=School.objects.get(code=school))
        person.refresh_from_db()
        organization = PartyOrganization.objects.get(code=org)
        case = open_case(person, organization)
        record_step(case, "S01", datetime.date(2024, 3, 1), today=TODAY)
        CaseContact.objects.create(
            case=case,
            person=Person.objects.get(name=CONTACT[position]),
            role="contact",
            assigned_on="2024-05-01",
        )
        CultivationRecord.objects.create(
            case=case, kind="talk", date=datetime.date(2024, 5, 2), summary=f"谈话-{position}"
        )
        DevelopmentPlan.objects.create(
            organization=organization, year=2031, quota=2, remarks=f"计划-{position}"
        )


def case_owner(obj):
    return [obj.organization]


def set_person_name(obj, marker):
    Person.objects.filter(pk=obj.person_id).update(name=marker)


CASES = ScopedCase(
    name="development_case",
    model=DevelopmentCase,
    lookup="person__name",
    owners=case_owner,
    url_prefix=None,
    list_url="development:case_list",
    api_url="/api/development/cases/",
    positions=NAMES,
    mark=set_person_name,
    api_read_only=True,  # opened by POST; the rest is derived from the steps
    patch=lambda c: {"status": "closed"},
    patched=lambda c: c.status == "closed",
)
EVENTS = ScopedCase(
    name="development_event",
    model=DevelopmentEvent,
    lookup="case__person__name",
    owners=lambda e: [e.case.organization],
    url_prefix=None,
    api_url="/api/development/events/",
    positions=NAMES,
    api_read_only=True,  # recorded by POST through the rules; corrected by removing the latest step
    patch=lambda e: {"remarks": "改了"},
    patched=lambda e: e.remarks == "改了",
)
CONTACTS = ScopedCase(
    name="case_contact",
    model=CaseContact,
    lookup="case__person__name",
    owners=lambda c: [c.case.organization],
    url_prefix=None,
    api_url="/api/development/contacts/",
    positions=NAMES,
    api_read_only=True,  # assigned with steps S05 and S09
    patch=lambda c: {"role": "introducer"},
    patched=lambda c: c.role == "introducer",
)
CULTIVATION = ScopedCase(
    name="cultivation_record",
    model=CultivationRecord,
    lookup="summary",
    owners=lambda r: [r.case.organization],
    url_prefix=None,
    api_url="/api/development/cultivation/",
    positions={position: f"谈话-{position}" for position in PLACES},
    marker_field="summary",
    patch=lambda r: {"summary": "接口改了"},
    patched=lambda r: r.summary == "接口改了",
)
PLANS = ScopedCase(
    name="development_plan",
    model=DevelopmentPlan,
    lookup="remarks",
    owners=lambda p: [p.organization],
    url_prefix=None,
    list_url="development:plan_list",
    api_url="/api/development/plans/",
    positions={position: f"计划-{position}" for position in PLACES},
    mark=lambda p, marker: PartyOrganization.objects.filter(pk=p.organization_id).update(name=marker),
    patch=lambda p: {"quota": 9},
    patched=lambda p: p.quota == 9,
)

globals().update(build_matrix(CASES, EVENTS, CONTACTS, CULTIVATION, PLANS))
