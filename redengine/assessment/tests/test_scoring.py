"""The arithmetic of a rating on hand-made values (scoring.py, no database): the points a figure gives in each
mode, the points that count for an item as each side scored it, the total with its bonus and its cap, the
level a total gives, a failed veto item capping it, and the room a quota leaves."""

from decimal import Decimal

import pytest

from redengine.assessment.rules import AutoMode, Side
from redengine.assessment.scoring import (
    ItemPoints,
    automatic_points,
    item_points,
    level_of,
    quota_room,
    total_of,
)

D = Decimal
THRESHOLDS = [(5, D("90")), (4, D("80")), (3, D("70")), (2, D("60")), (1, D("0"))]


@pytest.mark.parametrize(
    ("mode", "max_points", "target", "figure", "points"),
    [
        (AutoMode.SHARE, "10", None, {"value": 3, "denominator": 4}, "7.5"),
        (AutoMode.SHARE, "10", None, {"value": 0, "denominator": 0}, "10.0"),  # nothing due: nothing missed
        (AutoMode.SHARE, "10", None, {"value": 5, "denominator": 4}, "10.0"),  # never above the maximum
        (AutoMode.SHARE, "7", None, {"value": 1, "denominator": 3}, "2.3"),  # to one decimal, half up
        (AutoMode.AT_LEAST, "7", "2", {"value": 1}, "3.5"),
        (AutoMode.AT_LEAST, "7", "2", {"value": 3}, "7.0"),
        (AutoMode.AT_LEAST, "8", "1", {"value": 0}, "0.0"),
        (AutoMode.DEDUCT, "5", "2", {"value": 1}, "3.0"),
        (AutoMode.DEDUCT, "5", "2", {"value": 4}, "0.0"),  # never below zero
        (AutoMode.DEDUCT, "5", "5", {"value": 0}, "5.0"),
        (AutoMode.DEDUCT, "5", None, {"value": 1}, "0.0"),  # no deduction given: the whole item
        (AutoMode.SHARE, "10", None, {"value": "2.5", "denominator": 5}, "5.0"),  # a Decimal figure as text
    ],
)
def test_a_figure_gives_its_points_in_each_mode(mode, max_points, target, figure, points):
    assert automatic_points(mode, max_points, target, figure) == D(points)


def test_no_figure_gives_no_points_and_an_unknown_mode_is_an_error():
    assert automatic_points(AutoMode.SHARE, "10", None, None) is None
    with pytest.raises(ValueError, match="unknown automatic mode"):
        automatic_points("guess", "10", None, {"value": 1})


def test_the_points_of_an_item_are_the_latest_sides():
    item = ItemPoints(D("10"), self_points=D("9"), district_points=D("8"), city_points=D("7.5"))
    assert item_points(item, Side.SELF) == D("9")
    assert item_points(item, Side.DISTRICT) == D("8")
    assert item_points(item, Side.CITY) == D("7.5")
    unreviewed = ItemPoints(D("10"), self_points=D("9"))
    assert item_points(unreviewed, Side.CITY) == D("9")  # not scored by a reviewer: the branch's own
    assert item_points(ItemPoints(D("10")), Side.CITY) == D("0")  # not scored at all


def test_an_automatic_item_counts_its_figure_unless_a_reviewer_overrode_it():
    item = ItemPoints(D("10"), automatic=True, self_points=D("10"), auto_points=D("6"))
    assert item_points(item, Side.SELF) == D("6")  # the branch's typing does not count
    assert item_points(item, Side.CITY) == D("6")
    overridden = ItemPoints(D("10"), automatic=True, auto_points=D("6"), district_points=D("8"))
    assert item_points(overridden, Side.SELF) == D("6")
    assert item_points(overridden, Side.DISTRICT) == D("8")
    assert item_points(ItemPoints(D("10"), automatic=True), Side.CITY) == D("0")  # no figure yet


def test_a_veto_item_has_no_points():
    assert item_points(ItemPoints(D("0"), veto=True, veto_failed=True, self_points=D("3")), Side.CITY) == D(
        "0"
    )


def test_the_total_adds_the_bonus_within_its_cap_and_never_passes_the_scheme():
    items = [ItemPoints(D("50"), self_points=D("45")), ItemPoints(D("50"), self_points=D("42.5"))]
    assert total_of(items, 0, 100, 5) == D("87.5")
    assert total_of(items, D("3"), 100, 5) == D("90.5")
    assert total_of(items, D("9"), 100, 5) == D("92.5")  # the bonus at most the scheme's
    assert total_of(items, D("3"), 100, 0) == D("87.5")  # a scheme without bonus
    full = [ItemPoints(D("50"), self_points=D("50")), ItemPoints(D("50"), self_points=D("50"))]
    assert total_of(full, D("5"), 100, 5) == D("100.0")  # never above the scheme's total
    assert total_of([], 0, 100, 5) == D("0.0")


def test_the_total_of_each_side():
    items = [
        ItemPoints(D("10"), self_points=D("10"), district_points=D("8")),
        ItemPoints(D("10"), self_points=D("10"), district_points=D("9"), city_points=D("6")),
    ]
    assert total_of(items, 0, 100, 5, Side.SELF) == D("20.0")
    assert total_of(items, 0, 100, 5, Side.DISTRICT) == D("17.0")
    assert total_of(items, 0, 100, 5, Side.CITY) == D("14.0")


@pytest.mark.parametrize(
    ("total", "level"),
    [("100", 5), ("90", 5), ("89.9", 4), ("80", 4), ("79.9", 3), ("70", 3), ("60", 2), ("59.9", 1), ("0", 1)],
)
def test_the_level_is_the_highest_threshold_reached(total, level):
    assert level_of(D(total), THRESHOLDS) == level


def test_the_thresholds_may_come_in_any_order_and_a_total_below_all_gives_no_level():
    assert level_of(D("85"), list(reversed(THRESHOLDS))) == 4
    assert level_of(D("50"), [(3, D("90")), (2, D("60"))]) is None
    assert level_of(None, THRESHOLDS) is None


def test_a_failed_veto_item_caps_the_level():
    assert level_of(D("95"), THRESHOLDS, veto_failed=True, veto_cap=2) == 2
    assert level_of(D("65"), THRESHOLDS, veto_failed=True, veto_cap=2) == 2
    assert level_of(D("30"), THRESHOLDS, veto_failed=True, veto_cap=2) == 1  # below the cap: its own
    assert level_of(D("95"), THRESHOLDS, veto_failed=False, veto_cap=2) == 5
    assert level_of(D("95"), THRESHOLDS, veto_failed=True, veto_cap=0) is None  # not rated at all


@pytest.mark.parametrize(
    ("percent", "branches", "room"),
    [(30, 10, 3), (30, 5, 1), (30, 2, 0), (30, 18, 5), (100, 7, 7), (0, 7, 0), (None, 7, None)],
)
def test_the_room_a_quota_leaves_is_rounded_down(percent, branches, room):
    assert quota_room(percent, branches) == room
