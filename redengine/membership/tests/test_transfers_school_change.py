"""A change of a person's school, through the people's form and the 人员 sheet of the import, proposes the transfer
of their organization relationship (a ``PROPOSED`` transfer from their organization to the new school's own)
instead of moving the membership silently; either side then starts it, or dismisses it."""

import pytest
from django.urls import reverse

from redengine.core.audit import remember
from redengine.core.services import Item
from redengine.imports.tests.generated import write_xlsx
from redengine.imports.tests.importing import run
from redengine.membership.models import Transfer
from redengine.membership.services import transfers as services
from redengine.people.services import PEOPLE, SCHOOL_CHANGE_HANDLERS

from .transfer_helpers import (
    LUSHAN,
    LUSHAN_BRANCH,
    MEIXIHU_JUNIOR,
    MEIXIHU_SENIOR,
    days_ago,
    lushan_secretary,
    membership,
    org,
    person,
    reloaded,
    school,
    user,
)

pytestmark = pytest.mark.django_db


def test_the_handler_is_registered_when_the_apps_are_ready():
    assert services.propose_for_school_changes in SCHOOL_CHANGE_HANDLERS


def person_form(instance, **changes):
    data = {
        "name": instance.name,
        "id_number": "",
        "ethnic_group": instance.ethnic_group,
        "education": instance.education,
        "mobile": "",
        "school": instance.school_id,
        "post": instance.post,
        "front_line": "on" if instance.front_line else "",
        "political_status": instance.political_status,
    }
    data.update(changes)
    return data


def test_a_school_changed_on_the_persons_form_proposes_the_transfer(client_for):
    zhang = person("梅溪湖张老师")
    client = client_for("yuelu_admin")
    response = client.post(
        reverse("people:person_edit", args=[zhang.pk]), person_form(zhang, school=school(LUSHAN).pk)
    )
    assert response.status_code == 302, response.context["form"].errors
    assert person("梅溪湖张老师").school.code == LUSHAN
    # The membership did not move: the proposal waits for either side.
    assert membership("梅溪湖张老师").organization.code == MEIXIHU_JUNIOR
    (proposal,) = Transfer.objects.filter(person=zhang)
    assert proposal.status == "proposed"
    assert proposal.proposed_by_change
    assert proposal.from_organization.code == MEIXIHU_JUNIOR
    assert proposal.to_organization.code == LUSHAN_BRANCH
    assert proposal.to_school.code == LUSHAN
    assert proposal.moves.get().move == "propose"
    assert proposal.moves.get().by.username == "yuelu_admin"
    # The receiving side asks for the member, the sending side releases them.
    services.move_transfer(proposal, "request", by=lushan_secretary(), date=days_ago(0))
    proposal = reloaded(proposal)
    assert proposal.status == "requested"
    assert proposal.started_by == "receiving"
    services.move_transfer(proposal, "send", by=user("school_secretary"))
    assert reloaded(proposal).status == "accepted"
    assert membership("梅溪湖张老师").organization.code == LUSHAN_BRANCH


def test_a_proposal_is_dismissed_by_either_side_and_then_changes_nothing():
    zhang = person("梅溪湖张老师")
    PEOPLE.save([Item({"school": school(LUSHAN)}, instance=remember([zhang])[0])], by=user("yuelu_admin"))
    (proposal,) = Transfer.objects.filter(person=zhang, status="proposed")
    services.move_transfer(proposal, "cancel", by=user("school_secretary"), note="仅为临时支教，不转组织关系")
    assert reloaded(proposal).status == "cancelled"
    assert membership("梅溪湖张老师").organization.code == MEIXIHU_JUNIOR


def test_a_school_change_within_the_organizations_schools_or_of_a_non_member_proposes_nothing():
    qian = person("麓山钱老师")  # no membership, no open case
    PEOPLE.save(
        [Item({"school": school("4301040003")}, instance=remember([qian])[0])], by=user("yuelu_admin")
    )
    wang = person("梅溪湖王校长")  # a member of the school's committee: it covers only 梅溪湖中学
    assert not Transfer.objects.filter(person__in=[qian, wang]).exists()


def test_a_school_no_organization_covers_proposes_the_district_bureaus_organization():
    zhou = person("芙蓉周老师")
    PEOPLE.save(
        [Item({"school": school("4301020003")}, instance=remember([zhou])[0])], by=user("furong_admin")
    )
    (proposal,) = Transfer.objects.filter(person=zhou)
    assert proposal.to_organization.code == "CS430102"  # 芙蓉区教育局委员会: where the uncovered school lies


def test_a_second_change_of_school_does_not_propose_twice():
    li = person("梅溪湖李老师")
    PEOPLE.save([Item({"school": school(LUSHAN)}, instance=remember([li])[0])], by=user("yuelu_admin"))
    li = person("梅溪湖李老师")
    PEOPLE.save([Item({"school": school("4301040003")}, instance=remember([li])[0])], by=user("yuelu_admin"))
    assert Transfer.objects.filter(person=li).count() == 1


def test_a_school_changed_by_the_people_import_proposes_the_transfer(tmp_path):
    li = person("梅溪湖李老师")  # a probationary member of 梅溪湖中学高中部党支部
    sheets = {
        "人员": [
            ["姓名", "公民身份号码", "学校代码", "政治面貌"],
            [li.name, li.reveal_id_number(), LUSHAN, "中共预备党员"],
        ]
    }
    path = tmp_path / "people.xlsx"
    path.write_bytes(write_xlsx(sheets))
    status, _out, err = run(path, "--user", "yuelu_admin")
    assert status == 0, err
    assert person("梅溪湖李老师").school.code == LUSHAN
    assert membership("梅溪湖李老师").organization.code == MEIXIHU_SENIOR
    (proposal,) = Transfer.objects.filter(person=li)
    assert proposal.status == "proposed"
    assert proposal.to_organization == org(LUSHAN_BRANCH)
    assert proposal.from_organization.code == MEIXIHU_SENIOR
    # Imported again, the same file changes nothing and proposes nothing more.
    status, _out, err = run(path, "--user", "yuelu_admin")
    assert status == 0, err
    assert Transfer.objects.filter(person=li).count() == 1
