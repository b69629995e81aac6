"""Member development in the demo: legal step histories drawn in Python and written in bulk.

The generated city (``city.py``) gives a development case to every person it admits from 2015 on, with
the admission (S15) on the membership's ``admitted_on`` and the conversion on its ``full_on`` (the end of
the probation, extended in a few cases), and it opens cases for applicants who are not members yet, at
every stage, dated back from the day the city is generated. Every history keeps to the rules of
``development/rules.py`` by construction (the intervals below stay inside the shortest month, half year,
year and quarter of the calendar), and ``tests/test_city.py`` replays every open one and a sample of the
others through ``engine.check`` against the database.

The derived fields of each case come from ``engine.plan`` and ``services.apply_plan``, as a recorded
step would leave them; cases, steps and contacts are written in bulk with their create records by
``insert`` (on SQLite, 9 s for the city's 133,000 rows and records, where ``bulk_create_audited`` took 16).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connections, router
from django.db.models import Max
from django.utils import timezone

from redengine.core.audit import _json_value as json_value  # the records' own conversion of a value
from redengine.core.audit import insert_records
from redengine.core.models import ObjectChange
from redengine.development import engine
from redengine.development.models import (
    CaseContact,
    CaseStatus,
    CloseReason,
    ContactRole,
    DevelopmentCase,
    DevelopmentEvent,
)
from redengine.development.rules import STEP, add_months
from redengine.development.services import apply_plan

from . import words

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
def derive(plan):
    """The case row of a plan, its derived fields as ``services.refresh`` would leave them."""
    done = [engine.Done(code, date, data) for code, date, data in plan.steps]
    case = DevelopmentCase(person=plan.person.person, organization=plan.organization)
    apply_plan(case, engine.plan(done), done)
    if plan.closed:
        reason, closed_on = plan.closed
        case.status, case.close_reason, case.closed_on = CaseStatus.CLOSED, reason, closed_on
        case.next_step, case.next_earliest, case.next_rule = "", None, ""
        case.due_step, case.next_due, case.due_rule = "", None, ""
    return case


def resolve(data):
    """People of the data (plans) as the ids that ``services.clean_data`` keeps, sorted."""
    return {
        key: sorted(p.person.pk for p in value) if key in ("contacts", "introducers") else value
        for key, value in data.items()
    }


ROLES = {"S05": ("contacts", ContactRole.CONTACT), "S09": ("introducers", ContactRole.INTRODUCER)}


def insert(model, rows, scope_paths=None, texts=None, audited=True, batch_size=2000):
    """Insert ``rows`` of ``model`` (dicts of field attnames and values; a field left out takes its
    default) in bulk with their create records, the records ``bulk_create_audited`` would write, without
    a model instance or an INSERT compiled by Django for every 70 rows: the primary keys are numbered here
    (after the table's largest), the values converted once per field kind, and the rows sent with one
    ``executemany`` per batch (SQLite) or one ``COPY`` (PostgreSQL), as ``insert_records`` sends the change
    records (``texts``: each object's ``str``). For a single writer on the table (the demo generator, a
    benchmark's set-up). Returns the primary keys, in order.
    """
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = meta.concrete_fields
    first = (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    pks = list(range(first, first + len(rows)))
    now = timezone.now()
    defaults = {}
    for f in fields:
        if f.primary_key:
            continue
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            defaults[f.attname] = now
        elif f.has_default() or not f.null:
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None
    ops = connection.ops
    convert = {
        "DateField": ops.adapt_datefield_value,
        "DateTimeField": ops.adapt_datetimefield_value,
        "DecimalField": lambda value, f=None: ops.adapt_decimalfield_value(value),
    }
    converters = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "JSONField":
            converters.append(lambda value, f=f: f.get_db_prep_save(value, connection))
        else:
            converters.append(convert.get(kind))
    complete = [{**defaults, **row, meta.pk.attname: pk} for row, pk in zip(rows, pks, strict=True)]
    attnames = [f.attname for f in fields]
    values = [
        [
            value if change is None or value is None else change(value)
            for value, change in zip((row[name] for name in attnames), converters, strict=True)
        ]
        for row in complete
    ]
    quote = ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            with raw.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            for statement in ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)
        else:
            sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model, quoted)
                quote(meta.db_table), columns, ", ".join(["%s"] * len(fields))
            )
            for start in range(0, len(values), batch_size):
                cursor.executemany(sql, values[start : start + batch_size])
    if audited:
        snapshot_fields = [(f.name, f.attname) for f in fields if f.name not in model.audit_exclude]
        names = [name for name, _attname in snapshot_fields]
        records = [
            (
                ObjectChange.Action.CREATE,
                row[meta.pk.attname],
                text,
                None,
                {name: json_value(row[attname]) for name, attname in snapshot_fields},
                names,
                scope_path,
            )
            for row, text, scope_path in zip(complete, texts, scope_paths, strict=True)
        ]
        insert_records(model, records, batch_size=batch_size)
    return pks


def row_of(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}


def write(plans, audited=True):
    """Write the cases, their steps and their contacts in bulk, each with its create record (unless not
    ``audited``: a benchmark's set-up)."""
    plans = [p for p in plans if p.steps]
    cases = [derive(p) for p in plans]
    paths = [p.organization.path for p in plans]
    texts = [str(c) for c in cases] if audited else None
    pks = insert(DevelopmentCase, [row_of(c) for c in cases], paths, texts, audited=audited)
    step_names = {code: str(step.name) for code, step in STEP.items()}
    events, event_texts, event_paths, contacts, contact_paths = [], [], [], [], []
    for plan, pk, path in zip(plans, pks, paths, strict=True):
        for code, date, data in plan.steps:
            stored = resolve(data)
            events.append(
                {
                    "case_id": pk,
                    "step": code,
                    "date": date,
                    "data": stored,
                    "form_serial": stored.get("form_serial"),
                }
            )
            event_texts.append(f"{code} {step_names[code]} {date:%Y-%m-%d}")
            event_paths.append(path)
            if code in ROLES:
                key, role = ROLES[code]
                for person in data[key]:
                    contacts.append(
                        CaseContact(case_id=pk, person=person.person, role=role, assigned_on=date)
                    )
                    contact_paths.append(path)
    insert(DevelopmentEvent, events, event_paths, event_texts, audited=audited)
    texts = [str(c) for c in contacts] if audited else None
    insert(CaseContact, [row_of(c) for c in contacts], contact_paths, texts, audited=audited)
    return {"development cases": len(cases), "development steps": len(events), "contacts": len(contacts)}
