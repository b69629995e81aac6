#!/usr/bin/env python3
"""Time and peak Python memory (tracemalloc) of the staff export of the whole demo city (30,000 people).

    rm -f var/bench-export.sqlite3
    DATABASE_URL=sqlite:///var/bench-export.sqlite3 .venv/bin/python manage.py migrate --noinput
    DATABASE_URL=sqlite:///var/bench-export.sqlite3 .venv/bin/python manage.py seed_demo --size city
    DATABASE_URL=sqlite:///var/bench-export.sqlite3 .venv/bin/python bench/export.py --repeat 3

Measured, as the city administrator, on the people list without filters:

- **background** — ``core/export_jobs.py`` ``write_export`` for one job: the view rebuilt for the account,
  the rows read with ``iterator(2000)``, written by XlsxWriter with ``constant_memory`` to a file on disk,
  the file then read into the job's row (the bytes of the file count in the peak);
- **in memory** — the same rows through ``write_book`` into a buffer (``in_memory``), the way an
  immediate export (at most ``EXPORT_BACKGROUND_ROWS`` rows) is written: what every export cost before.

The job rows are deleted afterwards.
"""

import argparse
import io
import os
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

import django  # noqa: E402

django.setup()

from django.urls import reverse  # noqa: E402

from redengine.accounts.models import User  # noqa: E402
from redengine.core import export_jobs  # noqa: E402
from redengine.core.exports import write_book  # noqa: E402
from redengine.core.models import ExportJob  # noqa: E402


def measure(function):
    tracemalloc.start()
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, result


def background(user, path):
    job = ExportJob.objects.create(user=user, title="人员", file_name="教职工名册.xlsx", path=path)

    def run():
        assert export_jobs.write_export.call(job.pk) == "done"
        return ExportJob.objects.filter(pk=job.pk).values_list("rows_written", "size").get()

    try:
        return measure(run)
    finally:
        ExportJob.objects.filter(pk=job.pk).delete()


def in_memory(user, path):
    job = ExportJob(user=user, title="人员", path=path)
    view = export_jobs.rebuilt_view(job)

    def run():
        buffer = io.BytesIO()
        queryset = view.export_queryset()
        headers = [c.label for c in view.columns]
        rows = write_book(buffer, user=user, title="人员", headers=headers, rows=view.export_rows(queryset))
        return rows, len(buffer.getvalue())

    return measure(run)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--user", default="city_admin")
    args = parser.parse_args()
    user = User.objects.get(username=args.user)
    path = reverse("people:person_list")
    for name, function in (("background", background), ("in memory", in_memory)):
        for _ in range(args.repeat):
            seconds, peak, (rows, size) = function(user, path)
            print(
                f"{name:10} rows={rows} file={size / 1e6:.2f} MB time={seconds:.2f} s peak={peak / 1e6:.1f} MB"
            )


if __name__ == "__main__":
    main()
