"""The permission matrix of organizational life (see redengine.testing.matrix): meetings, their attendance
lists and their files, with every page, form, panel, calendar, compliance page and API method they have.

The sample meetings are themed party days of five branches (the secretary's own, a sibling school of the
same district, the private schools' joint branch, another district, a city-direct school), held 60 days
ago, with the attendance ticked on the roster of the day: the first member present, the others absent.
Each case's ``setup`` makes what it needs with the real services, for each test."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from redengine.activities.models import Attendance, AttendanceStatus, Meeting, MeetingAttachment
from redengine.activities.services import Listed, MeetingEntry, record_meetings
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.development.models import DevelopmentCase
from redengine.development.services import open_case
from redengine.development.tests.helpers import new_applicant
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Membership, Person
from redengine.people.services import MEMBERSHIPS
from redengine.testing.matrix import (
    MISSING_PK,
    ApiCreate,
    ApiDelete,
    ApiDetail,
    ApiList,
    ApiPatch,
    Confirm,
    Create,
    Delete,
    Detail,
    Edit,
    Export,
    ListPage,
    Needs,
    Page,
    ScopedCase,
    Trail,
    View,
    api_path,
    build_matrix,
    exported_values,
)

PLACES = {  # position -> (organization code, the member ticked present)
    "own": ("CS430104-02-01", "梅溪湖张老师"),
    "sibling": ("CS430104-01", "麓山赵老师"),
    "joint": ("CS430104-04", "明德孙老师"),  # a member given in the setup (the demo's branch has none)
    "other_district": ("CS430102-01", "芙蓉周老师"),
    "city": ("CS430100-01-01", "一中郑老师"),
}
CODES = {position: code for position, (code, _name) in PLACES.items()}
TOPICS = {position: f"组织生活-{position}" for position in PLACES}
MISSING_CODE = "CS-NO-SUCH-ORGANIZATION"
SIGN_IN_SHEET = ("签到表.pdf", b"%PDF-1.4 matrix")


def org(code):
    return PartyOrganization.objects.get(code=code)


def person(name):
    return Person.objects.get(name=name)


def days_ago(days):
    """A day before today: the demo's memberships and steps are dated in days before it was loaded."""
    return timezone.localdate() - datetime.timedelta(days=days)


def held_on():
    return days_ago(60)


def members(code, day):
    """The members of the organization on the day (a branch's own memberships), read apart from the app."""
    found = Membership.objects.filter(organization__code=code, admitted_on__lte=day).exclude(ended_on__lt=day)
    return list(Person.objects.filter(pk__in=found.values("person_id")))


def member_at_the_joint_branch():
    MEMBERSHIPS.save(
        [
            Item(
                {
                    "person": person("明德孙老师"),
                    "organization": org("CS430104-04"),
                    "admitted_on": datetime.date(2020, 6, 1),
                    "full_on": datetime.date(2021, 6, 1),
                }
            )
        ],
        by=SYSTEM,
    )


def sample_meetings(attachments=False):
    """A themed party day of each place, its first member ticked present (the others absent), with the
    signed sign-in sheet if asked."""
    member_at_the_joint_branch()
    entries = [
        MeetingEntry(
            {
                "organization": org(code),
                "meeting_type": "themed_day",
                "date": held_on(),
                "topic": TOPICS[position],
                "place": "党员活动室",
            },
            attendance=[Listed(person(name), AttendanceStatus.PRESENT)],
            attachments=[SIGN_IN_SHEET] if attachments else [],
        )
        for position, (code, name) in PLACES.items()
    ]
    record_meetings(entries, by=SYSTEM)


def meeting_owners(m):
    return [m.organization]


def cascade(m):
    """Deleting a meeting deletes its list and its files with it, each with its change record."""
    return {
        key: n
        for key, n in {
            ("meeting", "delete"): 1,
            ("attendance", "delete"): m.attendance.count(),
            ("meetingattachment", "delete"): m.attachments.count(),
        }.items()
        if n
    }


def edited(m):
    """The form posts the meeting's facts without ticks: every member it does not tick is recorded absent
    without leave (services.attendance_lines), so the row of the member present changes with the topic."""
    ticked = m.attendance.filter(guest=False).exclude(status=AttendanceStatus.ABSENT).count()
    return {key: n for key, n in {("meeting", "update"): 1, ("attendance", "update"): ticked}.items() if n}


# Pages that take their record by the query string -------------------------------------------------
@dataclass
class QueryPage(View):
    """A page that takes its record by the query string (an organization by its code or pk, a meeting to
    copy): 403 for a role without the action (after ``first``, what the page itself needs, refused before
    it); 404 when the record is outside the action's scope, exactly as for one that does not exist (the
    ``missing`` parameters); else 200, showing ``shows`` (a workbook holding ``cell`` for an export), and its
    access-log row (``logs``)."""

    query: object = None  # subject -> GET parameters
    missing: dict | None = None  # the GET parameters naming no record
    first: str | None = None
    shows: object = None  # subject -> a text of the page
    cell: object = None  # subject -> a cell of the workbook
    logs: str | None = None

    kind = "ui_query"

    def check(self, run):
        obj = run.subject
        trail = Trail()
        response = run.ui().get(reverse(self.url), self.query(obj) if obj is not None else self.missing)
        for action in filter(None, (self.first, self.action)):
            if not run.case.allowed(run.user, action, self.model):
                trail.assert_refused(response, run.user, action)
                return
        reachable = obj is not None and self.in_scope(run)
        assert response.status_code == (200 if reachable else 404), response.content[:300]
        if reachable and self.shows:
            assert self.shows(obj) in response.content.decode()
        if reachable and self.cell:
            assert self.cell(obj) in exported_values(response)
        if self.logs:
            trail.assert_logged(run.user, self.logs, 1 if reachable else 0)
        trail.assert_nothing_written()


@dataclass
class ApiQuery(View):
    """A read of the API that takes its record by the query string: 403, 404 outside the scope as for one that
    does not exist, else 200 with ``answers`` (subject, data) true."""

    query: object = None
    missing: dict | None = None
    answers: object = None

    kind = "api_query"

    def check(self, run):
        obj = run.subject
        trail = Trail()
        response = run.api("get", reverse(self.url), **(self.query(obj) if obj is not None else self.missing))
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        reachable = obj is not None and self.in_scope(run)
        assert response.status_code == (200 if reachable else 404), response.content[:300]
        if reachable:
            assert self.answers(obj, response.json()), response.json()
        trail.assert_nothing_written()


# 组织生活 --------------------------------------------------------------------------------------------
IN_ORGANIZATION = Needs(lambda code: [org(code)], action="add", field="organization")
NEW_TOPIC = "矩阵新会议"
NEW_API_TOPIC = "矩阵接口新会议"


def new_meeting(code):
    """A themed party day the day after the sample's, every member of the day ticked present."""
    day = days_ago(59)
    return {
        "organization": org(code).pk,
        "meeting_type": "themed_day",
        "date": day.isoformat(),
        "topic": NEW_TOPIC,
        "place": "会议室",
        **{f"status_{p.pk}": AttendanceStatus.PRESENT for p in members(code, day)},
    }


def new_meeting_records(code):
    return {("meeting", "create"): 1, ("attendance", "create"): len(members(code, days_ago(59)))}


def calendar_month(m):
    return {"organization": m.organization.code, "month": f"{m.date:%Y-%m}"}


def compliance_year(m):
    return {"organization": m.organization.code, "year": m.date.year}


MEETINGS = ScopedCase(
    name="meeting",
    model=Meeting,
    lookup="topic",
    owners=meeting_owners,
    positions=TOPICS,
    setup=sample_meetings,
    marker_field="topic",
    views=[
        ListPage("activities:meeting_list", query={}),
        Export("activities:meeting_list"),
        Detail("activities:meeting_detail"),
        # 登记会议: the organizations where one may be recorded, the form of one (by its pk: the meetings'
        # organization case below), a meeting copied from last month's, and the form posted.
        Page("activities:meeting_add", action="add", label="choose"),
        QueryPage(
            "activities:meeting_add",
            label="copy",
            action="add",
            query=lambda m: {"copy": m.pk},
            missing={"copy": MISSING_PK},
            shows=lambda m: f'value="{m.topic}"',
        ),
        Create(
            "activities:meeting_add",
            places=CODES,
            data=new_meeting,
            parent=IN_ORGANIZATION,  # looked up in the scope: 404 outside, as for one that does not exist
            created=lambda code: Meeting.objects.filter(organization__code=code, topic=NEW_TOPIC),
            records=new_meeting_records,
        ),
        Detail("activities:meeting_edit", action="change", label="form"),
        Edit(
            "activities:meeting_edit",
            change=("topic", "改了主题"),
            fields=[
                "meeting_type",
                "date",
                "topic",
                "place",
                "host",
                "lecturer",
                "lecturer_name",
                "minutes",
                "resolutions",
            ],
            records=edited,
        ),
        Confirm(
            "activities:meeting_delete",
            label="confirm",
            action="delete",
            says=lambda m: f"{m.date:%Y-%m-%d}",
            done=lambda m: not Meeting.objects.filter(pk=m.pk).exists(),
        ),
        Delete("activities:meeting_delete", records=cascade),
        # The calendar of the meeting's organization and month, and its compliance for the year (a read of
        # its members' organizational life), with its export; each opens on the user's own without one.
        Page("activities:calendar", label="home"),
        QueryPage(
            "activities:calendar",
            query=calendar_month,
            missing={"organization": MISSING_CODE},
            shows=lambda m: m.get_absolute_url(),
        ),
        Page("activities:compliance", label="home"),
        QueryPage(
            "activities:compliance",
            query=compliance_year,
            missing={"organization": MISSING_CODE},
            shows=lambda m: m.organization.name,
            logs="read",
        ),
        QueryPage(
            "activities:compliance",
            label="export",
            action="export",
            first="view",
            query=lambda m: {**compliance_year(m), "export": "xlsx"},
            missing={"organization": MISSING_CODE, "export": "xlsx"},
            cell=lambda m: m.organization.name,
            logs="export",
        ),
        ApiList("meeting-list"),
        ApiDetail("meeting-detail"),
        ApiCreate(
            "meeting-list",
            places=CODES,
            body=lambda code: {
                "organization": code,
                "meeting_type": "themed_day",
                "date": days_ago(59).isoformat(),
                "topic": NEW_API_TOPIC,
                "expected": 3,
                "actual": 2,
            },
            needs=[IN_ORGANIZATION],
            created=lambda code: Meeting.objects.filter(organization__code=code, topic=NEW_API_TOPIC),
        ),
        ApiPatch(
            "meeting-detail", body=lambda m: {"topic": "接口改了"}, done=lambda m: m.topic == "接口改了"
        ),
        ApiDelete("meeting-detail", records=cascade),
        ApiQuery(
            "api_activities_compliance",
            query=compliance_year,
            missing={"organization": MISSING_CODE},
            answers=lambda m, data: data["organization"]["code"] == m.organization.code,
        ),
    ],
)


# 参会情况: a meeting's list is read on the meeting's page and in its API record, never on its own ------
@dataclass
class ListedOnPage(View):
    """The page of the row's meeting: 403 for a role without the view of meetings, 404 outside the scope as
    for a missing id, else the row's person on the list and the read of the list accounted."""

    kind = "ui_listed"

    def check(self, run):
        row = run.subject
        reachable = row is not None and self.in_scope(run)
        trail = Trail()
        response = run.ui().get(reverse(self.url, args=[row.meeting_id if row else MISSING_PK]))
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        assert response.status_code == (200 if reachable else 404), response.content[:300]
        if reachable:
            page = response.content.decode()
            assert 'id="attendance-list"' in page
            assert row.person.name in page
        trail.assert_logged(run.user, "read", 1 if reachable else 0)
        trail.assert_nothing_written()


@dataclass
class ListedOnApi(View):
    """The API record of the row's meeting: 403, 404 outside the scope as for a missing id, else the row on
    its ``attendance`` and the read of the list accounted."""

    method = "get"
    kind = "api_listed"

    def check(self, run):
        row = run.subject
        reachable = row is not None and self.in_scope(run)
        trail = Trail()
        response = run.api("get", api_path(self.url, row.meeting if row else None))
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        assert response.status_code == (200 if reachable else 404), response.content[:300]
        if reachable:
            lines = {line["person"]: line["status"] for line in response.json()["attendance"]}
            assert lines[row.person_id] == row.status, lines
        trail.assert_logged(run.user, "read", 1 if reachable else 0)
        trail.assert_nothing_written()


ATTENDANCE = ScopedCase(
    name="attendance",
    model=Attendance,
    owners=lambda a: [a.meeting.organization],
    positions={position: (TOPICS[position], name) for position, (_code, name) in PLACES.items()},
    find=lambda key: Attendance.objects.get(meeting__topic=key[0], person__name=key[1]),
    setup=sample_meetings,
    views=[
        ListedOnPage("activities:meeting_detail", model=Meeting),
        ListedOnApi("meeting-detail", model=Meeting),
    ],
)

ATTACHMENTS = ScopedCase(
    name="meeting_attachment",
    model=MeetingAttachment,
    owners=lambda a: [a.meeting.organization],
    positions=TOPICS,
    find=lambda topic: MeetingAttachment.objects.get(meeting__topic=topic),
    setup=lambda: sample_meetings(attachments=True),
    views=[Detail("activities:attachment", logs="export")],  # the download: logged as an export
)


# The panels and the form of an organization --------------------------------------------------------
ORGANIZATIONS = ScopedCase(
    name="meeting_organization",
    model=PartyOrganization,
    lookup="code",
    owners=lambda o: [o],
    positions={**CODES, "district": "CS430104"},  # a district's committee holds party classes and talks
    setup=member_at_the_joint_branch,
    views=[
        Detail("activities:organization_meetings", model=Meeting),
        QueryPage(
            "activities:meeting_add",
            label="form",
            action="add",
            model=Meeting,
            query=lambda o: {"organization": o.pk},
            missing={"organization": MISSING_PK},
            shows=lambda o: o.name,
        ),
    ],
)

APPLICANTS = {  # position -> (person name, school code, organization code)
    "own": ("活动矩阵本校", "4301040002", "CS430104-02-01"),
    "sibling": ("活动矩阵邻校", "4301040001", "CS430104-01"),
    "joint": ("活动矩阵民办", "4301040004", "CS430104-04"),
    "other_district": ("活动矩阵外区", "4301020001", "CS430102-01"),
    "city": ("活动矩阵市直", "4301000001", "CS430100-01-01"),
}


def sample_cases():
    for number, (name, school, code) in enumerate(APPLICANTS.values()):
        applicant = new_applicant(name, birth="1994-06-06", sequence=810 + number, school=school)
        open_case(applicant, org(code), by=SYSTEM)


CASES = ScopedCase(
    name="meeting_case",
    model=DevelopmentCase,
    lookup="person__name",
    owners=lambda c: [c.organization],
    positions={position: name for position, (name, _school, _code) in APPLICANTS.items()},
    setup=sample_cases,
    views=[
        # The party classes and themed days the person attended, read from the lists (accounted).
        Detail("activities:case_meetings", logs="read"),
    ],
)

globals().update(build_matrix(MEETINGS, ATTENDANCE, ATTACHMENTS, ORGANIZATIONS, CASES))
