"""People (人员) of the schools, their party membership (党籍), titles (称号), posts and dispatches.

The resident ID number and the mobile number are personal information (PIPL): they are stored
encrypted (SM4 through the pluggable provider of ``core.crypto``) with a keyed blind index
(HMAC-SM3) for exact lookup and uniqueness, and a masked copy for display, so that a copy of the
database file alone reveals neither.
"""

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from redengine.core import codes
from redengine.core.crypto import get_provider
from redengine.core.dates import add_months
from redengine.core.fields import SortKeyField
from redengine.core.masking import mask_id_number, mask_mobile
from redengine.core.models import AuditedModel
from redengine.core.permissions import usual_table
from redengine.core.scoping import ScopedQuerySet
from redengine.core.validators import normalise_mobile, parse_id_number
from redengine.orgs.models import OrganizationScoped, PartyOrganization, School, school_scope_q

from .choices import CommitteePostKind, DispatchRole, GuidanceKind, MembershipStatus, Sex, Title, TitleLevel


class PersonQuerySet(ScopedQuerySet):
    def with_id_number(self, number):
        """The person with this ID number, found through the blind index (never by decrypting)."""
        return self.filter(id_number_index=get_provider().blind_index(parse_id_number(number).number))


class Person(AuditedModel):
    """A member of a school's staff (教职工), party member or not."""

    name = models.CharField(_("full name"), max_length=50, db_index=True)
    name_key = SortKeyField(_("full name (pinyin order)"), source="name")
    id_number_cipher = models.TextField(_("resident ID number (encrypted)"), editable=False)
    id_number_index = models.CharField(
        _("resident ID number (index)"), max_length=64, unique=True, editable=False
    )
    id_number_masked = models.CharField(_("resident ID number"), max_length=18, editable=False)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    ethnic_group = models.CharField(
        _("ethnic group"), max_length=2, choices=codes.ETHNIC_GROUP_CHOICES, blank=True
    )
    education = models.CharField(_("education"), max_length=30, choices=codes.EDUCATION_CHOICES, blank=True)
    mobile_cipher = models.TextField(_("mobile (encrypted)"), blank=True, editable=False)
    mobile_index = models.CharField(
        _("mobile (index)"), max_length=64, blank=True, db_index=True, editable=False
    )
    mobile_masked = models.CharField(_("mobile"), max_length=11, blank=True, editable=False)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="staff", verbose_name=_("school")
    )
    post = models.CharField(_("post"), max_length=20, choices=codes.POST_CHOICES, blank=True)
    front_line = models.BooleanField(_("front-line teacher"), default=False)
    political_status = models.CharField(
        _("political status"),
        max_length=20,
        choices=codes.POLITICAL_STATUS_CHOICES,
        default="masses",
        db_index=True,
        help_text=_("For party members it follows the membership record."),
    )

    objects = PersonQuerySet.as_manager()
    role_actions = usual_table()
    audit_exclude = frozenset({"id_number_cipher", "mobile_cipher", "name_key"})
    # The blind indexes are kept in the trail so that a change of number shows even where its masked form
    # stays the same; they, and the birth date (beside the masked number it would tell it), are not shown.
    audit_hidden = frozenset({"id_number_index", "mobile_index", "birth_date"})

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["school_id", "name_key", "id"]
        indexes = [
            # A scope's people of one status by name (the list of a city's members, deep pages too): the
            # keys from the index alone, school by school, then sorted: no read of the table.
            models.Index(
                fields=["school", "political_status", "name_key", "id"], name="person_school_status_name"
            ),
            models.Index(fields=["school", "name_key", "id"], name="person_school_name_key"),
            # The members (or any status) by name, deep pages too: the page's keys from the index alone
            # (core/pagination.py).
            models.Index(fields=["political_status", "name_key", "id"], name="person_status_name_key"),
        ]

    def __str__(self):
        return f"{self.name}（{self.id_number_masked}）"

    def get_absolute_url(self):
        return reverse("people:person_detail", args=[self.pk])

    # Personal data ----------------------------------------------------------------------------------
    def set_id_number(self, value):
        """Validate (GB 11643), then store encrypted, indexed and masked; sex and birth date follow it."""
        parsed = parse_id_number(value)
        provider = get_provider()
        self.id_number_cipher = provider.encrypt(parsed.number)
        self.id_number_index = provider.blind_index(parsed.number)
        self.id_number_masked = mask_id_number(parsed.number)
        return parsed

    def reveal_id_number(self):
        """The full number; callers log the reveal (``core.audit.log_access(REVEAL, …)``)."""
        return get_provider().decrypt(self.id_number_cipher) if self.id_number_cipher else ""

    def set_mobile(self, value):
        if not value:
            self.mobile_cipher = self.mobile_index = self.mobile_masked = ""
            return
        number = normalise_mobile(value)
        provider = get_provider()
        self.mobile_cipher = provider.encrypt(number)
        self.mobile_index = provider.blind_index(number)
        self.mobile_masked = mask_mobile(number)

    def reveal_mobile(self):
        return get_provider().decrypt(self.mobile_cipher) if self.mobile_cipher else ""

    # Scope -----------------------------------------------------------------------------------------
    @classmethod
    def scope_filter(cls, prefixes):
        return school_scope_q(prefixes, school="school_id")

    def audit_scope_path(self):
        return self.school.audit_scope_path()

    @classmethod
    def audit_scope_paths(cls, people):
        field = cls._meta.get_field("school")
        wanted = {p.school_id for p in people if not field.is_cached(p)}
        loaded, wanted = {}, sorted(wanted)
        for start in range(0, len(wanted), 5000):  # (one query per 5,000 schools not at hand)
            loaded.update((s.pk, s) for s in School.objects.filter(pk__in=wanted[start : start + 5000]))
        schools = {
            p.school_id: field.get_cached_value(p) if field.is_cached(p) else loaded[p.school_id]
            for p in people
        }
        paths = dict(zip(schools, School.audit_scope_paths(list(schools.values())), strict=True))
        return [paths[p.school_id] for p in people]

    @property
    def is_member(self):
        return self.political_status in {"member", "probationary"}


class MembershipQuerySet(ScopedQuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)

    def members_at(self, day):
        """Members at ``day`` (metrics.md): admitted on or before it and not ended before it."""
        return self.filter(admitted_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))

    def full_members_at(self, day):
        return self.members_at(day).filter(full_on__lte=day)


class Membership(OrganizationScoped, AuditedModel):
    """A person's party membership (党籍) in an organization: admitted (probationary), then full member."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    admitted_on = models.DateField(_("date admitted"), db_index=True)
    full_on = models.DateField(_("date of full membership"), null=True, blank=True, db_index=True)
    ended_on = models.DateField(
        _("date ended"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Transferred out, or membership ended."),
    )
    # 留党察看 (党章 art. 40): during it the member has no vote (党章 art. 7; 选举条例 art. 5) and is not
    # counted among the voting members who should attend a branch general meeting, nor may introduce.
    observation_from = models.DateField(_("under 留党察看 from"), null=True, blank=True)
    observation_until = models.DateField(
        _("under 留党察看 until"),
        null=True,
        blank=True,
        help_text=_("The day the member's rights are restored (empty while the 留党察看 lasts)."),
    )
    # The state after admission (suspended, out of contact, floating…): written by the status changes of the
    # membership app only (each with its resolution and approval); an ending state ends the membership.
    status = models.CharField(
        _("membership status"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
        db_index=True,
        editable=False,
    )
    status_since = models.DateField(_("status since"), null=True, blank=True, editable=False)

    objects = MembershipQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("party membership")
        verbose_name_plural = _("party memberships")
        ordering = ["-admitted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_current",
                violation_error_message=_("This person already has a current membership."),
            ),
        ]

    def get_absolute_url(self):
        return self.person.get_absolute_url()

    def __str__(self):
        return f"{self.person.name} @ {self.organization}"

    def clean(self):
        super().clean()
        errors = {}
        today = timezone.localdate()
        if self.admitted_on and self.admitted_on > today:
            errors["admitted_on"] = _("The date admitted cannot be in the future.")
        if self.person_id and self.admitted_on and self.admitted_on < add_years(self.person.birth_date, 18):
            # DEV.AGE_MIN — Party Constitution art. 1; 发展党员工作细则 art. 5: 18 years or older.
            errors["admitted_on"] = _("A person can be admitted only from the 18th birthday.")
        if self.full_on and self.admitted_on and self.full_on not in _full_membership_dates(self.admitted_on):
            # PROB.LENGTH / PROB.EXTEND — 党章第七条; 细则第三十二条: full membership at the end of the one-year
            # probation, or at the end of one extension of 6 to 12 months (the engine's calendar).
            dates = full_membership_dates(self.admitted_on)
            errors["full_on"] = _(
                "Full membership begins when the probation ends: on %(end)s (one year after admission), or, "
                "after one extension of 6 to 12 months, on one of %(extended)s."
            ) % {"end": dates[0].isoformat(), "extended": "、".join(d.isoformat() for d in dates[1:])}
        if (
            self.observation_from
            and self.observation_until
            and self.observation_until <= self.observation_from
        ):
            errors["observation_until"] = _("The end of 留党察看 must be after its start.")
        if errors:
            raise ValidationError(errors)


PROBATION_MONTHS = 12  # 党章第七条 (the engine's ``prob.length_months``)
EXTENSION_MONTHS = range(6, 13)  # 细则第三十二条: once, 6 to 12 months (``prob.extension_*_months``)


def full_membership_dates(admitted_on):
    """The dates full membership may begin: the end of the probation, or of one extension of 6–12 months."""
    return list(_full_membership_dates(admitted_on))


@functools.lru_cache(maxsize=4096)
def _full_membership_dates(admitted_on):
    """Worked out once per date: an import checks tens of thousands of memberships (eight dates each)."""
    return (add_months(admitted_on, PROBATION_MONTHS),) + tuple(
        add_months(admitted_on, PROBATION_MONTHS + months) for months in EXTENSION_MONTHS
    )


def under_observation(membership, day):
    """Whether the member is under 留党察看 on ``day`` (from its start, until the rights are restored)."""
    start, until = membership.observation_from, membership.observation_until
    return start is not None and start <= day and (until is None or day < until)


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


class HonorQuerySet(ScopedQuerySet):
    def held_at(self, day):
        """Titles held at ``day`` (metrics.md): awarded on or before it, not lapsed on or before it."""
        return self.filter(awarded_on__lte=day).filter(Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=day))


class Honor(AuditedModel):
    """A title (称号) a person holds for a time: 骨干教师, 卓越教师, 首席名校长, 名校长, 名校长工作室学员."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="honors", verbose_name=_("person")
    )
    title = models.CharField(_("title"), max_length=20, choices=Title.choices, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=TitleLevel.choices, blank=True)
    awarded_on = models.DateField(_("date awarded"), db_index=True)
    lapsed_on = models.DateField(_("date lapsed"), null=True, blank=True)

    objects = HonorQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("title")
        verbose_name_plural = _("titles")
        ordering = ["-awarded_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "title", "awarded_on"],
                name="honor_unique",
                violation_error_message=_("This title with this date is recorded already."),
            ),
            models.CheckConstraint(
                condition=Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=models.F("awarded_on")),
                name="honor_lapse_after_award",
                violation_error_message=_("The date lapsed must be after the date awarded."),
            ),
        ]

    def get_absolute_url(self):
        return self.person.get_absolute_url()

    def __str__(self):
        return f"{self.person.name}: {self.get_title_display()}"

    @classmethod
    def scope_filter(cls, prefixes):
        return school_scope_q(prefixes, school="person__school_id")

    def audit_scope_path(self):
        return self.person.audit_scope_path()


class DispatchQuerySet(ScopedQuerySet):
    def active_on(self, day):
        """Dispatches in force on ``day``: begun on or before it, and not ended before it (``end_on`` is the
        last day of the dispatch)."""
        return self.filter(start_on__lte=day).filter(Q(end_on__isnull=True) | Q(end_on__gte=day))


class Dispatch(AuditedModel):
    """A secretary or party-building instructor dispatched (选派) to a private school."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=12, choices=DispatchRole.choices)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("school")
    )
    dispatching_body = models.CharField(_("dispatched by"), max_length=100)
    public = models.BooleanField(
        _("public dispatch"),
        default=True,
        help_text=_("Sent by the education bureau (公派), counted by private.dispatched."),
    )
    start_on = models.DateField(_("from"), db_index=True)
    end_on = models.DateField(_("to"), null=True, blank=True)
    # The account the dispatched person signs in with: an instructor writes guidance records for the
    # schools of the dispatches that name their account, and only while the dispatch lasts.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dispatches",
        verbose_name=_("account"),
        help_text=_("The instructor's account: with it they write the guidance records of this school."),
    )

    objects = DispatchQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["-start_on"]

    def get_absolute_url(self):
        return self.person.get_absolute_url()

    def __str__(self):
        return f"{self.person.name} → {self.school} ({self.get_role_display()})"

    def active_on(self, day):
        return self.start_on <= day and (self.end_on is None or day <= self.end_on)

    def clean(self):
        super().clean()
        if self.end_on and self.start_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": _("The end cannot precede the start.")})
        if self.school_id and self.school.ownership != "private":
            raise ValidationError(
                {"school": _("Secretaries and instructors are dispatched to private schools.")}
            )

    @classmethod
    def scope_filter(cls, prefixes):
        return school_scope_q(prefixes, school="school_id")

    def audit_scope_path(self):
        return self.school.audit_scope_path()


class GuidanceRecord(AuditedModel):
    """A guidance record (指导记录): one visit or piece of work of a party-building instructor at a private
    school they are dispatched to, after the four parts of the role (四员, PRIV.INSTRUCTOR_ROLE).

    The instructor writes it, for a school of a dispatch that names their account and on a day the dispatch
    lasts (``services.record_guidance``); the school's secretary, the district and city administrators and
    the inspectors read it within their scope."""

    dispatch = models.ForeignKey(
        Dispatch, on_delete=models.PROTECT, related_name="guidance_records", verbose_name=_("dispatch")
    )
    # The dispatch's school, kept on the record so that a school's records are one indexed look-up.
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        related_name="guidance_records",
        verbose_name=_("school"),
        editable=False,
    )
    held_on = models.DateField(_("date of guidance"))
    kind = models.CharField(_("kind of guidance"), max_length=12, choices=GuidanceKind.choices)
    content = models.TextField(_("what was done"), max_length=2000)
    issues = models.TextField(_("problems found"), max_length=2000, blank=True)
    follow_up = models.TextField(
        _("follow-up"),
        max_length=2000,
        blank=True,
        help_text=_("What the school is to correct, and by when; what was checked since."),
    )

    objects = ScopedQuerySet.as_manager()
    # Written by the instructor (their own records, at the schools they are dispatched to: the service says
    # which); read by the administrators, the school's secretary and the inspectors.
    role_actions = {
        "city_admin": frozenset({"view", "export"}),
        "district_admin": frozenset({"view", "export"}),
        "school_secretary": frozenset({"view"}),
        "instructor": frozenset({"view", "add", "change"}),
        "inspector": frozenset({"view", "export"}),
    }

    class Meta:
        verbose_name = _("guidance record")
        verbose_name_plural = _("guidance records")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["school", "held_on"], name="guidance_school_date"),
            models.Index(fields=["dispatch", "held_on"], name="guidance_dispatch_date"),
            models.Index(fields=["held_on"], name="guidance_date"),
            models.Index(fields=["kind", "held_on"], name="guidance_kind_date"),
        ]

    def __str__(self):
        return f"{self.school.name} {self.held_on:%Y-%m-%d} {self.get_kind_display()}"

    def get_absolute_url(self):
        """Its edit form (there is no page of its own): the instructor who wrote it opens it from the list."""
        return reverse("people:guidance_edit", args=[self.pk])

    @property
    def content_summary(self):
        return Truncator(self.content).chars(30)

    @property
    def issues_summary(self):
        return Truncator(self.issues).chars(20)

    @classmethod
    def scope_filter(cls, prefixes):
        return school_scope_q(prefixes, school="school_id")

    def audit_scope_path(self):
        return self.school.audit_scope_path()


def current_posts(queryset, day):
    """The posts of ``queryset`` held on ``day``: taken up on or before it, not left on or before it."""
    return queryset.filter(start_on__lte=day).filter(Q(end_on__isnull=True) | Q(end_on__gt=day))


class CommitteePost(OrganizationScoped, AuditedModel):
    """A post on an organization's committee (支委会/党委委员) held by a person for a time."""

    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.CASCADE, related_name="posts", verbose_name=_("organization")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="committee_posts", verbose_name=_("person")
    )
    post = models.CharField(_("post"), max_length=20, choices=CommitteePostKind.choices)
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("to"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("committee post")
        verbose_name_plural = _("committee posts")
        ordering = ["organization", "post", "-start_on"]

    def get_absolute_url(self):
        return self.person.get_absolute_url()

    def __str__(self):
        return f"{self.organization}: {self.get_post_display()} {self.person.name}"
