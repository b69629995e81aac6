"""Imports in the background: the upload and the confirmation return at once, ``db_worker`` (the database
backend of Django's task interface) checks and writes, and the job's page follows the rows checked and
written while it runs — also during the write, whose transaction hides the job's own row."""

import datetime
import io
import os
import re
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from redengine.core.crypto import DecryptionError
from redengine.core.models import ObjectChange
from redengine.imports import progress, services
from redengine.imports.models import ImportJob
from redengine.people import services as people_services
from redengine.testing.browser import log_in

from .generated import generated_workbook
from .importing import db_counts, workbook
from .test_pages import job_of, upload

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def demo_db(transactional_db):
    """The demo data set in a committed database, which the worker's own connection sees."""
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", verbosity=0, stdout=devnull)


def start_worker():
    """A real ``db_worker`` loop in a thread of the test process, with a database connection of its own;
    returns the function that stops it."""
    loop = Worker(
        queue_names=["default"],
        interval=0.2,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )

    def run():
        try:
            loop.run()
        finally:
            connection.close()  # the thread's own

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop():
        loop.running = False
        thread.join(timeout=10)
        assert not thread.is_alive(), "the worker did not stop"

    return stop


@pytest.fixture
def worker(settings, demo_db):
    settings.TASKS = DATABASE_TASKS
    stop = start_worker()
    yield
    stop()


def wait_for(job, *statuses, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.05)
    raise AssertionError(f"the job is still {job.status}, not {statuses}")


def test_the_worker_checks_and_writes_while_the_page_follows(client_for, settings, demo_db, request):
    settings.TASKS = DATABASE_TASKS
    client = client_for("yuelu_admin")
    before = db_counts()
    job = job_of(upload(client, workbook()))
    assert job.status == "checking"  # the upload returned before any check, and no worker runs yet
    assert job.content  # the file waits, sealed, for the worker
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.task_path.endswith("tasks.check_upload")
    assert task.args_kwargs["args"] == [job.pk]
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "正在等待后台任务进程接手" in page
    assert 'id="confirm"' not in page
    fragment = client.get(reverse("imports:job_progress", args=[job.pk]))
    assert fragment.status_code == 200
    assert 'id="progress"' in fragment.content.decode()

    stop = start_worker()  # now a worker starts
    wait_for(job, "validated")
    stop()  # and stops, so that the job is seen while it waits to be written
    assert job.rows_validated == job.rows_total > 0
    finished = client.get(reverse("imports:job_progress", args=[job.pk]))
    assert finished.status_code == 204
    assert finished["HX-Refresh"] == "true"  # the page reloads to show the preview
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="confirm"' in page
    assert 'hx-trigger="every 1s"' not in page
    assert db_counts() == before

    response = client.post(reverse("imports:job_confirm", args=[job.pk]), follow=True)
    assert "已确认：文件将再校验一遍，然后写入。" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "writing"
    assert db_counts() == before
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="writing"' in page
    assert 'id="confirm"' not in page
    assert 'id="cancel"' not in page
    assert client.post(reverse("imports:job_cancel", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == "writing"  # a job being written cannot be cancelled

    stop = start_worker()
    request.addfinalizer(stop)
    wait_for(job, "imported")
    assert job.rows_written == job.writes_total == 5
    assert job.content is None
    assert progress.read(job.pk) == {}  # the board is cleared once the job is over
    assert db_counts()["Person"] == before["Person"] + 2
    record = ObjectChange.objects.filter(content_type__model="person").latest("id")
    assert (record.username, record.actor) == ("yuelu_admin", "web")  # the worker acts for the uploader


@pytest.mark.django_db
def test_rows_written_show_while_the_write_transaction_runs(client_for, monkeypatch):
    monkeypatch.setattr(people_services, "WRITE_CHUNK", 20)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 10)
    client = client_for("city_admin")
    job = job_of(upload(client, generated_workbook(60, seed=8)))
    assert job.status == "validated"
    services.begin_write(job)
    seen = []

    def peek(phase, done, total):
        if phase == "write" and done < total:
            status = ImportJob.objects.filter(pk=job.pk).values_list("status", flat=True).get()
            text = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
            seen.append((status, done, total, text))

    services.confirm(job, user=job.user, relay=peek)
    assert job.status == "imported"
    assert seen, "the write reported no progress before its end"
    shown = []
    for status, done, total, text in seen:
        assert status == "writing"  # the job's row still says so: the write has not ended
        assert "正在写入" in text
        assert 'hx-trigger="every 1s"' in text
        figures = re.search(r"已写入 (\d+) / (\d+) 行", text)
        assert int(figures.group(2)) == total
        assert int(figures.group(1)) <= done  # reported every PROGRESS_EVERY rows
        shown.append(int(figures.group(1)))
    assert shown == sorted(shown)
    assert len({n for n in shown if 0 < n < job.writes_total}) > 1  # it moved, inside the transaction


@pytest.mark.django_db
def test_a_failure_in_the_worker_ends_the_job_with_a_message(client_for, settings):
    settings.TASKS = DATABASE_TASKS
    client = client_for("yuelu_admin")
    before = db_counts()
    job = job_of(upload(client, workbook()))
    ImportJob.objects.filter(pk=job.pk).update(content=b"not a sealed file")
    with pytest.raises(DecryptionError):  # raised on: the task's own record keeps the error
        services.run_check(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.content is None
    assert "内部错误" in job.errors[0]["reason"]
    assert db_counts() == before
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="refused"' in page


@pytest.mark.django_db
def test_a_task_for_a_job_no_longer_waiting_does_nothing(client_for, settings):
    settings.TASKS = DATABASE_TASKS
    client = client_for("yuelu_admin")
    job = job_of(upload(client, workbook()))
    services.cancel(job)
    assert services.run_check(job.pk) is None
    assert services.run_write(job.pk) is None
    job.refresh_from_db()
    assert job.status == "cancelled"


@pytest.mark.browser
def test_an_upload_is_followed_in_the_browser_until_written(worker, live_server, page, screenshot, tmp_path):
    base = live_server.url
    path = tmp_path / "导入.xlsx"
    path.write_bytes(generated_workbook(300, seed=11))
    log_in(page, base, "city_admin")
    page.goto(f"{base}{reverse('imports:import')}")
    page.set_input_files("input[type=file]", str(path))
    page.click("#upload")
    # The job page follows the worker by itself, and reloads once the check is over.
    expect(page.locator("#confirm")).to_be_visible()
    expect(page.locator("#progress-checked")).to_have_attribute("aria-valuenow", "100")
    screenshot(page, "checked")
    page.click("#confirm")
    expect(page.locator("#imported")).to_be_visible()
    expect(page.locator("#progress-written")).to_have_attribute("aria-valuenow", "100")
    screenshot(page, "imported")
    text = page.locator("#progress").inner_text()
    written = re.search(r"已写入 (\d+) / (\d+) 行", text)
    assert written
    assert written.group(1) == written.group(2)
    assert int(written.group(1)) > 300


@pytest.mark.django_db
def test_unconfirmed_uploads_are_cancelled_after_a_week_by_the_daily_run(client_for):
    client = client_for("yuelu_admin")
    old = job_of(upload(client, workbook()))
    recent = job_of(upload(client, workbook()))
    assert old.status == recent.status == "validated"
    now = timezone.now()
    ImportJob.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=8))
    ImportJob.objects.filter(pk=recent.pk).update(created_at=now - datetime.timedelta(days=6))
    out = io.StringIO()
    call_command("daily", "--only", "imports.expire_uploads", stdout=out)
    assert "1 个" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.content) == ("cancelled", None)
    assert recent.status == "validated"
    assert recent.content


@pytest.mark.django_db
def test_the_page_polling_itself_is_not_the_users_activity(client_for, settings):
    """An open job page must not keep an idle session alive, nor write the session on every poll."""
    settings.TASKS = DATABASE_TASKS
    client = client_for("yuelu_admin")
    job = job_of(upload(client, workbook()))
    minute_ago = int(time.time()) - 60
    session = client.session
    session["_last_activity"] = minute_ago
    session.save()
    poll = client.get(reverse("imports:job_progress", args=[job.pk]), headers={"X-Redengine-Poll": "1"})
    assert poll.status_code == 200
    assert client.session["_last_activity"] == minute_ago
    client.get(job.get_absolute_url())  # the user opening a page is activity
    assert client.session["_last_activity"] > minute_ago
