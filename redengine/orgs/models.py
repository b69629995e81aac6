"""Schools (学校) and the party-organization tree (党组织)."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from redengine.core.codes import DISTRICT_CHOICES, district_name
from redengine.core.models import AuditedModel
from redengine.core.scoping import ScopedQuerySet, prefix_q

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

    def visible_to(self, user, action="view"):
        return self.get_queryset().visible_to(user, action)


class PartyOrganization(AuditedModel, MP_Node):
    """A party organization (党组织): a node of the one tree, from the bureau's working committee down.

    Stored as a materialized path (``path``), so a subtree is one indexed prefix range.
    """

    steplen = 4
    node_order_by = ["code"]

    code = models.CharField(_("organization code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
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

    objects = OrganizationManager()

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


ten_digits = RegexValidator(r"^\d{10}$", _("The school code has 10 digits."))


class SchoolQuerySet(ScopedQuerySet):
    pass


class School(AuditedModel):
    """A school (学校) of the city's education system, public or private."""

    code = models.CharField(_("school code"), max_length=10, unique=True, validators=[ten_digits])
    name = models.CharField(_("school name"), max_length=100, db_index=True)
    district = models.CharField(
        _("district or county"), max_length=6, choices=DISTRICT_CHOICES, db_index=True
    )
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices, db_index=True)
    school_type = models.CharField(_("school type"), max_length=20, choices=SchoolType.choices, db_index=True)
    urban_rural = models.CharField(
        _("urban or rural"), max_length=10, choices=UrbanRural.choices, db_index=True
    )
    city_managed = models.BooleanField(_("city-managed"), default=False, db_index=True)

    objects = SchoolQuerySet.as_manager()

    # School secretaries keep their school's record up to date but do not open or close schools.
    role_actions = {"school_secretary": {"view", "change", "export"}}

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
        """In scope: covered by an organization in the subtree or, when none covers it, by its district's."""
        coverage = PartyOrganization.schools.through.objects.filter(school_id=OuterRef("pk"))
        district_org = PartyOrganization.objects.filter(district=OuterRef("district")).exclude(district="")
        return Exists(coverage.filter(prefix_q("partyorganization__path", prefixes))) | (
            ~Exists(coverage) & Exists(district_org.filter(prefix_q("path", prefixes)))
        )

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
            or ""
        )

    @classmethod
    def audit_scope_paths(cls, schools):
        """In two queries: the first covering organization's path, else the district organization's."""
        covering = {}
        through = PartyOrganization.schools.through.objects.filter(school_id__in=[s.pk for s in schools])
        for school_id, path in through.order_by("-partyorganization__path").values_list(
            "school_id", "partyorganization__path"
        ):
            covering[school_id] = path
        districts = dict(PartyOrganization.objects.exclude(district="").values_list("district", "path"))
        return [covering.get(s.pk) or districts.get(s.district, "") for s in schools]
