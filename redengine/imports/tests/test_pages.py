"""The 数据导入 pages: template, upload → preview → confirm, refusals, the jobs and their scope, the export
as an import workbook and its round trip, progress, and a query count that does not grow with the rows."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from redengine.accounts.models import User
from redengine.core.models import AccessEvent, ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.dataio.template import CODE_SHEET
from redengine.imports.models import ImportJob
from redengine.orgs.services import SCHOOLS
from redengine.people.models import Person
from redengine.testing import export_with_approval

from .generated import generated_workbook
from .importing import MEMBER_ID, SCHOOL, changed, db_counts, small_sheets, workbook

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, content, name="导入.xlsx"):
    return client.post(reverse("imports:import"), {"file": SimpleUploadedFile(name, content, XLSX)})


def job_of(response):
    assert response.status_code == 302, response.content[:500]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_the_page_offers_template_export_and_upload(client_for):
    response = client_for("city_admin").get(reverse("imports:import"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "数据导入" in page
    assert 'id="download-template"' in page
    assert 'id="export-workbook"' in page
    assert '<label class="form-label" for="id_file">' in page  # the file input is labelled
    assert reverse("imports:import") in page  # and in the navigation


def test_roles_that_may_not_import_are_refused(client_for):
    for username in ("inspector", "instructor", "audit_admin"):
        client = client_for(username)
        assert client.get(reverse("imports:import")).status_code == 403
        assert client.get(reverse("imports:template")).status_code == 403
        client.logout()
    assert AccessEvent.objects.filter(kind="refused", object_type="imports.importjob").exists()


def test_the_template_has_every_sheet_with_run_time_lists(client_for):
    response = client_for("yuelu_admin").get(reverse("imports:template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "学校",
        "党组织",
        "人员",
        "党组织委员",
        "称号",
        "发展环节",
        "组织生活",
        "师徒结对",
        "竞赛获奖",
        "示范创建",
        "城乡结对",
        "星级评定结果",
        "党费缴纳",
        CODE_SHEET,
    ]
    assert [c.value for c in book["人员"][1]][:3] == ["姓名", "公民身份号码", "性别"]
    assert [c.value for c in book["称号"][1]] == ["公民身份号码", "称号", "级别", "认定日期", "截止日期"]
    codes = {cell.value for column in book[CODE_SHEET].iter_cols() for cell in column}
    assert "4301040002" in codes
    assert "CS430104-02" in codes
    assert "4301020001" not in codes  # not a Furong school
    assert book["人员"]["B2"].number_format == "@"


def test_upload_preview_confirm(client_for):
    client = client_for("yuelu_admin")
    before = db_counts()
    content = workbook()
    job = job_of(upload(client, content))
    assert job.status == "validated"
    assert db_counts() == before  # nothing written before the confirmation
    assert job.content  # the very file, kept for the confirmation
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="confirm"' in text
    assert job.counts == {
        "学校": {"new": 1, "changed": 0, "unchanged": 0},
        "党组织": {"new": 1, "changed": 0, "unchanged": 0},
        "人员": {"new": 2, "changed": 0, "unchanged": 0},
        "称号": {"new": 1, "changed": 0, "unchanged": 0},
    }
    assert '<tr data-sheet="人员"><th scope="row">人员</th><td class="new">2</td>' in text
    response = client.post(reverse("imports:job_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "imported"
    assert job.rows_written == 5
    assert job.content is None
    assert db_counts()["Person"] == before["Person"] + 2
    record = ObjectChange.objects.filter(content_type__model="school").latest("id")
    assert record.username == "yuelu_admin"
    assert record.actor == "web"
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="imported"' in page
    assert 'id="confirm"' not in page
    # The same file again, by an account that may not reveal these people: their mobiles are not compared
    # (the answer would tell whether each is the recorded one), so the rows are refused at the mobile.
    refused_again = job_of(upload(client, content))
    assert refused_again.status == "failed"
    assert {line["column"] for line in refused_again.errors} == {"手机号码"}
    # By one who may: nothing to write, and the page says so.
    revealer = client_for("city_admin")
    again = job_of(upload(revealer, content))
    assert again.status == "no_change"
    text = revealer.get(again.get_absolute_url()).content.decode()
    assert 'id="no-change"' in text
    assert "同一文件已于" in text


def test_an_upload_with_errors_shows_them_and_writes_nothing(client_for):
    client = client_for("yuelu_admin")
    before = db_counts()
    sheets = changed(small_sheets(), "人员", 2, "性别", "女")
    job = job_of(upload(client, workbook(sheets)))
    assert job.status == "failed"
    assert job.error_count == 1
    assert job.content is None
    assert db_counts() == before
    text = client.get(job.get_absolute_url()).content.decode()
    assert 'id="refused"' in text
    assert 'id="confirm"' not in text
    assert "<td>人员</td><td>2</td><td>性别</td>" in text
    assert "性别与公民身份号码不符" in text
    assert client.post(reverse("imports:job_confirm", args=[job.pk])).status_code == 302
    assert db_counts() == before


def test_a_file_that_is_no_workbook_is_refused_in_the_page(client_for):
    client = client_for("yuelu_admin")
    job = job_of(upload(client, b"not a workbook at all", "名单.xlsx"))
    assert job.status == "failed"
    assert "不是 Excel 工作簿" in client.get(job.get_absolute_url()).content.decode()


def test_a_form_without_a_file_shows_the_form_again(client_for):
    response = client_for("yuelu_admin").post(reverse("imports:import"), {})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()


def test_the_confirmation_checks_the_file_again(client_for):
    """A row that became invalid between preview and confirmation (here: the school now exists in Furong
    with that code) is caught when the stored file is checked again."""
    client = client_for("yuelu_admin")
    job = job_of(upload(client, workbook()))
    values = {
        "code": SCHOOL,
        "name": "别人先建了",
        "district": "430102",
        "ownership": "public",
        "school_type": "primary",
        "urban_rural": "urban",
    }
    SCHOOLS.save([Item(values)], by=SYSTEM)
    before = db_counts()
    client.post(reverse("imports:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "failed"
    assert db_counts() == before


def test_only_the_uploader_confirms(client_for, client):
    job = job_of(upload(client_for("city_admin"), workbook()))
    client.logout()
    other = client_for("yuelu_admin")
    assert other.post(reverse("imports:job_confirm", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "validated"


def test_cancel(client_for):
    client = client_for("yuelu_admin")
    job = job_of(upload(client, workbook()))
    client.post(reverse("imports:job_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert job.content is None


def test_progress_is_recorded(client_for):
    client = client_for("city_admin")
    job = job_of(upload(client, generated_workbook(60, seed=4)))
    assert job.rows_total > 60
    assert job.rows_validated == job.rows_total
    client.post(reverse("imports:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "imported"
    assert job.rows_written == job.writes_total == job.rows_total
    text = client.get(job.get_absolute_url()).content.decode()
    assert f"已校验 {job.rows_total} / {job.rows_total} 行" in text
    assert 'aria-valuenow="100"' in text


# Jobs are scoped ----------------------------------------------------------------------------------
def test_jobs_are_seen_within_the_scope(client_for, client):
    yuelu = job_of(upload(client_for("yuelu_admin"), workbook()))
    client.logout()
    furong = job_of(upload(client_for("furong_admin"), workbook()))
    client.logout()
    visible = {
        username: set(
            ImportJob.objects.visible_to(User.objects.get(username=username)).values_list("pk", flat=True)
        )
        for username in ("city_admin", "yuelu_admin", "furong_admin", "school_secretary", "sys_admin")
    }
    assert {yuelu.pk, furong.pk} <= visible["city_admin"]
    assert yuelu.pk in visible["yuelu_admin"]
    assert furong.pk not in visible["yuelu_admin"]
    assert furong.pk in visible["furong_admin"]
    assert yuelu.pk not in visible["furong_admin"]
    assert not ({yuelu.pk, furong.pk} & visible["school_secretary"])  # below the district
    assert not visible["sys_admin"]
    client = client_for("furong_admin")
    assert client.get(reverse("imports:job_detail", args=[yuelu.pk])).status_code == 404
    listing = client.get(reverse("imports:job_list")).content.decode()
    assert yuelu.get_absolute_url() not in listing
    assert furong.get_absolute_url() in listing
    client.logout()
    assert client_for("sys_admin").get(reverse("imports:job_list")).status_code == 403


def test_problem_lines_never_hold_a_full_id_number(client_for, client):
    """Even for an account that may reveal: the lines are stored, and a database copy must hold none."""
    wrong = MEMBER_ID[:-1] + ("0" if MEMBER_ID[-1] != "0" else "1")
    masked = wrong[:4] + "*" * 12 + wrong[-2:]
    job = job_of(
        upload(client_for("city_admin"), workbook(changed(small_sheets(), "人员", 2, "公民身份号码", wrong)))
    )
    assert all(wrong not in line["value"] for line in job.errors)
    assert any(line["value"] == masked for line in job.errors)
    page = client.get(job.get_absolute_url()).content.decode()
    assert wrong not in page
    assert masked in page


# Export as an import workbook, and the round trip -------------------------------------------------
def test_round_trip_import_export_reimport_is_no_change(client_for, example_user):
    client = client_for("city_admin")
    job = job_of(upload(client, generated_workbook(80, seed=9)))
    client.post(reverse("imports:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "imported"
    # ID numbers in full: a second person (the inspector, over the same city) approves it first.
    response = export_with_approval(client, reverse("imports:export"), example_user("inspector"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "学校",
        "党组织",
        "人员",
        "党组织委员",
        "称号",
        "发展环节",
        "组织生活",
        "师徒结对",
        "竞赛获奖",
        "示范创建",
        "城乡结对",
        "星级评定结果",
        "党费缴纳",
    ]
    # The file names its exporter and its approver (document properties, page header, first-sheet note).
    assert "陈建国" in book.properties.creator
    assert "孙明" in book["学校"]["A1"].comment.text
    event = AccessEvent.objects.filter(kind="export", username="city_admin").latest("id")
    assert event.row_count == sum(book[name].max_row - 1 for name in book.sheetnames)
    assert "完整" in event.detail
    people = {row[1] for row in book["人员"].iter_rows(min_row=2, values_only=True)}
    demo = Person.objects.get(name="梅溪湖张老师")
    assert demo.reveal_id_number() in people  # in full, as the city administrator may reveal
    before = db_counts()
    again = job_of(upload(client, response.content, "导出.xlsx"))
    assert again.status == "no_change", [line["reason"] for line in again.errors[:5]]
    assert db_counts() == before


def test_a_masked_export_is_refused_as_input(client_for):
    client = client_for("yuelu_admin")  # may not reveal
    response = client.get(reverse("imports:export"))
    assert response.status_code == 200
    event = AccessEvent.objects.filter(kind="export", username="yuelu_admin").latest("id")
    assert "脱敏" in event.detail
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    numbers = [row[1] for row in book["人员"].iter_rows(min_row=2, values_only=True)]
    assert numbers
    assert all("*" in number for number in numbers)
    schools = {row[0] for row in book["学校"].iter_rows(min_row=2, values_only=True)}
    assert "4301040002" in schools
    assert "4301020001" not in schools
    before = db_counts()
    job = job_of(upload(client, response.content, "导出.xlsx"))
    assert job.status == "failed"
    assert any("已脱敏" in line["reason"] for line in job.errors)
    assert db_counts() == before


def test_export_is_refused_without_the_export_action(client_for):
    assert client_for("audit_admin").get(reverse("imports:export")).status_code == 403


# Queries do not grow with the rows ----------------------------------------------------------------
def count_queries(client, people, seed, offset):
    content = generated_workbook(people, seed=seed, school_offset=offset)
    with CaptureQueriesContext(connection) as checked:
        job = job_of(upload(client, content))
    with CaptureQueriesContext(connection) as written:
        client.post(reverse("imports:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "imported", job.errors[:3]
    return len(checked), len(written)


def test_query_count_does_not_grow_with_rows(client_for):
    """Checking 200 people takes as many queries as checking 50. Writing them takes the same queries but
    for the INSERT batches: Django's SQLite backend puts at most 999 parameters in one statement (about 50
    people), PostgreSQL all 200 in one. Never a query per row. The write includes the write path's
    re-check of everything written against the importer's scope (a query or two per kind of record), and
    the rewrite of the new schools' placements (a handful of queries per batch of schools and organizations)."""
    client = client_for("city_admin")
    small = count_queries(client, 50, seed=21, offset=100)
    large = count_queries(client, 200, seed=22, offset=200)
    assert large[0] == small[0], (small, large)
    batches = 150 // 50 if connection.vendor == "sqlite" else 0
    assert small[1] <= large[1] <= small[1] + batches, (small, large)
    assert small[1] < 90


def test_a_waiting_upload_and_its_problems_hold_no_personal_data_in_clear(client_for):
    """security-goals.md, Privacy: a dump of the database contains no ID number in clear."""
    from redengine.imports.tests.generated import workbook_rows, write_xlsx

    sheets = workbook_rows(people=20, seed=7)
    header = sheets["人员"][0]
    id_column = header.index("公民身份号码")
    numbers = [row[id_column] for row in sheets["人员"][1:]]
    sheets["人员"][1][header.index("性别")] = (
        "女" if sheets["人员"][1][header.index("性别")] == "男" else "男"
    )
    upload(client_for("city_admin"), write_xlsx(sheets))  # refused: one row's sex disagrees with its ID
    upload(
        client_for("city_admin"), write_xlsx(workbook_rows(people=20, seed=7))
    )  # valid: kept for confirmation
    assert ImportJob.objects.filter(status=ImportJob.Status.VALIDATED).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM dataio_importjob")
        dump = " ".join(
            bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
            for row in cursor.fetchall()
            for v in row
        )
    for number in numbers:
        assert number not in dump
