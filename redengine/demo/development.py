"""Member development in the demo: legal step histories drawn in Python and written in bulk.

The generated city (``city.py``) gives a development case to every person it admits from 2015 on, with
the admission (S15) on the membership's ``admitted_on`` and the conversion on its ``full_on`` (the end of
the probation, extended in a few cases), and it opens cases for applicants who are not members yet, at
every stage, dated back from the day the city is generated. Every history keeps to the rules of
``development/rules.py`` by construction (the intervals below stay inside the shortest month, half year,
year and quarter of the calendar), and ``tests/test_city.py`` replays every open one and a sample of the
others through ``engine.check`` against the database.

The cases are opened and their steps recorded through ``development.services`` in bulk, so that every
step is checked by the rules as a typed one is and each case's derived fields come from its steps.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from redengine.core.writes import SYSTEM
from redengine.development import services
from redengine.development.models import (
    CloseReason,
    DevelopmentCase,
)
from redengine.development.rules import add_months

from . import votes, words

DAY = datetime.timedelta(days=1)
# The rules' shortest spans, in days: a month (28), six months (181), a year (at most 366), three
# months (89). The histories keep inside them: talks within 25 days, assessments 150 to 175 days apart,
# candidates 367 days or more after the activist, approvals within 85 days.
TALK_WITHIN = 25
ASSESSMENT_EVERY = (150, 175)
YEAR_AT_LEAST = 367
APPROVAL_WITHIN = 85
# From the application (S01) to the admission (S15) at the fastest, in days (see ``before_admission``).
SHORTEST_PATH = 430

ASSESSMENTS = [
    "思想积极，按时提交思想汇报",
    "学习认真，积极参加党课和主题党日",
    "工作踏实，教育教学表现突出",
    "表现良好，群众评价较好",
    "能主动向党组织汇报思想，进步明显",
]
PROBATION_NOTES = [
    "按期参加组织生活，表现良好",
    "在教育教学一线发挥先锋作用",
    "按时交纳党费，积极参加志愿服务",
    "认真履行党员义务，群众评价好",
]


def earliest_admission(birth):
    """The earliest admission that leaves room for a legal path after the 18th birthday (DEV.AGE_MIN)."""
    return add_months(birth, 12 * 18) + (SHORTEST_PATH + 60) * DAY


@dataclass(eq=False)
class CasePlan:
    """One person's case: the organization, the steps ``(code, date, data)`` (people in the data as
    plans, resolved to ids when written) and, for a case closed by hand, ``(reason, date)``."""

    person: object  # city.PersonPlan
    organization: object
    open: bool = True
    steps: list = field(default_factory=list)
    closed: tuple | None = None


class Histories:
    """Draws legal histories with its own random generator; ``contacts`` answers who may guide or
    introduce (full members on a day, each contact guiding few open cases)."""

    def __init__(self, rng, today, contacts, serial_prefix=""):
        self.rng = rng
        self.serial_prefix = serial_prefix  # application form numbers are unique: another writer's differ
        self.today = today
        self.contacts = contacts
        self.serials = defaultdict(int)
        self.approvals = defaultdict(int)

    def r(self, low, high):
        return self.rng.randint(low, high)

    # The path to the admission, in days from the application --------------------------------------
    def before_admission(self, fastest=False):
        """``[(code, day)]`` from S01 (day 0) to S15, the intervals within the rules' shortest spans."""

        def r(low, high):
            return low if fastest else self.r(low, high)

        steps = [("S01", 0)]
        talk = r(3, TALK_WITHIN)
        steps.append(("S02", talk))
        activist = talk + r(20, 150)
        steps += [("S03", activist), ("S04", activist + r(0, 15)), ("S05", activist + r(0, 15))]
        candidate = activist + YEAR_AT_LEAST + r(0, 200)
        last = activist
        while True:  # assessed every 150 to 175 days until the candidate is determined
            following = last + r(*ASSESSMENT_EVERY)
            if following >= candidate:
                break
            steps.append(("S06", following))
            last = following
        steps.append(("S07", candidate))
        filed = candidate + r(3, 20)
        steps.append(("S08", filed))
        middle = [("S09", filed + r(1, 20)), ("S10", filed + r(10, 50)), ("S11", filed + r(5, 60))]
        steps += middle
        examined = max(day for _code, day in middle) + r(3, 20)
        steps.append(("S12", examined))
        publicity = examined + r(1, 5)
        publicity_end = publicity + r(5, 9)
        pre = publicity_end + r(1, 7)
        form = pre + r(1, 10)
        steps += [("S13", pre), ("S14", form), ("S15", form + r(3, 25))]
        steps.sort(key=lambda s: s[1])
        return steps, (publicity, publicity_end)

    def dated_before(self, admitted, birth):
        """The path before an admission on ``admitted``, beginning after the 18th birthday."""
        adult = add_months(birth, 12 * 18) + DAY
        steps, publicity = self.before_admission()
        if admitted - steps[-1][1] * DAY < adult:
            steps, publicity = self.before_admission(fastest=True)
        start = admitted - steps[-1][1] * DAY
        return [(code, start + day * DAY) for code, day in steps], [start + d * DAY for d in publicity]

    # After the admission ------------------------------------------------------------------------
    def after_admission(self, admitted, extension):
        """``[(code, date, outcome)]`` from S16 to S25; ``extension`` months of extended probation."""
        talk = admitted + self.r(3, 25) * DAY
        approval = min(talk + self.r(5, 50) * DAY, admitted + APPROVAL_WITHIN * DAY)
        steps = [("S16", talk, None), ("S17", approval, None)]
        steps += [
            ("S18", approval + self.r(3, 30) * DAY, None),
            ("S19", approval + self.r(0, 15) * DAY, None),
            ("S20", approval + self.r(0, 30) * DAY, None),
        ]
        end = add_months(admitted, 12)
        note = approval + self.r(90, 200) * DAY
        while note < end - 30 * DAY:
            steps.append(("S21", note, None))
            note += self.r(100, 180) * DAY
        steps.append(("S22", max(end - self.r(0, 30) * DAY, approval), None))
        if extension:
            vote = end + self.r(0, 20) * DAY
            steps += [("S23", vote, "extend"), ("S24", vote + self.r(5, 50) * DAY, None)]
            steps.append(("S21", vote + self.r(60, 120) * DAY, None))
            end = add_months(admitted, 12 + extension)
        vote = end + self.r(0, 25) * DAY
        approved = vote + self.r(5, 60) * DAY
        steps += [
            ("S23", vote, "convert"),
            ("S24", approved, None),
            ("S25", approved + self.r(0, 30) * DAY, None),
        ]
        steps.sort(key=lambda s: (s[1], s[0]))
        return steps

    # Data of the steps --------------------------------------------------------------------------
    def vote(self):
        should = self.r(8, 45)
        present = self.r(should // 2 + 1, should)
        yes = self.r(should // 2 + 1, present)
        abstain = self.r(0, min(1, present - yes))
        return {
            "should_attend": should,
            "present": present,
            "yes": yes,
            "no": present - yes - abstain,
            "abstain": abstain,
        }

    def approval_number(self, district, date):
        self.approvals[(district, date.year)] += 1
        prefix = words.DOCUMENT_PREFIX.get(district, "长教党")
        return f"{prefix}〔{date.year}〕{self.approvals[(district, date.year)] * 2 + 10}号"

    def data(self, plan, code, date, outcome=None, extension=0, publicity=None):
        """The data step ``code`` carries, or None when the people it needs are not found."""
        district = plan.person.school.school.district
        if code == "S05":
            people = self.contacts.full(plan, date, self.r(1, 2), guide=plan.open)
            return {"contacts": people} if people else None
        if code == "S09":
            people = self.contacts.full(plan, date, 2)
            return {"introducers": people} if len(people) == 2 else None
        if code in ("S06", "S21"):
            return {"assessment": self.rng.choice(ASSESSMENTS if code == "S06" else PROBATION_NOTES)}
        if code == "S10":
            return {"conclusion": "qualified"}
        if code == "S11":
            return {"course": "发展对象集中培训班", "days": 3, "hours": self.rng.choice([24, 24, 28, 32])}
        if code == "S13":
            self.serials[(district, date.year)] += 1
            return {
                "publicity_from": publicity[0].isoformat(),
                "publicity_to": publicity[1].isoformat(),
                "objections": "无",
                "form_serial": f"{self.serial_prefix}{district}{date.year}{self.serials[(district, date.year)]:05d}",
            }
        if code == "S15":
            return self.vote()
        if code == "S23":
            data = {**self.vote(), "outcome": outcome}
            if outcome == "extend":
                data["extension_months"] = extension
            return data
        if code in ("S17", "S24"):
            return {"approval_number": self.approval_number(district, date)}
        return {}

    def fill(self, plan, dated, publicity, extension=0):
        """Give each ``(code, date, outcome)`` its data; stop before a step whose people are not found."""
        for code, date, outcome in dated:
            data = self.data(plan, code, date, outcome, extension, publicity)
            if data is None:
                break
            plan.steps.append((code, date, data))
        return plan

    # Cases ------------------------------------------------------------------------------------------
    def admitted(self, person, organization, converted):
        """A member's case from the membership: admitted on ``person.admitted``, converted on
        ``person.full`` (completed), or still on probation (open, the steps up to today, the conversion
        not approved)."""
        plan = CasePlan(person, organization, open=not converted)
        before, publicity = self.dated_before(person.admitted, person.birth)
        dated = [(code, date, None) for code, date in before]
        after = self.after_admission(person.admitted, person.extension)
        if converted:  # the end of the probation is on or before today: the last steps fit before it
            dated += [(code, min(date, self.today), outcome) for code, date, outcome in after]
        else:
            converting = False
            for code, date, outcome in after:
                converting = converting or outcome == "convert"
                if date > self.today or (converting and code in ("S24", "S25")):
                    break
                dated.append((code, date, outcome))
        return self.fill(plan, dated, publicity, person.extension)

    def applicant(self, person, organization, stage, stalled):
        """An open case of a person who is not a member yet, at ``stage`` (1 to 4) today; ``stalled``
        days since the last step was due to be followed (0: on time)."""
        plan = CasePlan(person, organization)
        steps, (publicity, publicity_end) = self.before_admission()
        steps.append(("S16", steps[-1][1] + self.r(3, 25)))
        day = dict(steps)
        bounds = {
            1: (0, day["S03"] - 1),
            2: (day["S03"], day["S07"] - 1),
            3: (day["S07"], day["S12"] - 1),
            4: (day["S12"], day["S16"]),
        }[stage]
        cut = self.r(*bounds)
        start = self.today - (stalled + cut) * DAY
        if start < add_months(person.birth, 12 * 18) + DAY:
            return None
        dated = [(code, start + d * DAY, None) for code, d in steps if d <= cut]
        return self.fill(plan, dated, (start + publicity * DAY, start + publicity_end * DAY))

    def withdrawn(self, person, organization):
        """A case given up (withdrawn, or the person moved away) before the admission."""
        plan = CasePlan(person, organization, open=False)
        steps, (publicity, publicity_end) = self.before_admission()
        cut = self.r(0, dict(steps)["S08"])
        start = self.today - self.r(60, 900) * DAY - cut * DAY
        if start < add_months(person.birth, 12 * 18) + DAY:
            return None
        last = start + max(d for _c, d in steps if d <= cut) * DAY
        closed = min(self.today, last + self.r(20, 200) * DAY)
        plan.closed = (self.rng.choice([CloseReason.WITHDRAWN, CloseReason.TRANSFERRED]), closed)
        dated = [(code, start + d * DAY, None) for code, d in steps if d <= cut]
        return self.fill(plan, dated, (start + publicity * DAY, start + publicity_end * DAY))


class Contacts:
    """Full members who may be training contacts or introducers, by organization and by district."""

    OPEN_LIMIT = 2  # below DEV.CONTACT_LOAD's default (3): every recorded S05 passes it again later

    def __init__(self, rng, members, open_limit=OPEN_LIMIT):
        self.rng = rng
        self.open_limit = open_limit
        self.by_org = defaultdict(list)
        self.by_district = defaultdict(list)
        self.everyone = []
        for member in members:
            if member.full is not None:
                self.by_org[id(member.organization)].append(member)
                self.by_district[member.school.school.district].append(member)
                self.everyone.append(member)
        self.load = defaultdict(int)

    def full(self, plan, day, count, guide=False):
        """Up to ``count`` people who are full members on ``day``: of the case's organization if it has
        enough, else of the district, else of the city; an open case's contacts each guide at most
        ``open_limit`` open cases (None: no limit)."""
        chosen = []
        person = plan.person
        pools = (
            self.by_org[id(plan.organization)],
            self.by_district[person.school.school.district],
            self.everyone,
        )
        for pool in pools:
            if not pool:
                continue
            # A few draws in the organization and the district; the whole city in turn from a random
            # place, so that an admitted member's history always finds its contacts and introducers.
            start = self.rng.randrange(len(pool))
            draws = (
                (pool[(start + k) % len(pool)] for k in range(len(pool)))
                if pool is self.everyone
                else (pool[self.rng.randrange(len(pool))] for _ in range(min(12, len(pool))))
            )
            for candidate in draws:
                if len(chosen) == count:
                    break
                if (
                    candidate is person
                    or any(candidate is c for c in chosen)
                    or candidate.full > day
                    or (guide and self.open_limit is not None and self.load[id(candidate)] >= self.open_limit)
                ):
                    continue
                chosen.append(candidate)
        if guide:
            for candidate in chosen:
                self.load[id(candidate)] += 1
        return chosen


# Writing ----------------------------------------------------------------------------------------------
def resolve(data):
    """People of the data (plans) as the ids that ``services.clean_data`` keeps, sorted."""
    return {
        key: sorted(p.person.pk for p in value) if key in ("contacts", "introducers") else value
        for key, value in data.items()
    }


def write(plans, *, today=None):
    """Open the cases and record their steps through the development services, in bulk: every step checked
    by the rules engine as a typed one is, the cases derived, the memberships checked against the steps;
    then the cases closed by hand."""
    plans = [p for p in plans if p.steps]
    cases = [DevelopmentCase(person=p.person.person, organization=p.organization) for p in plans]
    steps = [
        services.Step(code, date, case=case, data=resolve(data))
        for plan, case in zip(plans, cases, strict=True)
        for code, date, data in plan.steps
    ]
    empty = {id(step.case) for step in votes.fit(steps)}
    if empty:
        # A member admitted before the branch they belong to now had any voting member (a branch founded
        # later): the admission was another organization's, whose records the demo does not hold.
        kept = [(p, c) for p, c in zip(plans, cases, strict=True) if id(c) not in empty]
        plans, cases = [p for p, _c in kept], [c for _p, c in kept]
        steps = [s for s in steps if id(s.case) not in empty]
    services.record_steps(steps, by=SYSTEM, today=today)
    closures = [
        services.Closure(case, *plan.closed) for plan, case in zip(plans, cases, strict=True) if plan.closed
    ]
    if closures:
        services.close_cases(closures, by=SYSTEM)
    contacts = sum(
        len(data.get(key, [])) for _c, _d, data in (s for p in plans for s in p.steps) for key in ROLES
    )
    return {"development cases": len(cases), "development steps": len(steps), "contacts": contacts}


ROLES = ("contacts", "introducers")
