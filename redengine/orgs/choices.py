"""Choice lists of the registry, with the Chinese names of import-templates.md as their labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgType(models.TextChoices):
    WORKING_COMMITTEE = "working_committee", _("Working committee")
    COMMITTEE = "committee", _("Committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Branch")
    JOINT_BRANCH = "joint_branch", _("Joint branch")
    TEMPORARY_BRANCH = "temporary_branch", _("Temporary branch")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class SchoolType(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary school")
    SENIOR = "senior", _("Senior secondary school")
    COMPLETE_SECONDARY = "complete_secondary", _("Complete secondary school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    TWELVE_YEAR = "twelve_year", _("Twelve-year school")
    VOCATIONAL = "vocational", _("Secondary vocational school")
    SPECIAL = "special", _("Special education school")


class UrbanRural(models.TextChoices):
    URBAN = "urban", _("Urban")
    TOWN = "town", _("Town")
    RURAL = "rural", _("Rural")
