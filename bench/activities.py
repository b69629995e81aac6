#!/usr/bin/env python3
"""``make bench`` suite ``activities``: organizational life (组织生活) — the compliance figure, its drill-down
and the to-do items of meetings and attendance — each beside one hand-written SQL statement computing the
same answer, checked equal before anything is timed.

**The data** (``load``): a city of its own beside the province (``中共湘中市委教育工作委员会``, code
``OL4398``, under the tree's root; the root itself in an empty database), with ``BRANCHES`` × scale
branches (10,000 at scale 1, 100 at 0.01) in up to ten district bureaus: most a school's own branch, some
joint branches of two or three small schools, some the branches of a school's general branch; about ten
members each (5 to 16), a secretary, a committee (组织委员, 宣传委员) where seven full members or more elect
one, two or three party groups from twelve members; a few founded during the year. The province's own
branches are not used: they have four or five members each and eight times as many at every scale. The
schools, organizations, people with their memberships and the committee posts are written through the
services in bulk, acting as ``SYSTEM``, as ``bench/generate.py`` writes the province, one transaction per
district; the meetings and attendance rows, inserted directly into their tables (``COPY`` on PostgreSQL,
``executemany`` on SQLite): a year of organizational life (the last calendar year, ``year_of_data``) — every
branch's monthly themed party day, its branch committee monthly where it has one and every party group's
meeting monthly, its quarterly general meeting and party class (one of them given by its secretary), its
yearly organizational life meeting and democratic appraisal, the general branches' two classes — with the
gaps of real branches (``PROFILES``: most keep everything, some miss a month or a quarter now and then, a
tenth miss many, some of those a whole quarter). Each listed meeting has an attendance row for every
member on the roster that day (present, on leave, absent; a few members drift away and stop coming); one
in 25 meetings is recorded by its counts only. At scale 1: 100,000 members, about 380,000 meetings and
3.9 million attendance rows. Then ``VACUUM (ANALYZE)`` (``ANALYZE`` on SQLite). Two accounts with their role
assignments and TOTP devices: the city's administrator and the first district's (``ACCOUNTS``).

**The cases**, each ours beside its SQL (``bench/sql.py``'s helpers: ``LIKE 'prefix%'`` on
PostgreSQL, a range on SQLite):

- ``activities.compliance`` through ``core.metrics.REGISTRY`` (``compute_all``) for the city and for the
  first district, for the year of the data (every month, quarter and the year ended): the branches that kept every
  frequency required of them, of the branches of the figure;
- ``compliance.summary`` of the district: its totals and the drill-down by the organizations below it, each
  with its branches, those compliant and the branches missing each frequency;
- the to-do scan: the four items of ``activities/todo.py`` (``themed_day_missed``,
  ``general_meeting_missed``, ``lapse``, ``lapse_alert``) for the city's administrator and the district's,
  on ``todo_day`` (the first Monday after the year: its last month and quarter are the data's last, its last
  three and six months in the data); the SQL gives the four counts;
- the page ``/activities/compliance/?organization=<district>&year=<year>`` through Django's test client as
  the district's administrator (``bench/read_path.py``'s sessions), beside the drill-down's SQL; checked
  to show the SQL's totals and a link to every organization of its drill-down.

Each case's note gives the queries ours makes (``CaptureQueriesContext``, one run) against the baseline's
one statement.

Run alone on a migrated database (the data written once, reused by later runs)::

    DATABASE_URL=... .venv/bin/python bench/activities.py --scale 1 [--repeat 5] [--json out.json]
"""

import datetime
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

if __name__ == "__main__":
    HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.path.insert(0, str(HERE.parent))

from bench.harness import Case  # noqa: E402
from bench.sql import prefix_params, run, under  # noqa: E402

D = datetime.date
DAY = datetime.timedelta(days=1)

BRANCHES = 10_000  # branches at scale 1
DISTRICTS = 10  # district bureaus at most (fewer at a tiny scale: ten branches each at least)
MEMBERS = (5, 16, 9)  # members of a branch: triangular (low, high, mode), about ten
COMMITTEE_FROM = 7  # full members from which a branch elects a committee (支部条例 art. 9)
GROUPS_FROM = {12: 2, 15: 3}  # members from which a branch is divided into party groups
CITY = ("OL4398", "中共湘中市委教育工作委员会")
DISTRICT_NAMES = [
    "东湖区",
    "西山区",
    "南岭区",
    "北塘区",
    "江城区",
    "湖滨区",
    "新港区",
    "金霞区",
    "龙泉区",
    "青石区",
]
SCHOOL_KINDS = [("primary", 50), ("junior", 20), ("kindergarten", 15), ("senior", 8), ("nine_year", 7)]
SCHOOL_NAMES = {
    "primary": "小学",
    "junior": "中学",
    "kindergarten": "幼儿园",
    "senior": "高级中学",
    "nine_year": "九年制学校",
}
# Branches' habits: (share, chance of missing a month's meeting, a quarter's, the year's; chance of a dark
# quarter with no meeting at all; chance the secretary gives a class).
PROFILES = {
    "steady": (0.62, 0.0, 0.0, 0.0, 0.0, 0.95),
    "patchy": (0.28, 0.06, 0.08, 0.05, 0.0, 0.9),
    "lax": (0.10, 0.3, 0.3, 0.3, 0.4, 0.6),
}
FOUNDED_IN_YEAR = 0.02  # of the branches: founded during the year (not in the figure)
COUNTS_ONLY = 0.04  # of the meetings: recorded by their counts, without a list
DRIFT = 0.03  # of the members: stop coming at some month of the year
BUSY = 0.15  # of the members: come three times in four
LEAVE_REASONS = ["外出培训", "病假", "事假", "公出", "监考"]
TOPICS = {
    "themed_day": "{month}月主题党日：学习贯彻党的二十大精神",
    "committee": "{month}月支委会：研究部署本月党建工作",
    "group": "{month}月党小组会：学习讨论",
    "general_meeting": "第{quarter}季度支部党员大会",
    "party_class": "第{quarter}季度党课：坚定理想信念",
    "life_meeting": "{year}年度组织生活会",
    "appraisal": "{year}年度民主评议党员",
}
PASSWORD = "Bench@Hongse2026"
# (username, full name, role, where: the city or its first district)
ACCOUNTS = [
    ("bench_life_city", "湘中市管理员", "city_admin", "city"),
    ("bench_life_district", "东湖区管理员", "district_admin", "district"),
]
ACTOR = "bench/activities.py"
TODO_ITEMS = {  # the functions of activities/todo.py and the keys of their items
    "themed_day_missed": "activities.themed_day",
    "general_meeting_missed": "activities.general_meeting",
    "lapse": "activities.lapse",
    "lapse_alert": "activities.lapse_alert",
}


def year_of_data():
    """The last calendar year: every month, quarter and the year itself ended."""
    from django.utils import timezone

    return timezone.localdate().year - 1


def todo_day(year):
    """The first Monday of the year after ``year``: its last month and quarter are the data's last ones."""
    day = D(year + 1, 1, 1)
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


# The data ------------------------------------------------------------------------------------------
@dataclass(eq=False)
class Member:
    plan: object  # demo.city.PersonPlan
    admitted: datetime.date
    full: datetime.date | None
    present: float = 0.92  # chance of coming
    stops: datetime.date | None = None  # no longer comes from this day

    @property
    def person(self):
        return self.plan.person


@dataclass(eq=False)
class Branch:
    org: object
    founded: datetime.date | None
    profile: str
    members: list = field(default_factory=list)
    secretary: Member | None = None
    committee: list = field(default_factory=list)  # Members on the committee besides the secretary
    groups: int = 0


@dataclass(eq=False)
class GeneralBranch:
    org: object
    branches: list = field(default_factory=list)


def largest_remainder(total, parts):
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def district_count(branches):
    return min(DISTRICTS, max(2 if branches >= 2 else 1, branches // 10))


def load(scale, seed=1, progress=print):
    """The city with a year of organizational life, written once (found again by its code); what the
    cases bench with: the city's and the first district's organizations, the accounts, the year."""
    from django.db import connection, transaction

    from redengine.accounts.models import User
    from redengine.core.context import Actor, acting
    from redengine.core.writes import SYSTEM, writing
    from redengine.dataio.importer import collector_paused
    from redengine.orgs.models import PartyOrganization

    year = year_of_data()
    city = PartyOrganization.objects.filter(code=CITY[0]).first()
    if city is None:
        started = time.perf_counter()
        branches = max(1, round(BRANCHES * scale))
        with acting(Actor(label=ACTOR)):
            with transaction.atomic(), writing(SYSTEM):
                city, bureaus = tree(branches)
            counts = defaultdict(int)
            for n, (bureau, size) in enumerate(
                zip(bureaus, largest_remainder(branches, len(bureaus)), strict=True)
            ):
                began = time.perf_counter()
                with collector_paused(), transaction.atomic(), writing(SYSTEM):
                    written = district(seed, year, n, bureau, size)
                for what, k in written.items():
                    counts[what] += k
                progress(
                    f"  organizational life: {bureau.name}, {written['branches']:,} branches, "
                    f"{written['meetings']:,} meetings, {written['attendance']:,} attendance rows, "
                    f"{time.perf_counter() - began:.1f} s"
                )
            with transaction.atomic(), writing(SYSTEM):
                accounts(city, bureaus[0])
        analyzed = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
        progress(
            "  organizational life at scale {:g} in {:.1f} s ({:.1f} s of it VACUUM/ANALYZE): {}".format(
                scale,
                time.perf_counter() - started,
                time.perf_counter() - analyzed,
                ", ".join(f"{k:,} {what}" for what, k in counts.items()),
            )
        )
    else:  # written before: its year is the one of its meetings
        from django.db.models import Max

        from redengine.activities.models import Meeting

        last = Meeting.objects.filter(organization__path__startswith=city.path).aggregate(day=Max("date"))
        year = last["day"].year if last["day"] else year
    first = PartyOrganization.objects.filter(path__startswith=city.path, depth=city.depth + 1)
    users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS])}
    if len(users) < len(ACCOUNTS):  # the accounts are written last
        raise SystemExit(
            f"{CITY[0]} is in the database without its accounts: an interrupted load (start afresh)"
        )
    return {
        "year": year,
        "city": city,
        "district": first.order_by("path").first(),
        "accounts": {place: users[name] for name, _full, _role, place in ACCOUNTS},
    }


def tree(branches):
    """The city under the tree's root (the root itself in an empty database) and its district bureaus."""
    from redengine.core.services import Item
    from redengine.core.writes import SYSTEM
    from redengine.orgs import services as org_services
    from redengine.orgs.models import PartyOrganization

    root = PartyOrganization.objects.filter(depth=1).order_by("path").first()
    city = PartyOrganization()
    values = {"code": CITY[0], "name": CITY[1], "org_type": "working_committee", "parent": root}
    items = [Item({**values, "founded_on": D(1984, 6, 1)}, obj=city)]
    bureaus = []
    for n in range(district_count(branches)):
        bureau = PartyOrganization()
        name = f"中共湘中市{DISTRICT_NAMES[n]}教育局委员会"
        values = {"code": f"{CITY[0]}{n + 1:02d}", "name": name, "org_type": "committee", "parent": city}
        items.append(Item({**values, "founded_on": D(1986, 3, 1)}, obj=bureau))
        bureaus.append(bureau)
    org_services.save_organizations(items, by=SYSTEM)
    return city, bureaus


def district(seed, year, n, bureau, size):
    """One district: its schools, organizations, members, committee posts, meetings and attendance."""
    from redengine.core.services import Item
    from redengine.core.writes import SYSTEM
    from redengine.demo.province import Draw
    from redengine.orgs import services as org_services
    from redengine.orgs.models import PartyOrganization

    draw = Draw(seed, CITY[0], n, "activities")
    code = f"4398{n + 1:02d}"  # the district's code on its schools (the bureaus carry none)
    schools, units, branches = [], [], []
    left = size
    while left:
        roll = draw.rng.random()
        kind = "general" if roll < 0.10 and left >= 2 else "joint" if roll < 0.25 else "own"
        count = min(left, draw.rng.randint(2, 4)) if kind == "general" else 1
        covered = [
            new_school(draw, code, len(schools) + k + 1)
            for k in range(3 if kind == "joint" and draw.chance(0.4) else 2 if kind == "joint" else 1)
        ]
        schools += covered
        units.append((kind, covered, count))
        left -= count
    org_services.save_schools(
        [Item({f: getattr(s, f) for f in org_services.SCHOOLS.fields}, obj=s) for s in schools], by=SYSTEM
    )
    generals, plan = [], []
    for number, (kind, covered, count) in enumerate(units, start=1):
        head = covered[0]
        org_code = f"OL{head.code}"
        if kind == "general":
            org = PartyOrganization(
                code=org_code, name=f"中共{head.name}总支部委员会", org_type="general_branch"
            )
            org.founded_on = draw.date_between(D(1990, 1, 1), D(2012, 12, 31))
            general = GeneralBranch(org)
            generals.append(general)
            plan.append((org, bureau, covered))
            for k in range(count):
                name = f"中共{head.name}第{k + 1}党支部委员会"
                branch = new_branch(draw, year, f"{org_code}-{k + 1:02d}", name, "branch")
                if branch.founded is not None and branch.founded < org.founded_on:
                    branch.org.founded_on = branch.founded = org.founded_on
                general.branches.append(branch)
                branches.append((branch, covered))
                plan.append((branch.org, org, covered))
        else:
            if kind == "own":
                name = f"中共{head.name}支部委员会"
            else:
                name = f"中共湘中市{DISTRICT_NAMES[n]}第{number}联合支部委员会"
            branch = new_branch(draw, year, org_code, name, "branch" if kind == "own" else "joint_branch")
            branches.append((branch, covered))
            plan.append((branch.org, bureau, covered))
    for branch, covered in branches:
        people_of(draw, year, branch, covered)  # its party groups too, before the organizations are written
    items = [Item(org_values(org, parent, covered), obj=org) for org, parent, covered in plan]
    org_services.save_organizations(items, by=SYSTEM)
    write_people(branches)
    write_posts(year, [b for b, _c in branches], generals)
    meetings, attendance = write_life(draw, year, [b for b, _c in branches], generals)
    return {
        "schools": len(schools),
        "branches": len(branches),
        "members": sum(len(b.members) for b, _c in branches),
        "meetings": meetings,
        "attendance": attendance,
    }


def new_school(draw, code, number):
    from redengine.orgs.models import School

    kind = draw.pick(SCHOOL_KINDS)
    school = School(
        code=f"{code}{number:04d}",
        district=code,
        ownership="private" if draw.chance(0.08) else "public",
        school_type=kind,
        urban_rural=draw.pick([("urban", 60), ("town", 25), ("rural", 15)]),
        city_managed=False,
        staff_headcount=draw.rng.randint(30, 120),
    )
    school.name = f"湘中市{DISTRICT_NAMES[int(code[-2:]) - 1]}第{number}{SCHOOL_NAMES[kind]}"
    return school


def new_branch(draw, year, code, name, org_type):
    from redengine.orgs.models import PartyOrganization

    if draw.chance(FOUNDED_IN_YEAR):
        founded = draw.date_between(D(year, 2, 1), D(year, 6, 30))
    elif draw.chance(0.01):
        founded = None  # no founding date recorded
    else:
        founded = draw.date_between(D(1995, 1, 1), D(year - 2, 12, 31))
    profile = draw.pick([(name, share[0]) for name, share in PROFILES.items()])
    org = PartyOrganization(code=code, name=name, org_type=org_type, founded_on=founded)
    return Branch(org, founded, profile)


def org_values(org, parent, schools):
    values = {k: getattr(org, k) for k in ("code", "name", "org_type", "founded_on", "party_groups")}
    return {**values, "parent": parent, "schools": schools}


def people_of(draw, year, branch, schools):
    """The branch's members (people of its schools, admitted years ago but for a few this year), its
    secretary and committee, its party groups."""
    from redengine.core.dates import add_months
    from redengine.demo import words
    from redengine.demo.city import PersonPlan
    from redengine.demo.province import ALL_COUNTIES
    from redengine.people.models import Person

    rng = draw.rng
    size = round(rng.triangular(*MEMBERS))
    for k in range(size):
        school = schools[k % len(schools)]
        male = draw.chance(0.4)
        post = "manager" if k == 0 else draw.pick([("teacher", 88), ("support", 8), ("worker", 4)])
        person = Person(
            name=draw.person_name(male),
            post=post,
            front_line=post == "teacher",
            education=draw.education(school.school_type, post),
            school=school,
        )
        region = rng.choice(ALL_COUNTIES)
        person.ethnic_group = draw.ethnic_group(region)
        birth = D(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
        sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
        mobile = rng.choice(words.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        plan = PersonPlan(person, None, region, birth, sequence, mobile)
        if k >= 3 and draw.chance(0.03):
            admitted = draw.date_between(D(year, 1, 15), D(year, 9, 30))
            full = None
        else:
            first = max(D(birth.year + 19, birth.month, birth.day), D(1990, 1, 1))
            admitted = draw.date_between(first, D(year - 3, 6, 30))
            full = add_months(admitted, 12)
        plan.admitted, plan.full, plan.organization = admitted, full, branch.org
        person.political_status = "member" if full else "probationary"
        member = Member(plan, admitted, full)
        if draw.chance(DRIFT):
            member.stops = draw.date_between(D(year, 3, 1), D(year, 11, 30))
        elif draw.chance(BUSY):
            member.present = 0.75
        branch.members.append(member)
    full = [m for m in branch.members if m.full]
    full.sort(key=lambda m: m.admitted)
    branch.secretary = full[0]
    branch.secretary.stops, branch.secretary.present = None, 0.97
    if len(full) >= COMMITTEE_FROM:
        branch.committee = full[1:3]
        for m in branch.committee:
            m.stops = None
    for threshold, groups in GROUPS_FROM.items():
        if size >= threshold:
            branch.groups = groups
    branch.org.party_groups = branch.groups


def write_people(branches):
    """The members through the people service, with their memberships (ID numbers unique in the database)."""
    from redengine.core.writes import SYSTEM, chunked
    from redengine.demo.city import person_item
    from redengine.demo.province import number
    from redengine.people import services as people_services

    plans = [m.plan for b, _c in branches for m in b.members]
    number(None, plans)
    for batch in chunked(plans, 10_000):
        items = []
        for p in batch:
            item = person_item(p)
            item.extra["id_number_index"] = p.index
            items.append(item)
        people_services.save_people(items, by=SYSTEM)


def write_posts(year, branches, generals):
    """Each branch's secretary (and a general branch's: its first branch's), and its committee members."""
    from redengine.core.services import Item
    from redengine.core.writes import SYSTEM
    from redengine.people import services as people_services

    items = []

    def post(org, member, kind, founded):
        start = max(D(year - 2, 9, 1), member.full, founded or D(1990, 1, 1))
        items.append(Item({"organization": org, "person": member.person, "post": kind, "start_on": start}))

    for branch in branches:
        post(branch.org, branch.secretary, "secretary", branch.founded)
        for member, kind in zip(branch.committee, ("organizing", "propaganda"), strict=False):
            post(branch.org, member, kind, branch.founded)
    for general in generals:
        post(general.org, general.branches[0].secretary, "secretary", general.org.founded_on)
    people_services.save_posts(items, by=SYSTEM)


# A year of meetings ---------------------------------------------------------------------------------
def month_days(year, month):
    following = D(year + (month == 12), month % 12 + 1, 1)
    return (following - D(year, month, 1)).days


def write_life(draw, year, branches, generals):
    """Every branch's year of meetings with their attendance lists, inserted directly; (meetings, rows)."""
    from django.utils import timezone

    now = timezone.now()
    meetings, lines = [], []
    for branch in branches:
        for meeting in schedule(draw, year, branch):
            meetings.append((branch, branch.members, *meeting))
    for general in generals:
        members = [m for b in general.branches for m in b.members]
        secretary = general.branches[0].secretary
        for month in (4, 11):
            day = D(year, month, draw.rng.randint(1, 28))
            meetings.append((general, members, "party_class", day, secretary, True))
    ids = meeting_ids(len(meetings))
    rows = []
    for pk, (unit, members, kind, day, lecturer, by_secretary) in zip(ids, meetings, strict=True):
        roster = [m for m in members if m.admitted <= day]
        secretary = unit.secretary if isinstance(unit, Branch) else lecturer
        listed = not draw.chance(COUNTS_ONLY)
        present = 0
        if listed:
            for member in roster:
                status, reason = attendance(draw, member, day)
                present += status == "present"
                lines.append((pk, member.person.pk, status, reason, False, day))
        else:
            present = round(len(roster) * draw.rng.uniform(0.8, 1.0))
        topic = TOPICS[kind].format(month=day.month, quarter=(day.month - 1) // 3 + 1, year=day.year)
        lecturer_name = "区委党校讲师" if kind == "party_class" and lecturer is None else ""
        rows.append(
            (
                pk,
                unit.org.pk,
                kind,
                day,
                topic,
                "党员活动室",
                secretary.person.pk,
                lecturer.person.pk if lecturer else None,
                lecturer_name,
                by_secretary,
                len(roster),
                present,
                listed,
                "",
                "",
                None,
                now,
            )
        )
    insert("activities_meeting", MEETING_COLUMNS, rows)
    insert("activities_attendance", ATTENDANCE_COLUMNS, lines)
    return len(rows), len(lines)


def schedule(draw, year, branch):
    """(type, day, lecturer, by the secretary) of the branch's meetings in the year, gaps and all."""
    rng = draw.rng
    _share, miss_month, miss_quarter, miss_year, dark_quarter, secretary_class = PROFILES[branch.profile]
    start = branch.founded if branch.founded and branch.founded.year == year else D(year, 1, 1)
    dark = {rng.randint(1, 4)} if draw.chance(dark_quarter) else set()
    found = []

    def days(month, n):
        first = start.day if (start.year, start.month) == (year, month) else 1
        free = range(first, month_days(year, month) + 1)
        return [D(year, month, d) for d in sorted(rng.sample(free, min(n, len(free))))]

    for month in range(start.month, 13):
        if (month - 1) // 3 + 1 in dark:
            continue
        if not draw.chance(miss_month):
            found.append(("themed_day", days(month, 1)[0], None, False))
        if branch.committee and not draw.chance(miss_month):
            found.append(("committee", days(month, 1)[0], None, False))
        groups = sum(1 for _g in range(branch.groups) if not draw.chance(miss_month))
        for day in days(month, groups) if groups else []:
            found.append(("group", day, None, False))
    quarters = [q for q in range(1, 5) if q * 3 >= start.month and q not in dark]
    by_secretary = rng.choice(quarters) if quarters and draw.chance(secretary_class) else None
    others = [m for m in branch.members if m.full and m is not branch.secretary]
    for quarter in quarters:
        months = [m for m in range(quarter * 3 - 2, quarter * 3 + 1) if m >= start.month]
        if not draw.chance(miss_quarter):
            found.append(("general_meeting", days(rng.choice(months), 1)[0], None, False))
        if not draw.chance(miss_quarter):
            if quarter == by_secretary:
                lecturer = branch.secretary
            else:
                lecturer = rng.choice(others) if others and draw.chance(0.7) else None
            found.append(
                ("party_class", days(rng.choice(months), 1)[0], lecturer, lecturer is branch.secretary)
            )
    late = [m for m in (1, 2, 3, 11, 12) if m >= start.month] or [12]
    for kind in ("life_meeting", "appraisal"):
        if not draw.chance(miss_year):
            found.append((kind, days(rng.choice(late), 1)[0], None, False))
    return found


def attendance(draw, member, day):
    rng = draw.rng
    if member.stops and day >= member.stops:
        return ("leave", rng.choice(LEAVE_REASONS)) if rng.random() < 0.6 else ("absent", "")
    if rng.random() < member.present:
        return "present", ""
    return ("leave", rng.choice(LEAVE_REASONS)) if rng.random() < 0.7 else ("absent", "")


MEETING_COLUMNS = (
    "id",
    "organization_id",
    "meeting_type",
    "date",
    "topic",
    "place",
    "host_id",
    "lecturer_id",
    "lecturer_name",
    "by_secretary",
    "expected",
    "actual",
    "from_list",
    "minutes",
    "resolutions",
    "recorded_by_id",
    "recorded_at",
)
ATTENDANCE_COLUMNS = ("meeting_id", "person_id", "status", "reason", "guest", "date")


def meeting_ids(n):
    """Keys for ``n`` meetings: drawn from the table's sequence on PostgreSQL, after the largest on SQLite."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('activities_meeting', 'id')) FROM generate_series(1, %s)",
                [n],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM activities_meeting")
        last = cursor.fetchone()[0]
    return list(range(last + 1, last + n + 1))


def insert(table, columns, rows):
    """Rows straight into ``table``: one ``COPY`` on PostgreSQL, ``executemany`` by 10,000 on SQLite."""
    from django.db import connection

    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        for start in range(0, len(rows), 10_000):
            cursor.executemany(sql, [sqlite_row(row) for row in rows[start : start + 10_000]])


def sqlite_row(row):
    from django.utils import timezone

    values = []
    for value in row:
        if isinstance(value, datetime.datetime):
            value = timezone.make_naive(value, datetime.UTC).isoformat(" ")
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        values.append(value)
    return values


def accounts(city, district):
    """The city's administrator and the district's, each with a TOTP device (both roles need two factors)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from redengine.accounts import services as account_services
    from redengine.core.writes import SYSTEM

    where = {"city": city, "district": district}
    for username, full_name, role, place in ACCOUNTS:
        user, _password = account_services.create_account(
            username=username, full_name=full_name, password=PASSWORD, by=SYSTEM
        )
        account_services.grant_role(user=user, role=role, organization=where[place], by=SYSTEM)
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)


# The baselines: one statement each ------------------------------------------------------------------
def unit_keys(column):
    """SQL for the month and the quarter a date lies in (a value per calendar month, per quarter)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})", f"date_trunc('quarter', {column})"
    year, month = f"strftime('%%Y', {column})", f"CAST(strftime('%%m', {column}) AS integer)"
    return f"strftime('%%Y-%%m', {column})", f"{year} || '-' || (({month} + 2) / 3)"


def ended(year, today):
    """For months, quarters and the year: how many ended before ``today``, and the last day of the last
    (the day before the year when none has)."""
    ends = {
        "month": [D(year, m, month_days(year, m)) for m in range(1, 13)],
        "quarter": [D(year, q * 3, month_days(year, q * 3)) for q in range(1, 5)],
        "year": [D(year, 12, 31)],
    }
    found = {}
    for kind, days in ends.items():
        done = [day for day in days if day < today]
        found[f"{kind}s"] = len(done)
        found[f"{kind}_end"] = done[-1] if done else D(year, 1, 1) - DAY
    return found


MISSED = {  # the frequencies' keys (rules.FREQUENCIES) and the column of the SQL that says a branch missed it
    "LIFE.GENERAL_MEETING": "no_general",
    "LIFE.COMMITTEE": "no_committee",
    "LIFE.GROUP": "no_group",
    "LIFE.THEME_DAY": "no_themed",
    "LIFE.CLASS_FREQ": "no_class",
    "LIFE.ORG_LIFE_MEETING": "no_life",
    "LIFE.EVAL": "no_appraisal",
    "LIFE.3M1C": "no_secretary",
}


def kept_sql():
    """``WITH`` … ``kept``: each branch of the figure (a branch or joint branch under the prefix, existing on
    the year's first day) with a 1 in each ``no_…`` column of a frequency it had to keep and did not. One
    pass over the year's meetings, branch by branch: the months (quarters) with a meeting of each type; the
    party groups' meetings counted month by month apart (a month counts with as many as the groups)."""
    month, quarter = unit_keys("m.date")

    def months(kind, extra=""):
        return f"COUNT(DISTINCT CASE WHEN m.meeting_type = '{kind}'{extra} AND m.date <= %(month_end)s THEN {month} END)"

    def quarters(kind):
        return f"COUNT(DISTINCT CASE WHEN m.meeting_type = '{kind}' AND m.date <= %(quarter_end)s THEN {quarter} END)"

    def meetings(kind, extra=""):
        return f"SUM(CASE WHEN m.meeting_type = '{kind}'{extra} AND m.date <= %(year_end)s THEN 1 ELSE 0 END)"

    return f"""
WITH b AS (
    SELECT o.id, o.path, o.party_groups,
        CASE WHEN EXISTS (
            SELECT 1 FROM people_committeepost c WHERE c.organization_id = o.id
            AND c.post IN ('organizing', 'propaganda', 'discipline', 'member')
            AND c.start_on <= %(as_of)s AND (c.end_on IS NULL OR c.end_on > %(as_of)s)
        ) THEN 1 ELSE 0 END AS committee
    FROM orgs_partyorganization o
    WHERE {under("o.path")} AND o.org_type IN ('branch', 'joint_branch')
        AND (o.founded_on IS NULL OR o.founded_on <= %(start)s)
), held AS (
    SELECT m.organization_id AS org,
        {months("themed_day")} AS themed,
        {months("committee")} AS committee,
        {quarters("general_meeting")} AS general,
        {quarters("party_class")} AS class,
        {meetings("life_meeting")} AS life,
        {meetings("appraisal")} AS appraisal,
        {meetings("party_class", " AND m.by_secretary")} AS secretary
    FROM activities_meeting m JOIN b ON b.id = m.organization_id
    WHERE m.date >= %(start)s AND m.date <= %(as_of)s
    GROUP BY m.organization_id
), grouped AS (
    SELECT org, COUNT(*) AS months FROM (
        SELECT m.organization_id AS org, b.party_groups, COUNT(*) AS n
        FROM activities_meeting m JOIN b ON b.id = m.organization_id
        WHERE m.meeting_type = 'group' AND b.party_groups > 0 AND m.date >= %(start)s
            AND m.date <= %(month_end)s
        GROUP BY m.organization_id, b.party_groups, {month}
    ) g WHERE n >= %(group_times)s * party_groups GROUP BY org
), kept AS (
    SELECT b.id, b.path,
        CASE WHEN COALESCE(h.general, 0) < %(quarters)s THEN 1 ELSE 0 END AS no_general,
        CASE WHEN b.committee = 1 AND COALESCE(h.committee, 0) < %(months)s THEN 1 ELSE 0 END AS no_committee,
        CASE WHEN b.party_groups > 0 AND COALESCE(g.months, 0) < %(months)s THEN 1 ELSE 0 END AS no_group,
        CASE WHEN COALESCE(h.themed, 0) < %(months)s THEN 1 ELSE 0 END AS no_themed,
        CASE WHEN COALESCE(h.class, 0) < %(quarters)s THEN 1 ELSE 0 END AS no_class,
        CASE WHEN %(years)s > 0 AND COALESCE(h.life, 0) < %(life_times)s THEN 1 ELSE 0 END AS no_life,
        CASE WHEN %(years)s > 0 AND COALESCE(h.appraisal, 0) < %(appraisal_times)s THEN 1 ELSE 0 END
            AS no_appraisal,
        CASE WHEN %(years)s > 0 AND COALESCE(h.secretary, 0) < %(secretary_times)s THEN 1 ELSE 0 END
            AS no_secretary
    FROM b LEFT JOIN held h ON h.org = b.id LEFT JOIN grouped g ON g.org = b.id
)"""


ALL_KEPT = "(" + " + ".join(MISSED.values()) + ") = 0"
ONCE = ("themed_day", "committee", "general_meeting", "party_class")  # counted as months or quarters with one


def kept_params(scope, year, today):
    """The parameters of ``kept_sql``: the scope, the year, the units ended, the times each meeting is due
    (the 2018 rules: a unit counts with one meeting of each type but the party groups')."""
    from redengine.activities import rules

    once = {kind: rules.param(f"life.{kind}.times") for kind in ONCE}
    assert set(once.values()) == {1}, f"the baseline counts units with one meeting each, not {once}"
    times = {
        f"{name}_times": rules.param(f"life.{key}.times")
        for name, key in [
            ("group", "group"),
            ("life", "life_meeting"),
            ("appraisal", "appraisal"),
            ("secretary", "secretary_class"),
        ]
    }
    start, end = D(year, 1, 1), D(year, 12, 31)
    return {
        **prefix_params(scope.path),
        "start": start,
        "as_of": min(end, today),
        **ended(year, today),
        **times,
    }


def compliance_baseline(scope, year, today):
    """The metric by hand: {value: branches that kept every frequency, denominator: branches of the figure}."""
    params = kept_params(scope, year, today)
    branches, compliant = run(
        kept_sql() + f" SELECT COUNT(*), SUM(CASE WHEN {ALL_KEPT} THEN 1 ELSE 0 END) FROM kept", params
    )[0]
    return {"value": compliant or 0, "denominator": branches}


def summary_baseline(scope, year, today):
    """The drill-down by hand: per organization directly below ``scope`` (by code), its branches, the
    compliant ones and the branches missing each frequency; and the totals."""
    from redengine.orgs.models import PartyOrganization

    params = {**kept_params(scope, year, today), "step": len(scope.path) + PartyOrganization.steplen}
    sums = ", ".join(f"SUM({column}) AS {column}" for column in MISSED.values())
    columns = ", ".join(f"s.{column}" for column in MISSED.values())
    sql = f"""
SELECT c.path, s.branches, s.compliant, {columns} FROM (
    SELECT SUBSTR(path, 1, %(step)s) AS top, COUNT(*) AS branches,
        SUM(CASE WHEN {ALL_KEPT} THEN 1 ELSE 0 END) AS compliant, {sums}
    FROM kept GROUP BY SUBSTR(path, 1, %(step)s)
) s JOIN orgs_partyorganization c ON c.path = s.top ORDER BY c.code"""
    rows = run(kept_sql() + sql, params)
    found = []
    for path, branches, compliant, *counts in rows:
        missing = {key: n for key, n in zip(MISSED, counts, strict=True) if n}
        found.append((path, branches, compliant or 0, missing))
    totals = {"branches": sum(r[1] for r in found), "compliant": sum(r[2] for r in found)}
    totals["missed"] = {key: sum(r[3].get(key, 0) for r in found) for key in MISSED}
    totals["missed"] = {key: n for key, n in totals["missed"].items() if n}
    return totals, found


def todo_baseline(scope, today):
    """The four to-do counts by hand, in one statement: branches of the scope existing on the first day of
    the last ended month (quarter) without a themed party day (general meeting) in it; current members of
    six months (three) in an organization with a listed meeting since, present at none since."""
    from redengine.core.dates import add_months

    month_start = (today.replace(day=1) - DAY).replace(day=1)
    month_end = today.replace(day=1) - DAY
    quarter_first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    quarter_start = add_months(quarter_first, -3)
    quarter_end = quarter_first - DAY
    params = {
        **prefix_params(scope.path),
        "month_start": month_start,
        "month_end": month_end,
        "quarter_start": quarter_start,
        "quarter_end": quarter_end,
        "lapse": add_months(today, -6),
        "alert": add_months(today, -3),
    }

    def missing(kind, first, last):
        return f"""(SELECT COUNT(*) FROM orgs_partyorganization o
            WHERE {under("o.path")} AND o.org_type IN ('branch', 'joint_branch')
            AND (o.founded_on IS NULL OR o.founded_on <= %({first})s)
            AND NOT EXISTS (SELECT 1 FROM activities_meeting m WHERE m.organization_id = o.id
                AND m.meeting_type = '{kind}' AND m.date >= %({first})s AND m.date <= %({last})s))"""

    def lifeless(since):
        return f"""(SELECT COUNT(*) FROM people_membership ms
            JOIN orgs_partyorganization o ON o.id = ms.organization_id
            WHERE {under("o.path")} AND ms.ended_on IS NULL AND ms.admitted_on <= %({since})s
            AND EXISTS (SELECT 1 FROM activities_meeting m WHERE m.organization_id = ms.organization_id
                AND m.from_list AND m.date >= %({since})s)
            AND NOT EXISTS (SELECT 1 FROM activities_attendance a WHERE a.person_id = ms.person_id
                AND a.status = 'present' AND a.date >= %({since})s))"""

    sql = "SELECT {}, {}, {}, {}".format(
        missing("themed_day", "month_start", "month_end"),
        missing("general_meeting", "quarter_start", "quarter_end"),
        lifeless("lapse"),
        lifeless("alert"),
    )
    return dict(zip(TODO_ITEMS.values(), run(sql, params)[0], strict=True))


# The cases -----------------------------------------------------------------------------------------
PAGE = "/activities/compliance/"


def queries(function):
    """The number of queries one run of ``function`` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def check_equal(ours, baseline):
    assert ours == baseline, f"ours {ours} ≠ SQL {baseline}"


def check_figure(ours, baseline):
    found = {"value": ours["value"], "denominator": ours["denominator"]}
    assert found == baseline, f"activities.compliance: ours {found} ≠ SQL {baseline}"
    assert baseline["denominator"], "a scope without branches measures nothing"


def our_summary(scope, year, today):
    from redengine.activities import compliance

    totals, rows = compliance.summary(scope, D(year, 1, 1), D(year, 12, 31), today)
    found = [(r["organization"].path, r["branches"], r["compliant"], r["missed"]) for r in rows]
    return {k: totals[k] for k in ("branches", "compliant", "missed")}, found


def our_todo(user, today):
    """The four items for ``user`` on ``today``: {key: count}."""
    from redengine.activities import todo
    from redengine.core.todo import Reach, level_of

    reach = Reach(user, level_of(user), today)
    found = {}
    for name, key in TODO_ITEMS.items():
        items = getattr(todo, name)(reach)
        found[key] = items[0].count if items else 0
    return found


def page_exists():
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("activities:compliance") == PAGE
    except NoReverseMatch:
        return False


def check_page(scope):
    def check(response, found):
        from redengine.orgs.models import PartyOrganization

        totals, rows = found
        assert response.status_code == 200, f"{PAGE}: {response.status_code}"
        html = response.content.decode()
        for element in ("branches", "compliant"):
            n = totals[element]
            assert f'id="count-{element}">{n:,}<' in html, f"the page does not show {n} {element}"
        paths = [path for path, *_counts in rows if path != scope.path]
        codes = list(PartyOrganization.objects.filter(path__in=paths).values_list("code", flat=True))
        assert len(codes) == len(paths), "an organization of the drill-down is missing"
        missing = [code for code in codes if f"?organization={code}&" not in html]
        assert not missing, f"the page's drill-down lacks {missing[:5]}"

    return check


def cases(context):
    from django.utils import timezone

    from redengine.core.metrics import Period, compute_all

    data = load(context.scale)
    year, today = data["year"], timezone.localdate()
    city, district = data["city"], data["district"]
    period = Period.of(year)
    name = "activities.compliance"
    found = []
    for role, scope in (("city", city), ("district", district)):

        def ours(scope=scope):
            return compute_all(scope, period, [name])[name]

        found.append(
            Case(
                f"{name}, {role}, {year}",
                ours=ours,
                baseline=lambda scope=scope: compliance_baseline(scope, year, today),
                check=check_figure,
                note=f"{queries(ours)} queries; the SQL one statement ({scope.code})",
            )
        )

    def summary():
        return our_summary(district, year, today)

    found.append(
        Case(
            f"compliance.summary, district, {year}",
            ours=summary,
            baseline=lambda: summary_baseline(district, year, today),
            check=check_equal,
            note=f"{queries(summary)} queries; the SQL one statement (the drill-down below {district.code})",
        )
    )
    day = todo_day(year)
    for role, scope in (("city", city), ("district", district)):
        user = data["accounts"][role]

        def scan(user=user):
            return our_todo(user, day)

        found.append(
            Case(
                f"to-do scan (4 items), {role}",
                ours=scan,
                baseline=lambda scope=scope: todo_baseline(scope, day),
                check=check_equal,
                note=f"{queries(scan)} queries; the SQL one statement; on {day}, as {user.username}",
            )
        )
    if page_exists():
        from bench.read_path import client

        browser = client(data["accounts"]["district"])
        url = f"{PAGE}?organization={district.code}&year={year}"

        def page():
            return browser.get(url)

        found.append(
            Case(
                f"compliance page, district, {year}",
                ours=page,
                baseline=lambda: summary_baseline(district, year, today),
                check=check_page(district),
                note=f"{url}: {queries(page)} queries; the baseline: the drill-down's SQL",
            )
        )
    return found


# Alone ---------------------------------------------------------------------------------------------
def main():
    import argparse
    import json
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.01, help="1: 10,000 branches (default 0.01)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each case; the median is shown")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
    import django

    django.setup()
    from django.db import connection

    from bench import harness

    database = (
        f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
        if connection.vendor == "postgresql"
        else f"SQLite {connection.Database.sqlite_version}"
    )
    print(f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {database} · scale {args.scale:g}", flush=True)
    with tempfile.TemporaryDirectory() as workdir:
        context = harness.Context(database, args.scale, {}, "", 0, "", workdir, args.repeat)
        results = []
        for case in cases(context):
            result = harness.measure("activities", case, args.repeat)
            results.append(result)
            ratio = f"{result.ratio:.2f}×" if result.ratio else ""
            print(f"  {case.name:<50} {result.ours * 1000:>9.1f} ms  {ratio}", flush=True)
    print()
    print(harness.table(results))
    print("\n" + "\n".join(f"- {r.name}: {r.note}" for r in results if r.note))
    if args.json:
        Path(args.json).write_text(json.dumps([vars(r) for r in results], ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
