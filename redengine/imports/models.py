"""Import jobs (导入任务): who imported which file, when, with what outcome."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from redengine.core.permissions import usual_table
from redengine.core.scoping import ScopedQuerySet, prefix_q


class ImportJob(models.Model):
    """One workbook checked, and perhaps imported: its counts per sheet, its problems, its progress.

    An upload awaiting confirmation keeps the file (``content``) so that the confirmation reads and
    checks the very same bytes again; the file is dropped once the job is over. The job lies in the
    tree where its user's roles lie (``scope_path``), like the audit trail, so that an account sees
    the jobs of its subtree.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        VALIDATED = "validated", _("Checked, awaiting confirmation")
        WRITING = "writing", _("Being written")
        FAILED = "failed", _("Refused")
        IMPORTED = "imported", _("Imported")
        NO_CHANGE = "no_change", _("No change")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    actor = models.CharField(_("actor"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CHECKING)
    counts = models.JSONField(_("counts per sheet"), default=dict, blank=True)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_validated = models.PositiveIntegerField(_("rows validated"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    writes_total = models.PositiveIntegerField(_("rows to write"), default=0)
    revealed = models.BooleanField(
        _("problems show personal data in full"),
        default=False,
        help_text=_("The importing account may reveal ID numbers and mobiles; otherwise they are masked."),
    )
    scope_path = models.CharField(_("scope path"), max_length=255, blank=True, db_index=True)
    task_id = models.CharField(_("background task"), max_length=64, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        db_table = "dataio_importjob"  # the table it had when the Excel engine held the jobs
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("imports:job_detail", args=[self.pk])

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q("scope_path", prefixes)

    @property
    def is_over(self):
        return self.status not in (self.Status.CHECKING, self.Status.VALIDATED, self.Status.WRITING)

    @property
    def is_running(self):
        """Checked or written in the background right now: its page follows the progress."""
        return self.status in (self.Status.CHECKING, self.Status.WRITING)

    def percent(self, done, total):
        return 100 if not total else min(100, round(100 * done / total))

    @property
    def validated_percent(self):
        return self.percent(self.rows_validated, self.rows_total)

    @property
    def written_percent(self):
        return self.percent(self.rows_written, self.writes_total)

    @property
    def totals(self):
        """(new, changed, unchanged) over every sheet."""
        counts = self.counts.values()
        return tuple(sum(c.get(k, 0) for c in counts) for k in ("new", "changed", "unchanged"))
