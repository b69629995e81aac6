"""The write path of the people's services (see redengine.testing.writes): as 岳麓区's administrator."""

import datetime

from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.orgs.models import PartyOrganization, School
from redengine.people import services
from redengine.people.models import CommitteePost, Dispatch, GuidanceRecord, Honor, Membership, Person
from redengine.testing.writes import ServiceCase, build_service_tests

DAY = datetime.date(2025, 3, 1)


def person(name):
    return Person.objects.get(name=name)


def new_person(school, by):
    values = {
        "name": "新建测试人员",
        "id_number": make_id_number("430104", datetime.date(1991, 1, 1), 7),
        "school": School.objects.get(code=school),
        "post": "teacher",
    }
    return services.save_people([Item(values)], by=by)


def rename(name, by):
    return services.save_people([Item({"name": "改名测试"}, instance=person(name))], by=by)


def end_membership(name, by):
    return services.MEMBERSHIPS.end([person(name)], DAY, by=by)


def new_membership(name, by):
    values = {
        "person": person(name),
        "organization": PartyOrganization.objects.get(code="CS430104-02-01"),
        "admitted_on": datetime.date(2024, 7, 1),
    }
    return services.set_memberships([Item(values)], by=by)


def award(name, by):
    values = {"person": person(name), "title": "excellent_teacher", "level": "city", "awarded_on": DAY}
    return services.award_titles([Item(values)], by=by)


def change_title(name, by):
    honor = Honor.objects.filter(person__name=name).first()
    return services.award_titles([Item({"level": "school"}, instance=honor)], by=by)


def change_dispatch(name, by):
    dispatch = Dispatch.objects.get(person__name=name)
    return services.save_dispatches([Item({"dispatching_body": "改派测试"}, instance=dispatch)], by=by)


def new_dispatch(name, by):
    values = {
        "person": person(name),
        "role": "instructor",
        "school": School.objects.get(code="4301040004"),
        "dispatching_body": "岳麓区教育局",
        "start_on": DAY,
    }
    return services.save_dispatches([Item(values)], by=by)


def new_post(name, by):
    values = {
        "organization": PartyOrganization.objects.get(code="CS430104-02"),
        "person": person(name),
        "post": "organizing",
        "start_on": DAY,
    }
    return services.save_posts([Item(values)], by=by)


def change_post(name, by):
    post = CommitteePost.objects.get(person__name=name)
    return services.save_posts([Item({"post": "deputy_secretary"}, instance=post)], by=by)


def guidance(name, school, by):
    dispatch = Dispatch.objects.get(person__name=name, school__code=school, role="instructor")
    values = {"dispatch": dispatch, "held_on": DAY, "kind": "service", "content": "服务测试"}
    return services.record_guidance([Item(values)], by=by)


def change_guidance(school, by):
    record = GuidanceRecord.objects.filter(school__code=school).first()
    return services.record_guidance([Item({"content": "改指导测试"}, instance=record)], by=by)


CASES = [
    ServiceCase(
        "people",
        "yuelu_admin",
        allowed=lambda by: rename("梅溪湖张老师", by),
        outside=lambda by: rename("芙蓉周老师", by),
        reference=lambda by: new_person("4301020001", by),
        field="school",
    ),
    ServiceCase(
        "memberships",
        "yuelu_admin",
        allowed=lambda by: end_membership("梅溪湖李老师", by),
        outside=lambda by: end_membership("芙蓉周老师", by),
        reference=lambda by: new_membership("芙蓉吴老师", by),
        field="person",
    ),
    ServiceCase(
        "titles",
        "yuelu_admin",
        allowed=lambda by: award("梅溪湖张老师", by),
        outside=lambda by: change_title("芙蓉周老师", by),
        reference=lambda by: award("芙蓉吴老师", by),
        field="person",
    ),
    ServiceCase(
        "dispatches",
        "yuelu_admin",
        allowed=lambda by: change_dispatch("麓山赵老师", by),
        outside=lambda by: change_dispatch("芙蓉周老师", by),
        reference=lambda by: new_dispatch("芙蓉吴老师", by),
        field="person",
    ),
    ServiceCase(
        "committee_posts",
        "yuelu_admin",
        allowed=lambda by: new_post("梅溪湖张老师", by),
        outside=lambda by: change_post("芙蓉周老师", by),
        reference=lambda by: new_post("芙蓉吴老师", by),
        field="person",
    ),
]

CASES.append(
    ServiceCase(
        "guidance",
        "instructor",
        allowed=lambda by: guidance("刘卫东", "4301040004", by),
        outside=lambda by: change_guidance("4301020003", by),
        reference=lambda by: guidance("芙蓉周老师", "4301020003", by),
        field="dispatch",
    )
)

globals().update(build_service_tests(*CASES))


def test_a_membership_ended_makes_its_person_masses_again(example_user):
    services.MEMBERSHIPS.end([person("梅溪湖李老师")], DAY, by=example_user("yuelu_admin"))
    assert person("梅溪湖李老师").political_status == "masses"
    assert not Membership.objects.current().filter(person__name="梅溪湖李老师").exists()
