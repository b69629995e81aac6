"""What every app needs: the audit trail (对象变更记录) and the access log (访问日志)."""

import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .masking import mask_id_number
from .permissions import APPROVE, AUDIT, EXPORT
from .scoping import ScopedQuerySet, prefix_q


class AppendOnlyError(Exception):
    """Audit and access rows are never changed or deleted by the application."""


class AppendOnlyQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit records cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit records cannot be deleted")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()
    # The audit trail and the access log are for the auditors only: read (and export) within the scope.
    role_actions = {
        "city_admin": frozenset({AUDIT, EXPORT}),
        "inspector": frozenset({AUDIT, EXPORT}),
        "audit_admin": frozenset({AUDIT}),
    }

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit records cannot be deleted")

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q("scope_path", prefixes)


class AuditedModel(models.Model):
    """A domain record whose every create, change and delete is kept in ``ObjectChange``.

    Subclasses say where they sit in the tree (``audit_scope_path``) so that the trail is scoped
    like the records themselves, which fields are never copied into it (``audit_exclude``), and which are
    kept in it but never shown (``audit_hidden``: personal data that, beside a masked value, would tell
    it; the change records show that such a field changed, not its values).
    """

    audit_exclude: frozenset = frozenset()
    audit_hidden: frozenset = frozenset()

    class Meta:
        abstract = True

    def audit_scope_path(self) -> str:
        return ""

    @classmethod
    def audit_scope_paths(cls, objs):
        """``audit_scope_path`` of many objects; a model overrides it to answer in one query."""
        return [obj.audit_scope_path() for obj in objs]


class ObjectChange(AppendOnlyModel):
    """One create, change or delete of a domain record: who, when, from where, before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user_id_snapshot = models.BigIntegerField(_("user id"), null=True, blank=True)
    username = models.CharField(_("user"), max_length=150, blank=True, db_index=True)
    actor = models.CharField(_("actor"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"))
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list)
    scope_path = models.CharField(_("scope path"), max_length=255, blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="objectchange_object"),
            models.Index(fields=["scope_path", "time"], name="objectchange_scope"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"

    def diff(self):
        """(field, before, after) for each changed field, in model order, as the change records show them:
        the model's ``audit_hidden`` fields hidden, masked ID numbers masked as ``core.masking`` masks them
        now (a record written under an older, looser mask shows no more than a new one)."""
        before, after = self.before or {}, self.after or {}
        model = self.content_type.model_class()
        hidden = getattr(model, "audit_hidden", frozenset())
        return [
            (name, shown_value(name, before.get(name), hidden), shown_value(name, after.get(name), hidden))
            for name in self.changed_fields
        ]

    @property
    def shown_repr(self):
        """The object's text as recorded, its masked ID numbers masked as they are now."""
        return remask(self.object_repr)


MASKED_ID = re.compile(r"(?<![0-9A-Za-z*])[0-9]{4}\*{5,}[0-9Xx]{1,4}(?![0-9A-Za-z*])")
HIDDEN = _("(recorded, not shown)")


def remask(value):
    """A text's masked ID numbers masked again with the current mask."""
    if not isinstance(value, str) or "*" not in value:
        return value
    return MASKED_ID.sub(lambda match: mask_id_number(match.group()), value)


def shown_value(name, value, hidden):
    if name in hidden:
        return HIDDEN if value not in (None, "") else value
    return remask(value)


class AccessEvent(AppendOnlyModel):
    """A security-relevant access: login, failure, lock-out, logout, export, reveal, refusal."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out")
        UNLOCKED = "unlocked", _("Lock-out ended by an administrator")
        LOGOUT = "logout", _("Logout")
        OTP_FAILED = "otp_failed", _("Wrong two-factor code")
        EXPORT = "export", _("Export")
        REVEAL = "reveal", _("Reveal of masked data")
        REFUSED = "refused", _("Refused access")
        SESSION_EXPIRED = "session_expired", _("Session expired")
        TOKEN = "token", _("API token issued")
        TOKEN_REVOKED = "token_revoked", _("API tokens revoked")
        PASSWORD_RESET = "password_reset", _("Password reset")
        READ = "read", _("Read of personal data")
        VOLUME_ALERT = "volume_alert", _("Bulk read alert")
        THROTTLED = "throttled", _("Rate limit reached")
        APPROVAL = "approval", _("Second-person approval")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices, db_index=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    path = models.CharField(_("address path"), max_length=500, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    scope_path = models.CharField(_("scope path"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["scope_path", "time"], name="accessevent_scope")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username}"


class Notification(models.Model):
    """A message to one account (通知): a reminder of a step due, written by a daily job.

    An account sees only its own; ``key`` keeps a daily job from writing the same reminder twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    key = models.CharField(_("key"), max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title


class PersonalReadWindow(models.Model):
    """The distinct people one account read in one window (``BULK_READ_ALERT_WINDOW``): one row per account
    and window, updated once per request that reads personal data (``core/reads.py``), never a row per
    person. The volume alert fires once per row (``alerted_at``). No page shows it (no role may act)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    window_start = models.DateTimeField(_("window start"))
    people = models.JSONField(_("people read"), default=list)  # sorted distinct person ids
    people_count = models.PositiveIntegerField(_("people read"), default=0)
    requests = models.PositiveIntegerField(_("requests"), default=0)
    alerted_at = models.DateTimeField(_("alerted"), null=True, blank=True)
    role_actions: dict = {}

    class Meta:
        verbose_name = _("personal data read window")
        verbose_name_plural = _("personal data read windows")
        constraints = [models.UniqueConstraint(fields=["user", "window_start"], name="personalread_once")]

    def __str__(self):
        return f"{self.user_id} {self.window_start:%Y-%m-%d %H:%M} {self.people_count}"


class ExportRequest(models.Model):
    """An export that needs a second person's approval (``core/approvals.py``): who asked, what (the list and
    its filters, never an identifier), how many rows, and who approved it; downloaded once, in time."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        DOWNLOADED = "downloaded", _("Downloaded")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    title = models.CharField(_("export"), max_length=200)
    view_name = models.CharField(_("page"), max_length=100)
    query = models.CharField(_("filters"), max_length=500, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    reason = models.CharField(_("why approval is needed"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)
    scope_path = models.CharField(_("scope path"), max_length=255, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Approvers: the administrators over the requester's place in the tree (never the requester: the
    # approval views exclude the account's own requests). The requester sees their own requests.
    role_actions = {
        "city_admin": frozenset({APPROVE}),
        "district_admin": frozenset({APPROVE}),
        "inspector": frozenset({APPROVE}),  # discipline inspection: a second person over the whole city
    }

    class Meta:
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["scope_path", "state"], name="exportrequest_scope")]

    def __str__(self):
        return f"{self.title} ({self.row_count})"

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q("scope_path", prefixes)


class ExportJob(models.Model):
    """An export too large to write during the request (``core/export_jobs.py``): written by the background
    worker, offered to its requester only (another account's request answers 404), dropped when it expires.

    The job keeps the list's address and filters to rebuild the very same scoped, filtered rows in the
    worker; an export filtered by an ID number or a mobile never becomes a job (it stays immediate), so no
    identifier is stored. The file itself is kept in the row, as an upload awaiting confirmation is."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background worker")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    class Kind(models.TextChoices):
        LIST = "list", _("List")  # the list view at ``path``, rebuilt with ``query``
        WORKBOOK = "workbook", _("Import workbook")  # every sheet of the requester's scope (dataio)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LIST)
    title = models.CharField(_("export"), max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    path = models.CharField(_("page"), max_length=200)
    query = models.TextField(_("filters"), blank=True)
    assignment_id = models.PositiveBigIntegerField(_("role in force"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    approval = models.ForeignKey(
        ExportRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approval"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)
    scope_path = models.CharField(_("scope path"), max_length=255, blank=True)
    task_id = models.CharField(_("background task"), max_length=64, blank=True, editable=False)
    detail = models.CharField(_("contents"), max_length=200, blank=True, editable=False)  # for the access log

    objects = ScopedQuerySet.as_manager()
    role_actions = {}  # no role sees another account's exports: the pages look up the requester's own

    class Meta:
        verbose_name = _("background export")
        verbose_name_plural = _("background exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "status"], name="exportjob_user_status")]

    def __str__(self):
        return self.file_name

    @property
    def is_running(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self):
        if not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.rows_written / self.rows_total))

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q("scope_path", prefixes)


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    WORKING_WEEKEND = "working_weekend", _("Weekend working day")


class HolidayCalendarDay(AuditedModel):
    """One day of a year's holiday calendar (节假日安排): a day off, or a weekend day made a working day
    (调休上班), from the State Council's yearly notice. A year has a table when it has at least one day;
    a year without one is counted Monday to Friday (``core/workdays.py``). Loaded per year, replacing the
    year's table, by ``manage.py load_holidays`` (``core/services.py`` ``replace_holiday_years``)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=HolidayKind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
