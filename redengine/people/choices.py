"""Choice lists of people's records (labels are the Chinese names of import-templates.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Title(models.TextChoices):
    """Titles and honours counted by the dual-cultivation figures (metrics.md)."""

    BACKBONE_TEACHER = "backbone_teacher", _("Backbone teacher")
    EXCELLENT_TEACHER = "excellent_teacher", _("Excellent teacher")
    CHIEF_PRINCIPAL = "chief_principal", _("Chief famous principal")
    FAMOUS_PRINCIPAL = "famous_principal", _("Famous principal")
    STUDIO_TRAINEE = "studio_trainee", _("Famous principal studio trainee")


class TitleLevel(models.TextChoices):
    CITY = "city", _("City level")
    DISTRICT = "district", _("District or county level")
    SCHOOL = "school", _("School level")


class DispatchRole(models.TextChoices):
    SECRETARY = "secretary", _("Party secretary")
    INSTRUCTOR = "instructor", _("Party-building instructor")


class CommitteePostKind(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    ORGANIZING = "organizing", _("Organizing member")
    PROPAGANDA = "propaganda", _("Propaganda member")
    DISCIPLINE = "discipline", _("Discipline inspection member")
    MEMBER = "member", _("Committee member")
