"""A synthetic city shaped like Changsha, for the demo: ``manage.py seed_demo --size city``.

On top of the small handmade set (``data.py``) it generates about 1,000 schools of every type in the
districts and counties of ``data.DISTRICT_ORGS`` and under the city itself, their party organizations,
about 30,000 staff with their memberships and titles, dispatches to private schools, start-up funds and
organizations received from outside the education system, and member development: a case for every
person admitted from 2015 on (``development.py``: the admission on the membership's date, the conversion
on its full membership) and open cases of applicants at every stage. Everything is drawn from seeded
random generators, so a seed always gives the same city (the open cases are dated back from the day of
the generation: the same seed and day give the same city).

The city is built so that the figures of the bureau's report (metrics.md, "seed figure") come out of
the records exactly, for the root scope, counting the handmade records too: the generator first
measures what the records already in the database give, then generates the rest. At ``scale`` 1 the
figures are exact; a smaller scale (for tests) makes a proportionally smaller city with the same shape.

Writing is in bulk: organizations get their materialized paths computed here (treebeard's ``steplen``
and ``alphabet``), every object is written with ``bulk_create_audited`` (one create record each), and
the coverage links get the same "schools" change record on their organization that the signal handler
writes for a single ``org.schools.set``.
"""

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from redengine.core.codes import DISTRICTS
from redengine.core.context import command_actor
from redengine.core.crypto import get_provider
from redengine.core.metrics import Period, compute_all
from redengine.core.services import Item
from redengine.core.validators import make_id_number, parse_id_number
from redengine.core.writes import SYSTEM, writing
from redengine.development.rules import add_months
from redengine.orgs import rules
from redengine.orgs import services as org_services
from redengine.orgs.models import GrantStandard, PartyOrganization, School, StartupGrant
from redengine.people import services as people_services
from redengine.people.models import CommitteePost, Dispatch, Honor, Membership, Person, add_years

from . import data, development, words

D = datetime.date
DAY = datetime.timedelta(days=1)

DEFAULT_SEED = 2019
# The generated records are dated up to this day, so that a seed gives the same city whenever it runs.
AS_OF = D(2026, 6, 30)
# Generated school codes are the district code and a number from 1001 (the handmade ones stay below 1000);
# a school in that range marks the city as generated already.
FIRST_NUMBER = 1001

# The report's figures (metrics.md) that the records must give for the root scope, handmade records included.
YEAR = Period.of(2019)
SPAN = Period.of(first=2017, last=2019)
FIVE_YEARS = Period.of(first=2015, last=2019)
COUNT_TARGETS = {
    "orgs.school_orgs": (YEAR, 623),
    "orgs.received": (SPAN, 22),
    "private.dispatched": (SPAN, 32),
    "private.new_orgs": (SPAN, 24),
}
# (holders, of whom party members) at the end of 2019: 80%, 97%, 95%.
SHARE_TARGETS = {
    "cultivation.member_share.backbone": (1250, 1000),
    "cultivation.member_share.principals": (100, 97),
    "cultivation.member_share.studio": (100, 95),
}
# 286 骨干教师 admitted in 2015–2019, of all admitted then: 286 / 1362 = 21% (the report's 近五年 figure),
# as cultivation.backbone_developed counts them: from the memberships, with a case or without.
DEVELOPED_TARGET = (286, 1362)
# Development cases: every person admitted from this day on has one (the development records begin
# then); applicants with an open case at stage 1 to 4 today, and cases given up before the admission.
DEVELOPMENT_FROM = D(2015, 1, 1)
OPEN_APPLICANTS = 600
WITHDRAWN = 40
STAGE_SHARES = [(1, 18), (2, 50), (3, 18), (4, 14)]
STALLED_SHARE = 0.15  # applicants whose next step is late (an assessment, a talk, an approval)
STAFF = 30000

# Generated schools at scale 1 (with the 18 handmade ones about 1,000) and the profile of each district or
# county of data.DISTRICT_ORGS, and of the city itself (city-direct schools, 430100).
DISTRICT_SIZES = {
    "430100": (40, "city"),
    "430102": (72, "urban"),
    "430103": (80, "urban"),
    "430104": (118, "mixed"),
    "430105": (88, "urban"),
    "430111": (110, "urban"),
    "430112": (88, "suburban"),
    "430121": (128, "county"),
    "430181": (140, "county"),
    "430182": (118, "county"),
}
DISTRICT_PLAN = [
    (code, *DISTRICT_SIZES.get(code, (60, "county")))
    for code in [data.ROOT[3]] + [district for *_, district in data.DISTRICT_ORGS]
]
TYPE_SHARES = [
    ("kindergarten", 38),
    ("primary", 37),
    ("junior", 9),
    ("nine_year", 7),
    ("complete_secondary", 3),
    ("senior", 2),
    ("vocational", 2),
    ("twelve_year", 1),
    ("special", 1),
]
# City-direct schools (市直, city-managed), most important first so that a small city has a mix.
CITY_SCHOOLS = (
    [("complete_secondary", "public"), ("twelve_year", "private"), ("vocational", "public")]
    + [("senior", "public"), ("special", "public"), ("nine_year", "private"), ("kindergarten", "public")]
    + [("complete_secondary", "public")] * 11
    + [("senior", "public")] * 4
    + [("vocational", "public")] * 5
    + [("vocational", "private")] * 2
    + [("twelve_year", "private")] * 2
    + [("nine_year", "private"), ("nine_year", "public"), ("complete_secondary", "private")]
    + [("primary", "public")] * 2
    + [("kindergarten", "public")] * 2
    + [("kindergarten", "private"), ("special", "public")]
)
URBAN_RURAL = {
    "city": [("urban", 1)],
    "urban": [("urban", 95), ("town", 5)],
    "mixed": [("urban", 70), ("town", 15), ("rural", 15)],
    "suburban": [("urban", 35), ("town", 35), ("rural", 30)],
    "county": [("urban", 20), ("town", 35), ("rural", 45)],
}
PRIVATE_SHARE = {
    "kindergarten": 0.55,
    "primary": 0.04,
    "junior": 0.08,
    "nine_year": 0.15,
    "complete_secondary": 0.15,
    "senior": 0.2,
    "vocational": 0.35,
    "twelve_year": 0.8,
    "special": 0.0,
}
# Staff of an urban school (smallest, largest); towns have fewer, villages far fewer.
HEADCOUNT = {
    "kindergarten": (10, 30),
    "primary": (45, 110),
    "junior": (60, 130),
    "nine_year": (50, 140),
    "complete_secondary": (120, 260),
    "senior": (90, 200),
    "vocational": (60, 180),
    "twelve_year": (120, 250),
    "special": (20, 60),
}
SIZE_FACTOR = {"urban": 1.0, "town": 0.7, "rural": 0.35}
# Share of party members among the staff of public schools (private schools have far fewer).
MEMBER_RATE = {
    "kindergarten": 0.3,
    "primary": 0.44,
    "junior": 0.5,
    "nine_year": 0.46,
    "complete_secondary": 0.56,
    "senior": 0.56,
    "vocational": 0.46,
    "twelve_year": 0.5,
    "special": 0.42,
}
FEMALE_SHARE = {
    "kindergarten": 0.95,
    "primary": 0.75,
    "junior": 0.6,
    "nine_year": 0.66,
    "complete_secondary": 0.52,
    "senior": 0.5,
    "vocational": 0.5,
    "twelve_year": 0.6,
    "special": 0.7,
}
# Coverage gaps left on purpose at scale 1, so that the coverage page has something to show.
GAPS = {"joint_grown": 2, "public_small": 3, "public_bare": 1, "private_bare": 2}
OVERDUE_SHARE = 0.07
# School-level organizations founded after 2019, at least (at scale 1).
LATER_UNITS = 20  # organizations whose term has run out without an election


# School names by (kind, variant): {p} the district (or 长沙市), {street}, {town}, {place} (street or town),
# {seat} (街道 or 镇), {village}, {word} / {pword} / {kword} words of public, private and kindergarten
# names, {brand} and {campus} of the famous city schools, {voc} a trade, {n} and {k} numbers of a series.
NAME_TEMPLATES = {
    ("kindergarten", "private"): ["{p}{kword}幼儿园", "{p}{place}{kword}幼儿园"],
    ("kindergarten", "public"): [
        "{p}{place}{seat}中心幼儿园",
        "{p}{place}幼儿园",
        "{p}第{n}幼儿园",
        "{p}{place}实验幼儿园",
    ],
    ("kindergarten", "urban"): [
        "{p}{street}街道中心幼儿园",
        "{p}{street}幼儿园",
        "{p}第{n}幼儿园",
        "{p}{street}实验幼儿园",
    ],
    ("primary", "private"): ["{p}{pword}小学", "{p}{pword}实验小学"],
    ("primary", "urban"): ["{p}{street}小学", "{p}第{n}实验小学", "{p}{word}小学", "{p}{street}第{k}小学"],
    ("primary", "rural"): ["{p}{town}镇中心小学", "{p}{town}镇{village}小学", "{p}{town}镇{village}小学"],
    ("junior", "private"): ["{p}{pword}中学", "{p}{pword}实验中学"],
    ("junior", "urban"): ["{p}{street}中学", "{p}第{n}中学", "{p}{word}初级中学"],
    ("junior", "rural"): ["{p}{town}镇中学", "{p}{town}镇{village}中学"],
    ("secondary", "city"): ["长沙市{brand}{campus}中学", "长沙市第{n}中学"],
    ("secondary", "private"): ["{p}{pword}中学", "{p}{pword}高级中学"],
    ("secondary", "urban"): ["{p}第{n}中学", "{p}{word}中学", "{p}{street}中学"],
    ("secondary", "rural"): ["{p}第{n}中学", "{p}{town}中学", "{p}{word}中学"],
    ("nine_year", "private"): ["{p}{pword}实验学校", "{p}{pword}学校"],
    ("nine_year", "urban"): ["{p}{word}实验学校", "{p}{street}学校"],
    ("nine_year", "rural"): ["{p}{town}镇{village}学校", "{p}{town}学校"],
    ("twelve_year", "private"): ["{p}{pword}外国语学校", "{p}{pword}学校"],
    ("twelve_year", "public"): ["{p}{word}外国语学校", "{p}{word}学校"],
    ("vocational", "private"): ["{p}{voc}职业技术学校"],
    ("vocational", "public"): ["{p}{voc}职业中等专业学校", "{p}职业中专学校"],
    ("special", "public"): ["{p}特殊教育学校", "{p}{word}培智学校"],
}
# How long a numbered series may grow in a district (第十二幼儿园, but not 第三十实验小学).
NUMBERED_LIMIT = {"kindergarten": 12, "primary": 6, "junior": 10, "secondary": 12}


def chinese_number(n):
    """1 → 一, 12 → 十二, 25 → 二十五 (1 to 99)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    if not 0 < n < 100:
        return str(n)
    if tens == 0:
        return digits[ones]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def scaled(value, scale):
    return max(0, round(value * scale))


def add_days(day, days):
    return day + datetime.timedelta(days=days)


# Plan -------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class SchoolPlan:
    school: School
    mode: str = "own"  # own, joint, none (no organization), instructor (none, but an instructor)
    members: int = 0
    staff: list = field(default_factory=list)
    unit: object = None
    gap: str = ""

    @property
    def private(self):
        return self.school.ownership == "private"


@dataclass(eq=False)
class PersonPlan:
    person: Person
    school: SchoolPlan
    region: str
    birth: datetime.date
    sequence: int
    mobile: str
    principal: bool = False
    admitted: datetime.date | None = None
    organization: PartyOrganization | None = None
    full: datetime.date | None = None
    developed: bool = False  # held 骨干教师 when admitted (2015–2019), on purpose
    extension: int = 0  # months of extended probation
    honors: list = field(default_factory=list)  # (title, level, awarded, lapsed)

    def age_at(self, day):
        return day.year - self.birth.year - ((day.month, day.day) < (self.birth.month, self.birth.day))


@dataclass(eq=False)
class Unit:
    """A school-level organization: its schools and, for a committee or general branch, its branches."""

    kind: str  # own, joint, received
    org_type: str
    district: str
    schools: list
    founded: datetime.date | None = None
    org: PartyOrganization | None = None
    branches: list = field(default_factory=list)
    change: tuple | None = None  # received: (date, former parent, document number)
    parent: PartyOrganization | None = None
    secretary: tuple | None = None  # a dispatched secretary: (person, from)

    @property
    def private(self):
        return self.schools[0].private

    @property
    def city_managed(self):
        return self.schools[0].school.city_managed


@dataclass
class City:
    schools: list = field(default_factory=list)
    units: list = field(default_factory=list)
    orgs: list = field(default_factory=list)
    coverage: list = field(default_factory=list)  # (organization, school)
    numchild: dict = field(default_factory=dict)  # existing parent pk -> its new number of children
    parents: dict = field(default_factory=dict)  # id(organization) -> its parent
    today: datetime.date | None = None  # the day the open cases are dated back from
    people: list = field(default_factory=list)
    dispatches: list = field(default_factory=list)
    posts: list = field(default_factory=list)
    grants: list = field(default_factory=list)
    cases: list = field(default_factory=list)  # development.CasePlan


def measure():
    """What the records already in the database give for the figures the city must reproduce."""
    root = PartyOrganization.objects.get(code=data.ROOT[0])
    base = {}
    for name, (period, _target) in COUNT_TARGETS.items():
        base[name] = compute_all(root, period, [name])[name]["value"]
    for name in SHARE_TARGETS:
        figure = compute_all(root, YEAR, [name])[name]
        base[name] = (figure.get("denominator") or 0, figure["value"])
    figure = compute_all(root, FIVE_YEARS, ["cultivation.backbone_developed"])[
        "cultivation.backbone_developed"
    ]
    base["developed"] = (figure["value"], figure["denominator"])
    return base


def developed_counts(period):
    """(people admitted within the period who held 骨干教师 when admitted, all people admitted then), from
    the memberships, as the registered metric counts them (the handmade members admitted without a case
    are counted too)."""
    admitted = Membership.objects.filter(admitted_on__range=(period.start, period.end))
    held = Honor.objects.filter(
        person=OuterRef("person"), title="backbone_teacher", awarded_on__lte=OuterRef("admitted_on")
    ).filter(Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=OuterRef("admitted_on")))
    developed = admitted.filter(Exists(held)).values("person").distinct().count()
    return developed, admitted.values("person").distinct().count()


def generated_schools():
    """The schools of the generated city: those with a code in the generated range."""
    ranges = Q()
    for district, *_ in DISTRICT_PLAN:
        ranges |= Q(code__gte=f"{district}{FIRST_NUMBER}", code__lte=f"{district}9999")
    return School.objects.filter(ranges)


def exists():
    """Whether the city was generated already (the marker: a school with a code in the generated range)."""
    return generated_schools().exists()


class Builder:
    """Draws the city in Python (nothing is written): schools, organizations, people, their records."""

    def __init__(self, seed=DEFAULT_SEED, scale=1.0, base=None, today=None):
        self.rng = random.Random(seed)  # noqa: S311 — demo data, not a secret
        self.seed = seed
        self.scale = scale
        # The open development cases are dated back from today (never before the generated records' day).
        self.today = max(today or timezone.localdate(), AS_OF)
        self.base = base if base is not None else measure()
        self.city = City()
        self.orgs = {o.code: o for o in PartyOrganization.objects.filter(depth__lte=2)}
        self.root = self.orgs[data.ROOT[0]]
        self.bureau = {o.district: o for o in self.orgs.values() if o.district}
        self.names = set(School.objects.values_list("name", flat=True))
        self.used_ids = set()
        self.known_index = set(Person.objects.values_list("id_number_index", flat=True))
        self.provider = get_provider()
        self.counters = defaultdict(int)

    # Helpers ---------------------------------------------------------------------------------------
    def chance(self, p):
        return self.rng.random() < p

    def pick(self, weighted):
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights)[0]

    def date_between(self, first, last):
        if last <= first:
            return first
        return add_days(first, self.rng.randint(0, (last - first).days))

    def target(self, name):
        """What the generated records must add to the records already there for a count figure."""
        return scaled(COUNT_TARGETS[name][1] - self.base[name], self.scale)

    # Build -----------------------------------------------------------------------------------------
    def build(self):
        self.make_schools()
        self.make_staff()
        self.choose_modes()
        self.make_units()
        self.date_units()
        self.make_orgs()
        self.choose_members()
        self.assign_memberships()
        self.make_titles()
        self.make_dispatches()
        self.make_grants()
        self.make_posts()
        self.balance_admissions()
        self.finish_people()
        self.fit_posts()
        self.make_development()
        self.city.today = self.today
        return self.city

    # Schools ----------------------------------------------------------------------------------------
    def make_schools(self):
        for district, count, profile in DISTRICT_PLAN:
            n = max(1, round(count * self.scale))
            if profile == "city":
                kinds = list(CITY_SCHOOLS[:n])
            else:
                kinds = []
                for school_type, quota in self.quotas(n):
                    kinds += [(school_type, None)] * quota
                self.rng.shuffle(kinds)
            for number, (school_type, ownership) in enumerate(kinds, start=FIRST_NUMBER):
                area = self.pick(URBAN_RURAL[profile])
                if ownership is None:
                    share = PRIVATE_SHARE[school_type] * (0.7 if area == "rural" else 1)
                    ownership = "private" if self.chance(share) else "public"
                school = School(
                    code=f"{district}{number:04d}",
                    district=district,
                    ownership=ownership,
                    school_type=school_type,
                    urban_rural=area,
                    city_managed=district == data.ROOT[3],
                )
                school.name = self.school_name(school)
                self.city.schools.append(SchoolPlan(school))

    def quotas(self, n):
        """Largest-remainder split of ``n`` schools by TYPE_SHARES."""
        total = sum(w for _, w in TYPE_SHARES)
        exact = [(t, n * w / total) for t, w in TYPE_SHARES]
        quotas = {t: math.floor(x) for t, x in exact}
        rest = sorted(exact, key=lambda tx: tx[1] - math.floor(tx[1]), reverse=True)
        for t, _ in rest[: n - sum(quotas.values())]:
            quotas[t] += 1
        return list(quotas.items())

    def numbered(self, key, limit):
        """The next number of a series (第三实验小学), in Chinese; None once the series is long enough."""
        if self.counters[key] >= limit:
            return None
        self.counters[key] += 1
        return chinese_number(self.counters[key])

    def school_name(self, school):
        """A plausible name: district (or 长沙市), a street, town, village or word, and the school's kind."""
        district, area, rng = school.district, school.urban_rural, self.rng
        city = district == data.ROOT[3]
        prefix = "长沙市" if city else DISTRICTS[district]
        kind = school.school_type
        if kind in {"senior", "complete_secondary"}:
            kind = "secondary"
        if school.ownership == "private" or kind in {"special", "twelve_year"}:
            variant = school.ownership
        elif city and kind == "secondary":
            variant = "city"
        else:
            variant = "urban" if area == "urban" else "rural"
        templates = NAME_TEMPLATES.get((kind, variant)) or NAME_TEMPLATES[(kind, "public")]
        for _attempt in range(60):
            street = rng.choice(words.STREETS[district])
            town = rng.choice(words.TOWNS[district])
            template = rng.choice(templates)
            series = {"{n}": (district, kind), "{k}": (district, street)}
            numbers = {}
            for mark, key in series.items():
                if mark in template:
                    numbers[mark[1]] = self.numbered(key, 3 if mark == "{k}" else NUMBERED_LIMIT[kind])
            if None in numbers.values():
                continue
            name = template.format(
                p=prefix,
                street=street,
                town=town,
                place=street if area == "urban" else town,
                seat="街道" if area == "urban" else "镇",
                village=rng.choice(words.VILLAGES),
                word=rng.choice(words.PUBLIC_WORDS),
                pword=rng.choice(words.PRIVATE_WORDS),
                kword=rng.choice(words.KINDERGARTEN_WORDS),
                brand=rng.choice(words.CITY_BRANDS),
                campus=rng.choice(words.CAMPUSES),
                voc=rng.choice(words.VOCATIONAL_WORDS),
                **numbers,
            ).replace("实验实验", "实验")
            if (
                kind == "secondary"
                and school.school_type == "senior"
                and variant != "private"
                and self.chance(0.4)
            ):
                name = name.removesuffix("中学") + "高级中学"
            if name not in self.names:
                self.names.add(name)
                return name
        name = f"{prefix}{school.code[-4:]}号学校"
        self.names.add(name)
        return name

    # Staff ------------------------------------------------------------------------------------------
    def make_staff(self):
        raw = []
        for plan in self.city.schools:
            school = plan.school
            low, high = HEADCOUNT[school.school_type]
            size = self.rng.uniform(low, high) * SIZE_FACTOR[school.urban_rural]
            if school.ownership == "private" and school.school_type != "twelve_year":
                size *= 0.8
            if school.city_managed and school.school_type in {"complete_secondary", "senior"}:
                size *= 1.3
            raw.append(size)
        total = scaled(STAFF, self.scale)
        factor = total / sum(raw)
        counts = [max(5, round(size * factor)) for size in raw]
        order = sorted(range(len(counts)), key=lambda i: -counts[i])
        i = 0
        while sum(counts) != total:
            k = order[i % len(order)]
            counts[k] += 1 if sum(counts) < total else (-1 if counts[k] > 5 else 0)
            i += 1
        for plan, n in zip(self.city.schools, counts, strict=True):
            plan.school.staff_headcount = n
            plan.staff = [self.make_person(plan, k) for k in range(n)]

    def make_person(self, plan, index):
        rng = self.rng
        school = plan.school
        post = "manager" if index < max(1, round(school.staff_headcount * 0.07)) else None
        if post is None:
            post = self.pick([("teacher", 86), ("support", 7), ("worker", 7)])
        female = FEMALE_SHARE[school.school_type] - (0.2 if post == "manager" else 0)
        male = not self.chance(female)
        low, high = {"manager": (34, 58), "worker": (28, 59)}.get(post, (22, 58))
        if index == 0:
            low = 40
        age = rng.randint(low, high if male else min(high, 55))
        birth = add_days(AS_OF, -(age * 365 + rng.randint(0, 364)))
        region = self.region(school.district)
        while True:
            sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
            if (region, birth, sequence) not in self.used_ids:
                self.used_ids.add((region, birth, sequence))
                break
        person = Person(
            name=self.person_name(male),
            post=post,
            front_line=post == "teacher" and self.chance(0.95) or post == "manager" and self.chance(0.3),
            education=self.education(school.school_type, post),
            ethnic_group=self.ethnic_group(region),
        )
        mobile = rng.choice(words.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        return PersonPlan(person, plan, region, birth, sequence, mobile, principal=index == 0)

    def region(self, district):
        roll = self.rng.random()
        if roll < 0.45:
            region = district if district != data.ROOT[3] else self.rng.choice(words.CHANGSHA_REGIONS)
        elif roll < 0.7:
            region = self.rng.choice(words.CHANGSHA_REGIONS)
        elif roll < 0.93:
            region = self.rng.choice(words.HUNAN_REGIONS)
        elif roll < 0.98:
            region = self.rng.choice(list(words.MINORITY_REGIONS))
        else:
            region = self.rng.choice(words.OTHER_PROVINCE_REGIONS)
        if region in words.RETIRED_REGION and self.chance(0.6):
            region = words.RETIRED_REGION[region]  # registered before the county became a district or city
        return region

    def ethnic_group(self, region):
        return self.pick(words.MINORITY_REGIONS.get(region, words.MAJORITY_AREA_GROUPS))

    def person_name(self, male):
        rng = self.rng
        surname = self.pick(words.SURNAMES)
        own = words.GIVEN_MALE if male else words.GIVEN_FEMALE
        if self.chance(0.25):
            return surname + rng.choice(own)
        first = rng.choice(words.GIVEN_COMMON) if self.chance(0.5) else rng.choice(own)
        return surname + first + rng.choice(own)

    def education(self, school_type, post):
        if post == "worker":
            return self.pick([("senior_secondary", 45), ("junior_or_below", 25), ("college", 30)])
        if post == "support":
            return self.pick([("bachelor", 50), ("college", 40), ("secondary_vocational", 10)])
        if post == "manager":
            return self.pick([("bachelor", 60), ("master", 38), ("doctorate", 2)])
        if school_type == "kindergarten":
            return self.pick([("college", 50), ("bachelor", 40), ("secondary_vocational", 10)])
        if school_type in {"primary", "special"}:
            return self.pick([("bachelor", 70), ("college", 20), ("master", 10)])
        return self.pick([("bachelor", 65), ("master", 33), ("doctorate", 2)])

    # Organizations ----------------------------------------------------------------------------------
    def choose_modes(self):
        """Own organization, joint branch, instructor or nothing, and the number of members of each school."""
        for plan in self.city.schools:
            school, n = plan.school, plan.school.staff_headcount
            small_type = school.school_type in {"kindergarten", "primary", "nine_year"}
            if plan.private:
                if school.city_managed or n >= 30 or (school.school_type != "kindergarten" and n >= 20):
                    plan.mode = "own"
                else:
                    plan.mode = "joint" if self.chance(0.6) else "instructor"
            elif small_type and (n < 16 or (n < 24 and school.urban_rural != "urban")):
                plan.mode = "joint" if self.chance(0.75) else "none"
            else:
                plan.mode = "own"
            if plan.mode == "own":
                plan.members = self.own_members(plan)
            elif plan.mode == "joint":
                plan.members = self.pick([(1, 45), (2, 40), (0, 15 if plan.private else 0)])
        self.make_gaps()

    def make_gaps(self):
        """A handful of schools that break the coverage rule (metrics.md), for the coverage page."""
        rng = self.rng
        joint = [p for p in self.city.schools if p.mode == "joint" and not p.private]
        rng.shuffle(joint)
        for plan in joint[: scaled(GAPS["joint_grown"], self.scale)]:
            plan.members, plan.gap = rng.choice([3, 4]), "joint_grown"
        small = [p for p in self.city.schools if p.mode == "none" and not p.private]
        rng.shuffle(small)
        count = scaled(GAPS["public_small"], self.scale)
        for plan in small[:count]:
            plan.members, plan.gap = rng.choice([1, 2]), "public_small"
        for plan in small[count : count + scaled(GAPS["public_bare"], self.scale)]:
            plan.members, plan.gap = 4, "public_bare"
        bare = [p for p in self.city.schools if p.mode == "instructor" and not p.school.city_managed]
        rng.shuffle(bare)
        for plan in bare[: scaled(GAPS["private_bare"], self.scale)]:
            plan.mode, plan.gap = "none", "private_bare"

    def make_units(self):
        units = self.city.units
        for plan in self.city.schools:
            if plan.mode == "own":
                kind = (
                    "committee"
                    if plan.members >= rules.COMMITTEE_FROM
                    else "general_branch"
                    if plan.members >= rules.GENERAL_BRANCH_FROM
                    else "branch"
                )
                plan.unit = Unit("own", kind, plan.school.district, [plan])
                units.append(plan.unit)
        candidates = defaultdict(list)
        for plan in self.city.schools:
            if plan.mode == "joint":
                candidates[(plan.school.district, plan.private)].append(plan)
        for (district, _private), plans in candidates.items():
            for group in self.groups(plans):
                if len(group) == 1:
                    plan = group[0]
                    plan.mode = "instructor" if plan.private else "none"
                    plan.members = 0 if plan.private else plan.members
                    continue
                full = sum(p.members for p in group if not p.gap)
                if full < rules.OWN_ORGANIZATION_FROM:
                    for p in group:
                        if not p.gap and full < rules.OWN_ORGANIZATION_FROM and p.members < 2:
                            full += 2 - p.members
                            p.members = 2
                unit = Unit("joint", "joint_branch", district, group)
                for p in group:
                    p.unit = unit
                units.append(unit)
        self.top_up_units()
        units.sort(key=lambda u: u.schools[0].school.code)
        self.receive_units()

    def own_members(self, plan):
        school, n = plan.school, plan.school.staff_headcount
        rate = MEMBER_RATE[school.school_type] * (0.3 if plan.private else 1)
        if school.city_managed:
            rate += 0.05
        members = round(n * rate * self.rng.uniform(0.85, 1.15))
        return min(n, max(3 + (n >= 10), members), 49 if plan.private else n)

    def top_up_units(self):
        """Enough school-level organizations for the report's figure at the end of 2019 and a few founded
        since: if the draw gave too few, the biggest schools of joint branches get a branch of their own."""
        units = self.city.units
        needed = self.target("orgs.school_orgs") + scaled(LATER_UNITS, self.scale)
        candidates = sorted(
            (p for u in units if u.kind == "joint" and not u.private for p in u.schools if not p.gap),
            key=lambda p: -p.school.staff_headcount,
        )
        for plan in candidates:
            if len(units) >= needed:
                break
            group = plan.unit
            if len(group.schools) < 3:
                continue
            group.schools.remove(plan)
            if sum(p.members for p in group.schools) < rules.OWN_ORGANIZATION_FROM:
                group.schools[0].members = 2
                group.schools[1].members = max(group.schools[1].members, 1)
            plan.mode, plan.members = "own", self.own_members(plan)
            plan.unit = Unit("own", "branch", plan.school.district, [plan])
            units.append(plan.unit)

    def receive_units(self):
        """Received organizations: public schools' branches that came from outside the education system."""
        units = self.city.units
        received = [
            u
            for u in units
            if u.kind == "own" and u.org_type == "branch" and not u.private and u.district != data.ROOT[3]
        ]
        self.rng.shuffle(received)
        in_span = self.target("orgs.received")
        earlier = scaled(4, self.scale)
        for i, unit in enumerate(received[: in_span + earlier]):
            unit.kind = "received"
            day = (
                self.date_between(SPAN.start, SPAN.end)
                if i < in_span
                else self.date_between(D(2014, 1, 1), D(2016, 12, 31))
            )
            street = self.rng.choice(words.STREETS[unit.district])
            town = self.rng.choice(words.TOWNS[unit.district])
            former = self.rng.choice(words.FORMER_PARENTS).format(
                district=DISTRICTS[unit.district],
                street=street,
                town=town,
                company=self.rng.choice(words.COMPANIES),
            )
            self.counters[("doc", unit.district, day.year)] += 1
            doc = f"{words.DOCUMENT_PREFIX[unit.district]}〔{day.year}〕{self.counters[('doc', unit.district, day.year)] * 3 + 4}号"
            unit.change = (day, former, doc)

    def groups(self, plans):
        """Split schools into joint-branch groups of 2 to 5 (a single leftover school stays alone)."""
        plans = sorted(plans, key=lambda p: p.school.code)
        groups, i = [], 0
        while i < len(plans):
            left = len(plans) - i
            size = left if left <= 5 else self.rng.randint(2, min(5, left - 2))
            groups.append(plans[i : i + size])
            i += size
        return groups

    def date_units(self):
        """Founding dates: exactly as many school-level organizations at the end of 2019 as the report says,
        and exactly as many founded in private schools in 2017–2019."""
        units = self.city.units
        pre_target = self.target("orgs.school_orgs")
        new_target = self.target("private.new_orgs")
        private = [u for u in units if u.private]
        city_private = [u for u in private if u.city_managed]
        other_private = [u for u in private if not u.city_managed]
        self.rng.shuffle(other_private)
        keep_city = max(0, len(city_private) - math.ceil(len(city_private) * 2 / 3))
        new = (city_private[keep_city:] + other_private)[:new_target]
        older_city = city_private[:keep_city]
        later_count = max(0, len(units) - pre_target)
        later = [u for u in other_private if u not in new][:later_count]
        if len(later) < later_count:
            public_joint = [u for u in units if not u.private and u.kind == "joint"]
            public_own = sorted(
                (u for u in units if not u.private and u.kind == "own"),
                key=lambda u: u.schools[0].school.staff_headcount,
            )
            later += (public_joint + public_own)[: later_count - len(later)]
        later_set, new_set = set(map(id, later)), set(map(id, new))
        for unit in units:
            if id(unit) in new_set:
                unit.founded = self.date_between(D(2017, 3, 1), D(2019, 12, 20))
            elif id(unit) in later_set:
                unit.founded = self.date_between(D(2020, 3, 1), D(2026, 5, 31))
            elif unit.kind == "received":
                unit.founded = self.date_between(D(1985, 1, 1), D(2010, 12, 31))
            elif unit.private:
                first = D(2008, 1, 1) if unit in older_city else D(2004, 1, 1)
                unit.founded = self.date_between(first, D(2016, 10, 31))
            elif unit.kind == "joint":
                unit.founded = self.date_between(D(2010, 1, 1), D(2019, 10, 31))
            else:
                first = D(1978, 1, 1) if unit.org_type != "branch" else D(1985, 1, 1)
                unit.founded = self.date_between(first, D(2016, 12, 31))

    def make_orgs(self):
        """Organization nodes with their materialized paths, election dates and coverage."""
        children = defaultdict(list)
        for unit in self.city.units:
            parent = self.bureau.get(unit.district) or self.root
            children[parent.code].append(unit)
        step = PartyOrganization.steplen
        for parent_code in sorted(children, key=lambda c: self.orgs[c].path):
            parent = self.orgs[parent_code]
            existing = PartyOrganization.objects.filter(
                path__startswith=parent.path, depth=parent.depth + 1
            ).order_by("-path")
            last = existing.values_list("path", flat=True).first()
            next_step = int(last[-step:], 36) + 1 if last else 1
            units = children[parent_code]
            for unit in units:
                head = unit.schools[0].school
                code = f"CS{unit.district}-{head.code[-4:]}"
                name = self.org_name(unit)
                org = self.new_org(
                    parent.path + self.step(next_step), code, name, unit.org_type, unit.founded, parent
                )
                next_step += 1
                unit.org, unit.parent = org, parent
                for plan in unit.schools:
                    self.city.coverage.append((org, plan.school))
                if unit.org_type in {"committee", "general_branch"}:
                    self.make_branches(unit)
            self.city.numchild[parent.pk] = parent.numchild + len(units)

    def make_branches(self, unit):
        plan = unit.schools[0]
        school = plan.school
        if unit.org_type == "committee":
            count = max(2, math.ceil(plan.members / 40))
        else:
            count = 2 if plan.members < 75 else 3
        sections = (
            words.SECTIONS_SECONDARY
            if school.school_type in {"complete_secondary", "senior", "twelve_year"}
            else words.SECTIONS_PRIMARY
            if school.school_type in {"primary", "nine_year"}
            else words.SECTIONS_OTHER
        )
        short = self.short_name(school)
        for k in range(count):
            section = (
                sections[k] if k < len(sections) else words.SECTIONS_OTHER[k % len(words.SECTIONS_OTHER)]
            )
            founded = self.date_between(max(unit.founded, D(1995, 1, 1)), D(2016, 12, 31))
            founded = max(founded, unit.founded)
            branch = self.new_org(
                unit.org.path + self.step(k + 1),
                f"{unit.org.code}-{k + 1:02d}",
                f"{short}{section}党支部",
                "branch",
                founded,
                unit.org,
            )
            unit.branches.append(branch)
            self.city.coverage.append((branch, school))
        unit.org.numchild = count

    def step(self, number):
        alphabet = PartyOrganization.alphabet
        digits = ""
        while number:
            number, remainder = divmod(number, len(alphabet))
            digits = alphabet[remainder] + digits
        return digits.rjust(PartyOrganization.steplen, alphabet[0])

    def new_org(self, path, code, name, org_type, founded, parent):
        """A new organization; its path here orders the generation (the service gives the stored one)."""
        org = PartyOrganization(
            path=path,
            depth=len(path) // PartyOrganization.steplen,
            numchild=0,
            code=code,
            name=name,
            org_type=org_type,
            founded_on=founded,
        )
        org.last_election_on = self.last_election(org_type, founded)
        org.election_due_on = rules.election_due(org_type, org.last_election_on, founded, None)
        self.city.orgs.append(org)
        self.city.parents[id(org)] = parent
        return org

    def last_election(self, org_type, founded):
        """Within the current term for most; a term run out without an election for a few."""
        years = rules.term_years(org_type)
        if not years or founded is None:
            return None
        if add_years(founded, years) > AS_OF:
            return founded  # the founding meeting elected the first committee
        if self.chance(OVERDUE_SHARE):
            latest = add_years(AS_OF, -years) - 30 * DAY
            return self.date_between(max(founded, add_years(latest, -2)), latest)
        return self.date_between(max(founded, add_years(AS_OF, -years) + 30 * DAY), AS_OF - 30 * DAY)

    def short_name(self, school):
        name = school.name
        for prefix in ("长沙市", DISTRICTS[school.district]):
            if name.startswith(prefix) and len(name) > len(prefix) + 2:
                return name[len(prefix) :]
        return name

    def org_name(self, unit):
        school = unit.schools[0].school
        if unit.kind == "joint":
            self.counters[("joint", unit.district, unit.private)] += 1
            n = chinese_number(self.counters[("joint", unit.district, unit.private)])
            prefix = "长沙市" if unit.district == data.ROOT[3] else DISTRICTS[unit.district]
            if unit.private:
                return f"中共{prefix}民办学校第{n}联合支部委员会"
            if school.urban_rural == "rural":
                return f"中共{prefix}农村学校第{n}联合支部委员会"
            kind = "幼儿园" if school.school_type == "kindergarten" else "学校"
            return f"中共{prefix}{kind}第{n}联合支部委员会"
        suffix = {"committee": "委员会", "general_branch": "总支部委员会"}.get(unit.org_type, "支部委员会")
        return f"中共{school.name}{suffix}"

    # Members ----------------------------------------------------------------------------------------
    def choose_members(self):
        """Which staff are party members and when they were admitted (18 or older)."""
        for plan in self.city.schools:
            if not plan.members:
                continue
            staff = plan.staff
            principal = staff[0]
            others = staff[1:]
            weights = [
                3 if p.person.post == "manager" else 2 if p.person.post == "teacher" else 1 for p in others
            ]
            chosen = []
            if not plan.private and self.chance(0.95) or plan.private and self.chance(0.2):
                chosen.append(principal)
            pool = list(zip(others, weights, strict=True))
            while len(chosen) < plan.members and pool:
                k = self.rng.choices(range(len(pool)), [w for _, w in pool])[0]
                chosen.append(pool.pop(k)[0])
            if len(chosen) < plan.members and principal not in chosen:
                chosen.append(principal)
            for i, person in enumerate(chosen):
                # The first members of a school that must be full members are admitted well in the past.
                person.admitted = self.admission(person, settled=i < 3 or plan.mode == "joint")

    def admission(self, person, settled=False):
        age_now = person.age_at(AS_OF)
        age = self.pick(
            [(self.rng.randint(19, 22), 40), (self.rng.randint(23, 35), 45), (self.rng.randint(36, 50), 15)]
        )
        if age >= age_now:  # not that old yet: admitted at college age instead
            age = self.rng.randint(19, min(22, age_now - 1))
        day = add_days(add_years(person.birth, age), self.rng.randint(0, 364))
        last = AS_OF - (800 * DAY if settled else 30 * DAY)
        # Old enough for a legal development path after the 18th birthday (DEV.AGE_MIN).
        first = development.earliest_admission(person.birth)
        return min(max(day, first), last)

    def assign_memberships(self):
        for plan in self.city.schools:
            members = [p for p in plan.staff if p.admitted]
            unit = plan.unit
            if unit is None:
                for person in members:
                    person.organization = self.bureau.get(plan.school.district) or self.root
            elif unit.branches:
                for i, person in enumerate(members):
                    person.organization = unit.branches[i % len(unit.branches)]
            else:
                for person in members:
                    person.organization = unit.org

    # Titles -----------------------------------------------------------------------------------------
    def make_titles(self):
        rng = self.rng
        people = [p for plan in self.city.schools for p in plan.staff]
        used = set()
        y2019 = YEAR.end

        def member_at_2019(p):
            return p.admitted is not None and p.admitted <= y2019

        def take(pool, count):
            pool = [p for p in pool if id(p) not in used]
            rng.shuffle(pool)
            chosen = pool[:count]
            used.update(map(id, chosen))
            return chosen

        # 骨干教师 and 卓越教师.
        holders, members = self.share_target("cultivation.member_share.backbone")
        developed_target, _ = self.developed_target()
        teachers = [
            p for p in people if p.person.post == "teacher" and p.person.front_line and p.birth.year <= 1993
        ]
        member_pool = [p for p in teachers if p.admitted and p.admitted <= D(2019, 6, 30)]
        other_pool = [p for p in teachers if not member_at_2019(p)]
        chosen_members = take(member_pool, members)
        developed = chosen_members[:developed_target]
        for person in developed:
            person.developed = True
            awarded = rng.choice([D(2013, 9, 10), D(2016, 9, 10), D(2016, 9, 10)])
            person.admitted = self.date_between(max(awarded + 60 * DAY, FIVE_YEARS.start), D(2019, 10, 31))
            person.honors.append(
                ("backbone_teacher", self.backbone_level(), awarded, self.lapse_after_2019(awarded))
            )
        for person in chosen_members[developed_target:]:
            self.award_backbone(person)
        for person in take(other_pool, holders - members):
            self.award_backbone(person)
        # Lapsed titles (not held at the end of 2019) and later cohorts.
        for person in take(teachers, scaled(180, self.scale)):
            awarded = rng.choice([D(2013, 9, 10), D(2016, 9, 10)])
            if self.would_count_as_developed(person, awarded, add_years(awarded, 3) - DAY):
                continue
            person.honors.append(
                ("backbone_teacher", self.backbone_level(), awarded, add_years(awarded, 3) - DAY)
            )
        for person in take(teachers, scaled(350, self.scale)):
            title = "excellent_teacher" if self.chance(0.1) else "backbone_teacher"
            awarded = rng.choice([D(2022, 9, 10), D(2025, 9, 10)])
            person.honors.append((title, self.backbone_level(title), awarded, None))

        # 首席名校长 and 名校长: principals.
        holders, members = self.share_target("cultivation.member_share.principals")
        principals = [p for p in people if p.principal and p.birth.year <= 1975]
        chosen = take([p for p in principals if member_at_2019(p) and p.admitted.year <= 2018], members)
        chosen += take(
            [p for p in principals if not member_at_2019(p)]
            or [p for p in people if p.person.post == "manager" and not member_at_2019(p)],
            holders - members,
        )
        for i, person in enumerate(chosen):
            chief = i < max(1, round(len(chosen) / 10))
            awarded = rng.choice([D(2014, 5, 4), D(2017, 5, 4), D(2019, 5, 4)])
            title = "chief_principal" if chief else "famous_principal"
            level = "city" if chief or self.chance(0.6) else "district"
            person.honors.append((title, level, awarded, None))
        for person in take(principals, scaled(6, self.scale)):
            person.honors.append(("famous_principal", "district", D(2011, 5, 4), D(2017, 5, 3)))
        for person in take(principals, scaled(12, self.scale)):
            person.honors.append(("famous_principal", "city", D(2022, 5, 4), None))

        # 名校长工作室学员: vice principals and senior teachers.
        holders, members = self.share_target("cultivation.member_share.studio")
        trainees = [
            p
            for p in people
            if p.person.post in {"manager", "teacher"} and not p.principal and 1969 <= p.birth.year <= 1989
        ]
        chosen = take([p for p in trainees if member_at_2019(p) and p.admitted.year <= 2018], members)
        chosen += take([p for p in trainees if not member_at_2019(p)], holders - members)
        for person in chosen:
            awarded = rng.choice([D(2018, 3, 1), D(2019, 3, 1)])
            lapsed = rng.choice([None, None, add_years(awarded, 3) - DAY])
            person.honors.append(("studio_trainee", "city", awarded, lapsed))
        for person in take(trainees, scaled(25, self.scale)):
            person.honors.append(("studio_trainee", "city", D(2015, 3, 1), D(2018, 2, 28)))
        for person in take(trainees, scaled(40, self.scale)):
            person.honors.append(("studio_trainee", "city", D(2022, 3, 1), None))

    def share_target(self, name):
        holders, members = SHARE_TARGETS[name]
        base_holders, base_members = self.base[name]
        return scaled(holders - base_holders, self.scale), scaled(members - base_members, self.scale)

    def developed_target(self):
        developed, admitted = DEVELOPED_TARGET
        base_developed, base_admitted = self.base["developed"]
        return scaled(developed - base_developed, self.scale), scaled(admitted - base_admitted, self.scale)

    def backbone_level(self, title="backbone_teacher"):
        if title == "excellent_teacher":
            return self.pick([("city", 40), ("district", 60)])
        return self.pick([("city", 20), ("district", 45), ("school", 35)])

    def lapse_after_2019(self, awarded):
        """No end, or an end after 2019 (the title is held at the end of 2019 either way)."""
        if self.chance(0.7):
            return None
        lapsed = add_years(awarded, 3) - DAY
        while lapsed <= YEAR.end:
            lapsed = add_years(lapsed, 3)
        return lapsed

    def award_backbone(self, person):
        """A 骨干教师 or 卓越教师 title held at the end of 2019, awarded after the person was admitted
        (so only the chosen ``developed`` people count as 骨干教师 developed into members)."""
        cohorts = [D(2013, 9, 10), D(2016, 9, 10), D(2018, 9, 10), D(2019, 9, 10)]
        if person.admitted and FIVE_YEARS.start <= person.admitted <= FIVE_YEARS.end:
            cohorts = [c for c in cohorts if c > person.admitted]
        awarded = self.rng.choice(cohorts)
        title = "excellent_teacher" if self.chance(0.12) else "backbone_teacher"
        person.honors.append((title, self.backbone_level(title), awarded, self.lapse_after_2019(awarded)))

    @staticmethod
    def would_count_as_developed(person, awarded, lapsed):
        admitted = person.admitted
        return bool(
            admitted
            and FIVE_YEARS.start <= admitted <= FIVE_YEARS.end
            and awarded <= admitted
            and (lapsed is None or lapsed > admitted)
        )

    # Private schools --------------------------------------------------------------------------------
    def make_dispatches(self):
        """Secretaries and instructors publicly dispatched to private schools (exactly the report's number
        in 2017–2019), later ones, and a few that are not counted (earlier, or not public)."""
        rng = self.rng
        units = self.city.units
        pool = defaultdict(list)
        for plan in self.city.schools:
            if plan.private:
                continue
            for p in plan.staff:
                senior = 33 <= p.age_at(AS_OF) <= 56 and not p.principal
                if (
                    senior
                    and p.admitted
                    and p.admitted.year <= 2014
                    and p.person.post in {"manager", "teacher"}
                ):
                    pool[plan.school.district].append(p)
        for people in pool.values():
            rng.shuffle(people)
        taken = set()

        def person_for(district):
            for key in [district, *sorted(pool)]:
                while pool[key]:
                    candidate = pool[key].pop()
                    if id(candidate) not in taken:
                        taken.add(id(candidate))
                        return candidate
            return None

        city_units = [u for u in units if u.private and u.city_managed and u.founded <= YEAR.end]
        instructed = [p for p in self.city.schools if p.mode == "instructor"]
        joint = [u for u in units if u.private and u.kind == "joint" and u.founded <= YEAR.end]
        own = [
            u for u in units if u.private and not u.city_managed and u.kind == "own" and u.founded <= YEAR.end
        ]
        rest = [("instructor", p) for p in instructed] + [("instructor", u.schools[0]) for u in joint]
        rest += [("secretary", u.schools[0]) for u in own]
        rng.shuffle(rest)
        slots = [("secretary", u.schools[0]) for u in city_units] + rest
        in_span = self.target("private.dispatched")
        covered = set()
        for i in range(in_span):
            role, plan = slots[i % len(slots)] if slots else (None, None)
            if plan is None:
                break
            start = D(2018, 11, 1) if plan.school.city_managed and i < len(city_units) else None
            start = start or self.date_between(D(2017, 3, 1), D(2019, 11, 30))
            end = None
            if role == "instructor" and self.chance(0.4):
                end = add_years(start, 3) - DAY
            self.dispatch(person_for(plan.school.district), role, plan, start, end, public=True)
            if end is None:
                covered.add(id(plan))
        # Every other school that relies on an instructor has one: sent before 2017 (districts began
        # earlier than the city) or after 2019.
        for plan in instructed:
            if id(plan) not in covered:
                if self.chance(0.7):
                    start = self.date_between(D(2014, 3, 1), D(2016, 10, 31))
                else:
                    start = self.date_between(D(2020, 3, 1), D(2026, 3, 1))
                self.dispatch(person_for(plan.school.district), "instructor", plan, start, None, public=True)
        later_own = [u for u in units if u.private and u.kind == "own" and u.founded > YEAR.end]
        for unit in later_own[: scaled(8, self.scale)]:
            start = max(unit.founded, D(2020, 3, 1))
            self.dispatch(person_for(unit.district), "secretary", unit.schools[0], start, None, public=True)
        # Not counted in 2017–2019: earlier ones, and ones the bureau did not send.
        for plan in [u.schools[0] for u in own][: scaled(3, self.scale)]:
            start = self.date_between(D(2015, 3, 1), D(2016, 9, 1))
            end = add_years(start, 2) - DAY
            self.dispatch(person_for(plan.school.district), "instructor", plan, start, end, public=True)
        for plan in [u.schools[0] for u in joint][: scaled(3, self.scale)]:
            start = self.date_between(D(2017, 3, 1), D(2019, 11, 30))
            self.dispatch(person_for(plan.school.district), "instructor", plan, start, None, public=False)

    def dispatch(self, person, role, plan, start, end, public):
        if person is None:
            return
        district = plan.school.district
        body = "长沙市教育局" if district == data.ROOT[3] else f"长沙市{DISTRICTS[district]}教育局"
        if not public:
            body = "长沙市民办教育协会"
        self.city.dispatches.append(
            Dispatch(
                person=person.person,
                role=role,
                school=plan.school,
                dispatching_body=body,
                public=public,
                start_on=start,
                end_on=end,
            )
        )
        if role == "secretary" and plan.unit is not None:
            plan.unit.secretary = (person, start)

    def make_grants(self):
        standards = {}
        for unit in self.city.units:
            if not unit.private or unit.founded < D(2017, 1, 1):
                continue
            key = (unit.org_type, unit.founded.year)
            if key not in standards:
                standards[key] = GrantStandard.amount_for(*key)
            amount = standards[key]
            approved = add_days(unit.founded, self.rng.randint(20, 90))
            if amount is None or approved > AS_OF:
                continue
            paid = add_days(approved, self.rng.randint(10, 60))
            self.city.grants.append(
                StartupGrant(
                    organization=unit.org,
                    amount=amount,
                    approved_on=approved,
                    paid_on=paid if paid <= AS_OF else None,
                )
            )

    def make_posts(self):
        """Each organization's secretary (and a committee's deputy and members) from its own members."""
        for unit in self.city.units:
            members = [
                p
                for plan in unit.schools
                for p in plan.staff
                if p.admitted and p.admitted < AS_OF - 800 * DAY
            ]
            members.sort(key=lambda p: (p.person.post != "manager", p.admitted))
            start = unit.org.last_election_on or unit.founded
            if unit.secretary:
                person, since = unit.secretary
                self.post(unit.org, person, "secretary", max(since, unit.founded))
            elif members:
                self.post(unit.org, members[0], "secretary", start)
            if unit.org_type in {"committee", "general_branch"}:
                kinds = ["deputy_secretary", "organizing", "propaganda", "discipline"]
                for kind, person in zip(kinds, members[1:5], strict=False):
                    self.post(unit.org, person, kind, start)
                for branch in unit.branches:
                    own = [p for p in members if p.organization is branch and not p.principal]
                    if own:
                        self.post(branch, own[-1], "secretary", branch.last_election_on or branch.founded_on)

    def fit_posts(self):
        """The posts as the post service takes them: held by a full member from the day the post begins (a
        probationary member holds none), one post per person and organization. A post that began before its
        holder's probation ended begins on the day it ended; the post of one still on probation is dropped."""
        plans = {id(p.person): p for p in self.city.people}
        kept, seen = [], set()
        for post in self.city.posts:
            plan = plans.get(id(post.person))
            key = (id(post.organization), id(post.person))
            if plan is None or plan.full is None or key in seen:
                continue
            seen.add(key)
            post.start_on = max(post.start_on, plan.full)
            kept.append(post)
        self.city.posts = kept

    def post(self, org, person, kind, start):
        self.city.posts.append(
            CommitteePost(organization=org, person=person.person, post=kind, start_on=start)
        )

    # Admissions -------------------------------------------------------------------------------------
    def balance_admissions(self):
        """Exactly as many people admitted in 2015–2019 as the report implies (286 is 21% of them): move
        admissions of people without 骨干教师 into or out of those years (never across the end of 2019)."""
        _, target = self.developed_target()
        people = [p for plan in self.city.schools for p in plan.staff if p.admitted]
        window = FIVE_YEARS

        def free(p):
            return not p.developed and not any(h[0] == "backbone_teacher" for h in p.honors)

        inside = [p for p in people if window.start <= p.admitted <= window.end]
        difference = len(inside) - target
        if difference > 0:
            movable = [p for p in inside if free(p) and add_years(p.birth, 19) < D(2014, 12, 31)]
            self.rng.shuffle(movable)
            for p in movable[:difference]:
                p.admitted = self.date_between(max(add_years(p.birth, 19), D(1995, 1, 1)), D(2014, 12, 31))
        elif difference < 0:
            latest = D(2019, 6, 30)
            movable = [
                p
                for p in people
                if p.admitted < window.start and free(p) and development.earliest_admission(p.birth) < latest
            ]
            self.rng.shuffle(movable)
            for p in movable[:-difference]:
                first = max(window.start, development.earliest_admission(p.birth))
                p.admitted = self.date_between(first, latest)

    # People -----------------------------------------------------------------------------------------
    def finish_people(self):
        """ID numbers and mobiles (validated, encrypted, indexed, masked), political status, memberships."""
        for plan in self.city.schools:
            for p in plan.staff:
                person = p.person
                person.school = plan.school
                while True:
                    parsed = parse_id_number(make_id_number(p.region, p.birth, p.sequence))
                    index = self.provider.blind_index(parsed.number)
                    if index not in self.known_index:
                        break
                    p.sequence = (p.sequence + 2) % 1000
                self.known_index.add(index)
                p.number = parsed.number  # given to the people service, which encrypts it
                person.sex, person.birth_date = parsed.sex, parsed.birth_date
                if p.admitted:
                    full = self.full_membership(p)
                    p.full = full
                    person.political_status = "member" if full else "probationary"
                else:
                    p.full = None
                    age = p.age_at(AS_OF)
                    person.political_status = self.pick(
                        [
                            ("league_member", 45 if age < 28 else 0),
                            ("democratic_party", 3),
                            ("non_partisan", 1),
                            ("masses", 60),
                        ]
                    )
                self.city.people.append(p)

    def full_membership(self, p):
        """The end of the probation (PROB.LENGTH, STANDING.START): a year after the admission, now and then
        extended once by 6 to 12 months (PROB.EXTEND); none while it has not ended by the records' day."""
        p.extension = self.rng.randint(6, 12) if self.chance(0.04) else 0
        full = add_months(p.admitted, 12 + p.extension)
        return full if full <= AS_OF else None

    # Development --------------------------------------------------------------------------------------
    def make_development(self):
        """Development cases (``development.py``): one for every person admitted from 2015 on, from the
        membership; open cases of applicants who are not members, at every stage today, some late; a
        few cases given up. A random generator of their own, so that the rest of the city stays as drawn."""
        rng = random.Random(f"{self.seed}-development")  # noqa: S311 — demo data, not a secret
        people = self.city.people
        members = [p for p in people if p.admitted]
        histories = development.Histories(rng, self.today, development.Contacts(rng, members))
        cases = self.city.cases
        # Admission passes through a branch (党章 art. 5; 细则 art. 21): a member attached to a district bureau's
        # committee (their school has no organization) has a membership and no case, as if admitted before
        # the platform. The history is still drawn, so that the rest of the city stays as drawn.
        for p in members:
            if p.admitted >= DEVELOPMENT_FROM:
                plan = histories.admitted(p, p.organization, converted=p.full is not None)
                if p.organization.org_type in rules.ADMITTING_TYPES:
                    cases.append(plan)
        applicants = [
            p
            for p in people
            if not p.admitted
            and p.person.political_status in {"masses", "league_member"}
            and p.person.post in {"teacher", "manager", "support"}
            and 21 <= p.age_at(self.today) <= 50
        ]
        rng.shuffle(applicants)
        opened = scaled(OPEN_APPLICANTS, self.scale)
        for p in applicants[:opened]:
            stage = self.pick_with(rng, STAGE_SHARES)
            stalled = 0
            if rng.random() < STALLED_SHARE:
                stalled = rng.randint(30, 150 if stage == 4 else 300)  # an approval never after six months
            plan = histories.applicant(p, self.case_organization(rng, p), stage, stalled)
            if plan is not None and plan.organization.org_type in rules.ADMITTING_TYPES:
                cases.append(plan)
        for p in applicants[opened : opened + scaled(WITHDRAWN, self.scale)]:
            plan = histories.withdrawn(p, self.case_organization(rng, p))
            if plan is not None and plan.organization.org_type in rules.ADMITTING_TYPES:
                cases.append(plan)

    def case_organization(self, rng, p):
        """Where a person who is not a member is developed: the school's organization (a branch of its
        committee or general branch), else the district's bureau (which opens no case: the caller skips it)."""
        unit = p.school.unit
        if unit is None:
            return self.bureau.get(p.school.school.district) or self.root
        return rng.choice(unit.branches) if unit.branches else unit.org

    @staticmethod
    def pick_with(rng, weighted):
        values, weights = zip(*weighted, strict=True)
        return rng.choices(values, weights)[0]


# Writing ----------------------------------------------------------------------------------------------


ORG_FIELDS = ("code", "name", "org_type", "founded_on", "last_election_on")


def fields_of(obj, names):
    return {name: getattr(obj, name) for name in names}


def write(city):
    """Write the city through the services, in bulk (each record with its create record; actor: the current
    command): schools, organizations with the schools they cover, people with their memberships, titles,
    dispatches, committee posts, start-up funds, received organizations and member development."""
    counts = {}
    with writing(SYSTEM):
        schools = [plan.school for plan in city.schools]
        org_services.save_schools(
            [Item(fields_of(s, org_services.SCHOOLS.fields), obj=s) for s in schools], by=SYSTEM
        )
        counts["schools"] = len(schools)
        covered = defaultdict(list)
        for org, school in city.coverage:
            covered[id(org)].append(school)
        org_services.save_organizations(
            [
                Item(
                    {**fields_of(o, ORG_FIELDS), "parent": city.parents[id(o)], "schools": covered[id(o)]},
                    obj=o,
                )
                for o in city.orgs
            ],
            by=SYSTEM,
        )
        counts["organizations"] = len(city.orgs)
        people_services.save_people([person_item(p) for p in city.people], by=SYSTEM)
        counts["people"] = len(city.people)
        counts["memberships"] = sum(1 for p in city.people if p.admitted)
        honors = [
            Item(
                {
                    "person": p.person,
                    "title": title,
                    "level": level,
                    "awarded_on": awarded,
                    "lapsed_on": lapsed,
                }
            )
            for p in city.people
            for title, level, awarded, lapsed in p.honors
        ]
        people_services.award_titles(honors, by=SYSTEM)
        counts["titles"] = len(honors)
        dispatch_fields = ("person", "role", "school", "dispatching_body", "public", "start_on", "end_on")
        people_services.save_dispatches(
            [Item(fields_of(d, dispatch_fields), obj=d) for d in city.dispatches], by=SYSTEM
        )
        counts["dispatches"] = len(city.dispatches)
        post_fields = ("organization", "person", "post", "start_on")
        people_services.save_posts([Item(fields_of(p, post_fields), obj=p) for p in city.posts], by=SYSTEM)
        counts["committee posts"] = len(city.posts)
        grant_fields = ("organization", "amount", "approved_on", "paid_on")
        org_services.save_grants([Item(fields_of(g, grant_fields), obj=g) for g in city.grants], by=SYSTEM)
        counts["start-up funds"] = len(city.grants)
        changes = [
            Item(
                {
                    "organization": unit.org,
                    "old_parent_name": unit.change[1],
                    "new_parent": unit.parent,
                    "changed_on": unit.change[0],
                    "document_number": unit.change[2],
                }
            )
            for unit in city.units
            if unit.change
        ]
        org_services.AFFILIATIONS.save(changes, by=SYSTEM)
        counts["organizations received"] = len(changes)
        counts.update(development.write(city.cases, today=city.today))
    return counts


def person_item(p):
    person = p.person
    values = fields_of(person, ("name", "school", "post", "front_line", "education", "ethnic_group"))
    values.update(id_number=p.number, mobile=p.mobile, political_status=person.political_status)
    if p.admitted:
        values["membership"] = {"organization": p.organization, "admitted_on": p.admitted, "full_on": p.full}
    return Item(values, obj=person)


def generate(seed=DEFAULT_SEED, scale=1.0, today=None):
    """Generate and write the city unless it exists; the counts written, or None when it existed."""
    with command_actor("seed_demo"), transaction.atomic():
        if exists():
            return None
        city = Builder(seed=seed, scale=scale, today=today).build()
        return write(city)


def figures():
    """The report's figures as the records give them now, for the root scope (for the command's summary)."""
    root = PartyOrganization.objects.get(code=data.ROOT[0])
    result = {}
    for name, (period, target) in COUNT_TARGETS.items():
        result[name] = (compute_all(root, period, [name])[name]["value"], target)
    for name, (holders, members) in SHARE_TARGETS.items():
        figure = compute_all(root, YEAR, [name])[name]
        result[name] = (f"{figure['value']}/{figure.get('denominator')}", f"{members}/{holders}")
    name = "cultivation.backbone_developed"
    figure = compute_all(root, FIVE_YEARS, [name])[name]
    result[name] = (f"{figure['value']}/{figure['denominator']}", "{}/{}".format(*DEVELOPED_TARGET))
    return result
