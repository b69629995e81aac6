"""The overview of membership and the member's timeline on the person page: each part of a member's history
shows once it is recorded (through the real services), newest first, with the dues owed; the fragment costs
the same queries however long the history; the overview counts what waits in the user's scope."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.membership.services import dues, records, statuses

from .status_helpers import days_ago, membership_of
from .transfer_helpers import send

pytestmark = pytest.mark.django_db
NAME = "梅溪湖张老师"
EVENT = re.compile(r'<li class="d-flex gap-2 py-1 border-bottom membership-event[^"]*">(.*?)</li>', re.S)
DATE = re.compile(r'<span class="text-nowrap text-body-secondary">(\d{4}-\d{2}-\d{2})</span>')


def answer(client, url):
    """(the page's text, the number of queries it cost)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def lost_and_found(member, k):
    """Out of contact and back again, ``k`` weeks apart."""
    for to, reason, days in (
        ("out_of_contact", f"失联{k}", 300 - 20 * k),
        ("active", f"恢复联系{k}", 295 - 20 * k),
    ):
        statuses.record_status_changes(
            [Item({"membership": member, "to_status": to, "date": days_ago(days), "reason": reason})],
            by=SYSTEM,
        )


def test_the_timeline_shows_each_part_newest_first_and_costs_the_same_queries(client_for):
    member = membership_of(NAME)
    secretary = client_for("school_secretary")
    url = reverse("membership:person_panel", args=[member.person_id])
    lost_and_found(member, 0)
    text, queries = answer(secretary, url)
    before = len(EVENT.findall(text))
    assert "恢复联系0" in text
    assert "失联0" in text
    for k in (1, 2, 3):
        lost_and_found(member, k)
    records.record_awards(
        [
            Item(
                {
                    "title": "excellent_member",
                    "level": "district",
                    "person": member.person,
                    "awarded_on": days_ago(10),
                    "awarded_by": "岳麓区教育局党组",
                    "document": "",
                }
            )
        ],
        by=SYSTEM,
    )
    text, more = answer(secretary, url)
    assert len(EVENT.findall(text)) == before + 3 * 2 + 1
    assert "优秀共产党员" in text
    assert "恢复联系3" in text
    dates = DATE.findall(text)
    assert dates == sorted(dates, reverse=True)
    assert more == queries


def test_a_transfer_and_the_dues_owed_show_on_the_timeline(client_for):
    member = membership_of(NAME)
    today = timezone.localdate()
    january = today.replace(month=1, day=1)
    dues.record_dues_bases(
        [Item({"membership": member, "base": "4200", "category": "in_service", "from_month": january})],
        by=SYSTEM,
        today=january.replace(day=10),
    )
    result = dues.open_month(january, [member.organization], by=SYSTEM, today=today)
    assert len(result.created) == 1, result
    send(NAME, "CS430104-01", started=days_ago(3), to_school="4301040001")
    text, _queries = answer(
        client_for("school_secretary"), reverse("membership:person_panel", args=[member.person_id])
    )
    assert "组织关系转接" in text  # the transfer's move, with its organizations
    assert "梅溪湖中学" in text
    assert 'id="membership-dues"' in text
    assert "42.00" in text  # 4,200 yuan → 1 % → 42.00 a month
    assert "欠交 1 个月" in text


def test_the_overview_counts_what_waits_in_the_scope(client_for):
    send(NAME, "CS430104-01", started=days_ago(3), to_school="4301040001")
    city, _q = answer(client_for("city_admin"), reverse("membership:overview"))
    assert re.search(r'id="count-pending">1<', city)
    other, _q = answer(client_for("furong_admin"), reverse("membership:overview"))
    assert re.search(r'id="count-pending">0<', other)
