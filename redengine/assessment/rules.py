"""Branch star rating (支部星级评定) as data: the states of an evaluation, the moves between them and the role
action owning each, the ways an automatic indicator turns a figure of the records into points, and the
parameters of a campaign (domain-rules.md §4; metrics.md ``assessment.*``; glossary.md 星级评定 / 升级进位).

No Changsha scheme was found (domain-rules §4: UNCONFIRMED); the procedure below is the one the published
examples share, each parameter with its source, in a version with an effective date (``core/rules.py``):

* the **branch** scores itself and attaches its evidence (自评), then **submits**;
* the **district** reviews: scores beside the branch's own, or **returns** it for revision (区县初评);
* the **city** confirms the level within the scheme's quotas, or sends it back to the district (市级复核);
* the confirmed results are **publicised** (公示) for the scheme's working days, then **published**; a
  published evaluation is frozen, and its level is the branch's rating of the year (``Rating``).

The order of the moves, the maximum points of an indicator, the evidence an indicator requires before
submission, the quota of a level and the publicity before publication are conditions of validity (domain-rules
§0.1, kind 1): refused, never overridden. The phases' dates are time limits on the organizations' own work
(kind 3): a move after its phase ended is recorded and flagged late, never refused.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from redengine.core.rules import RuleBook, RuleVersion
from redengine.orgs.choices import OrgType

# The organizations rated: branches and joint branches (import-templates.md 星级评定结果, "a branch or joint
# branch"); a committee or a general branch is not rated as a branch.
RATED_TYPES = frozenset({OrgType.BRANCH, OrgType.JOINT_BRANCH})
MAX_LEVEL = 5  # one to five stars, or up to five named grades (Hunan's 合格 / 优秀 / 样板: three)


class LevelKind(models.TextChoices):
    STARS = "stars", _("Stars")
    GRADES = "grades", _("Named grades")


class Status(models.TextChoices):
    DRAFT = "draft", _("Self-assessment")
    SUBMITTED = "submitted", _("Submitted")
    DISTRICT_REVIEWED = "district_reviewed", _("Reviewed by the district")
    CITY_APPROVED = "city_approved", _("Approved by the city")
    PUBLISHED = "published", _("Published")


# The role actions of an evaluation (its own actions, as development's OVERRIDE): the branch submits, the
# district reviews (and returns), the city confirms (and sends back) and publishes.
SUBMIT, REVIEW, CONFIRM, PUBLISH = "submit", "review", "confirm", "publish"
ACTIONS = (SUBMIT, REVIEW, CONFIRM, PUBLISH)

# The moves.
M_SUBMIT, M_REVIEW, M_RETURN, M_APPROVE, M_SEND_BACK, M_PUBLISH = (
    "submit",
    "review",
    "return",
    "approve",
    "send_back",
    "publish",
)


class Move(models.TextChoices):
    SUBMIT = M_SUBMIT, _("Submission")
    REVIEW = M_REVIEW, _("District review")
    RETURN = M_RETURN, _("Returned for revision")
    APPROVE = M_APPROVE, _("City approval")
    SEND_BACK = M_SEND_BACK, _("Sent back to the district")
    PUBLISH = M_PUBLISH, _("Publication")


S = Status
# move -> (the states it may start from, the state it leads to, the role action that owns it).
TRANSITIONS = {
    M_SUBMIT: ((S.DRAFT,), S.SUBMITTED, SUBMIT),
    M_REVIEW: ((S.SUBMITTED,), S.DISTRICT_REVIEWED, REVIEW),
    M_RETURN: ((S.SUBMITTED,), S.DRAFT, REVIEW),
    M_APPROVE: ((S.DISTRICT_REVIEWED,), S.CITY_APPROVED, CONFIRM),
    M_SEND_BACK: ((S.DISTRICT_REVIEWED, S.CITY_APPROVED), S.SUBMITTED, CONFIRM),
    M_PUBLISH: ((S.CITY_APPROVED,), S.PUBLISHED, PUBLISH),
}
MOVES = tuple(TRANSITIONS)
NEEDS_REASON = frozenset({M_RETURN, M_SEND_BACK})
# The phase whose end a move is due by (Campaign fields): a move after it is flagged late.
DUE_BY = {M_SUBMIT: "self_until", M_REVIEW: "district_until", M_APPROVE: "city_until"}


# Who scores an indicator, and in which state of the evaluation.
class Side(models.TextChoices):
    SELF = "self", _("Self-assessment")
    DISTRICT = "district", _("District")
    CITY = "city", _("City")


SIDE_STATUS = {Side.SELF: S.DRAFT, Side.DISTRICT: S.SUBMITTED, Side.CITY: S.DISTRICT_REVIEWED}
SIDE_ACTION = {Side.SELF: SUBMIT, Side.DISTRICT: REVIEW, Side.CITY: CONFIRM}


class AutoMode(models.TextChoices):
    """How an automatic indicator turns its figure into points (``scoring.automatic_points``)."""

    SHARE = "share", _("Maximum × the figure's share")
    AT_LEAST = "at_least", _("Full points from a target count up, in proportion below it")
    DEDUCT = "deduct", _("Full points less a deduction for each case counted")


PARAMETERS = {
    # The scheme's own figures (thresholds, quotas, publicity days) are the scheme's data; these are defaults.
    "assessment.default_total": 100,  # the 100-point scale of the published schemes (domain-rules §4 [S32b][S32d])
    "assessment.default_publicity_days": 5,  # publicity ≥ 7 days (§4 [S32b]): five working days
}

BOOK = RuleBook(
    RuleVersion(
        "2019",
        datetime.date(2019, 1, 1),
        _("Star rating of the branches of the city education system"),
        "domain-rules.md §4（[S32a] 济教工委〔2021〕23号；[S32b] 标准型/示范型党支部；[S32d] 五星级党支部）; metrics.md",
        PARAMETERS,
    )
)
VERSIONS = BOOK.versions
param = BOOK.param


def move_label(code):
    return Move(code).label if code in Move.values else code


def star_name(level):
    """一星 … 五星."""
    return "一二三四五"[level - 1] + "星" if level and 1 <= level <= MAX_LEVEL else ""
