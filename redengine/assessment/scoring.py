"""The arithmetic of a rating, on plain values (no database): the points of an automatic indicator from its
figure, the points that count for an item, the total and the level a total gives under a scheme.

* An item's points are the city's when it scored the item, else the district's, else the branch's own; an
  automatic item's are the points its figure gives unless a reviewer overrode them (with a reason).
* The total is the items' points plus the bonus (at most the scheme's ``bonus_max``), never above the
  scheme's total.
* The level is the highest whose threshold the total reaches; a failed veto item caps it at the scheme's
  ``veto_cap`` (0: the branch is not rated).
* A quota caps how many of a campaign's branches a level may hold (``quota_room``): the city awards a lower
  level to a branch beyond it; it never awards one above the points.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .rules import AutoMode, Side

TENTH = Decimal("0.1")
ZERO = Decimal("0")


def tenth(value):
    return Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)


def automatic_points(mode, max_points, target, figure):
    """The points a figure gives (``figure``: the metric's JSON, ``value`` and maybe ``denominator``)."""
    max_points = Decimal(max_points)
    if figure is None:
        return None
    value = Decimal(str(figure.get("value") or 0))
    if mode == AutoMode.SHARE:
        denominator = figure.get("denominator")
        if not denominator:  # nothing was due: nothing was missed
            return tenth(max_points)
        share = min(value / Decimal(denominator), Decimal(1))
        return tenth(max_points * share)
    if mode == AutoMode.AT_LEAST:
        target = Decimal(target or 1)
        if target <= 0:
            return tenth(max_points)
        return tenth(max_points * min(value / target, Decimal(1)))
    if mode == AutoMode.DEDUCT:
        step = Decimal(target if target is not None else max_points)
        return tenth(max(max_points - step * value, ZERO))
    raise ValueError(f"unknown automatic mode {mode!r}")


@dataclass
class ItemPoints:
    """What each side gave one item (None: not scored), and the item's facts."""

    max_points: Decimal
    automatic: bool = False
    veto: bool = False
    self_points: Decimal | None = None
    district_points: Decimal | None = None
    city_points: Decimal | None = None
    auto_points: Decimal | None = None
    veto_failed: bool = False


def item_points(item, upto=Side.CITY):
    """The points that count for an item as the sides up to ``upto`` scored it."""
    if item.veto:
        return ZERO
    chain = {Side.SELF: [], Side.DISTRICT: ["district_points"], Side.CITY: ["city_points", "district_points"]}
    for name in chain[upto]:
        value = getattr(item, name)
        if value is not None:
            return Decimal(value)
    if item.automatic:
        return Decimal(item.auto_points) if item.auto_points is not None else ZERO
    return Decimal(item.self_points) if item.self_points is not None else ZERO


def total_of(items, bonus, scheme_total, bonus_max, upto=Side.CITY):
    points = sum((item_points(i, upto) for i in items), ZERO)
    bonus = min(Decimal(bonus or 0), Decimal(bonus_max or 0))
    return tenth(min(points + bonus, Decimal(scheme_total)))


def level_of(total, thresholds, veto_failed=False, veto_cap=0):
    """The level a total gives: ``thresholds`` is [(level, min_points)]; None when it reaches none (or a
    failed veto caps it at 0)."""
    found = None
    for level, min_points in sorted(thresholds, key=lambda t: t[0]):
        if total is not None and Decimal(total) >= Decimal(min_points):
            found = level
    if veto_failed and found is not None:
        found = min(found, veto_cap) or None
    return found


def quota_room(quota_percent, branches):
    """How many of a campaign's ``branches`` a level with ``quota_percent`` may hold (rounded down)."""
    if quota_percent is None:
        return None
    return math.floor(branches * quota_percent / 100)
