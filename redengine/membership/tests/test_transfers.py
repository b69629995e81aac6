"""Transfers within the system (组织关系转接), through the real services: sent by the sending side and accepted
by the receiving side (the same membership row takes the new organization, the person the new school, the
open development case the new branch and its approving committee); requested by the receiving side and
released by the sending side; refused with a reason, cancelled by the side that started it; decided late
(flagged, never refused); every bad input refused with its Chinese message and nothing written; each move
audited in its writer's name."""

import pytest

from redengine.core.audit import bulk_update_audited, remember
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError, writing
from redengine.development.models import DevelopmentCase
from redengine.membership.models import Transfer, TransferMove
from redengine.membership.services import transfers as services
from redengine.orgs.models import admission_approvers
from redengine.people.models import Membership, Person
from redengine.people.services import PEOPLE

from .transfer_helpers import (
    LUSHAN,
    LUSHAN_BRANCH,
    MEIXIHU,
    MEIXIHU_COMMITTEE,
    MEIXIHU_JUNIOR,
    MEIXIHU_SENIOR,
    counts,
    days_ago,
    lushan_secretary,
    membership,
    open_case,
    org,
    person,
    reloaded,
    school,
    send,
    user,
)

pytestmark = pytest.mark.django_db


def refused(call, *args, **kwargs):
    """The problems of a refused write, and nothing written."""
    before = counts()
    with pytest.raises(RefusedError) as caught:
        call(*args, **kwargs)
    assert counts() == before
    return caught.value


def messages(exc):
    return " ".join(str(p.message) for p in exc.problems)


def changes_by(username, since):
    found = ObjectChange.objects.filter(id__gt=since).select_related("content_type")
    return sorted((c.content_type.model, c.action) for c in found if c.username == username)


def last_change():
    return ObjectChange.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_a_transfer_sent_and_accepted_moves_the_membership_row_the_person_and_the_development_case():
    secretary, receiver = user("school_secretary"), lushan_secretary()
    huang = person("梅溪湖黄老师")  # a probationary member, with an open case at 梅溪湖中学初中部党支部
    row = membership("梅溪湖黄老师")
    case = open_case("梅溪湖黄老师")
    assert row.organization.code == MEIXIHU_JUNIOR
    assert case.organization.code == MEIXIHU_JUNIOR
    memberships = Membership.objects.count()

    since = last_change()
    transfer = send("梅溪湖黄老师", LUSHAN_BRANCH, by=secretary, to_school=LUSHAN, reason="rotation")
    assert transfer.status == "sent"
    assert transfer.started_by == "sending"
    assert transfer.membership_id == row.pk
    assert transfer.from_organization.code == MEIXIHU_JUNIOR
    assert changes_by("school_secretary", since) == [("transfer", "create"), ("transfermove", "create")]
    # Until the receiving side accepts, the sending organization stays responsible (REL.WHO).
    assert membership("梅溪湖黄老师").organization.code == MEIXIHU_JUNIOR
    assert person("梅溪湖黄老师").school.code == MEIXIHU

    since = last_change()
    services.move_transfer(transfer, "accept", by=receiver, date=days_ago(1), note="欢迎")
    transfer = reloaded(transfer)
    assert transfer.status == "accepted"
    assert transfer.decided_on == days_ago(1)
    moved = Membership.objects.get(pk=row.pk)  # the same row: no second membership to count twice
    assert moved.organization.code == LUSHAN_BRANCH
    assert moved.ended_on is None
    assert Membership.objects.count() == memberships
    assert Person.objects.get(pk=huang.pk).school.code == LUSHAN
    case = DevelopmentCase.objects.get(pk=case.pk)
    assert case.organization.code == LUSHAN_BRANCH
    assert case.status == "open"
    assert case.approver == admission_approvers([org(LUSHAN_BRANCH)])[org(LUSHAN_BRANCH).pk]
    assert transfer.case_id == case.pk
    assert changes_by(receiver.username, since) == [
        ("developmentcase", "update"),
        ("membership", "update"),
        ("person", "update"),
        ("transfer", "update"),
        ("transfermove", "create"),
    ]
    record = ObjectChange.objects.filter(id__gt=since, content_type__model="membership").get()
    assert record.before["organization"] == org(MEIXIHU_JUNIOR).pk
    assert record.after["organization"] == org(LUSHAN_BRANCH).pk
    assert [(m.move, m.by.username, m.late) for m in transfer.moves.order_by("pk")] == [
        ("send", "school_secretary", False),
        ("accept", LUSHAN_SECRETARY_NAME, False),
    ]
    # The member now belongs to the receiving secretary's scope, no longer to the sending one's.
    assert Membership.objects.visible_to(receiver).filter(pk=row.pk).exists()
    assert not Membership.objects.visible_to(secretary).filter(pk=row.pk).exists()
    assert Transfer.objects.visible_to(secretary).filter(pk=transfer.pk).exists()  # both sides keep it


LUSHAN_SECRETARY_NAME = "lushan_secretary"


def test_accepting_may_name_a_branch_under_the_receiving_organization():
    transfer = send("梅溪湖张老师", MEIXIHU_COMMITTEE, started=days_ago(3))
    assert transfer.to_organization.code == MEIXIHU_COMMITTEE
    services.move_transfer(transfer, "accept", by=user("school_secretary"), organization=org(MEIXIHU_SENIOR))
    assert membership("梅溪湖张老师").organization.code == MEIXIHU_SENIOR
    assert reloaded(transfer).status == "accepted"


def test_a_branch_outside_the_receiving_organization_is_refused_on_acceptance():
    transfer = send("梅溪湖张老师", MEIXIHU_COMMITTEE)
    exc = refused(services.move_transfer, transfer, "accept", by=SYSTEM, organization=org(LUSHAN_BRANCH))
    assert "不在" in messages(exc)
    assert exc.problems[0].field == "organization"


def test_an_open_case_needs_a_branch_to_move_to():
    """A development case opens in a branch (admission passes through a branch): accepted into a committee,
    the member's case could not follow, so the receiving side names the branch."""
    transfer = send("梅溪湖陈老师", MEIXIHU_COMMITTEE)  # an activist: an open case, no membership
    assert transfer.membership_id is None
    assert transfer.from_organization.code == MEIXIHU_JUNIOR
    exc = refused(services.move_transfer, transfer, "accept", by=SYSTEM)
    assert "党支部" in messages(exc)
    assert "发展" in messages(exc)
    services.move_transfer(transfer, "accept", by=SYSTEM, organization=org(MEIXIHU_SENIOR))
    assert open_case("梅溪湖陈老师").organization.code == MEIXIHU_SENIOR


def test_a_request_by_the_receiving_side_is_completed_by_the_sending_sides_release():
    secretary, receiver = user("school_secretary"), lushan_secretary()
    zhang = person("梅溪湖张老师")
    # The district moves the teacher to 麓山 (a proposal follows); the receiving side dismisses the proposal and
    # asks for the member itself.
    PEOPLE.save([Item({"school": school(LUSHAN)}, instance=remember([zhang])[0])], by=user("yuelu_admin"))
    (proposal,) = Transfer.objects.filter(person=zhang, status="proposed")
    services.move_transfer(proposal, "cancel", by=receiver, note="改为由接收方直接申请")
    (request,) = services.start_transfers(
        [services.Start(person("梅溪湖张老师"), org(LUSHAN_BRANCH), days_ago(4))], by=receiver
    )
    assert request.status == "requested"
    assert request.started_by == "receiving"
    assert membership("梅溪湖张老师").organization.code == MEIXIHU_JUNIOR
    # The receiving side cannot accept its own request: the sending side releases the member.
    exc = refused(services.move_transfer, request, "accept", by=receiver)
    assert "转出方同意转出" in messages(exc)
    since = last_change()
    services.move_transfer(request, "send", by=secretary, date=days_ago(1))
    request = reloaded(request)
    assert request.status == "accepted"
    assert request.decided_on == days_ago(1)
    assert membership("梅溪湖张老师").organization.code == LUSHAN_BRANCH
    assert ("membership", "update") in changes_by("school_secretary", since)


def test_a_refusal_needs_its_reason_and_leaves_the_membership_where_it_was():
    transfer = send("梅溪湖黄老师", LUSHAN_BRANCH, to_school=LUSHAN)
    receiver = lushan_secretary()
    exc = refused(services.move_transfer, transfer, "reject", by=receiver, note="  ")
    assert exc.problems[0].field == "note"
    assert "无正当理由" in messages(exc)
    services.move_transfer(transfer, "reject", by=receiver, note="该同志尚未到岗")
    transfer = reloaded(transfer)
    assert transfer.status == "rejected"
    assert transfer.refusal == "该同志尚未到岗"
    assert membership("梅溪湖黄老师").organization.code == MEIXIHU_JUNIOR
    assert open_case("梅溪湖黄老师").organization.code == MEIXIHU_JUNIOR
    assert person("梅溪湖黄老师").school.code == MEIXIHU


def test_only_the_side_that_started_a_transfer_cancels_it():
    transfer = send("梅溪湖黄老师", LUSHAN_BRANCH, to_school=LUSHAN)
    exc = refused(services.move_transfer, transfer, "cancel", by=lushan_secretary(), note="不要了")
    assert "转出方" in messages(exc)
    exc = refused(services.move_transfer, transfer, "cancel", by=user("school_secretary"))
    assert exc.problems[0].field == "note"
    services.move_transfer(transfer, "cancel", by=user("school_secretary"), note="调动取消")
    assert reloaded(transfer).status == "cancelled"
    assert membership("梅溪湖黄老师").organization.code == MEIXIHU_JUNIOR


def test_a_transfer_decided_after_the_time_limit_is_recorded_and_flagged_late():
    transfer = send("梅溪湖黄老师", LUSHAN_BRANCH, to_school=LUSHAN, started=days_ago(45))
    services.move_transfer(transfer, "accept", by=lushan_secretary(), date=days_ago(2))
    accepted = reloaded(transfer).moves.get(move="accept")
    assert accepted.late
    on_time = send("梅溪湖张老师", MEIXIHU_SENIOR, started=days_ago(20))
    services.move_transfer(on_time, "accept", by=SYSTEM, date=days_ago(1))
    assert not reloaded(on_time).moves.get(move="accept").late


def test_the_sending_secretary_cannot_accept_for_the_receiving_side():
    transfer = send("梅溪湖黄老师", LUSHAN_BRANCH, to_school=LUSHAN, by=user("school_secretary"))
    exc = refused(services.move_transfer, transfer, "accept", by=user("school_secretary"))
    assert "接收方" in messages(exc)
    assert not exc.missing
    assert (
        services.movable(Transfer.objects.all(), user("school_secretary"), "accept")
        .filter(pk=transfer.pk)
        .count()
        == 0
    )
    assert (
        services.movable(Transfer.objects.all(), lushan_secretary(), "accept").filter(pk=transfer.pk).exists()
    )


def test_a_transfer_of_another_district_is_out_of_scope_as_if_it_did_not_exist():
    transfer = send("芙蓉周老师", "CS430102-02-01", to_school="4301020002")
    for username in ("school_secretary", "yuelu_admin"):
        exc = refused(services.move_transfer, transfer, "accept", by=user(username))
        assert exc.missing
    exc = refused(
        services.start_transfers,
        [services.Start(person("芙蓉周老师"), org(LUSHAN_BRANCH), days_ago(1))],
        by=user("school_secretary"),
    )
    assert exc.missing


# Bad input: each refused with its message, nothing written ------------------------------------------------
def start(name, to_code, day=None, **extra):
    return services.start_transfers(
        [services.Start(person(name), org(to_code), day or days_ago(1), **extra)], by=user("school_secretary")
    )


def test_a_transfer_to_the_same_organization_is_refused():
    exc = refused(start, "梅溪湖张老师", MEIXIHU_JUNIOR)
    assert "已在" in messages(exc)
    assert exc.problems[0].field == "to_organization"


def test_a_second_transfer_waiting_is_refused():
    start("梅溪湖张老师", MEIXIHU_SENIOR)
    exc = refused(start, "梅溪湖张老师", MEIXIHU_COMMITTEE)
    assert "一次只能有一项" in messages(exc)
    assert exc.problems[0].field == "person"


def test_two_transfers_of_one_person_in_one_batch_are_refused():
    zhang = person("梅溪湖张老师")
    exc = refused(
        services.start_transfers,
        [
            services.Start(zhang, org(MEIXIHU_SENIOR), days_ago(1)),
            services.Start(zhang, org(MEIXIHU_COMMITTEE), days_ago(1)),
        ],
        by=user("school_secretary"),
    )
    assert [p.item for p in exc.problems] == [1]


def test_a_date_in_the_future_is_refused():
    exc = refused(start, "梅溪湖张老师", MEIXIHU_SENIOR, day=days_ago(-3))
    assert "晚于今天" in messages(exc)
    assert exc.problems[0].field == "started_on"


def test_a_move_before_the_previous_one_is_refused():
    transfer = send("梅溪湖张老师", MEIXIHU_SENIOR, started=days_ago(5))
    exc = refused(services.move_transfer, transfer, "accept", by=SYSTEM, date=days_ago(9))
    assert exc.problems[0].field == "date"
    assert days_ago(5).isoformat() in messages(exc)
    exc = refused(services.move_transfer, transfer, "accept", by=SYSTEM, date=days_ago(-1))
    assert "晚于今天" in messages(exc)


def test_a_person_with_nothing_to_transfer_is_refused():
    qian = person("麓山钱老师")  # neither a member nor an open case
    exc = refused(
        services.start_transfers,
        [services.Start(qian, org(LUSHAN_BRANCH), days_ago(1), side="sending")],
        by=user("yuelu_admin"),
    )
    assert "既没有现有党籍" in messages(exc)
    assert exc.problems[0].field == "person"


def test_a_suspended_member_is_not_transferred():
    row = membership("梅溪湖张老师")
    with writing(SYSTEM):
        remember([row])
        row.status = "suspended"
        bulk_update_audited(Membership, [row], ["status"])
    exc = refused(start, "梅溪湖张老师", MEIXIHU_SENIOR)
    assert "停止党籍" in messages(exc)


def test_a_working_committee_holds_no_members():
    exc = refused(start, "梅溪湖张老师", "CS0001", to_school=school(LUSHAN))
    assert "不接收党员组织关系" in messages(exc)


def test_an_organization_that_does_not_cover_the_school_is_refused():
    exc = refused(start, "梅溪湖张老师", LUSHAN_BRANCH)  # no new school named: the teacher stays at 梅溪湖
    assert "新学校" in messages(exc)
    assert exc.problems[0].field == "to_organization"


def test_a_state_the_move_does_not_start_from_is_refused():
    transfer = send("梅溪湖张老师", MEIXIHU_SENIOR)
    services.move_transfer(transfer, "accept", by=SYSTEM)
    exc = refused(services.move_transfer, transfer, "reject", by=SYSTEM, note="晚了")
    assert exc.problems[0].field == "move"


def test_every_move_is_a_transfer_move_row_with_its_writer():
    transfer = send("梅溪湖张老师", MEIXIHU_SENIOR, by=user("school_secretary"), note="调整支部")
    services.move_transfer(transfer, "accept", by=user("yuelu_admin"), note="同意")
    rows = list(
        TransferMove.objects.filter(transfer=transfer)
        .order_by("pk")
        .values_list("move", "by__username", "note")
    )
    assert rows == [("send", "school_secretary", "调整支部"), ("accept", "yuelu_admin", "同意")]
    trail = ObjectChange.objects.filter(content_type__model="transfermove").values_list("username", flat=True)
    assert {"school_secretary", "yuelu_admin"} <= set(trail)
