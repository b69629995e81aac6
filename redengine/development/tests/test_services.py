"""The write path of the development services (see redengine.testing.writes): as 岳麓区's administrator,
on cases of the secretary's school and of 芙蓉区 opened by the fixture below."""

import datetime

import pytest

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.development import services
from redengine.development.models import CultivationRecord, DevelopmentCase, DevelopmentPlan
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person
from redengine.testing.writes import ServiceCase, build_service_tests

from .helpers import TODAY, new_applicant, walk

DAY = datetime.date(2022, 1, 20)
OWN, OTHER, NEAR = "写入本区老师", "写入外区老师", "写入联系人老师"


@pytest.fixture(autouse=True)
def sample_cases(db):
    for number, (name, school, org) in enumerate(
        [
            (OWN, "4301040002", "CS430104-02-01"),
            (OTHER, "4301020001", "CS430102-01"),
            (NEAR, "4301040002", "CS430104-02-01"),
        ]
    ):
        person = new_applicant(name, birth="1993-03-03", sequence=640 + number, school=school)
        case = services.open_case(person, PartyOrganization.objects.get(code=org), by=SYSTEM)
        walk(case, "S04" if name == NEAR else "S01")  # NEAR: its training contacts are chosen next
        services.save_cultivation(
            [Item({"case": case, "kind": "talk", "date": datetime.date(2022, 1, 12), "summary": "谈话"})],
            by=SYSTEM,
        )
        if name != NEAR:
            services.save_plans(
                [Item({"organization": case.organization, "year": 2032, "quota": 3})], by=SYSTEM
            )


def case(name):
    return DevelopmentCase.objects.select_related("person", "organization").get(person__name=name)


def record(name, by, code="S02", data=None):
    return services.record_step(case(name), code, DAY, data=data or {}, today=TODAY, by=by)


def name_a_contact(by):
    contact = Person.objects.get(name="芙蓉周老师")  # a full member, of another district
    return services.record_step(
        case(NEAR), "S05", datetime.date(2022, 4, 10), data={"contacts": [contact.pk]}, today=TODAY, by=by
    )


def open_for(name, by):
    values = {
        "person": Person.objects.get(name=name),
        "organization": PartyOrganization.objects.get(code="CS430104-02-01"),
    }
    return services.CASES.save([Item(values)], by=by)


def close(name, by):
    return services.close_case(case(name), "withdrawn", datetime.date(2022, 2, 1), by=by)


def undo(name, by):
    return services.delete_last_steps([case(name)], by=by)


def change_talk(name, by):
    talk = CultivationRecord.objects.get(case__person__name=name)
    return services.save_cultivation([Item({"summary": "改了"}, instance=talk)], by=by)


def talk_with(contact, by):
    values = {"case": case(OWN), "kind": "talk", "date": DAY, "contact": Person.objects.get(name=contact)}
    return services.save_cultivation([Item(values)], by=by)


def change_plan(name, by):
    plan = DevelopmentPlan.objects.get(organization=case(name).organization, year=2032)
    return services.save_plans([Item({"quota": 9}, instance=plan)], by=by)


def new_plan(code, by):
    values = {"organization": PartyOrganization.objects.get(code=code), "year": 2033, "quota": 1}
    return services.save_plans([Item(values)], by=by)


CASES = [
    ServiceCase(
        "steps",
        "yuelu_admin",
        allowed=lambda by: record(OWN, by),
        outside=lambda by: record(OTHER, by),
        reference=name_a_contact,
        field="contacts",
    ),
    ServiceCase(
        "cases",
        "yuelu_admin",
        allowed=lambda by: open_for("梅溪湖王校长", by),
        outside=lambda by: close(OTHER, by),
        reference=lambda by: open_for("芙蓉吴老师", by),
        field="person",
    ),
    ServiceCase(
        "closing", "yuelu_admin", allowed=lambda by: close(OWN, by), outside=lambda by: close(OTHER, by)
    ),
    ServiceCase(
        "undoing", "yuelu_admin", allowed=lambda by: undo(OWN, by), outside=lambda by: undo(OTHER, by)
    ),
    ServiceCase(
        "cultivation",
        "yuelu_admin",
        allowed=lambda by: change_talk(OWN, by),
        outside=lambda by: change_talk(OTHER, by),
        reference=lambda by: talk_with("芙蓉周老师", by),
        field="contact",
    ),
    ServiceCase(
        "plans",
        "yuelu_admin",
        allowed=lambda by: change_plan(OWN, by),
        outside=lambda by: change_plan(OTHER, by),
        reference=lambda by: new_plan("CS430102-01", by),
        field="organization",
    ),
]

globals().update(build_service_tests(*CASES))
