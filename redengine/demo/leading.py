"""Party building leading education in the demo city: pioneer units (示范岗、示范班、志愿服务队) with their
service logs, the showcase library (党员故事、特色课堂、道德模范) and urban-rural school pairs (城乡结对) with their
activities, written through the three apps' services acting as ``SYSTEM`` in a few big batches, drawn from a
seeded random generator (the same seed and day give the same records).

The records are shaped so that the report's figures (metrics.md, "seed figure") come out of them for the
root scope: 412 units filed in 2015–2019 of which 298 certified by the end of 2019, at least 120 stories and
50 featured lessons published by the end of 2019, at least 200 pairs active in 2019. From 2020 on the city
goes on at about the same pace, and today some units wait for the district's filing or review and the
city's certification, some stories and lessons wait for publication, and some pairs have had no activity
for more than six months (the to-do lists show them).

History is written as the 示范创建 sheet writes it (``pioneer.services.record_imported_units``: a unit in
the state its dates say, its moves recorded as imported); the units of the last months go through the
moves one by one (``move_units``), as a district and the city make them.
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from redengine.core.codes import DISTRICTS
from redengine.core.metrics import Period, compute_all
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, writing
from redengine.orgs.models import PartyOrganization, School
from redengine.pairing import services as pairing
from redengine.pairing.models import SchoolPair
from redengine.pairing.rules import ActivityKind
from redengine.people.models import Membership, Person
from redengine.pioneer import services as pioneer
from redengine.pioneer.models import PioneerUnit
from redengine.pioneer.rules import CHECK, FILE, REJECT, REVIEW, UnitKind
from redengine.showcase import services as showcase
from redengine.showcase.models import Lesson, RoleModel, Story

from .city import DEFAULT_SEED

D = datetime.date
DAY = datetime.timedelta(days=1)

FIRST_YEAR = 2015
# metrics.md's seed figures for the root, 2015–2019 (and 2019 for the pairs)
FILED_2015_2019, CERTIFIED_2015_2019 = 412, 298
STORIES_BY_2019, LESSONS_BY_2019 = 126, 54
PAIRS_2019 = 206
UNITS_A_YEAR_LATER = 85  # units filed each year from 2020 on
CERTIFIED_SHARE_LATER = 0.7
PAIRS_ENDED_BEFORE_2019 = 18  # pairs of 2010–2017 that ended before 2019 (not active then)
NEW_PAIRS_A_YEAR = 14
IDLE_SHARE = 0.12  # running pairs with no activity for more than six months today

KINDS = [(UnitKind.POST, 45), (UnitKind.CLASS, 30), (UnitKind.TEAM, 25)]
POST_NAMES = [
    "共产党员示范岗",
    "党员先锋岗",
    "班主任示范岗",
    "教学能手示范岗",
    "后勤服务示范岗",
    "安全护导示范岗",
]
CLASS_GRADES = [
    "一年级",
    "二年级",
    "三年级",
    "四年级",
    "五年级",
    "六年级",
    "七年级",
    "八年级",
    "九年级",
    "高一",
    "高二",
]
TEAM_NAMES = [
    "党员志愿服务队",
    "红烛志愿服务队",
    "先锋志愿服务队",
    "爱心助学志愿服务队",
    "社区共建志愿服务队",
]
STANDARDS = ["师德师风第一标准，教书育人第一职责", "课堂教学规范、作业批改及时、家校沟通到位"]
IDENTITIES = ["佩戴党员徽章上岗，办公桌摆放党员示范岗标识", "公开党员身份，接受师生家长监督"]
COMMITMENTS = ["不让一个学生掉队，每周至少一次个别辅导", "带头参加志愿服务，每学期不少于 20 小时"]
SERVICE = ["校门口护学岗", "社区义务辅导", "敬老院慰问", "交通文明劝导", "图书馆整理", "留守儿童陪伴"]
PAIR_GOALS = "共享优质课程资源，开展送教下乡与跟岗学习，结对帮扶乡村青年教师成长"
ACTIVITY_KINDS = [
    (ActivityKind.TEACHING_VISIT, 35),
    (ActivityKind.SHADOWING, 25),
    (ActivityKind.JOINT_PARTY_DAY, 20),
    (ActivityKind.JOINT_CAMP, 10),
    (ActivityKind.CHARITY_SALE, 10),
]
ACTIVITY_TITLES = {
    ActivityKind.TEACHING_VISIT: "送教下乡：{subject}示范课",
    ActivityKind.SHADOWING: "乡村教师跟岗学习（{subject}）",
    ActivityKind.JOINT_PARTY_DAY: "城乡联合主题党日",
    ActivityKind.JOINT_CAMP: "城乡学生牵手夏令营",
    ActivityKind.CHARITY_SALE: "爱心义卖助学活动",
}
SUBJECTS = ["语文", "数学", "英语", "道德与法治", "科学", "音乐", "美术", "体育"]
STORIES_A_YEAR_LATER, LESSONS_A_YEAR_LATER, ROLE_MODELS_A_YEAR = 28, 12, 8
STORY_TITLES = [
    "扎根乡村三十年的{who}",
    "{who}：把党徽别在讲台上",
    "一支粉笔两袖清风——记{who}",
    "{who}和她的留守儿童之家",
    "{who}：深夜里亮着的那盏灯",
    "从“新手”到“骨干”：{who}的成长路",
    "{who}：送教路上的逆行者",
    "{who}：红烛精神照亮山区课堂",
]
STORY_PARTS = [
    "{who}是{school}的一名党员教师，从教以来始终坚守在教学一线。",
    "每天清晨，{who}总是第一个走进校园，在校门口迎接孩子们。",
    "班上有个孩子父母常年在外务工，{who}每周都抽出时间陪他写作业、谈心。",
    "疫情期间，{who}主动请缨，带领党员志愿服务队为学生送教上门。",
    "面对教学改革，{who}带头钻研新课标，把党史故事融入课堂教学。",
    "在城乡结对中，{who}多次到乡村学校送教，手把手带出了一批青年教师。",
    "{who}常说：“作为一名共产党员，就要在最需要的地方发光发热。”",
    "同事们评价{who}：讲台上是良师，生活中是益友。",
    "多年来，{who}先后获评优秀共产党员、骨干教师，但她始终说荣誉属于集体。",
    "在{who}的带动下，学校党支部的党员教师纷纷亮身份、作表率。",
]
STORY_TAGS = ["教书育人", "扶贫支教", "疫情防控", "城乡结对", "师德师风", "志愿服务", "青蓝工程"]
STORY_EVENTS = ["“初心”党员故事朗诵会", "红色故事分享会", "七一主题党日", "师德师风报告会"]
LESSON_THEMES = [
    "红色基因代代传",
    "党史故事进课堂",
    "劳动最光荣",
    "我和我的祖国",
    "学习雷锋好榜样",
    "绿水青山",
]
GRADES = ["一年级", "三年级", "五年级", "七年级", "八年级", "高一"]
DEEDS = [
    "拾金不昧，将捡到的钱包交还失主。",
    "坚持三年照顾独居老人，风雨无阻。",
    "勇敢救助落水同学，事迹感人。",
    "带领同学组建环保小队，守护家乡河流。",
    "孝老爱亲，悉心照料患病的奶奶。",
]
HONOURS = ["长沙市美德少年", "区道德模范（学生）", "湖南省新时代好少年", "校园道德之星"]
SURNAMES = "李王张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗"
GIVEN_NAMES = [
    "思远",
    "若曦",
    "子涵",
    "一诺",
    "雨桐",
    "浩然",
    "可欣",
    "俊熙",
    "梓萱",
    "博文",
    "欣怡",
    "宇航",
    "诗琪",
    "明轩",
]


def short_name(school):
    for prefix in ("长沙市", DISTRICTS.get(school.district, "")):
        if prefix and school.name.startswith(prefix) and len(school.name) > len(prefix) + 2:
            return school.name[len(prefix) :]
    return school.name


class Generator:
    """Draws the records from the schools, organizations and members recorded (nothing is written here)."""

    def __init__(self, seed, today):
        self.rng = random.Random(f"{seed}-leading")  # noqa: S311 — demo data, not a secret
        self.today = today
        self.schools = list(School.objects.order_by("code"))
        self.own_org = self.own_organizations()
        members = Membership.objects.filter(ended_on__isnull=True, person__school__isnull=False)
        self.members = defaultdict(list)  # school pk -> members (person pks), admitted by 2014
        for person, school, admitted in members.values_list(
            "person_id", "person__school_id", "admitted_on"
        ).order_by("person_id"):
            if admitted and admitted <= D(2014, 12, 31):
                self.members[school].append(person)
        self.staff = defaultdict(list)  # school pk -> a few teachers (person pks)
        for person, school in Person.objects.filter(school__isnull=False).values_list("pk", "school_id"):
            if len(self.staff[school]) < 12:
                self.staff[school].append(person)

    def own_organizations(self):
        """{school pk: the organization of its own highest in the tree, else a joint branch covering it}."""
        through = PartyOrganization.schools.through
        rows = through.objects.values_list(
            "school_id", "partyorganization_id", "partyorganization__org_type", "partyorganization__depth"
        )
        best = {}
        for school, org, org_type, depth in sorted(rows):
            key = (org_type == "joint_branch", depth)
            if school not in best or key < best[school][1]:
                best[school] = (org, key)
        orgs = PartyOrganization.objects.in_bulk([org for org, _key in best.values()])
        return {school: orgs[org] for school, (org, _key) in best.items()}

    def chance(self, p):
        return self.rng.random() < p

    def day_in(self, first, last):
        return first + datetime.timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    def pick(self, weighted):
        return self.rng.choices([k for k, _w in weighted], [w for _k, w in weighted])[0]

    # Pioneer units -------------------------------------------------------------------------------
    def units(self):
        """(history rows for the sheet's service, recent rows to move one by one)."""
        hosts = [s for s in self.schools if s.pk in self.own_org and self.members.get(s.pk)]
        used = defaultdict(set)
        plaques = defaultdict(int)
        history, recent = [], []

        def unit(year, filed, certified=None, revoked=None):
            school = self.rng.choice(hosts)
            kind = self.pick(KINDS)
            name = self.unit_name(kind, school, used[school.pk])
            people = self.members[school.pk]
            leader = self.rng.choice(people)
            members = self.rng.sample(people, min(len(people), self.rng.randint(3, 8)))
            values = {
                "kind": kind,
                "name": name,
                "school": school,
                "organization": self.own_org[school.pk],
                "leader": leader,
                "members": members,
                "standard": self.rng.choice(STANDARDS),
                "identity": self.rng.choice(IDENTITIES),
                "commitment": self.rng.choice(COMMITMENTS),
                "applied_on": filed,
                "filed_on": filed,
            }
            if certified:
                plaques[certified.year] += 1
                values |= {
                    "certified_on": certified,
                    "plaque_number": f"长教党示〔{certified.year}〕{plaques[certified.year]:03d}号",
                    "revoked_on": revoked,
                }
            return values

        # 2015–2019: 412 filed, of which 298 certified by the end of 2019 (some filed in late 2019 are
        # certified in 2020; revocations only after 2019, so that the 298 stand).
        certified_flags = [True] * CERTIFIED_2015_2019 + [False] * (FILED_2015_2019 - CERTIFIED_2015_2019)
        self.rng.shuffle(certified_flags)
        for certified in certified_flags:
            year = self.rng.choice(range(FIRST_YEAR, 2020))
            filed = self.day_in(D(year, 3, 1), D(year, 11, 30))
            if certified:
                when = min(filed + datetime.timedelta(days=self.rng.randint(90, 240)), D(2019, 12, 20))
                when = max(when, filed + DAY)
                revoked = self.day_in(D(2021, 3, 1), D(2024, 12, 1)) if self.chance(0.04) else None
                history.append(unit(year, filed, when, revoked))
            elif year == 2019 and self.chance(0.5):
                history.append(unit(year, filed, self.day_in(D(2020, 1, 10), D(2020, 6, 30))))
            else:
                history.append(unit(year, filed))
        # 2020 to this year: about the same pace
        for year in range(2020, self.today.year + 1):
            last = min(D(year, 11, 30), self.today - datetime.timedelta(days=120))
            for _n in range(UNITS_A_YEAR_LATER if last > D(year, 3, 1) else 0):
                filed = self.day_in(D(year, 3, 1), last)
                certified = None
                if self.chance(CERTIFIED_SHARE_LATER):
                    certified = min(
                        filed + datetime.timedelta(days=self.rng.randint(90, 240)), self.today - DAY
                    )
                history.append(unit(year, filed, certified))
        # this year: waiting for a move (applied, filed, reviewed) — moved one by one
        for stage in [0] * 12 + [1] * 10 + [2] * 8:
            applied = self.day_in(
                self.today - datetime.timedelta(days=150), self.today - datetime.timedelta(days=20)
            )
            values = unit(self.today.year, applied)
            values.pop("filed_on")
            recent.append((values, stage))
        return history, recent

    def unit_name(self, kind, school, used):
        for _attempt in range(50):
            if kind == UnitKind.POST:
                name = self.rng.choice(POST_NAMES)
            elif kind == UnitKind.CLASS:
                name = f"{self.rng.choice(CLASS_GRADES)}（{self.rng.randint(1, 8)}）班党员示范班"
            else:
                name = self.rng.choice(TEAM_NAMES)
            if name not in used:
                break
            name = f"{name}（{len(used) + 1}）"
            if name not in used:
                break
        used.add(name)
        return name

    def checks(self, units):
        """The yearly checks (年度复核) of the certified units, 11 to 13 months apart; a few units' latest check
        is missing (past due today, on the district's to-do list)."""
        steps = []
        for unit in units:
            if not unit.certified_on or unit.revoked_on:
                continue
            day = unit.certified_on
            lax = self.chance(0.08)
            while True:
                day = day + datetime.timedelta(days=self.rng.randint(330, 395))
                if day >= self.today or (lax and day + datetime.timedelta(days=400) >= self.today):
                    break
                steps.append(pioneer.Step(unit, CHECK, day, "年度复核合格"))
        return steps

    def service_logs(self, units):
        """Volunteer teams' service: one to three activities a month while certified and not revoked."""
        logs = []
        for unit in units:
            if unit.kind != UnitKind.TEAM or not unit.certified_on:
                continue
            last = min(unit.revoked_on or self.today, self.today) - DAY
            month = D(unit.certified_on.year, unit.certified_on.month, 1)
            while month <= last:
                for _n in range(self.rng.randint(0, 2)):
                    day = self.day_in(month, min(month + datetime.timedelta(days=27), last))
                    if day < unit.certified_on:
                        continue
                    logs.append(
                        Item(
                            {
                                "unit": unit,
                                "date": day,
                                "hours": Decimal(self.rng.choice(["1.5", "2", "2.5", "3", "4"])),
                                "people": self.rng.randint(4, 18),
                                "activity": self.rng.choice(SERVICE),
                            }
                        )
                    )
                month = D(month.year + (month.month == 12), month.month % 12 + 1, 1)
        return logs

    # Pairs ---------------------------------------------------------------------------------------
    def pairs(self):
        urban = [s for s in self.schools if s.urban_rural == "urban"]
        rural = [s for s in self.schools if s.urban_rural in ("town", "rural")]
        self.rng.shuffle(urban)
        self.rng.shuffle(rural)
        rows, taken = [], set()

        stage = {  # schools of the same stage pair up (a kindergarten with a kindergarten)
            "kindergarten": "kindergarten",
            "primary": "primary",
            "special": "special",
            "vocational": "vocational",
        }
        rural_by = defaultdict(list)
        for school in rural:
            rural_by[stage.get(school.school_type, "secondary")].append(school)

        def pair(agreed, ended=None):
            for _attempt in range(100):
                a = self.rng.choice(urban)
                same = rural_by.get(stage.get(a.school_type, "secondary"))
                if not same:
                    continue
                b = self.rng.choice(same)
                if (a.pk, b.pk) not in taken:
                    taken.add((a.pk, b.pk))
                    return {
                        "urban": a,
                        "rural": b,
                        "agreed_on": agreed,
                        "ended_on": ended,
                        "goals": PAIR_GOALS,
                    }
            return None

        for _n in range(PAIRS_2019):  # active in 2019: agreed 2010–2019, not ended before 2019
            year = self.rng.choice(range(2010, 2020))
            agreed = self.day_in(D(year, 3, 1), D(year, 10, 31))
            ended = self.day_in(D(2022, 7, 1), D(2025, 7, 15)) if self.chance(0.15) else None
            rows.append(pair(agreed, ended))
        for _n in range(PAIRS_ENDED_BEFORE_2019):
            year = self.rng.choice(range(2010, 2016))
            agreed = self.day_in(D(year, 3, 1), D(year, 10, 31))
            rows.append(pair(agreed, self.day_in(D(year + 2, 6, 1), D(2018, 7, 15))))
        for year in range(2020, self.today.year + 1):
            for _n in range(NEW_PAIRS_A_YEAR):
                last = min(D(year, 10, 31), self.today - datetime.timedelta(days=30))
                if last < D(year, 3, 1):
                    break
                rows.append(pair(self.day_in(D(year, 3, 1), last)))
        return [r for r in rows if r]

    def activities(self, pairs):
        """Two to five activities a year from the agreement to the end (or today); the idle pairs stop."""
        items = []
        idle_from = self.today - datetime.timedelta(days=300)
        for pair in pairs:
            idle = pair.ended_on is None and self.chance(IDLE_SHARE)
            last = min(pair.ended_on or self.today, self.today) - DAY
            if idle:
                last = min(last, idle_from)
            year = max(pair.agreed_on.year, FIRST_YEAR)
            while D(year, 1, 1) <= last:
                first = max(pair.agreed_on, D(year, 1, 1))
                end = min(last, D(year, 12, 31))
                for _n in range(self.rng.randint(2, 5)):
                    if end < first:
                        break
                    kind = self.pick(ACTIVITY_KINDS)
                    teachers = self.staff[pair.urban_id][:2] + self.staff[pair.rural_id][:2]
                    chosen = self.rng.sample(teachers, min(len(teachers), self.rng.randint(1, 3)))
                    items.append(
                        Item(
                            {
                                "pair": pair,
                                "kind": kind,
                                "date": self.day_in(first, end),
                                "title": ACTIVITY_TITLES[kind].format(subject=self.rng.choice(SUBJECTS)),
                                "summary": "城区学校与乡村学校共同开展，双方党员教师参与。",
                                "teachers": [Person(pk=pk) for pk in chosen],
                                "students": self.rng.choice([0, 0, 20, 35, 50, 80]),
                            }
                        )
                    )
                year += 1
        return items

    # The showcase ------------------------------------------------------------------------------------
    def showcase(self, names):
        """(stories, lessons, role models): each (values, publication day or None, status today)."""
        hosts = [s for s in self.schools if self.members.get(s.pk)]
        stories, lessons, models = [], [], []

        def dated(year, count, by_2019):
            """Publication days: ``by_2019`` of them from 2016 to 2019, then ``count`` a year."""
            days = [
                self.day_in(D(self.rng.choice(range(2016, 2020)), 1, 5), D(2019, 12, 20))
                for _n in range(by_2019)
            ]
            for later in range(2020, self.today.year + 1):
                last = min(D(later, 12, 20), self.today - datetime.timedelta(days=15))
                days += [self.day_in(D(later, 1, 5), last) for _n in range(count) if last > D(later, 1, 5)]
            return sorted(days)

        for day in dated(None, STORIES_A_YEAR_LATER, STORIES_BY_2019):
            school = self.rng.choice(hosts)
            member = self.rng.choice(self.members[school.pk])
            who = names[member] + "老师"
            parts = self.rng.sample(STORY_PARTS, 6)
            text = "".join(p.format(who=who, school=short_name(school)) for p in parts)
            values = {
                "school": school,
                "title": self.rng.choice(STORY_TITLES).format(who=who),
                "text": text,
                "members": [member],
                "tags": "，".join(self.rng.sample(STORY_TAGS, 2)),
            }
            uses = [
                (
                    self.rng.choice(STORY_EVENTS),
                    min(day + datetime.timedelta(days=self.rng.randint(10, 90)), self.today),
                )
            ]
            stories.append((values, day, uses))
        for day in dated(None, LESSONS_A_YEAR_LATER, LESSONS_BY_2019):
            school = self.rng.choice(hosts)
            teacher = self.rng.choice(self.members[school.pk])
            subject, theme = self.rng.choice(SUBJECTS), self.rng.choice(LESSON_THEMES)
            values = {
                "school": school,
                "title": f"{theme}——{subject}特色课堂",
                "teacher": teacher,
                "subject": subject,
                "grade": self.rng.choice(GRADES),
                "theme": theme,
                "summary": f"以“{theme}”为主题，将党的创新理论和红色文化融入{subject}课堂。",
            }
            lessons.append((values, day, None))
        for year in range(2018, self.today.year + 1):
            for _n in range(ROLE_MODELS_A_YEAR):
                last = min(D(year, 12, 20), self.today - datetime.timedelta(days=15))
                if last <= D(year, 3, 1):
                    break
                day = self.day_in(D(year, 3, 1), last)
                values = {
                    "school": self.rng.choice(hosts),
                    "name": self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES),
                    "grade": self.rng.choice(GRADES),
                    "deed": self.rng.choice(DEEDS),
                    "honour": self.rng.choice(HONOURS),
                    "named_on": day,
                }
                models.append((values, day, None))
        return stories, lessons, models


def people_of(pks):
    found = Person.objects.in_bulk(sorted(set(pks)))
    return [found[pk] for pk in pks]


def write_showcase(draw, today):
    """The library: published items (on their day, moved as a reviewer does), a few waiting today."""
    members = {pk for school in draw.members.values() for pk in school}
    names = dict(Person.objects.filter(pk__in=members).values_list("pk", "name"))
    stories, lessons, models = draw.showcase(names)
    people = Person.objects.in_bulk(
        sorted({v["members"][0] for v, _d, _u in stories} | {v["teacher"] for v, _d, _u in lessons})
    )
    for values, _day, _uses in stories:
        values["members"] = [people[pk] for pk in values["members"]]
    for values, _day, _uses in lessons:
        values["teacher"] = people[values["teacher"]]
    counts = {}
    for label, model, record, rows in (
        ("member stories", Story, showcase.record_stories, stories),
        ("featured lessons", Lesson, showcase.record_lessons, lessons),
        ("role models", RoleModel, showcase.record_role_models, models),
    ):
        items = [Item(values, extra={"uses": uses} if uses else {}) for values, _day, uses in rows]
        written = record(items, by=SYSTEM)
        # the last few wait today: submitted for review, or still a draft
        waiting = max(2, len(written) // 20)
        published, pending = written[:-waiting], written[-waiting:]
        by_day = defaultdict(list)
        for obj, (_values, day, _uses) in zip(published, rows, strict=False):
            by_day[day].append(obj)
        for day, objs in sorted(by_day.items()):
            showcase.move_items(model, objs, "submit", by=SYSTEM, on=day)
            showcase.move_items(model, objs, "publish", by=SYSTEM, on=day)
        showcase.move_items(model, pending[: waiting // 2 + 1], "submit", by=SYSTEM, on=today)
        counts[label] = len(written)
    return counts


# metrics.md's seed figures of these apps: name -> (period, what the report says)
TARGETS = {
    "pioneer.filed": ("2015–2019", FILED_2015_2019),
    "pioneer.certified": ("2015–2019", CERTIFIED_2015_2019),
    "showcase.stories": ("2019", "120+"),
    "showcase.lessons": ("2019", "50+"),
    "pairing.pairs": ("2019", "200+"),
}


def figures():
    """The report's figures of these apps as the records give them now, for the root scope."""
    root = PartyOrganization.objects.get(depth=1)
    periods = {"2015–2019": Period.of(first=2015, last=2019), "2019": Period.of(2019)}
    return {
        name: (compute_all(root, periods[period], [name])[name]["value"], target)
        for name, (period, target) in TARGETS.items()
    }


HOME, HOME_RURAL = (
    "4301040002",
    "4301041015",
)  # the demo secretary's school (梅溪湖中学), a rural school of 岳麓区


def home_records(draw, today):
    """A few records at the demo secretary's school, so that each role of the demo meets the three apps: a
    certified volunteer team with its checks and service, a model post waiting for the district's filing, a
    story waiting for publication, and a pair with a rural school of the district and its activities."""
    school = School.objects.filter(code=HOME).first()
    rural = School.objects.filter(code=HOME_RURAL, urban_rural__in=["town", "rural"]).first()
    staff = {p.name: p for p in Person.objects.filter(school=school)} if school else {}
    if school is None or not {"梅溪湖王校长", "梅溪湖张老师"} <= set(staff) or school.pk not in draw.own_org:
        return {}
    lead, member = staff["梅溪湖王校长"], staff["梅溪湖张老师"]
    common = {
        "school": school,
        "organization": draw.own_org[school.pk],
        "leader": lead,
        "members": [lead, member],
    }
    (team,) = pioneer.record_imported_units(
        [
            Item(
                {
                    **common,
                    "kind": UnitKind.TEAM,
                    "name": "梅溪湖中学党员志愿服务队",
                    "standard": STANDARDS[0],
                    "identity": IDENTITIES[0],
                    "commitment": COMMITMENTS[1],
                    "applied_on": D(2023, 3, 10),
                    "filed_on": D(2023, 3, 10),
                    "certified_on": D(2023, 6, 20),
                    "plaque_number": "长教党示〔2023〕900号",
                }
            )
        ],
        by=SYSTEM,
    )
    pioneer.move_units(draw.checks([team]), by=SYSTEM)
    pioneer.record_service_logs(draw.service_logs([team]), by=SYSTEM)
    pioneer.record_units(
        [
            Item(
                {
                    **common,
                    "kind": UnitKind.POST,
                    "name": "初三年级党员示范岗",
                    "standard": STANDARDS[1],
                    "identity": IDENTITIES[1],
                    "commitment": COMMITMENTS[0],
                    "applied_on": today - datetime.timedelta(days=12),
                }
            )
        ],
        by=SYSTEM,
    )
    (story,) = showcase.record_stories(
        [
            Item(
                {
                    "school": school,
                    "title": "梅溪湖张老师：送教路上的逆行者",
                    "text": "".join(
                        p.format(who="梅溪湖张老师", school="梅溪湖中学") for p in STORY_PARTS[:6]
                    ),
                    "members": [member],
                    "tags": "城乡结对，送教下乡",
                }
            )
        ],
        by=SYSTEM,
    )
    showcase.move_items(Story, [story], "submit", by=SYSTEM)
    written = {"records at the demo secretary's school": 4}
    if rural and not SchoolPair.objects.filter(urban=school, rural=rural).exists():
        (pair,) = pairing.record_pairs(
            [Item({"urban": school, "rural": rural, "agreed_on": D(2021, 9, 1), "goals": PAIR_GOALS})],
            by=SYSTEM,
        )
        activities = draw.activities([pair])
        teachers = Person.objects.in_bulk(sorted({t.pk for i in activities for t in i.values["teachers"]}))
        for item in activities:
            item.values["teachers"] = [teachers[t.pk] for t in item.values["teachers"]]
        pairing.record_activities(activities, by=SYSTEM)
        written["records at the demo secretary's school"] += 1 + len(activities)
    return written


def city(seed=DEFAULT_SEED, today=None):
    """The city's pioneer units, pairs and showcase items; nothing if there are units already. Returns the
    counts written, by what."""
    if PioneerUnit.objects.exists() or SchoolPair.objects.exists():
        return {}
    today = today or timezone.localdate()
    draw = Generator(seed, today)
    counts = {}
    with writing(SYSTEM):
        history, recent = draw.units()
        everyone = people_of([pk for v in history for pk in [v["leader"], *v["members"]]])
        by_pk = {p.pk: p for p in everyone}
        for values in history:
            values["leader"] = by_pk[values["leader"]]
            values["members"] = [by_pk[pk] for pk in values["members"]]
        units = pioneer.record_imported_units([Item(v) for v in history], by=SYSTEM)
        recent_people = people_of([pk for v, _s in recent for pk in [v["leader"], *v["members"]]])
        by_pk = {p.pk: p for p in recent_people}
        for values, _stage in recent:
            values["leader"] = by_pk[values["leader"]]
            values["members"] = [by_pk[pk] for pk in values["members"]]
        waiting = pioneer.record_units([Item(v) for v, _s in recent], by=SYSTEM)
        steps = []
        for unit, (_values, stage) in zip(waiting, recent, strict=True):
            filed = unit.applied_on + datetime.timedelta(days=draw.rng.randint(3, 10))
            if stage >= 1:
                steps.append(pioneer.Step(unit, FILE, min(filed, today)))
            if stage >= 2:
                steps.append(pioneer.Step(unit, REVIEW, min(filed + datetime.timedelta(days=7), today)))
        for move in (FILE, REVIEW):
            batch = [s for s in steps if s.move == move]
            if batch:
                pioneer.move_units(batch, by=SYSTEM)
        counts["pioneer units"] = len(units) + len(waiting)
        # the units of past years not certified were rejected after their creation period (创建期)
        rejected = [
            pioneer.Step(
                unit,
                REJECT,
                unit.filed_on + datetime.timedelta(days=draw.rng.randint(150, 300)),
                "创建期考核未达标",
            )
            for unit in units
            if not unit.certified_on and unit.filed_on < today - datetime.timedelta(days=420)
        ]
        pioneer.move_units(rejected, by=SYSTEM)
        checks = draw.checks(units)
        pioneer.move_units(checks, by=SYSTEM)
        counts["yearly checks"] = len(checks)
        logs = draw.service_logs(units)
        for start in range(0, len(logs), 400):
            pioneer.record_service_logs(logs[start : start + 400], by=SYSTEM)
        counts["service logs"] = len(logs)
        pairs = pairing.record_pairs([Item(v) for v in draw.pairs()], by=SYSTEM)
        counts["school pairs"] = len(pairs)
        activities = draw.activities(pairs)
        teachers = Person.objects.in_bulk(
            sorted({t.pk for item in activities for t in item.values["teachers"]})
        )
        for item in activities:
            item.values["teachers"] = [teachers[t.pk] for t in item.values["teachers"]]
        pairing.record_activities(activities, by=SYSTEM)
        counts["pairing activities"] = len(activities)
        counts.update(write_showcase(draw, today))
        counts.update(home_records(draw, today))
    return counts
