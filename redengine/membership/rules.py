"""Membership after admission as data: transfers (组织关系转接) and their letters, the states of a membership
and the moves between them, the lapse alerts, party dues (党费) and discipline (党纪处分), each parameter with
its source, in versions with an effective date (``core/rules.py``) so that a bureau changes a value, not code
(domain-rules.md §3.1–3.3, §0.2, §7, §7b).

Readings fixed here:

* **Within the system** a transfer goes from the member's organization to another of the tree. Started by the
  sending side it waits for the receiving side to accept (or to refuse with its reason: organizations may
  not refuse without cause, REL.WHO); started by the receiving side (a request) it waits for the sending
  side to release the member, which completes it. Until then the sending organization stays responsible
  (REL.WHO): the membership stays where it is. A transfer not decided within ``transfer.accept_days`` is
  flagged on both sides' to-do lists — a time limit on the organizations' own work (domain-rules §0.1,
  kind 3): flagged, never refused.
* **Out of and into the system** a transfer is an introduction letter (组织关系介绍信) with its number, valid
  for ``transfer.letter_valid_months`` months (REL.LETTER: commonly ≤ 3 months — UNCONFIRMED, a parameter);
  its return slip (回执) recorded when it comes back. A letter past its validity without a return slip is
  flagged.
* **Floating members** (流动党员): away at a relatively fixed place for ``transfer.away_months`` months or
  more (REL.WHEN), a member is transferred or recorded floating, with where they take part in
  organizational life.
* **States** (people/choices.py ``MembershipStatus``): a state change is a collective decision recorded
  with its resolution and, where the rules require it, its approval by a higher organization; the software
  proposes (out of contact ``status.suspend_after_lost_months`` → suspension proposed; suspended
  ``status.remove_after_suspended_months`` → removal proposed; no organizational life or no dues for
  ``lapse.alert_months`` months → the lapse alert, before the ``lapse.months`` of 党章 art. 9), people decide.
  Which state may follow which is a condition of validity: refused, never overridden (a removed, expelled,
  withdrawn or deceased member stays so: they may apply again, STATUS.SUSPEND).
* **Dues** are a rate of the whole base (not marginal brackets) by category, rounded to 0.01 yuan
  (DUES.ROUNDING, UNCONFIRMED: to the nearest fen, half up), or a flat amount; the mode of fixing the amount
  (yearly in the first quarter, or on each change of pay, DUES.RECALC) is a parameter.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from redengine.core.rules import RuleBook, RuleVersion
from redengine.people.choices import MembershipStatus

S = MembershipStatus

PARAMETERS = {
    "transfer.accept_days": 30,  # a transfer waiting more than this is flagged on both sides — LOCAL
    "transfer.letter_valid_months": 3,  # REL.LETTER: commonly ≤ 3 months — UNCONFIRMED
    "transfer.away_months": 6,  # REL.WHEN: away ≥ 6 months at a fixed place → transfer or floating
    "status.suspend_after_lost_months": 6,  # STATUS.SUSPEND: out of contact ≥ 6 months → suspension
    "status.remove_after_suspended_months": 24,  # STATUS.SUSPEND: 2 years suspended → removal
    "lapse.months": 6,  # LIFE.LAPSE / DUES.LAPSE: 党章 art. 9
    "lapse.alert_months": 3,  # the alert starts early so that the branch can act (domain-rules §3.1)
    "dues.voluntary_pass_up_yuan": 1000,  # DUES.VOLUNTARY: a one-off voluntary payment ≥ 1,000 is passed up
    "dues.monthly_cap_yuan": 1000,  # DUES.RECALC (LOCAL): the monthly amount normally ≤ 1,000 unless volunteered
}

BOOK = RuleBook(
    RuleVersion(
        "2019",
        datetime.date(2019, 1, 1),
        _("Membership after admission"),
        "党章第九条、第四十条；《中国共产党党员教育管理工作条例》(2019) 第二十四条、第二十五条；"
        "domain-rules.md §3.1–3.3、§0.2",
        PARAMETERS,
    )
)
param = BOOK.param


# Transfers ------------------------------------------------------------------------------------------
class TransferKind(models.TextChoices):
    WITHIN = "within", _("Within the system")
    OUT = "out", _("Out of the system")
    IN = "in", _("Into the system")


class TransferStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")  # a school change proposed it: either side starts or dismisses it
    REQUESTED = "requested", _("Requested by the receiving side")
    SENT = "sent", _("Waiting for acceptance")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")
    ISSUED = "issued", _("Letter issued")  # out of the system: waiting for the return slip
    RECEIVED = "received", _("Return slip received")  # out: done; in: the letter received, membership made


class TransferReason(models.TextChoices):
    ROTATION = "rotation", _("Teacher rotation (交流轮岗)")
    JOB = "job", _("Change of work unit")
    RESIDENCE = "residence", _("Change of residence")
    STUDY = "study", _("Away for study")
    AWAY = "away", _("Away for work or life six months or more")
    RETIREMENT = "retirement", _("Retirement")
    OTHER = "other", _("Other")


# The moves of a transfer; the role action owning each (``models.Transfer.role_actions``).
SEND, REQUEST, ACCEPT, REJECT, CANCEL, ISSUE, RECEIPT = (
    "send",
    "request",
    "accept",
    "reject",
    "cancel",
    "issue",
    "receipt",
)
T = TransferStatus
PENDING = frozenset({T.PROPOSED, T.REQUESTED, T.SENT})
TRANSFER_TRANSITIONS = {
    # move: (the states it starts from, the state it leads to, the side that makes it)
    SEND: ((T.PROPOSED, T.REQUESTED), T.SENT, "sending"),  # from REQUESTED: the release, which accepts
    REQUEST: ((T.PROPOSED,), T.REQUESTED, "receiving"),
    ACCEPT: ((T.SENT,), T.ACCEPTED, "receiving"),
    REJECT: ((T.SENT, T.REQUESTED), T.REJECTED, "either"),
    CANCEL: ((T.PROPOSED, T.REQUESTED, T.SENT, T.ISSUED), T.CANCELLED, "either"),
    RECEIPT: ((T.ISSUED,), T.RECEIVED, "sending"),
}


# States ---------------------------------------------------------------------------------------------
class Approval(models.TextChoices):
    """Who decides a change of state (domain-rules §0.2, §3.3)."""

    BRANCH = "branch", _("The branch decides")
    BRANCH_AND_HIGHER = (
        "branch_and_higher",
        _("The branch general meeting decides, a higher organization approves"),
    )
    RECORD = "record", _("Recorded as a fact")


# (from, to) → who decides and the source. A pair not listed is refused (a condition of validity).
STATUS_MOVES = {
    (S.ACTIVE, S.FLOATING): (Approval.BRANCH, "党员教育管理工作条例第二十五条"),
    (S.FLOATING, S.ACTIVE): (Approval.BRANCH, "党员教育管理工作条例第二十五条"),
    (S.ACTIVE, S.OUT_OF_CONTACT): (Approval.BRANCH, "党员教育管理工作条例第二十四条"),
    (S.FLOATING, S.OUT_OF_CONTACT): (Approval.BRANCH, "党员教育管理工作条例第二十四条"),
    (S.OUT_OF_CONTACT, S.ACTIVE): (Approval.BRANCH, "党员教育管理工作条例第二十四条"),
    (S.OUT_OF_CONTACT, S.SUSPENDED): (Approval.BRANCH_AND_HIGHER, "党员教育管理工作条例第二十四条"),
    (S.SUSPENDED, S.ACTIVE): (Approval.BRANCH_AND_HIGHER, "党员教育管理工作条例第二十四条（恢复党籍）"),
    (S.SUSPENDED, S.LEFT): (Approval.BRANCH_AND_HIGHER, "党员教育管理工作条例第二十四条；党章第九条"),
    (S.ACTIVE, S.LEFT): (Approval.BRANCH_AND_HIGHER, "党章第九条"),
    (S.FLOATING, S.LEFT): (Approval.BRANCH_AND_HIGHER, "党章第九条"),
    (S.OUT_OF_CONTACT, S.LEFT): (Approval.BRANCH_AND_HIGHER, "党章第九条"),
    (S.ACTIVE, S.REMOVED): (Approval.BRANCH_AND_HIGHER, "党章第九条"),
    (S.FLOATING, S.REMOVED): (Approval.BRANCH_AND_HIGHER, "党章第九条"),
    (S.OUT_OF_CONTACT, S.REMOVED): (Approval.BRANCH_AND_HIGHER, "党章第九条"),
    (S.SUSPENDED, S.REMOVED): (Approval.BRANCH_AND_HIGHER, "党章第九条"),
    (S.ACTIVE, S.WITHDRAWN): (Approval.BRANCH_AND_HIGHER, "党章第九条（退党、劝退）"),
    (S.FLOATING, S.WITHDRAWN): (Approval.BRANCH_AND_HIGHER, "党章第九条（退党、劝退）"),
    (S.ACTIVE, S.DECEASED): (Approval.RECORD, "—"),
    (S.FLOATING, S.DECEASED): (Approval.RECORD, "—"),
    (S.OUT_OF_CONTACT, S.DECEASED): (Approval.RECORD, "—"),
    (S.SUSPENDED, S.DECEASED): (Approval.RECORD, "—"),
    # 开除党籍 is the discipline's (``Discipline``), never a bare change of state.
}


# Dues -----------------------------------------------------------------------------------------------
class DuesCategory(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    RETIRED = "retired", _("Retired")
    STUDENT = "student", _("Student")
    HARDSHIP = "hardship", _("Laid off, unemployed or on relief (低保)")


class FixingMode(models.TextChoices):
    YEARLY = "yearly", _("Fixed once a year in the first quarter")
    ON_CHANGE = "on_change", _("Recomputed from each change of pay")


FEN = Decimal("0.01")

# The rules a quote names (each base keeps the key), by their Chinese names on the pages and in the API.
RULE_NAMES = {
    "DUES.BRACKETS": _("In service: a rate of the whole monthly pay after tax"),
    "DUES.RETIRED": _("Retired: a rate of the whole basic pension"),
    "DUES.FLAT": _("A flat amount a month (students, the laid off and unemployed, members on relief)"),
}


def rule_name(key):
    return str(RULE_NAMES.get(key, key))


@dataclass(frozen=True)
class DuesTable:
    """One version of the dues rules, in force from ``effective``: brackets of the whole base by category
    ((upper limit or None, rate), the limit included), flat amounts, the mode of fixing the amount
    (DUES.RECALC) and the source of each rule."""

    version: str
    effective: datetime.date
    brackets: dict
    flat: dict
    fixing: str
    sources: dict

    def __str__(self):
        return f"{self.version}（{self.effective.isoformat()}）"

    def quote(self, base, category):
        """(monthly amount, rate or None, rule key, source) for a monthly base in yuan. The rate applies to the
        whole base, not to the part above a limit (domain-rules §3.2: 4,200 → 1 % → 42.00); the amount is
        rounded to the fen, half up (DUES.ROUNDING, UNCONFIRMED)."""
        if category not in DuesCategory.values:
            raise ValueError(f"no dues category {category!r}")
        if base < 0:
            raise ValueError("a base is never negative")
        if category in self.flat:
            return self.flat[category], None, "DUES.FLAT", self.sources["DUES.FLAT"]
        key = "DUES.RETIRED" if category == DuesCategory.RETIRED else "DUES.BRACKETS"
        for limit, rate in self.brackets[category]:
            if limit is None or base <= limit:
                return (base * rate).quantize(FEN, rounding=ROUND_HALF_UP), rate, key, self.sources[key]
        raise ValueError("a bracket table ends with an open bracket")


# 中组发〔2008〕3号 art. 2 (in service), art. 5 (retired), art. 6 (flat amounts): the same in both versions.
BRACKETS_2008 = {
    DuesCategory.IN_SERVICE: [
        (Decimal("3000"), Decimal("0.005")),
        (Decimal("5000"), Decimal("0.01")),
        (Decimal("10000"), Decimal("0.015")),
        (None, Decimal("0.02")),
    ],
    DuesCategory.RETIRED: [(Decimal("5000"), Decimal("0.005")), (None, Decimal("0.01"))],
}
FLAT_2008 = {DuesCategory.STUDENT: Decimal("0.20"), DuesCategory.HARDSHIP: Decimal("0.20")}
SOURCES_2008 = {
    "DUES.BRACKETS": "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）第二条",
    "DUES.RETIRED": "中组发〔2008〕3号 第五条",
    "DUES.FLAT": "中组发〔2008〕3号 第六条",
    "DUES.RECALC": "中组发〔2008〕3号 第十条（从领取新工资的月份起按新的基数交纳）",
    "DUES.HARDSHIP": "中组发〔2008〕3号（生活困难的党员经支部研究、上级党委批准，可以少交或免交）",
    "DUES.VOLUNTARY": "中组发〔2008〕3号（自愿多交党费不限；一次性多交1000元以上的全部上缴中央）",
}

DUES_TABLES = [
    # 2008 art. 10: the amount follows each change of pay, from the month the new pay is received.
    DuesTable(
        "2008", datetime.date(2008, 4, 1), BRACKETS_2008, FLAT_2008, FixingMode.ON_CHANGE, SOURCES_2008
    ),
    # The 2017 notice (组电明字〔2017〕5号) as local practice reads it: the amount is fixed once a year in the
    # first quarter and kept for the year; the retired's base is the basic pension. Whether it replaces
    # art. 10, and from which day, is UNCONFIRMED (domain-rules §3.2 DUES.RECALC): a bureau that keeps art. 10
    # loads a later table with ``FixingMode.ON_CHANGE`` (``add_dues_table``).
    DuesTable(
        "2017",
        datetime.date(2017, 1, 1),
        BRACKETS_2008,
        FLAT_2008,
        FixingMode.YEARLY,
        {
            **SOURCES_2008,
            "DUES.RETIRED": "中组发〔2008〕3号 第五条；组电明字〔2017〕5号（以基本离退休费为基数）",
            "DUES.RECALC": "组电明字〔2017〕5号（地方做法）：每年第一季度核定一次，全年不变，工资增加在次年核定时调整",
        },
    ),
]


def add_dues_table(table):
    """Load a later version of the dues rules (a revision, a bureau's choice of fixing mode) as data."""
    if any(t.version == table.version or t.effective == table.effective for t in DUES_TABLES):
        raise ValueError(
            f"dues table {table.version} or one effective on {table.effective} is already loaded"
        )
    DUES_TABLES.append(table)
    DUES_TABLES.sort(key=lambda t: t.effective)
    return table


def remove_dues_table(version):
    """Remove a table loaded since (the first stays)."""
    first = DUES_TABLES[0]
    DUES_TABLES[:] = [t for t in DUES_TABLES if t.version != version or t is first]


def dues_table(on=None):
    """The dues rules in force on ``on`` (today when None)."""
    from django.utils import timezone

    day = on or timezone.localdate()
    found = DUES_TABLES[0]
    for table in DUES_TABLES:
        if table.effective <= day:
            found = table
    return found


def quote(base, category, on=None):
    """The monthly dues of a member of ``category`` declaring ``base`` (yuan, after tax), by the rules in force
    on ``on`` (the month the base applies from; today when None): a ``Quote``. ``ValueError`` for a base that
    is not a number or is negative, and for an unknown category."""
    try:
        amount = Decimal(str(base))
    except ArithmeticError as exc:
        raise ValueError(f"not a number: {base!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not a number: {base!r}")
    return Quote(*dues_table(on).quote(amount, category))


@dataclass(frozen=True)
class Quote:
    monthly: Decimal
    rate: Decimal | None
    rule: str
    source: str

    @property
    def rule_name(self):
        return rule_name(self.rule)


# Discipline -----------------------------------------------------------------------------------------
class DisciplineKind(models.TextChoices):
    """党章第四十条: the five party disciplinary measures."""

    WARNING = "warning", _("Warning")
    SERIOUS_WARNING = "serious_warning", _("Serious warning")
    DISMISSAL = "dismissal", _("Removal from party posts")
    PROBATION = "probation", _("Probation within the party (留党察看)")
    EXPULSION = "expulsion", _("Expulsion from the party")


# 党章第四十条: 留党察看 lasts one year at most, extended once by a year at most (two years in all).
PROBATION_MONTHS = (12, 24)
DISCIPLINE_SOURCE = "《中国共产党章程》第四十条；《中国共产党纪律处分条例》"


class AwardTitle(models.TextChoices):
    EXCELLENT_MEMBER = "excellent_member", _("Excellent party member (优秀共产党员)")
    EXCELLENT_WORKER = "excellent_worker", _("Excellent party worker (优秀党务工作者)")
    ADVANCED_ORGANIZATION = (
        "advanced_organization",
        _("Advanced grassroots party organization (先进基层党组织)"),
    )


class AwardLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District or county")
    SCHOOL = "school", _("School")


# Awards given to a person; the other to an organization.
PERSON_AWARDS = frozenset({AwardTitle.EXCELLENT_MEMBER, AwardTitle.EXCELLENT_WORKER})
