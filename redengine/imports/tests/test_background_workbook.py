"""The import workbook (every sheet of the user's scope) of more than ``EXPORT_BACKGROUND_ROWS`` rows is
written by the background worker like a large list export: its page, its file to the requester alone,
the very rows the immediate export writes, the download logged; a smaller one stays immediate."""

import io
from urllib.parse import quote

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.core import export_jobs
from redengine.core.exports import own_scope_name
from redengine.core.models import AccessEvent, ExportJob
from redengine.dataio.exporting import workbook_rows
from redengine.imports.models import ImportJob
from redengine.testing import export_with_approval, login_client

from .importing import db_counts

pytestmark = pytest.mark.django_db
EXPORT = reverse("imports:export")
WORKBOOK_JOB_QUERIES = 34  # the job, one COUNT per sheet, each sheet in chunks, the lookups of its rows
SHEETS = [
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


def rows_of(content):
    """Every sheet's rows (without the headers), by sheet name."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {name: list(book[name].iter_rows(min_row=2, values_only=True)) for name in book.sheetnames}


def exports(username):
    return AccessEvent.objects.filter(kind=AccessEvent.Kind.EXPORT, username=username)


def test_a_large_workbook_goes_to_the_background_with_the_rows_of_the_immediate_one(
    client_for, settings, example_user
):
    web = client_for("yuelu_admin")  # may not reveal: masked, no approval needed
    user = example_user("yuelu_admin")
    immediate = web.get(EXPORT)
    assert immediate.status_code == 200
    assert not ExportJob.objects.exists()
    expected = rows_of(immediate.content)
    total = sum(len(rows) for rows in expected.values())
    assert workbook_rows(user) == total > 5

    settings.EXPORT_BACKGROUND_ROWS = 5
    before = exports("yuelu_admin").count()
    asked = web.get(EXPORT)
    job = ExportJob.objects.get()
    assert asked.status_code == 302
    assert asked["Location"] == reverse("export_job", args=[job.pk])
    assert exports("yuelu_admin").count() == before  # nothing downloaded yet
    name = f"导入模板格式的数据_{own_scope_name(user)}_{timezone.localdate().isoformat()}.xlsx"
    assert job.file_name == name
    assert quote(name, safe="") in immediate["Content-Disposition"]
    assert (job.kind, job.status, job.rows_written, job.rows_total) == ("workbook", "done", total, total)
    assert job.object_type == "dataio.importworkbook"

    page = web.get(asked["Location"]).content.decode()
    assert 'id="download"' in page
    assert f"已写入 {total} / {total} 行" in page
    assert job.file_name in page
    assert f'href="{reverse("imports:import")}"' in page  # back to 数据导入, not to a new export

    response = web.get(reverse("export_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"importworkbook-{job.pk}.xlsx\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == SHEETS
    assert "王志强" in book["学校"]["A1"].comment.text  # the exporter's stamp, as the immediate one
    assert rows_of(response.content) == expected
    event = exports("yuelu_admin").latest("id")
    assert (event.object_type, event.row_count) == ("dataio.importworkbook", total)
    assert "脱敏" in event.detail
    assert f"background #{job.pk}" in event.detail

    # Any other account, even one who sees more, gets what a job that does not exist gets.
    for other in ("furong_admin", "city_admin"):
        stranger = login_client(Client(), example_user(other))
        for url_name in ("export_job", "export_job_progress", "export_job_download"):
            assert stranger.get(reverse(url_name, args=[job.pk])).status_code == 404
    assert not exports("furong_admin").exists()


def test_the_background_workbook_imports_back_as_no_change_and_keeps_the_approval(
    client_for, settings, example_user
):
    settings.EXPORT_BACKGROUND_ROWS = 1
    web = client_for("city_admin")  # may reveal: a second person approves it first
    asked = export_with_approval(web, EXPORT, example_user("inspector"))
    assert asked.status_code == 302
    job = ExportJob.objects.get()
    assert job.approval_id is not None
    assert (job.kind, job.status) == ("workbook", "done")
    response = web.get(reverse("export_job_download", args=[job.pk]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == SHEETS
    assert "孙明" in book["学校"]["A1"].comment.text  # the approver, in the stamp
    assert job.rows_written == sum(book[name].max_row - 1 for name in SHEETS)
    event = exports("city_admin").latest("id")
    assert "完整" in event.detail
    assert f"approved #{job.approval_id}" in event.detail
    before = db_counts()
    upload = web.post(
        reverse("imports:import"),
        {"file": io.BytesIO(response.content)},
    )
    assert upload.status_code == 302
    again = ImportJob.objects.latest("id")
    assert again.status == "no_change", [line["reason"] for line in again.errors[:5]]
    assert db_counts() == before


def test_the_workbook_counts_its_rows_with_one_count_per_sheet(example_user):
    user = example_user("city_admin")
    with CaptureQueriesContext(connection) as queries:
        total = workbook_rows(user)
    counts = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT COUNT")]
    assert total > 0
    assert len(counts) == len(SHEETS), [q["sql"] for q in queries]


def test_a_small_workbook_stays_immediate(client_for, settings):
    settings.EXPORT_BACKGROUND_ROWS = 100_000
    web = client_for("yuelu_admin")
    response = web.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportJob.objects.exists()
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == SHEETS
    assert exports("yuelu_admin").latest("id").object_type == "dataio.importworkbook"


def test_the_background_workbook_reads_in_chunks_without_a_query_per_row(example_user):
    user = example_user("city_admin")
    job = ExportJob.objects.create(
        user=user,
        kind=ExportJob.Kind.WORKBOOK,
        title="导入模板格式的数据",
        file_name="x.xlsx",
        path="/import/",
    )
    with CaptureQueriesContext(connection) as queries:
        assert export_jobs.write_export.call(job.pk) == "done"
    job.refresh_from_db()
    assert job.rows_written == workbook_rows(user) > 20
    assert len(queries) <= WORKBOOK_JOB_QUERIES, [q["sql"] for q in queries]
