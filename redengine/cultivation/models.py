"""Dual cultivation (双培养): mentorships with their half-yearly reviews, skills contests with their entries,
and the speaking of member teachers (交流发言).

A ``Mentorship`` lies at its school; a ``Contest`` at the organization that holds it (a school's, a
district bureau's, the city's), and an entry may name only a person of that subtree; an entry, a speaking
record (``Engagement``) and a review lie where their person's school (or the mentorship's) lies. What the
apprentice became (a title) is read from ``people.Honor``; an activist's invitations to party classes and
themed days from organizational life's attendance (``activities.Attendance``): neither is typed here.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.models import AuditedModel
from redengine.core.permissions import usual_table
from redengine.core.scoping import ScopedQuerySet
from redengine.orgs.models import OrganizationScoped, PartyOrganization, School, SchoolScoped
from redengine.people.models import Person

from .rules import ContestKind, ContestLevel, EngagementKind, MentorshipKind, Prize


def running_on(day):
    """A mentorship running on ``day``: started on or before it and not ended before it."""
    return Q(start_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class MentorshipQuerySet(ScopedQuerySet):
    def running_at(self, day):
        return self.filter(running_on(day))

    def active_within(self, start, end):
        """Running on some day of ``start``–``end`` (metrics.md ``cultivation.mentorships``)."""
        return self.filter(start_on__lte=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))


class Mentorship(SchoolScoped, AuditedModel):
    """A mentoring pair (青蓝工程, 师徒结对) at a school."""

    kind = models.CharField(
        _("kind"), max_length=10, choices=MentorshipKind.choices, default=MentorshipKind.TEACHING
    )
    mentor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="mentorships_given", verbose_name=_("mentor")
    )
    apprentice = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="mentorships", verbose_name=_("apprentice")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="mentorships", verbose_name=_("school")
    )
    start_on = models.DateField(_("start"))
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    # Derived by the service: the last day a title counts as the mentorship's outcome (``cult.titled_years``
    # after the start, by the rules in force at the start; metrics.md ``cultivation.apprentices_titled``).
    titled_by = models.DateField(_("a title counts until"), null=True, editable=False)
    goals = models.TextField(_("goals"), max_length=2000, blank=True)
    summary = models.TextField(
        _("summary at the end"),
        max_length=2000,
        blank=True,
        help_text=_("What the pair achieved, when it ends."),
    )

    objects = MentorshipQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        ordering = ["-start_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=F("apprentice")),
                name="mentorship_two_people",
                violation_error_message=_("The mentor and the apprentice must be two different people."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("start_on")),
                name="mentorship_ends_after_start",
                violation_error_message=_("A mentorship cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "start_on"], name="mentorship_school_start"),
            models.Index(fields=["apprentice", "kind", "start_on"], name="mentorship_apprentice"),
            models.Index(fields=["mentor", "start_on"], name="mentorship_mentor"),
            models.Index(fields=["ended_on", "start_on"], name="mentorship_ended"),
        ]

    def __str__(self):
        return _("%(mentor)s → %(apprentice)s") % {
            "mentor": self.mentor.name,
            "apprentice": self.apprentice.name,
        }

    def get_absolute_url(self):
        return reverse("cultivation:mentorship_detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.mentor_id and self.mentor_id == self.apprentice_id:
            errors["apprentice"] = _("The mentor and the apprentice must be two different people.")
        if self.start_on and self.ended_on and self.ended_on < self.start_on:
            errors["ended_on"] = _("A mentorship cannot end before it starts (%(start)s).") % {
                "start": self.start_on.isoformat()
            }
        if self.start_on and self.planned_end_on and self.planned_end_on <= self.start_on:
            errors["planned_end_on"] = _("The planned end must come after the start (%(start)s).") % {
                "start": self.start_on.isoformat()
            }
        if self.ended_on and self.ended_on > timezone.localdate():
            errors["ended_on"] = _(
                "The end of a mentorship is recorded once it has ended: the date is in the future."
            )
        if errors:
            raise ValidationError(errors)

    def audit_scope_path(self):
        return self.school.audit_scope_path()

    @property
    def running(self):
        return self.ended_on is None


class MentorshipReview(SchoolScoped, AuditedModel):
    """A half-yearly review of a mentorship: what the apprentice did and how far they came."""

    school_path = "mentorship__school_id"

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("mentorship")
    )
    held_on = models.DateField(_("date of review"))
    progress = models.TextField(_("progress"), max_length=2000)
    # Derived by the service: held after the review was due (a time limit: flagged, never refused).
    due_on = models.DateField(_("due"), editable=False, null=True)
    late = models.BooleanField(_("late"), default=False, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("mentorship review")
        verbose_name_plural = _("mentorship reviews")
        ordering = ["mentorship_id", "held_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "held_on"],
                name="mentorship_review_once_a_day",
                violation_error_message=_("This mentorship already has a review on that day."),
            )
        ]

    def __str__(self):
        return _("Review of %(date)s") % {"date": self.held_on.isoformat()}

    def get_absolute_url(self):
        return self.mentorship.get_absolute_url()

    def audit_scope_path(self):
        return self.mentorship.school.audit_scope_path()


class Contest(OrganizationScoped, AuditedModel):
    """A skills contest (教案设计, 课堂展示, 微党课 …) held by a school, a district or the city."""

    name = models.CharField(_("contest"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ContestKind.choices, default=ContestKind.OTHER)
    level = models.CharField(_("level"), max_length=10, choices=ContestLevel.choices)
    held_on = models.DateField(_("date held"))
    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        related_name="contests",
        verbose_name=_("held by"),
        help_text=_(
            "The organization whose people may take part: a school's, a district bureau's, the city's."
        ),
    )

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name", "level", "held_on"],
                name="contest_once",
                violation_error_message=_("This contest is recorded already."),
            )
        ]
        indexes = [models.Index(fields=["organization", "held_on"], name="contest_org_date")]

    def __str__(self):
        return f"{self.name}（{self.get_level_display()}，{self.held_on:%Y-%m-%d}）"

    def get_absolute_url(self):
        return reverse("cultivation:contest_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError(
                {"held_on": _("A contest is recorded once it is held: the date is in the future.")}
            )


class ContestEntry(SchoolScoped, AuditedModel):
    """A person who took part in a contest, with the prize and its date."""

    school_path = "person__school_id"

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="entries", verbose_name=_("contest")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="contest_entries", verbose_name=_("person")
    )
    prize = models.CharField(_("prize"), max_length=8, choices=Prize.choices, default=Prize.NONE)
    awarded_on = models.DateField(_("date of the prize"), null=True, blank=True)
    work = models.CharField(
        _("work"), max_length=200, blank=True, help_text=_("The lesson, story or work entered.")
    )

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("contest entry")
        verbose_name_plural = _("contest entries")
        ordering = ["contest_id", "prize", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "person"],
                name="contest_entry_once",
                violation_error_message=_("This person is entered in the contest already."),
            )
        ]
        indexes = [models.Index(fields=["person", "awarded_on"], name="contest_entry_person")]

    def __str__(self):
        return f"{self.person.name}：{self.get_prize_display()}"

    def get_absolute_url(self):
        return self.contest.get_absolute_url()

    def audit_scope_path(self):
        return self.person.audit_scope_path()

    @property
    def prized(self):
        return self.prize != Prize.NONE


class Engagement(SchoolScoped, AuditedModel):
    """A member teacher speaking at a moral-education forum, a subject training or a grade meeting (交流发言)."""

    school_path = "person__school_id"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="engagements", verbose_name=_("person")
    )
    kind = models.CharField(_("occasion"), max_length=14, choices=EngagementKind.choices)
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    venue = models.CharField(_("where"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("speaking")
        verbose_name_plural = _("speaking")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["person", "date"], name="engagement_person_date")]

    def __str__(self):
        return f"{self.person.name}：{self.topic}"

    def get_absolute_url(self):
        return reverse("cultivation:person", args=[self.person_id])

    def audit_scope_path(self):
        return self.person.audit_scope_path()

    def clean(self):
        super().clean()
        if self.date and self.date > timezone.localdate():
            raise ValidationError(
                {"date": _("Speaking is recorded once it has happened: the date is in the future.")}
            )
