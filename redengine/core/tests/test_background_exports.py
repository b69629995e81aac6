"""Issue 11: exports of more than ``EXPORT_BACKGROUND_ROWS`` rows are written in the background with a page
that follows them, downloaded by their requester alone, and dropped when they expire; every export file has
a Chinese name with its scope and day; the chart library loads only on the pages that draw charts."""

import datetime
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.core import daily, export_jobs
from redengine.core.exports import own_scope_name
from redengine.core.models import AccessEvent, ExportJob
from redengine.people.models import Person
from redengine.testing import login_client

pytestmark = pytest.mark.django_db
PEOPLE = reverse("people:person_list")
CHART_SCRIPT = "vendor/echarts/echarts.min.js"


def today():
    return timezone.localdate().isoformat()


def expected_header(name):
    return "filename*=UTF-8''" + quote(name, safe="")


def test_a_large_export_goes_to_the_background_and_only_its_requester_downloads_it(
    client_for, settings, example_user
):
    settings.EXPORT_BACKGROUND_ROWS = 3
    web = client_for("yuelu_admin")
    user = example_user("yuelu_admin")
    people = Person.objects.visible_to(user, "export")
    count = people.count()
    assert count > 3
    asked = web.get(PEOPLE, {"export": "xlsx", "sort": "name_key"})
    job = ExportJob.objects.get()
    assert asked.status_code == 302
    assert asked["Location"] == reverse("export_job", args=[job.pk])
    assert not events("yuelu_admin", AccessEvent.Kind.EXPORT).exists()  # nothing downloaded yet
    assert (job.status, job.rows_written, job.rows_total, job.query) == (
        "done",
        count,
        count,
        "sort=name_key",
    )
    name = f"教职工名册_{own_scope_name(user)}_{today()}.xlsx"
    assert job.file_name == name
    page = web.get(asked["Location"]).content.decode()
    assert 'id="download"' in page
    assert f"已写入 {count} / {count} 行" in page
    assert name in page
    finished = web.get(reverse("export_job_progress", args=[job.pk]))
    assert (finished.status_code, finished["HX-Refresh"]) == (204, "true")

    response = web.get(reverse("export_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert expected_header(name) in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith('attachment; filename="person-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == count + 2  # the stamp, the headers, every row
    assert "王志强" in sheet["A1"].value
    names = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert names == list(people.order_by("name_key", "pk").values_list("name", flat=True))  # by pinyin
    exported = events("yuelu_admin", AccessEvent.Kind.EXPORT).get()
    assert (exported.object_type, exported.row_count) == ("people.person", count)
    assert f"background #{job.pk}" in exported.detail

    # Any other account, even one who sees more, gets what a job that does not exist gets.
    for other in ("furong_admin", "city_admin"):
        stranger = login_client(Client(), example_user(other))
        for url_name in ("export_job", "export_job_progress", "export_job_download"):
            assert stranger.get(reverse(url_name, args=[job.pk])).status_code == 404
            assert stranger.get(reverse(url_name, args=[job.pk + 100])).status_code == 404
    assert not events("furong_admin", AccessEvent.Kind.EXPORT).exists()
    anonymous = Client().get(reverse("export_job_download", args=[job.pk]))
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]


def events(username, kind):
    return AccessEvent.objects.filter(username=username, kind=kind)


def test_a_running_export_shows_its_progress_and_polls(client_for, example_user):
    user = example_user("yuelu_admin")
    job = ExportJob.objects.create(
        user=user, title="人员", file_name="教职工名册.xlsx", path=PEOPLE, rows_total=9000, rows_written=4500
    )
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    web = client_for("yuelu_admin")
    page = web.get(reverse("export_job", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("export_job_progress", args=[job.pk])}"' in page
    assert 'aria-valuenow="50"' in page
    assert 'id="download"' not in page
    assert web.get(reverse("export_job_download", args=[job.pk])).status_code == 302  # back to the page
    fragment = web.get(reverse("export_job_progress", args=[job.pk])).content.decode()
    assert "已写入 4,500 / 9,000 行" in fragment


def test_the_background_export_reads_in_chunks_without_a_query_per_row(settings, example_user):
    settings.EXPORT_BACKGROUND_ROWS = 1
    user = example_user("city_admin")
    count = Person.objects.visible_to(user, "export").count()
    job = ExportJob.objects.create(user=user, title="人员", file_name="x.xlsx", path=PEOPLE, rows_total=count)
    with CaptureQueriesContext(connection) as queries:
        assert export_jobs.write_export.call(job.pk) == "done"
    job.refresh_from_db()
    assert job.rows_written == count > 5
    assert len(queries) <= 12, [q["sql"] for q in queries]


def test_an_audit_export_in_the_background_holds_every_access_event(client_for, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1
    web = client_for("city_admin")
    web.get(PEOPLE)  # a few access events to export
    count = AccessEvent.objects.count()
    asked = web.get(reverse("audit_access"), {"export": "xlsx"})
    assert asked.status_code == 302
    job = ExportJob.objects.get()
    assert job.rows_written >= count > 1
    assert job.file_name == f"访问日志_{own_scope_name(job.user)}_{today()}.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(web.get(reverse("export_job_download", args=[job.pk])).content))
    assert sheet.active.max_row == job.rows_written + 2


def test_a_small_export_stays_immediate_with_a_chinese_name(client_for, example_user):
    web = client_for("yuelu_admin")
    response = web.get(PEOPLE, {"export": "xlsx", "district": "430104"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportJob.objects.exists()
    name = f"教职工名册_岳麓区_{today()}.xlsx"
    assert expected_header(name) in response["Content-Disposition"]
    unfiltered = web.get(PEOPLE, {"export": "xlsx"})
    name = f"教职工名册_{own_scope_name(example_user('yuelu_admin'))}_{today()}.xlsx"
    assert expected_header(name) in unfiltered["Content-Disposition"]
    assert "4301" not in unfiltered["Content-Disposition"].split("filename*")[0]  # no identifier at all


def test_an_export_filtered_by_an_identifier_is_never_stored_as_a_job(client_for, settings, example_user):
    settings.EXPORT_BACKGROUND_ROWS = 0
    person = Person.objects.visible_to(example_user("yuelu_admin")).first()
    response = client_for("yuelu_admin").get(PEOPLE, {"export": "xlsx", "q": person.name})
    assert response.status_code == 302
    assert ExportJob.objects.count() == 1
    mobile = "13912345678"
    response = client_for("yuelu_admin").get(PEOPLE, {"export": "xlsx", "q": mobile})
    assert ExportJob.objects.count() == 1  # answered at once (or with nothing), never kept
    assert not ExportJob.objects.filter(query__contains=mobile).exists()


def test_export_files_expire(client_for, settings, example_user):
    settings.EXPORT_BACKGROUND_ROWS = 3
    web = client_for("yuelu_admin")
    web.get(PEOPLE, {"export": "xlsx"})
    job = ExportJob.objects.get()
    assert "core.expire_exports" in daily.REGISTRY
    assert export_jobs.expire() == 0  # kept for EXPORT_FILE_KEEP
    later = timezone.now() + settings.EXPORT_FILE_KEEP + datetime.timedelta(minutes=1)
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - settings.EXPORT_FILE_KEEP)
    assert web.get(reverse("export_job_download", args=[job.pk])).status_code == 302  # too late already
    assert "已过期" in web.get(reverse("export_job", args=[job.pk])).content.decode()
    assert daily.REGISTRY["core.expire_exports"](later.date())
    job.refresh_from_db()
    assert (job.status, job.content, job.size) == ("expired", None, 0)


def test_the_chart_library_loads_only_on_pages_with_charts(client_for):
    web = client_for("yuelu_admin")
    dashboard = web.get(reverse("reports:dashboard")).content.decode()
    assert 'id="dashboard-data"' in dashboard
    assert CHART_SCRIPT in dashboard
    for url in (PEOPLE, reverse("export_requests"), reverse("imports:import"), reverse("orgs:school_list")):
        page = web.get(url)
        assert page.status_code == 200, url
        assert CHART_SCRIPT not in page.content.decode(), url
    school = client_for("school_secretary").get(reverse("reports:dashboard")).content.decode()
    assert CHART_SCRIPT not in school  # a school's dashboard draws no chart


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_export_page_offers_the_file_in_the_browser(live_demo, new_page, screenshot, settings, viewport):
    from redengine.testing.browser import log_in

    settings.EXPORT_BACKGROUND_ROWS = 3
    page = new_page(viewport)
    log_in(page, live_demo.url, "yuelu_admin")
    page.goto(live_demo.url + PEOPLE + "?export=xlsx")
    page.wait_for_selector("#download")
    assert "教职工名册_" in page.inner_text("#file-name")
    screenshot(page, f"ready-{viewport}")
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename.startswith("教职工名册_")
