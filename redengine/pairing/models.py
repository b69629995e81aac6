"""Urban-rural school pairing (城乡学校结对共建): pairs of an urban and a rural school, what each pair did
(its activities) and the files of an activity.

A ``SchoolPair`` lies at both its schools: whoever reaches either school sees it; recording, changing or
deleting it needs the writer to reach both (``SchoolPairQuerySet.visible_to`` answers the write actions
with the pairs whose two schools lie in scope), so that a pair of two districts is recorded by the city's
administrator. Its change records sit at the deepest organization covering both schools (the district
bureau's for a pair within a district, the root's across districts): one path, seen by the auditors of
both. An activity (and its files) lies at its pair: a secretary of either school records it.
"""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.files import SealedFile
from redengine.core.models import AuditedModel
from redengine.core.permissions import usual_table
from redengine.core.scoping import ScopedQuerySet, user_prefixes
from redengine.orgs.models import PartyOrganization, School, school_scope_q
from redengine.people.models import Person

from .rules import RURAL_SIDE, URBAN_SIDE, ActivityKind

WRITES = ("add", "change", "delete")


def active_within(start, end, prefix=""):
    """Pairs agreed on or before ``end`` that did not end before ``start`` (metrics.md ``pairing.pairs``)."""
    return Q(**{f"{prefix}agreed_on__lte": end}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": start})
    )


def at_either(prefixes, prefix=""):
    return school_scope_q(prefixes, f"{prefix}urban_id") | school_scope_q(prefixes, f"{prefix}rural_id")


def at_both(prefixes, prefix=""):
    return school_scope_q(prefixes, f"{prefix}urban_id") & school_scope_q(prefixes, f"{prefix}rural_id")


def common_path(paths):
    """The deepest organization path covering every path of ``paths`` (whole steps of the tree)."""
    common = os.path.commonprefix(list(paths))
    return common[: len(common) - len(common) % PartyOrganization.steplen]


class SchoolPairQuerySet(ScopedQuerySet):
    def visible_to(self, user, action="view", through=None):
        """Seen at either school; written (added, changed, deleted) only with both schools in scope."""
        if action not in WRITES or getattr(user, "is_system", False):
            return super().visible_to(user, action, through)
        prefixes = user_prefixes(user, self.model, action, through)
        if not prefixes:
            return self.none()
        if "" in prefixes:
            return self.all()
        return self.filter(at_both(prefixes))

    def active_within(self, start, end):
        return self.filter(active_within(start, end))

    def running_on(self, day):
        return self.filter(active_within(day, day))


class SchoolPair(AuditedModel):
    """An urban school and a rural one paired (结对共建) from their agreement until its end."""

    urban = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="urban_pairs", verbose_name=_("urban school")
    )
    rural = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="rural_pairs", verbose_name=_("rural school")
    )
    agreed_on = models.DateField(_("date of the agreement"))
    ended_on = models.DateField(
        _("end"), null=True, blank=True, help_text=_("Empty while the pair runs; after the agreement.")
    )
    goals = models.TextField(_("pairing goals"), max_length=2000, blank=True)

    objects = SchoolPairQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("urban-rural pair")
        verbose_name_plural = _("urban-rural pairs")
        ordering = ["-agreed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(urban=F("rural")),
                name="school_pair_two_schools",
                violation_error_message=_("A school cannot be paired with itself."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=F("agreed_on")),
                name="school_pair_ends_after_agreement",
                violation_error_message=_("A pair must end after its agreement."),
            ),
        ]
        indexes = [
            models.Index(fields=["urban", "agreed_on"], name="school_pair_urban"),
            models.Index(fields=["rural", "agreed_on"], name="school_pair_rural"),
            models.Index(fields=["agreed_on", "ended_on"], name="school_pair_days"),
            models.Index(fields=["ended_on"], name="school_pair_ended"),
        ]

    def __str__(self):
        return f"{self.urban.name} — {self.rural.name}"

    def get_absolute_url(self):
        return reverse("pairing:pair_detail", args=[self.pk])

    @classmethod
    def scope_filter(cls, prefixes):
        return at_either(prefixes)

    def clean(self):
        super().clean()
        errors = {}
        urban = self.urban if self.urban_id else None
        rural = self.rural if self.rural_id else None
        if (
            urban is not None
            and rural is not None
            and (urban is rural or (urban.pk and urban.pk == rural.pk))
        ):
            errors["rural"] = _("A school cannot be paired with itself.")
        else:
            if urban is not None and urban.urban_rural not in URBAN_SIDE:
                errors["urban"] = _(
                    "%(school)s is not an urban school (城乡类别 %(kind)s): the urban side of a pair is a 城区 "
                    "school."
                ) % {"school": urban.name, "kind": urban.get_urban_rural_display()}
            if rural is not None and rural.urban_rural not in RURAL_SIDE:
                errors["rural"] = _(
                    "%(school)s is not a rural school (城乡类别 %(kind)s): the rural side of a pair is a 镇区 or "
                    "乡村 school."
                ) % {"school": rural.name, "kind": rural.get_urban_rural_display()}
        if self.agreed_on and self.agreed_on > timezone.localdate():
            errors["agreed_on"] = _("A pair is recorded once it is agreed: the date is in the future.")
        if self.agreed_on and self.ended_on and self.ended_on <= self.agreed_on:
            errors["ended_on"] = _("The end must come after the agreement (%(date)s).") % {
                "date": self.agreed_on.isoformat()
            }
        if errors:
            raise ValidationError(errors)

    def audit_scope_path(self):
        return common_path([self.urban.audit_scope_path(), self.rural.audit_scope_path()])

    @classmethod
    def audit_scope_paths(cls, objs):
        schools = list({s.pk: s for o in objs for s in (o.urban, o.rural)}.values())
        paths = dict(zip([s.pk for s in schools], School.audit_scope_paths(schools), strict=True))
        return [common_path([paths[o.urban_id], paths[o.rural_id]]) for o in objs]

    def running_on(self, day):
        return self.agreed_on <= day and (self.ended_on is None or self.ended_on >= day)


class PairScoped:
    """A record that lies where its pair lies (either school)."""

    pair_path = "pair__"

    @classmethod
    def scope_filter(cls, prefixes):
        return at_either(prefixes, cls.pair_path)


class PairActivity(PairScoped, AuditedModel):
    """What a pair did on a day: a teaching visit, shadowing, a joint camp, a charity sale, a joint party day."""

    pair = models.ForeignKey(
        SchoolPair, on_delete=models.PROTECT, related_name="activities", verbose_name=_("urban-rural pair")
    )
    kind = models.CharField(_("activity kind"), max_length=16, choices=ActivityKind.choices)
    date = models.DateField(_("date of the activity"))
    title = models.CharField(_("activity title"), max_length=200)
    summary = models.TextField(_("what was done"), max_length=4000, blank=True)
    teachers = models.ManyToManyField(
        Person, blank=True, related_name="pair_activities", verbose_name=_("teachers involved")
    )
    students = models.PositiveIntegerField(_("number of students"), default=0)
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
        verbose_name = _("pairing activity")
        verbose_name_plural = _("pairing activities")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["pair", "date"], name="pair_activity_pair_date"),
            models.Index(fields=["date", "kind"], name="pair_activity_date_kind"),
            models.Index(fields=["kind", "date"], name="pair_activity_kind_date"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("pairing:pair_detail", args=[self.pair_id]) + f"#activity-{self.pk}"

    def clean(self):
        super().clean()
        if self.date and self.date > timezone.localdate():
            raise ValidationError(
                {"date": _("An activity is recorded once it has happened: the date is in the future.")}
            )

    def audit_scope_path(self):
        return self.pair.audit_scope_path()

    @classmethod
    def audit_scope_paths(cls, objs):
        pairs = list({o.pair_id: o.pair for o in objs}.values())
        paths = dict(zip([p.pk for p in pairs], SchoolPair.audit_scope_paths(pairs), strict=True))
        return [paths[o.pair_id] for o in objs]


class PairActivityFile(PairScoped, SealedFile):
    """A photo, PDF or Word file of an activity, sealed like every file kept with a record."""

    pair_path = "activity__pair__"

    activity = models.ForeignKey(
        PairActivity, on_delete=models.CASCADE, related_name="files", verbose_name=_("pairing activity")
    )

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("pairing activity file")
        verbose_name_plural = _("pairing activity files")
        ordering = ["activity_id", "id"]

    def get_absolute_url(self):
        return reverse("pairing:file", args=[self.pk])

    def audit_scope_path(self):
        return self.activity.pair.audit_scope_path()

    @classmethod
    def audit_scope_paths(cls, objs):
        activities = [o.activity for o in objs]
        return PairActivity.audit_scope_paths(activities)
