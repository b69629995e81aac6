"""Compliance for hand-made calendars: a missed quarter, a missed month, a meeting on the boundary day, a
branch founded mid-year, a branch without (and with) a committee, party groups, the secretary's class; the
metric against the unit-by-unit reading; members absent three times running and the lapse proposal."""

import datetime

import pytest

from redengine.activities import compliance
from redengine.activities.models import AttendanceStatus
from redengine.activities.services import Listed, MeetingEntry, record_meetings
from redengine.core.metrics import REGISTRY, Period
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs import services as org_services
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person
from redengine.people.services import save_posts, set_memberships

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
YEAR = 2025
START, END = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
AFTER = datetime.date(YEAR + 1, 1, 15)  # the year is over: every unit is due


def new_branch(code, founded="2010-01-01", parent="CS430104-02", **values):
    values = {
        "code": code,
        "name": f"测试{code}",
        "org_type": "branch",
        "parent": PartyOrganization.objects.get(code=parent),
        "founded_on": D(founded),
        **values,
    }
    org = org_services.save_organizations([Item(values)], by=SYSTEM)[0]
    post = {"organization": org, "person": secretary(), "post": "secretary", "start_on": D("2020-01-01")}
    save_posts([Item(post)], by=SYSTEM)
    return org


def secretary():
    return Person.objects.get(name="梅溪湖张老师")


def meeting(org, kind, day, **values):
    return MeetingEntry(
        {
            "organization": org,
            "meeting_type": kind,
            "date": D(day),
            "topic": "学习",
            "expected": 5,
            "actual": 5,
            **values,
        }
    )


def full_year(org, skip=(), secretary_class=True):
    """Every meeting a branch without committee or groups owes in YEAR, less those in ``skip``."""
    entries = [meeting(org, "themed_day", f"{YEAR}-{m:02d}-15") for m in range(1, 13)]
    entries += [meeting(org, "general_meeting", f"{YEAR}-{m:02d}-20") for m in (2, 5, 8, 11)]
    entries += [meeting(org, "party_class", f"{YEAR}-{m:02d}-22") for m in (3, 6, 9, 12)]
    entries += [meeting(org, "life_meeting", f"{YEAR}-12-05"), meeting(org, "appraisal", f"{YEAR}-12-06")]
    if secretary_class:
        entries.append(meeting(org, "party_class", f"{YEAR}-07-01", lecturer=secretary()))
    entries = [e for e in entries if (e.values["meeting_type"], e.values["date"].isoformat()) not in skip]
    return record_meetings(entries, by=SYSTEM)


def rule(result, key):
    return next(r for r in result.rules if r.frequency.key == key)


def figure_of(org):
    return next(f for f in compliance.figures(org.path[:4], START, END, AFTER) if f.pk == org.pk)


def test_a_missed_quarter_is_a_gap_of_the_general_meeting():
    org = new_branch("CS-T-Q")
    full_year(org, skip={("general_meeting", f"{YEAR}-08-20")})
    result = compliance.detail([org], START, END, AFTER)[org.pk]
    general = rule(result, "LIFE.GENERAL_MEETING")
    assert [u.unit.key for u in general.gaps] == [f"{YEAR}-Q3"]
    assert (general.kept, len(general.required)) == (3, 4)
    assert rule(result, "LIFE.THEME_DAY").ok
    assert not result.ok
    figure = figure_of(org)
    assert not figure.ok
    assert "LIFE.GENERAL_MEETING" in figure.missed
    assert "LIFE.THEME_DAY" not in figure.missed


def test_a_missed_month_is_a_gap_of_the_themed_day():
    org = new_branch("CS-T-M")
    full_year(org, skip={("themed_day", f"{YEAR}-06-15")})
    themed = rule(compliance.detail([org], START, END, AFTER)[org.pk], "LIFE.THEME_DAY")
    assert [u.unit.key for u in themed.gaps] == [f"{YEAR}-06"]
    assert figure_of(org).missed == ["LIFE.THEME_DAY"]


def test_a_meeting_on_the_boundary_day_counts_in_its_own_month_and_quarter():
    org = new_branch("CS-T-B")
    full_year(
        org,
        skip={
            ("themed_day", f"{YEAR}-03-15"),
            ("themed_day", f"{YEAR}-04-15"),
            ("general_meeting", f"{YEAR}-02-20"),
        },
    )
    record_meetings(
        [meeting(org, "themed_day", f"{YEAR}-03-31"), meeting(org, "general_meeting", f"{YEAR}-03-31")],
        by=SYSTEM,
    )
    result = compliance.detail([org], START, END, AFTER)[org.pk]
    assert [u.unit.key for u in rule(result, "LIFE.THEME_DAY").gaps] == [f"{YEAR}-04"]  # 31 March is March's
    assert rule(result, "LIFE.GENERAL_MEETING").ok  # and the first quarter's
    record_meetings([meeting(org, "themed_day", f"{YEAR}-04-01")], by=SYSTEM)
    assert compliance.detail([org], START, END, AFTER)[org.pk].ok
    assert figure_of(org).ok


def test_a_branch_founded_mid_year_owes_only_the_units_after_its_founding_and_is_not_in_the_figure():
    org = new_branch("CS-T-F", founded=f"{YEAR}-05-15")
    record_meetings(
        [meeting(org, "themed_day", f"{YEAR}-{m:02d}-20") for m in range(6, 13)]
        + [meeting(org, "general_meeting", f"{YEAR}-{m:02d}-21") for m in (8, 11)]
        + [meeting(org, "party_class", f"{YEAR}-{m:02d}-22") for m in (9, 12)],
        by=SYSTEM,
    )
    result = compliance.detail([org], START, END, AFTER)[org.pk]
    themed = rule(result, "LIFE.THEME_DAY")
    assert [u.unit.key for u in themed.required][0] == f"{YEAR}-06"  # June: the first whole month
    assert themed.ok
    assert rule(result, "LIFE.GENERAL_MEETING").ok  # Q3 and Q4
    assert not rule(result, "LIFE.ORG_LIFE_MEETING").required  # it did not exist for the whole year
    assert org.pk not in {f.pk for f in compliance.figures(org.path[:4], START, END, AFTER)}


def test_a_branch_without_a_committee_owes_no_committee_meeting_and_one_with_a_committee_does():
    org = new_branch("CS-T-C")
    full_year(org)
    assert "LIFE.COMMITTEE" not in {
        r.frequency.key for r in compliance.detail([org], START, END, AFTER)[org.pk].rules
    }
    assert figure_of(org).ok
    member = Person.objects.get(name="梅溪湖王校长")
    save_posts(
        [Item({"organization": org, "person": member, "post": "organizing", "start_on": D("2025-01-01")})],
        by=SYSTEM,
    )
    committee = rule(compliance.detail([org], START, END, AFTER)[org.pk], "LIFE.COMMITTEE")
    assert len(committee.gaps) == 12
    assert "LIFE.COMMITTEE" in figure_of(org).missed
    record_meetings([meeting(org, "committee", f"{YEAR}-{m:02d}-03") for m in range(1, 13)], by=SYSTEM)
    assert figure_of(org).ok


def test_a_branch_of_two_party_groups_needs_two_group_meetings_a_month():
    org = new_branch("CS-T-G", party_groups=2)
    full_year(org)
    record_meetings(
        [
            meeting(org, "group", f"{YEAR}-{m:02d}-{d:02d}")
            for m in range(1, 13)
            for d in (4, 11)
            if (m, d) != (7, 11)
        ],
        by=SYSTEM,
    )
    group = rule(compliance.detail([org], START, END, AFTER)[org.pk], "LIFE.GROUP")
    assert [u.unit.key for u in group.gaps] == [f"{YEAR}-07"]
    assert figure_of(org).missed == ["LIFE.GROUP"]


def test_the_secretarys_own_class_counts_once_a_year():
    org = new_branch("CS-T-S")
    full_year(org, secretary_class=False)
    result = compliance.detail([org], START, END, AFTER)[org.pk]
    assert not rule(result, "LIFE.3M1C").ok
    assert figure_of(org).missed == ["LIFE.3M1C"]
    other = Person.objects.get(name="梅溪湖黄老师")
    (by_other,) = record_meetings([meeting(org, "party_class", f"{YEAR}-07-02", lecturer=other)], by=SYSTEM)
    assert not by_other.by_secretary
    (given,) = record_meetings(
        [meeting(org, "party_class", f"{YEAR}-07-01", lecturer=secretary())], by=SYSTEM
    )
    assert given.by_secretary
    assert compliance.detail([org], START, END, AFTER)[org.pk].ok
    assert figure_of(org).ok


def test_the_running_month_is_in_progress_never_a_gap():
    org = new_branch("CS-T-R")
    today = datetime.date(YEAR, 7, 10)
    record_meetings([meeting(org, "themed_day", f"{YEAR}-{m:02d}-15") for m in range(1, 7)], by=SYSTEM)
    themed = rule(compliance.detail([org], START, END, today)[org.pk], "LIFE.THEME_DAY")
    assert themed.ok
    assert themed.units[-1].running
    assert themed.units[-1].unit.key == f"{YEAR}-07"
    assert len(themed.required) == 6


def test_the_metric_counts_the_branches_that_kept_every_frequency():
    scope = PartyOrganization.objects.get(code="CS430104-02")
    metric = REGISTRY["activities.compliance"]
    before = metric.compute(scope, Period.of(YEAR))
    kept, missed = new_branch("CS-T-K1"), new_branch("CS-T-K2")
    full_year(kept)
    full_year(missed, skip={("appraisal", f"{YEAR}-12-06")})
    after = metric.compute(scope, Period.of(YEAR))
    assert after.denominator == before.denominator + 2
    assert after.value == before.value + 1
    for figure in compliance.figures(scope.path, START, END, AFTER):
        org = PartyOrganization.objects.get(pk=figure.pk)
        assert figure.ok == compliance.detail([org], START, END, AFTER)[org.pk].ok


def members(org, names, admitted="2015-01-10"):
    people = []
    for name in names:
        from redengine.development.tests.helpers import new_applicant

        person = new_applicant(name, birth="1980-03-01")
        people.append(person)
    set_memberships(
        [
            Item({"person": p, "organization": org, "admitted_on": D(admitted), "full_on": D("2016-01-10")})
            for p in people
        ],
        by=SYSTEM,
    )
    return people


def test_members_absent_three_times_running_and_without_life_for_six_months_are_proposed():
    org = new_branch("CS-T-L")
    steady, absent, lapsed = members(org, ["按时参加老师", "连续缺席老师", "半年未参加老师"])
    days = [f"{YEAR}-{m:02d}-15" for m in range(1, 13)]
    entries = []
    for index, day in enumerate(days):
        lines = [Listed(steady)]
        if index < 9:
            lines.append(Listed(absent))
        if index < 5:
            lines.append(Listed(lapsed))  # present January–May only
        entries.append(
            MeetingEntry(
                {"organization": org, "meeting_type": "themed_day", "date": D(day), "topic": "主题党日"},
                attendance=lines,
            )
        )
    record_meetings(entries, by=SYSTEM)
    lives = {life.person.name: life for life in compliance.members_life(org, START, END, AFTER)}
    assert lives["按时参加老师"].rate == 1
    assert lives["连续缺席老师"].absent_run == 3  # October, November, December
    assert lives["连续缺席老师"].rate == 9 / 12
    lapsed_life = lives["半年未参加老师"]
    assert lapsed_life.last_present == D(f"{YEAR}-05-15")
    assert compliance.has_lapse(lapsed_life, AFTER)
    assert not compliance.has_lapse(lives["连续缺席老师"], AFTER)
    assert lives["半年未参加老师"].absent == 7
    assert {life.membership.person.name for life in lives.values() if life.absent_run >= 3} == {
        "连续缺席老师",
        "半年未参加老师",
    }
    assert all(line.status in AttendanceStatus.values for line in [Listed(steady)])
