"""A province-sized data set for benchmarks (``bench/generate.py``), written through the services in bulk.

**Shape at scale 1** (``SIZES``): one root, the province's education work committee (中共湖南省委教育工作委员会);
the 14 cities' committees under it; under each city the bureaus of its districts and counties (the 122 of
``hunan.py``, about 9 a city); about 33,000 schools of every type, public and private; about 100,000 party
organizations in five levels (root → city → district bureau → school committees, general branches, branches
and joint branches → the branches of the committees and general branches), city-direct schools' under their
city; 1,000,000 staff with titles and party memberships (about 40% members); development cases with legal
step histories for about 5% of them (every member admitted since ``DEVELOPMENT_FROM``, applicants at every
stage, some late, a few cases given up); and four accounts (``ACCOUNTS``). Schools, staff and organizations
scale with ``scale``; the cities taken (Changsha first) with its square root, so that a small scale still
has districts of several schools. Coverage: a school with 3 members or more has an organization of its
own — a branch, or from ``SPLIT_FROM`` members a general branch (a committee from 100) whose small branches
(``BRANCH_MEMBERS``, what ~100,000 organizations for 400,000 members imply) cover the school too; smaller
schools share joint branches, or, where the bureau holds the district code, some stay uncovered and fall
to their bureau.

**District codes.** The organization service accepts a bureau's ``district`` only from ``core/codes.py``
``DISTRICTS``, the table of the one city a deployment serves (Changsha), and a school no organization covers
lies with the bureau holding its district code, else with the root. Changsha is therefore drawn with its
real codes: its nine bureaus and its city committee (市直, 430100) carry them, and its uncovered schools fall
to their bureau as in a deployment. The 13 other cities keep the table as it is: their schools carry their
real GB/T 2260 county codes (which the table does not list: shown as codes, absent from the district filters
and per-district counts, refused by the school form's district field until changed), their bureaus carry no
code, and every one of their schools is covered (an uncovered one would lie with the root, not with its
bureau as in a province's deployment). Registering the province's codes for the bench was not done: the
table is read when the models load and by every process serving the database, so a bench-only table would
write bureaus that the application itself refuses. A code some organization already holds (the demo's
bureaus, when the province is added beside them) is not given either, and that district has no uncovered
school.

**Deterministic**: every part of a district draws from its own generator seeded by the seed, the district
and the part (``Draw``), records are dated up to ``city.AS_OF`` and the open cases back from ``today``
(``TODAY`` unless given), so a seed and a scale give the same records on every run. **Bounded memory**:
only the schools' sizes (one tuple each) are drawn for the whole province; everything else is drawn,
written and dropped one district at a time (at scale 1, 73 to 205 schools and 5,200 to 8,700 people; people
written ``PEOPLE_BATCH`` at a time). ID numbers are unique in a district by a set, and against the database by
its blind index before each district is written.

**Steps** (``STEPS``): the tree first, then the districts' parts in order, then the accounts. This is the
extension point: a later app (meetings, evaluations, pioneer units, school pairs) appends its part, a
function of the province and the district that writes the district's records through its own services.
"""

import base64
import datetime
import gc
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from redengine.accounts import services as account_services
from redengine.accounts.models import User
from redengine.accounts.roles import ROLES
from redengine.core.codes import DISTRICTS
from redengine.core.context import Actor, acting
from redengine.core.crypto import get_provider
from redengine.core.services import Item
from redengine.core.validators import make_id_number, parse_id_number
from redengine.core.writes import SYSTEM, chunked, writing
from redengine.dataio.importer import collector_paused
from redengine.orgs import rules
from redengine.orgs import services as org_services
from redengine.orgs.models import PartyOrganization, School
from redengine.people import services as people_services
from redengine.people.models import Person, add_years

from . import city, development, hunan, words
from .management.commands.seed_demo import demo_totp_key

D = datetime.date
DAY = datetime.timedelta(days=1)

DEFAULT_SEED = 1
AS_OF = city.AS_OF  # every record is dated up to this day
TODAY = D(2026, 12, 1)  # the open development cases are dated back from this day (``today`` to change it)
SIZES = {"schools": 33_000, "people": 1_000_000, "cities": len(hunan.CITIES)}
PREFIX = "HN"  # of organization codes (the demo's are CS…), and of application form numbers
ROOT = (f"{PREFIX}43", "中共湖南省委教育工作委员会")
FIRST_NUMBER = 5001  # school codes: the district and a number from here (the demo's stay below)
WEIGHTS = {"city": 0.35, "urban": 1.0, "county": 1.4}  # schools of a district, relatively
SPLIT_FROM = 15  # members from which a school's organization is a general branch with branches
BRANCH_MEMBERS = 4.5  # members per branch of a general branch or committee, on average
UNCOVERED_SHARE = 0.3  # of the schools too small for an organization, where the bureau holds the code
DEVELOPMENT_FROM = D(2024, 1, 1)  # every member admitted since has a case
APPLICANT_SHARE = 0.015  # of the staff: open cases of people who are not members, stages 1 to 4
WITHDRAWN_SHARE = 0.001  # of the staff: cases given up before the admission
PEOPLE_BATCH = 10_000
ACTOR = "bench/generate.py"

PASSWORD = "Bench@Hongse2026"  # of every account below (a benchmark database's, printed)
# (username, full name, role, where: root, city, district or school)
ACCOUNTS = [
    ("bench_province", "省级管理员", "city_admin", "root"),
    ("bench_city", "长沙市管理员", "city_admin", "city"),
    ("bench_district", "区县管理员", "district_admin", "district"),
    ("bench_school", "学校书记", "school_secretary", "school"),
]

ALL_COUNTIES = [code for *_c, counties in hunan.CITIES for code, _name in counties]


class GenerationRefusedError(Exception):
    """Nothing written: production mode, a database not empty, or the province (or its accounts) there."""


@dataclass(frozen=True)
class Step:
    """A part of the generation: ``run(province)`` once (``per`` "start" or "end"), or ``run(province,
    chunk)`` for each district; returns ``{what: rows written}``."""

    name: str
    run: object
    per: str = "chunk"


@dataclass(eq=False)
class Chunk:
    """A district (or a city's city-direct schools) and what is drawn for it, dropped once written."""

    code: str  # GB/T 2260: the county's, or the city's own for its city-direct schools (市直)
    name: str
    prefix: str  # of its schools' names: 株洲市荷塘区, 攸县, 株洲市
    city_code: str
    profile: str  # city, urban, county
    bureau: PartyOrganization
    served: bool = False  # the bureau holds the district code: uncovered schools lie with it
    specs: list = field(default_factory=list)  # (school type, ownership, urban/rural, headcount)
    schools: list = field(default_factory=list)  # city.SchoolPlan
    units: list = field(default_factory=list)  # city.Unit
    people: list = field(default_factory=list)  # city.PersonPlan

    def drop(self):
        self.schools, self.units, self.people = [], [], []


@dataclass(eq=False)
class Province:
    seed: int
    scale: float
    today: datetime.date
    root: PartyOrganization | None = None
    cities: list = field(default_factory=list)  # (city code, committee)
    chunks: list = field(default_factory=list)
    counts: dict = field(default_factory=lambda: defaultdict(int))
    seconds: dict = field(default_factory=lambda: defaultdict(float))
    rows: dict = field(default_factory=lambda: defaultdict(int))
    accounts: dict = field(default_factory=dict)
    bench: dict = field(default_factory=dict)


class Draw:
    """A seeded generator of one part of one district, drawing as the demo city does (its methods)."""

    chance = city.Builder.chance
    pick = city.Builder.pick
    date_between = city.Builder.date_between
    person_name = city.Builder.person_name
    education = city.Builder.education
    ethnic_group = city.Builder.ethnic_group
    admission = city.Builder.admission
    full_membership = city.Builder.full_membership
    last_election = city.Builder.last_election
    quotas = city.Builder.quotas

    def __init__(self, *key):
        self.rng = random.Random(":".join(map(str, key)))  # noqa: S311 — benchmark data, not a secret


def city_count(scale):
    return max(1, min(SIZES["cities"], round(SIZES["cities"] * math.sqrt(scale))))


def fields_of(obj, names):
    return {name: getattr(obj, name) for name in names}


# The tree and the plan --------------------------------------------------------------------------------
def tree(province):
    """The root (under the existing root when the database has one), the cities' committees and the
    bureaus, in one batch; then the size of every school of the province."""
    if PartyOrganization.objects.filter(code=ROOT[0]).exists():
        raise GenerationRefusedError(f"the province ({ROOT[0]}) is in the database already")
    taken = User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).values_list("username", flat=True)
    if taken:
        raise GenerationRefusedError(f"accounts of the province exist already: {', '.join(sorted(taken))}")
    held = set(PartyOrganization.objects.exclude(district="").values_list("district", flat=True))

    def code_for(district):
        return district if district in DISTRICTS and district not in held else ""

    existing = PartyOrganization.objects.filter(depth=1).order_by("path").first()
    province.root = PartyOrganization()
    items = [
        Item(
            {"code": ROOT[0], "name": ROOT[1], "org_type": "working_committee", "parent": existing},
            obj=province.root,
        )
    ]
    for city_code, city_name, short, counties in hunan.CITIES[: city_count(province.scale)]:
        committee = PartyOrganization()
        items.append(
            Item(
                {
                    "code": PREFIX + city_code[:4],
                    "name": f"中共{short}委教育工作委员会",
                    "org_type": "working_committee",
                    "district": code_for(city_code),
                    "parent": province.root,
                },
                obj=committee,
            )
        )
        province.cities.append((city_code, committee))
        chunk = Chunk(city_code, "市直", city_name, city_code, "city", committee, bool(code_for(city_code)))
        province.chunks.append(chunk)
        for code, name in counties:
            bureau = PartyOrganization()
            urban = name.endswith("区")
            items.append(
                Item(
                    {
                        "code": PREFIX + code,
                        "name": f"中共{city_name if urban else ''}{name}教育局委员会",
                        "org_type": "committee",
                        "district": code_for(code),
                        "parent": committee,
                    },
                    obj=bureau,
                )
            )
            prefix = city_name + name if urban else name
            profile = "urban" if urban else "county"
            province.chunks.append(
                Chunk(code, name, prefix, city_code, profile, bureau, bool(code_for(code)))
            )
    org_services.save_organizations(items, by=SYSTEM)
    plan_schools(province)
    return {"organizations": len(items)}


def plan_schools(province):
    """Each district's schools: type, ownership, urban or rural, and a headcount, the headcounts scaled to
    the province's staff exactly (as the demo city does)."""
    draw = Draw(province.seed, "plan")
    total = max(len(province.chunks), round(SIZES["schools"] * province.scale))
    weights = [WEIGHTS[c.profile] for c in province.chunks]
    for chunk, n in zip(province.chunks, largest_remainder(total, weights, minimum=1), strict=True):
        chunk.specs = school_specs(draw, chunk, n)
    raw = [spec[3] for chunk in province.chunks for spec in chunk.specs]
    staff = round(SIZES["people"] * province.scale)
    counts = iter(headcounts(raw, staff))
    for chunk in province.chunks:
        chunk.specs = [(*spec[:3], next(counts)) for spec in chunk.specs]


def largest_remainder(total, weights, minimum=0):
    """``total`` split by ``weights`` into integers (each at least ``minimum``) that add up exactly."""
    rest = total - minimum * len(weights)
    exact = [rest * w / sum(weights) for w in weights]
    shares = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: shares[i] - exact[i])
    for i in order[: rest - sum(shares)]:
        shares[i] += 1
    return [minimum + s for s in shares]


def school_specs(draw, chunk, n):
    if chunk.profile == "city":
        kinds = list(city.CITY_SCHOOLS[:n])
        kinds += [(t, None) for t, quota in draw.quotas(n - len(kinds)) for _ in range(quota)]
    else:
        kinds = [(t, None) for t, quota in draw.quotas(n) for _ in range(quota)]
        draw.rng.shuffle(kinds)
    specs = []
    for school_type, ownership in kinds:
        area = draw.pick(city.URBAN_RURAL[chunk.profile])
        if ownership is None:
            share = city.PRIVATE_SHARE[school_type] * (0.7 if area == "rural" else 1)
            ownership = "private" if draw.chance(share) else "public"
        low, high = city.HEADCOUNT[school_type]
        size = draw.rng.uniform(low, high) * city.SIZE_FACTOR[area]
        if ownership == "private" and school_type != "twelve_year":
            size *= 0.8
        if chunk.profile == "city" and school_type in {"complete_secondary", "senior"}:
            size *= 1.3
        specs.append((school_type, ownership, area, size))
    return specs


def headcounts(raw, total, least=5):
    """Integer headcounts proportional to ``raw`` (at least ``least``) adding up to ``total``."""
    factor = total / sum(raw)
    counts = [max(least, round(size * factor)) for size in raw]
    order = sorted(range(len(counts)), key=lambda i: -counts[i])
    difference, i = total - sum(counts), 0
    while difference:
        k = order[i % len(order)]
        if difference > 0:
            counts[k], difference = counts[k] + 1, difference - 1
        elif counts[k] > least:
            counts[k], difference = counts[k] - 1, difference + 1
        i += 1
    return counts


# Schools -----------------------------------------------------------------------------------------------
def schools(province, chunk):
    draw = Draw(province.seed, chunk.code, "schools")
    names, numbers = set(), defaultdict(int)
    if FIRST_NUMBER + len(chunk.specs) > 10_000:
        raise ValueError(f"{chunk.code}: more schools than four-digit numbers from {FIRST_NUMBER}")
    for number, (school_type, ownership, area, headcount) in enumerate(chunk.specs, start=FIRST_NUMBER):
        school = School(
            code=f"{chunk.code}{number:04d}",
            district=chunk.code,
            ownership=ownership,
            school_type=school_type,
            urban_rural=area,
            city_managed=chunk.profile == "city",
            staff_headcount=headcount,
        )
        school.name = hunan.school_name(draw.rng, chunk, school, names, numbers)
        chunk.schools.append(city.SchoolPlan(school))
    fields = org_services.SCHOOLS.fields
    items = [Item(fields_of(p.school, fields), obj=p.school) for p in chunk.schools]
    org_services.save_schools(items, by=SYSTEM)
    return {"schools": len(items)}


# Organizations -----------------------------------------------------------------------------------------
def organizations(province, chunk):
    """Members per school, the form of each school's organization, and the organizations, covering their
    schools, in one batch under the district's bureau."""
    draw = Draw(province.seed, chunk.code, "organizations")
    small = []
    for plan in chunk.schools:
        school, n = plan.school, plan.school.staff_headcount
        rate = city.MEMBER_RATE[school.school_type] * (0.3 if plan.private else 1)
        rate += 0.05 if school.city_managed else 0
        plan.members = min(n, round(n * rate * draw.rng.uniform(0.85, 1.15)))
        if plan.members >= rules.OWN_ORGANIZATION_FROM:
            plan.mode = "own"
            chunk.units.append(city.Unit("own", own_type(plan.members), chunk.code, [plan]))
        elif chunk.served and draw.chance(UNCOVERED_SHARE):
            plan.mode = "none"
        else:
            small.append(plan)
    for private in (False, True):
        joint_units(draw, chunk, [p for p in small if p.private == private])
    chunk.units.sort(key=lambda u: u.schools[0].school.code)
    items, counters = [], defaultdict(int)
    for unit in chunk.units:
        items += unit_items(draw, chunk, unit, counters)
    org_services.save_organizations(items, by=SYSTEM)
    return {"organizations": len(items)}


def own_type(members):
    if members >= rules.COMMITTEE_FROM:
        return "committee"
    return "general_branch" if members >= SPLIT_FROM else "branch"


def joint_units(draw, chunk, plans):
    """Joint branches of 2 to 5 schools with enough members between them (a school left alone gets the three
    members of a branch of its own)."""
    i = 0
    while i < len(plans):
        left = len(plans) - i
        size = left if left <= 5 else draw.rng.randint(2, min(5, left - 2))
        group = plans[i : i + size]
        i += size
        if len(group) == 1:
            group[0].members, group[0].mode = rules.OWN_ORGANIZATION_FROM, "own"
            chunk.units.append(city.Unit("own", "branch", chunk.code, group))
            continue
        for plan in group:
            plan.mode = "joint"
        for plan in group:
            if sum(p.members for p in group) >= rules.OWN_ORGANIZATION_FROM:
                break
            plan.members = 2
        chunk.units.append(city.Unit("joint", "joint_branch", chunk.code, group))


def unit_items(draw, chunk, unit, counters):
    """The items of a unit's organization and of its branches."""
    head = unit.schools[0].school
    if unit.kind == "joint":
        unit.founded = draw.date_between(D(2010, 1, 1), D(2020, 12, 31))
    elif unit.private:
        unit.founded = draw.date_between(D(2004, 1, 1), D(2020, 12, 31))
    else:
        first = D(1978, 1, 1) if unit.org_type != "branch" else D(1985, 1, 1)
        unit.founded = draw.date_between(first, D(2016, 12, 31))
    code = f"{PREFIX}{chunk.code}-{head.code[-4:]}"
    unit.org = new_org(draw, code, unit_name(chunk, unit, counters), unit.org_type, unit.founded)
    for plan in unit.schools:
        plan.unit = unit
    items = [
        Item(
            {**org_values(unit.org), "parent": chunk.bureau, "schools": [p.school for p in unit.schools]},
            obj=unit.org,
        )
    ]
    if unit.org_type in {"committee", "general_branch"}:
        members = unit.schools[0].members
        count = max(2, round(members / BRANCH_MEMBERS))
        short = hunan.short_name(chunk.prefix, head)
        for k in range(count):
            founded = draw.date_between(max(unit.founded, D(1995, 1, 1)), D(2020, 12, 31))
            name = f"{short}{hunan.section(head, k, count)}党支部"
            branch = new_org(draw, f"{code}-{k + 1:02d}", name, "branch", max(founded, unit.founded))
            unit.branches.append(branch)
            items.append(Item({**org_values(branch), "parent": unit.org, "schools": [head]}, obj=branch))
    return items


def new_org(draw, code, name, org_type, founded):
    org = PartyOrganization(code=code, name=name, org_type=org_type, founded_on=founded)
    org.last_election_on = draw.last_election(org_type, founded)
    return org


def org_values(org):
    return fields_of(org, ("code", "name", "org_type", "founded_on", "last_election_on"))


def unit_name(chunk, unit, counters):
    school = unit.schools[0].school
    if unit.kind == "joint":
        counters[unit.private] += 1
        n = city.chinese_number(counters[unit.private])
        if unit.private:
            return f"中共{chunk.prefix}民办学校第{n}联合支部委员会"
        kind = "幼儿园" if school.school_type == "kindergarten" else "学校"
        return f"中共{chunk.prefix}{kind}第{n}联合支部委员会"
    suffix = {"committee": "委员会", "general_branch": "总支部委员会"}.get(unit.org_type, "支部委员会")
    return f"中共{school.name}{suffix}"


# People -------------------------------------------------------------------------------------------------
def people(province, chunk):
    """The staff of every school, who of them are members (admitted at 18 or later, the first three of each
    organization well in the past) and where; ID numbers unique; written in batches with the memberships."""
    draw = Draw(province.seed, chunk.code, "people")
    counties = [code for c, *_r, listed in hunan.CITIES if c == chunk.city_code for code, _n in listed]
    for plan in chunk.schools:
        plan.staff = [make_person(draw, chunk, plan, k, counties) for k in range(plan.school.staff_headcount)]
        choose_members(draw, chunk, plan)
        for p in plan.staff:
            p.person.school = plan.school
            if p.admitted:
                p.full = draw.full_membership(p)
                p.person.political_status = "member" if p.full else "probationary"
            else:
                age = p.age_at(AS_OF)
                weights = [("league_member", 45 if age < 28 else 0), ("democratic_party", 3)]
                p.person.political_status = draw.pick([*weights, ("non_partisan", 1), ("masses", 60)])
        chunk.people += plan.staff
    number(province, chunk.people)
    for batch in chunked(chunk.people, PEOPLE_BATCH):
        items = []
        for p in batch:
            item = city.person_item(p)
            item.extra["id_number_index"] = p.index  # computed once, for the uniqueness check
            items.append(item)
        people_services.save_people(items, by=SYSTEM)
    members = sum(1 for p in chunk.people if p.admitted)
    return {"people": len(chunk.people), "memberships": members}


def make_person(draw, chunk, plan, index, counties):
    """A member of the staff (the demo city's ``make_person``, born in the province)."""
    rng, school = draw.rng, plan.school
    post = "manager" if index < max(1, round(school.staff_headcount * 0.07)) else None
    post = post or draw.pick([("teacher", 86), ("support", 7), ("worker", 7)])
    male = not draw.chance(city.FEMALE_SHARE[school.school_type] - (0.2 if post == "manager" else 0))
    low, high = {"manager": (34, 58), "worker": (28, 59)}.get(post, (22, 58))
    age = rng.randint(40 if index == 0 else low, high if male else min(high, 55))
    birth = AS_OF - (age * 365 + rng.randint(0, 364)) * DAY
    region = birthplace(draw, chunk, counties)
    person = Person(
        name=draw.person_name(male),
        post=post,
        front_line=post == "teacher" and draw.chance(0.95) or post == "manager" and draw.chance(0.3),
        education=draw.education(school.school_type, post),
        ethnic_group=draw.ethnic_group(region),
    )
    sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
    mobile = rng.choice(words.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    return city.PersonPlan(person, plan, region, birth, sequence, mobile, principal=index == 0)


def birthplace(draw, chunk, counties):
    """The county of the ID number: mostly the district, its city or the province."""
    roll = draw.rng.random()
    if roll < 0.45 and chunk.profile != "city":
        region = chunk.code
    elif roll < 0.65:
        region = draw.rng.choice(counties)
    elif roll < 0.93:
        region = draw.rng.choice(ALL_COUNTIES)
    elif roll < 0.98:
        region = draw.rng.choice(list(words.MINORITY_REGIONS))
    else:
        region = draw.rng.choice(words.OTHER_PROVINCE_REGIONS)
    if region in hunan.RETIRED and draw.chance(0.6):
        region = hunan.RETIRED[region]  # registered before the county became a district or a city
    return region


def choose_members(draw, chunk, plan):
    """The school's members (the demo city's ``choose_members``) and their organizations: branches in turn;
    the first three of each organization admitted well in the past (its full members)."""
    if not plan.members:
        return
    principal, others = plan.staff[0], plan.staff[1:]
    chosen = []
    if (not plan.private and draw.chance(0.95)) or (plan.private and draw.chance(0.2)):
        chosen.append(principal)
    pool = [(p, 3 if p.person.post == "manager" else 2 if p.person.post == "teacher" else 1) for p in others]
    while len(chosen) < plan.members and pool:
        k = draw.rng.choices(range(len(pool)), [w for _p, w in pool])[0]
        chosen.append(pool.pop(k)[0])
    if len(chosen) < plan.members and principal not in chosen:
        chosen.append(principal)
    unit = plan.unit
    orgs = (unit.branches or [unit.org]) if unit is not None else [chunk.bureau]
    for i, person in enumerate(chosen):
        person.organization = orgs[i % len(orgs)]
        person.admitted = draw.admission(person, settled=i // len(orgs) < 3 or plan.mode == "joint")


def number(province, plans):
    """Each person's ID number (validated) and its blind index: unique among ``plans``, and against the
    database (looked up by index before writing); a number taken gets the next sequence of the same sex."""
    provider, seen, pending = get_provider(), set(), list(plans)
    while pending:
        for p in pending:
            while True:
                parsed = parse_id_number(make_id_number(p.region, p.birth, p.sequence))
                index = provider.blind_index(parsed.number)
                if index not in seen:
                    break
                p.sequence = (p.sequence + 2) % 1000
            seen.add(index)
            p.number, p.index = parsed, index
        taken = set()
        for batch in chunked([p.index for p in pending]):
            found = Person.objects.filter(id_number_index__in=batch).values_list("id_number_index", flat=True)
            taken.update(found)
        pending = [p for p in pending if p.index in taken]
        for p in pending:
            p.sequence = (p.sequence + 2) % 1000


# Titles -------------------------------------------------------------------------------------------------
BACKBONE = [D(2013, 9, 10), D(2016, 9, 10), D(2019, 9, 10), D(2022, 9, 10), D(2025, 9, 10)]
PRINCIPALS = [D(2014, 5, 4), D(2017, 5, 4), D(2019, 5, 4), D(2022, 5, 4)]
STUDIO = [D(2018, 3, 1), D(2019, 3, 1), D(2022, 3, 1)]


def titles(province, chunk):
    """Titles (称号) of about 6% of the staff: 骨干教师 and 卓越教师 of teachers, 名校长 and 首席名校长 of
    principals, 名校长工作室学员 of senior staff; three-year titles of past cohorts lapsed now and then."""
    draw = Draw(province.seed, chunk.code, "titles")
    items = []
    for p in chunk.people:
        for title, level, awarded, lapsed in held_titles(draw, p):
            values = {"person": p.person, "title": title, "level": level, "awarded_on": awarded}
            items.append(Item({**values, "lapsed_on": lapsed}))
    people_services.award_titles(items, by=SYSTEM)
    return {"titles": len(items)}


def held_titles(draw, p):
    post, found = p.person.post, []

    def cohort(dates, youngest):
        dates = [d for d in dates if p.age_at(d) >= youngest]
        return draw.rng.choice(dates) if dates else None

    def lapse(awarded):
        three = add_years(awarded, 3) - DAY
        return three if three < AS_OF and draw.chance(0.5) else None

    if post == "teacher" and p.person.front_line and draw.chance(0.06):
        awarded = cohort(BACKBONE, 28)
        level = draw.pick([("city", 20), ("district", 45), ("school", 35)])
        found += [("backbone_teacher", level, awarded, lapse(awarded))] if awarded else []
    if post == "teacher" and draw.chance(0.012):
        awarded = cohort(BACKBONE[2:], 32)
        level = draw.pick([("city", 40), ("district", 60)])
        found += [("excellent_teacher", level, awarded, None)] if awarded else []
    if p.principal and p.age_at(AS_OF) >= 45 and draw.chance(0.09):
        awarded = cohort(PRINCIPALS, 40)
        chief = draw.chance(0.1)
        level = "city" if chief or draw.chance(0.4) else "district"
        title = "chief_principal" if chief else "famous_principal"
        found += [(title, level, awarded, None)] if awarded else []
    if (
        post in {"manager", "teacher"}
        and not p.principal
        and 33 <= p.age_at(AS_OF) <= 55
        and draw.chance(0.006)
    ):
        awarded = cohort(STUDIO, 30)
        found += [("studio_trainee", "city", awarded, lapse(awarded))] if awarded else []
    return found


# Member development -------------------------------------------------------------------------------------
def develop(province, chunk):
    """Development cases (``development.py``): every member admitted since ``DEVELOPMENT_FROM`` in a branch,
    from the membership; open cases of applicants at every stage, some late; a few given up. Recorded
    through the development services, every step checked by the rules engine."""
    rng = random.Random(f"{province.seed}:{chunk.code}:development")  # noqa: S311 — benchmark data
    members = [p for p in chunk.people if p.admitted]
    contacts = development.Contacts(rng, members)
    histories = development.Histories(rng, province.today, contacts, serial_prefix=PREFIX)
    cases = [
        histories.admitted(p, p.organization, converted=p.full is not None)
        for p in members
        if p.admitted >= DEVELOPMENT_FROM and p.organization.org_type in rules.ADMITTING_TYPES
    ]
    applicants = [
        p
        for p in chunk.people
        if not p.admitted
        and p.person.political_status in {"masses", "league_member"}
        and p.person.post in {"teacher", "manager", "support"}
        and 21 <= p.age_at(province.today) <= 50
        and p.school.unit is not None
    ]
    rng.shuffle(applicants)
    opened = round(len(chunk.people) * APPLICANT_SHARE)
    withdrawn = round(len(chunk.people) * WITHDRAWN_SHARE)
    for p in applicants[:opened]:
        stage = city.Builder.pick_with(rng, city.STAGE_SHARES)
        stalled = rng.randint(30, 150 if stage == 4 else 300) if rng.random() < city.STALLED_SHARE else 0
        cases.append(histories.applicant(p, case_organization(rng, p), stage, stalled))
    for p in applicants[opened : opened + withdrawn]:
        cases.append(histories.withdrawn(p, case_organization(rng, p)))
    return development.write([c for c in cases if c is not None], today=province.today)


def case_organization(rng, p):
    unit = p.school.unit
    return rng.choice(unit.branches) if unit.branches else unit.org


# Accounts -----------------------------------------------------------------------------------------------
def accounts(province):
    """The four accounts, with ``PASSWORD`` (two-factor ones with a TOTP device of a known key): the whole
    tree, Changsha, a district (one whose bureau holds its code, when there is one) and a school."""
    root = province.root
    bureaus = PartyOrganization.objects.filter(path__startswith=root.path, depth=root.depth + 2)
    bureau = bureaus.exclude(district="").order_by("path").first() or bureaus.order_by("path").first()
    schools = PartyOrganization.objects.filter(path__startswith=bureau.path, depth=bureau.depth + 1)
    school_org = (
        schools.filter(org_type__in=["committee", "general_branch"]).order_by("path").first()
        or schools.order_by("path").first()
    )
    where = {"root": root, "city": province.cities[0][1], "district": bureau, "school": school_org}
    for username, full_name, role, place in ACCOUNTS:
        user, _password = account_services.create_account(
            username=username, full_name=full_name, password=PASSWORD, by=SYSTEM
        )
        account_services.grant_role(user=user, role=role, organization=where[place], by=SYSTEM)
        secret = None
        if ROLES[role].requires_2fa:
            key = demo_totp_key(username)
            TOTPDevice.objects.create(user=user, name="bench", key=key, confirmed=True)
            secret = base32(key)
        province.accounts[username] = {
            "role": role,
            "organization": where[place].code,
            "password": PASSWORD,
            "totp_secret": secret,
        }
    school = school_org.schools.order_by("code").first() if school_org else None
    province.bench = {"district": bureau.code, "school": school.pk if school else None}
    return {"accounts": len(ACCOUNTS)}


def base32(hex_key):
    return base64.b32encode(bytes.fromhex(hex_key)).decode()


STEPS = [
    Step("tree", tree, per="start"),
    Step("schools", schools),
    Step("organizations", organizations),
    Step("people", people),
    Step("titles", titles),
    Step("development", develop),
    # Later apps add their part here, per district: meetings (三会一课 of each branch), evaluations (star
    # ratings), pioneer units, school pairs — each a function (province, chunk) writing through its services.
    Step("accounts", accounts, per="end"),
]


# The whole ------------------------------------------------------------------------------------------------
def is_empty():
    """Whether the database holds no organization, school, person or account (a migrated one holds none)."""
    return not any(m.objects.exists() for m in (PartyOrganization, School, Person, User))


def generate(scale=0.01, seed=DEFAULT_SEED, today=None, steps=None, progress=None):
    """Generate the province and write it through the services; the counts, the seconds and rows of each
    step, the accounts and what to bench with (a district bureau's code and a school id).
    ``progress(chunk, done, total, seconds)`` after each district. Refused in production mode."""
    if settings.PRODUCTION:
        raise GenerationRefusedError("benchmark data is never written in production mode")
    if not 0 < scale <= 1:
        raise ValueError("scale is a number above 0 and at most 1")
    province = Province(seed=seed, scale=scale, today=today or TODAY)
    steps = steps or STEPS
    with acting(Actor(label=ACTOR)):
        for step in (s for s in steps if s.per == "start"):
            with transaction.atomic(), writing(SYSTEM):
                run(province, step, province)
        for done, chunk in enumerate(province.chunks, start=1):
            started = time.perf_counter()
            # One transaction per district; the collector paused while it is drawn and written (its objects
            # hold cycles: plans and their schools), then run once it is dropped, so that memory stays flat.
            with collector_paused(), transaction.atomic(), writing(SYSTEM):
                for step in (s for s in steps if s.per == "chunk"):
                    run(province, step, province, chunk)
            chunk.drop()
            gc.collect()
            if progress is not None:
                progress(chunk, done, len(province.chunks), time.perf_counter() - started)
        for step in (s for s in steps if s.per == "end"):
            with transaction.atomic(), writing(SYSTEM):
                run(province, step, province)
    return {
        "seed": seed,
        "scale": scale,
        "today": province.today.isoformat(),
        "root": ROOT[0],
        "counts": dict(province.counts),
        "seconds": dict(province.seconds),
        "rows": dict(province.rows),
        "accounts": province.accounts,
        **province.bench,
    }


def run(province, step, *args):
    started = time.perf_counter()
    written = step.run(*args) or {}
    province.seconds[step.name] += time.perf_counter() - started
    for what, count in written.items():
        province.counts[what] += count
    province.rows[step.name] += sum(written.values())
