"""The development pages and API: opening a case, recording steps (refusals name the rule), the timeline,
the calendar with its export, plans vs actuals, the daily reminders, and query counts that do not grow."""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from redengine.core.models import AccessEvent, Notification
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError, writing
from redengine.development.models import DevelopmentCase, DevelopmentEvent, DevelopmentPlan
from redengine.development.services import open_case, record_step, save_plans
from redengine.orgs.models import PartyOrganization

from .helpers import TODAY, D, branch, contacts, fill_roll, new_applicant, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    return open_case(new_applicant(), branch(), by=SYSTEM)


def test_a_secretary_opens_a_case_and_records_the_application(client_for):
    client = client_for("school_secretary")
    person = new_applicant("页面新老师", birth="1995-01-01")
    page = client.get(reverse("people:person_detail", args=[person.pk]))
    assert 'id="development-area"' in page.content.decode()
    fragment = client.get(reverse("development:person_cases", args=[person.pk])).content.decode()
    assert 'id="open-case"' in fragment
    response = client.post(
        reverse("development:case_add"), {"person": person.pk, "organization": branch().pk}
    )
    assert response.status_code == 302
    case = DevelopmentCase.objects.get(person=person)
    assert response["Location"] == reverse("development:step_add", args=[case.pk])
    form = client.get(response["Location"]).content.decode()
    assert "递交入党申请书" in form
    assert "exception_reason" not in form  # a secretary cannot record against a rule
    response = client.post(response["Location"], {"step": "S01", "date": "2025-03-10", "remarks": "本人递交"})
    assert response.status_code == 302
    detail = client.get(case.get_absolute_url()).content.decode()
    assert 'data-step="S01"' in detail
    assert "党组织派人谈话" in detail  # the next step
    assert "2025-04-10" in detail  # its deadline, a month later
    assert "《发展党员工作细则》第七条" in detail  # and the rule behind it
    fragment = client.get(reverse("development:person_cases", args=[person.pk])).content.decode()
    assert "S02" in fragment
    assert 'id="open-case"' not in fragment


def test_the_open_case_form_cancels_to_the_case_list(client_for):
    """The Cancel link of the form led to ``/development/cases/add/None`` (found by the crawl)."""
    page = client_for("school_secretary").get("/development/cases/add/")
    assert page.status_code == 200
    assert 'href="/development/cases/">' in page.content.decode()
    assert 'href="None"' not in page.content.decode()


def test_a_refused_step_shows_the_rule_and_writes_nothing(client_for, case):
    client = client_for("school_secretary")
    walk(case, "S06")
    before = DevelopmentEvent.objects.count()
    response = client.post(
        reverse("development:step_add", args=[case.pk]), {"step": "S07", "date": "2023-03-01"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "经过一年以上培养教育和考察" in text
    assert "《发展党员工作细则》第十三条" in text
    assert "DEV.MIN_ACTIVIST_PERIOD" not in text  # no internal key in what users read
    assert DevelopmentEvent.objects.count() == before


def test_a_late_step_is_recorded_and_flagged_on_the_case_and_the_calendar(client_for, case):
    """A school secretary records a talk two months after the application (the reminder sent them there):
    it is recorded as it happened and flagged late on the step, the case and the calendar — no dead end."""
    client = client_for("school_secretary")
    walk(case, "S01")
    response = client.post(
        reverse("development:step_add", args=[case.pk]), {"step": "S02", "date": "2022-03-01"}
    )
    assert response.status_code == 302
    event = case.events.get(step="S02")
    assert (event.late, event.late_rules, event.late_due) == (True, "DEV.TALK_DEADLINE", D("2022-02-10"))
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="late-flag"' in page
    assert "step-late" in page
    assert "超过时限办理（应于 2022-02-10 前完成）" in page
    assert "DEV.TALK_DEADLINE" not in page
    calendar = client.get(reverse("development:due") + "?has_late=true").content.decode()
    assert "late-step-flag" in calendar
    assert case.person.name in calendar


def test_the_step_form_carries_the_fields_of_the_step(client_for, case):
    client = client_for("yuelu_admin")
    walk(case, "S14")
    text = client.get(reverse("development:step_add", args=[case.pk]) + "?step=S15").content.decode()
    for name in ("present", "yes", "written_yes", "excused"):
        assert f'name="{name}"' in text
    assert 'name="should_attend"' not in text  # derived from the roll, not typed
    assert 'id="should-attend"' in text
    assert 'name="exception_reason"' in text  # a district administrator may make an exception
    fill_roll(20)
    response = client.post(
        reverse("development:step_add", args=[case.pk]),
        {"step": "S15", "date": "2023-06-25", "should_attend": 12, "present": 12, "yes": 10},
    )
    assert (
        "赞成人数（含会前正式提交的书面意见）须超过应到会有表决权正式党员的半数" in response.content.decode()
    )
    response = client.post(
        reverse("development:step_add", args=[case.pk]),
        {"step": "S15", "date": "2023-06-25", "present": 12, "yes": 11},
    )
    assert response.status_code == 302
    assert case.events.get(step="S15").data == {"should_attend": 20, "present": 12, "yes": 11}


def test_contacts_are_chosen_among_full_members(client_for, case):
    client = client_for("school_secretary")
    walk(case, "S04")
    text = client.get(reverse("development:step_add", args=[case.pk]) + "?step=S05").content.decode()
    assert "梅溪湖张老师" in text  # a full member
    assert "梅溪湖李老师" not in text  # probationary
    ids = [p.pk for p in contacts()]
    response = client.post(
        reverse("development:step_add", args=[case.pk]),
        {"step": "S05", "date": "2022-04-10", "contacts": ids},
    )
    assert response.status_code == 302
    assert sorted(case.contacts.values_list("person_id", flat=True)) == sorted(ids)


def test_undo_and_close(client_for, case):
    client = client_for("yuelu_admin")
    walk(case, "S03")
    client.post(reverse("development:step_undo", args=[case.pk]))
    case.refresh_from_db()
    assert case.last_step == "S02"
    response = client.post(
        reverse("development:case_close", args=[case.pk]), {"reason": "withdrawn", "closed_on": "2022-05-01"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.close_reason) == ("closed", "withdrawn")


def test_removing_the_latest_step_asks_first(client_for, case):
    walk(case, "S03")
    client = client_for("yuelu_admin")
    url = reverse("development:step_undo", args=[case.pk])
    detail = client.get(case.get_absolute_url()).content.decode()
    assert re.search(rf'<a [^>]*href="{url}"[^>]*id="undo-step"', detail)
    assert f'action="{url}"' not in detail  # no form acting on one click
    latest = case.events.order_by("-date", "-id").first()
    before = DevelopmentEvent.objects.count()
    page = client.get(url)
    assert page.status_code == 200
    question = re.search(r'<p id="confirm-question">([^<]+)</p>', page.content.decode()).group(1)
    assert f"将删除{case.person.name}的最近一步" in question
    assert str(latest) in question.replace("&quot;", '"')
    assert "变更记录" in question
    assert DevelopmentEvent.objects.count() == before
    case.refresh_from_db()
    assert case.last_step == "S03"
    assert client.post(url).status_code == 302
    case.refresh_from_db()
    assert case.last_step == "S02"
    assert not DevelopmentEvent.objects.filter(pk=latest.pk).exists()


def test_the_step_removal_page_is_refused_outside_the_role_and_scope(client_for, case):
    walk(case, "S02")
    url = reverse("development:step_undo", args=[case.pk])
    assert client_for("inspector").get(url).status_code == 403
    missing = client_for("furong_admin").get(reverse("development:step_undo", args=[999999]))
    assert missing.status_code == 404
    assert client_for("furong_admin").get(url).status_code == 404  # another district: as if missing
    assert client_for("furong_admin").post(url).status_code == 404
    assert case.events.count() == 2


def test_other_districts_and_read_only_roles(client_for, client, case):
    walk(case, "S01")
    other = client_for("furong_admin")
    assert other.get(case.get_absolute_url()).status_code == 404
    assert (
        other.post(
            reverse("development:step_add", args=[case.pk]), {"step": "S02", "date": "2022-01-20"}
        ).status_code
        == 404
    )
    client.logout()
    instructor = client_for("instructor")
    assert (
        instructor.post(reverse("development:step_add", args=[case.pk]), {"step": "S02"}).status_code == 403
    )
    assert case.events.count() == 1


def late_case():
    case = open_case(new_applicant("逾期老师", birth="1990-01-01"), branch(), by=SYSTEM)
    record_step(case, "S01", D("2026-09-01"), today=TODAY, by=SYSTEM)  # talk due 2026-10-01: late today
    case.refresh_from_db()
    return case


def test_the_calendar_lists_late_cases_and_exports_them(client_for):
    case = late_case()
    client = client_for("school_secretary")
    response = client.get(reverse("development:due"))
    text = response.content.decode()
    assert "逾期老师" in text
    late = int(re.search(r'id="count-late">(\d+)<', text).group(1))
    assert late >= 1
    assert case.is_overdue()
    assert 'class="badge text-bg-danger late-flag"' in text
    export = client.get(reverse("development:due") + "?late=true&export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    names = [row[0] for row in book.active.iter_rows(min_row=3, values_only=True)]
    assert "逾期老师" in names
    assert AccessEvent.objects.filter(kind="export", object_type="development.developmentcase").exists()


def test_calendar_counts_agree_with_a_brute_force_count(client_for, example_user):
    late_case()
    user = example_user("yuelu_admin")
    text = client_for("yuelu_admin").get(reverse("development:due")).content.decode()
    today = datetime.date.today()
    visible = [
        c
        for c in DevelopmentCase.objects.all()
        if c.organization.path.startswith(user.role_assignments.get().organization.path)
        and c.status == "open"
    ]
    assert int(re.search(r'id="count-open">(\d+)<', text).group(1)) == len(visible)
    assert int(re.search(r'id="count-late">(\d+)<', text).group(1)) == sum(
        1 for c in visible if c.next_due and c.next_due < today
    )


def test_list_and_calendar_query_counts_do_not_grow_with_cases(client_for):
    client = client_for("city_admin")

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    walk(open_case(new_applicant("批量老师", birth="1991-02-02"), branch(), by=SYSTEM), "S03")
    first = (count(reverse("development:due")), count(reverse("development:case_list")))
    for i in range(6):
        case = open_case(new_applicant(f"批量老师{i}", birth="1991-02-02"), branch(), by=SYSTEM)
        walk(case, "S03")
    assert (count(reverse("development:due")), count(reverse("development:case_list"))) == first


def test_plans_show_plan_against_actual(client_for, case):
    walk(case, "S17")
    org = PartyOrganization.objects.get(code="CS430104-02")
    (plan,) = save_plans(
        [Item({"organization": org, "year": 2023, "quota": 3, "front_line_quota": 1})], by=SYSTEM
    )
    text = client_for("yuelu_admin").get(reverse("development:plan_list") + "?year=2023").content.decode()
    admitted = DevelopmentCase.objects.filter(
        admitted_on__year=2023, organization__path__startswith=plan.organization.path
    )
    row = re.search(
        r"<tr[^>]*>\s*<td[^>]*><a [^>]*>[^<]*梅溪湖中学委员会</a></td>(.*?)</tr>", text, re.S
    ).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[1:4] == ["3", str(admitted.count()), "1"]
    assert cells[4] == str(admitted.filter(person__front_line=True).count())


PLAN_FORM = {
    "year": 2031,
    "quota": 10,
    "front_line_quota": 3,
    "young_backbone_quota": 2,
    "remarks": "年度计划",
}


@pytest.mark.parametrize("username", ["school_secretary", "yuelu_admin"])
def test_a_plan_saved_from_the_form_is_kept(client_for, username):
    """Saving a 年度发展计划 answered 500 (a TypeError in the redirect) and kept nothing."""
    client = client_for(username)
    org = PartyOrganization.objects.get(code="CS430104-02")
    assert client.get(reverse("development:plan_add")).status_code == 200
    response = client.post(reverse("development:plan_add"), {**PLAN_FORM, "organization": org.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("development:plan_list")
    plan = DevelopmentPlan.objects.get(organization=org, year=2031)
    assert (plan.quota, plan.front_line_quota, plan.young_backbone_quota) == (10, 3, 2)
    assert "已保存" in client.get(response["Location"]).content.decode()
    response = client.post(
        reverse("development:plan_edit", args=[plan.pk]), {**PLAN_FORM, "organization": org.pk, "quota": 12}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.quota == 12


def test_the_plan_form_refuses_a_priority_above_the_quota(client_for):
    client = client_for("yuelu_admin")
    org = PartyOrganization.objects.get(code="CS430104-02")
    data = {**PLAN_FORM, "organization": org.pk, "front_line_quota": 20, "young_backbone_quota": 11}
    response = client.post(reverse("development:plan_add"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["front_line_quota"] == ["一线教师人数（20）不能超过计划数（10）。"]
    assert form.errors["young_backbone_quota"] == ["中青年骨干教师人数（11）不能超过计划数（10）。"]
    assert not DevelopmentPlan.objects.filter(organization=org, year=2031).exists()
    # Lowering the quota of a recorded plan below its priorities is refused the same way.
    (plan,) = save_plans(
        [Item({"organization": org, "year": 2031, "quota": 10, "front_line_quota": 6})], by=SYSTEM
    )
    response = client.post(
        reverse("development:plan_edit", args=[plan.pk]),
        {**PLAN_FORM, "organization": org.pk, "quota": 5, "front_line_quota": 6},
    )
    assert response.context["form"].errors["front_line_quota"] == ["一线教师人数（6）不能超过计划数（5）。"]
    plan.refresh_from_db()
    assert plan.quota == 10


def test_the_plan_service_and_api_refuse_a_priority_above_the_quota(client_for):
    org = PartyOrganization.objects.get(code="CS430104-02")
    with pytest.raises(RefusedError) as refused:
        save_plans(
            [Item({"organization": org, "year": 2031, "quota": 10, "front_line_quota": 20})], by=SYSTEM
        )
    (problem,) = refused.value.problems
    assert (problem.item, problem.field) == (0, "front_line_quota")
    assert not DevelopmentPlan.objects.filter(organization=org, year=2031).exists()
    client = client_for("yuelu_admin")
    body = {
        "organization": org.code,
        "year": 2031,
        "quota": 10,
        "front_line_quota": 20,
        "young_backbone_quota": 0,
    }
    response = client.post("/api/development/plans/", body, content_type="application/json")
    assert response.status_code == 400
    assert "一线教师人数（20）不能超过计划数（10）。" in str(response.json())
    assert not DevelopmentPlan.objects.filter(organization=org, year=2031).exists()
    response = client.post(
        "/api/development/plans/", {**body, "front_line_quota": 10}, content_type="application/json"
    )
    assert response.status_code == 201
    assert DevelopmentPlan.objects.get(organization=org, year=2031).front_line_quota == 10


# API ------------------------------------------------------------------------------------------------
def test_the_api_records_steps_through_the_same_rules(client_for, case):
    client = client_for("school_secretary")
    url = "/api/development/events/"
    response = client.post(
        url, {"case": case.pk, "step": "S02", "date": "2022-01-20"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["rules"][0]["rule"] == "DEV.ORDER"
    assert case.events.count() == 0
    response = client.post(
        url, {"case": case.pk, "step": "S01", "date": "2022-01-10"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    case.refresh_from_db()
    assert (case.next_step, case.next_due) == ("S02", D("2022-02-10"))
    due = client.get("/api/development/due/").json()
    line = next(row for row in due["results"] if row["id"] == case.pk)
    assert (line["next_step"], line["next_due"], line["late"]) == ("S02", "2022-02-10", True)
    assert line["due_rule"] == "DEV.TALK_DEADLINE"
    assert client.get(f"/api/development/cases/{case.pk}/").json()["stage"] == 1


def test_the_api_refuses_an_override_of_a_validity_rule_and_flags_a_late_step(client_for, case):
    """The review's probe: a district administrator sent 4 yes votes of 20 with a reason, and the membership
    was created from that date. Now the vote is refused (VOTE.PASS is a condition of validity) and nothing
    is written; a late approval through the API is recorded and flagged."""
    fill_roll(20)
    walk(case, "S14")
    client = client_for("yuelu_admin")
    url = "/api/development/events/"
    vote = {"present": 20, "yes": 4, "no": 16, "should_attend": 4}
    response = client.post(
        url,
        {"case": case.pk, "step": "S15", "date": "2023-06-25", "data": vote, "exception_reason": "特殊情况"},
        content_type="application/json",
    )
    assert response.status_code == 400
    refused = response.json()["rules"]
    assert [(r["rule"], r["kind"], r["overridable"]) for r in refused] == [("VOTE.PASS", "validity", False)]
    assert "VOTE.PASS" not in refused[0]["message"]
    assert "20 人应到" in refused[0]["message"] or "20" in refused[0]["message"]
    assert not case.events.filter(step="S15").exists()
    assert not case.person.memberships.exists()
    ok = {"present": 16, "yes": 15, "no": 1}
    for code, day, data in [("S15", "2023-06-25", ok), ("S16", "2023-07-05", {})]:
        response = client.post(
            url, {"case": case.pk, "step": code, "date": day, "data": data}, content_type="application/json"
        )
        assert response.status_code == 201, response.content
    response = client.post(
        url,
        {
            "case": case.pk,
            "step": "S17",
            "date": "2023-10-10",
            "data": {"approval_number": "岳教党发〔2023〕9号"},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["late"], body["late_rules"], body["late_due"]) == (
        True,
        "DEV.APPROVAL_DEADLINE",
        "2023-09-25",
    )
    assert client.get(f"/api/development/cases/{case.pk}/").json()["has_late"] is True


def test_the_api_is_scoped(client_for, client, case):
    walk(case, "S01")
    other = client_for("furong_admin")
    assert other.get(f"/api/development/cases/{case.pk}/").status_code == 404
    response = other.post(
        "/api/development/events/",
        {"case": case.pk, "step": "S02", "date": "2022-01-20"},
        content_type="application/json",
    )
    assert response.status_code == 400  # a case the caller cannot see is no valid choice
    assert case.pk not in [row["id"] for row in other.get("/api/development/due/").json()["results"]]
    assert case.events.count() == 1


# Reminders ------------------------------------------------------------------------------------------
def test_the_daily_scan_reminds_the_secretary_once(client_for, example_user):
    case = late_case()
    secretary = example_user("school_secretary")
    out = io.StringIO()
    call_command("daily", "--only", "development.reminders", stdout=out)
    reminder = Notification.objects.get(user=secretary, key__startswith=f"development:{case.pk}:")
    assert reminder.title.startswith("已逾期：逾期老师的“S02 党组织派人谈话”应于 2026-10-01 前完成")
    assert "S02" in reminder.title
    assert reminder.url == case.get_absolute_url()
    assert not Notification.objects.filter(
        user=example_user("yuelu_admin"), key__startswith=f"development:{case.pk}:"
    ).exists()
    call_command("daily", "--only", "development.reminders", stdout=io.StringIO())
    assert Notification.objects.filter(user=secretary, key__startswith=f"development:{case.pk}:").count() == 1
    client = client_for("school_secretary")
    page = client.get(reverse("notifications")).content.decode()
    assert "逾期老师" in page
    assert 'id="unread-count"' in page
    client.post(reverse("notifications_read"))
    assert 'id="unread-count"' not in client.get(reverse("notifications")).content.decode()


def test_a_step_keeps_its_scan_sealed_and_serves_it_within_scope(client_for, client, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from redengine.development.models import EventAttachment

    secretary = client_for("school_secretary")
    scan = "%PDF-1.4\n% 入党申请书扫描件\n".encode()
    response = secretary.post(
        reverse("development:step_add", args=[case.pk]),
        {
            "step": "S01",
            "date": "2022-01-10",
            "attachment": SimpleUploadedFile("申请书.pdf", scan, "application/pdf"),
        },
    )
    assert response.status_code == 302
    attachment = EventAttachment.objects.get(event__case=case)
    assert scan not in bytes(attachment.content)  # sealed in the database
    assert attachment.file_name in secretary.get(case.get_absolute_url()).content.decode()
    download = secretary.get(attachment.get_absolute_url())
    assert download.content == scan
    assert AccessEvent.objects.filter(kind="export", object_id=str(attachment.pk)).exists()
    client.logout()
    assert client_for("furong_admin").get(attachment.get_absolute_url()).status_code == 404


def test_a_disguised_or_oversized_scan_is_refused_and_nothing_written(client_for, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    secretary = client_for("school_secretary")
    for name, content, reason in [
        ("申请书.pdf", b"MZ\x90\x00 not a pdf", "不是真正的 .pdf 文件"),
        ("申请书.exe", b"MZ\x90\x00", "只接受 PDF、JPEG、PNG 和 Word（.docx）文件"),
        ("大文件.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "超过 10 MB"),
    ]:
        response = secretary.post(
            reverse("development:step_add", args=[case.pk]),
            {"step": "S01", "date": "2022-01-10", "attachment": SimpleUploadedFile(name, content)},
        )
        assert response.status_code == 200
        assert reason in response.content.decode()
        assert case.events.count() == 0


def test_reminders_also_go_by_email_where_configured(settings, example_user, mailoutbox):
    settings.REMINDER_EMAILS = True
    settings.SITE_URL = "https://redengine.example.edu.cn"
    secretary = example_user("school_secretary")
    with writing(SYSTEM):
        secretary.email = "zhao@example.edu.cn"
        secretary.save()
    case = late_case()
    call_command("daily", "--only", "development.reminders", stdout=io.StringIO())
    mails = [m for m in mailoutbox if "逾期老师" in m.subject]
    assert [m.to for m in mails] == [["zhao@example.edu.cn"]]
    assert f"https://redengine.example.edu.cn{case.get_absolute_url()}" in mails[0].body


def test_the_step_form_offers_cancelling_the_probation_before_the_conversion_application(client_for, case):
    """细则 art. 32 (domain-rules §0.2): a cancellation may come at any time of the probation, without the
    member's application for conversion (S22): the form offers it as soon as the admission is approved."""
    fill_roll(20)
    walk(case, "S20")
    client = client_for("school_secretary")
    text = client.get(reverse("development:step_add", args=[case.pk])).content.decode()
    assert '<option value="S23"' in text
    assert "取消预备党员资格" in text
    response = client.post(
        reverse("development:step_add", args=[case.pk]),
        {"step": "S23", "date": "2023-12-01", "present": 16, "yes": 12, "no": 4, "outcome": "cancel"},
    )
    assert response.status_code == 302
    assert case.events.get(step="S23").data["outcome"] == "cancel"
