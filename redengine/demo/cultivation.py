"""Dual cultivation (双培养) in the demo, written through ``cultivation.services`` acting as ``SYSTEM``, in a few
big batches (one per service), drawn from a seeded random generator: the same seed and day give the same
records.

The small tree's records are listed in ``data.CULTIVATION_*`` (dated in days before today). The generated
city's (``city``), from 2015 to today:

* **mentorships** (青蓝工程, 师徒结对), begun every September: a teaching mentorship pairs a young member (a
  teacher of 23 to 34 who is a member on the day and holds no title) with a title holder of the school or,
  where the school has none free, of another school of the district (城乡结对); a political one pairs a
  backbone or excellent teacher who is not a member with a member of the school holding a title. A mentor
  guides two apprentices at a time at most. Two-year terms, most ended by now: a few early (the apprentice
  moved; a political apprentice admitted to the party, on the day of the admission);
* their **reviews** every half year from the start (or the previous review): most on time, some late, more
  so in a few lax pairs; a running pair may be past due today;
* the apprentices' **titles**, read from the titles recorded (an apprentice awarded 骨干教师 within two years
  of the start counts) and, for a share of the others whose term ended, a school-level 骨干教师 awarded in the
  June of the last year, from 2020 on only, through ``people.services.award_titles`` (the report's figures of
  2015–2019, which ``city.py`` reproduces, stay as they are);
* **contests** every year: a spring contest in a share of the schools with an organization of their own,
  two of each district bureau (a party contest in June, a teaching one in the autumn), two or three of the
  city (its teaching contest in December): the entrants of each level are mostly prize winners of the
  level below that year, and prizes are fewer the higher the level;
* **speaking** of member teachers (交流发言) at forums, subject trainings and grade meetings.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from redengine.core.codes import DISTRICTS
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, writing
from redengine.cultivation import services
from redengine.cultivation.metrics import BACKBONE_TITLES
from redengine.cultivation.models import Contest, Engagement, Mentorship
from redengine.cultivation.rules import ContestKind, ContestLevel, EngagementKind, MentorshipKind, Prize
from redengine.orgs.models import PartyOrganization, School
from redengine.people import services as people_services
from redengine.people.models import Honor, Membership, Person, add_years

from . import data
from .city import DEFAULT_SEED, STAFF, generated_schools

D = datetime.date
DAY = datetime.timedelta(days=1)

FIRST_YEAR = 2015
TERM_YEARS = 2
YOUNG_AGES = (23, 34)  # a teaching apprentice's age on the start day (a young member: under 35)
MENTOR_AGE_GAP = 5  # a mentor is at least this many years older than the apprentice
MENTOR_LOAD = 2  # apprentices a mentor guides at a time
TEACHING_CHANCE = ((27, 0.45), (34, 0.2))  # a young member's chance of a mentorship in a September, by age
POLITICAL_CHANCE = 0.35  # a backbone teacher who is not a member: chance of a political mentor in a September
EARLY_END = 0.05  # teaching mentorships ended early (the apprentice moved)
LAX_PAIRS = 0.1  # pairs whose reviews are often late
LATE_REVIEW = (0.08, 0.45)  # chance a review is late: most pairs, lax pairs
PENDING = (0.1, 100)  # a running pair's review due lately (so many days at most) not held yet: its chance
TITLED = 0.18  # apprentices of a completed teaching mentorship not titled otherwise, awarded school 骨干教师
TITLES_FROM = D(2020, 1, 1)  # titles are added from this day on only (the report's figures end in 2019)
SCHOOL_CONTESTS = 0.25  # share of the schools with an organization of their own holding a spring contest
SCHOOL_TEACHERS_MIN = 6  # teachers a school needs to hold one
SPEAKING_PER_YEAR = 450  # in the full city (30,000 staff): fewer in a smaller one

TEACHING_KINDS = [ContestKind.CLASSROOM, ContestKind.LESSON_PLAN, ContestKind.MULTIMEDIA]
PARTY_KINDS = [ContestKind.MICRO_CLASS, ContestKind.MICRO_STORY, ContestKind.MICRO_INTERVIEW]
CONTEST_NAMES = {
    ContestKind.CLASSROOM: "青年教师课堂教学比武",
    ContestKind.LESSON_PLAN: "教学设计大赛",
    ContestKind.MULTIMEDIA: "多媒体课件制作与应用比赛",
    ContestKind.MICRO_CLASS: "“微党课”比赛",
    ContestKind.MICRO_STORY: "“讲身边党员的故事”微故事比赛",
    ContestKind.MICRO_INTERVIEW: "“我身边的好老师”微访谈比赛",
}
LESSONS = [
    "语文《春》",
    "语文《背影》",
    "语文《草船借箭》",
    "语文《紫藤萝瀑布》",
    "数学《分数的初步认识》",
    "数学《勾股定理》",
    "数学《圆的面积》",
    "数学《一次函数的图象》",
    "英语 Unit 3 My Friends",
    "英语 Unit 5 Do You Have a Soccer Ball",
    "物理《浮力》",
    "化学《燃烧和灭火》",
    "生物《植物的光合作用》",
    "道德与法治《少年有梦》",
    "历史《五四运动》",
    "地理《中国的河流》",
    "科学《种子的萌发》",
    "音乐《我和你》",
    "美术《家乡的桥》",
    "体育《立定跳远》",
    "幼儿园大班科学活动《有趣的磁铁》",
]
PARTY_WORKS = {
    ContestKind.MICRO_CLASS: [
        "从《觉醒年代》看共产党人的初心",
        "雷锋精神的时代价值",
        "新时代教师的使命与担当",
        "以教育家精神铸魂强师",
        "湖南一师走出的革命先辈",
        "“四有”好老师的初心与坚守",
    ],
    ContestKind.MICRO_STORY: [
        "扎根乡村三十年的老支书",
        "深夜的家访",
        "病床前的作业本",
        "送教下乡路上的党员教师",
        "我的师傅",
    ],
    ContestKind.MICRO_INTERVIEW: [
        "访全国优秀教师：教书育人的三十年",
        "访援疆支教的党员教师",
        "访学校的“老党员”",
        "访年轻的班主任",
    ],
}
TEACHING_GOALS = [
    "一年站稳讲台、两年成为校级骨干：每学期听师傅的课不少于20节，上汇报课1节，独立完成一个单元的教学设计。",
    "过好教学关和班级管理关：跟岗学习备课、上课、作业批改和家校沟通，第二年参加区青年教师课堂比武。",
    "提升课堂教学能力：每周听课1节、师傅听徒弟的课1节并当面评课，每学期完成教学反思10篇。",
]
POLITICAL_GOALS = [
    "帮助徒弟学习党的基本理论和党章，端正入党动机，积极向党组织靠拢。",
    "每学期与徒弟谈心谈话不少于2次，带徒弟参加主题党日和志愿服务，引导其递交入党申请书。",
]
PROGRESS = [
    "听课{n}节，上汇报课{k}节；教学设计规范，课堂节奏把握还需加强。",
    "听课{n}节，上公开课{k}节；能独立设计单元教学，作业设计有特色。",
    "听课{n}节，参加教研活动{k}次；班级管理渐入正轨，家校沟通更主动。",
    "听课{n}节，上汇报课{k}节；课堂提问设计有进步，学生参与度提高。",
]
POLITICAL_PROGRESS = [
    "谈心谈话{k}次，共同学习党章和《习近平谈治国理政》；思想积极，已有入党意愿。",
    "谈心谈话{k}次，参加主题党日{n}次；对党的认识更加深入。",
    "谈心谈话{k}次，带领参加志愿服务{n}次；工作中主动发挥骨干作用。",
]
SUMMARY_DONE = [
    "完成结对任务：两年听课{n}节，上汇报课{k}节，能独立承担本学科教学。",
    "完成结对任务：教学基本功扎实，获校级优质课{prize}。",
]
SUMMARY_TITLED = "完成结对任务，徒弟获评校级骨干教师。"
SUMMARY_MOVED = "徒弟工作调动，结对提前结束。"
SUMMARY_POLITICAL = "结对期满：徒弟思想上进，已主动向党组织汇报思想。"
SUMMARY_ADMITTED = "徒弟于{date}被接收为预备党员，结对任务完成。"
SPEAKING = {
    EngagementKind.FORUM: (
        35,
        [
            "做学生成长的引路人：党员班主任的育人实践",
            "立德树人从每一节课做起",
            "家校共育中的党员示范岗",
            "以“五育并举”落实立德树人",
        ],
        ["{district}教育局报告厅", "长沙市教育局报告厅", "{district}教师发展中心"],
    ),
    EngagementKind.TRAINING: (
        35,
        [
            "大单元教学设计的实践与思考",
            "作业设计与“双减”落地",
            "信息技术与学科教学的融合",
            "新课标下的课堂评价",
        ],
        ["{district}教师发展中心", "学校录播教室", "学校学术报告厅"],
    ),
    EngagementKind.GRADE_MEETING: (
        25,
        ["毕业年级复习备考经验交流", "班级管理中的党员担当", "后进生转化的几点做法", "新学期年级工作的建议"],
        ["学校会议室", "年级组办公室"],
    ),
    EngagementKind.OTHER: (5, ["青年教师成长分享", "支教一年的收获"], ["学校会议室"]),
}
PRIZES = {  # level: [(prize, share of the entries)], the rest took part
    ContestLevel.SCHOOL: [(Prize.FIRST, 0.12), (Prize.SECOND, 0.2), (Prize.THIRD, 0.3)],
    ContestLevel.DISTRICT: [(Prize.FIRST, 0.1), (Prize.SECOND, 0.2), (Prize.THIRD, 0.3)],
    ContestLevel.CITY: [(Prize.SPECIAL, 0.03), (Prize.FIRST, 0.1), (Prize.SECOND, 0.2), (Prize.THIRD, 0.25)],
}
ADVANCING = {Prize.SPECIAL, Prize.FIRST, Prize.SECOND}  # prize winners who go on to the level above
ADVANCE_TO_CITY = 4  # of each district's contest (and of the city's own schools), the best go to the city's
PRIZE_ORDER = [Prize.SPECIAL, Prize.FIRST, Prize.SECOND, Prize.THIRD, Prize.MERIT, Prize.NONE]


# The small tree -----------------------------------------------------------------------------------
def small_tree(today=None):
    """The small tree's records (``data.CULTIVATION_*``), dated back from today; nothing if any is there."""
    if Mentorship.objects.exists() or Contest.objects.exists() or Engagement.objects.exists():
        return 0
    today = today or timezone.localdate()

    def day(days):
        return None if days is None else today + datetime.timedelta(days=days)

    named = {name for row in data.CULTIVATION_MENTORSHIPS for name in row[1:3]}
    named |= {entry[0] for row in data.CULTIVATION_CONTESTS for entry in row[5]}
    named |= {row[0] for row in data.CULTIVATION_SPEAKING}
    people = {p.name: p for p in Person.objects.filter(name__in=named).select_related("school")}
    schools = {
        s.code: s for s in School.objects.filter(code__in={r[3] for r in data.CULTIVATION_MENTORSHIPS})
    }
    orgs = {
        o.code: o
        for o in PartyOrganization.objects.filter(code__in={r[0] for r in data.CULTIVATION_CONTESTS})
    }
    items, reviews = [], []
    for kind, mentor, apprentice, school, start, goals, held in data.CULTIVATION_MENTORSHIPS:
        values = {
            "kind": kind,
            "mentor": people[mentor],
            "apprentice": people[apprentice],
            "school": schools[school],
            "start_on": day(start),
            "planned_end_on": add_years(day(start), TERM_YEARS) - DAY,
            "goals": goals,
        }
        items.append(Item(values))
        reviews.append(held)
    written = services.record_mentorships(items, by=SYSTEM)
    review_items = [
        Item({"mentorship": mentorship, "held_on": day(days), "progress": progress})
        for mentorship, held in zip(written, reviews, strict=True)
        for days, progress in held
    ]
    services.record_reviews(review_items, by=SYSTEM)
    contests = []
    for code, name, kind, level, held, entries in data.CULTIVATION_CONTESTS:
        values = {
            "name": name.format(year=day(held).year),
            "kind": kind,
            "level": level,
            "held_on": day(held),
            "organization": orgs[code],
        }
        entry_items = [
            Item({"person": people[person], "prize": prize, "awarded_on": day(awarded), "work": work})
            for person, prize, awarded, work in entries
        ]
        contests.append((Item(values, obj=Contest()), entry_items))
    _contests, entries = services.record_contest_results(contests, by=SYSTEM)
    speaking = services.record_engagements(
        [
            Item({"person": people[person], "kind": kind, "date": day(days), "topic": topic, "venue": venue})
            for person, kind, days, topic, venue in data.CULTIVATION_SPEAKING
        ],
        by=SYSTEM,
    )
    return len(written) + len(review_items) + len(contests) + len(entries) + len(speaking)


# The generated city: what is read -----------------------------------------------------------------
@dataclass(eq=False)
class Staff:
    """A person of a generated school, with the memberships and titles recorded (and the titles added)."""

    person: Person
    memberships: list = field(default_factory=list)  # (admitted, ended)
    honors: list = field(default_factory=list)  # (title, awarded, lapsed)
    apprenticed: set = field(default_factory=set)  # mentorship kinds the person was an apprentice in
    guiding: list = field(default_factory=list)  # (start, last day) of the pairs the person mentors

    @property
    def pk(self):
        return self.person.pk

    @property
    def school(self):
        return self.person.school

    def age_at(self, day):
        birth = self.person.birth_date
        return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))

    def member_at(self, day):
        return any(start <= day and (end is None or end >= day) for start, end in self.memberships)

    def admitted_within(self, first, last):
        return next((start for start, _end in self.memberships if first < start <= last), None)

    def titled_at(self, day, titles=None):
        return any(
            awarded <= day and (lapsed is None or lapsed > day) and (titles is None or title in titles)
            for title, awarded, lapsed in self.honors
        )

    def awarded_within(self, first, last):
        return any(first <= awarded <= last for _title, awarded, _lapsed in self.honors)

    def load_at(self, day):
        return sum(1 for start, last in self.guiding if start <= day <= last)


@dataclass(eq=False)
class Pair:
    kind: str
    mentor: Staff
    apprentice: Staff
    start: datetime.date
    planned: datetime.date
    ended: datetime.date | None
    summary: str = ""
    goals: str = ""
    reviews: list = field(default_factory=list)  # (day, progress)


class Generator:
    """Draws the city's cultivation records from what is recorded (nothing is written here)."""

    def __init__(self, seed, today):
        self.rng = random.Random(f"{seed}-cultivation")  # noqa: S311 — demo data, not a secret
        self.today = today
        self.schools = list(generated_schools().order_by("code"))
        by_pk = {s.pk: s for s in self.schools}
        self.staff = {}
        for person in Person.objects.filter(school_id__in=list(by_pk)).order_by("pk"):
            person.school = by_pk[person.school_id]
            self.staff[person.pk] = Staff(person)
        members = Membership.objects.filter(person__school__in=generated_schools())
        for pk, admitted, ended in members.values_list("person_id", "admitted_on", "ended_on").order_by("pk"):
            self.staff[pk].memberships.append((admitted, ended))
        titles = Honor.objects.filter(person__school__in=generated_schools())
        for pk, title, awarded, lapsed in titles.values_list(
            "person_id", "title", "awarded_on", "lapsed_on"
        ).order_by("pk"):
            self.staff[pk].honors.append((title, awarded, lapsed))
        self.by_school = defaultdict(list)
        for staff in self.staff.values():
            self.by_school[staff.person.school_id].append(staff)
        self.by_district = defaultdict(list)
        for school in self.schools:
            self.by_district[school.district].extend(self.by_school[school.pk])
        self.own_org = self.own_organizations()
        self.bureaus = {
            o.district: o
            for o in PartyOrganization.objects.filter(code__in=[code for code, *_ in data.DISTRICT_ORGS])
        }
        self.root = PartyOrganization.objects.get(code=data.ROOT[0])
        self.scale = min(1.0, len(self.staff) / STAFF)  # contests and speaking are fewer in a smaller city
        self.pairs, self.titles, self.contests, self.speaking = [], [], [], []

    def own_organizations(self):
        """{school pk: the organization of its own (not a joint branch) highest in the tree}, if any."""
        through = PartyOrganization.schools.through
        rows = through.objects.filter(school__in=generated_schools()).values_list(
            "school_id", "partyorganization_id", "partyorganization__org_type", "partyorganization__depth"
        )
        best = {}
        for school, org, org_type, depth in sorted(rows):
            if org_type != "joint_branch" and (school not in best or depth < best[school][1]):
                best[school] = (org, depth)
        orgs = PartyOrganization.objects.in_bulk([org for org, _depth in best.values()])
        return {school: orgs[org] for school, (org, _depth) in best.items()}

    # Helpers -------------------------------------------------------------------------------------
    def chance(self, p):
        return self.rng.random() < p

    def weekday(self, first, last):
        """A working day from ``first`` to ``last`` (Monday to Friday when there is one)."""
        span = (last - first).days
        for _ in range(10):
            day = first + datetime.timedelta(days=self.rng.randint(0, max(span, 0)))
            if day.weekday() < 5:
                return day
        return first

    def scaled(self, low, high):
        """A number from ``low`` to ``high`` in the full city, proportionally fewer (3 at least) in a smaller one."""
        return max(3, round(self.rng.randint(low, high) * self.scale))

    def years(self):
        return range(FIRST_YEAR, self.today.year + 1)

    # Mentorships ---------------------------------------------------------------------------------
    def mentorships(self):
        for year in self.years():
            for school in self.schools:
                start = self.weekday(D(year, 9, 1), D(year, 9, 12))
                if start > self.today:
                    continue
                staff = self.by_school[school.pk]
                self.teaching(school, staff, start)
                self.political(staff, start)

    def teaching(self, school, staff, start):
        for apprentice in staff:
            if MentorshipKind.TEACHING in apprentice.apprenticed or apprentice.person.post != "teacher":
                continue
            age = apprentice.age_at(start)
            if not YOUNG_AGES[0] <= age <= YOUNG_AGES[1]:
                continue
            if not apprentice.member_at(start) or apprentice.titled_at(start):
                continue
            if not self.chance(next(p for upto, p in TEACHING_CHANCE if age <= upto)):
                continue
            mentor = self.mentor_for(apprentice, staff, start) or self.mentor_for(
                apprentice, self.by_district[school.district], start, tries=30
            )
            if mentor is not None:
                self.pair(MentorshipKind.TEACHING, mentor, apprentice, start)

    def political(self, staff, start):
        for apprentice in staff:
            if MentorshipKind.POLITICAL in apprentice.apprenticed or apprentice.person.post not in {
                "teacher",
                "manager",
            }:
                continue
            if apprentice.member_at(start) or not apprentice.titled_at(start, BACKBONE_TITLES):
                continue
            if not self.chance(POLITICAL_CHANCE):
                continue
            mentor = self.mentor_for(apprentice, staff, start, member=True)
            if mentor is not None:
                self.pair(MentorshipKind.POLITICAL, mentor, apprentice, start)

    def mentor_for(self, apprentice, pool, start, member=False, tries=None):
        """A title holder of ``pool`` (a member too, for a political mentor) older than the apprentice and
        guiding fewer than MENTOR_LOAD on the day; ``tries``: look at so many drawn at random only."""
        oldest = add_years(apprentice.person.birth_date, -MENTOR_AGE_GAP)
        candidates = pool if tries is None else [self.rng.choice(pool) for _ in range(tries)] if pool else []

        def fits(s):
            return (
                s is not apprentice
                and s.person.birth_date <= oldest
                and s.titled_at(start)
                and (not member or s.member_at(start))
                and s.load_at(start) < MENTOR_LOAD
            )

        found = [s for s in candidates if fits(s)]
        if not found:
            return None
        teachers = [s for s in found if s.person.post == "teacher"]
        return self.rng.choice(teachers or found)

    def pair(self, kind, mentor, apprentice, start):
        planned = add_years(start, TERM_YEARS) - DAY
        ended = planned if planned <= self.today else None
        pair = Pair(kind, mentor, apprentice, start, planned, ended)
        if kind == MentorshipKind.TEACHING:
            pair.goals = self.rng.choice(TEACHING_GOALS)
            if self.chance(EARLY_END):
                moved = start + datetime.timedelta(days=self.rng.randint(240, 600))
                if moved <= self.today:
                    pair.ended, pair.summary = moved, SUMMARY_MOVED
            if pair.ended == planned:
                pair.summary = self.completed(pair)
        else:
            pair.goals = self.rng.choice(POLITICAL_GOALS)
            admitted = apprentice.admitted_within(start, planned)
            if admitted is not None and admitted <= self.today:
                pair.ended, pair.summary = admitted, SUMMARY_ADMITTED.format(date=f"{admitted:%Y年%m月%d日}")
            elif pair.ended is not None:
                pair.summary = SUMMARY_POLITICAL
        apprentice.apprenticed.add(kind)
        mentor.guiding.append((start, pair.ended or planned))
        self.pairs.append(pair)

    def completed(self, pair):
        """The summary of a teaching mentorship that ran its term; a school-level 骨干教师 for a share of the
        apprentices not titled within the window otherwise (awarded in the June of the last year)."""
        window = add_years(pair.start, TERM_YEARS)
        if not pair.apprentice.awarded_within(pair.start, window) and self.chance(TITLED):
            awarded = self.weekday(D(pair.planned.year, 6, 18), D(pair.planned.year, 6, 30))
            if TITLES_FROM <= awarded <= min(self.today, window):
                lapsed = add_years(awarded, 3) - DAY
                pair.apprentice.honors.append(("backbone_teacher", awarded, lapsed))
                self.titles.append((pair.apprentice, awarded, lapsed))
                return SUMMARY_TITLED
        summary = self.rng.choice(SUMMARY_DONE)
        prize = self.rng.choice(["一等奖", "二等奖", "三等奖"])
        return summary.format(n=self.rng.randint(60, 90), k=self.rng.randint(2, 5), prize=prize)

    def reviews(self, pair):
        """(day, progress) of a pair's reviews: every half year from the previous one, some late; the last
        one on the last day at the latest; none after today."""
        lax = self.chance(LAX_PAIRS)
        late = LATE_REVIEW[1] if lax else LATE_REVIEW[0]
        last = pair.ended or self.today
        found, previous = [], pair.start
        while True:
            due = services.review_due(pair.start, found[-1][0] if found else None)
            if self.chance(late):
                held = due + datetime.timedelta(days=self.rng.randint(5, 60))
            else:
                held = due - datetime.timedelta(days=self.rng.randint(0, 25))
            if held.weekday() >= 5:
                held -= datetime.timedelta(days=held.weekday() - 4)
            if pair.ended is not None and held > pair.ended:
                if (pair.ended - previous).days < 90:
                    break
                held = pair.ended
            if held > self.today or held <= previous:
                break
            pending, days = PENDING
            if pair.ended is None and self.today - days * DAY <= due < self.today and self.chance(pending):
                break  # due lately and not held yet: on the to-do list
            found.append((held, self.progress(pair)))
            previous = held
            if held >= last:
                break
        return found

    def progress(self, pair):
        texts = PROGRESS if pair.kind == MentorshipKind.TEACHING else POLITICAL_PROGRESS
        return self.rng.choice(texts).format(n=self.rng.randint(12, 30), k=self.rng.randint(1, 4))

    # Contests ------------------------------------------------------------------------------------
    def contests_of(self, year):
        """The year's contests, each [(organization, name, kind, level, day), [(staff, prize, awarded, work)]]."""
        winners = defaultdict(list)  # (district, "teaching"/"party") -> prize winners of the level below
        for school in self.schools:
            org = self.own_org.get(school.pk)
            teachers = [s for s in self.by_school[school.pk] if s.person.post == "teacher"]
            if org is None or len(teachers) < SCHOOL_TEACHERS_MIN or not self.chance(SCHOOL_CONTESTS):
                continue
            kind = self.rng.choice(TEACHING_KINDS + [ContestKind.MICRO_CLASS])
            day = self.weekday(D(year, 4, 8), D(year, 5, 22))
            if day > self.today or (org.founded_on and org.founded_on > day):
                continue
            pool = [s for s in teachers if kind != ContestKind.MICRO_CLASS or s.member_at(day)]
            entrants = self.rng.sample(pool, min(len(pool), self.rng.randint(4, 10)))
            name = f"{short_name(school)}{year}年{CONTEST_NAMES[kind]}"
            entries = self.add_contest(org, name, kind, ContestLevel.SCHOOL, day, entrants)
            group = "party" if kind in PARTY_KINDS else "teaching"
            winners[(school.district, group)] += [s for s, prize in entries if prize in ADVANCING]
        for found in winners.values():
            self.rng.shuffle(found)
        city_winners = defaultdict(list)
        for district, bureau in sorted(self.bureaus.items()):
            people = self.by_district[district]
            if not people:
                continue
            name = DISTRICTS[district]
            for group, kind, day in (
                ("party", PARTY_KINDS[year % 3], self.weekday(D(year, 6, 8), D(year, 6, 26))),
                ("teaching", TEACHING_KINDS[year % 3], self.weekday(D(year, 10, 12), D(year, 11, 6))),
            ):
                if day > self.today:
                    continue
                pool = [s for s in people if self.may_enter(s, kind, day)]
                entrants = [s for s in winners[(district, group)] if self.may_enter(s, kind, day)]
                entrants = unique(entrants + self.rng.sample(pool, min(len(pool), self.scaled(12, 30))))
                entrants = entrants[: self.scaled(18, 36)]
                entries = self.add_contest(
                    bureau,
                    f"{name}教育系统{year}年{CONTEST_NAMES[kind]}",
                    kind,
                    ContestLevel.DISTRICT,
                    day,
                    entrants,
                )
                ranked = sorted(entries, key=lambda entry: PRIZE_ORDER.index(entry[1]))
                city_winners[group] += [s for s, prize in ranked if prize in ADVANCING][:ADVANCE_TO_CITY]
        direct = self.by_district[data.ROOT[3]]
        plan = [
            ("party", PARTY_KINDS[year % 3], self.weekday(D(year, 9, 14), D(year, 9, 26))),
            ("teaching", TEACHING_KINDS[year % 3], self.weekday(D(year, 11, 23), D(year, 12, 3))),
        ]
        if year % 2 == 0:  # an open contest in May: each school may put forward its teachers
            plan.append(
                ("open", TEACHING_KINDS[(year + 1) % 3], self.weekday(D(year, 5, 11), D(year, 5, 29)))
            )
        everyone = [s for school in self.schools for s in self.by_school[school.pk]]
        for group, kind, day in plan:
            if day > self.today:
                continue
            if group == "open":
                pool = [s for s in everyone if self.may_enter(s, kind, day)]
                entrants = self.rng.sample(pool, min(len(pool), self.scaled(25, 40)))
            else:
                pool = [s for s in direct if self.may_enter(s, kind, day)]
                entrants = city_winners[group] + winners[(data.ROOT[3], group)][:ADVANCE_TO_CITY]
                entrants = [s for s in entrants if self.may_enter(s, kind, day)]
                entrants = unique(entrants + self.rng.sample(pool, min(len(pool), self.rng.randint(3, 8))))
            self.add_contest(
                self.root,
                f"长沙市教育系统{year}年{CONTEST_NAMES[kind]}",
                kind,
                ContestLevel.CITY,
                day,
                entrants,
            )

    def may_enter(self, staff, kind, day):
        if kind == ContestKind.MICRO_CLASS:
            return staff.person.post in {"teacher", "manager"} and staff.member_at(day)
        if kind in PARTY_KINDS:
            return staff.person.post in {"teacher", "manager", "support"}
        return staff.person.post == "teacher"

    def add_contest(self, org, name, kind, level, day, entrants):
        """A contest with its entries, the prizes by ``PRIZES``; [(staff, prize)]."""
        shares = PRIZES[level]
        order = list(entrants)
        self.rng.shuffle(order)
        prizes = []
        for prize, share in shares:
            least = 0 if prize == Prize.SPECIAL and len(order) < 20 else 1
            prizes += [prize] * max(least, round(len(order) * share))
        prizes = (prizes + [Prize.NONE] * len(order))[: len(order)]
        announced = None
        if level != ContestLevel.SCHOOL:  # the results are announced a week or two later
            announced = min(self.today, day + datetime.timedelta(days=self.rng.randint(7, 20)))
        entries = []
        for staff, prize in zip(order, prizes, strict=True):
            work = self.rng.choice(PARTY_WORKS[kind]) if kind in PARTY_WORKS else self.rng.choice(LESSONS)
            awarded = announced if prize != Prize.NONE else None
            entries.append((staff, prize, awarded, work))
        self.contests.append(((org, name, kind, level, day), entries))
        return [(staff, prize) for staff, prize, _awarded, _work in entries]

    # Speaking ------------------------------------------------------------------------------------
    def speaking_of(self, year):
        people = [s for s in self.staff.values() if s.person.post in {"teacher", "manager"} and s.memberships]
        kinds = list(SPEAKING)
        weights = [SPEAKING[k][0] for k in kinds]
        for _ in range(round(SPEAKING_PER_YEAR * self.scale)):
            month = self.rng.choice([3, 4, 5, 6, 9, 10, 11, 12])
            day = self.weekday(D(year, month, 1), D(year, month, 28))
            staff = self.rng.choice(people)
            if day > self.today or not staff.member_at(day):
                continue
            kind = self.rng.choices(kinds, weights)[0]
            _weight, topics, venues = SPEAKING[kind]
            district = DISTRICTS.get(staff.school.district, "长沙市")
            venue = self.rng.choice(venues).format(district="长沙市" if district == "市直" else district)
            self.speaking.append((staff, kind, day, self.rng.choice(topics), venue))

    def build(self):
        self.mentorships()
        for pair in self.pairs:
            pair.reviews = self.reviews(pair)
        for year in self.years():
            self.contests_of(year)
            self.speaking_of(year)
        return self


def unique(staff):
    seen, found = set(), []
    for s in staff:
        if s.pk not in seen:
            seen.add(s.pk)
            found.append(s)
    return found


def short_name(school):
    for prefix in ("长沙市", DISTRICTS.get(school.district, "")):
        if prefix and school.name.startswith(prefix) and len(school.name) > len(prefix) + 2:
            return school.name[len(prefix) :]
    return school.name


def city(seed=DEFAULT_SEED, today=None):
    """The generated city's cultivation records; nothing if its schools have mentorships already. Returns the
    counts written, by what."""
    if not generated_schools().exists() or Mentorship.objects.filter(school__in=generated_schools()).exists():
        return {}
    today = today or timezone.localdate()
    draw = Generator(seed, today).build()
    counts = {}
    with writing(SYSTEM):
        people_services.award_titles(
            [
                Item(
                    {
                        "person": staff.person,
                        "title": "backbone_teacher",
                        "level": "school",
                        "awarded_on": awarded,
                        "lapsed_on": lapsed,
                    }
                )
                for staff, awarded, lapsed in draw.titles
            ],
            by=SYSTEM,
        )
        counts["titles of apprentices"] = len(draw.titles)
        items = [
            Item(
                {
                    "kind": pair.kind,
                    "mentor": pair.mentor.person,
                    "apprentice": pair.apprentice.person,
                    "school": pair.apprentice.school,
                    "start_on": pair.start,
                    "planned_end_on": pair.planned,
                    "ended_on": pair.ended,
                    "goals": pair.goals,
                    "summary": pair.summary,
                }
            )
            for pair in draw.pairs
        ]
        mentorships = services.record_mentorships(items, by=SYSTEM)
        counts["mentorships"] = len(mentorships)
        reviews = [
            Item({"mentorship": mentorship, "held_on": held, "progress": progress})
            for mentorship, pair in zip(mentorships, draw.pairs, strict=True)
            for held, progress in pair.reviews
        ]
        services.record_reviews(reviews, by=SYSTEM)
        counts["mentorship reviews"] = len(reviews)
        contests = [
            (
                Item(
                    {"organization": org, "name": name, "kind": kind, "level": level, "held_on": day},
                    obj=Contest(),  # the record its entries name (record_contest_results)
                ),
                [
                    Item({"person": staff.person, "prize": prize, "awarded_on": awarded, "work": work})
                    for staff, prize, awarded, work in entries
                ],
            )
            for (org, name, kind, level, day), entries in draw.contests
        ]
        written, entries = services.record_contest_results(contests, by=SYSTEM)
        counts["contests"], counts["contest entries"] = len(written), len(entries)
        speaking = services.record_engagements(
            [
                Item({"person": staff.person, "kind": kind, "date": day, "topic": topic, "venue": venue})
                for staff, kind, day, topic, venue in draw.speaking
            ],
            by=SYSTEM,
        )
        counts["speaking records"] = len(speaking)
    return counts
