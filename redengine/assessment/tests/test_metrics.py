"""The figures of star rating on a hand-made two-year history of the demo tree's branches: a branch moving up,
one staying at five stars (counted as moved up), one going down, one staying at two stars, two rated for the
first time (in neither count); the share of the upgrade, by scope and over a span of years; the branches by
level; the demonstration branches; the transition matrix; each figure one query."""

import pytest

from redengine.assessment.metrics import COUNTED, transitions
from redengine.assessment.services import schemes
from redengine.core.metrics import REGISTRY, Period
from redengine.core.services import Item
from redengine.core.writes import SYSTEM

from .helpers import BRANCH, CITY, FURONG, FURONG_BRANCH, SIBLING, YUELU, org

pytestmark = pytest.mark.django_db

LUSHAN = "CS430104-01"  # 麓山实验小学 (a branch of 岳麓区)
LIANHUA = "CS430104-03"  # 莲花镇中心小学 (a branch of 岳麓区)
YUYING = "CS430102-02-01"  # 育英初级中学第一党支部 (芙蓉区)

HISTORY = {
    # branch: {year: level}
    BRANCH: {2017: 3, 2018: 3, 2019: 4},  # the same in 2018, up in 2019
    SIBLING: {2018: 5, 2019: 5},  # stays at the top: moved up
    LUSHAN: {2018: 4, 2019: 3},  # goes down
    FURONG_BRANCH: {2018: 2, 2019: 2},  # stays below the top: not moved up
    LIANHUA: {2019: 5},  # rated for the first time: in neither count
    YUYING: {2017: 2, 2019: 1},  # not rated in 2018: in neither count for 2019
}


@pytest.fixture
def history():
    items = [
        Item({"organization": org(code), "year": year, "level": level, "imported": True})
        for code, years in HISTORY.items()
        for year, level in years.items()
    ]
    schemes.record_ratings(items, by=SYSTEM)
    named = [(SIBLING, 2018), (SIBLING, 2019), (LIANHUA, 2019)]
    schemes.record_designations(
        [
            Item({"organization": org(code), "year": year, "document_number": f"长教工委〔{year + 1}〕3号"})
            for code, year in named
        ],
        by=SYSTEM,
    )


def figure(name, code, year=2019, first=None):
    period = Period.of(first=first, last=year) if first else Period.of(year)
    return REGISTRY[name].compute(org(code), period).as_json()


def test_upgrade_and_its_share(history):
    assert figure("assessment.upgraded", CITY) == {"value": 2, "denominator": 4, "share": 0.5}
    assert figure("assessment.upgraded", YUELU) == {"value": 2, "denominator": 3, "share": 2 / 3}
    assert figure("assessment.upgraded", FURONG) == {"value": 0, "denominator": 1, "share": 0.0}
    # 2018: the branch rated the same as in 2017 is in the denominator only
    assert figure("assessment.upgraded", CITY, 2018) == {"value": 0, "denominator": 1, "share": 0.0}
    # a span counts each (branch, year) of it
    assert figure("assessment.upgraded", CITY, 2019, first=2018) == {
        "value": 2,
        "denominator": 5,
        "share": 0.4,
    }
    # no year before: nobody is in either count
    assert figure("assessment.upgraded", CITY, 2017) == {"value": 0, "denominator": 0, "share": None}


def test_stars_by_level(history):
    found = figure("assessment.stars", CITY)
    assert found["value"] == 6
    assert found["items"] == [
        {"level": 1, "value": 1},
        {"level": 2, "value": 1},
        {"level": 3, "value": 1},
        {"level": 4, "value": 1},
        {"level": 5, "value": 2},
    ]
    assert figure("assessment.stars", YUELU)["value"] == 4
    assert figure("assessment.stars", CITY, 2019, first=2017)["value"] == 6 + 4 + 2


def test_demonstration_branches(history):
    assert figure("assessment.demonstration", CITY) == {"value": 2}
    assert figure("assessment.demonstration", FURONG) == {"value": 0}
    assert figure("assessment.demonstration", CITY, 2019, first=2018) == {"value": 3}


def test_the_transition_matrix(history):
    assert transitions(org(CITY), 2019) == {
        (3, 4): 1,
        (5, 5): 1,
        (4, 3): 1,
        (2, 2): 1,
        (None, 5): 1,
        (None, 1): 1,
    }
    assert transitions(org(FURONG), 2019) == {(2, 2): 1, (None, 1): 1}


def test_counted_lists_the_records_behind_each_figure(history):
    numerator, denominator = COUNTED["assessment.upgraded"](org(CITY), Period.of(2019))
    assert sorted(numerator.values_list("organization__code", flat=True)) == sorted([BRANCH, SIBLING])
    assert denominator.count() == 4
    numerator, denominator = COUNTED["assessment.demonstration"](org(YUELU), Period.of(2019))
    assert denominator is None
    assert numerator.count() == 2


def test_each_figure_is_one_query(history, django_assert_num_queries):
    city = org(CITY)
    period = Period.of(2019)
    for name in ("assessment.upgraded", "assessment.stars", "assessment.demonstration"):
        with django_assert_num_queries(1):
            REGISTRY[name].compute(city, period)
    with django_assert_num_queries(1):
        transitions(city, 2019)
