"""Floating members (流动党员): the record makes the state floating from the day away (with a change of state
written beside it), the return makes it active again; a second open record, a day away in the future, a
return before the day away are refused; away ``transfer.away_months`` or more, the record says that a
transfer should be considered (a flag, not a refusal)."""

import datetime

import pytest

from redengine.core.dates import add_months
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.membership.models import FloatingRecord, StatusChange
from redengine.membership.services.statuses import (
    Return,
    record_floating,
    return_floating,
    transfer_advised,
)

from .status_helpers import D, change, float_away, membership_of, messages, new_member, refresh, refused, user

pytestmark = pytest.mark.django_db


def test_away_then_back_moves_the_state_with_a_change_each_time():
    m = new_member("流动甲老师")
    record = float_away(m, "2025-03-01", place="广州市天河区", takes_part_in="天河区某街道流动党员党支部")
    m = refresh(m)
    assert (m.status, m.status_since) == ("floating", D("2025-03-01"))
    away = StatusChange.objects.get(membership=m)
    assert (away.from_status, away.to_status, away.date) == ("active", "floating", D("2025-03-01"))
    assert "广州市天河区" in away.reason

    (back,) = return_floating([Return(record, D("2025-09-15"), "学习结束返校")], by=SYSTEM)
    record.refresh_from_db()
    assert record.returned_on == D("2025-09-15")
    m = refresh(m)
    assert (m.status, m.status_since) == ("active", D("2025-09-15"))
    last = StatusChange.objects.filter(membership=m).latest("date")
    assert (last.from_status, last.to_status) == ("floating", "active")
    assert "学习结束返校" in last.reason


def test_a_second_open_record_is_refused():
    m = new_member("流动乙老师")
    float_away(m, "2025-03-01")
    item = Item({"membership": refresh(m), "place": "北京市", "reason": "study", "left_on": D("2025-04-01")})
    problems = refused(record_floating, [item], by=SYSTEM)
    assert [(f, "2025-03-01" in message and "返回" in message) for _i, f, message in problems] == [
        ("membership", True)
    ]


def test_a_day_away_in_the_future_or_before_the_admission_is_refused():
    m = new_member("流动丙老师", admitted="2015-06-20")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    item = Item({"membership": m, "place": "北京市", "reason": "study", "left_on": tomorrow})
    problems = refused(record_floating, [item], by=SYSTEM)
    assert [(f, "将来" in message) for _i, f, message in problems] == [("left_on", True)]
    item = Item({"membership": m, "place": "北京市", "reason": "study", "left_on": D("2015-01-01")})
    problems = refused(record_floating, [item], by=SYSTEM)
    assert [f for _i, f, _message in problems] == ["left_on"]


def test_a_place_and_a_reason_are_required():
    m = new_member("流动丁老师")
    item = Item({"membership": m, "place": " ", "reason": "", "left_on": D("2025-03-01")})
    problems = refused(record_floating, [item], by=SYSTEM)
    assert {f for _i, f, _message in problems} == {"place", "reason"}


def test_only_an_active_member_becomes_floating():
    m = new_member("流动戊老师")
    change(m, "out_of_contact", "2025-01-10")
    item = Item({"membership": refresh(m), "place": "北京市", "reason": "study", "left_on": D("2025-03-01")})
    problems = refused(record_floating, [item], by=SYSTEM)
    assert [f for _i, f, _message in problems] == ["membership"]


def test_a_return_before_leaving_or_twice_is_refused():
    m = new_member("流动己老师")
    record = float_away(m, "2025-03-01")
    problems = refused(return_floating, [Return(record, D("2025-02-01"))], by=SYSTEM)
    assert [(f, "2025-03-01" in message) for _i, f, message in problems] == [("date", True)]
    return_floating([Return(record, D("2025-05-01"))], by=SYSTEM)
    record.refresh_from_db()
    problems = refused(return_floating, [Return(record, D("2025-06-01"))], by=SYSTEM)
    assert "2025-05-01" in messages(problems)


def test_the_member_and_the_day_away_of_a_record_are_fixed_the_rest_changes():
    m = new_member("流动庚老师")
    record = float_away(m, "2025-03-01")
    problems = refused(record_floating, [Item({"left_on": D("2025-02-01")}, instance=record)], by=SYSTEM)
    assert [f for _i, f, _message in problems] == ["left_on"]
    record = FloatingRecord.objects.get(pk=record.pk)  # (the refused item changed the copy it was given)
    record_floating([Item({"takes_part_in": "南山区流动党员党支部"}, instance=record)], by=SYSTEM)
    assert FloatingRecord.objects.get(pk=record.pk).takes_part_in == "南山区流动党员党支部"
    assert StatusChange.objects.filter(membership=m).count() == 1  # no change of state for an edit


def test_away_six_months_at_a_place_a_transfer_should_be_considered():
    m = new_member("流动辛老师")
    record = float_away(m, "2025-01-15")
    assert not transfer_advised(record, today=D("2025-07-14"))  # five months and a half
    assert transfer_advised(record, today=D("2025-07-15"))  # six months: flagged, not refused
    assert transfer_advised(record, today=add_months(D("2025-01-15"), 7))
    return_floating([Return(record, D("2025-08-01"))], by=SYSTEM)
    record.refresh_from_db()
    assert not transfer_advised(record, today=D("2025-09-01"))  # back: nothing to transfer


def test_a_secretary_records_the_schools_floating_members_only():
    secretary = user("school_secretary")
    own = membership_of("梅溪湖张老师")
    record = float_away(own, "2025-03-01", by=secretary)
    assert ObjectChange.objects.filter(
        content_type__model="floatingrecord", object_id=str(record.pk)
    ).get().username == ("school_secretary")
    other = membership_of("芙蓉周老师")
    item = Item({"membership": other, "place": "北京市", "reason": "study", "left_on": D("2025-03-01")})
    problems = refused(record_floating, [item], by=secretary)
    assert [f for _i, f, _message in problems] == ["membership"]
    away = float_away(other, "2025-03-01")
    problems = refused(return_floating, [Return(away, D("2025-04-01"))], by=secretary)
    assert [(i, f) for i, f, _message in problems] == [(0, None)]  # answered as a record that does not exist
