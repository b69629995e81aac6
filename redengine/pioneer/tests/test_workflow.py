"""The workflow of a pioneer unit through the services: applied by the school, filed and reviewed by the
district, certified (with a plaque) by the city or rejected, checked every year and revoked; every move
recorded with who and when and audited, the forbidden moves refused with a clear message and nothing
written, and the role that owns each move."""

import datetime

import pytest
from django.utils import translation

from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError
from redengine.pioneer import services
from redengine.pioneer.models import PioneerUnit, ServiceLog, UnitMove
from redengine.pioneer.services import Step

from .helpers import FURONG, MEIXIHU, advance, days_ago, new_unit, person, school, user

pytestmark = pytest.mark.django_db


def counts():
    return (
        PioneerUnit.objects.count(),
        UnitMove.objects.count(),
        ServiceLog.objects.count(),
        ObjectChange.objects.count(),
    )


def refused(call, field=None):
    """``call`` refused with nothing written; its first message (in Chinese) and field."""
    before = counts()
    with translation.override("zh-hans"), pytest.raises(RefusedError) as caught:
        call()
    assert counts() == before
    problem = caught.value.problems[0]
    if field is not None:
        assert problem.field == field, caught.value.problems
    return str(problem.message)


def test_the_whole_workflow_is_recorded_with_who_and_when_and_audited():
    secretary, district, city = user("school_secretary"), user("yuelu_admin"), user("city_admin")
    unit = new_unit("初三年级党员示范岗", by=secretary)
    assert unit.status == "applied"
    assert unit.organization.code == "CS430104-02"  # the school's own organization, left empty
    services.move_unit(unit, "file", by=district, date=days_ago(300))
    services.move_unit(unit, "review", by=district, date=days_ago(290), note="材料齐全")
    services.move_unit(unit, "certify", by=city, date=days_ago(280), plaque_number="CS-SFG-001")
    services.move_unit(unit, "check", by=district, date=days_ago(10), note="复核合格")
    unit.refresh_from_db()
    assert (unit.status, unit.plaque_number, unit.certified_on) == ("certified", "CS-SFG-001", days_ago(280))
    moves = list(unit.moves.order_by("date").values_list("move", "by__username", "late"))
    assert moves == [
        ("apply", "school_secretary", False),
        ("file", "yuelu_admin", False),
        ("review", "yuelu_admin", False),
        ("certify", "city_admin", False),
        ("check", "yuelu_admin", False),
    ]
    assert all(m.recorded_at for m in unit.moves.all())
    changes = ObjectChange.objects.filter(content_type__model="pioneerunit", object_id=str(unit.pk))
    updates = changes.filter(action="update")
    assert updates.filter(username="yuelu_admin").count() == 3  # filed, reviewed, checked
    assert updates.filter(username="city_admin").count() == 1  # certified
    assert set(changes.values_list("username", flat=True)) == {
        "school_secretary",
        "yuelu_admin",
        "city_admin",
    }
    assert ObjectChange.objects.filter(content_type__model="unitmove", action="create").count() >= 5
    services.move_unit(unit, "revoke", by=city, date=days_ago(1), note="不再符合标准")
    unit.refresh_from_db()
    assert (unit.status, unit.revoked_on, unit.reason) == ("revoked", days_ago(1), "不再符合标准")


def test_a_yearly_check_after_it_was_due_is_recorded_and_flagged_late():
    unit = advance(new_unit("逾期复核示范岗", applied=days_ago(900)), "certified", start=800)
    move = services.move_unit(unit, "check", by=user("yuelu_admin"), date=days_ago(5))
    assert move.late
    assert PioneerUnit.objects.get(pk=unit.pk).last_checked_on == days_ago(5)


def test_a_rejection_needs_its_reason():
    unit = advance(new_unit("被退回示范班", kind="class"), "filed")
    said = refused(lambda: services.move_unit(unit, "reject", by=user("yuelu_admin")), "note")
    assert said == "请填写原因。"
    services.move_unit(unit, "reject", by=user("yuelu_admin"), note="材料不全")
    assert PioneerUnit.objects.get(pk=unit.pk).status == "rejected"


def test_certifying_a_unit_never_filed_is_refused():
    unit = new_unit("未备案示范岗")
    said = refused(
        lambda: services.move_unit(unit, "certify", by=user("city_admin"), plaque_number="X-1"), "move"
    )
    assert "未经备案" in said


def test_certifying_without_a_plaque_number_is_refused():
    unit = advance(new_unit("无牌匾示范岗"), "reviewed")
    said = refused(lambda: services.move_unit(unit, "certify", by=user("city_admin")), "plaque_number")
    assert "牌匾编号" in said


def test_a_plaque_number_is_given_once():
    first = advance(new_unit("第一示范岗"), "certified", plaque="CS-ONCE-1")
    second = advance(new_unit("第二示范岗"), "reviewed")
    third = advance(new_unit("第三示范岗"), "reviewed")
    city = user("city_admin")
    said = refused(
        lambda: services.move_unit(second, "certify", by=city, plaque_number="CS-ONCE-1"), "plaque_number"
    )
    assert "CS-ONCE-1" in said
    assert first.plaque_number == "CS-ONCE-1"
    both = [Step(u, "certify", days_ago(1), plaque_number="CS-ONCE-2") for u in (second, third)]
    refused(lambda: services.move_units(both, by=city), "plaque_number")


def test_revoking_a_unit_never_certified_is_refused():
    unit = advance(new_unit("未认定示范岗"), "reviewed")
    said = refused(lambda: services.move_unit(unit, "revoke", by=user("city_admin"), note="原因"), "move")
    assert "未经授牌认定" in said


def test_a_move_in_the_future_or_before_the_previous_is_refused():
    unit = new_unit("日期示范岗", applied=days_ago(10))
    district = user("yuelu_admin")
    assert "晚于今天" in refused(
        lambda: services.move_unit(unit, "file", by=district, date=days_ago(-1)), "date"
    )
    assert "不能早于" in refused(
        lambda: services.move_unit(unit, "file", by=district, date=days_ago(20)), "date"
    )


@pytest.mark.parametrize(
    ("username", "move"),
    [
        ("school_secretary", "file"),
        ("school_secretary", "certify"),
        ("yuelu_admin", "certify"),
        ("yuelu_admin", "revoke"),
        ("inspector", "review"),
    ],
)
def test_a_role_does_only_its_own_moves(username, move):
    unit = advance(new_unit("角色示范岗"), "filed" if move in ("file", "review") else "reviewed")
    if move == "file":
        unit = new_unit("角色待备案示范岗")
    if move == "revoke":
        unit = advance(new_unit("角色已认定示范岗"), "certified")
    said = refused(
        lambda: services.move_unit(unit, move, by=user(username), note="原因", plaque_number="P-ROLE"), "move"
    )
    assert "角色" in said


def test_a_move_outside_the_scope_answers_as_a_unit_that_does_not_exist():
    unit = new_unit("外区示范岗", code=FURONG)
    with pytest.raises(RefusedError) as caught:
        services.move_unit(unit, "file", by=user("yuelu_admin"))
    assert caught.value.missing


def test_the_school_changes_its_unit_only_while_it_applies():
    secretary = user("school_secretary")
    unit = new_unit("可修改示范岗", by=secretary)
    services.record_units([Item({"commitment": "新的承诺"}, instance=unit)], by=secretary)
    unit = advance(PioneerUnit.objects.get(pk=unit.pk), "filed")
    said = refused(lambda: services.record_units([Item({"commitment": "再改"}, instance=unit)], by=secretary))
    assert "已经备案" in said
    services.record_units([Item({"commitment": "区县修改"}, instance=unit)], by=user("yuelu_admin"))


def test_a_kind_that_does_not_exist_is_refused():
    said = refused(lambda: new_unit("怪类型", kind="club"), "kind")
    assert "club" in said
    assert "示范岗" in said


def test_the_leader_and_members_are_people_of_the_school_and_the_organization_covers_it():
    stranger = person("芙蓉周老师")
    assert "芙蓉周老师" in refused(lambda: new_unit("外人示范岗", leader=stranger), "leader")
    assert "芙蓉周老师" in refused(lambda: new_unit("外人示范班", members=[stranger]), "members")
    from .helpers import org

    refused(lambda: new_unit("错组织示范岗", organization=org("CS430104-01")), "organization")


def team(name="青年志愿服务队"):
    return new_unit(name, kind="team")


def log(unit, hours, date=None, people=5):
    return Item(
        {"unit": unit, "date": date or days_ago(3), "hours": hours, "people": people, "activity": "校园值守"}
    )


def test_service_is_logged_by_volunteer_teams_only():
    post = new_unit("不是服务队")
    said = refused(lambda: services.record_service_logs([log(post, 2)], by=SYSTEM), "unit")
    assert "志愿服务队" in said
    (found,) = services.record_service_logs([log(team(), 2)], by=user("school_secretary"))
    assert found.person_hours == 10


@pytest.mark.parametrize("hours", [0, -1, 25])
def test_hours_are_more_than_0_and_at_most_24(hours):
    unit = team()
    said = refused(lambda: services.record_service_logs([log(unit, hours)], by=SYSTEM), "hours")
    assert "小时" in said


def test_the_logs_of_a_day_add_up_to_at_most_24_hours():
    unit = team()
    services.record_service_logs([log(unit, 20)], by=SYSTEM)
    refused(lambda: services.record_service_logs([log(unit, 5)], by=SYSTEM), "hours")
    services.record_service_logs([log(unit, 5, date=days_ago(4))], by=SYSTEM)


def test_two_years_of_logs_of_a_team_are_one_batch():
    """Two years of daily logs (the demo's, an import's) is checked in bulk: the day totals with the recorded
    ones, without one condition per day in a single statement."""
    unit = team()
    first = days_ago(800)
    services.record_service_logs([log(unit, 20, date=first)], by=SYSTEM)
    days = [first + datetime.timedelta(days=n) for n in range(1, 731)]
    written = services.record_service_logs([log(unit, 2, date=d) for d in days], by=SYSTEM)
    assert len(written) == 730
    refused(
        lambda: services.record_service_logs([log(unit, 5, date=d) for d in [*days[:5], first]], by=SYSTEM),
        "hours",
    )


def test_a_certified_unit_is_revoked_not_deleted():
    unit = advance(new_unit("不可删示范岗"), "certified")
    said = refused(lambda: services.delete_units([unit], by=user("yuelu_admin")))
    assert "撤销" in said
    assert school(MEIXIHU).pioneer_units.filter(pk=unit.pk).exists()
