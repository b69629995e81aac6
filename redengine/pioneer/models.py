"""Pioneer units (示范岗、示范班、志愿服务队): a school's model posts, model classes and volunteer teams, filed by
the district (申报备案) and certified by the city (授牌认定), with the history of their moves and the service
logs of the volunteer teams.

A ``PioneerUnit`` lies where its school lies (for scope, the audit trail and the metrics); the organization
that leads it is one of the organizations covering the school. Its state and the dates of its moves are
kept on it (lists, filters and the metrics read one indexed row); every move is also a ``UnitMove`` row
(who, when, the note or reason), written by the services only. A ``ServiceLog`` lies where its unit lies.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.models import AuditedModel
from redengine.core.permissions import USUAL, usual_table
from redengine.core.scoping import ScopedQuerySet
from redengine.orgs.models import PartyOrganization, School, SchoolScoped
from redengine.people.models import Person

from .rules import CERTIFY, CHECK, FILE, REJECT, REVIEW, REVOKE, Move, UnitKind, UnitStatus

# The moves are the actions of the roles that own them (the unit's own actions, as development's OVERRIDE):
# a district files, reviews, rejects and checks; the city certifies, rejects, revokes and may do the
# district's moves (domain-rules.md §5.2).
DISTRICT_MOVES = frozenset({FILE, REVIEW, REJECT, CHECK})
CITY_MOVES = DISTRICT_MOVES | {CERTIFY, REVOKE}


class UnitQuerySet(ScopedQuerySet):
    def certified_at(self, day):
        """Certified on or before ``day`` and not revoked on or before it."""
        return self.filter(certified_on__lte=day).filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))


class PioneerUnit(SchoolScoped, AuditedModel):
    """A model post, model class or volunteer team of a school (示范岗、示范班、志愿服务队) and its public
    commitments (亮标准、亮身份、亮承诺)."""

    kind = models.CharField(_("kind"), max_length=8, choices=UnitKind.choices)
    name = models.CharField(_("name"), max_length=100)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="pioneer_units", verbose_name=_("school")
    )
    organization = models.ForeignKey(
        PartyOrganization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pioneer_units",
        verbose_name=_("leading organization"),
        help_text=_("One of the school's party organizations. Left empty: the school's own organization."),
    )
    leader = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pioneer_units_led",
        verbose_name=_("leader"),
    )
    members = models.ManyToManyField(
        Person, blank=True, related_name="pioneer_units", verbose_name=_("members")
    )
    standard = models.TextField(_("standard shown (亮标准)"), max_length=1000, blank=True)
    identity = models.TextField(_("identity shown (亮身份)"), max_length=1000, blank=True)
    commitment = models.TextField(_("commitment shown (亮承诺)"), max_length=1000, blank=True)
    # The state and the dates of the moves: written by the services' moves only.
    status = models.CharField(
        _("status"), max_length=10, choices=UnitStatus.choices, default=UnitStatus.APPLIED, editable=False
    )
    applied_on = models.DateField(_("date of application"))
    filed_on = models.DateField(_("date filed"), null=True, blank=True, editable=False)
    reviewed_on = models.DateField(_("date reviewed"), null=True, blank=True, editable=False)
    certified_on = models.DateField(_("date certified"), null=True, blank=True, editable=False)
    plaque_number = models.CharField(_("plaque number"), max_length=40, blank=True, editable=False)
    last_checked_on = models.DateField(
        _("date of the last yearly check"), null=True, blank=True, editable=False
    )
    closed_on = models.DateField(_("date rejected or revoked"), null=True, blank=True, editable=False)
    revoked_on = models.DateField(_("date revoked"), null=True, blank=True, editable=False)
    reason = models.TextField(_("reason of the rejection or revocation"), blank=True, editable=False)

    objects = UnitQuerySet.as_manager()
    role_actions = usual_table(
        city_admin=USUAL["city_admin"] | CITY_MOVES,
        district_admin=USUAL["district_admin"] | DISTRICT_MOVES,
    )

    class Meta:
        verbose_name = _("pioneer unit")
        verbose_name_plural = _("pioneer units")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plaque_number"],
                condition=~Q(plaque_number=""),
                name="pioneer_unit_plaque_once",
                violation_error_message=_("Another unit already has this plaque number."),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "filed_on"], name="pioneer_unit_school_filed"),
            models.Index(fields=["filed_on"], name="pioneer_unit_filed"),
            models.Index(fields=["status", "certified_on"], name="pioneer_unit_status"),
            models.Index(fields=["kind", "status"], name="pioneer_unit_kind"),
            models.Index(fields=["certified_on"], name="pioneer_unit_certified"),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    def get_absolute_url(self):
        return reverse("pioneer:unit_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.applied_on and self.applied_on > timezone.localdate():
            raise ValidationError(
                {"applied_on": _("A unit is recorded once it has applied: the date is in the future.")}
            )

    def audit_scope_path(self):
        return self.school.audit_scope_path()

    def delete_refusal(self):
        if self.status == UnitStatus.CERTIFIED:
            return _("A certified unit is revoked, not deleted: it keeps its plaque and its history.")
        return None

    @property
    def is_team(self):
        return self.kind == UnitKind.TEAM

    @property
    def is_certified(self):
        return self.status == UnitStatus.CERTIFIED

    @property
    def checked_from(self):
        """The day the next yearly check counts from: the last check, else the certification."""
        return self.last_checked_on or self.certified_on


class UnitMove(AuditedModel):
    """One move of a unit's workflow (申报、备案、审核、授牌认定、退回、年度复核、撤销): who did it, on what
    day, and the note or reason. Written by the services only; read with its unit."""

    unit = models.ForeignKey(
        PioneerUnit, on_delete=models.CASCADE, related_name="moves", verbose_name=_("pioneer unit")
    )
    move = models.CharField(_("move"), max_length=10, choices=Move.choices)
    date = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note or reason"), max_length=1000, blank=True)
    imported = models.BooleanField(_("imported"), default=False)
    late = models.BooleanField(
        _("late"), default=False, help_text=_("A yearly check made after it was due: recorded and flagged.")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("move of a pioneer unit")
        verbose_name_plural = _("moves of pioneer units")
        ordering = ["unit_id", "date", "recorded_at", "id"]
        indexes = [models.Index(fields=["unit", "date"], name="pioneer_move_unit_date")]

    def __str__(self):
        return f"{self.get_move_display()} {self.date:%Y-%m-%d}"

    def audit_scope_path(self):
        return self.unit.school.audit_scope_path()


class ServiceLog(SchoolScoped, AuditedModel):
    """A service activity of a volunteer team (志愿服务记录): the day, how long it lasted, how many served."""

    school_path = "unit__school_id"

    unit = models.ForeignKey(
        PioneerUnit, on_delete=models.CASCADE, related_name="service_logs", verbose_name=_("volunteer team")
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        help_text=_("How long the activity lasted, in hours (more than 0, at most 24 a day)."),
    )
    people = models.PositiveIntegerField(_("number of people"))
    activity = models.CharField(_("what they did"), max_length=200)

    objects = ScopedQuerySet.as_manager()
    # A secretary may remove a log of their school's team (a mistaken entry); otherwise the usual table.
    role_actions = usual_table(school_secretary=USUAL["school_secretary"] | {"delete"})

    class Meta:
        verbose_name = _("service log")
        verbose_name_plural = _("service logs")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["unit", "date"], name="pioneer_log_unit_date"),
            models.Index(fields=["date"], name="pioneer_log_date"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.activity}"

    def get_absolute_url(self):
        return reverse("pioneer:unit_detail", args=[self.unit_id])

    def audit_scope_path(self):
        return self.unit.school.audit_scope_path()

    @property
    def person_hours(self):
        return self.hours * self.people
