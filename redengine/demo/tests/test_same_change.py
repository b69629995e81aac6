"""One write path: the same change made through an import, a form and an API call leaves the same rows and
the same change records, for every model with an import sheet (学校, 党组织, 人员, 称号, 发展环节, 组织生活). Each
way runs in a savepoint rolled back afterwards, as the same user (岳麓区's administrator)."""

import datetime

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import reverse

from redengine.accounts.models import ApiToken, User
from redengine.activities.imports import MEETINGS_SHEET
from redengine.activities.models import Meeting
from redengine.activities.services import Listed, record_meeting
from redengine.core.models import ObjectChange
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM
from redengine.dataio import importer
from redengine.development.imports import STEPS_SHEET
from redengine.development.models import DevelopmentEvent
from redengine.development.services import open_case
from redengine.development.tests.helpers import branch, new_applicant, walk
from redengine.imports.tests.generated import write_xlsx
from redengine.orgs.imports import ORGANIZATIONS, SCHOOLS
from redengine.orgs.models import PartyOrganization, School
from redengine.people.imports import HONORS, PEOPLE
from redengine.people.models import Honor, Person
from redengine.testing import login_client

pytestmark = pytest.mark.django_db
USER = "yuelu_admin"
NUMBER = make_id_number("430104", datetime.date(1990, 6, 1), 33)
UNSTABLE = {"id", "recorded_at", "id_number_cipher", "mobile_cipher"}  # keys, times and nonces differ


def headers(sheet):
    return [column.header for column in sheet.columns]


def outcome(model, key, change):
    """Make ``change`` in a savepoint, then roll it back: (the record's fields, its change records)."""
    last = ObjectChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with transaction.atomic():
        change()
        obj = model.objects.get(**key)
        row = {k: v for k, v in model_to_dict(obj).items() if k not in UNSTABLE}
        records = [
            (
                r.content_type.model,
                r.action,
                sorted(r.changed_fields),
                {k: v for k, v in (r.before or {}).items() if k not in UNSTABLE},
                {k: v for k, v in (r.after or {}).items() if k not in UNSTABLE},
                r.scope_path,
                r.username,
            )
            for r in ObjectChange.objects.filter(id__gt=last).order_by("content_type__model", "action", "id")
        ]
        transaction.set_rollback(True)
    return row, records


def import_it(sheets):
    def run():
        ctx = importer.ImportContext(User.objects.get(username=USER))
        validation = importer.validate(write_xlsx(sheets), ctx)
        assert not validation.has_errors, [str(issue.reason) for issue in validation.errors]
        importer.write(validation, ctx)

    return run


def form(client, url, data, status=302):
    def run():
        response = client.post(url, data)
        assert response.status_code == status, (
            response.context["form"].errors if response.context else response
        )

    return run


def api(client, url, body, method="post", status=201):
    key, _ = ApiToken.issue(User.objects.get(username=USER))

    def run():
        send = getattr(client, method)
        response = send(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == status, response.content

    return run


def same(model, key, *changes):
    first, *others = [outcome(model, key, change) for change in changes]
    for other in others:
        assert other == first
    assert first[1], "a change record"
    return first


@pytest.fixture
def web(client):
    return login_client(client, User.objects.get(username=USER))


def test_a_school(web):
    values = {"code": "4301049997", "name": "同改测试小学", "district": "430104", "ownership": "public"}
    values.update(school_type="primary", urban_rural="urban")
    row = [values["code"], values["name"], "岳麓区", "公办", "小学", "城区", "否", None]
    same(
        School,
        {"code": "4301049997"},
        import_it({"学校": [headers(SCHOOLS), row]}),
        form(web, reverse("orgs:school_add"), values),
        api(web, "/api/orgs/schools/", {**values, "city_managed": False}),
    )


def test_an_organization(web):
    covered = School.objects.get(code="4301040003")
    values = {"code": "T-SAME", "name": "同改测试支部", "org_type": "branch", "founded_on": "2015-09-01"}
    row = ["T-SAME", "同改测试支部", "党支部", "CS430104", "4301040003", datetime.date(2015, 9, 1), None]
    same(
        PartyOrganization,
        {"code": "T-SAME"},
        import_it({"党组织": [headers(ORGANIZATIONS), row]}),
        form(
            web, reverse("orgs:organization_add"), {**values, "parent": "CS430104", "schools": [covered.pk]}
        ),
        api(web, "/api/orgs/organizations/", {**values, "parent": "CS430104", "schools": ["4301040003"]}),
    )


def test_a_person(web):
    school = School.objects.get(code="4301040003")
    values = {"name": "同改老师", "id_number": NUMBER, "ethnic_group": "01", "education": "bachelor"}
    values.update(mobile="13900002222", post="teacher", front_line=True, political_status="masses")
    row = ["同改老师", NUMBER, None, None, "汉族", "大学本科", "13900002222", "4301040003", "专任教师", "是"]
    row += ["群众", None, None, None]
    same(
        Person,
        {"name": "同改老师"},
        import_it({"人员": [headers(PEOPLE), row]}),
        form(web, reverse("people:person_add"), {**values, "school": school.pk}),
        api(web, "/api/people/people/", {**values, "school": "4301040003"}),
    )


def test_a_title(web):
    person = Person.objects.get(name="梅溪湖张老师")
    values = {"title": "excellent_teacher", "level": "city", "awarded_on": "2024-09-10"}
    row = [person.reveal_id_number(), "卓越教师", "市级", datetime.date(2024, 9, 10), None]
    same(
        Honor,
        {"person": person, "title": "excellent_teacher"},
        import_it({"称号": [headers(HONORS), row]}),
        form(web, reverse("people:honor_add") + f"?person={person.pk}", {**values, "person": person.pk}),
        api(web, "/api/people/honors/", {**values, "person": person.pk}),
    )


def test_a_development_step(web):
    case = walk(open_case(new_applicant("同改申请人"), branch(), by=SYSTEM), "S01", by=SYSTEM)
    number = case.person.reveal_id_number()
    row = [number, "S02", datetime.date(2022, 1, 25), None]
    _row, records = same(
        DevelopmentEvent,
        {"case": case, "step": "S02"},
        import_it({"发展环节": [headers(STEPS_SHEET), row]}),
        form(web, reverse("development:step_add", args=[case.pk]), {"step": "S02", "date": "2022-01-25"}),
        api(
            web,
            "/api/development/events/",
            {"case": case.pk, "step": "S02", "date": "2022-01-25", "data": {}},
        ),
    )
    assert {model for model, *_rest in records} == {"developmentevent", "developmentcase"}


def test_a_meeting_by_its_counts(web):
    """A meeting recorded by its counts only: the sheet's and the API's (the form records a meeting with its
    attendance list, below)."""
    values = {"organization": "CS430104-02-01", "meeting_type": "themed_day", "date": "2025-03-20"}
    values.update(topic="同改主题党日", expected=12, actual=11)
    row = ["CS430104-02-01", "主题党日", datetime.date(2025, 3, 20), "同改主题党日", 12, 11]
    _row, records = same(
        Meeting,
        {"organization__code": "CS430104-02-01", "meeting_type": "themed_day", "date": "2025-03-20"},
        import_it({"组织生活": [headers(MEETINGS_SHEET), row]}),
        api(web, "/api/activities/meetings/", values),
    )
    assert [(model, action) for model, action, *_rest in records] == [("meeting", "create")]


def test_a_meeting_with_its_list_changed(web):
    """The topic of a meeting recorded with its attendance list, changed on the sheet (with the list's counts),
    the form (with the list as recorded) and the API: the meeting changes, the list stays."""
    organization = PartyOrganization.objects.get(code="CS430104-02-01")
    meeting = record_meeting(
        {
            "organization": organization,
            "meeting_type": "themed_day",
            "date": datetime.date(2025, 5, 20),
            "topic": "同改",
        },
        by=SYSTEM,
        attendance=[Listed(Person.objects.get(name="梅溪湖张老师"))],
    )
    row = ["CS430104-02-01", "主题党日", meeting.date, "同改（补记）", meeting.expected, meeting.actual]
    data = {"meeting_type": "themed_day", "date": "2025-05-20", "topic": "同改（补记）"}
    data.update({f"status_{a.person_id}": a.status for a in meeting.attendance.all()})
    _row, records = same(
        Meeting,
        {"pk": meeting.pk},
        import_it({"组织生活": [headers(MEETINGS_SHEET), row]}),
        form(web, reverse("activities:meeting_edit", args=[meeting.pk]), data),
        api(web, f"/api/activities/meetings/{meeting.pk}/", {"topic": "同改（补记）"}, "patch", 200),
    )
    assert [(model, action, fields) for model, action, fields, *_rest in records] == [
        ("meeting", "update", ["topic"])
    ]
