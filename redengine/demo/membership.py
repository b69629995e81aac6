"""Membership after admission in the demo city (党员管理), through the membership app's services acting as
``SYSTEM``, drawn from a seeded generator (the same seed and day give the same records):

* **transfers** — teachers rotating between schools (交流轮岗) and changing posts over the last three years,
  each accepted by the receiving side a few days (sometimes weeks: flagged late) after it was sent; a few
  waiting today on either side (some past the time limit), one refused with its reason, one cancelled;
  introduction letters out of the system (most returned with their slip, some waiting, two past their
  validity) and letters received from outside the system giving new teachers their membership;
* **states** — floating members away at a fixed place, members out of contact (some long enough for a
  suspension to be proposed), suspended members (one for more than two years: removal proposed), deaths;
* **dues** — every current member's base of this year (in service or retired, from the bracket's range),
  the months of this year opened, paid by payroll or online in the first half of each month, a few members
  stopping (arrears, the lapse alert), December partly paid; voluntary payments, one passed up;
* **awards** — the yearly 七一 awards (优秀共产党员, 优秀党务工作者, 先进基层党组织) of the last five years;
* **discipline** — a few measures, one 留党察看 lifted, one running.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from redengine.core.services import Item
from redengine.core.writes import SYSTEM, writing
from redengine.membership.models import Award, Discipline, DuesEntry, FloatingRecord, StatusChange, Transfer
from redengine.membership.rules import (
    ACCEPT,
    CANCEL,
    RECEIPT,
    REJECT,
    AwardLevel,
    AwardTitle,
    DisciplineKind,
    DuesCategory,
    TransferReason,
)
from redengine.membership.services import dues, records, statuses, transfers
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Membership, Person

from .city import DEFAULT_SEED, generated_schools

D = datetime.date
DAY = datetime.timedelta(days=1)

ROTATIONS = 150  # transfers within the system accepted over the last three years
WAITING = 10  # waiting today (sent or requested), a few of them past the time limit
LETTERS_OUT, LETTERS_IN = 24, 8
PAYMENT_DAYS = range(3, 16)  # dues are paid in the first half of the month
STOPPED_SHARE = 0.01  # members who stopped paying this year (arrears)
OUTSIDE = [
    "中共湘潭市岳塘区教育局委员会",
    "中共株洲市天元区教育局委员会",
    "中共广州市天河区教育局委员会",
    "中共深圳市南山区教育局委员会",
    "中共岳阳市第一中学委员会",
    "中共衡阳县教育局委员会",
]
REFUSAL = "该教师交流轮岗安排已调整，暂不接收，请与派出学校核实后重新办理。"
AWARD_BODIES = {
    AwardLevel.CITY: "中共长沙市委教育工作委员会",
    AwardLevel.DISTRICT: "区（县、市）教育局党组织",
    AwardLevel.SCHOOL: "学校党组织",
}


def month_start(day):
    return day.replace(day=1)


def add_months(day, months):
    year, month = divmod(day.month - 1 + months, 12)
    return D(day.year + year, month + 1, 1)


class Draw:
    def __init__(self, seed, today):
        self.rng = random.Random(f"membership-{seed}")  # noqa: S311 — demo data, not a secret
        self.today = today

    def day_between(self, start, end):
        span = max((end - start).days, 0)
        return start + datetime.timedelta(days=self.rng.randint(0, span))


def city_members():
    """The current memberships of the generated city's schools, with their people and organizations."""
    schools = generated_schools()
    return list(
        Membership.objects.current()
        .filter(person__school__in=schools)
        .select_related("person__school", "organization")
        .order_by("pk")
    )


def school_organizations():
    """{school pk: [organizations covering it that hold members (branches first)]}."""
    covering = {}
    through = PartyOrganization.schools.through
    rows = through.objects.filter(school__in=generated_schools()).values_list(
        "school_id", "partyorganization_id"
    )
    orgs = PartyOrganization.objects.in_bulk(sorted({o for _s, o in rows}))
    for school_id, org_id in rows:
        org = orgs[org_id]
        if org.org_type in ("branch", "general_branch", "committee"):
            covering.setdefault(school_id, []).append(org)
    for found in covering.values():
        found.sort(key=lambda o: (-len(o.path), o.code))
    return covering


def write_transfers(draw, members, covering):
    """Rotations accepted over three years; some waiting, one refused, one cancelled; letters out and in."""
    today = draw.today
    eligible = [m for m in members if m.person.school_id in covering]
    draw.rng.shuffle(eligible)
    schools_by_district = {}
    for school in School.objects.filter(pk__in=list(covering)):
        schools_by_district.setdefault(school.district, []).append(school)
    chosen, starts = [], []
    for membership in eligible:
        if len(starts) >= ROTATIONS + WAITING + 2:
            break
        person = membership.person
        same = schools_by_district.get(person.school.district, [])
        options = [
            s for s in same if s.pk != person.school_id and covering[s.pk][0].pk != membership.organization_id
        ]
        if not options:
            continue
        school = draw.rng.choice(options)
        n = len(starts)
        if n < ROTATIONS:
            started = draw.day_between(today - 3 * 365 * DAY, today - 60 * DAY)
        else:
            started = draw.day_between(today - 50 * DAY, today - 2 * DAY)
        reason = TransferReason.ROTATION if draw.rng.random() < 0.7 else TransferReason.JOB
        starts.append(transfers.Start(person, covering[school.pk][0], started, reason, to_school=school))
        chosen.append(membership)
    made = transfers.start_transfers(starts, by=SYSTEM)
    steps = []
    for n, transfer in enumerate(made):
        if n < ROTATIONS:
            wait = draw.rng.choice([2, 3, 5, 7, 10, 14, 21, 45])  # a few past the 30 days: flagged late
            steps.append(transfers.Step(transfer, ACCEPT, min(transfer.started_on + wait * DAY, today)))
        elif n == ROTATIONS:
            steps.append(transfers.Step(transfer, REJECT, min(transfer.started_on + 5 * DAY, today), REFUSAL))
        elif n == ROTATIONS + 1:
            steps.append(
                transfers.Step(
                    transfer, CANCEL, min(transfer.started_on + 3 * DAY, today), "学校调整了交流人选。"
                )
            )
    transfers.move_transfers(steps, by=SYSTEM)
    moved = {m.pk for m in chosen}
    # Letters out of the system: members leaving the city's schools.
    leaving = [m for m in members if m.pk not in moved][:LETTERS_OUT]
    letters = []
    for n, membership in enumerate(leaving):
        if n < LETTERS_OUT - 4:
            issued = draw.day_between(today - 2 * 365 * DAY, today - 120 * DAY)
        elif n < LETTERS_OUT - 2:
            issued = draw.day_between(today - 40 * DAY, today - 5 * DAY)
        else:  # past their validity, no return slip yet
            issued = draw.day_between(today - 200 * DAY, today - 100 * DAY)
        letters.append(
            transfers.LetterOut(membership.person, draw.rng.choice(OUTSIDE), issued, TransferReason.JOB)
        )
    out = transfers.issue_letters(letters, by=SYSTEM)
    receipts = [
        transfers.Step(t, RECEIPT, min(t.started_on + draw.rng.randint(10, 60) * DAY, today))
        for t in out[: LETTERS_OUT - 4]
    ]
    transfers.move_transfers(receipts, by=SYSTEM)
    # Letters into the system: new teachers who are members elsewhere.
    newcomers = list(
        Person.objects.filter(
            school__in=list(covering), political_status="masses", birth_date__lt=D(1995, 1, 1)
        ).order_by("pk")[: LETTERS_IN * 5]
    )
    draw.rng.shuffle(newcomers)
    incoming = []
    for person in newcomers[:LETTERS_IN]:
        admitted = draw.day_between(
            max(person.birth_date.replace(year=person.birth_date.year + 22), D(2010, 1, 1)), D(2022, 6, 30)
        )
        full = (
            admitted.replace(year=admitted.year + 1)
            if not (admitted.month == 2 and admitted.day == 29)
            else D(admitted.year + 1, 2, 28)
        )
        incoming.append(
            transfers.LetterIn(
                person,
                covering[person.school_id][0],
                draw.rng.choice(OUTSIDE),
                draw.day_between(today - 300 * DAY, today - 10 * DAY),
                admitted,
                full,
                letter_number=f"外转〔{today.year}〕{len(incoming) + 1:03d}号",
            )
        )
    transfers.receive_letters(incoming, by=SYSTEM)
    return {"transfers": Transfer.objects.count()}


def base_of(draw, person, today):
    """(category, base): the retired (60 and over) on a pension, the others on after-tax pay."""
    age = today.year - person.birth_date.year
    if age >= 60:
        return DuesCategory.RETIRED, Decimal(draw.rng.randrange(3800, 6400, 10))
    return DuesCategory.IN_SERVICE, Decimal(draw.rng.randrange(2800, 11800, 10))


def write_dues(draw):
    """This year's bases, the months opened, the payments, a voluntary payment passed up."""
    today = draw.today
    january = D(today.year, 1, 1)
    members = list(
        Membership.objects.current()
        .filter(status__in=["active", "floating"], admitted_on__lt=january)
        .select_related("person")
        .order_by("pk")
    )
    items = []
    for membership in members:
        category, amount = base_of(draw, membership.person, today)
        declared = D(today.year, 1, draw.rng.randint(5, 25))
        items.append(
            Item(
                {
                    "membership": membership,
                    "category": category,
                    "base": amount,
                    "from_month": january,
                    "declared_on": min(declared, today),
                }
            )
        )
    for start in range(0, len(items), 5000):
        dues.record_dues_bases(items[start : start + 5000], by=SYSTEM, today=today)
    month = january
    while month <= month_start(today):
        dues.open_month(month, by=SYSTEM, today=today)
        month = add_months(month, 1)
    stopped = {
        m.pk: add_months(january, draw.rng.randint(3, 8))
        for m in members
        if draw.rng.random() < STOPPED_SHARE
    }
    entries = (
        DuesEntry.objects.filter(month__year=today.year)
        .order_by("pk")
        .only("pk", "membership_id", "month", "due")
    )
    payments = []
    for entry in entries.iterator(chunk_size=5000):
        if entry.membership_id in stopped and entry.month >= stopped[entry.membership_id]:
            continue
        if entry.month == month_start(today):
            if draw.rng.random() > 0.4 or today.day < 4:
                continue
            paid_on = min(entry.month.replace(day=draw.rng.choice(PAYMENT_DAYS)), today)
        else:
            paid_on = entry.month.replace(day=draw.rng.choice(PAYMENT_DAYS))
        method = "payroll" if draw.rng.random() < 0.6 else "online"
        payments.append(dues.Payment(entry=entry, amount=entry.due, paid_on=paid_on, method=method))
    for start in range(0, len(payments), 5000):
        dues.record_payments(payments[start : start + 5000], by=SYSTEM, today=today)
    generous = members[:3]
    voluntary = [
        Item(
            {
                "membership": m,
                "amount": Decimal(amount),
                "paid_on": D(today.year, 7, 1),
                "note": "自愿多交党费",
            }
        )
        for m, amount in zip(generous, ("1000", "500", "200"), strict=False)
    ]
    dues.record_voluntary(voluntary, by=SYSTEM, today=today)
    return {"dues entries": DuesEntry.objects.count()}


def write_awards(draw, members, covering):
    """The 七一 awards of the last five years (on 1 July), to members and to school organizations."""
    today = draw.today
    orgs = sorted({o.pk: o for found in covering.values() for o in found}.values(), key=lambda o: o.code)
    items = []
    for year in range(today.year - 4, today.year + 1):
        day = D(year, 6, 28)
        if day > today:
            continue
        eligible = [m for m in members if m.admitted_on < day]
        for membership in draw.rng.sample(eligible, min(120, len(eligible))):
            level = draw.rng.choices([AwardLevel.SCHOOL, AwardLevel.DISTRICT, AwardLevel.CITY], [6, 3, 1])[0]
            items.append(
                Item(
                    {
                        "title": AwardTitle.EXCELLENT_MEMBER,
                        "level": level,
                        "person": membership.person,
                        "awarded_on": day,
                        "awarded_by": AWARD_BODIES[level],
                        "document": f"长教工委〔{year}〕{20 + len(items) % 5}号"
                        if level == AwardLevel.CITY
                        else "",
                    }
                )
            )
        for membership in draw.rng.sample(eligible, min(30, len(eligible))):
            items.append(
                Item(
                    {
                        "title": AwardTitle.EXCELLENT_WORKER,
                        "level": AwardLevel.DISTRICT,
                        "person": membership.person,
                        "awarded_on": day,
                        "awarded_by": AWARD_BODIES[AwardLevel.DISTRICT],
                        "document": "",
                    }
                )
            )
        for org in draw.rng.sample(orgs, min(25, len(orgs))):
            items.append(
                Item(
                    {
                        "title": AwardTitle.ADVANCED_ORGANIZATION,
                        "level": AwardLevel.CITY,
                        "organization": org,
                        "awarded_on": day,
                        "awarded_by": AWARD_BODIES[AwardLevel.CITY],
                        "document": f"长教工委〔{year}〕21号",
                    }
                )
            )
    records.record_awards(items, by=SYSTEM)
    return {"awards": Award.objects.count()}


PLACES = [
    "广东省深圳市",
    "上海市浦东新区",
    "北京市海淀区",
    "浙江省杭州市",
    "湖南省湘西州（援教）",
    "新疆维吾尔自治区（援疆）",
]
BRANCH_MEETING = "支部党员大会决议"


def write_states(draw, members):
    """Floating members, members out of contact, suspended (one long enough for a removal proposal), deaths:
    each a decision with its resolution and, where the rules ask, the approval above."""
    today = draw.today
    pool = [m for m in members if m.status == "active"]
    draw.rng.shuffle(pool)
    floating, lost, suspended, deceased = pool[:40], pool[40:52], pool[52:56], pool[56:58]
    items = []
    for membership in floating:
        left = draw.day_between(today - 400 * DAY, today - 20 * DAY)
        items.append(
            Item(
                {
                    "membership": membership,
                    "place": draw.rng.choice(PLACES),
                    "reason": draw.rng.choice([TransferReason.STUDY, TransferReason.AWAY]),
                    "left_on": left,
                    "takes_part_in": "所在地学校党支部（流动党员活动小组）",
                    "note": "",
                }
            )
        )
    statuses.record_floating(items, by=SYSTEM)
    changes, lost_on = [], {}
    for n, membership in enumerate(lost + suspended):
        if n < len(lost):  # out of contact for 40 days to about 9 months
            since = today - draw.rng.choice([40, 100, 150, 200, 260]) * DAY
        else:  # out of contact long ago, then suspended: the first more than two years ago
            since = today - (1300 if n == len(lost) else draw.rng.randint(500, 700)) * DAY
        lost_on[membership.pk] = since
        changes.append(
            Item(
                {
                    "membership": membership,
                    "to_status": "out_of_contact",
                    "date": since,
                    "reason": "多次联系未果，本人长期未参加组织生活。",
                    "resolution": "",
                    "resolution_on": None,
                    "approved_by": "",
                    "approved_on": None,
                    "document": "",
                }
            )
        )
    statuses.record_status_changes(changes, by=SYSTEM)
    later = []
    for membership in suspended:
        day = lost_on[membership.pk] + draw.rng.randint(190, 250) * DAY
        later.append(
            Item(
                {
                    "membership": membership,
                    "to_status": "suspended",
                    "date": day,
                    "reason": "失去联系满六个月，经多方查找仍无下落，停止党籍。",
                    "resolution": BRANCH_MEETING,
                    "resolution_on": day,
                    "approved_by": "区（县、市）教育局党组织",
                    "approved_on": min(day + 7 * DAY, today),
                    "document": "",
                }
            )
        )
    for membership in deceased:
        later.append(
            Item(
                {
                    "membership": membership,
                    "to_status": "deceased",
                    "date": draw.day_between(today - 300 * DAY, today - 5 * DAY),
                    "reason": "因病去世。",
                    "resolution": "",
                    "resolution_on": None,
                    "approved_by": "",
                    "approved_on": None,
                    "document": "",
                }
            )
        )
    statuses.record_status_changes(later, by=SYSTEM)
    return {
        "status changes": StatusChange.objects.count(),
        "floating members": FloatingRecord.objects.count(),
    }


def write_discipline(draw, members):
    """A few measures: warnings, a serious warning, a 留党察看 lifted and one running."""
    today = draw.today
    pool = [m for m in members if m.status == "active" and m.full_on]
    draw.rng.shuffle(pool)
    kinds = [DisciplineKind.WARNING] * 3 + [
        DisciplineKind.SERIOUS_WARNING,
        DisciplineKind.PROBATION,
        DisciplineKind.PROBATION,
    ]
    items = []
    for n, (membership, kind) in enumerate(zip(pool, kinds, strict=False)):
        decided = today - (900 if n == 4 else 120 + 40 * n) * DAY
        values = {
            "membership": membership,
            "kind": kind,
            "decided_on": decided,
            "decided_by": "区（县、市）纪委监委派驻纪检监察组",
            "document": f"纪处〔{decided.year}〕{n + 1:02d}号",
            "reason": "违反工作纪律，造成不良影响。",
            "period_months": 12 if kind == DisciplineKind.PROBATION else None,
            "lifted_on": None,
        }
        items.append(Item(values))
    records.record_discipline(items, by=SYSTEM)
    return {"discipline records": Discipline.objects.count()}


def city(seed=DEFAULT_SEED, today=None):
    """The city's membership records; nothing if there are transfers or dues already. The counts written."""
    if Transfer.objects.exists() or DuesEntry.objects.exists():
        return {}
    today = today or timezone.localdate()
    draw = Draw(seed, today)
    counts = {}
    with writing(SYSTEM):
        members = city_members()
        covering = school_organizations()
        counts.update(write_transfers(draw, members, covering))
        members = city_members()
        counts.update(write_awards(draw, members, covering))
        counts.update(write_states(draw, members))
        counts.update(write_discipline(draw, city_members()))
        counts.update(write_dues(draw))
    return counts
