"""Pioneer units (示范岗、示范班、志愿服务队) as data: their kinds, the states of their workflow, the moves
between the states and the role action owning each, and the parameters of the yearly check and of the
service logs (domain-rules.md §5.2; metrics.md; glossary.md 申报备案 / 授牌认定).

No Changsha rule was found for "filed then certified" (domain-rules §5.2: UNCONFIRMED); the workflow below is
the one derived there from published practice, each parameter with its source, in a version with an
effective date (``core/rules.py``) so that a bureau whose practice differs changes a value, not code.

Readings fixed here:

* A school **applies** (申报) for a unit; the district **files** it (申报备案) and **reviews** it; the city
  **certifies** it with a plaque number and a date (授牌认定), or a district or the city **rejects** it with
  a reason. The order is a condition of validity (domain-rules §0.1, kind 1): a unit is certified only once
  filed and reviewed, revoked only once certified — refused, never overridden.
* A certified unit is **checked every year** (年度复核) by the district: a check more than
  ``pioneer.check_months`` months after the certification or the previous check is a time limit on the
  organization's own work (domain-rules §0.1, kind 3): recorded as it happened and flagged, never refused.
* Only volunteer teams log their **service**: a log gives the hours the activity lasted (at most
  ``pioneer.max_daily_hours`` on a day for one team) and the number of people who served; person-hours are
  hours × people (metrics.md ``pioneer.service_hours``).
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from redengine.core.rules import RuleBook, RuleVersion


class UnitKind(models.TextChoices):
    POST = "post", _("Model post")
    CLASS = "class", _("Model class")
    TEAM = "team", _("Volunteer team")


class UnitStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    FILED = "filed", _("Filed")
    REVIEWED = "reviewed", _("Reviewed")
    CERTIFIED = "certified", _("Certified")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")


# The moves; each but the application is a role action of its own (``models.PioneerUnit.role_actions``).
APPLY, FILE, REVIEW, CERTIFY, REJECT, CHECK, REVOKE = (
    "apply",
    "file",
    "review",
    "certify",
    "reject",
    "check",
    "revoke",
)


class Move(models.TextChoices):
    APPLY = APPLY, _("Application")
    FILE = FILE, _("Filing")
    REVIEW = REVIEW, _("Review")
    CERTIFY = CERTIFY, _("Certification")
    REJECT = REJECT, _("Rejection")
    CHECK = CHECK, _("Yearly check")
    REVOKE = REVOKE, _("Revocation")


S = UnitStatus
# move -> (the states it may start from, the state it leads to): domain-rules §5.2 (derived workflow).
TRANSITIONS = {
    FILE: ((S.APPLIED,), S.FILED),
    REVIEW: ((S.FILED,), S.REVIEWED),
    CERTIFY: ((S.REVIEWED,), S.CERTIFIED),
    REJECT: ((S.APPLIED, S.FILED, S.REVIEWED), S.REJECTED),
    CHECK: ((S.CERTIFIED,), S.CERTIFIED),
    REVOKE: ((S.CERTIFIED,), S.REVOKED),
}
MOVES = tuple(TRANSITIONS)
NEEDS_REASON = frozenset({REJECT, REVOKE})

PARAMETERS = {
    "pioneer.check_months": 12,  # a certified unit is checked every year — LOCAL (domain-rules §5.2 [S34a])
    "pioneer.max_daily_hours": 24,  # a team serves at most 24 hours on a day (a day has 24)
}

BOOK = RuleBook(
    RuleVersion(
        "2019",
        datetime.date(2019, 1, 1),
        _("Pioneer units of the city education system"),
        "domain-rules.md §5.2（[S34a] 共产党员示范岗定期考核；[S34b] 先锋岗评选；[S34c] 党员志愿服务）; metrics.md",
        PARAMETERS,
    )
)
VERSIONS = BOOK.versions
param = BOOK.param


def kind_label(code):
    return UnitKind(code).label if code in UnitKind.values else code


def move_label(code):
    return Move(code).label if code in Move.values else code
