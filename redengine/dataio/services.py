"""Import jobs: a workbook checked and recorded as an ``ImportJob``, then written (on confirmation in the
pages, at once in the command).

The problems are kept in the job as lines (sheet, row, column, value, reason) with ID numbers and
mobiles masked, and a file awaiting confirmation is kept encrypted: a copy of the database holds
neither in clear.
"""

import base64
import hashlib
import re

from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.crypto import get_provider
from redengine.core.masking import mask_id_number, mask_mobile

from . import importer
from .errors import ERROR, WorkbookRejected, shown_value
from .models import ImportJob
from .package import MB

MAX_BYTES = 20 * MB  # the reader's limit: a larger file is refused unread
MAX_STORED_ISSUES = 10_000
PROGRESS_EVERY = 5_000  # rows between two progress writes to the job
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
MOBILE_LIKE = re.compile(r"(?<![0-9])1\d{10}(?![0-9])")


def seal(content):
    """The uploaded file as kept until it is confirmed: encrypted like every personal datum (SM4)."""
    return get_provider().encrypt(base64.b64encode(content).decode()).encode()


def unseal(stored):
    return base64.b64decode(get_provider().decrypt(bytes(stored).decode()))


def mask_personal(text):
    """``text`` with every whole ID number and mobile in it masked."""
    text = ID_LIKE.sub(lambda match: mask_id_number(match.group()), str(text))
    return MOBILE_LIKE.sub(lambda match: mask_mobile(match.group()), text)


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
    if user is not None:
        return user.home_scope_path()
    from redengine.orgs.models import PartyOrganization

    root = PartyOrganization.objects.filter(depth=1).order_by("path").values_list("path", flat=True).first()
    return root or ""


def start_job(*, content, file_name, user, actor):
    return ImportJob.objects.create(
        user=user,
        username=user.get_username() if user else "",
        actor=actor[:100],
        file_name=(file_name or "workbook.xlsx")[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        scope_path=scope_path_of(user),
        revealed=False,  # problem lines are stored masked, whoever imports
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
    """Records rows validated and written in the job (every 5,000 rows) and passes them on."""

    def __init__(self, job, relay=None):
        self.job, self.relay, self.saved = job, relay, {}

    def __call__(self, phase, done, total):
        field = "rows_validated" if phase == "validate" else "rows_written"
        setattr(self.job, field, done)
        if done - self.saved.get(field, 0) >= PROGRESS_EVERY or done >= total:
            ImportJob.objects.filter(pk=self.job.pk).update(**{field: done})
            self.saved[field] = done
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
    return job


def check(job, content, *, user, keep=False, relay=None):
    """Validate ``content`` and record the outcome in ``job``: failed (with its problems), no change, or
    validated (keeping the file when ``keep``, for the confirmation). Returns (validation or None, ctx)."""
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
    else:
        status = ImportJob.Status.VALIDATED
        fields["content"] = seal(content) if keep else None
    finish(job, status, **fields)
    return validation, ctx


def write(job, validation, ctx):
    """Write a validated job's plans in one transaction; the job says imported, or failed with the reason."""
    try:
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
    """Check the stored file of a validated job again and, if it still holds, write it."""
    content = unseal(job.content) if job.content else b""
    validation, ctx = check(job, content, user=user, keep=True, relay=relay)
    if job.status == ImportJob.Status.VALIDATED:
        write(job, validation, ctx)
    return job


def cancel(job):
    return finish(job, ImportJob.Status.CANCELLED)


def visible_lines(job, viewer):
    """The job's problem lines as ``viewer`` may see them (masked again for an account that may not reveal)."""
    if job.revealed and not may_reveal(viewer):
        return [
            {**line, "value": mask_personal(line["value"]), "reason": mask_personal(line["reason"])}
            for line in job.errors
        ]
    return job.errors
