"""The development metrics (metrics.md) equal a brute-force count over cases built with the real services.

``development.admitted``, ``development.overdue`` and ``cultivation.backbone_developed`` are aggregate
queries; here every case is built step by step with ``open_case`` and ``record_step`` (each step checked
by the rules engine), and each figure is counted again in plain Python: the organization tree walked one
level at a time, the titles read row by row, and "overdue on day D" taken literally from the engine,
``engine.plan`` over the steps dated up to D with ``Due.late(D)``. The demo data set's own cases are in the
database too, and counted by both.
"""

import datetime
import io
import json
import os

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from redengine.core.metrics import REGISTRY, Period, compute_all
from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM
from redengine.development import engine, rules
from redengine.development.metrics import last_base, late_from_steps, overdue_at
from redengine.development.models import DevelopmentCase
from redengine.development.services import close_case, open_case, record_step
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Honor, Membership, Person
from redengine.people.services import award_titles, save_people
from redengine.reports.tests.brute_force import BruteForce

from .helpers import TODAY, D, contacts, fill_roll, vote_data

pytestmark = pytest.mark.django_db

ROOT = "CS0001"
NAMES = [
    "development.admitted",
    "development.overdue",
    "development.late_steps",
    "cultivation.backbone_developed",
]
DAY = datetime.timedelta(days=1)
# Where the hand-made cases sit: two branches of 岳麓区 and one of 芙蓉区 (with their schools).
BRANCHES = {
    "meixihu": ("CS430104-02-01", "4301040002"),
    "lushan": ("CS430104-01", "4301040001"),
    "furong": ("CS430102-01", "4301020001"),
}

# A legal path as days from the admission (S15); every interval keeps to the rules whatever the dates:
# the talk 15 days after the application (a month is at least 28 days), assessments at most 180 days
# apart (six months are at least 181), a candidate 367 days after the activist (a year is at most 366),
# the approval 37 days after the meeting (three months are at least 89), conversion 372 days after it.
OFFSETS = [
    ("S01", -530),
    ("S02", -515),
    ("S03", -450),
    ("S04", -441),
    ("S05", -441),
    ("S06", -280),
    ("S06", -100),
    ("S07", -83),
    ("S08", -76),
    ("S09", -71),
    ("S10", -46),
    ("S11", -36),
    ("S12", -24),
    ("S13", -10),
    ("S14", -7),
    ("S15", 0),
    ("S16", 10),
    ("S17", 37),
    ("S18", 46),
    ("S19", 46),
    ("S20", 51),
    ("S21", 180),
    ("S22", 340),
]
ENDINGS = {
    "convert": [("S23", 372, "convert"), ("S24", 395, None), ("S25", 407, None)],
    "cancel": [("S23", 372, "cancel"), ("S24", 395, None)],
    # Extended by six months (the probation then ends 18 months after the meeting: at most 550 days).
    "extend": [
        ("S23", 372, "extend"),
        ("S24", 390, None),
        ("S21", 450, None),
        ("S23", 555, "convert"),
        ("S24", 570, None),
        ("S25", 580, None),
    ],
}
VOTE = {"should_attend": 20, "present": 15, "yes": 14, "no": 1}
_serials = iter(range(1, 10**6))
_people = iter(range(1, 10**6))


def step_data(code, date, outcome=None):
    """The data a step carries (contacts and introducers: the demo's two full members of 梅溪湖中学)."""
    if code in ("S05", "S09"):
        return {"contacts" if code == "S05" else "introducers": [p.pk for p in contacts()]}
    if code == "S10":
        return {"conclusion": "qualified"}
    if code == "S11":
        return {"course": "发展对象培训班", "days": 3, "hours": 24}
    if code == "S13":
        return {
            "publicity_from": (date - 9 * DAY).isoformat(),
            "publicity_to": (date - 2 * DAY).isoformat(),
            "form_serial": f"M-{next(_serials):06d}",
        }
    if code == "S15":
        return dict(VOTE)
    if code == "S23":
        data = {**VOTE, "outcome": outcome}
        if outcome == "cancel":
            data["yes"] = 11  # a cancellation is a resolution passed by a majority (细则第三十二条)
        if outcome == "extend":
            data["extension_months"] = 6
        return data
    if code in ("S17", "S24"):
        return {"approval_number": f"测试批复〔{date.year}〕{next(_serials)}号"}
    return {}


def path(admitted, ending="convert"):
    """(code, date, data) of a whole legal path whose branch meeting (S15) is on ``admitted``."""
    steps = [(code, admitted + days * DAY, None) for code, days in OFFSETS]
    steps += [(code, admitted + days * DAY, outcome) for code, days, outcome in ENDINGS[ending]]
    return [(code, date, step_data(code, date, outcome)) for code, date, outcome in steps]


def applicant(where="meixihu", titles=()):
    """A new teacher of the branch's school (born 1985), with titles ``(title, awarded, lapsed)``."""
    n = next(_people)
    school = School.objects.get(code=BRANCHES[where][1])
    born = datetime.date(1985, 1, 1) + n * DAY
    values = {"name": f"指标测试{n}", "school": school, "post": "teacher", "front_line": True}
    values["id_number"] = make_id_number("430111", born, 700 + n % 250)
    person = save_people([Item(values)], by=SYSTEM)[0]
    award_titles(
        [
            Item({"person": person, "title": title, "awarded_on": awarded, "lapsed_on": lapsed})
            for title, awarded, lapsed in titles
        ],
        by=SYSTEM,
    )
    return person


def develop(admitted, *, where="meixihu", upto=None, until=None, ending="convert", titles=(), closed=None):
    """A case with the legal path's steps recorded through the real service: up to step ``upto`` (its
    first occurrence), or those dated up to ``until``; withdrawn on ``closed`` if given."""
    person = applicant(where, titles)
    case = open_case(person, PartyOrganization.objects.get(code=BRANCHES[where][0]), by=SYSTEM)
    for code, date, data in path(admitted, ending):
        if until is not None and date > until:
            break
        record_step(case, code, date, data=vote_data(case, code, date, data), today=TODAY, by=SYSTEM)
        if code == upto:
            break
    if closed is not None:
        case.refresh_from_db()
        close_case(case, "withdrawn", closed, by=SYSTEM)
    case.refresh_from_db()
    return case


@pytest.fixture(autouse=True)
def _branches_have_voting_members():
    """Every branch of the hand-made cases has a roll of voting members at its meetings (from 2011 on)."""
    for code, _school in BRANCHES.values():
        fill_roll(8, PartyOrganization.objects.get(code=code), day=D("2015-01-01"), at_least=True)


@pytest.fixture(autouse=True)
def _contacts_may_guide_many(monkeypatch):
    """The two contacts guide every hand-made case (DEV.CONTACT_LOAD is a local rule, tested elsewhere)."""
    monkeypatch.setitem(rules.PARAMETERS, "dev.contact_max_open_cases", 10**6)


# --- The brute force -----------------------------------------------------------------------------------


def subtree_ids(code):
    return {o.pk for o in BruteForce.walk(PartyOrganization.objects.get(code=code))}


def brute_late_steps(code, first, last):
    """Steps dated in the period that the engine, replaying each case's steps in order, judges past a time
    limit — not the stored flag."""
    ids = subtree_ids(code)
    found = 0
    for case in DevelopmentCase.objects.all():
        if case.organization_id not in ids:
            continue
        done = []
        for step in sorted(case.events.all(), key=lambda e: (e.date, rules.ORDER[e.step], e.pk)):
            violations = engine.check(done, step.step, step.date, step.data, today=step.date)
            if first <= step.date.year <= last and any(v.late for v in violations):
                found += 1
            done.append(engine.Done(step.step, step.date, step.data))
    return found


def brute_admitted(code, first, last, exclude=()):
    """(people admitted in the period, of whom holding 骨干教师 that day), membership by membership (with a
    case or without), title by title; people in scope by their school (metrics.md, "In scope")."""
    start, end = datetime.date(first, 1, 1), datetime.date(last, 12, 31)
    reading = BruteForce(code, first, last)
    honors = list(Honor.objects.filter(title="backbone_teacher"))
    admitted, backbone = set(), set()
    for membership in Membership.objects.select_related("person"):
        school = reading.school_by_id[membership.person.school_id]
        if not start <= membership.admitted_on <= end or not reading.school_in_scope(school, end):
            continue
        if membership.person_id in exclude:
            continue
        admitted.add(membership.person_id)
        day = membership.admitted_on
        if any(
            h.person_id == membership.person_id
            and h.awarded_on <= day
            and (h.lapsed_on is None or h.lapsed_on > day)
            for h in honors
        ):
            backbone.add(membership.person_id)
    return len(admitted), len(backbone)


def late_on(case, day):
    """The engine's own answer: on ``day``, by the steps dated up to it, a pending step is past its
    deadline (a case closed on or before ``day`` is not open then)."""
    if case.closed_on is not None and case.closed_on <= day:
        return False
    done = [engine.Done(e.step, e.date, e.data) for e in case.events.all() if e.date <= day]
    if not done:
        return False
    return any(item.late(day) for item in engine.plan(done).due)


def brute_overdue(code, day):
    ids = subtree_ids(code)
    return sum(
        1 for case in DevelopmentCase.objects.all() if case.organization_id in ids and late_on(case, day)
    )


def figures(code, first, last=None):
    scope = PartyOrganization.objects.get(code=code)
    return compute_all(scope, Period.of(first=first, last=last or first), NAMES)


def assert_matches(code, first, last=None):
    """The three figures equal the brute force for the scope and the years."""
    last = last or first
    got = figures(code, first, last)
    admitted, backbone = brute_admitted(code, first, last)
    assert got["development.admitted"] == {"value": admitted}, (code, first, last)
    share = backbone / admitted if admitted else None
    expected = {"value": backbone, "denominator": admitted, "share": share}
    assert got["cultivation.backbone_developed"] == expected, (code, first, last)
    day = min(datetime.date(last, 12, 31), timezone.localdate())
    assert got["development.overdue"] == {"value": brute_overdue(code, day)}, (code, first, last, day)
    assert got["development.late_steps"] == {"value": brute_late_steps(code, first, last)}, (
        code,
        first,
        last,
    )
    return got


# --- Hand-made cases -------------------------------------------------------------------------------------


@pytest.fixture
def admissions():
    """Admissions around the edges of 2015–2019, with titles held, lapsed and not yet awarded."""
    backbone = "backbone_teacher"
    cases = {
        # 2015-01-01: the first day of the five years; held since 2013.
        "first_day": develop(D("2015-01-01"), titles=[(backbone, D("2013-09-10"), None)]),
        # Awarded on the day of the admission: held.
        "awarded_that_day": develop(D("2017-06-25"), titles=[(backbone, D("2017-06-25"), None)]),
        # Lapsed on the day of the admission: no longer held.
        "lapsed_that_day": develop(
            D("2018-03-15"), where="lushan", titles=[(backbone, D("2015-09-10"), D("2018-03-15"))]
        ),
        # Awarded the day after: not held yet; 卓越教师 is not 骨干教师.
        "awarded_later": develop(
            D("2019-06-25"),
            where="furong",
            titles=[(backbone, D("2019-06-26"), None), ("excellent_teacher", D("2018-09-10"), None)],
        ),
        # 2019-12-31: the last day; held (awarded 2016, lapsing after the admission).
        "last_day": develop(
            D("2019-12-31"), where="furong", titles=[(backbone, D("2016-09-10"), D("2020-09-09"))]
        ),
        # 2020-01-01: outside 2015–2019.
        "next_year": develop(D("2020-01-01"), titles=[(backbone, D("2016-09-10"), None)]),
        # The branch meeting passed in 2019, the approval (S17) never came: not admitted.
        "not_approved": develop(D("2019-05-10"), upto="S16", titles=[(backbone, D("2016-09-10"), None)]),
        # Admitted in 2016, the probation cancelled in 2017: admitted in 2016 all the same.
        "cancelled": develop(D("2016-04-20"), where="lushan", ending="cancel"),
        # Extended probation, converted 18 months after the meeting.
        "extended": develop(D("2018-07-02"), ending="extend", titles=[(backbone, D("2016-09-10"), None)]),
    }
    return cases


def test_admitted_and_backbone_developed_by_hand(admissions):
    """metrics.md: people admitted within the period (S15, approved), and those holding 骨干教师 that day
    ("Title held at D": awarded on or before D, not lapsed on or before D)."""
    c = admissions
    assert c["first_day"].admitted_on == D("2015-01-01")
    assert c["not_approved"].admitted_on is None
    assert c["cancelled"].status == "closed"
    assert c["cancelled"].admitted_on == D("2016-04-20")
    assert c["extended"].converted_on == D("2020-01-02")

    five = figures(ROOT, 2015, 2019)
    base = brute_admitted(ROOT, 2015, 2019)  # the demo's own cases, if any fall in these years
    assert base[0] >= 7
    assert five["development.admitted"]["value"] == base[0]
    assert five["cultivation.backbone_developed"]["value"] == base[1]
    # first_day, awarded_that_day, last_day and extended held 骨干教师 when admitted.
    hand = {case.person_id for case in c.values()}

    def demo(code, first, last=None):  # (admitted, backbone) of the demo's own memberships
        return brute_admitted(code, first, last or first, exclude=hand)

    yuelu, (n, b) = figures("CS430104", 2015, 2019), demo("CS430104", 2015, 2019)
    assert (
        yuelu["development.admitted"]["value"] == n + 5
    )  # first_day, awarded_that_day, lapsed, cancelled, ext.
    assert yuelu["cultivation.backbone_developed"]["value"] == b + 3
    furong, (n, b) = figures("CS430102", 2015, 2019), demo("CS430102", 2015, 2019)
    assert furong["cultivation.backbone_developed"]["value"] == b + 1
    assert furong["cultivation.backbone_developed"]["denominator"] == n + 2
    branch, (n, b) = figures("CS430104-01", 2015, 2019), demo("CS430104-01", 2015, 2019)
    # 麓山实验小学: lapsed_that_day and cancelled
    assert branch["cultivation.backbone_developed"]["value"] == b
    assert branch["cultivation.backbone_developed"]["denominator"] == n + 2

    assert figures("CS430102", 2019)["development.admitted"]["value"] == demo("CS430102", 2019)[0] + 2
    assert figures("CS430104", 2020)["development.admitted"]["value"] == demo("CS430104", 2020)[0] + 1
    assert (
        figures("CS430104", 2015)["cultivation.backbone_developed"]["value"] == demo("CS430104", 2015)[1] + 1
    )
    for code in [ROOT, "CS430104", "CS430102", "CS430104-01", "CS430104-02", "CS430104-02-01"]:
        for first, last in [(2015, 2019), (2019, 2019), (2020, 2020), (2014, 2016), (2016, 2026)]:
            assert_matches(code, first, last)


def test_years_add_up(admissions):
    """Each person is admitted once, so the span's count is the sum of its years'."""
    for code in [ROOT, "CS430104"]:
        span = figures(code, 2014, 2021)
        years = [figures(code, y) for y in range(2014, 2022)]
        assert span["development.admitted"]["value"] == sum(y["development.admitted"]["value"] for y in years)
        total = sum(y["cultivation.backbone_developed"]["value"] for y in years)
        assert span["cultivation.backbone_developed"]["value"] == total


@pytest.fixture
def stalled():
    """Cases that stopped at a step with a deadline, at known dates (the deadline in the comment)."""
    return {
        # Applied 2018-01-31, no talk yet: due 2018-02-28 (a month, clamped), late from 2018-03-01.
        "no_talk": develop(D("2019-07-15"), upto="S01"),  # S01 on 2018-01-31
        # Activist since 2018-03-27 with contacts, assessed on 2018-09-13 (July–December 2018): the next is
        # due in January–June 2019, by 2019-06-30 (domain-rules §0.1, by calendar half-year).
        "assessment": develop(D("2019-06-20"), upto="S06"),
        # Branch meeting 2020-03-02, superior talk done, no approval: due 2020-06-02.
        "approval": develop(D("2020-03-02"), upto="S16", where="furong"),
        # Conversion decided 2021-02-15 (372 days after 2020-02-09), not approved: due 2021-05-15.
        "conversion": develop(D("2020-02-09"), upto="S23", where="lushan"),
        # As no_talk, but withdrawn on 2018-06-30: late from 2018-03-01 until it closed.
        "withdrawn": develop(D("2019-07-15"), upto="S01", closed=D("2018-06-30")),
        # Completed in 2017 on time: never late.
        "completed": develop(D("2016-03-01")),
    }


def test_deadlines_of_a_past_day_from_the_steps(stalled):
    """The state on a past day is worked out from the steps dated up to it: each case is late from the
    day after its deadline, and the withdrawn one only until it closed."""
    c = stalled
    assert [e.date for e in c["no_talk"].events.all()] == [D("2018-01-31")]
    assert c["assessment"].events.filter(step="S06").get().date == D("2018-09-13")
    root = PartyOrganization.objects.get(code=ROOT)
    mine = DevelopmentCase.objects.filter(pk__in=[case.pk for case in c.values()])

    def late(day):
        late = late_from_steps(mine, day).values_list("pk", flat=True)
        return set(Person.objects.filter(development_cases__in=list(late)).values_list("name", flat=True))

    def names(*keys):
        return {c[k].person.name for k in keys}

    assert late(D("2018-02-28")) == set()  # due that day: not late yet
    assert late(D("2018-03-01")) == names("no_talk", "withdrawn")
    assert late(D("2018-06-30")) == names("no_talk")  # closed that day
    assert late(D("2019-03-14")) == names("no_talk")
    assert late(D("2019-06-30")) == names("no_talk")
    assert late(D("2019-07-01")) == names("no_talk", "assessment")
    assert late(D("2020-06-02")) == names("no_talk", "assessment")
    assert late(D("2020-06-03")) == names("no_talk", "assessment", "approval")
    assert late(D("2021-05-15")) == names("no_talk", "assessment", "approval")
    assert late(D("2021-05-16")) == names("no_talk", "assessment", "approval", "conversion")
    for day in [D("2016-12-31"), D("2017-06-30"), D("2018-03-01"), D("2019-07-01"), D("2021-05-16")]:
        assert overdue_at(root, day) == brute_overdue(ROOT, day)
    for code in [ROOT, "CS430104", "CS430102", "CS430104-01", "CS430104-02-01"]:
        for first, last in [(2017, 2017), (2018, 2018), (2019, 2020), (2021, 2021), (2026, 2026)]:
            assert_matches(code, first, last)


def test_today_reads_the_stored_plan_and_agrees_with_the_steps(stalled):
    """For a period not over yet the figure is today's: open cases whose stored nearest deadline
    (``next_due``, the calendar's own field) is before today; it equals the reading from the steps."""
    today = timezone.localdate()
    for code in [ROOT, "CS430104", "CS430102-01"]:
        scope = PartyOrganization.objects.get(code=code)
        stored = DevelopmentCase.objects.in_subtree(scope.path).overdue(today).count()
        from_steps = late_from_steps(DevelopmentCase.objects.in_subtree(scope.path), today).count()
        assert stored == from_steps == brute_overdue(code, today)
        current = figures(code, today.year)["development.overdue"]["value"]
        assert current == stored
        assert figures(code, today.year, today.year + 3)["development.overdue"]["value"] == stored
    assert figures(ROOT, today.year)["development.overdue"]["value"] >= 4


def test_a_deadline_is_months_by_the_rules_calendar():
    """``last_base(D, n)``: the latest date whose n months end before D (clamped month ends included)."""
    for day in [D("2018-03-01"), D("2019-02-28"), D("2020-03-01"), D("2024-03-31"), D("2021-01-01")]:
        for months in (1, 3, 6, 12):
            base = last_base(day, months)
            assert rules.add_months(base, months) < day
            assert rules.add_months(base + DAY, months) >= day
    assert last_base(D("2018-03-01"), 1) == D("2018-01-31")  # 01-31 + 1 month = 02-28 < 03-01
    assert last_base(D("2018-02-28"), 1) == D("2018-01-27")


# --- The machine-readable form and the query counts ----------------------------------------------------


def command_json(*args):
    out = io.StringIO()
    call_command("metrics", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_command_prints_the_three_figures(admissions):
    """metrics.md, machine-readable form: ``manage.py metrics --scope CS0001 --year 2023 --json``."""
    printed = command_json("--scope", ROOT, "--year", "2023")
    assert set(NAMES) <= set(printed)
    for name in ["development.admitted", "development.overdue"]:
        assert set(printed[name]) == {"value"}
        assert type(printed[name]["value"]) is int
    backbone = printed["cultivation.backbone_developed"]
    assert set(backbone) == {"value", "denominator", "share"}
    assert backbone["denominator"] == printed["development.admitted"]["value"]
    span = command_json("--scope", ROOT, "--from", "2015", "--to", "2019")
    expected = figures(ROOT, 2015, 2019)
    assert {name: span[name] for name in NAMES} == expected
    assert span["cultivation.backbone_developed"]["value"] >= 4


def test_the_three_metrics_are_registered_with_their_texts():
    for (
        name
    ) in NAMES:  # the backbone teachers developed are dual cultivation's figure, read from the admissions
        module = (
            "redengine.cultivation.metrics"
            if name.startswith("cultivation.")
            else "redengine.development.metrics"
        )
        assert REGISTRY[name].function.__module__ == module
        assert str(REGISTRY[name].label)
        assert str(REGISTRY[name].definition)


@pytest.mark.parametrize("years", [(2019, 2019), (2015, 2019), (2026, 2026), (2024, 2030)])
def test_each_figure_is_one_query(stalled, django_assert_max_num_queries, years):
    root = PartyOrganization.objects.get(code=ROOT)
    period = Period.of(first=years[0], last=years[1])
    for name in NAMES:
        with django_assert_max_num_queries(1):
            REGISTRY[name].compute(root, period)


# --- Property test ---------------------------------------------------------------------------------------

ADMISSION = st.dates(datetime.date(2014, 10, 1), datetime.date(2025, 9, 30))  # contacts full by S05
ENDING = st.sampled_from(["convert", "convert", "cancel", "extend"])
STOP = st.sampled_from([None, "S01", "S02", "S05", "S06", "S07", "S14", "S15", "S16", "S17", "S22", "S23"])
TITLE = st.one_of(
    st.none(),
    st.tuples(
        st.sampled_from(["backbone_teacher", "excellent_teacher"]), st.integers(-900, 300), st.booleans()
    ),
)


def build_random(draw):
    """1 to 4 cases in the three branches, stopped at a random step or withdrawn, with a random title."""
    for _ in range(draw(st.integers(1, 4))):
        admitted = draw(ADMISSION)
        where = draw(st.sampled_from(sorted(BRANCHES)))
        titles = []
        drawn = draw(TITLE)
        if drawn:
            title, offset, lapses = drawn
            awarded = admitted + offset * DAY
            lapsed = admitted + draw(st.integers(-30, 400)) * DAY if lapses else None
            titles.append((title, awarded, lapsed if lapsed and lapsed > awarded else None))
        stop = draw(STOP)
        walked = [d for c, d, _ in path(admitted, draw(ENDING)) if d <= TODAY]
        until = walked[-1]
        closed = None
        if draw(st.booleans()) and stop:
            closed = min(TODAY, draw(st.dates(datetime.date(2013, 1, 1), datetime.date(2026, 11, 27))))
        case = develop(admitted, where=where, upto=stop, until=until, titles=titles)
        if closed and case.status == "open":
            close_case(case, "withdrawn", max(closed, case.last_step_on or closed), by=SYSTEM)
        event(f"stage {case.stage}, {case.status}")


@settings(
    max_examples=int(os.environ.get("METRICS_EXAMPLES", 12)),
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(data=st.data())
def test_the_figures_equal_the_brute_force_on_random_cases(data):
    """Random legal histories (stopped anywhere, withdrawn, cancelled, extended), a random scope and a
    random year or span, or a random day for the overdue reading: every figure equals the brute force.
    Each example runs in a transaction rolled back at its end; ``METRICS_EXAMPLES=200`` runs more."""
    with transaction.atomic():
        build_random(data.draw)
        code = data.draw(st.sampled_from([ROOT, "CS430104", "CS430102", "CS430104-02-01", "CS430104-01"]))
        first = data.draw(st.integers(2014, 2027))
        last = data.draw(st.sampled_from([first, first, min(first + 4, 2027)]))
        got = assert_matches(code, first, last)
        day = data.draw(st.dates(datetime.date(2013, 6, 1), TODAY))
        scope = PartyOrganization.objects.get(code=code)
        late = overdue_at(scope, day)
        assert late == brute_overdue(code, day), day
        transaction.set_rollback(True)
    if late:
        event("non-zero: overdue on a random day")
    for name, figure in got.items():
        if figure["value"]:
            event(f"non-zero: {name}")


def test_late_steps_counts_steps_taken_after_their_time_limit():
    """development.late_steps (metrics.md): a talk two months after the application and an approval four
    months after the branch meeting, each in its year and scope, equal the engine's replay."""
    talk = develop(D("2019-07-15"), upto="S01")  # applied 2018-01-31
    record_step(talk, "S02", D("2018-04-02"), today=TODAY, by=SYSTEM)
    approval = develop(D("2020-03-02"), upto="S16", where="furong")
    record_step(
        approval, "S17", D("2020-07-10"), data={"approval_number": "迟批〔2020〕1号"}, today=TODAY, by=SYSTEM
    )
    assert figures("CS430104-02-01", 2018)["development.late_steps"] == {"value": 1}
    assert figures("CS430102", 2020)["development.late_steps"] == {"value": 1}
    assert (
        figures(ROOT, 2018, 2020)["development.late_steps"]["value"]
        == brute_late_steps(ROOT, 2018, 2020)
        >= 2
    )
    for code in [ROOT, "CS430104", "CS430102"]:
        assert_matches(code, 2018, 2020)


def test_admitted_counts_memberships_without_cases(db):
    """metrics.md: an admission recorded only as a membership (imported, no case) counts by its 入党日期."""
    from redengine.reports.tests.brute_force import Records

    branch = PartyOrganization.objects.get(code="CS430104-01")
    school = branch.schools.order_by("code").first()
    before = figures("CS430104", 2021)
    person = Records("W").person(
        school,
        memberships=[(branch, D("2021-05-01"), D("2022-05-01"), None)],
        titles=[("backbone_teacher", D("2020-09-10"), None)],
    )
    assert not DevelopmentCase.objects.filter(person=person).exists()
    after = figures("CS430104", 2021)
    assert after["development.admitted"]["value"] == before["development.admitted"]["value"] + 1
    was, now = before["cultivation.backbone_developed"], after["cultivation.backbone_developed"]
    assert (now["value"], now["denominator"]) == (was["value"] + 1, was["denominator"] + 1)
    assert_matches("CS430104", 2021)
    assert_matches(ROOT, 2020, 2022)
