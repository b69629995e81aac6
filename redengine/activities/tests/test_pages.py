"""The organizational-life pages: quick entry with the attendance ticked on the roster, the meeting page, the
calendar with copy-last-month, the compliance page and its drill-down, the panels, and their query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.activities.models import Attendance, Meeting
from redengine.activities.services import Listed, MeetingEntry, record_meetings
from redengine.core.dates import add_months
from redengine.core.models import AccessEvent, ObjectChange
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person

pytestmark = pytest.mark.django_db

BRANCH = "CS430104-02-01"  # 梅溪湖中学初中部党支部: 梅溪湖张老师, 梅溪湖黄老师


def org(code=BRANCH):
    return PartyOrganization.objects.get(code=code)


def last_month(day=10):
    return add_months(timezone.localdate().replace(day=1), -1).replace(day=day)


def person(name):
    return Person.objects.get(name=name)


def test_a_secretary_records_a_themed_day_with_the_attendance_ticked(client_for):
    client = client_for("school_secretary")
    branch = org()
    day = last_month()
    page = client.get(
        reverse("activities:meeting_add") + f"?organization={branch.pk}&type=themed_day&date={day}"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "梅溪湖张老师" in html
    assert "梅溪湖黄老师" in html
    zhang, huang = person("梅溪湖张老师"), person("梅溪湖黄老师")
    response = client.post(
        reverse("activities:meeting_add"),
        {
            "organization": branch.pk,
            "meeting_type": "themed_day",
            "date": day.isoformat(),
            "topic": "学习党的二十届四中全会精神",
            "place": "党员活动室",
            f"status_{zhang.pk}": "present",
            f"status_{huang.pk}": "leave",
            f"reason_{huang.pk}": "外出培训",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get(organization=branch, meeting_type="themed_day", date=day)
    assert (meeting.expected, meeting.actual, meeting.from_list) == (2, 1, True)
    rows = dict(meeting.attendance.values_list("person__name", "status"))
    assert rows == {"梅溪湖张老师": "present", "梅溪湖黄老师": "leave"}
    assert meeting.attendance.get(person=huang).reason == "外出培训"
    changes = ObjectChange.objects.filter(
        username="school_secretary", content_type__model__in=["meeting", "attendance"]
    )
    assert changes.count() == 3
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert "外出培训" in detail
    assert 'id="attendance-list"' in detail
    assert AccessEvent.objects.filter(
        kind="read", username="school_secretary", object_type="activities.attendance"
    ).exists()


def test_the_calendar_shows_the_month_and_offers_last_months_meeting_to_copy(client_for):
    client = client_for("school_secretary")
    branch = org()
    zhang = person("梅溪湖张老师")
    source = record_meetings(
        [
            MeetingEntry(
                {
                    "organization": branch,
                    "meeting_type": "themed_day",
                    "date": last_month(8),
                    "topic": "主题党日",
                    "place": "三楼会议室",
                },
                attendance=[Listed(zhang)],
            )
        ],
        by=SYSTEM,
    )[0]
    this_month = timezone.localdate().replace(day=1)
    page = client.get(
        reverse("activities:calendar") + f"?organization={BRANCH}&month={this_month:%Y-%m}"
    ).content.decode()
    assert 'id="copy-last-month"' in page
    assert f"copy={source.pk}" in page
    previous = client.get(
        reverse("activities:calendar") + f"?organization={BRANCH}&month={source.date:%Y-%m}"
    ).content.decode()
    assert "calendar-meeting" in previous
    assert source.get_absolute_url() in previous
    form = client.get(reverse("activities:meeting_add") + f"?copy={source.pk}").content.decode()
    assert 'value="三楼会议室"' in form
    assert 'value="主题党日"' in form


def test_the_compliance_page_drills_down_from_the_district_to_the_branch(client_for):
    client = client_for("yuelu_admin")
    year = timezone.localdate().year - 1
    district = org("CS430104")
    page = client.get(reverse("activities:compliance") + f"?organization={district.code}&year={year}")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="compliance-rows"' in html
    assert "?organization=CS430104-02&year=" in html
    school = client.get(
        reverse("activities:compliance") + f"?organization=CS430104-02&year={year}"
    ).content.decode()
    assert f"?organization={BRANCH}&year={year}" in school
    branch = client.get(
        reverse("activities:compliance") + f"?organization={BRANCH}&year={year}"
    ).content.decode()
    assert 'id="own-compliance"' in branch
    assert "gap" in branch
    assert 'id="member-life"' in branch
    outside = client.get(reverse("activities:compliance") + "?organization=CS430102-01")
    assert outside.status_code == 404
    export = client.get(
        reverse("activities:compliance") + f"?organization={district.code}&year={year}&export=xlsx"
    )
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_list_the_compliance_page_and_their_exports_cost_the_same_queries_with_more_meetings(client_for):
    client = client_for("yuelu_admin")
    year = timezone.localdate().year - 1
    url = reverse("activities:compliance") + f"?organization=CS430104&year={year}"
    list_url = reverse("activities:meeting_list")
    branches = PartyOrganization.objects.filter(
        path__startswith=org("CS430104").path, org_type__in=["branch", "joint_branch"]
    )

    def held(months):
        return [
            MeetingEntry(
                {
                    "organization": b,
                    "meeting_type": "themed_day",
                    "date": datetime.date(year, month, 5),
                    "topic": "主题党日",
                    "expected": 5,
                    "actual": 4,
                }
            )
            for b in branches
            for month in months
            if not b.founded_on or b.founded_on <= datetime.date(year, 1, 1)
        ]

    record_meetings(held([1]), by=SYSTEM)
    client.get(url)
    counts = {}
    for when in ("before", "after"):
        if when == "after":
            record_meetings(held(range(2, 13)), by=SYSTEM)
        for name, address in (
            ("compliance", url),
            ("list", list_url),
            ("list export", list_url + "?export=xlsx"),
            ("compliance export", url + "&export=xlsx"),
        ):
            with CaptureQueriesContext(connection) as counted:
                assert client.get(address).status_code == 200
            counts[(name, when)] = len(counted)
    for name in ("compliance", "list", "list export", "compliance export"):
        assert counts[(name, "after")] == counts[(name, "before")], name


def test_attendance_at_a_party_class_appears_in_the_activists_cultivation_record(client_for):
    from redengine.development.services import open_case
    from redengine.development.tests.helpers import new_applicant, walk

    branch = org()
    applicant = new_applicant("列席积极分子", birth="1996-02-02", sequence=901)
    case = open_case(applicant, branch, by=SYSTEM)
    walk(case, "S04")  # determined an activist (S03) in 2022
    day = last_month(12)
    record_meetings(
        [
            MeetingEntry(
                {"organization": branch, "meeting_type": "party_class", "date": day, "topic": "党章学习"},
                attendance=[Listed(person("梅溪湖张老师")), Listed(applicant)],
            )
        ],
        by=SYSTEM,
    )
    row = Attendance.objects.get(person=applicant)
    assert row.guest
    assert row.status == "present"
    client = client_for("school_secretary")
    case_page = client.get(case.get_absolute_url()).content.decode()
    assert reverse("activities:case_meetings", args=[case.pk]) in case_page
    panel = client.get(reverse("activities:case_meetings", args=[case.pk])).content.decode()
    assert "党章学习" in panel
    assert day.isoformat() in panel
