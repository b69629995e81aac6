"""Import jobs: a workbook checked and recorded as an ``ImportJob``, then written (on confirmation in the
pages, at once in the command).

In the pages, the check and the write run as background tasks (``tasks.py``): the upload and the
confirmation return at once, and the job's page follows the rows checked and written (``progress.py``).

The problems are kept in the job as lines (sheet, row, column, value, reason) with ID numbers and
mobiles masked, and a file awaiting confirmation is kept encrypted: a copy of the database holds
neither in clear.
"""

import dataclasses
import datetime
import hashlib

from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.audit_display import import_request_id
from redengine.core.context import Actor, acting, current_actor
from redengine.core.crypto import seal, unseal
from redengine.core.masking import mask_personal
from redengine.dataio import importer
from redengine.dataio.errors import ERROR, WorkbookRejected, shown_value
from redengine.dataio.package import MB
from redengine.orgs.models import PartyOrganization

from . import progress
from .models import ImportJob

MAX_BYTES = 20 * MB  # the reader's limit: a larger file is refused unread
MAX_STORED_ISSUES = 10_000
KEEP_UNCONFIRMED_DAYS = 7  # a checked upload not confirmed within a week is cancelled, its file dropped
PROGRESS_EVERY = 1_000  # rows between two progress reports


def may_reveal(user):
    """The command without --user acts for the whole system; an account needs the reveal permission."""
    return user is None or bool(user.can_reveal)


def read_limited(fileobj, limit=MAX_BYTES):
    """The upload's bytes, at most ``limit`` + 1 of them (a larger file is refused by the reader)."""
    chunks, size = [], 0
    for chunk in iter(lambda: fileobj.read(MB), b""):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)


def scope_path_of(user):
    """Where a job lies in the tree: its user's home scope, or the root for a command without --user."""
    if user is not None:
        return user.home_scope_path()
    root = PartyOrganization.objects.filter(depth=1).order_by("path").values_list("path", flat=True).first()
    return root or ""


def start_job(*, content, file_name, user, actor, keep=False):
    """A new job for ``content``; with ``keep`` the file is kept (sealed) for a check in the background."""
    return ImportJob.objects.create(
        user=user,
        username=user.get_username() if user else "",
        actor=actor[:100],
        file_name=(file_name or "workbook.xlsx")[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        scope_path=scope_path_of(user),
        revealed=False,  # problem lines are stored masked, whoever imports
        content=seal(content) if keep else None,
    )


def issue_line(issue, reveal):
    value, reason = shown_value(issue.value), issue.reason
    if not reveal:
        value, reason = mask_personal(value), mask_personal(reason)
    return {
        "sheet": issue.sheet,
        "row": issue.row,
        "column": issue.column_header or "",
        "value": value,
        "reason": reason,
        "level": issue.level,
    }


class Progress:
    """Reports rows validated and written (every 1,000 rows) to the progress board, and passes them on.

    Rows validated also go to the job's row; rows written only to the board, since the write's
    transaction would hide them from every other connection until it ends."""

    def __init__(self, job, relay=None):
        self.job, self.relay, self.saved = job, relay, {}

    def __call__(self, phase, done, total):
        field, total_field = (
            ("rows_validated", "rows_total") if phase == "validate" else ("rows_written", "writes_total")
        )
        setattr(self.job, field, done)
        moved = done - self.saved.get(field, 0) >= PROGRESS_EVERY
        if moved or done >= total or phase != self.saved.get("phase"):
            progress.report(self.job.pk, phase=phase, **{field: done, total_field: total})
            if phase == "validate":
                ImportJob.objects.filter(pk=self.job.pk).update(rows_validated=done, rows_total=total)
            self.saved[field], self.saved["phase"] = done, phase
        if self.relay is not None:
            self.relay(phase, done, total)


def finish(job, status, **fields):
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    if job.is_over:
        job.finished_at = timezone.now()
        job.content = None
    job.save()
    if not job.is_running:
        progress.clear(job.pk)
    return job


def check(job, content, *, user, keep=False, relay=None, confirming=False):
    """Validate ``content`` and record the outcome in ``job``: failed (with its problems), no change, or
    validated (keeping the file when ``keep``, for the confirmation; still being written when
    ``confirming``). Returns (validation or None, ctx)."""
    ctx = importer.ImportContext(user, progress=Progress(job, relay))
    try:
        validation = importer.validate(content, ctx)
    except WorkbookRejected as exc:
        line = {"sheet": "", "row": None, "column": "", "value": "", "reason": exc.message, "level": ERROR}
        finish(job, ImportJob.Status.FAILED, errors=[line], error_count=1, warning_count=0, counts={})
        return None, ctx
    issues = validation.issues
    # Stored lines are always masked: a copy of the database must hold no ID number or mobile in clear.
    lines = [issue_line(issue, False) for issue in issues[:MAX_STORED_ISSUES]]
    errors = len(validation.errors)
    fields = {
        "counts": validation.counts(),
        "errors": lines,
        "error_count": errors,
        "warning_count": len(issues) - errors,
        "rows_total": validation.rows_total,
        "rows_validated": validation.rows_total,
        "writes_total": 0 if errors else validation.writes,
    }
    if errors:
        status = ImportJob.Status.FAILED
    elif not validation.has_changes:
        status = ImportJob.Status.NO_CHANGE
    elif confirming:
        status = ImportJob.Status.WRITING
    else:
        status = ImportJob.Status.VALIDATED
        if not keep:
            fields["content"] = None
        elif not job.content:  # an upload checked in the background was sealed when it arrived
            fields["content"] = seal(content)
    finish(job, status, **fields)
    return validation, ctx


def write(job, validation, ctx):
    """Write a validated job's plans in one transaction; the job says imported, or failed with the reason."""
    # The change records of the job carry its reference, so that the trail lists them under the job.
    actor = dataclasses.replace(current_actor(), request_id=import_request_id(job.pk))
    try:
        with acting(actor):
            written = importer.write(validation, ctx)
    except DatabaseError as exc:
        reason = _("The import failed while writing, so nothing was written (%(error)s). Try again.") % {
            "error": exc.__class__.__name__
        }
        line = {"sheet": "", "row": None, "column": "", "value": "", "reason": reason, "level": ERROR}
        return finish(
            job, ImportJob.Status.FAILED, errors=[line, *job.errors], error_count=job.error_count + 1
        )
    return finish(job, ImportJob.Status.IMPORTED, rows_written=written)


def confirm(job, *, user, relay=None):
    """Check the stored file of a confirmed job again and, if it still holds, write it."""
    content = unseal(job.content) if job.content else b""
    validation, ctx = check(job, content, user=user, relay=relay, confirming=True)
    if job.status == ImportJob.Status.WRITING:
        write(job, validation, ctx)
    return job


def begin_write(job):
    """The confirmation: the job is to be written (checked again first) by the background task."""
    job.status = ImportJob.Status.WRITING
    job.rows_validated = job.rows_written = 0
    job.save(update_fields=["status", "rows_validated", "rows_written"])
    return job


def run(job_id, expected_status, step):
    """The body of a background task: ``step(job, content)`` for the job, as its user, if the job is still
    in ``expected_status``. An unexpected failure ends the job as refused, saying so, and is raised on
    for the task's own record."""
    job = ImportJob.objects.filter(pk=job_id, status=expected_status).first()
    if job is None:  # cancelled meanwhile, or run twice
        return None
    progress.report(job.pk, phase="read", started=timezone.now().isoformat())
    with acting(Actor(label=job.actor or "web", user=job.user)):
        try:
            content = unseal(job.content) if job.content else b""
            return step(job, content)
        except Exception:
            reason = _("The import stopped on an internal error, so nothing was written. Try again.")
            line = {"sheet": "", "row": None, "column": "", "value": "", "reason": reason, "level": ERROR}
            finish(job, ImportJob.Status.FAILED, errors=[line], error_count=1)
            raise


def run_check(job_id):
    """Check an uploaded file in the background (the upload page returned at once)."""

    def step(job, content):
        check(job, content, user=job.user, keep=True)
        return job.status

    return run(job_id, ImportJob.Status.CHECKING, step)


def run_write(job_id):
    """Check a confirmed file again and write it, in the background."""

    def step(job, content):
        confirm(job, user=job.user)
        return job.status

    return run(job_id, ImportJob.Status.WRITING, step)


def cancel(job):
    return finish(job, ImportJob.Status.CANCELLED)


def expire_abandoned(today):
    """Cancel the uploads awaiting confirmation for more than a week (their file is dropped); how many."""
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    cutoff = start_of_today - datetime.timedelta(days=KEEP_UNCONFIRMED_DAYS)
    stale = ImportJob.objects.filter(status=ImportJob.Status.VALIDATED, created_at__lt=cutoff)
    return stale.update(status=ImportJob.Status.CANCELLED, content=None, finished_at=timezone.now())


def visible_lines(job, viewer):
    """The job's problem lines as ``viewer`` may see them (masked again for an account that may not reveal)."""
    if job.revealed and not may_reveal(viewer):
        return [
            {**line, "value": mask_personal(line["value"]), "reason": mask_personal(line["reason"])}
            for line in job.errors
        ]
    return job.errors
