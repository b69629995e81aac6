#!/usr/bin/env python3
"""Time and peak Python memory (tracemalloc) of the import workbook of the whole demo city (every sheet).

    rm -f var/bench-export.sqlite3
    DATABASE_URL=sqlite:///var/bench-export.sqlite3 .venv/bin/python manage.py migrate --noinput
    DATABASE_URL=sqlite:///var/bench-export.sqlite3 .venv/bin/python manage.py seed_demo --size city
    DATABASE_URL=sqlite:///var/bench-export.sqlite3 .venv/bin/python bench/workbook.py --repeat 1

Measured as the city administrator (every sheet, ID numbers and mobiles in full):

- **background** — ``core/export_jobs.py`` ``write_export`` for one job of kind ``workbook``: the rows
  counted (one COUNT per sheet), written by XlsxWriter with ``constant_memory`` to a file on disk, the
  file then read into the job's row (its bytes count in the peak);
- **in memory** — ``dataio/exporting.py`` ``export_workbook`` into a buffer (``in_memory``), as the
  page writes a workbook of at most ``EXPORT_BACKGROUND_ROWS`` rows (and wrote every one before).

The job rows are deleted afterwards.
"""

import argparse
import os
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

import django  # noqa: E402

django.setup()

from redengine.accounts.models import User  # noqa: E402
from redengine.core import export_jobs  # noqa: E402
from redengine.core.models import ExportJob  # noqa: E402
from redengine.dataio.exporting import export_workbook, workbook_rows  # noqa: E402


def measure(function):
    tracemalloc.start()
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, result


def background(user):
    job = ExportJob.objects.create(
        user=user,
        kind=ExportJob.Kind.WORKBOOK,
        title="导入模板格式的数据",
        file_name="x.xlsx",
        path="/import/",
    )

    def run():
        assert export_jobs.write_export.call(job.pk) == "done"
        return ExportJob.objects.filter(pk=job.pk).values_list("rows_written", "size").get()

    try:
        return measure(run)
    finally:
        ExportJob.objects.filter(pk=job.pk).delete()


def in_memory(user):
    def run():
        content, rows, _revealed = export_workbook(user, stamp="bench")
        return rows, len(content)

    return measure(run)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--user", default="city_admin")
    args = parser.parse_args()
    user = User.objects.get(username=args.user)
    start = time.perf_counter()
    print(f"counted rows={workbook_rows(user)} in {time.perf_counter() - start:.2f} s", flush=True)
    for name, function in (("background", background), ("in memory", in_memory)):
        for _ in range(args.repeat):
            seconds, peak, (rows, size) = function(user)
            print(
                f"{name:10} rows={rows} file={size / 1e6:.2f} MB time={seconds:.2f} s peak={peak / 1e6:.1f} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()
