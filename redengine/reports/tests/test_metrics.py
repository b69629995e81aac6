"""Every metric of the registry equals a brute-force count (metrics.md applied record by record).

The hand-made tree (``brute_force.hand_made_tree``, fixture ``tree``) sits under the demo root and takes
over the bureau role of 长沙县 (430121), so that the district rule for uncovered schools can be seen inside
it; a Hypothesis test then builds random small trees and records and compares every metric with the
brute force for a random scope and period. The brute force and the builders are in ``brute_force.py``.
"""

import datetime
import os

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from redengine.core.dates import add_months
from redengine.core.metrics import REGISTRY, Period, compute_all
from redengine.core.validators import make_id_number
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Membership, Person

from .brute_force import CHECKED, D2019, ROOT, BruteForce, Records, assert_matches, computed, day, plus_years

pytestmark = pytest.mark.django_db


def test_every_metric_of_the_registry_is_checked():
    """Each metric that orgs and people register, and dual cultivation's members among title holders, has a
    brute-force reading here (and no reading is stale)."""
    ours = {
        name
        for name, m in REGISTRY.items()
        if m.function.__module__ in {"redengine.orgs.metrics", "redengine.people.metrics"}
        or name.startswith("cultivation.member_share.")
    }
    assert ours == set(CHECKED)


def value(name, scope, first, last=None):
    return computed(scope, first, last)[name]


def test_school_level_organizations(tree):
    """metrics.md, "School-level organization": it covers a school and its parent covers none of the same
    schools; a committee covering a school whose branches also cover it counts once, the branches do not.
    "Period end": TF (founded 2020) does not exist yet at the end of 2019."""
    # TA (its branches TA1, TA2 do not count), TA3 (its parent covers another school), TJ, TP.
    assert assert_matches("T-X", 2019)["orgs.school_orgs"]["value"] == 4
    assert value("orgs.school_orgs", "T-X", 2019)["value"] == 4
    assert value("orgs.school_orgs", "T-X", 2020)["value"] == 5  # TF exists now
    assert value("orgs.school_orgs", "T-A", 2019)["value"] == 2  # TA and TA3
    assert value("orgs.school_orgs", "T-A1", 2019)["value"] == 0  # its parent covers its school
    root_2019 = assert_matches(ROOT, 2019)["orgs.school_orgs"]["value"]
    assert assert_matches(ROOT, 2020)["orgs.school_orgs"]["value"] == root_2019 + 2  # TF and TZ


def test_received_counts_only_changes_from_outside_within_the_period(tree):
    """metrics.md, orgs.received: organizations moved in by an affiliation change within the period; a move
    inside the system (TM, old parent set) is not a reception."""
    assert value("orgs.received", "T-X", 2018)["value"] == 1  # TR; TM's move in 2018 does not count
    assert value("orgs.received", "T-X", 2019)["value"] == 0
    assert value("orgs.received", "T-X", 2017, 2019)["value"] == 1
    assert value("orgs.received", "T-M", 2018)["value"] == 0
    assert value("orgs.received", ROOT, 2019)["value"] == 1  # TY, received under the root
    for first, last in [(2018, 2018), (2019, 2019), (2017, 2019), (2020, 2020)]:
        assert_matches(ROOT, first, last)
        assert_matches("T-X", first, last)


def test_elections_due(tree):
    """metrics.md, orgs.elections_due: the term has run out at the period end; TA1 (elected 2015, 3 years),
    TA2 (founded 2012, never elected), TR (founded 2009) and TM (founded 2016-09-01) are due at the end of
    2019; TA, TA3 and TJ (5-year term from 2015-06-01) are not; a temporary branch holds no election."""
    assert assert_matches("T-X", 2019)["orgs.elections_due"]["value"] == 4
    assert value("orgs.elections_due", "T-X", 2020)["value"] == 5  # TJ's term ran out on 2020-06-01
    assert value("orgs.elections_due", "T-X", 2014)["value"] == 1  # TR only (TM not yet founded)
    assert_matches("T-X", 2020)


def test_private_new_orgs_and_startup_funds(tree):
    """metrics.md: private.new_orgs counts organizations founded in private schools within the period;
    private.startup_funds sums the grants approved within the period (yuan) and counts them."""
    assert value("private.new_orgs", "T-X", 2018)["value"] == 1  # TP
    assert value("private.new_orgs", "T-X", 2019)["value"] == 0
    assert value("private.new_orgs", "T-X", 2020)["value"] == 1  # TF; TZ lies outside TX
    assert value("private.new_orgs", ROOT, 2020)["value"] == 2
    assert value("private.startup_funds", "T-X", 2019) == {"value": "8000.50", "grants": 1}
    assert value("private.startup_funds", "T-X", 2017, 2019) == {"value": "13000.50", "grants": 2}
    assert value("private.startup_funds", "T-X", 2012) == {"value": "0.00", "grants": 0}
    for first, last in [(2018, 2018), (2016, 2020)]:
        assert_matches("T-X", first, last)
        assert_matches(ROOT, first, last)


def gaps_of(scope, first, last=None):
    return {
        item["school"]: item["reason"] for item in value("orgs.coverage_gaps", scope, first, last)["items"]
    }


def test_coverage_rule(tree):
    """metrics.md, "Coverage rule" at the period end, with members and full members at D:

    - A: 5 full members (the probationary member and the one who left in June do not count as full; the
      one whose membership ended on 31 December does) under committee TA: meets;
    - B: 3 full members, only a joint branch: a gap; C: 2 full members (the third is probationary until
      2020), joint branch: meets in 2019, a gap in 2020;
    - E (1 full member) and N (3) with no organization: gaps, in TX's scope through the district;
    - D: private, covered only by TF founded in 2020: a gap in 2019, met in 2020;
    - G: private, no members, an instructor dispatched until 31 December 2019: meets in 2019, not 2020;
      H: the instructor left in June 2019 and a secretary is no instructor: a gap;
    - Q: public, no members: no requirement; P: private, covered by TP: meets; L: covered by TA3.
    """
    s = tree["schools"]
    brute = assert_matches("T-X", 2019)
    assert brute["orgs.coverage"] == {"value": 5, "denominator": 11, "share": 5 / 11}
    gaps = gaps_of("T-X", 2019)
    expected = {s[k].code for k in "BENDZH"}
    assert set(gaps) == expected
    assert "5 full members" not in " ".join(gaps.values())
    assert "covered only by a joint branch" in gaps[s["B"].code]
    assert gaps[s["E"].code].startswith("1 full members and no party organization")
    assert gaps[s["N"].code].startswith("3 full members and no party organization")
    assert "no instructor dispatched" in gaps[s["H"].code]
    assert BruteForce("T-X", 2019).full_members_of(s["A"], day(D2019)) == 5

    gaps_2020 = gaps_of("T-X", 2020)
    assert s["D"].code not in gaps_2020  # TF exists now
    assert s["C"].code in gaps_2020  # the probationary member became a full member
    assert s["G"].code in gaps_2020  # the instructor's dispatch ended on 2019-12-31
    assert s["Q"].code not in gaps_2020
    assert_matches("T-X", 2020)


def test_a_school_without_organization_at_d_falls_to_its_district(tree):
    """metrics.md, "In scope": a school is placed by the organizations that cover it or, when none covers
    it, by its district's organization; TZ, founded in 2020, does not exist at the end of 2019, so school Z
    lies in TX's scope (430121) then, and in TZ's (outside TX) from 2020."""
    z = tree["schools"]["Z"].code
    assert z in gaps_of("T-X", 2019)
    assert z not in gaps_of("T-X", 2020)
    assert value("private.dispatched", "T-X", 2017, 2019)["value"] == 3  # the dispatch to Z counts in TX
    assert value("private.dispatched", "T-Z", 2017, 2019)["value"] == 0
    assert value("private.dispatched", "T-Z", 2017, 2020)["value"] == 1
    assert value("orgs.coverage", "T-Z", 2019) == {"value": 0, "denominator": 0, "share": None}
    assert z not in gaps_of("CS430121", 2019)  # the demo's 长沙县 organization gave up the district
    for scope in ["T-X", "T-Z", ROOT, "CS430121"]:
        assert_matches(scope, 2019)
        assert_matches(scope, 2020)


def test_dispatched(tree):
    """metrics.md, private.dispatched: secretaries and instructors publicly dispatched to private schools
    within the period, each person once; a non-public dispatch does not count."""
    assert assert_matches("T-X", 2019)["private.dispatched"]["value"] == 2
    assert value("private.dispatched", "T-X", 2018)["value"] == 1
    assert_matches("T-X", 2017, 2019)


def test_member_shares(tree):
    """metrics.md, "Title held at D" and "Member at D": a title lapsed on D is not held; a probationary
    member and one admitted on D are members; a membership ended before D is not; a person holding two
    counted titles counts once; a title awarded after D is not held yet."""
    brute = assert_matches("T-X", 2019)
    assert brute["cultivation.member_share.backbone"] == {"value": 3, "denominator": 5, "share": 0.6}
    assert brute["cultivation.member_share.principals"] == {"value": 1, "denominator": 2, "share": 0.5}
    assert brute["cultivation.member_share.studio"] == {"value": 1, "denominator": 1, "share": 1.0}
    studio_2020 = value("cultivation.member_share.studio", "T-X", 2020)
    assert studio_2020 == {"value": 2, "denominator": 2, "share": 1.0}
    assert value("cultivation.member_share.backbone", "T-J", 2019)["denominator"] == 0


@pytest.mark.parametrize("scope", ["T-X", "T-A", "T-A1", "T-J", "T-R", ROOT, "CS430104"])
@pytest.mark.parametrize(("first", "last"), [(2019, 2019), (2017, 2019), (2015, 2020), (2021, 2021)])
def test_every_metric_matches_for_every_scope_and_span(tree, scope, first, last):
    """metrics.md: scope is a subtree (a district or a school's organization vs the root); the period a year
    or a span of years, its end 31 December of the last year."""
    assert_matches(scope, first, last)


def test_spans_add_up_for_counts_within_the_period(tree):
    """Figures counted "within the period" over a span equal the sum over its years when each record
    counts once (received, new organizations, grants)."""
    for name in ["orgs.received", "private.new_orgs"]:
        for scope in ["T-X", ROOT]:
            span = value(name, scope, 2015, 2020)["value"]
            assert span == sum(value(name, scope, y)["value"] for y in range(2015, 2021))


# --- Property test ------------------------------------------------------------------------------------

YEARS = st.integers(2012, 2021)
DAYS = [(1, 1), (6, 30), (12, 31)]  # the first and last days of the year, so that "on D" happens
DATES = st.builds(lambda y, md: datetime.date(y, *md), YEARS, st.sampled_from(DAYS))
ADMITTED = st.builds(lambda y, md: datetime.date(y, *md), st.integers(2005, 2020), st.sampled_from(DAYS))
EARLY = st.builds(lambda y, md: datetime.date(y, *md), st.integers(2005, 2013), st.sampled_from(DAYS))
ORG_TYPES = ["committee", "general_branch", "branch", "joint_branch", "joint_branch", "temporary_branch"]
TITLES = ["backbone_teacher", "excellent_teacher", "chief_principal", "famous_principal", "studio_trainee"]
DISTRICTS = ["430121", "430181", "430182"]


def build_random(draw):
    """A random small tree with schools, coverage, people, memberships, titles, dispatches, grants and
    affiliation changes, under the demo root, built with the real services."""
    r = Records("H")
    root = PartyOrganization.objects.get(code=ROOT)
    schools = [
        r.school(
            i,
            ownership=draw(st.sampled_from(["public", "private"])),
            district=draw(st.sampled_from(DISTRICTS)),
        )
        for i in range(draw(st.integers(1, 6)))
    ]
    orgs = []
    for i in range(draw(st.integers(1, 6))):
        parent = root if i == 0 else orgs[draw(st.integers(0, i - 1))]
        founded = draw(st.none() | DATES)
        if parent.founded_on and (founded is None or founded < parent.founded_on):
            founded = parent.founded_on  # an organization is not older than its parent
        org_type = draw(st.sampled_from(ORG_TYPES))
        covered = [schools[k] for k in draw(st.sets(st.integers(0, len(schools) - 1), max_size=2))]
        mode = "create" if i == 0 else draw(st.sampled_from(["create", "create", "receive", "move"]))
        if mode == "receive":
            org = r.receive(
                i, parent, changed_on=draw(DATES), founded=founded, org_type=org_type, schools=covered
            )
        else:
            elected = draw(st.none() | st.integers(0, 6))
            last_election = plus_years(founded, elected) if founded and elected is not None else None
            if last_election and last_election > datetime.date(2024, 12, 31):
                last_election = None
            org = r.org(
                i,
                root if mode == "move" else parent,
                org_type=org_type,
                founded=founded,
                schools=covered,
                last_election=last_election,
                term_years=draw(st.sampled_from([None, None, 4])),
            )
            if mode == "move":
                r.move(org, parent, changed_on=draw(DATES))
                org.refresh_from_db()
        district = draw(st.sampled_from(["", *DISTRICTS] if i == 0 else ["", "", *DISTRICTS]))
        if district:
            r.claim_district(org, district)
        orgs.append(org)
    people = []
    # A few full members of long standing at one school (so that 3 or more happen), then anyone anywhere.
    for _ in range(draw(st.integers(0, 5))):
        admitted = draw(EARLY)
        ended = draw(st.one_of(st.none(), st.none(), st.none(), DATES))
        membership = [draw(st.sampled_from(orgs)), admitted, plus_years(admitted, 1), ended]
        people.append(r.person(schools[0], memberships=[membership]))
    for _ in range(draw(st.integers(0, 10))):
        memberships, since = [], None
        for _ in range(draw(st.sampled_from([0, 1, 1, 2]))):
            admitted = draw(ADMITTED)
            admitted = max(admitted, since) if since else admitted
            # Full membership at the end of the probation, or of an extension of 6 or 12 months (细则 art. 32).
            months = draw(st.sampled_from([None, 12, 18, 24]))
            full_on = None if months is None else add_months(admitted, months)
            ended = draw(st.one_of(st.none(), st.none(), DATES))
            ended = max(ended, admitted) if ended else None
            memberships.append([draw(st.sampled_from(orgs)), admitted, full_on, ended])
            if ended is None:
                break
            since = ended
        titles, seen = [], set()
        for title, awarded, lasted in draw(
            st.lists(st.tuples(st.sampled_from(TITLES), DATES, st.none() | st.integers(1, 4)), max_size=2)
        ):
            if (title, awarded) not in seen:
                seen.add((title, awarded))
                titles.append((title, awarded, plus_years(awarded, lasted) if lasted else None))
        school = draw(st.sampled_from(schools))
        people.append(r.person(school, memberships=memberships, titles=titles))
    private = [s for s in schools if s.ownership == "private"]
    if people and private:
        for _ in range(draw(st.integers(0, 4))):
            start = draw(DATES)
            end = draw(st.none() | DATES)
            r.dispatch(
                draw(st.sampled_from(people)),
                draw(st.sampled_from(private)),
                start=start,
                end=max(end, start) if end else None,
                role=draw(st.sampled_from(["instructor", "secretary"])),
                public=draw(st.booleans()),
            )
    for _ in range(draw(st.integers(0, 2))):
        r.grant(
            draw(st.sampled_from(orgs)), draw(st.sampled_from(["5000.00", "8000.50", "0.01"])), draw(DATES)
        )
    return [o.code for o in orgs]


@settings(
    max_examples=int(os.environ.get("METRICS_EXAMPLES", 25)),
    deadline=None,
    database=None,  # no example database on disk
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_metric_equals_the_brute_force_on_random_records(data):
    """For a random small tree and records, a random scope (one of its organizations, a demo district or
    the root) and a random year or span, every metric equals the brute-force reading of metrics.md. Each
    example is built in a transaction rolled back at its end. ``METRICS_EXAMPLES=400`` runs more examples;
    ``--hypothesis-show-statistics`` shows which gaps and figures the examples reached."""
    with transaction.atomic():
        codes = build_random(data.draw)
        scope = data.draw(st.just(codes[0]) | st.sampled_from([*codes, ROOT, "CS430121", "CS430181"]))
        first = data.draw(st.integers(2013, 2021))
        last = data.draw(st.sampled_from([first, first, min(first + 2, 2021), min(first + 5, 2021)]))
        figures = assert_matches(scope, first, last)
        transaction.set_rollback(True)
    # What the examples reach (shown by --hypothesis-show-statistics).
    for _code, _n, kind in figures["orgs.coverage_gaps"]["gaps"]:
        event(f"gap: {kind}")
    for name, figure in figures.items():
        if name != "orgs.coverage_gaps" and figure["value"]:
            event(f"non-zero: {name}")


# --- Query counts -------------------------------------------------------------------------------------


def grow(n, parent_code):
    """``n`` more schools, each with its branch under ``parent_code`` and 8 people (7 full members, 1
    probationary), in bulk."""
    parent = PartyOrganization.objects.get(code=parent_code)
    r = Records("Q")
    people, branches = [], []
    for i in range(n):
        school = r.school(i, ownership="private" if i % 2 else "public", district="430181")
        branches.append(r.org(i, parent, founded=day("2015-01-01"), schools=[school]))
        for k in range(8):
            born = datetime.date(1970, 1, 1) + datetime.timedelta(days=i)
            person = Person(name=f"批量{i}-{k}", school=school, sex="male", birth_date=born)
            person.set_id_number(make_id_number("120101", born, 2 * k + 1))
            people.append(person)
    Person.objects.bulk_create(people)
    Membership.objects.bulk_create(
        Membership(
            person=person,
            organization=branches[k // 8],
            admitted_on=day("2010-07-01"),
            full_on=day("2011-07-01") if k % 8 else None,
        )
        for k, person in enumerate(people)
    )


@pytest.mark.parametrize("scope", [ROOT, "CS430104"])
def test_all_metrics_take_a_bounded_number_of_queries(django_assert_max_num_queries, scope):
    """compute_all is aggregate queries only: each metric checked here is one query (the gaps listing too),
    and the number of queries for every registered metric does not grow with the data."""
    org = PartyOrganization.objects.get(code=scope)
    period = Period.of(2019)
    for name in CHECKED:
        with django_assert_max_num_queries(1):
            compute_all(org, period, [name])
    with CaptureQueriesContext(connection) as queries:
        small = compute_all(org, period)
    bound = len(queries)
    assert bound <= 2 * len(REGISTRY)
    grow(30, scope)
    with django_assert_max_num_queries(bound):
        large = compute_all(org, period)
    assert large["orgs.coverage"]["denominator"] == small["orgs.coverage"]["denominator"] + 30
    assert large["orgs.coverage"]["value"] == small["orgs.coverage"]["value"] + 30
    assert large["orgs.school_orgs"]["value"] == small["orgs.school_orgs"]["value"] + 30
    assert_matches(scope, 2019)


def test_a_school_with_only_probationary_members_and_no_organization_is_a_gap(tree):
    """issue 10 (应建尽建): every member, probationary included, belongs to a branch (党章 art. 8; step S19
    of the 细则), so a school whose members are all probationary and that no organization covers is a gap —
    counted by orgs.coverage and listed by orgs.coverage_gaps, as the independent count finds it; once
    covered (a joint branch will do), it meets the rule."""
    r, x = tree["records"], tree["orgs"]["X"]
    school = r.school("V")  # 430121, no organization covers it: in TX's scope through the district
    r.person(school, memberships=[(x, day("2019-03-01"), None, None)])
    r.person(school, memberships=[(x, day("2019-05-01"), None, None)])
    brute = assert_matches("T-X", 2019)
    assert brute["orgs.coverage"]["denominator"] == 12  # 11 before (test_coverage_rule), and this one
    reason = gaps_of("T-X", 2019)[school.code]
    assert reason.startswith("2 probationary members only and no party organization")
    joint = r.org("VJ", x, org_type="joint_branch", founded=day("2018-01-01"), schools=[school])
    assert joint.pk
    assert school.code not in gaps_of("T-X", 2019)
    assert assert_matches("T-X", 2019)["orgs.coverage"]["denominator"] == 12
    # In 2018 they were not members yet: no requirement (a public school).
    assert school.code not in gaps_of("T-X", 2018)
