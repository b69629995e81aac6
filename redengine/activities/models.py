"""Organizational life (组织生活): every meeting recorded once, with its attendance from the member list.

A ``Meeting`` is one meeting of one organization on one day — 三会一课, a themed party day, the yearly
organizational life meeting and democratic appraisal, a heart-to-heart talk. Its ``Attendance`` rows are
the members of the organization on that day (from the memberships, never typed) and the activists,
development targets and probationary members it invited as guests. The counts (expected, actual) follow
from the list when one is recorded; a meeting imported by its counts only keeps its counts. What the
compliance figures, the to-do list, the cultivation record of an activist and the dashboard show is read
from these rows.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.files import SealedFile
from redengine.core.models import AuditedModel
from redengine.core.permissions import usual_table
from redengine.core.scoping import ScopedQuerySet, prefix_q
from redengine.orgs.models import OrganizationScoped, PartyOrganization
from redengine.people.models import Person

from .rules import MeetingType


class Meeting(OrganizationScoped, AuditedModel):
    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("organization")
    )
    meeting_type = models.CharField(_("meeting type"), max_length=20, choices=MeetingType.choices)
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    place = models.CharField(_("place"), max_length=100, blank=True)
    host = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("host")
    )
    lecturer = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lecturer"),
        help_text=_("For a party class: who gave it."),
    )
    lecturer_name = models.CharField(
        _("lecturer from outside"),
        max_length=50,
        blank=True,
        help_text=_("A lecturer who is not on the staff list (an invited speaker)."),
    )
    # Derived: the lecturer held the organization's secretary's post on the day (LIFE.3M1C).
    by_secretary = models.BooleanField(_("given by the secretary"), default=False, editable=False)
    expected = models.PositiveIntegerField(_("expected attendance"), null=True, blank=True)
    actual = models.PositiveIntegerField(_("actual attendance"), null=True, blank=True)
    # True when the counts follow from the attendance list; False for a meeting recorded by its counts.
    from_list = models.BooleanField(_("attendance listed"), default=False, editable=False)
    minutes = models.TextField(_("minutes"), blank=True, max_length=20000)
    resolutions = models.TextField(_("resolutions"), blank=True, max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()
    audit_exclude = frozenset({"recorded_at"})

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "meeting_type", "date"],
                name="activities_meeting_once_a_day",
                violation_error_message=_(
                    "This organization already has a meeting of this type on that day."
                ),
            )
        ]
        indexes = [
            models.Index(fields=["organization", "date"], name="meeting_org_date"),
            models.Index(fields=["date", "meeting_type"], name="meeting_date_type"),
        ]

    def __str__(self):
        return f"{self.get_meeting_type_display()} {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("activities:meeting_detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("A meeting cannot be recorded before it is held: the date is in the future.")
        if self.expected is not None and self.actual is not None and self.actual > self.expected:
            errors["actual"] = _(
                "The actual attendance (%(actual)s) cannot be above the expected attendance (%(expected)s)."
            ) % {"actual": self.actual, "expected": self.expected}
        if self.expected == 0 and not self.from_list:
            errors["expected"] = _("The expected attendance is at least 1.")
        if errors:
            raise ValidationError(errors)

    @property
    def rate(self):
        """The share of the expected who came, or None."""
        if not self.expected or self.actual is None:
            return None
        return self.actual / self.expected

    @property
    def rate_text(self):
        rate = self.rate
        return f"{rate:.0%}" if rate is not None else ""


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LEAVE = "leave", _("Absent with leave")
    ABSENT = "absent", _("Absent without leave")


class Attendance(AuditedModel):
    """One person on a meeting's list: a member of the organization on the day, or an invited guest."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("person")
    )
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason for leave"), max_length=200, blank=True)
    guest = models.BooleanField(
        _("guest"),
        default=False,
        help_text=_("An activist, development target or probationary member invited."),
    )
    # The meeting's date and organization, kept beside each row (by the service) so that a member's
    # organizational life over months is one index range, not a join per row.
    date = models.DateField(_("date"), editable=False)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting_id", "guest", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="activities_attendance_once",
                violation_error_message=_("This person is listed twice for the meeting."),
            )
        ]
        indexes = [models.Index(fields=["person", "date"], name="attendance_person_date")]

    def __str__(self):
        return f"{self.person.name}: {self.get_status_display()}"

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q("meeting__organization__path", prefixes)

    def audit_scope_path(self):
        return self.meeting.organization.path


class MeetingAttachment(SealedFile):
    """A photo or PDF of a meeting (the sign-in sheet, the minutes as signed), sealed like a scan."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("meeting")
    )

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("meeting attachment")
        verbose_name_plural = _("meeting attachments")
        ordering = ["meeting_id", "id"]

    def get_absolute_url(self):
        return reverse("activities:attachment", args=[self.pk])

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q("meeting__organization__path", prefixes)

    def audit_scope_path(self):
        return self.meeting.organization.path


ATTENDED = Q(status=AttendanceStatus.PRESENT)
