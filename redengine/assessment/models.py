"""Branch star rating (支部星级评定): indicator schemes, yearly campaigns, the evaluation of each branch with its
scores, evidence and moves, the published ratings of every year and the demonstration branches.

A ``Scheme`` is a versioned tree of ``Indicator``s (dimension → item) with its ``Level``s (thresholds and
quotas); it is city-wide data every role reads and the city administrator edits. A ``Campaign`` runs one
scheme for one year over a scope; its ``Evaluation``s are the branches of the scope that existed at its start,
each with one ``Score`` row per item (the branch's, the district's, the city's and the automatic points) and
its ``EvidenceFile``s. A published evaluation gives the branch its ``Rating`` of the year; ratings of years
before the platform come in through the 星级评定结果 sheet. The upgrade figure and the transition matrix read
``Rating`` alone (one self-join). Evaluations, ratings and designations lie where their branch lies.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.files import SealedFile
from redengine.core.models import AuditedModel
from redengine.core.permissions import CHANGE, EXPORT, USUAL, VIEW, usual_table
from redengine.core.scoping import ScopedQuerySet, prefix_q
from redengine.orgs.models import OrganizationScoped, PartyOrganization

from .rules import CONFIRM, MAX_LEVEL, PUBLISH, REVIEW, SUBMIT, AutoMode, LevelKind, Move, Status, star_name

POINTS = {"max_digits": 6, "decimal_places": 1}

# Schemes and campaigns are city-wide: every business role reads them, the city administrator writes them.
CITY_WIDE = usual_table(
    district_admin={VIEW, EXPORT},
    school_secretary={VIEW},
    instructor={VIEW},
    inspector={VIEW, EXPORT},
)


class CityWide:
    @classmethod
    def scope_filter(cls, prefixes):
        return Q()


class Scheme(CityWide, AuditedModel):
    """A named, versioned indicator scheme (评定标准): its total, bonus, levels, veto cap and publicity."""

    name = models.CharField(_("name"), max_length=100)
    version = models.CharField(_("version"), max_length=20)
    effective_year = models.PositiveSmallIntegerField(_("effective from year"))
    total_points = models.DecimalField(_("total points"), **POINTS)
    bonus_max = models.DecimalField(
        _("bonus points at most"),
        default=0,
        help_text=_("Points a branch may be given above its items."),
        **POINTS,
    )
    level_kind = models.CharField(
        _("levels"), max_length=8, choices=LevelKind.choices, default=LevelKind.STARS
    )
    veto_cap = models.PositiveSmallIntegerField(
        _("level at most with a failed veto item"),
        default=2,
        validators=[MaxValueValidator(MAX_LEVEL)],
        help_text=_("A branch that fails a veto item (一票否决) is rated at most this level; 0: not rated."),
    )
    publicity_days = models.PositiveSmallIntegerField(
        _("publicity (working days)"),
        default=5,
        help_text=_("The results are publicised (公示) for these working days before they are published."),
    )
    source = models.TextField(_("source"), max_length=2000, blank=True)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        verbose_name=_("copied from"),
    )

    objects = ScopedQuerySet.as_manager()
    role_actions = CITY_WIDE

    class Meta:
        verbose_name = _("rating scheme")
        verbose_name_plural = _("rating schemes")
        ordering = ["-effective_year", "name", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"],
                name="assessment_scheme_version_once",
                violation_error_message=_("A scheme of this name already has this version."),
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.version}）"

    def get_absolute_url(self):
        return reverse("assessment:scheme_detail", args=[self.pk])

    def audit_scope_path(self):
        return ""

    def level_name(self, level):
        for row in self.levels.all():
            if row.level == level:
                return row.name
        return star_name(level)


class Level(CityWide, AuditedModel):
    """A level of a scheme: from how many points, and at most what share of the campaign's branches."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="levels", verbose_name=_("scheme")
    )
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(MAX_LEVEL)]
    )
    name = models.CharField(_("level name"), max_length=20)
    min_points = models.DecimalField(_("from points"), **POINTS)
    quota_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("quota (% of the branches)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("At most this share of the campaign's branches at this level; empty: no quota."),
    )

    objects = ScopedQuerySet.as_manager()
    role_actions = CITY_WIDE

    class Meta:
        verbose_name = _("level of a scheme")
        verbose_name_plural = _("levels of schemes")
        ordering = ["scheme_id", "-level"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "level"],
                name="assessment_level_once",
                violation_error_message=_("The scheme has this level already."),
            )
        ]

    def __str__(self):
        return self.name

    def audit_scope_path(self):
        return ""


class Indicator(CityWide, AuditedModel):
    """A dimension (parent empty) or an item of a scheme: its points, guidance, evidence and, for an item, a
    veto flag or an automatic rule reading a metric of the records for the branch and the year."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("scheme")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("dimension"),
    )
    code = models.CharField(_("code"), max_length=12)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    max_points = models.DecimalField(_("maximum points"), **POINTS)
    guidance = models.TextField(_("scoring guidance"), max_length=2000, blank=True)
    evidence = models.TextField(_("evidence"), max_length=1000, blank=True)
    evidence_required = models.BooleanField(
        _("evidence required"), default=False, help_text=_("The branch attaches a file before it submits.")
    )
    veto = models.BooleanField(
        _("veto item (一票否决)"),
        default=False,
        help_text=_("Not scored: a reviewer records whether the branch failed it, which caps its level."),
    )
    metric = models.CharField(
        _("automatic from the figure"),
        max_length=60,
        blank=True,
        help_text=_("A figure of the records (its registry name), computed for the branch and the year."),
    )
    auto_mode = models.CharField(
        _("how the figure scores"), max_length=10, choices=AutoMode.choices, blank=True
    )
    auto_target = models.DecimalField(
        _("target or deduction"),
        null=True,
        blank=True,
        help_text=_(
            "For a target: the count that earns full points. For a deduction: the points off per case."
        ),
        **POINTS,
    )
    source = models.TextField(_("source"), max_length=1000, blank=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = CITY_WIDE

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scheme_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"],
                name="assessment_indicator_code_once",
                violation_error_message=_("The scheme has an indicator of this code already."),
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def audit_scope_path(self):
        return ""

    @property
    def is_automatic(self):
        return bool(self.metric)


class Campaign(CityWide, AuditedModel):
    """A year's rating (年度星级评定) of the branches of a scope by one scheme, with its phases' dates."""

    name = models.CharField(_("name"), max_length=100)
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("scheme")
    )
    year = models.PositiveSmallIntegerField(_("year rated"))
    scope = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="+", verbose_name=_("scope")
    )
    starts_on = models.DateField(
        _("start"), help_text=_("The branches of the scope that exist on this day are rated.")
    )
    self_until = models.DateField(_("self-assessment until"))
    district_until = models.DateField(_("district review until"))
    city_until = models.DateField(_("city review until"))
    publicity_from = models.DateField(_("publicity from"), null=True, blank=True, editable=False)
    publicity_until = models.DateField(_("publicity until"), null=True, blank=True, editable=False)
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table(
        city_admin=USUAL["city_admin"] | {PUBLISH},
        district_admin={VIEW, EXPORT},
        school_secretary={VIEW},
        instructor={VIEW},
        inspector={VIEW, EXPORT},
    )

    class Meta:
        verbose_name = _("rating campaign")
        verbose_name_plural = _("rating campaigns")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "year"],
                name="assessment_campaign_scope_year_once",
                violation_error_message=_("This scope has a campaign of this year already."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assessment:campaign_detail", args=[self.pk])

    def audit_scope_path(self):
        return self.scope.path

    def phase_end(self, name):
        return getattr(self, name)


class EvaluationScoped:
    evaluation_path = "evaluation__organization__path"

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q(cls.evaluation_path, prefixes)


class Evaluation(OrganizationScoped, AuditedModel):
    """One branch in one campaign: its status, its totals as scored at each review, the level awarded."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("campaign")
    )
    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("branch")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    summary = models.TextField(
        _("self-assessment report"), max_length=2000, blank=True, help_text=_("At most 2,000 characters.")
    )
    bonus_points = models.DecimalField(_("bonus points"), default=0, **POINTS)
    bonus_reason = models.CharField(_("reason of the bonus"), max_length=500, blank=True)
    # Kept by the services: the totals of each side and the level they give.
    self_total = models.DecimalField(
        _("self-assessed total"), null=True, blank=True, editable=False, **POINTS
    )
    district_total = models.DecimalField(_("district total"), null=True, blank=True, editable=False, **POINTS)
    total = models.DecimalField(_("total"), null=True, blank=True, editable=False, **POINTS)
    computed_level = models.PositiveSmallIntegerField(
        _("level by points"), null=True, blank=True, editable=False
    )
    level = models.PositiveSmallIntegerField(_("level awarded"), null=True, blank=True, editable=False)
    veto_failed = models.BooleanField(_("failed a veto item"), default=False, editable=False)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True, editable=False)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True, editable=False)
    approved_on = models.DateField(_("approved on"), null=True, blank=True, editable=False)
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table(
        city_admin=USUAL["city_admin"] | {REVIEW, CONFIRM, PUBLISH},
        district_admin={VIEW, CHANGE, EXPORT, REVIEW},
        school_secretary={VIEW, CHANGE, EXPORT, SUBMIT},
    )

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["campaign_id", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"],
                name="assessment_evaluation_once",
                violation_error_message=_("This branch is in the campaign already."),
            )
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="assessment_eval_status")]

    def __str__(self):
        return f"{self.organization} · {self.campaign}"

    def get_absolute_url(self):
        return reverse("assessment:evaluation_detail", args=[self.pk])

    @property
    def is_frozen(self):
        return self.status == Status.PUBLISHED

    def delete_refusal(self):
        if self.status != Status.DRAFT:
            return _("Only an evaluation still in self-assessment is removed from its campaign.")
        return None


class Score(EvaluationScoped, AuditedModel):
    """The points of one item of one evaluation: the branch's, the district's, the city's and the automatic."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluation")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="scores", verbose_name=_("indicator")
    )
    self_points = models.DecimalField(_("self-assessed points"), null=True, blank=True, **POINTS)
    self_comment = models.TextField(_("self-assessment"), max_length=1000, blank=True)
    district_points = models.DecimalField(_("district points"), null=True, blank=True, **POINTS)
    district_comment = models.TextField(_("district comment"), max_length=1000, blank=True)
    city_points = models.DecimalField(_("city points"), null=True, blank=True, **POINTS)
    city_comment = models.TextField(_("city comment"), max_length=1000, blank=True)
    auto_points = models.DecimalField(_("automatic points"), null=True, blank=True, editable=False, **POINTS)
    auto_figure = models.JSONField(_("figure from the records"), null=True, blank=True, editable=False)
    auto_on = models.DateTimeField(_("figure computed at"), null=True, blank=True, editable=False)
    override_reason = models.TextField(_("reason of the override"), max_length=1000, blank=True)
    veto_failed = models.BooleanField(_("veto item failed"), default=False)

    objects = ScopedQuerySet.as_manager()
    # Written only through the evaluation's services, by the side whose turn it is.
    role_actions = usual_table(
        city_admin={VIEW, EXPORT},
        district_admin={VIEW, EXPORT},
        school_secretary={VIEW, EXPORT},
    )

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["evaluation_id", "indicator__position", "indicator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicator"],
                name="assessment_score_once",
                violation_error_message=_("The evaluation has this item's score already."),
            )
        ]

    def __str__(self):
        return f"{self.indicator.code}"

    def audit_scope_path(self):
        return self.evaluation.organization.path


class EvidenceFile(EvaluationScoped, SealedFile):
    """A file the branch attaches to an item as its evidence (PDF, Word, photo), sealed like every file."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="files", verbose_name=_("evaluation")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="files", verbose_name=_("indicator")
    )

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table(school_secretary=USUAL["school_secretary"] | {"delete"})

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["evaluation_id", "indicator_id", "id"]
        indexes = [models.Index(fields=["evaluation", "indicator"], name="assessment_file_item")]

    def get_absolute_url(self):
        return reverse("assessment:file", args=[self.pk])

    def audit_scope_path(self):
        return self.evaluation.organization.path


class EvaluationMove(EvaluationScoped, AuditedModel):
    """One move of an evaluation: who did it, on what day, the note or reason, and whether it was late."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="moves", verbose_name=_("evaluation")
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
    late = models.BooleanField(_("late"), default=False, help_text=_("Made after its phase ended: flagged."))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table(
        city_admin={VIEW, EXPORT}, district_admin={VIEW, EXPORT}, school_secretary={VIEW, EXPORT}
    )

    class Meta:
        verbose_name = _("move of an evaluation")
        verbose_name_plural = _("moves of evaluations")
        ordering = ["evaluation_id", "date", "recorded_at", "id"]
        indexes = [models.Index(fields=["evaluation", "date"], name="assessment_move_eval_date")]

    def __str__(self):
        return f"{self.get_move_display()} {self.date:%Y-%m-%d}"

    def audit_scope_path(self):
        return self.evaluation.organization.path


class Rating(OrganizationScoped, AuditedModel):
    """A branch's published level of a year (星级评定结果): from a published evaluation or a past year's sheet."""

    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("branch")
    )
    year = models.PositiveSmallIntegerField(_("year rated"))
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(MAX_LEVEL)]
    )
    total = models.DecimalField(_("total score"), null=True, blank=True, **POINTS)
    evaluation = models.OneToOneField(
        Evaluation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating",
        verbose_name=_("evaluation"),
    )
    imported = models.BooleanField(_("imported"), default=False)

    objects = ScopedQuerySet.as_manager()
    # Written by publication and by the sheet of past years (the city's and the districts' administrators).
    role_actions = usual_table(school_secretary={VIEW, EXPORT})

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="assessment_rating_once",
                violation_error_message=_("This branch has a rating of this year already."),
            )
        ]
        indexes = [models.Index(fields=["year", "level"], name="assessment_rating_year")]

    def __str__(self):
        return f"{self.organization} {self.year} {star_name(self.level)}"

    def get_absolute_url(self):
        return reverse("assessment:rating_list") + f"?year={self.year}"


class Designation(OrganizationScoped, AuditedModel):
    """A demonstration branch (示范支部) named in a year by a document, chosen from the top-rated branches."""

    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="designations", verbose_name=_("branch")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    designated_on = models.DateField(_("date designated"), null=True, blank=True)
    imported = models.BooleanField(_("imported"), default=False)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table(district_admin={VIEW, EXPORT}, school_secretary={VIEW, EXPORT})

    class Meta:
        verbose_name = _("demonstration branch")
        verbose_name_plural = _("demonstration branches")
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="assessment_designation_once",
                violation_error_message=_("This branch is a demonstration branch of this year already."),
            )
        ]
        indexes = [models.Index(fields=["year"], name="assessment_designation_year")]

    def __str__(self):
        return f"{self.organization} {self.year}"

    def get_absolute_url(self):
        return reverse("assessment:designation_list")
