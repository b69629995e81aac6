"""Urban-rural school pairing (城乡学校结对共建) as data: what fits a pair, the kinds of its activities and when
a pair is idle (domain-rules.md §5.3; import-templates.md sheet ``城乡结对``; metrics.md ``pairing.*``).

No central text sets these rules; what follows is the reading of the city's practice the bureau follows, each
with its source, in a version with an effective date (``core/rules.py``).

Readings fixed here:

* A **pair** (``SchoolPair``) joins an urban school (城乡类别 城区) and a rural one (镇区 or 乡村), exactly as the
  ``城乡结对`` sheet says; it runs from its agreement (结对日期, not in the future) to its end (终止日期, optional,
  after the agreement; an end may lie ahead: the term agreed). The same two schools are in at most one pair
  over the same days.
* A pair is **active within a period** when it was agreed on or before the period end and did not end before
  the period start (metrics.md); **running** on a day when active within that one day.
* An **activity** (``PairActivity``) is dated within its pair's days and not in the future; its kinds are
  ``ACTIVITY_KINDS`` below.
* A pair is **idle** on a day when it runs that day, was agreed ``pair.idle_months`` months ago or earlier
  (a new pair is idle only once that long has passed since its agreement), and has no activity from that
  day ``pair.idle_months`` months back (the day itself included: an activity six months ago to the day
  still counts) up to the day.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from redengine.core.rules import RuleBook, RuleVersion
from redengine.orgs.choices import UrbanRural


class ActivityKind(models.TextChoices):
    TEACHING_VISIT = "teaching_visit", _("Teaching visit to the countryside")
    SHADOWING = "shadowing", _("Shadowing")
    JOINT_CAMP = "joint_camp", _("Joint summer camp")
    CHARITY_SALE = "charity_sale", _("Charity sale")
    JOINT_PARTY_DAY = "joint_party_day", _("Joint themed party day")


# kind -> (the Chinese term of the practice, its source)
ACTIVITY_KINDS = {
    ActivityKind.TEACHING_VISIT: ("送教下乡", "domain-rules.md §5.3 [S28c]（结对校联合教研、送教）"),
    ActivityKind.SHADOWING: ("跟岗学习", "domain-rules.md §5.3 [S28c]（农村校长、书记到城区学校跟岗）"),
    ActivityKind.JOINT_CAMP: ("牵手夏令营", "LOCAL: the pairs' practice (结对共建活动)"),
    ActivityKind.CHARITY_SALE: ("爱心义卖", "LOCAL: the pairs' practice (结对共建活动)"),
    ActivityKind.JOINT_PARTY_DAY: (
        "联合主题党日",
        "domain-rules.md §5.3 [S28b]（城乡区域化党建：共享党建资源）",
    ),
}

URBAN_SIDE = frozenset({UrbanRural.URBAN})  # 城区 (import-templates.md 城乡结对)
RURAL_SIDE = frozenset({UrbanRural.TOWN, UrbanRural.RURAL})  # 镇区 or 乡村

FILE_KINDS = ("jpg", "jpeg", "png", "pdf", "docx")  # photos, PDF and Word files, checked by content

PARAMETERS = {
    "pair.idle_months": 6,  # no activity for six months: an idle pair, on the to-do list — LOCAL
}

BOOK = RuleBook(
    RuleVersion(
        "2010",
        datetime.date(2010, 9, 1),
        _("Urban-rural school pairing of the city education system"),
        "domain-rules.md §5.3（[S28b] 城乡区域化党建，2010年9月；[S28c] 结对共建）; import-templates.md 城乡结对",
        PARAMETERS,
    )
)
VERSIONS = BOOK.versions
param = BOOK.param


def kind_label(code):
    return ActivityKind(code).label if code in ActivityKind.values else code
