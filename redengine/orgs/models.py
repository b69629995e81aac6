"""Schools (学校) and the party-organization tree (党组织)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from redengine.core.codes import DISTRICT_CHOICES, district_name
from redengine.core.fields import SortKeyField
from redengine.core.models import AuditedModel
from redengine.core.permissions import CHANGE, EXPORT, VIEW, usual_table
from redengine.core.scoping import ScopedQuerySet, prefix_q
from redengine.core.writes import chunked

from . import rules
from .choices import OrgType, Ownership, SchoolType, UrbanRural


class OrganizationQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    def with_parent_code(self):
        """Annotate ``parent_code`` in the same query (the parent's path is the path minus one step)."""
        steplen = self.model.steplen
        parent = self.model.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - steplen)
        ).values("code")[:1]
        return self.annotate(parent_code=Subquery(parent))


class OrganizationManager(MP_NodeManager):
    def get_queryset(self):
        return OrganizationQuerySet(self.model).order_by("path")

    def visible_to(self, user, action="view", through=None):
        return self.get_queryset().visible_to(user, action, through)

    def in_subtree(self, path):
        return self.get_queryset().in_subtree(path)


class PartyOrganization(AuditedModel, MP_Node):
    """A party organization (党组织): a node of the one tree, from the bureau's working committee down.

    Stored as a materialized path (``path``), so a subtree is one indexed prefix range.
    """

    steplen = 4
    # No node_order_by: a new organization is appended as its parent's last child, so that adding one never
    # rewrites the paths of its siblings (a change the trail would not see); lists sort by code themselves.

    code = models.CharField(_("organization code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_key = SortKeyField(_("name (pinyin order)"), source="name")
    audit_exclude = frozenset({"name_key"})
    org_type = models.CharField(_("type"), max_length=20, choices=OrgType.choices, db_index=True)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    district = models.CharField(
        _("district bureau of"),
        max_length=6,
        choices=DISTRICT_CHOICES,
        blank=True,
        help_text=_(
            "Set on the organization of a district's education bureau: schools of that district that "
            "no organization covers fall in its scope."
        ),
    )
    schools = models.ManyToManyField(
        "School", blank=True, related_name="organizations", verbose_name=_("schools covered")
    )
    last_election_on = models.DateField(_("date of the last election"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(
        _("term (years)"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty for the usual term: 5 years for a committee, 3 for a general branch or branch."
        ),
    )
    # ORG.TERM_CHANGE: an election postponed with the superior organization's approval, by at most a year.
    election_postponed_to = models.DateField(
        _("election postponed to"),
        null=True,
        blank=True,
        help_text=_("Only with an approved postponement: at most one year after the end of the term."),
    )
    postponement_approved_on = models.DateField(_("postponement approved on"), null=True, blank=True)
    postponement_approved_by = models.CharField(
        _("postponement approved by"),
        max_length=200,
        blank=True,
        help_text=_("The organization that approved the postponement and its document number."),
    )
    # DEV.APPROVER: committees approve admissions unless an administrator marks one that may not.
    approves_admissions = models.BooleanField(
        _("approves admissions"),
        default=True,
        help_text=_(
            "For a committee: it has the authority to approve new members. Clear it for a committee that "
            "has not (such as one under a township or street committee). A general branch never approves."
        ),
    )
    # 党小组 (支部工作条例 art. 13): a branch divided into party groups holds a group meeting every month.
    party_groups = models.PositiveSmallIntegerField(
        _("party groups"),
        default=0,
        help_text=_("How many party groups (党小组) the branch is divided into; 0 if none."),
    )
    # Stored (and indexed) so that "whose term has run out" is one range query; kept by save().
    election_due_on = models.DateField(
        _("next election due"), null=True, blank=True, editable=False, db_index=True
    )

    objects = OrganizationManager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("party organization")
        verbose_name_plural = _("party organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["district"],
                condition=~Q(district=""),
                name="partyorganization_one_per_district",
                violation_error_message=_("That district already has its bureau organization."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.election_due_on = rules.election_due(
            self.org_type, self.last_election_on, self.founded_on, self.term_years, self.election_postponed_to
        )
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.founded_on and self.founded_on > timezone.localdate():
            raise ValidationError({"founded_on": _("The founding date cannot be in the future.")})
        if self.last_election_on and self.founded_on and self.last_election_on < self.founded_on:
            raise ValidationError(
                {"last_election_on": _("The last election cannot be before the founding date.")}
            )
        self.clean_postponement()

    def clean_postponement(self):
        """ORG.TERM_CHANGE (《关于党的基层组织任期的意见》2018; 基层组织选举工作条例 2020 art. 3): a postponement
        is approved, recorded with its approval, and moves the election by at most a year."""
        postponed_to = self.election_postponed_to
        if postponed_to is None:
            if self.postponement_approved_on or self.postponement_approved_by.strip():
                raise ValidationError(
                    {"election_postponed_to": _("Give the date the election is postponed to.")}
                )
            return
        term_ends = rules.term_end(self.org_type, self.last_election_on, self.founded_on, self.term_years)
        if rules.term_years(self.org_type, self.term_years) is None:
            raise ValidationError(
                {
                    "election_postponed_to": _(
                        "A %(type)s has no term of office: there is no election to postpone."
                    )
                    % {"type": self.get_org_type_display()}
                }
            )
        if term_ends is None:
            raise ValidationError(
                {
                    "election_postponed_to": _(
                        "Give the date of the last election (or the founding date) first: the postponement "
                        "is counted from the end of the term."
                    )
                }
            )
        errors = {}
        if postponed_to <= term_ends:
            errors["election_postponed_to"] = _(
                "The term ends on %(end)s: a postponement moves the election to a later date."
            ) % {"end": term_ends.isoformat()}
        elif postponed_to > rules.postponement_limit(term_ends):
            errors["election_postponed_to"] = _(
                "An election may be postponed by at most one year, to %(limit)s at the latest "
                "(《关于党的基层组织任期的意见》2018; 《中国共产党基层组织选举工作条例》art. 3)."
            ) % {"limit": rules.postponement_limit(term_ends).isoformat()}
        if self.postponement_approved_on is None:
            errors["postponement_approved_on"] = _("Give the date the postponement was approved.")
        elif self.postponement_approved_on > timezone.localdate():
            errors["postponement_approved_on"] = _("The date cannot be in the future.")
        if not self.postponement_approved_by.strip():
            errors["postponement_approved_by"] = _(
                "Name the organization that approved the postponement and its document."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def effective_term_years(self):
        return rules.term_years(self.org_type, self.term_years)

    @property
    def admits_members(self):
        """A branch or a joint branch: the organizations a development case opens in (DEV.INDIVIDUAL)."""
        return self.org_type in rules.ADMITTING_TYPES

    @property
    def approver_type(self):
        """A type that approves admissions unless marked otherwise (DEV.APPROVER)."""
        return self.org_type in rules.APPROVER_TYPES

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q("path", prefixes)

    def audit_scope_path(self):
        return self.path

    def get_absolute_url(self):
        return reverse("orgs:organization_detail", args=[self.pk])

    def delete_refusal(self):
        """Why this organization cannot be deleted now (it still has dependants), or None."""
        if PartyOrganization.objects.filter(path__startswith=self.path).exclude(pk=self.pk).exists():
            return _("%(org)s still has organizations under it; move or delete them first.") % {"org": self}
        if self.role_assignments.exists():
            return _("Accounts hold roles at %(org)s; withdraw them first.") % {"org": self}
        return None


def admission_approvers(orgs):
    """{organization pk: the committee that approves its admissions, or None} (DEV.APPROVER): the nearest
    committee above it that holds the authority (``approves_admissions``); a general branch never approves.
    One query per 5,000 ancestors, whatever the number of organizations."""
    step = PartyOrganization.steplen
    wanted = sorted({org.path[:end] for org in orgs for end in range(step, len(org.path), step)})
    found = {}
    for chunk in chunked(wanted):
        rows = PartyOrganization.objects.filter(
            path__in=chunk, org_type__in=rules.APPROVER_TYPES, approves_admissions=True
        )
        found.update((row.path, row) for row in rows)
    approvers = {}
    for org in orgs:
        ends = range(len(org.path) - step, 0, -step)
        approvers[org.pk] = next((found[org.path[:end]] for end in ends if org.path[:end] in found), None)
    return approvers


def school_scope_q(prefixes, school="pk"):
    """Rows whose school is in scope (metrics.md, "In scope"): covered by an organization in the subtree or,
    when no organization covers it, lying in a district whose bureau organization is in the subtree. The
    root's subtree holds every school, covered or not, served or not: a scope holding the root is every row.

    ``school`` names the row's school id, so that records of people, titles and dispatches are scoped by
    their school with the same rule. The rule is read from the schools' placements (``SchoolPlace``, kept
    by the write path): one prefix range of one index, then the rows of the schools found.
    """
    if holds_root(prefixes):
        return Q(pk__isnull=False)  # every row (an empty Q would match none once negated by exclude)
    return Q(**{f"{school}__in": SchoolPlace.objects.current().under(prefixes).values("school_id")})


class SchoolScoped:
    """A record that lies where a school lies (its own ``school``, or the school ``school_path`` names)."""

    school_path = "school_id"

    @classmethod
    def scope_filter(cls, prefixes):
        return school_scope_q(prefixes, school=cls.school_path)


def holds_root(prefixes):
    """Whether the subtrees at ``prefixes`` hold the root: the tree has one root, the only path of one step."""
    return any(len(prefix) <= PartyOrganization.steplen for prefix in prefixes)


ten_digits = RegexValidator(r"^\d{10}$", _("The school code has 10 digits."))


class SchoolQuerySet(ScopedQuerySet):
    pass


class School(AuditedModel):
    """A school (学校) of the city's education system, public or private."""

    code = models.CharField(_("school code"), max_length=10, unique=True, validators=[ten_digits])
    name = models.CharField(_("school name"), max_length=100, db_index=True)
    name_key = SortKeyField(_("school name (pinyin order)"), source="name")
    audit_exclude = frozenset({"name_key"})
    district = models.CharField(
        _("district or county"), max_length=6, choices=DISTRICT_CHOICES, db_index=True
    )
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices, db_index=True)
    school_type = models.CharField(_("school type"), max_length=20, choices=SchoolType.choices, db_index=True)
    urban_rural = models.CharField(
        _("urban or rural"), max_length=10, choices=UrbanRural.choices, db_index=True
    )
    city_managed = models.BooleanField(_("city-managed"), default=False, db_index=True)
    staff_headcount = models.PositiveIntegerField(_("staff headcount"), null=True, blank=True)

    objects = SchoolQuerySet.as_manager()
    # School secretaries keep their school's record up to date but do not open or close schools.
    role_actions = usual_table(school_secretary={VIEW, CHANGE, EXPORT})

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def district_name(self):
        return district_name(self.district)

    @classmethod
    def scope_filter(cls, prefixes):
        return school_scope_q(prefixes)

    def get_absolute_url(self):
        return reverse("orgs:school_detail", args=[self.pk])

    def audit_scope_path(self):
        covering = (
            self.organizations.order_by("path").values_list("path", flat=True).first() if self.pk else None
        )
        if covering:
            return covering
        return (
            PartyOrganization.objects.filter(district=self.district).values_list("path", flat=True).first()
            or PartyOrganization.objects.filter(depth=1)
            .order_by("path")
            .values_list("path", flat=True)
            .first()
            or ""
        )

    @classmethod
    def audit_scope_paths(cls, schools):
        """In two queries: the first covering organization's path, else the district organization's, else the
        root's."""
        covering = {}
        through = PartyOrganization.schools.through.objects.filter(school_id__in=[s.pk for s in schools])
        for school_id, path in through.order_by("-partyorganization__path").values_list(
            "school_id", "partyorganization__path"
        ):
            covering[school_id] = path
        # The district organizations and the root, in one query (the root sorts first: its path is shortest).
        rows = PartyOrganization.objects.filter(~Q(district="") | Q(depth=1)).order_by("depth", "path")
        districts, root = {}, ""
        for district, path, depth in rows.values_list("district", "path", "depth"):
            if depth == 1 and not root:
                root = path
            if district:
                districts.setdefault(district, path)
        return [covering.get(s.pk) or districts.get(s.district, root) for s in schools]


class SchoolPlaceQuerySet(models.QuerySet):
    def under(self, prefixes):
        return self.filter(prefix_q("path", prefixes))

    def current(self):
        """The places of today's registry: every organization covering a school, whatever its founding date;
        the district's bureau (or the root) only for a school no organization covers."""
        return self.filter(valid_until__isnull=True)

    def at(self, day):
        """The places on ``day``: the organizations covering a school that exist then (founded by then, or
        undated); the district's bureau (or the root) while none of them does."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=day)
        )


class SchoolPlace(models.Model):
    """Where a school lies in the tree: one row per path (a covering organization's, else the district
    bureau's or the root's), with the days it holds (a covering organization from its founding date; the
    fallback until the first covering organization is founded).

    Derived, like the tree's ``numchild``: the write path rewrites a school's rows whenever its district,
    its coverage, a covering organization's founding date, a bureau or the tree's paths change
    (``orgs.services.refresh_places``), so that scoping a school, or anything placed by its school, is one
    index range on ``path`` instead of correlated look-ups of coverage and districts.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="places")
    path = models.CharField(max_length=255)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)

    objects = SchoolPlaceQuerySet.as_manager()

    class Meta:
        indexes = [
            # Prefix ranges under any collation (pattern operators on PostgreSQL), answered from the index
            # alone (the school and the days are in it).
            models.Index(
                fields=["path", "school", "valid_until", "valid_from"],
                name="orgs_place_path_school",
                opclasses=["varchar_pattern_ops", "int8_ops", "date_ops", "date_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.school_id}@{self.path}"


class OrganizationScoped:
    """For a record that belongs to one organization (its ``organization`` field): it lies where that
    organization lies, for scope and for the audit trail."""

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q("organization__path", prefixes)

    def audit_scope_path(self):
        return self.organization.path


class AffiliationChange(OrganizationScoped, AuditedModel):
    """An affiliation change (隶属关系调整): an organization moved, with its subtree, under another parent.

    The old parent may be outside the education system, given by name only; such a change is how an
    organization is "received" (接收) into the system (metric ``orgs.received``).
    """

    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        related_name="affiliation_changes",
        verbose_name=_("organization"),
    )
    old_parent = models.ForeignKey(
        PartyOrganization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("previous parent"),
    )
    old_parent_name = models.CharField(_("previous parent (outside the system)"), max_length=100, blank=True)
    new_parent = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="+", verbose_name=_("new parent")
    )
    changed_on = models.DateField(_("date"), db_index=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("affiliation change")
        verbose_name_plural = _("affiliation changes")
        ordering = ["-changed_on", "-id"]

    def __str__(self):
        return f"{self.organization} → {self.new_parent} ({self.changed_on})"

    @property
    def received(self):
        """Moved in from outside the education system."""
        return self.old_parent_id is None

    @property
    def old_parent_label(self):
        return self.old_parent.name if self.old_parent_id else self.old_parent_name

    def get_absolute_url(self):
        return self.organization.get_absolute_url()


class GrantStandard(AuditedModel):
    """The start-up fund standard (启动经费标准) for a newly founded organization of a type, from a year.

    The seed quotes 5,000–10,000 yuan by type; the amounts are data the city administrator edits
    (domain-rules.md PRIV.START_FUND: not found in any source, so never a constant in code).
    """

    org_type = models.CharField(_("organization type"), max_length=20, choices=OrgType.choices)
    valid_from = models.PositiveSmallIntegerField(_("from year"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)

    objects = ScopedQuerySet.as_manager()
    # A city-wide table (see scope_filter): every role reads it, only the city administrator edits it.
    role_actions = usual_table(district_admin={VIEW}, school_secretary={VIEW})

    class Meta:
        verbose_name = _("start-up fund standard")
        verbose_name_plural = _("start-up fund standards")
        ordering = ["org_type", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_type", "valid_from"],
                name="grantstandard_unique",
                violation_error_message=_("This type already has a standard from that year."),
            )
        ]

    def __str__(self):
        return f"{self.get_org_type_display()} {self.valid_from}: {self.amount}"

    def get_absolute_url(self):
        return reverse("orgs:standard_edit", args=[self.pk])

    @classmethod
    def scope_filter(cls, prefixes):
        # Everyone with a role may read the standards; writes are narrowed by role_actions.
        return Q()

    @classmethod
    def amount_for(cls, org_type, year):
        row = cls.objects.filter(org_type=org_type, valid_from__lte=year).order_by("-valid_from").first()
        return row.amount if row else None


class StartupGrant(OrganizationScoped, AuditedModel):
    """A start-up fund (启动经费) granted to an organization newly founded in a private school."""

    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        related_name="startup_grants",
        verbose_name=_("organization"),
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    approved_on = models.DateField(_("date approved"), db_index=True)
    paid_on = models.DateField(_("date paid"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("start-up fund")
        verbose_name_plural = _("start-up funds")
        ordering = ["-approved_on", "-id"]

    def __str__(self):
        return f"{self.organization}: {self.amount}"

    def get_absolute_url(self):
        return reverse("orgs:grant_edit", args=[self.pk])

    def clean(self):
        super().clean()
        if self.paid_on and self.approved_on and self.paid_on < self.approved_on:
            raise ValidationError({"paid_on": _("The payment cannot precede the approval.")})
