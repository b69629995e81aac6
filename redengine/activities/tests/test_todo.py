"""Organizational life on the to-do list: a branch whose last month passed without its themed party day,
a quarter without its general meeting, and members with no organizational life for three and six months —
each leaves the list once the meeting is recorded; a fixed number of queries whatever the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.activities import todo
from redengine.activities.compliance import unit_of
from redengine.activities.services import Listed, MeetingEntry, record_meetings
from redengine.core.dates import add_months
from redengine.core.todo import Reach, level_of
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person

pytestmark = pytest.mark.django_db

BRANCH = "CS430104-02-01"
DAY = datetime.timedelta(days=1)


def reach(user, today=None):
    return Reach(user, level_of(user), today or timezone.localdate())


def labels(items):
    return {row.label for item in items for row in item.rows}


def test_a_branch_without_its_themed_day_last_month_is_listed_until_it_is_recorded(example_user, client_for):
    user = example_user("school_secretary")
    items = todo.themed_day_missed(reach(user))
    assert items
    assert "梅溪湖中学初中部党支部" in labels(items)
    (item,) = items
    row = next(r for r in item.rows if r.label == "梅溪湖中学初中部党支部")
    branch = PartyOrganization.objects.get(code=BRANCH)
    assert row.action_url == reverse("activities:meeting_add") + f"?organization={branch.pk}&type=themed_day"
    page = client_for("school_secretary").get(reverse("reports:dashboard")).content.decode()
    assert 'id="todo-activities-themed-day"' in page
    last_month = unit_of("month", timezone.localdate().replace(day=1) - DAY)
    record_meetings(
        [
            MeetingEntry(
                {
                    "organization": branch,
                    "meeting_type": "themed_day",
                    "date": last_month.end,
                    "topic": "主题党日",
                    "expected": 2,
                    "actual": 2,
                }
            )
        ],
        by=SYSTEM,
    )
    assert "梅溪湖中学初中部党支部" not in labels(todo.themed_day_missed(reach(user)))


def test_a_quarter_without_its_general_meeting_is_listed_per_district_for_the_city(example_user):
    city = example_user("city_admin")
    (item,) = todo.general_meeting_missed(reach(city))
    rows = {row.label: row.count for row in item.rows}
    assert rows["岳麓区"] >= 4  # 岳麓区's branches, counted per district bureau
    quarter = unit_of("quarter", unit_of("quarter", timezone.localdate()).start - DAY)
    branches = PartyOrganization.objects.filter(
        path__startswith=PartyOrganization.objects.get(code="CS430104").path,
        org_type__in=["branch", "joint_branch"],
    )
    record_meetings(
        [
            MeetingEntry(
                {
                    "organization": b,
                    "meeting_type": "general_meeting",
                    "date": quarter.start,
                    "topic": "支部党员大会",
                    "expected": 3,
                    "actual": 3,
                }
            )
            for b in branches
        ],
        by=SYSTEM,
    )
    (item,) = todo.general_meeting_missed(reach(city))
    assert "岳麓区" not in {row.label for row in item.rows}


def test_members_without_organizational_life_are_listed_from_three_months_and_proposed_at_six(example_user):
    user = example_user("school_secretary")
    branch = PartyOrganization.objects.get(code=BRANCH)
    zhang, huang = Person.objects.get(name="梅溪湖张老师"), Person.objects.get(name="梅溪湖黄老师")
    today = timezone.localdate()
    months_ago = lambda n: add_months(today, -n)  # noqa: E731
    record_meetings(
        [
            MeetingEntry(
                {
                    "organization": branch,
                    "meeting_type": "themed_day",
                    "date": months_ago(5),
                    "topic": "五个月前",
                },
                attendance=[Listed(zhang), Listed(huang)],
            ),
            MeetingEntry(
                {
                    "organization": branch,
                    "meeting_type": "themed_day",
                    "date": months_ago(4),
                    "topic": "四个月前",
                },
                attendance=[Listed(zhang), Listed(huang, "leave", "病假")],
            ),
            MeetingEntry(
                {
                    "organization": branch,
                    "meeting_type": "themed_day",
                    "date": months_ago(1),
                    "topic": "上个月",
                },
                attendance=[Listed(zhang), Listed(huang, "absent")],
            ),
        ],
        by=SYSTEM,
    )
    alert = labels(todo.lapse_alert(reach(user)))
    assert "梅溪湖黄老师" in alert
    assert "梅溪湖张老师" not in alert
    assert "梅溪湖黄老师" not in labels(todo.lapse(reach(user)))  # present five months ago: not six yet
    later = reach(user, add_months(today, 1) + datetime.timedelta(days=2))
    assert labels(todo.lapse(later)) == {"梅溪湖黄老师"}  # proposed to the branch, never decided here


def test_the_items_cost_the_same_queries_with_more_branches_missing(example_user):
    city, district = example_user("city_admin"), example_user("yuelu_admin")
    for user in (city, district):
        for provider in (todo.themed_day_missed, todo.general_meeting_missed, todo.lapse, todo.lapse_alert):
            provider(reach(user))
            with CaptureQueriesContext(connection) as counted:
                provider(reach(user))
            assert len(counted) <= 4, (provider.__name__, [q["sql"] for q in counted])
