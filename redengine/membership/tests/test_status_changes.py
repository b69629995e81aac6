"""Changes of a membership's state (``record_status_changes``), on a calendar: the moves ``rules.STATUS_MOVES``
lists, each with its date, reason and — where the branch general meeting decides and a higher organization
approves — the resolution and the approval; every forbidden move refused with a Chinese message and nothing
written; an ending state ends the membership and the political status follows; every decision audited with
its resolution and approval; the writer's scope."""

import datetime

import pytest
from django.utils import translation

from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, not_yours
from redengine.membership.models import FloatingRecord, StatusChange
from redengine.membership.rules import STATUS_MOVES
from redengine.membership.services.statuses import record_status_changes
from redengine.people.choices import MembershipStatus

from .status_helpers import (
    D,
    change,
    decision,
    discipline,
    float_away,
    has_chinese,
    membership_of,
    messages,
    new_member,
    refresh,
    refused,
    user,
)

pytestmark = pytest.mark.django_db


def item(m, to, day, **values):
    return Item({"membership": m, "to_status": to, "date": D(day), "reason": "原因", **values})


def test_out_of_contact_then_suspended_then_restored_each_with_what_the_rules_require():
    m = new_member("状态甲老师", admitted="2015-06-20")
    lost = change(m, "out_of_contact", "2024-01-10", reason="多次联系未果")
    assert (lost.from_status, lost.to_status, lost.date) == ("active", "out_of_contact", D("2024-01-10"))
    m = refresh(m)
    assert (m.status, m.status_since, m.ended_on) == ("out_of_contact", D("2024-01-10"), None)

    suspended = change(m, "suspended", "2024-08-01", reason="失联六个月以上")
    assert suspended.from_status == "out_of_contact"
    assert (suspended.resolution_on, suspended.approved_on) == (D("2024-08-01"), D("2024-08-01"))
    m = refresh(m)
    assert (m.status, m.status_since) == ("suspended", D("2024-08-01"))

    restored = change(m, "active", "2025-03-01", reason="本人主动联系，恢复党籍")
    assert (restored.from_status, restored.to_status) == ("suspended", "active")
    m = refresh(m)
    assert (m.status, m.status_since, m.ended_on) == ("active", D("2025-03-01"), None)
    assert m.person.political_status == "member"  # the membership never ended
    assert list(
        StatusChange.objects.filter(membership=m).order_by("date").values_list("to_status", flat=True)
    ) == [
        "out_of_contact",
        "suspended",
        "active",
    ]


def test_an_ending_state_ends_the_membership_and_the_political_status_follows():
    m = new_member("状态乙老师")
    assert m.person.political_status == "member"
    change(m, "left", "2025-05-10", reason="连续六个月不参加组织生活，经教育仍无转变")
    m = refresh(m)
    assert (m.status, m.status_since, m.ended_on) == ("left", D("2025-05-10"), D("2025-05-10"))
    assert m.person.political_status == "masses"


@pytest.mark.parametrize(
    ("ending", "how"),
    [
        ("removed", "change"),
        ("left", "change"),
        ("withdrawn", "change"),
        ("deceased", "change"),
        ("expelled", "discipline"),
    ],
)
def test_an_ended_membership_stays_so(ending, how):
    """A removed, expelled, withdrawn, deceased member (or one who left) is not made active again, nor anything
    else: they may apply to join again (STATUS.SUSPEND)."""
    m = new_member(f"结束{ending}老师")
    if how == "discipline":
        discipline(m, "expulsion", "2025-02-01")
    else:
        change(m, ending, "2025-02-01")
    m = refresh(m)
    assert m.ended_on == D("2025-02-01")
    for to in ("active", "out_of_contact", "suspended"):
        values = decision(D("2025-03-01"))
        problems = refused(record_status_changes, [item(m, to, "2025-03-01", **values)], by=SYSTEM)
        assert any(field == "to_status" for _i, field, _m in problems), problems
        assert "可以重新申请入党" in messages(problems), problems


def test_a_suspended_member_is_not_restored_without_the_resolution_and_the_approval():
    m = new_member("状态丙老师")
    change(m, "out_of_contact", "2023-01-10")
    change(refresh(m), "suspended", "2023-08-01")
    m = refresh(m)
    problems = refused(record_status_changes, [item(m, "active", "2025-01-05")], by=SYSTEM)
    assert {field for _i, field, _m in problems} == {
        "resolution",
        "resolution_on",
        "approved_by",
        "approved_on",
    }
    text = messages(problems)
    assert "支部党员大会" in text
    assert "上级党组织" in text
    assert "党员教育管理工作条例第二十四条" in text
    # With the resolution but not the approval: still refused, on the approval's fields only.
    values = {"resolution": "支部党员大会决议", "resolution_on": D("2025-01-05")}
    problems = refused(record_status_changes, [item(m, "active", "2025-01-05", **values)], by=SYSTEM)
    assert {field for _i, field, _m in problems} == {"approved_by", "approved_on"}


@pytest.mark.parametrize(
    ("start", "to", "field", "words"),
    [
        ("active", "suspended", "to_status", "只能"),  # suspension comes after out of contact
        ("active", "expelled", "to_status", "党纪处分"),  # 开除党籍 is the discipline's
        ("active", "floating", "to_status", "流动党员"),  # with a floating record
        ("active", "active", "to_status", "已经"),
        ("out_of_contact", "withdrawn", "to_status", "只能"),
        ("active", "no_such_state", "to_status", "没有"),
    ],
)
def test_moves_the_rules_do_not_list_are_refused(start, to, field, words):
    m = new_member(f"禁止{start}{to}老师")
    if start != "active":
        change(m, start, "2024-01-10")
        m = refresh(m)
    problems = refused(
        record_status_changes, [item(m, to, "2025-01-05", **decision(D("2025-01-05")))], by=SYSTEM
    )
    assert [(f, words in message) for _i, f, message in problems] == [(field, True)], problems
    assert all(has_chinese(message) for _i, _f, message in problems)


def test_dates_in_the_future_before_the_admission_or_the_previous_change_are_refused():
    m = new_member("日期老师", admitted="2015-06-20")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    problems = refused(record_status_changes, [item(m, "out_of_contact", tomorrow.isoformat())], by=SYSTEM)
    assert [(f, "将来" in message) for _i, f, message in problems] == [("date", True)]
    problems = refused(record_status_changes, [item(m, "out_of_contact", "2015-01-01")], by=SYSTEM)
    assert [(f, "2015-06-20" in message) for _i, f, message in problems] == [("date", True)]
    change(m, "out_of_contact", "2024-03-01")
    problems = refused(record_status_changes, [item(refresh(m), "active", "2024-02-01")], by=SYSTEM)
    assert [(f, "2024-03-01" in message) for _i, f, message in problems] == [("date", True)]


def test_the_approval_comes_after_the_resolution_and_the_change_not_before_it():
    m = new_member("审批老师")
    change(m, "out_of_contact", "2024-01-10")
    values = decision(D("2024-09-01"), approved_on=D("2024-08-20"))
    problems = refused(
        record_status_changes, [item(refresh(m), "suspended", "2024-08-25", **values)], by=SYSTEM
    )
    assert {field for _i, field, _m in problems} == {"approved_on", "date"}


def test_a_reason_is_required():
    m = new_member("理由老师")
    problems = refused(
        record_status_changes, [item(m, "out_of_contact", "2024-01-10", reason="  ")], by=SYSTEM
    )
    assert {field for _i, field, _m in problems} == {"reason"}


def test_a_batch_is_judged_change_after_change_and_written_whole_or_not_at_all():
    m = new_member("批量老师")
    ok = [
        item(m, "out_of_contact", "2024-01-10"),
        item(m, "suspended", "2024-08-01", **decision(D("2024-08-01"))),
    ]
    bad = [*ok, item(m, "active", "2024-09-01")]  # a restoration without its resolution and approval
    problems = refused(record_status_changes, bad, by=SYSTEM)
    assert {i for i, _f, _m in problems} == {2}
    # Given out of order, the changes of a membership are judged in date order.
    written = record_status_changes(list(reversed(ok)), by=SYSTEM)
    assert [c.from_status for c in written] == ["out_of_contact", "active"]
    assert refresh(m).status == "suspended"


def test_each_decision_is_audited_with_its_resolution_and_approval():
    m = new_member("审计老师")
    change(m, "out_of_contact", "2024-01-10", by=user("school_secretary"))
    before = ObjectChange.objects.count()
    done = change(refresh(m), "suspended", "2024-08-01", by=user("school_secretary"))
    records = ObjectChange.objects.filter(pk__gt=0).order_by("-pk")[: ObjectChange.objects.count() - before]
    found = {(r.content_type.model, r.action): r for r in records}
    assert set(found) == {("statuschange", "create"), ("membership", "update")}
    created = found[("statuschange", "create")]
    assert created.object_id == str(done.pk)
    assert created.username == "school_secretary"
    after = created.after
    assert (after["from_status"], after["to_status"]) == ("out_of_contact", "suspended")
    assert (after["resolution"], after["resolution_on"]) == ("支部党员大会决议", "2024-08-01")
    assert (after["approved_by"], after["approved_on"]) == ("中共岳麓区梅溪湖中学委员会", "2024-08-01")
    updated = found[("membership", "update")]
    assert (updated.before["status"], updated.after["status"]) == ("out_of_contact", "suspended")


def test_a_secretary_records_in_the_school_not_elsewhere():
    secretary = user("school_secretary")
    own = membership_of("梅溪湖张老师")
    change(own, "out_of_contact", "2025-01-10", by=secretary)
    assert refresh(own).status == "out_of_contact"
    other = membership_of("芙蓉周老师")
    problems = refused(record_status_changes, [item(other, "out_of_contact", "2025-01-10")], by=secretary)
    with translation.override("zh-hans"):
        expected = str(not_yours())
    assert [(f, message) for _i, f, message in problems] == [("membership", expected)]
    assert not StatusChange.objects.filter(membership=other).exists()


def test_an_inspector_records_nothing(example_user):
    m = membership_of("梅溪湖张老师")
    problems = refused(record_status_changes, [item(m, "out_of_contact", "2025-01-10")], by=user("inspector"))
    assert problems


def test_a_floating_member_who_is_lost_stops_floating():
    m = new_member("流动失联老师")
    record = float_away(m, "2024-03-01")
    change(refresh(m), "out_of_contact", "2024-12-01")
    record.refresh_from_db()
    assert record.returned_on == D("2024-12-01")
    assert refresh(m).status == "out_of_contact"
    assert not FloatingRecord.objects.filter(membership=m, returned_on__isnull=True).exists()


def test_refusals_name_no_internal_key():
    m = new_member("用语老师")
    with translation.override("zh-hans"):
        problems = refused(record_status_changes, [item(m, "suspended", "2025-01-05")], by=SYSTEM)
    text = messages(problems)
    assert "STATUS" not in text
    assert "suspended" not in text


CURRENT = ["active", "out_of_contact", "suspended", "floating"]


def in_state(name, state):
    m = new_member(name)
    if state == "floating":
        float_away(m, "2023-01-10")
    elif state in ("out_of_contact", "suspended"):
        change(m, "out_of_contact", "2023-01-10")
        if state == "suspended":
            change(refresh(m), "suspended", "2023-08-01")
    return refresh(m)


@pytest.mark.parametrize("start", CURRENT)
@pytest.mark.parametrize("to", MembershipStatus.values)
def test_every_pair_is_judged_by_the_table(start, to):
    """STATUS_MOVES decides: a listed pair is recorded, any other refused on the new state, nothing written
    (the floating pair is the floating record's, 开除党籍 the discipline's)."""
    m = in_state(f"配对{start}{to}老师", start)
    bare = (start, to) in STATUS_MOVES and {start, to} != {"active", "floating"} and to != "expelled"
    values = decision(D("2025-01-05"))
    if bare:
        (done,) = record_status_changes([item(m, to, "2025-01-05", **values)], by=SYSTEM)
        assert (done.from_status, refresh(m).status) == (start, to)
    else:
        problems = refused(record_status_changes, [item(m, to, "2025-01-05", **values)], by=SYSTEM)
        assert [f for _i, f, _m in problems] == ["to_status"], problems
