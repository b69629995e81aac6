"""Member development (发展党员): one person's path from application to full membership, step by step.

A ``DevelopmentCase`` is one person's path in an organization; its ``DevelopmentEvent`` rows are the
steps done (S01–S25 of ``rules.py``), each checked by the engine when it is recorded. What the case
shows at a glance — its stage, its last step, the next step with its earliest and latest date — is
derived from its events by ``engine.plan`` and kept on the case, so that the due-date calendar and the
``development.overdue`` figure are one indexed query over the open cases.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.files import SealedFile
from redengine.core.models import AuditedModel
from redengine.core.permissions import USUAL, usual_table
from redengine.core.scoping import ScopedQuerySet, prefix_q
from redengine.orgs.models import OrganizationScoped, PartyOrganization
from redengine.people.models import Person

from . import rules

OVERRIDE = "override"  # record a step against a rule, with a written reason (the case's own action)


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed (full member)")
    CLOSED = "closed", _("Closed")


class CloseReason(models.TextChoices):
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NOT_ADMITTED = "not_admitted", _("Not admitted")
    PROBATION_CANCELLED = "probation_cancelled", _("Probation cancelled")
    TRANSFERRED = "transferred", _("Transferred elsewhere")


# The case's fields derived from its steps (``services.apply_plan``), written together after each change.
DERIVED_FIELDS = [
    "opened_on",
    "stage",
    "last_step",
    "last_step_on",
    "next_step",
    "next_earliest",
    "next_rule",
    "due_step",
    "next_due",
    "due_rule",
    "admitted_on",
    "probation_ends_on",
    "converted_on",
    "status",
    "close_reason",
    "closed_on",
    "incomplete",
    "has_exception",
    "has_late",
    "approver",
]


class CaseQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=CaseStatus.OPEN)

    def overdue(self, day=None):
        """Open cases whose next step is past its deadline at ``day`` (metrics.md ``development.overdue``)."""
        return self.open().filter(next_due__lt=day or timezone.localdate())


class DevelopmentCase(OrganizationScoped, AuditedModel):
    """One person's development, from the application (S01) to full membership (S24, filed S25), or closed."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="development_cases", verbose_name=_("person")
    )
    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        related_name="development_cases",
        verbose_name=_("organization"),
    )
    # DEV.APPROVER: the committee with approval authority that approves the admission (S17) — the nearest
    # above the branch, recorded when the case opens and again when the approval is recorded.
    approver = models.ForeignKey(
        PartyOrganization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approving committee"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True
    )
    close_reason = models.CharField(
        _("reason closed"), max_length=24, choices=CloseReason.choices, blank=True
    )
    closed_on = models.DateField(_("date closed"), null=True, blank=True)
    # Derived from the events (engine.plan), kept for lists, the calendar and the metrics.
    opened_on = models.DateField(_("date of application"), null=True, blank=True, db_index=True)
    stage = models.PositiveSmallIntegerField(_("stage"), default=1)
    last_step = models.CharField(_("last step"), max_length=3, blank=True)
    last_step_on = models.DateField(_("date of the last step"), null=True, blank=True)
    next_step = models.CharField(_("next step"), max_length=3, blank=True)
    next_earliest = models.DateField(_("earliest date of the next step"), null=True, blank=True)
    next_rule = models.CharField(_("rule of the earliest date"), max_length=40, blank=True)
    due_step = models.CharField(_("step with the nearest deadline"), max_length=3, blank=True)
    next_due = models.DateField(_("nearest deadline"), null=True, blank=True)
    due_rule = models.CharField(_("rule of the deadline"), max_length=40, blank=True)
    admitted_on = models.DateField(_("date admitted (probationary)"), null=True, blank=True, db_index=True)
    probation_ends_on = models.DateField(_("probation ends"), null=True, blank=True)
    converted_on = models.DateField(_("date of full membership"), null=True, blank=True, db_index=True)
    incomplete = models.BooleanField(
        _("incomplete"),
        default=False,
        help_text=_("A step lacks data it normally carries (e.g. imported without the vote counts)."),
    )
    has_exception = models.BooleanField(
        _("has an exception"),
        default=False,
        help_text=_("A step was recorded against a rule, with a reason."),
    )
    has_late = models.BooleanField(
        _("has a late step"),
        default=False,
        db_index=True,
        help_text=_("A step was taken after its time limit: recorded as it happened and flagged."),
    )

    objects = CaseQuerySet.as_manager()
    # The administrators may record a step against a rule, with a written reason (kept and flagged).
    role_actions = usual_table(
        city_admin=USUAL["city_admin"] | {OVERRIDE}, district_admin=USUAL["district_admin"] | {OVERRIDE}
    )

    class Meta:
        verbose_name = _("development case")
        verbose_name_plural = _("development cases")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="open"),
                name="development_one_open_case",
                violation_error_message=_("This person already has an open development case."),
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_due"], name="devcase_status_due"),
            models.Index(fields=["organization", "status"], name="devcase_org_status"),
        ]

    def __str__(self):
        return _("Development of %(name)s") % {"name": self.person.name}

    def get_absolute_url(self):
        return reverse("development:case_detail", args=[self.pk])

    @property
    def stage_label(self):
        return rules.STAGES.get(self.stage, "")

    @property
    def next_step_name(self):
        step = rules.STEP.get(self.next_step)
        return step.name if step else ""

    @property
    def next_step_label(self):
        """The next step by its code and name (a code never stands alone where a name fits)."""
        step = rules.STEP.get(self.next_step)
        return f"{step.code} {step.name}" if step else ""

    @property
    def last_step_label(self):
        step = rules.STEP.get(self.last_step)
        return f"{step.code} {step.name}" if step else ""

    @property
    def due_step_label(self):
        step = rules.STEP.get(self.due_step)
        return f"{step.code} {step.name}" if step else ""

    @property
    def due_step_name(self):
        step = rules.STEP.get(self.due_step)
        return step.name if step else ""

    def is_overdue(self, day=None):
        return (
            self.status == CaseStatus.OPEN
            and self.next_due is not None
            and self.next_due < (day or timezone.localdate())
        )


class CaseScoped:
    """A record of a case: it lies where the case's organization lies."""

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q("case__organization__path", prefixes)

    def audit_scope_path(self):
        return self.case.organization.path


class DevelopmentEvent(CaseScoped, AuditedModel):
    """A step done on a date, with the data it carries, who recorded it and, if against a rule, why."""

    case = models.ForeignKey(
        DevelopmentCase, on_delete=models.CASCADE, related_name="events", verbose_name=_("development case")
    )
    step = models.CharField(_("step"), max_length=3, choices=rules.STEP_CHOICES, db_index=True)
    date = models.DateField(_("date"), db_index=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    form_serial = models.CharField(
        _("application form number"), max_length=40, null=True, blank=True, unique=True
    )
    exception_reason = models.TextField(
        _("reason for the exception"),
        blank=True,
        help_text=_("Recorded against a rule by an administrator; kept and flagged."),
    )
    exception_rules = models.CharField(_("rules excepted"), max_length=200, blank=True)
    # A time limit on the organization's own work missed (domain-rules §0.1): recorded, flagged, counted
    # by ``development.late_steps``.
    late = models.BooleanField(_("late"), default=False)
    late_rules = models.CharField(_("time limits missed"), max_length=200, blank=True)
    late_due = models.DateField(_("was due by"), null=True, blank=True)
    incomplete = models.BooleanField(_("incomplete"), default=False)
    rules_version = models.CharField(
        _("rules version"),
        max_length=20,
        blank=True,
        help_text=_("The version of the rules in force on the step's date, by which it was judged."),
    )
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

    class Meta:
        verbose_name = _("development step")
        verbose_name_plural = _("development steps")
        ordering = ["case_id", "date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step"],
                condition=~Q(step__in=rules.REPEATABLE),
                name="development_step_once",
                violation_error_message=_("This step is already recorded for the case."),
            )
        ]
        indexes = [
            models.Index(fields=["step", "date"], name="devevent_step_date"),
            models.Index(fields=["date"], condition=Q(late=True), name="devevent_late_date"),
        ]

    def __str__(self):
        step = rules.STEP.get(self.step)
        return f"{self.step} {step.name if step else ''} {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return self.case.get_absolute_url()

    @property
    def step_name(self):
        return rules.STEP[self.step].name

    @property
    def late_rule_texts(self):
        """The time limits the step missed, in plain words with their sources."""
        found = [rules.RULES[key] for key in self.late_rules.split(",") if key in rules.RULES]
        return [f"{rule.text}（{rule.source}）" for rule in found]

    @property
    def exception_rule_texts(self):
        found = [rules.RULES[key] for key in self.exception_rules.split(",") if key in rules.RULES]
        return [f"{rule.text}（{rule.source}）" for rule in found]

    @property
    def step_source(self):
        return rules.STEP[self.step].source

    @property
    def judged_by(self):
        """The rule version the step was judged by (``rules_version``), or None if it is not loaded."""
        return rules.version_named(self.rules_version)


class ContactRole(models.TextChoices):
    CONTACT = "contact", _("Training contact")
    INTRODUCER = "introducer", _("Introducer")


class CaseContact(CaseScoped, AuditedModel):
    """A training contact (S05) or an introducer (S09) of a case, from the date assigned."""

    case = models.ForeignKey(
        DevelopmentCase, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("development case")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="development_roles", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=12, choices=ContactRole.choices)
    assigned_on = models.DateField(_("date assigned"))
    ended_on = models.DateField(_("date ended"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("contact or introducer")
        verbose_name_plural = _("contacts and introducers")
        ordering = ["case_id", "role", "assigned_on", "id"]
        indexes = [models.Index(fields=["person", "role", "ended_on"], name="devcontact_person_role")]

    def __str__(self):
        return f"{self.get_role_display()} {self.person.name}"

    def get_absolute_url(self):
        return self.case.get_absolute_url()


class CultivationKind(models.TextChoices):
    TALK = "talk", _("Talk with the contact")
    THOUGHT_REPORT = "thought_report", _("Thought report")
    PARTY_LESSON = "party_lesson", _("Party lesson")
    THEMED_DAY = "themed_day", _("Themed party day")
    MICRO_LESSON = "micro_lesson", _("Micro-lesson")
    OTHER = "other", _("Other activity")


class CultivationRecord(CaseScoped, AuditedModel):
    """Cultivation of an activist or candidate (培养教育): talks, thought reports, lessons, party days."""

    case = models.ForeignKey(
        DevelopmentCase,
        on_delete=models.CASCADE,
        related_name="cultivation_records",
        verbose_name=_("development case"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CultivationKind.choices)
    date = models.DateField(_("date"))
    contact = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("with the contact"),
    )
    summary = models.TextField(_("summary"), blank=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("cultivation record")
        verbose_name_plural = _("cultivation records")
        ordering = ["case_id", "-date", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return self.case.get_absolute_url()

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("The date cannot be in the future.")})


class DevelopmentPlan(OrganizationScoped, AuditedModel):
    """The yearly development quota of an organization (年度发展计划) and its priorities (DEV.NO_RUSH)."""

    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        related_name="development_plans",
        verbose_name=_("organization"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quota = models.PositiveIntegerField(_("quota"), help_text=_("People to admit this year, at most."))
    front_line_quota = models.PositiveIntegerField(
        _("of them front-line teachers"), default=0, help_text=_("A priority: at least this many.")
    )
    young_backbone_quota = models.PositiveIntegerField(
        _("of them young and middle-aged backbone teachers"),
        default=0,
        help_text=_("A priority: at least this many (骨干教师 aged 45 or under at admission)."),
    )
    remarks = models.TextField(_("remarks"), blank=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="development_plan_once_a_year",
                violation_error_message=_("This organization already has a plan for that year."),
            )
        ]

    def __str__(self):
        return _("%(year)s plan of %(organization)s") % {"year": self.year, "organization": self.organization}

    def get_absolute_url(self):
        return reverse("development:plan_edit", args=[self.pk])


class EventAttachment(SealedFile):
    """A scanned document of a step (the application, a talk record, the approval…), kept in the database
    sealed like every personal datum (SM4), downloaded only within scope and logged."""

    event = models.ForeignKey(
        DevelopmentEvent,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("development step"),
    )

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["event_id", "id"]

    def get_absolute_url(self):
        return reverse("development:attachment", args=[self.pk])

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q("event__case__organization__path", prefixes)

    def audit_scope_path(self):
        return self.event.case.organization.path
