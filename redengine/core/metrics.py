"""The metrics registry: every figure a report quotes is a named function of (scope, period).

Each app declares its metrics in its own ``metrics.py`` with the ``@metric`` decorator (core imports
every app's ``metrics`` module at start-up, ``CoreConfig.ready``); the
dashboard, the API (``/api/metrics/``), the bulletin and ``manage.py metrics`` (all in ``reports``)
read this one registry. It lives in ``core`` so that every app can declare without importing an
app above it. Names and definitions follow metrics.md. A metric function receives the scope
organization (its whole subtree counts) and the period, and returns a ``Result`` computed by
aggregate queries, never by loading rows into Python.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from .dbrouting import from_replica

MIN_YEAR, MAX_YEAR = 1000, 9999  # four digits (datetime.date ends with 9999)


@dataclass(frozen=True)
class Period:
    """A calendar year or a span of years; ``end`` is the period end (31 December of the last year)."""

    first_year: int
    last_year: int

    @classmethod
    def of(cls, year=None, first=None, last=None):
        """A year, or a span from ``first`` to ``last``; the current year when none is given.

        A year outside 1000–9999 (not four digits: 0, 19, 99999) is refused with ``ValueError``, as is a
        span that ends before it starts.
        """
        if first is not None or last is not None:
            first = first if first is not None else last
            last = last if last is not None else first
            cls.check_year(first)
            cls.check_year(last)
            if first > last:
                raise ValueError("the first year comes after the last")
            return cls(first, last)
        year = timezone.localdate().year if year is None else year
        cls.check_year(year)
        return cls(year, year)

    @staticmethod
    def check_year(year):
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"a year has four digits, not {year}")

    @property
    def start(self):
        return datetime.date(self.first_year, 1, 1)

    @property
    def end(self):
        return datetime.date(self.last_year, 12, 31)

    def __str__(self):
        return (
            str(self.first_year)
            if self.first_year == self.last_year
            else f"{self.first_year}–{self.last_year}"
        )


@dataclass
class Result:
    """A count (or money), with its denominator where a share makes sense, and items for listings."""

    value: object
    denominator: int | None = None
    items: list | None = None
    extra: dict = field(default_factory=dict)  # further named figures of the same metric

    @property
    def share(self):
        if self.denominator in (None, 0):
            return None
        return self.value / self.denominator

    def as_json(self):
        data = {"value": str(self.value) if isinstance(self.value, Decimal) else self.value}
        if self.denominator is not None:
            data["denominator"] = self.denominator
            data["share"] = self.share
        if self.items is not None:
            data["items"] = self.items
        data.update(self.extra)
        return data


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    definition: str
    function: object = field(compare=False)

    def compute(self, scope, period):
        return self.function(scope, period)


REGISTRY: dict[str, Metric] = {}


def metric(name, label, definition):
    """Register the decorated ``function(scope, period) -> Result`` under ``name``."""

    def register(function):
        REGISTRY[name] = Metric(name, label, definition, function)
        return function

    return register


def compute_all(scope, period, names=None):
    """Every registered metric (or those named) for the scope organization's subtree and the period, read
    from the replica when there is one (``core.dbrouting``: never just after the reader wrote)."""
    chosen = sorted(names or REGISTRY)
    with from_replica():
        return {name: REGISTRY[name].compute(scope, period).as_json() for name in chosen}
