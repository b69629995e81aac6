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


class MembershipStatus(models.TextChoices):
    """The states of a membership after admission (domain-rules §3.3, §0.2; 党章 art. 9, 40; 党员教育管理
    工作条例 art. 24–25). The last five end the membership: it is kept, with its end and its reason."""

    ACTIVE = "active", _("Active member")
    FLOATING = "floating", _("Floating member")
    OUT_OF_CONTACT = "out_of_contact", _("Out of contact")
    SUSPENDED = "suspended", _("Membership suspended")
    LEFT = "left", _("Left on their own")
    REMOVED = "removed", _("Removed")
    EXPELLED = "expelled", _("Expelled")
    DECEASED = "deceased", _("Deceased")
    WITHDRAWN = "withdrawn", _("Withdrew from the party")


# The states that end a membership (its ``ended_on`` is the day of the change).
ENDING_STATUSES = frozenset(
    {
        MembershipStatus.LEFT,
        MembershipStatus.REMOVED,
        MembershipStatus.EXPELLED,
        MembershipStatus.DECEASED,
        MembershipStatus.WITHDRAWN,
    }
)
# The states in which the member keeps the rights of a member (votes, pays dues as a member, introduces).
IN_GOOD_STANDING = frozenset({MembershipStatus.ACTIVE, MembershipStatus.FLOATING})
