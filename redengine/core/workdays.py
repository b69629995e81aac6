"""Working days (工作日) on the holiday calendar kept as data (domain-rules §0.1 "Working days").

A day is a working day when it is Monday to Friday and not a public holiday, or a weekend day that the
State Council's yearly notice makes a working day (调休上班). The notices are tables of
``HolidayCalendarDay``, one per year (2024–2026 shipped, ``core/holidays/*.csv``; an administrator loads a
later year with ``manage.py load_holidays``). A year without a table is counted Monday to Friday, and the
answer says which years those were (``WorkingDays.unloaded``) so that whoever uses it can say so.

``Calendar`` answers from plain sets (the rules engine and its property tests use it without a database);
``calendar_for(start, end)`` reads the years a period touches in one query.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset = frozenset()
    working_weekends: frozenset = frozenset()
    years: frozenset = frozenset()  # the years that have a table

    def is_working_day(self, day):
        if day in self.working_weekends:
            return True
        return day.weekday() < 5 and day not in self.holidays


@dataclass(frozen=True)
class WorkingDays:
    count: int
    unloaded: tuple = field(default=())  # years counted Monday to Friday: no table loaded


MONDAY_TO_FRIDAY = Calendar()


def years_of(start, end):
    return range(min(start, end).year, max(start, end).year + 1)


def calendar_for(start, end):
    """The holiday calendar of the years from ``start`` to ``end`` (one query)."""
    from .models import HolidayCalendarDay, HolidayKind

    holidays, weekends, years = set(), set(), set()
    rows = HolidayCalendarDay.objects.filter(
        date__year__gte=min(start, end).year, date__year__lte=max(start, end).year
    ).values_list("date", "kind")
    for day, kind in rows:
        years.add(day.year)
        (weekends if kind == HolidayKind.WORKING_WEEKEND else holidays).add(day)
    return Calendar(frozenset(holidays), frozenset(weekends), frozenset(years))


def working_days_between(start, end, calendar=None):
    """The working days from ``start`` to ``end``, both included (a publicity from Monday to Friday of
    an ordinary week lasts 5 working days); zero when ``end`` is before ``start``."""
    calendar = calendar_for(start, end) if calendar is None else calendar
    count, day = 0, start
    while day <= end:
        count += calendar.is_working_day(day)
        day += DAY
    return WorkingDays(count, unloaded_years(start, max(start, end), calendar))


def add_working_days(day, n, calendar=None):
    """The ``n``-th working day after ``day`` (``n`` ≥ 0; 0 gives ``day`` itself). ``unloaded_years`` tells
    which of the years crossed were counted Monday to Friday."""
    if n <= 0:
        return day
    if calendar is None:
        calendar = calendar_for(day, day + datetime.timedelta(days=2 * n + 30))
    result, left = day, n
    while left:
        result += DAY
        left -= calendar.is_working_day(result)
    return result


def unloaded_years(start, end, calendar=None):
    """The years from ``start`` to ``end`` that have no table (counted Monday to Friday)."""
    calendar = calendar_for(start, end) if calendar is None else calendar
    return tuple(y for y in years_of(start, end) if y not in calendar.years)


# The sheet an administrator loads: one row a day, columns 日期, 类型 (放假 | 上班), 名称, 来源 ----------
KINDS = {"放假": "holiday", "上班": "working_weekend"}
COLUMNS = ("日期", "类型", "名称", "来源")
SHIPPED = Path(__file__).parent / "holidays"  # 2024.csv, 2025.csv, 2026.csv


@dataclass(frozen=True)
class SheetDay:
    date: datetime.date
    kind: str
    name: str
    source: str


def read_sheet(text):
    """The days of a holiday sheet (CSV, UTF-8) and the problems found, each naming its row in Chinese.

    Nothing is loaded when there is a problem. A weekend day marked 上班 must fall on a weekend; a day
    appears once; every row names its source (the notice).
    """
    from django.utils.translation import gettext as _

    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or tuple(cell.strip() for cell in rows[0][:4]) != COLUMNS:
        return [], [_("The first row must name the columns 日期, 类型, 名称, 来源.")]
    days, problems, seen = [], [], set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row] + [""] * 4
        value, kind, name, source = cells[:4]
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            problems.append(
                _("Row %(row)s: %(value)s is not a date (YYYY-MM-DD).") % {"row": number, "value": value}
            )
            continue
        if kind not in KINDS:
            problems.append(_("Row %(row)s: the kind must be 放假 or 上班.") % {"row": number})
            continue
        if KINDS[kind] == "working_weekend" and day.weekday() < 5:
            problems.append(_("Row %(row)s: %(date)s is not a weekend day.") % {"row": number, "date": value})
        if not source:
            problems.append(_("Row %(row)s: the source (the notice) is missing.") % {"row": number})
        if day in seen:
            problems.append(_("Row %(row)s: %(date)s is given twice.") % {"row": number, "date": value})
        seen.add(day)
        days.append(SheetDay(day, KINDS[kind], name, source))
    if not days and not problems:
        problems.append(_("The sheet holds no day."))
    return days, problems


def shipped_days():
    """The days of the tables shipped with the software (2024–2026)."""
    days = []
    for path in sorted(SHIPPED.glob("*.csv")):
        found, problems = read_sheet(path.read_text(encoding="utf-8"))
        if problems:
            raise ValueError(f"{path.name}: {problems}")
        days += found
    return days
