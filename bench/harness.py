"""What every benchmark of ``make bench`` is made of: a ``Case`` (an operation of ours beside the baseline
that does the same work by hand) and ``measure`` (times and peak memory of both, in the same run).

A suite is a module with ``cases(context) -> list[Case]``; ``bench/run.py`` sets Django up on a database
loaded with the province data set (``bench/generate.py``), builds the ``Context`` and measures every case
of every suite, then prints one table.

A case's ``check`` (when given) is called once with the results of ``ours`` and ``baseline`` before
anything is timed and raises ``AssertionError`` when they differ: the baseline must do the same work (the
same rows of the same page, the same figure), or the ratio would mean nothing.
"""

import dataclasses
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass
class Context:
    """What the suites bench with, on the loaded database."""

    database: str  # "SQLite" or "PostgreSQL 15.x"
    scale: float
    accounts: dict  # role ("province", "city", "district", "school") -> User
    district: str  # a district bureau's code (the district account's)
    school: int  # a school's id (the school account's)
    city: str  # the city committee's organization code (the city account's)
    workdir: str  # a folder for files the suites write (workbooks, exports)
    repeat: int = 5


@dataclasses.dataclass
class Case:
    name: str  # the operation, as printed ("people list, district, page 1")
    ours: Callable[[], Any]
    baseline: Callable[[], Any] | None = None
    check: Callable[[Any, Any], None] | None = None  # raises AssertionError when the two differ
    repeat: int | None = None  # runs timed (the context's when None); the median is reported
    note: str = ""  # printed under the table when given ("page 200, the last")


@dataclasses.dataclass
class Result:
    suite: str
    name: str
    ours: float  # seconds, median
    baseline: float | None
    ours_peak: int  # bytes, tracemalloc's peak of one run
    baseline_peak: int | None
    runs: int
    note: str = ""

    @property
    def ratio(self):
        return self.ours / self.baseline if self.baseline else None


def timed(function, repeat):
    """The median of ``repeat`` runs after one not counted (caches, the plan, the first connection)."""
    function()
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak(function):
    """Peak Python memory of one run (tracemalloc; measured apart from the timed runs it would slow)."""
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(suite, case, repeat):
    repeat = case.repeat or repeat
    if case.check is not None and case.baseline is not None:
        case.check(case.ours(), case.baseline())
    ours = timed(case.ours, repeat)
    baseline = timed(case.baseline, repeat) if case.baseline else None
    return Result(
        suite=suite,
        name=case.name,
        ours=ours,
        baseline=baseline,
        ours_peak=peak(case.ours),
        baseline_peak=peak(case.baseline) if case.baseline else None,
        runs=repeat,
        note=case.note,
    )


def table(results):
    """The printed table: operation, ours, baseline, ratio, peak memory of both."""

    def ms(seconds):
        return "" if seconds is None else f"{seconds * 1000:,.1f}"

    def mib(size):
        return "" if size is None else f"{size / 2**20:,.1f}"

    header = ("operation", "ours ms", "baseline ms", "ratio", "ours MiB", "baseline MiB")
    rows = [
        (
            r.name,
            ms(r.ours),
            ms(r.baseline),
            "" if r.ratio is None else f"{r.ratio:.2f}×",
            mib(r.ours_peak),
            mib(r.baseline_peak),
        )
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
