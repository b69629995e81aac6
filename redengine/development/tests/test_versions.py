"""Rule versions (domain-rules §0 "Version caution", §0.1 "Versions"): every rule table has a version and an
effective date, a step is judged by the version in force on its date, and the recorded step keeps it.
The version below is made up (no revision of the 2014 细则 is confirmed): a longer activist period and a
publicity period counted in working days, from a date on."""

import json

import pytest

from redengine.core.writes import SYSTEM
from redengine.development import engine, rules
from redengine.development.lookups import BatchLookups
from redengine.development.models import DevelopmentCase, DevelopmentEvent
from redengine.development.services import open_case, record_step

from .helpers import TODAY, D, branch, new_applicant, walk
from .test_rules import AllFull, refused

pytestmark = pytest.mark.django_db

MADE_UP = {
    "version": "2023-test",
    "effective": "2023-01-01",
    "title": "示例修订版（测试用）",
    "source": "测试用虚构版本",
    "parameters": {"dev.min_activist_months": 18, "dev.publicity_min_working_days": 5},
}


@pytest.fixture
def made_up():
    version = rules.load_version(MADE_UP)
    yield version
    rules.unload_version(version.version)
    assert [v.version for v in rules.VERSIONS] == ["2014"]


def test_the_2014_rules_are_the_first_version_in_force_from_10_june_2014():
    """《中国共产党发展党员工作细则》, issued by the General Office of the Central Committee on 10 June 2014."""
    first = rules.VERSIONS[0]
    assert (first.version, first.effective) == ("2014", D("2014-06-10"))
    assert rules.version_on(D("2026-01-01")) is first
    assert rules.param("dev.min_activist_months", on=D("2020-01-01")) == 12  # 细则 art. 13: one year


def test_each_step_is_judged_by_the_version_in_force_on_its_date(made_up):
    """A candidate (S07) after more than the activist period of the version in force on its date (细则 art. 13;
    here 18 months from 2023-01-01 in the made-up version, 12 before)."""
    done = [engine.Done(code, D(day)) for code, day in [("S01", "2021-09-10"), ("S02", "2021-09-20")]]
    done += [engine.Done("S03", D("2021-12-15")), engine.Done("S04", D("2021-12-20"))]
    done += [engine.Done("S05", D("2021-12-20")), engine.Done("S06", D("2022-05-30"))]
    # 2022-12-31: the 2014 rules, 12 months after S03 (2022-12-15) -> accepted.
    assert engine.check(done, "S07", D("2022-12-31"), {}, today=TODAY, lookups=AllFull()) == []
    # 2023-01-02: the made-up version, 18 months -> refused, from 2023-06-15 on.
    found = engine.check(done, "S07", D("2023-01-02"), {}, today=TODAY, lookups=AllFull())
    assert [v.rule for v in found] == ["DEV.MIN_ACTIVIST_PERIOD"]
    assert "2023-06-15" in found[0].detail
    assert "18" in found[0].detail
    assert engine.check(done, "S07", D("2023-06-15"), {}, today=TODAY, lookups=AllFull()) == []
    # Outside a judgement, the version in force today.
    assert rules.param("dev.min_activist_months") == 18
    assert rules.param("dev.min_activist_months", on=D("2022-12-31")) == 12


def test_the_recorded_step_keeps_the_version_it_was_judged_by_and_the_timeline_shows_it(made_up, client_for):
    case = walk(open_case(new_applicant(), branch(), by=SYSTEM), upto="S06")
    versions = {(e.date.year, e.rules_version) for e in DevelopmentEvent.objects.filter(case=case)}
    assert versions == {(2022, "2014"), (2023, "2023-test")}  # the second assessment is of 2023-03-20
    refused(case, "S07", "2023-04-03", rule="DEV.MIN_ACTIVIST_PERIOD")  # 12 months after S03: not 18
    record_step(case, "S07", D("2023-10-01"), data={}, today=TODAY, by=SYSTEM)  # 18 months after 2022-04-01
    event = DevelopmentEvent.objects.get(case=case, step="S07")
    assert event.rules_version == "2023-test"
    assert event.judged_by == made_up
    page = client_for("yuelu_admin").get(case.get_absolute_url()).content.decode()
    assert 'data-version="2023-test"' in page
    assert "示例修订版（测试用）" in page
    assert 'data-version="2014"' in page
    assert "细则第十三条" in page


def test_a_version_is_loaded_as_data_and_a_wrong_one_is_refused():
    with pytest.raises(ValueError, match="unknown parameters"):
        rules.load_version({**MADE_UP, "parameters": {"dev.no_such_rule": 1}})
    with pytest.raises(ValueError, match="whole numbers"):
        rules.load_version({**MADE_UP, "parameters": {"dev.min_activist_months": "18"}})
    with pytest.raises(ValueError, match="effective"):
        rules.load_version({**MADE_UP, "effective": "2023-13-01"})
    assert [v.version for v in rules.VERSIONS] == ["2014"]
    version = rules.load_version(json.dumps(MADE_UP))  # a bureau's JSON file
    try:
        assert version.parameters["dev.min_activist_months"] == 18
        assert version.parameters["dev.min_age"] == 18  # unchanged parameters carry over
    finally:
        rules.unload_version(version.version)


def lookups():
    return BatchLookups(set(), set()).for_case(DevelopmentCase())  # the database's calendar, as steps ask it


def test_the_publicity_period_counts_working_days_on_the_holiday_calendar(made_up):
    """Publicity of at least 5 working days where a version requires one (domain-rules §0.1 "Working days";
    a LOCAL rule, off in the 2014 version), counted on the State Council's 2025 notice (国庆节、中秋节:
    10月1日至8日放假，10月11日（周六）上班)."""
    done = [engine.Done("S12", D("2025-09-20"))]

    def publicity(start, end, day="2025-10-20"):
        data = {"publicity_from": start, "publicity_to": end, "form_serial": ""}
        return engine.check(done, "S13", D(day), data, today=TODAY, lookups=lookups())

    # 10-01…10-10: 10 days, 8 of them Monday–Friday, but only 10-09 and 10-10 are working days.
    (found,) = publicity("2025-10-01", "2025-10-10")
    assert found.rule == "DEV.PUBLICITY"
    assert "2" in found.detail
    assert "Monday" not in found.detail
    # 10-09…10-14: Thursday, Friday, the working Saturday 10-11, Monday and Tuesday -> 5.
    assert publicity("2025-10-09", "2025-10-14") == []
    # Before the made-up version, the 2014 rules set no period.
    done14 = [engine.Done("S12", D("2022-09-20"))]
    data = {"publicity_from": "2022-10-01", "publicity_to": "2022-10-02", "form_serial": ""}
    assert engine.check(done14, "S13", D("2022-10-20"), data, today=TODAY, lookups=lookups()) == []


def test_a_year_without_a_calendar_is_counted_monday_to_friday_and_the_refusal_says_so(made_up):
    done = [engine.Done("S12", D("2027-09-20"))]
    data = {"publicity_from": "2027-10-01", "publicity_to": "2027-10-05", "form_serial": ""}  # Fri–Tue
    (found,) = engine.check(done, "S13", D("2027-10-20"), data, today=D("2027-12-01"), lookups=lookups())
    assert "2027" in found.message()
    assert "3" in found.detail
