"""The transfer pages: a secretary starts a transfer through the form and the receiving secretary accepts it
through its confirmation form (a bad input is the form again with its Chinese message, nothing written); each
side is shown the moves of its side only, and a move of the other side answers 404; the list's filters and
its .xlsx export; the person picker lists only the scope's people, masked; the to-do items of both sides,
at a fixed number of queries; and the list, the export and the page cost the same queries whatever the
number of transfers."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.core.audit import remember
from redengine.core.models import AccessEvent
from redengine.core.services import Item
from redengine.core.todo import Reach, level_of, todos_for
from redengine.core.writes import SYSTEM
from redengine.membership.models import Transfer
from redengine.membership.services import transfers as services
from redengine.membership.todos import transfers as todo
from redengine.people.services import PEOPLE

from .transfer_helpers import (
    LUSHAN,
    LUSHAN_BRANCH,
    LUSHAN_SECRETARY,
    MEIXIHU_COMMITTEE,
    MEIXIHU_JUNIOR,
    MEIXIHU_SENIOR,
    counts,
    days_ago,
    issue,
    lushan_secretary,
    membership,
    open_case,
    org,
    person,
    reloaded,
    school,
    send,
)

pytestmark = pytest.mark.django_db


def start_data(name, to_code, **extra):
    return {
        "person": person(name).pk,
        "to_organization": to_code,
        "to_school": "",
        "reason": "job",
        "started_on": days_ago(2).isoformat(),
        "side": "",
        "note": "",
        **extra,
    }


def test_a_secretary_starts_a_transfer_and_the_receiving_secretary_accepts_it_through_the_pages(client_for):
    sender = client_for("school_secretary")
    form = sender.get(reverse("membership:transfer_add"))
    assert form.status_code == 200
    response = sender.post(
        reverse("membership:transfer_add"),
        start_data("梅溪湖黄老师", LUSHAN_BRANCH, to_school=LUSHAN, reason="rotation", note="交流轮岗两年"),
    )
    assert response.status_code == 302, response.context["form"].errors
    transfer = Transfer.objects.get(person__name="梅溪湖黄老师")
    assert response["Location"] == transfer.get_absolute_url()
    page = sender.get(transfer.get_absolute_url()).content.decode()
    assert "待接收" in page
    assert 'id="move-cancel"' in page
    assert 'id="move-accept"' not in page  # not the sending side's move
    assert person("梅溪湖黄老师").reveal_id_number() not in page
    assert person("梅溪湖黄老师").id_number_masked in page
    assert sender.get(reverse("membership:transfer_accept", args=[transfer.pk])).status_code == 404
    before = counts()
    assert (
        sender.post(
            reverse("membership:transfer_accept", args=[transfer.pk]), {"date": days_ago(1)}
        ).status_code
        == 404
    )
    assert counts() == before

    lushan_secretary()
    receiver = client_for(LUSHAN_SECRETARY)
    page = receiver.get(transfer.get_absolute_url()).content.decode()
    assert 'id="move-accept"' in page
    assert 'id="move-reject"' in page
    assert 'id="move-cancel"' not in page
    confirm = receiver.get(reverse("membership:transfer_accept", args=[transfer.pk])).content.decode()
    assert "梅溪湖黄老师" in confirm
    assert 'method="post"' in confirm
    refused = receiver.post(
        reverse("membership:transfer_reject", args=[transfer.pk]),
        {"date": days_ago(1).isoformat(), "note": ""},
    )
    assert refused.status_code == 200
    assert "无正当理由" in str(refused.context["form"].errors["note"])
    done = receiver.post(
        reverse("membership:transfer_accept", args=[transfer.pk]),
        {"date": days_ago(1).isoformat(), "note": "欢迎", "organization": ""},
    )
    assert done.status_code == 302, done.context["form"].errors
    assert reloaded(transfer).status == "accepted"
    assert membership("梅溪湖黄老师").organization.code == LUSHAN_BRANCH
    assert open_case("梅溪湖黄老师").organization.code == LUSHAN_BRANCH
    page = receiver.get(transfer.get_absolute_url()).content.decode()
    assert "已接收" in page
    assert 'id="transfer-case"' in page


def test_a_transfer_to_the_same_organization_is_the_form_again_with_its_message(client_for):
    client = client_for("school_secretary")
    before = counts()
    response = client.post(reverse("membership:transfer_add"), start_data("梅溪湖张老师", MEIXIHU_JUNIOR))
    assert response.status_code == 200
    assert "已在" in str(response.context["form"].errors["to_organization"])
    response = client.post(reverse("membership:transfer_add"), start_data("梅溪湖张老师", "NO-SUCH-ORG"))
    assert "未找到该党组织代码" in str(response.context["form"].errors["to_organization"])
    response = client.post(reverse("membership:transfer_add"), start_data("麓山赵老师", LUSHAN_BRANCH))
    assert response.context["form"].errors["person"]  # another school's member: not the secretary's to pick
    assert counts() == before


def test_the_accept_form_offers_the_branches_under_the_receiving_organization(client_for):
    transfer = send("梅溪湖张老师", MEIXIHU_COMMITTEE)
    client = client_for("school_secretary")
    form = client.get(reverse("membership:transfer_accept", args=[transfer.pk])).content.decode()
    assert org(MEIXIHU_SENIOR).name in form
    assert org(LUSHAN_BRANCH).name not in form
    response = client.post(
        reverse("membership:transfer_accept", args=[transfer.pk]),
        {"date": days_ago(0).isoformat(), "organization": org(MEIXIHU_SENIOR).pk},
    )
    assert response.status_code == 302
    assert membership("梅溪湖张老师").organization.code == MEIXIHU_SENIOR


def test_roles_without_the_moves_are_refused(client_for):
    transfer = send("梅溪湖张老师", MEIXIHU_SENIOR)
    for username in ("instructor", "inspector"):
        client = client_for(username)
        assert client.get(reverse("membership:transfer_accept", args=[transfer.pk])).status_code == 403
        assert client.get(reverse("membership:transfer_add")).status_code == 403
    assert client_for("inspector").get(transfer.get_absolute_url()).status_code == 200  # it may read
    assert client_for("furong_admin").get(transfer.get_absolute_url()).status_code == 404


def test_the_list_filters_and_exports_the_scopes_transfers(client_for):
    late = send("梅溪湖黄老师", LUSHAN_BRANCH, to_school=LUSHAN, started=days_ago(50))
    fresh = send("梅溪湖张老师", MEIXIHU_SENIOR, started=days_ago(2))
    other = send("芙蓉周老师", "CS430102-02-01", to_school="4301020002")
    letter = issue("梅溪湖李老师", issued=days_ago(5))
    client = client_for("school_secretary")

    def names(**query):
        page = client.get(reverse("membership:transfer_list"), query)
        assert page.status_code == 200
        return {t.person.name for t in page.context["object_list"]}

    assert names() == {"梅溪湖黄老师", "梅溪湖张老师", "梅溪湖李老师"}
    assert names(overdue="true") == {"梅溪湖黄老师"}
    assert names(kind="out") == {"梅溪湖李老师"}
    assert names(status="sent") == {"梅溪湖黄老师", "梅溪湖张老师"}
    assert names(waiting="mine") == {
        "梅溪湖张老师"
    }  # sent to 梅溪湖中学高中部党支部: the secretary's to accept
    assert names(year=days_ago(2).year) >= {"梅溪湖张老师"}
    assert names(within=MEIXIHU_SENIOR) == {"梅溪湖张老师", "梅溪湖李老师"}  # either side in the subtree
    assert names(letter="expiring") == set()
    assert names(status="pending") == {"梅溪湖黄老师", "梅溪湖张老师"}  # the overview's link
    assert names(expired="true") == set()
    assert names(status="issued") == {"梅溪湖李老师"}
    assert other.pk not in {
        t.pk for t in client.get(reverse("membership:transfer_list")).context["object_list"]
    }
    assert late.pk in {t.pk for t in client.get(reverse("membership:transfer_list")).context["object_list"]}
    response = client.get(reverse("membership:transfer_list"), {"export": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    cells = {str(c) for row in rows for c in row if c}
    assert {"梅溪湖黄老师", "梅溪湖张老师", "梅溪湖李老师", letter.letter_number} <= cells
    assert "芙蓉周老师" not in cells
    assert AccessEvent.objects.filter(kind="export", username="school_secretary").exists()
    assert fresh.pk


def test_the_person_picker_lists_the_scopes_people_masked(client_for):
    client = client_for("school_secretary")
    page = client.get(reverse("membership:transfer_person_suggest"), {"q": "老师"}).content.decode()
    assert "梅溪湖张老师" in page
    assert "梅溪湖陈老师" in page  # an activist: an open case to transfer
    assert "麓山赵老师" not in page
    assert "芙蓉周老师" not in page
    assert person("梅溪湖张老师").id_number_masked in page
    assert person("梅溪湖张老师").reveal_id_number() not in page
    outside = client.get(
        reverse("membership:transfer_person_suggest"), {"q": "老师", "for": "in"}
    ).content.decode()
    assert "梅溪湖张老师" not in outside  # a current member: no letter from outside for them
    assert "梅溪湖陈老师" in outside
    assert (
        client_for("sys_admin").get(reverse("membership:transfer_person_suggest"), {"q": "老师"}).status_code
        == 403
    )


# To-do lists ---------------------------------------------------------------------------------------------
ITEMS = {
    "membership.transfers_waiting": todo.transfers_waiting,
    "membership.transfers_late": todo.transfers_late,
    "membership.letters": todo.letters,
    "membership.transfer_proposals": todo.proposals,
}


def items_of(user):
    return {t.key: t for _section, found in todos_for(user) for t in found if t.key in ITEMS}


def queries(user):
    reach = Reach(user, level_of(user), timezone.localdate())
    found = {}
    for key, provider in ITEMS.items():
        with CaptureQueriesContext(connection) as counted:
            provider(reach)
        found[key] = len(counted)
    return found


def test_a_late_transfer_is_on_both_sides_to_do_lists_and_the_waiting_one_on_the_receivers(example_user):
    secretary, receiver = example_user("school_secretary"), lushan_secretary()
    late = send("梅溪湖黄老师", LUSHAN_BRANCH, to_school=LUSHAN, started=days_ago(40))
    sender_items, receiver_items = items_of(secretary), items_of(receiver)
    assert [r.label for r in sender_items["membership.transfers_late"].rows] == ["梅溪湖黄老师"]
    assert sender_items["membership.transfers_late"].level == "late"
    assert [r.label for r in receiver_items["membership.transfers_late"].rows] == ["梅溪湖黄老师"]
    assert receiver_items["membership.transfers_waiting"].count == 1
    assert receiver_items["membership.transfers_waiting"].rows[0].url == late.get_absolute_url()
    assert "membership.transfers_waiting" not in sender_items  # it waits for the other side
    city = items_of(example_user("city_admin"))
    assert city["membership.transfers_late"].rows[0].label == "岳麓区"
    services.move_transfer(late, "accept", by=receiver)
    assert "membership.transfers_late" not in items_of(secretary)


def test_letters_near_or_past_their_validity_and_proposals_are_on_the_list(example_user):
    issue("梅溪湖张老师", issued=days_ago(100))  # past its validity (3 months)
    issue("梅溪湖黄老师", issued=days_ago(85))  # ends within 15 days
    issue("梅溪湖李老师", issued=days_ago(10))  # not yet
    zhao = person("麓山赵老师")
    PEOPLE.save([Item({"school": school("4301040003")}, instance=remember([zhao])[0])], by=SYSTEM)
    district = items_of(example_user("yuelu_admin"))
    assert district["membership.letters"].count == 2
    assert {r.label for r in district["membership.letters"].rows} == {"梅溪湖张老师", "梅溪湖黄老师"}
    assert district["membership.transfer_proposals"].count == 1
    assert district["membership.transfer_proposals"].rows[0].label == "麓山赵老师"
    assert "membership.transfer_proposals" not in items_of(example_user("school_secretary"))


def test_the_to_do_items_cost_the_same_queries_whatever_the_number_of_transfers(example_user):
    receiver = lushan_secretary()
    users = [
        example_user("school_secretary"),
        example_user("yuelu_admin"),
        example_user("city_admin"),
        receiver,
    ]
    send("梅溪湖黄老师", LUSHAN_BRANCH, to_school=LUSHAN, started=days_ago(40))
    issue("梅溪湖王校长", issued=days_ago(100))
    PEOPLE.save(
        [Item({"school": school("4301040003")}, instance=remember([person("麓山赵老师")])[0])], by=SYSTEM
    )
    before = {u.username: queries(u) for u in users}
    send("梅溪湖张老师", LUSHAN_BRANCH, to_school=LUSHAN, started=days_ago(45))
    send("梅溪湖李老师", LUSHAN_BRANCH, to_school=LUSHAN, started=days_ago(41))
    issue("一中郑老师", issued=days_ago(100))
    PEOPLE.save(
        [Item({"school": school("4301020002")}, instance=remember([person("芙蓉周老师")])[0])], by=SYSTEM
    )
    after = {u.username: queries(u) for u in users}
    assert after == before
    assert max(n for found in after.values() for n in found.values()) <= 3


def test_the_list_export_and_page_cost_the_same_queries_whatever_the_number_of_transfers(client_for):
    client = client_for("yuelu_admin")
    first = send("梅溪湖黄老师", LUSHAN_BRANCH, to_school=LUSHAN, started=days_ago(40))
    addresses = {
        "list": reverse("membership:transfer_list"),
        "filtered": reverse("membership:transfer_list") + "?waiting=mine&overdue=true",
        "export": reverse("membership:transfer_list") + "?export=xlsx",
        "detail": first.get_absolute_url(),
    }
    for address in addresses.values():
        client.get(address)
    found = {}
    for when in ("before", "after"):
        if when == "after":
            send("梅溪湖张老师", MEIXIHU_SENIOR, started=days_ago(3))
            send("梅溪湖李老师", LUSHAN_BRANCH, to_school=LUSHAN, started=days_ago(33))
            issue("梅溪湖王校长", issued=days_ago(100))
            services.move_transfer(first, "reject", by=SYSTEM, note="未到岗")
        for name, address in addresses.items():
            with CaptureQueriesContext(connection) as counted:
                assert client.get(address).status_code == 200, name
            found[(name, when)] = len(counted)
    for name in addresses:
        assert found[(name, "after")] == found[(name, "before")], (name, found)
    assert found[("list", "after")] <= 12, (
        found
    )  # measured: 12 (the session, the roles, the page, its count…)
    assert found[("export", "after")] <= 13, found
    assert found[("detail", "after")] <= 13, found
