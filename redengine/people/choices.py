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


class GuidanceKind(models.TextChoices):
    """What an instructor's visit did, after the four parts of the role (四员, domain-rules PRIV.INSTRUCTOR_ROLE):
    propagandist, party-building guide, service provider and supervisor of the school's conduct (in
    Changsha the instructor is also the government's supervisor 政府督导员, PRIV.CHANGSHA_2018)."""

    PROPAGANDA = "propaganda", _("Policy briefing (propagandist)")
    GUIDANCE = "guidance", _("Party-building guidance (guide)")
    SERVICE = "service", _("Service to the school (service provider)")
    SUPERVISION = "supervision", _("Supervision of school conduct (supervisor)")


class CommitteePostKind(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    ORGANIZING = "organizing", _("Organizing member")
    PROPAGANDA = "propaganda", _("Propaganda member")
    DISCIPLINE = "discipline", _("Discipline inspection member")
    MEMBER = "member", _("Committee member")
