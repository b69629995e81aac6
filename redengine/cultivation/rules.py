"""Dual cultivation (双培养) as data: the kinds of mentoring, contests, prizes and speaking, and the parameters
of the watch lists and the half-yearly reviews (domain-rules.md §5.1; metrics.md).

No central text sets a number for dual cultivation (domain-rules §5.1: UNCONFIRMED); what follows is the
published local practice the bureau's programme follows, each parameter with its source, in a version with
an effective date (``core/rules.py``) so that a bureau whose practice differs changes a value, not code.

Readings fixed here:

* A **mentorship** (青蓝工程, 师徒结对) pairs a mentor and an apprentice at a school from its start until its
  end (``ended_on``; while none is recorded it runs). Its kind says which way it cultivates: a teaching
  mentorship (教学师徒) makes a young member a backbone teacher, a political one (政治导师) brings a backbone
  teacher to the party. A person is an apprentice in at most one running mentorship of a kind.
* Its **reviews** are due every ``cult.review_months`` months from the start while it runs: a review held
  later than due is recorded and flagged late, never refused (domain-rules §0.1: a time limit on the
  organization's own work); a running mentorship whose review is past due is on the to-do list.
* An apprentice is **titled** when awarded a title (``people.Honor``) on or after the mentorship's start and
  within ``cult.titled_years`` years of it (metrics.md ``cultivation.apprentices_titled``): read from the
  titles, never typed.
* A **young member** (watch list "member → backbone teacher") is a member or probationary member under
  ``cult.young_age`` on the day; one with no mentorship running, no contest entry, no speaking and no title
  awarded within ``cult.quiet_years`` years is shown as having had none.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from redengine.core.rules import RuleBook, RuleVersion


class MentorshipKind(models.TextChoices):
    TEACHING = "teaching", _("Teaching mentorship (member → backbone teacher)")
    POLITICAL = "political", _("Political mentorship (backbone teacher → member)")


class ContestKind(models.TextChoices):
    LESSON_PLAN = "lesson_plan", _("Lesson plan design")
    CLASSROOM = "classroom", _("Classroom demonstration")
    MULTIMEDIA = "multimedia", _("Use of multimedia")
    MICRO_CLASS = "micro_class", _("Micro party class")
    MICRO_INTERVIEW = "micro_interview", _("Micro interview")
    MICRO_STORY = "micro_story", _("Micro story")
    OTHER = "other", _("Other skills contest")


class ContestLevel(models.TextChoices):
    SCHOOL = "school", _("School level")
    DISTRICT = "district", _("District or county level")
    CITY = "city", _("City level")
    PROVINCE = "province", _("Provincial level")
    NATIONAL = "national", _("National level")


class Prize(models.TextChoices):
    SPECIAL = "special", _("Special prize")
    FIRST = "first", _("First prize")
    SECOND = "second", _("Second prize")
    THIRD = "third", _("Third prize")
    MERIT = "merit", _("Prize of merit")
    NONE = "none", _("Took part")


PRIZED = frozenset(Prize.values) - {Prize.NONE}


class EngagementKind(models.TextChoices):
    FORUM = "forum", _("Moral-education forum")
    TRAINING = "training", _("Subject training")
    GRADE_MEETING = "grade_meeting", _("Grade meeting")
    OTHER = "other", _("Other exchange")


PARAMETERS = {
    "cult.review_months": 6,  # a mentorship is reviewed every half year — LOCAL (domain-rules §5.1 [S33a])
    "cult.young_age": 35,  # a young member is under 35 — LOCAL (the youth league's and the bureaus' usage)
    "cult.quiet_years": 2,  # no cultivation for two years: shown on the watch list — LOCAL
    "cult.titled_years": 2,  # a title within two years of the start counts (metrics.md)
}

BOOK = RuleBook(
    RuleVersion(
        "2019",
        datetime.date(2019, 1, 1),
        _("Dual cultivation of the city education system"),
        "domain-rules.md §5.1（[S33a] 师徒结对；[S33b] 骨干教师与党员的比例）; metrics.md",
        PARAMETERS,
    )
)
VERSIONS = BOOK.versions
param = BOOK.param


def kind_label(code):
    return MentorshipKind(code).label if code in MentorshipKind.values else code
