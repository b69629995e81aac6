"""Organizational life as data: the meeting types, which organizations hold which, and how often each is
required (domain-rules.md §3.1 and §0.2). The compliance figures (``compliance.py``), the forms, the API and
the 组织生活 sheet read these tables; no view holds a frequency of its own.

Every frequency has a key, its source and a parameter (``life.*``), so that a bureau whose local practice
differs (a party class every month instead of every quarter) changes a value, not code. As for member
development (domain-rules §0.1 "Versions"), the tables are a registry of versions, each with an effective
date; a period is judged by the version in force at its end.

Readings fixed here:

* A **unit** of a frequency is a calendar month, quarter or year. A unit is required of an organization
  when the organization existed on its first day (founded on or before it, or with no founding date
  recorded) and the unit has ended by the day the figures are taken (a month still running is shown as
  in progress, never as a gap).
* "Held" counts the meetings of the type dated within the unit; a unit with fewer than required is a gap.
* 支委会 is required of a branch that has a committee: on the day the figures are taken it has a member of
  its committee besides the secretary and deputy secretary (a post of 组织委员, 宣传委员, 纪检委员 or 委员
  recorded). A branch of 3–6 members elects a secretary, not a committee (支部条例 art. 9).
* 党小组会 is required of a branch divided into party groups (``party_groups`` on the organization): a
  month counts when it had at least as many group meetings as the branch has groups.
* The secretary's class (LIFE.3M1C, art. 15): a 党课 of the organization whose lecturer held its
  secretary's post on the day.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from redengine.core.rules import RuleBook, RuleVersion
from redengine.orgs.choices import OrgType


class MeetingType(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("Branch general meeting")
    COMMITTEE = "committee", _("Branch committee meeting")
    GROUP = "group", _("Party group meeting")
    PARTY_CLASS = "party_class", _("Party class")
    THEMED_DAY = "themed_day", _("Themed party day")
    LIFE_MEETING = "life_meeting", _("Organizational life meeting")
    APPRAISAL = "appraisal", _("Democratic appraisal of members")
    TALK = "talk", _("Heart-to-heart talk")


# The 组织生活 sheet's names (import-templates.md), also accepted by the API beside the codes.
CHINESE = {
    MeetingType.GENERAL_MEETING: "支部党员大会",
    MeetingType.COMMITTEE: "支委会",
    MeetingType.GROUP: "党小组会",
    MeetingType.PARTY_CLASS: "党课",
    MeetingType.THEMED_DAY: "主题党日",
    MeetingType.LIFE_MEETING: "组织生活会",
    MeetingType.APPRAISAL: "民主评议党员",
    MeetingType.TALK: "谈心谈话",
}

BRANCH_TYPES = frozenset({OrgType.BRANCH, OrgType.JOINT_BRANCH})  # the branches of the metric
# Which organizations hold which meetings. A committee (党委) or working committee holds party classes and
# talks — its own meetings (党委会, 民主生活会) are not organizational life of members; a general branch
# holds members' meetings, its committee, classes and themed days like a branch.
HELD_BY = {
    OrgType.BRANCH: frozenset(MeetingType.values),
    OrgType.JOINT_BRANCH: frozenset(MeetingType.values),
    OrgType.TEMPORARY_BRANCH: frozenset(
        {
            MeetingType.GENERAL_MEETING,
            MeetingType.COMMITTEE,
            MeetingType.PARTY_CLASS,
            MeetingType.THEMED_DAY,
            MeetingType.TALK,
        }
    ),
    OrgType.GENERAL_BRANCH: frozenset(
        {
            MeetingType.GENERAL_MEETING,
            MeetingType.COMMITTEE,
            MeetingType.PARTY_CLASS,
            MeetingType.THEMED_DAY,
            MeetingType.LIFE_MEETING,
            MeetingType.TALK,
        }
    ),
    OrgType.COMMITTEE: frozenset({MeetingType.PARTY_CLASS, MeetingType.TALK}),
    OrgType.WORKING_COMMITTEE: frozenset({MeetingType.PARTY_CLASS, MeetingType.TALK}),
}
NEEDS_COMMITTEE = frozenset({MeetingType.COMMITTEE})
NEEDS_GROUPS = frozenset({MeetingType.GROUP})
# Activists, development targets and probationary members of other organizations may attend these as
# guests (the seed: branches invite activists to party lessons and themed party days).
GUEST_TYPES = frozenset({MeetingType.PARTY_CLASS, MeetingType.THEMED_DAY})
# Committee posts that make a committee (a secretary and a deputy alone are no committee).
COMMITTEE_POSTS = ("organizing", "propaganda", "discipline", "member")

MONTH, QUARTER, YEAR = "month", "quarter", "year"
UNIT_LABELS = {MONTH: _("monthly"), QUARTER: _("quarterly"), YEAR: _("yearly")}
CENTRAL, LOCAL = "central", "local"

PARAMETERS = {
    "life.general_meeting.times": 1,  # a quarter — 支部条例 art. 11
    "life.committee.times": 1,  # a month — art. 12
    "life.group.times": 1,  # a month, for each party group — art. 13
    "life.themed_day.times": 1,  # a month — art. 16
    "life.party_class.times": 1,  # a quarter — LOCAL (the 2018 regulations set none), UNCONFIRMED
    "life.life_meeting.times": 1,  # a year — art. 17
    "life.appraisal.times": 1,  # a year — art. 19
    "life.secretary_class.times": 1,  # a year — art. 15
    "life.lapse_months": 6,  # 党章 art. 9: six months without organizational life → 自行脱党 (decided by the branch)
    "life.lapse_alert_months": 3,  # the alert starts earlier (domain-rules LIFE.LAPSE), LOCAL
    "life.absent_run": 3,  # absent without leave so many times running: on the list — LOCAL
}


@dataclass(frozen=True)
class Frequency:
    """A meeting type an organization must hold ``param`` times a ``unit``."""

    key: str
    meeting_type: str
    unit: str
    param: str
    text: str
    source: str
    kind: str = CENTRAL
    secretary: bool = False  # the secretary's own class

    @property
    def times(self):
        return param(self.param)

    @property
    def label(self):
        if self.secretary:
            return _("Party class by the secretary")
        return MeetingType(self.meeting_type).label


FREQUENCIES = [
    Frequency(
        "LIFE.GENERAL_MEETING",
        MeetingType.GENERAL_MEETING,
        QUARTER,
        "life.general_meeting.times",
        _("A branch general meeting every quarter."),
        "《中国共产党支部工作条例（试行）》第十一条",
    ),
    Frequency(
        "LIFE.COMMITTEE",
        MeetingType.COMMITTEE,
        MONTH,
        "life.committee.times",
        _("A branch committee meeting every month (a branch with a committee)."),
        "《中国共产党支部工作条例（试行）》第十二条",
    ),
    Frequency(
        "LIFE.GROUP",
        MeetingType.GROUP,
        MONTH,
        "life.group.times",
        _("A meeting of every party group every month (a branch divided into groups)."),
        "《中国共产党支部工作条例（试行）》第十三条",
    ),
    Frequency(
        "LIFE.THEME_DAY",
        MeetingType.THEMED_DAY,
        MONTH,
        "life.themed_day.times",
        _("A themed party day every month."),
        "《中国共产党支部工作条例（试行）》第十六条",
    ),
    Frequency(
        "LIFE.CLASS_FREQ",
        MeetingType.PARTY_CLASS,
        QUARTER,
        "life.party_class.times",
        _("A party class every quarter (local practice: the 2018 branch regulations set no frequency)."),
        "地方规定（支部工作条例未规定党课频次）",
        kind=LOCAL,
    ),
    Frequency(
        "LIFE.ORG_LIFE_MEETING",
        MeetingType.LIFE_MEETING,
        YEAR,
        "life.life_meeting.times",
        _("An organizational life meeting every year."),
        "《中国共产党支部工作条例（试行）》第十七条",
    ),
    Frequency(
        "LIFE.EVAL",
        MeetingType.APPRAISAL,
        YEAR,
        "life.appraisal.times",
        _("A democratic appraisal of members every year."),
        "《中国共产党支部工作条例（试行）》第十九条",
    ),
    Frequency(
        "LIFE.3M1C",
        MeetingType.PARTY_CLASS,
        YEAR,
        "life.secretary_class.times",
        _("The secretary gives at least one party class a year."),
        "《中国共产党支部工作条例（试行）》第十五条",
        secretary=True,
    ),
]
FREQUENCY = {f.key: f for f in FREQUENCIES}
# The organizations frequencies apply to: the branches (the metric's), and the secretary's class also of
# a general branch or a committee (art. 15 speaks of the secretaries of 党委 and 支部 alike).
REQUIRED_OF = {
    OrgType.BRANCH: [f.key for f in FREQUENCIES],
    OrgType.JOINT_BRANCH: [f.key for f in FREQUENCIES],
    OrgType.GENERAL_BRANCH: ["LIFE.3M1C"],
    OrgType.COMMITTEE: ["LIFE.3M1C"],
}


BOOK = RuleBook(
    RuleVersion(
        "2018",
        datetime.date(2018, 10, 28),
        "《中国共产党支部工作条例（试行）》",
        "中共中央2018年10月28日印发",
        PARAMETERS,
    )
)
VERSIONS = BOOK.versions


def load_version(changes, *, version, effective, title, source):
    """Register a later version changing some parameters from ``effective`` on (a local rule, a revision)."""
    return BOOK.load(changes, version=version, effective=effective, title=title, source=source)


unload_version, version_on, param = BOOK.unload, BOOK.on, BOOK.param


def held_by(org_type):
    return HELD_BY.get(org_type, frozenset())


def frequencies_for(org_type, *, has_committee, groups):
    """The frequencies an organization of ``org_type`` must keep, given its committee and its groups."""
    found = []
    for key in REQUIRED_OF.get(org_type, ()):
        frequency = FREQUENCY[key]
        if frequency.meeting_type in NEEDS_COMMITTEE and not has_committee:
            continue
        if frequency.meeting_type in NEEDS_GROUPS and not groups:
            continue
        found.append(frequency)
    return found


def type_label(code):
    return MeetingType(code).label if code in MeetingType.values else code
