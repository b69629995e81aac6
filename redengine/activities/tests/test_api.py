"""The API of organizational life: meetings written through the meetings' write path (the attendance list is
the organization's roster on the day, the counts follow from it), refused with the same messages as the
pages, scoped; a meeting read with its list is a read of personal data; the compliance figures of an
organization, in a constant number of queries."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext

from redengine.accounts.models import ApiToken
from redengine.activities import compliance, rules, services
from redengine.activities.models import Attendance, AttendanceStatus, Meeting
from redengine.core.models import AccessEvent, ObjectChange, PersonalReadWindow
from redengine.core.reads import window_start
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs import services as org_services
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person

pytestmark = pytest.mark.django_db
MEETINGS = "/api/activities/meetings/"
COMPLIANCE = "/api/activities/compliance/"
BRANCH = "CS430104-02-01"  # 梅溪湖中学初中部党支部: no committee, no party groups
SCHOOL = "CS430104-02"  # 梅溪湖中学's committee (党委): the scope of school_secretary
OTHER_DISTRICT = "CS430102-01"  # 芙蓉区: outside 岳麓区


def today():
    return timezone.localdate()


def day(days_ago):
    """A day before today: the demo's development steps are dated in days before the day it was loaded, so
    who is a member and who an activist on such a day does not depend on the date the tests run."""
    return today() - datetime.timedelta(days=days_ago)


DAY = 60  # days ago: 梅溪湖黄老师 is a full member by then, 梅溪湖陈老师 an activist (demo/data.py)


def org(code):
    return PartyOrganization.objects.get(code=code)


def person(name):
    return Person.objects.get(name=name)


def roster(code, on):
    """The members of the organization on the day, as the write path lists them."""
    found = org(code)
    return [m.person for m in services.rosters([(found, on)]).get((found.pk, on), [])]


def auth(example_user, username):
    user = example_user(username)
    key, _token = ApiToken.issue(user, otp_verified=user.requires_2fa)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def post(client, headers, body):
    return client.post(MEETINGS, body, content_type="application/json", **headers)


def patch(client, headers, meeting, body):
    return client.patch(f"{MEETINGS}{meeting.pk}/", body, content_type="application/json", **headers)


def record(code, meeting_type, on, attendance=None, **values):
    """A meeting recorded for the test, through the write path (as the demo records its own)."""
    values = {
        "organization": org(code),
        "meeting_type": meeting_type,
        "date": on,
        "topic": "学习党章",
        **values,
    }
    return services.record_meeting(values, by=SYSTEM, attendance=attendance)


def written():
    return Meeting.objects.count(), Attendance.objects.count(), ObjectChange.objects.count()


def changes(model, obj, action=None):
    found = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(obj.pk)
    )
    return found.filter(action=action) if action else found


def body(**values):
    on = day(DAY)
    return {
        "organization": BRANCH,
        "meeting_type": "general_meeting",
        "date": on.isoformat(),
        "topic": "学习党章",
        "place": "会议室",
        **values,
    }


# Writes -------------------------------------------------------------------------------------------
def test_a_meeting_with_its_attendance_lists_the_roster_and_derives_the_counts(client, example_user):
    on = day(DAY)
    members = roster(BRANCH, on)
    zhang, huang = person("梅溪湖张老师"), person("梅溪湖黄老师")
    assert {zhang, huang} <= set(members)  # the demo's branch on that day
    headers = auth(example_user, "school_secretary")
    response = post(
        client,
        headers,
        body(
            meeting_type="主题党日",  # the sheet's name is accepted beside the code
            host=zhang.pk,
            minutes="传达上级精神",
            attendance=[
                {"person": zhang.pk, "status": "present"},
                {"person": person("梅溪湖陈老师").pk, "status": "present"},
            ],
        ),
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["meeting_type"] == "themed_day"
    assert data["meeting_type_name"] == str(rules.MeetingType.THEMED_DAY.label)
    assert data["organization"] == BRANCH
    # Everyone on the roster is listed; a member not named is absent without leave; the activist is a guest.
    assert data["from_list"] is True
    assert data["expected"] == len(members)
    assert data["actual"] == 1
    lines = {line["person_name"]: line for line in data["attendance"]}
    assert set(lines) == {p.name for p in members} | {"梅溪湖陈老师"}
    assert lines["梅溪湖张老师"]["status"] == "present"
    assert lines["梅溪湖黄老师"]["status"] == "absent"
    assert lines["梅溪湖陈老师"]["guest"] is True
    assert lines["梅溪湖黄老师"]["person"] == huang.pk
    meeting = Meeting.objects.get(pk=data["id"])
    assert (meeting.expected, meeting.actual, meeting.from_list, meeting.host) == (
        len(members),
        1,
        True,
        zhang,
    )
    rows = list(meeting.attendance.order_by("id"))
    assert len(rows) == len(members) + 1
    assert all(row.date == on for row in rows)
    # The change records are the caller's: the meeting's and every row's.
    assert changes(Meeting, meeting, "create").get().username == "school_secretary"
    for row in rows:
        assert changes(Attendance, row, "create").get().username == "school_secretary"


def test_a_meeting_by_its_counts_keeps_them(client, example_user):
    before = Attendance.objects.count()
    response = post(client, auth(example_user, "yuelu_admin"), body(expected=10, actual=8))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["expected"], data["actual"], data["from_list"], data["attendance"]) == (10, 8, False, [])
    meeting = Meeting.objects.get(pk=data["id"])
    assert (meeting.expected, meeting.actual, meeting.from_list) == (10, 8, False)
    assert Attendance.objects.count() == before
    assert changes(Meeting, meeting, "create").get().username == "yuelu_admin"


def test_a_change_with_attendance_replaces_the_list(client, example_user):
    on = day(DAY)
    zhang, huang, chen = person("梅溪湖张老师"), person("梅溪湖黄老师"), person("梅溪湖陈老师")
    meeting = record(
        BRANCH,
        "themed_day",
        on,
        attendance=[services.Listed(zhang), services.Listed(huang), services.Listed(chen)],
    )
    guest_row = meeting.attendance.get(person=chen)
    members = roster(BRANCH, on)
    headers = auth(example_user, "school_secretary")
    response = patch(
        client,
        headers,
        meeting,
        {
            "topic": "主题党日：志愿服务",
            "attendance": [
                {"person": zhang.pk, "status": "present"},
                {"person": huang.pk, "status": "leave", "reason": "外出培训"},
            ],
        },
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["topic"], data["expected"], data["actual"]) == ("主题党日：志愿服务", len(members), 1)
    lines = {line["person_name"]: line for line in data["attendance"]}
    assert set(lines) == {p.name for p in members}  # the guest is no longer on it
    assert (lines["梅溪湖黄老师"]["status"], lines["梅溪湖黄老师"]["reason"]) == ("leave", "外出培训")
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.actual) == ("主题党日：志愿服务", 1)
    assert dict(meeting.attendance.values_list("person__name", "status")) == {
        p.name: (
            AttendanceStatus.PRESENT if p == zhang else AttendanceStatus.LEAVE if p == huang else "absent"
        )
        for p in members
    }
    assert changes(Meeting, meeting, "update").get().username == "school_secretary"
    row = meeting.attendance.get(person=huang)
    assert changes(Attendance, row, "update").get().username == "school_secretary"
    assert changes(Attendance, guest_row, "delete").get().username == "school_secretary"
    # A change without a list keeps the list, and the counts that follow from it.
    response = patch(client, headers, meeting, {"place": "党员活动室", "actual": 1})
    assert response.status_code == 200, response.json()
    assert meeting.attendance.count() == len(members)


def test_a_meeting_is_deleted_with_its_list(client, example_user):
    zhang = person("梅溪湖张老师")
    meeting = record(BRANCH, "general_meeting", day(DAY), attendance=[services.Listed(zhang)])
    rows = list(meeting.attendance.all())
    assert rows
    response = client.delete(f"{MEETINGS}{meeting.pk}/", **auth(example_user, "yuelu_admin"))
    assert response.status_code == 204
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert not Attendance.objects.filter(pk__in=[r.pk for r in rows]).exists()
    assert changes(Meeting, meeting, "delete").get().username == "yuelu_admin"
    assert {changes(Attendance, r, "delete").get().username for r in rows} == {"yuelu_admin"}


def refused(client, headers, payload, field):
    """POST ``payload``: 400 with the problems on ``field`` alone, nothing written; the messages."""
    before = written()
    response = post(client, headers, payload)
    assert response.status_code == 400, response.json()
    assert list(response.json()) == [field], response.json()
    assert written() == before
    return response.json()[field]


def test_a_meeting_in_the_future_is_refused(client, example_user):
    tomorrow = today() + datetime.timedelta(days=1)
    messages = refused(
        client, auth(example_user, "school_secretary"), body(date=tomorrow.isoformat()), "date"
    )
    assert messages == [gettext("A meeting cannot be recorded before it is held: the date is in the future.")]


def test_an_actual_attendance_above_the_expected_is_refused(client, example_user):
    messages = refused(client, auth(example_user, "school_secretary"), body(expected=3, actual=5), "actual")
    assert messages == [
        gettext("The actual attendance (%(actual)s) cannot be above the expected attendance (%(expected)s).")
        % {"actual": 5, "expected": 3}
    ]


def test_an_attendee_who_is_neither_a_member_nor_a_guest_is_refused(client, example_user):
    on = day(DAY)
    headers = auth(example_user, "school_secretary")
    branch = org(BRANCH)
    neither = gettext(
        "%(name)s is neither a member of %(org)s on %(day)s nor an activist or development target of it who may "
        "attend as a guest."
    )
    # A member of the other branch of the school, whom the caller sees: named.
    li = person("梅溪湖李老师")
    lines = [
        {"person": person("梅溪湖张老师").pk, "status": "present"},
        {"person": li.pk, "status": "present"},
    ]
    messages = refused(client, headers, body(attendance=lines), "attendance")
    assert messages == [neither % {"name": li.name, "org": branch.name, "day": on.isoformat()}]
    # Someone of another district: refused in the same words, without a name (nothing told of them).
    stranger = person("芙蓉周老师")
    messages = refused(
        client, headers, body(attendance=[{"person": stranger.pk, "status": "present"}]), "attendance"
    )
    assert messages == [neither % {"name": gettext("This person"), "org": branch.name, "day": on.isoformat()}]
    assert stranger.name not in str(messages)
    # An activist comes as a guest to a party class or a themed party day, not to a general meeting.
    chen = person("梅溪湖陈老师")
    messages = refused(
        client, headers, body(attendance=[{"person": chen.pk, "status": "present"}]), "attendance"
    )
    assert messages == [
        gettext(
            "%(name)s is not a member of %(org)s on %(day)s; activists and development targets attend only party "
            "classes and themed party days as guests."
        )
        % {"name": chen.name, "org": branch.name, "day": on.isoformat()}
    ]


def test_a_type_the_organization_does_not_hold_is_refused(client, example_user):
    headers = auth(example_user, "school_secretary")
    committee = org(SCHOOL)
    messages = refused(
        client, headers, body(organization=SCHOOL, meeting_type="支部党员大会"), "meeting_type"
    )
    assert messages == [
        gettext("A %(type)s does not hold a %(meeting)s.")
        % {"type": committee.get_org_type_display(), "meeting": rules.MeetingType.GENERAL_MEETING.label}
    ]
    branch = org(BRANCH)
    messages = refused(client, headers, body(meeting_type="支委会", expected=2, actual=2), "meeting_type")
    assert messages == [
        gettext(
            "%(org)s has no committee (no committee member besides the secretary is recorded), so it holds no "
            "%(meeting)s: a branch of fewer than seven full members elects a secretary, not a committee."
        )
        % {"org": branch.name, "meeting": rules.MeetingType.COMMITTEE.label}
    ]
    # An unknown type is refused by name too.
    refused(client, headers, body(meeting_type="座谈会"), "meeting_type")


def test_a_second_meeting_of_the_type_on_the_day_is_refused(client, example_user):
    headers = auth(example_user, "school_secretary")
    assert post(client, headers, body(expected=2, actual=2)).status_code == 201
    messages = refused(client, headers, body(expected=2, actual=1, topic="另一次"), "date")
    assert messages == [gettext("This organization already has a meeting of this type on that day.")]


def test_a_list_and_counts_together_are_refused(client, example_user):
    lines = [{"person": person("梅溪湖张老师").pk, "status": "present"}]
    messages = refused(
        client,
        auth(example_user, "school_secretary"),
        body(attendance=lines, expected=2, actual=2),
        "attendance",
    )
    assert messages == [
        gettext(
            "Give either the attendance list or the expected and actual counts, not both: with a list the counts "
            "follow from it."
        )
    ]


def test_an_organization_outside_the_scope_is_refused_naming_the_field(client, example_user):
    headers = auth(example_user, "school_secretary")
    refused(client, headers, body(organization=OTHER_DISTRICT, expected=2, actual=2), "organization")
    refused(
        client, headers, body(organization="CS430104-01", expected=2, actual=2), "organization"
    )  # a neighbour
    # A host outside the scope likewise.
    refused(client, headers, body(host=person("芙蓉周老师").pk, expected=2, actual=2), "host")


def test_changes_that_do_not_fit_a_listed_meeting_are_refused(client, example_user):
    zhang = person("梅溪湖张老师")
    meeting = record(BRANCH, "general_meeting", day(DAY), attendance=[services.Listed(zhang)])
    headers = auth(example_user, "school_secretary")
    before = written()
    response = patch(client, headers, meeting, {"actual": 0})
    assert response.status_code == 400
    assert response.json() == {
        "actual": [
            gettext("The counts of this meeting follow from its attendance list: send the list instead.")
        ]
    }
    response = patch(client, headers, meeting, {"organization": "CS430104-02-02"})
    assert response.status_code == 400
    assert response.json() == {
        "organization": [
            gettext(
                "A meeting stays with the organization that held it: delete it and record it for the other "
                "organization."
            )
        ]
    }
    response = patch(client, headers, meeting, {"date": (today() + datetime.timedelta(days=3)).isoformat()})
    assert response.status_code == 400
    assert list(response.json()) == ["date"]
    assert written() == before


def test_a_meeting_outside_the_scope_answers_as_one_that_does_not_exist(client, example_user):
    meeting = record(
        OTHER_DISTRICT, "general_meeting", day(DAY), attendance=[services.Listed(person("芙蓉周老师"))]
    )
    headers = auth(example_user, "yuelu_admin")
    url = f"{MEETINGS}{meeting.pk}/"
    missing = f"{MEETINGS}{Meeting.objects.order_by('-pk').first().pk + 1000}/"
    before = written()
    for target in (url, missing):
        assert client.get(target, **headers).status_code == 404
        answer = client.patch(target, {"topic": "改"}, content_type="application/json", **headers)
        assert answer.status_code == 404
        assert client.delete(target, **headers).status_code == 404
    assert client.get(url, **headers).json() == client.get(missing, **headers).json()
    assert written() == before
    ids = [row["id"] for row in client.get(MEETINGS, {"page_size": 500}, **headers).json()["results"]]
    assert meeting.pk not in ids
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.READ, username="yuelu_admin").exists()


def test_writes_need_the_role(client, example_user):
    meeting = record(BRANCH, "general_meeting", day(DAY), expected=2, actual=2)
    before = written()
    instructor = auth(example_user, "instructor")  # reads, never writes
    assert post(client, instructor, body(organization="CS430104-04", expected=2, actual=2)).status_code == 403
    secretary = auth(example_user, "school_secretary")  # records and changes, does not delete
    assert client.delete(f"{MEETINGS}{meeting.pk}/", **secretary).status_code == 403
    assert written() == before


# Reads --------------------------------------------------------------------------------------------
def reads(username):
    return AccessEvent.objects.filter(kind=AccessEvent.Kind.READ, username=username)


def test_the_list_filters_and_reads_attendance_only_when_asked(client, example_user):
    zhang, huang = person("梅溪湖张老师"), person("梅溪湖黄老师")
    listed = record(
        BRANCH, "themed_day", day(DAY), attendance=[services.Listed(zhang), services.Listed(huang)]
    )
    counted = record(BRANCH, "general_meeting", day(DAY + 40), expected=5, actual=4)
    other = record("CS430104-02-02", "themed_day", day(DAY), expected=3, actual=3)
    outside = record(OTHER_DISTRICT, "themed_day", day(DAY), expected=3, actual=3)
    headers = auth(example_user, "school_secretary")

    def ids(**params):
        response = client.get(MEETINGS, {"page_size": 500, **params}, **headers)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    every = ids()
    assert {listed.pk, counted.pk, other.pk} <= every
    assert outside.pk not in every
    assert {listed.pk, counted.pk} <= ids(organization=BRANCH)
    assert other.pk not in ids(organization=BRANCH)
    assert not ids(organization=OTHER_DISTRICT)
    by_type = ids(organization=BRANCH, meeting_type="themed_day")
    assert listed.pk in by_type
    assert counted.pk not in by_type
    window = ids(organization=BRANCH, date_from=day(DAY + 41).isoformat(), date_to=day(DAY + 39).isoformat())
    assert counted.pk in window
    assert listed.pk not in window
    assert counted.pk in ids(organization=BRANCH, year=counted.date.year)
    assert counted.pk not in ids(organization=BRANCH, year=counted.date.year - 1)
    assert client.get(MEETINGS, {"year": "abc"}, **headers).status_code == 400
    # Without ``attendance`` the list holds no list and reads no personal data.
    rows = client.get(MEETINGS, {"organization": BRANCH}, **headers).json()["results"]
    assert all("attendance" not in row for row in rows)
    assert not reads("school_secretary").exists()
    # With it, each meeting's list, and the read accounted once with the rows and people read.
    rows = client.get(MEETINGS, {"organization": BRANCH, "attendance": "true"}, **headers).json()["results"]
    shown = {row["id"]: row["attendance"] for row in rows}
    assert {line["person"] for line in shown[listed.pk]} == set(
        listed.attendance.values_list("person_id", flat=True)
    )
    assert shown[counted.pk] == []
    read = reads("school_secretary").get()
    assert read.object_type == "activities.attendance"
    assert read.row_count == sum(len(lines) for lines in shown.values())
    window_row = PersonalReadWindow.objects.get(
        user=example_user("school_secretary"), window_start=window_start()
    )
    assert set(window_row.people) == {line["person"] for lines in shown.values() for line in lines}


def test_a_meeting_is_read_with_its_attendance_and_the_read_is_accounted(client, example_user):
    zhang, huang = person("梅溪湖张老师"), person("梅溪湖黄老师")
    meeting = record(
        BRANCH,
        "general_meeting",
        day(DAY),
        attendance=[services.Listed(zhang), services.Listed(huang, AttendanceStatus.LEAVE, "病假")],
        minutes="讨论发展党员计划",
    )
    response = client.get(f"{MEETINGS}{meeting.pk}/", **auth(example_user, "instructor"))
    assert response.status_code == 404  # 岳麓区's joint branch only
    response = client.get(f"{MEETINGS}{meeting.pk}/", **auth(example_user, "yuelu_admin"))
    assert response.status_code == 200
    data = response.json()
    assert data["minutes"] == "讨论发展党员计划"
    lines = {line["person_name"]: line for line in data["attendance"]}
    assert lines["梅溪湖黄老师"] == {
        "person": huang.pk,
        "person_name": "梅溪湖黄老师",
        "status": "leave",
        "reason": "病假",
        "guest": False,
    }
    read = reads("yuelu_admin").get()
    assert (read.object_type, read.row_count) == ("activities.attendance", meeting.attendance.count())
    window = PersonalReadWindow.objects.get(user=example_user("yuelu_admin"), window_start=window_start())
    assert set(window.people) == set(meeting.attendance.values_list("person_id", flat=True))


def test_reads_of_attendance_are_rate_limited_per_account(client, settings, example_user):
    meeting = record(
        BRANCH, "general_meeting", day(DAY), attendance=[services.Listed(person("梅溪湖张老师"))]
    )
    settings.API_PERSONAL_READ_RATES = {"default": "3/min"}
    headers = auth(example_user, "yuelu_admin")
    answers = [client.get(f"{MEETINGS}{meeting.pk}/", **headers) for _ in range(3)]
    answers.append(client.get(MEETINGS, {"attendance": "true"}, **headers))
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.THROTTLED, username="yuelu_admin").count() == 1
    assert reads("yuelu_admin").count() == 3
    # The list without attendance reads no personal data: not limited.
    assert client.get(MEETINGS, **headers).status_code == 200


def count_queries(client, url, params, headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params, **headers)
    assert response.status_code == 200, response.json()
    return len(captured), response.json()


def test_the_list_costs_the_same_queries_whatever_its_rows(client, example_user):
    zhang, huang = person("梅溪湖张老师"), person("梅溪湖黄老师")
    everyone = [services.Listed(zhang), services.Listed(huang)]
    record(BRANCH, "themed_day", day(DAY), attendance=everyone, host=zhang, lecturer=huang)
    headers = auth(example_user, "yuelu_admin")
    client.get(
        MEETINGS, {"attendance": "true"}, **headers
    )  # the token's use and the read window are recorded
    params = {"attendance": "true", "page_size": 100}
    few, _rows = count_queries(client, MEETINGS, params, headers)
    plain_few, _rows = count_queries(client, MEETINGS, {"page_size": 100}, headers)
    for n in range(1, 9):
        record(BRANCH, "themed_day", day(DAY + 31 * n), attendance=everyone, host=zhang, lecturer=huang)
        record("CS430104-01", "general_meeting", day(DAY + 31 * n), expected=2, actual=2)
    many, found = count_queries(client, MEETINGS, params, headers)
    assert len(found["results"]) >= 17
    assert many == few
    assert count_queries(client, MEETINGS, {"page_size": 100}, headers)[0] == plain_few


# Compliance -----------------------------------------------------------------------------------------
LAST_YEAR = today().year - 1


def gaps_in_the_table(code, meeting_type, kind, year):
    """The units of ``year`` in which the organization holds no meeting of the type, read from the table."""
    found = []
    for unit in compliance.units(kind, datetime.date(year, 1, 1), datetime.date(year, 12, 31)):
        held = Meeting.objects.filter(
            organization__code=code, meeting_type=meeting_type, date__range=(unit.start, unit.end)
        )
        if not held.exists():
            found.append(unit.key)
    return found


def keep_every_frequency(code, year):
    """Every meeting a branch without a committee or party groups must hold in ``year``, its secretary giving
    the first party class."""
    branch = org(code)
    assert not services.committees([branch], datetime.date(year, 12, 31))
    assert not branch.party_groups
    secretary = services.secretaries({(branch.pk, datetime.date(year, 2, 10))})[
        (branch.pk, datetime.date(year, 2, 10))
    ]
    entries = []

    def meeting(meeting_type, on, **values):
        entries.append(
            services.MeetingEntry(
                {"organization": branch, "meeting_type": meeting_type, "date": on, "topic": "学习", **values}
            )
        )

    for month in range(1, 13):
        meeting("themed_day", datetime.date(year, month, 8), expected=2, actual=2)
    for month in (1, 4, 7, 10):
        meeting("general_meeting", datetime.date(year, month, 15), expected=2, actual=2)
        lecturer = {"lecturer": Person.objects.get(pk=secretary)} if month == 1 else {}
        meeting("party_class", datetime.date(year, month + 1, 10), expected=2, actual=2, **lecturer)
    meeting("life_meeting", datetime.date(year, 12, 20), expected=2, actual=2)
    meeting("appraisal", datetime.date(year, 12, 21), expected=2, actual=2)
    return services.record_meetings(entries, by=SYSTEM)


def test_compliance_of_a_branch_unit_by_unit(client, example_user):
    for month in (2, 8):
        record(BRANCH, "general_meeting", datetime.date(LAST_YEAR, month, 12), expected=2, actual=2)
    record(BRANCH, "themed_day", datetime.date(LAST_YEAR, 3, 5), expected=2, actual=2)
    response = client.get(
        COMPLIANCE, {"organization": BRANCH, "year": LAST_YEAR}, **auth(example_user, "school_secretary")
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    branch = org(BRANCH)
    assert data["organization"] == {"code": BRANCH, "name": branch.name, "org_type": "branch"}
    assert (data["year"], data["start"], data["end"]) == (
        LAST_YEAR,
        f"{LAST_YEAR}-01-01",
        f"{LAST_YEAR}-12-31",
    )
    assert data["rows"] == []  # nothing below a branch
    totals = data["totals"]
    assert (totals["branches"], totals["compliant"], totals["share"]) == (1, 0, 0.0)
    expected_keys = [f.key for f in rules.frequencies_for("branch", has_committee=False, groups=0)]
    assert [m["key"] for m in totals["missed"]] == expected_keys  # each missed at least once this year
    assert {m["key"]: m["label"] for m in totals["missed"]} == {
        k: str(rules.FREQUENCY[k].label) for k in expected_keys
    }
    assert {m["branches"] for m in totals["missed"]} == {1}
    detail = data["detail"]
    assert detail["has_committee"] is False
    assert detail["ok"] is False
    by_key = {f["key"]: f for f in detail["frequencies"]}
    assert list(by_key) == expected_keys  # no committee meetings or party groups asked of it
    general = by_key["LIFE.GENERAL_MEETING"]
    assert (general["unit"], general["label"]) == ("quarter", str(rules.MeetingType.GENERAL_MEETING.label))
    gaps = gaps_in_the_table(BRANCH, "general_meeting", "quarter", LAST_YEAR)
    assert f"{LAST_YEAR}-Q2" in gaps
    assert f"{LAST_YEAR}-Q1" not in gaps
    assert f"{LAST_YEAR}-Q3" not in gaps
    assert (general["required"], general["kept"], general["gaps"]) == (4, 4 - len(gaps), gaps)
    themed = by_key["LIFE.THEME_DAY"]
    assert (themed["unit"], themed["required"]) == ("month", 12)
    assert f"{LAST_YEAR}-03" not in themed["gaps"]
    assert themed["gaps"] == gaps_in_the_table(BRANCH, "themed_day", "month", LAST_YEAR)
    assert themed["kept"] == 12 - len(themed["gaps"])
    assert by_key["LIFE.3M1C"]["unit"] == "year"
    assert detail["gaps"] == sum(len(f["gaps"]) for f in detail["frequencies"])


def test_compliance_of_a_district_with_the_organizations_below(client, example_user):
    keep_every_frequency("CS430104-01", LAST_YEAR)
    headers = auth(example_user, "yuelu_admin")
    response = client.get(COMPLIANCE, {"organization": "CS430104", "year": str(LAST_YEAR)}, **headers)
    assert response.status_code == 200, response.json()
    data = response.json()
    district = org("CS430104")
    start, end = datetime.date(LAST_YEAR, 1, 1), datetime.date(LAST_YEAR, 12, 31)
    totals, rows = compliance.summary(district, start, end, today())
    assert data["totals"]["branches"] == totals["branches"] == 5  # 01, 02-01, 02-02, 03, 04 (joint)
    assert data["totals"]["compliant"] == totals["compliant"] >= 1
    assert data["totals"]["share"] == pytest.approx(totals["compliant"] / 5)
    assert [r["organization"] for r in data["rows"]] == [r["organization"].code for r in rows]
    assert [r["organization"] for r in data["rows"]] == [
        "CS430104-01",
        "CS430104-02",
        "CS430104-03",
        "CS430104-04",
    ]
    first = data["rows"][0]
    assert first == {
        "organization": "CS430104-01",
        "name": org("CS430104-01").name,
        "branches": 1,
        "compliant": 1,
        "share": 1.0,
        "missed": [],
    }
    school = data["rows"][1]
    assert school["branches"] == 2
    assert school["compliant"] == rows[1]["compliant"]
    assert {m["key"]: m["branches"] for m in school["missed"]} == rows[1]["missed"]
    assert sum(r["branches"] for r in data["rows"]) == data["totals"]["branches"]
    missed = {m["key"]: m["branches"] for m in data["totals"]["missed"]}
    assert missed == totals["missed"]
    assert "LIFE.3M1C" in missed  # 梅溪湖中学's branches have no secretary recorded
    # The district's bureau is a committee: its own frequency is the secretary's class.
    assert [f["key"] for f in data["detail"]["frequencies"]] == ["LIFE.3M1C"]
    # Inside the scope of a school's secretary, the school's committee: its two branches below.
    mine = client.get(COMPLIANCE, **auth(example_user, "school_secretary")).json()
    assert mine["organization"]["code"] == SCHOOL  # by default, the caller's own scope
    assert mine["year"] == today().year
    assert [r["organization"] for r in mine["rows"]] == ["CS430104-02-01", "CS430104-02-02"]


def test_compliance_outside_the_scope_answers_as_one_that_does_not_exist(client, example_user):
    headers = auth(example_user, "school_secretary")
    outside = client.get(COMPLIANCE, {"organization": "CS430104-01"}, **headers)
    unknown = client.get(COMPLIANCE, {"organization": "CS999999-99"}, **headers)
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()
    assert (
        client.get(
            COMPLIANCE, {"organization": OTHER_DISTRICT}, **auth(example_user, "yuelu_admin")
        ).status_code
        == 404
    )
    assert client.get(COMPLIANCE, **auth(example_user, "sys_admin")).status_code == 403  # no business role


@pytest.mark.parametrize("year", ["abc", "25", "20255", "0999", "２０２５"])
def test_compliance_of_a_bad_year_is_refused(client, example_user, year):
    response = client.get(
        COMPLIANCE, {"organization": BRANCH, "year": year}, **auth(example_user, "school_secretary")
    )
    assert response.status_code == 400
    assert response.json() == {"year": [gettext("Give a four-digit year.")]}


def test_compliance_of_a_year_to_come_is_refused(client, example_user):
    year = today().year + 1
    response = client.get(
        COMPLIANCE, {"organization": BRANCH, "year": year}, **auth(example_user, "school_secretary")
    )
    assert response.status_code == 400
    assert response.json() == {
        "year": [
            gettext("The year %(year)s has not begun: there are no figures for it yet.") % {"year": year}
        ]
    }


def test_compliance_costs_the_same_queries_whatever_its_rows(client, example_user):
    headers = auth(example_user, "yuelu_admin")
    params = {"organization": "CS430104", "year": LAST_YEAR}
    client.get(COMPLIANCE, params, **headers)  # the token's use is recorded
    few, _data = count_queries(client, COMPLIANCE, params, headers)
    branch_few, _data = count_queries(
        client, COMPLIANCE, {"organization": BRANCH, "year": LAST_YEAR}, headers
    )
    keep_every_frequency("CS430104-01", LAST_YEAR)
    for month in range(1, 13):
        for code in (BRANCH, "CS430104-02-02", "CS430104-03"):
            record(code, "themed_day", datetime.date(LAST_YEAR, month, 9), expected=2, actual=2)
    district = org("CS430104")
    for n in range(5, 9):  # more organizations below the district, each a row
        org_services.save_organizations(
            [
                Item(
                    {
                        "code": f"CS430104-{n:02d}",
                        "name": f"测试支部{n}",
                        "org_type": "branch",
                        "parent": district,
                        "founded_on": datetime.date(LAST_YEAR - 2, 1, 1),
                    }
                )
            ],
            by=SYSTEM,
        )
    many, data = count_queries(client, COMPLIANCE, params, headers)
    assert len(data["rows"]) == 8
    assert data["totals"]["branches"] == 9
    assert many == few
    assert (
        count_queries(client, COMPLIANCE, {"organization": BRANCH, "year": LAST_YEAR}, headers)[0]
        == branch_few
    )


def test_the_schema_describes_both_endpoints(client, example_user):
    schema = client.get("/api/schema/", {"format": "json"}, **auth(example_user, "yuelu_admin"))
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"get", "post"} <= set(paths[MEETINGS])
    assert {"get", "patch", "delete"} <= set(paths[MEETINGS + "{id}/"])
    assert "put" not in paths[MEETINGS + "{id}/"]
    listed = {p["name"] for p in paths[MEETINGS]["get"]["parameters"]}
    assert {"organization", "meeting_type", "year", "date_from", "date_to", "attendance"} <= listed
    assert {p["name"] for p in paths[COMPLIANCE]["get"]["parameters"]} == {"organization", "year"}
