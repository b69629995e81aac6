#!/usr/bin/env python3
"""``make bench``: every benchmark on SQLite and on PostgreSQL, one table per database.

    .venv/bin/python bench/run.py                       # SCALE 0.01 (1% of a province), both databases
    .venv/bin/python bench/run.py --scale 0.1 --db postgres --suites read_path figures
    make bench SCALE=0.01

For each database: a fresh one (a file for SQLite, a throwaway server from ``scripts/with_postgres.py`` for
PostgreSQL), migrated and loaded with the province data set at ``--scale`` (``bench/generate.py``: at scale
1, 1,000,000 people, 100,000 organizations, 33,000 schools), ``VACUUM (ANALYZE)``d (``ANALYZE``d on SQLite).
Then, in a worker process set up on that database, each in-process suite (``bench/<suite>.py``, each a list
of ``harness.Case``: ours beside the hand-written baseline, checked to give the same answer, then timed —
the median of ``--repeat`` runs after one not counted — and its peak memory measured apart):

- ``read_path``: list pages, the people API, a person, searches by name and by ID number;
- ``figures``: the dashboard and every metric, for the city and a district, against hand-written SQL;
- ``files``: the development overdue scan, an .xlsx export against XlsxWriter alone;
- ``activities``: organizational life on a city of its own (``bench/activities.py``: 10,000 branches at
  scale 1, a year of meetings and attendance) — the compliance figure, a district's drill-down and page,
  the to-do items of meetings — against hand-written SQL.

and the suites with databases of their own, run as their scripts: ``import`` (``bench/import_workbook.py``:
the workbook import against calamine + bulk insert and against django-import-export), ``http``
(``bench/http_load.py``: the pages under gunicorn, 16 clients, beside the minimal page, on the demo city)
and ``cultivation`` (``bench/cultivation.py``: dual cultivation's figures and watch lists on the demo city,
against hand-written SQL).

It prints each database's table as it is done, then all of them; ``--json PATH`` keeps the figures.
"""

import argparse
import contextlib
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The suites are imported as ``bench.<suite>`` from the project's root, not from this folder.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

IN_PROCESS = ["read_path", "figures", "files", "activities"]
SCRIPTS = ["import", "http", "cultivation"]
SUITES = IN_PROCESS + SCRIPTS
MARK = "BENCH-RESULTS "  # the worker's line of results on its standard output


# The worker: one database, the in-process suites ------------------------------------------------------
def worker(args):
    os.environ["DEBUG"] = "0"  # no query log
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
    os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import generate, harness
    from redengine.accounts.models import User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  migrated in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    loaded = generate.generate(scale=args.scale, seed=args.seed)
    counts = ", ".join(f"{n:,} {what}" for what, n in loaded["counts"].items())
    print(
        f"  province at scale {args.scale:g} in {time.perf_counter() - started:.1f} s: {counts}", flush=True
    )
    users = {u.username: u for u in User.objects.filter(username__in=loaded["accounts"])}
    accounts = {name.removeprefix("bench_"): users[name] for name in loaded["accounts"]}
    database = (
        f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
        if connection.vendor == "postgresql"
        else f"SQLite {connection.Database.sqlite_version}"
    )
    context = harness.Context(
        database=database,
        scale=args.scale,
        accounts=accounts,
        district=loaded["district"],
        school=loaded["school"],
        city=loaded["accounts"]["bench_city"]["organization"],
        workdir=args.workdir,
        repeat=args.repeat,
    )
    results = []
    for suite in args.suites:
        module = importlib.import_module(f"bench.{suite}")
        for case in module.cases(context):
            result = harness.measure(suite, case, context.repeat)
            results.append(result)
            ratio = f"{result.ratio:.2f}×" if result.ratio else ""
            print(f"  {suite:<10} {case.name:<60} {result.ours * 1000:>9.1f} ms  {ratio}", flush=True)
    print(
        MARK
        + json.dumps(
            {"database": database, "counts": loaded["counts"], "results": [vars(r) for r in results]}
        ),
        flush=True,
    )


# The driver ----------------------------------------------------------------------------------------------
@contextlib.contextmanager
def database(kind, workdir):
    """A fresh database's URL: a new file, or a throwaway PostgreSQL server."""
    if kind == "sqlite":
        path = Path(workdir) / "bench.sqlite3"
        path.unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    from scripts.with_postgres import postgres

    with postgres() as server:
        yield server.url


def run_worker(url, args, suites, workdir):
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--scale", str(args.scale)]
    command += [
        "--seed",
        str(args.seed),
        "--repeat",
        str(args.repeat),
        "--workdir",
        workdir,
        "--suites",
        *suites,
    ]
    environment = {**os.environ, "DATABASE_URL": url}
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True)
    found = None
    for line in process.stdout:
        if line.startswith(MARK):
            found = json.loads(line[len(MARK) :])
        else:
            print(line, end="", flush=True)
    if process.wait() != 0 or found is None:
        raise SystemExit(f"the benchmark worker failed on {url.split(':')[0]} (exit {process.returncode})")
    return found


def run_script(name, url, args):
    """One of the benchmarks with a database of its own, run as its script on ``url``'s server; its last
    line is its JSON summary."""
    if name == "import":
        size = min(100_000, max(1_000, round(1_000_000 * args.scale)))  # the province's people, at most 100k
        command = [str(HERE / "import_workbook.py"), "--db", kind_of(url), "--sizes", str(size), "--json"]
    elif name == "cultivation":
        city = min(1.0, args.scale * 100)
        command = [str(HERE / "cultivation.py"), "--db", kind_of(url), "--scale", str(city)]
        command += ["--repeat", str(args.repeat)]
    else:
        city = min(1.0, args.scale * 100)
        command = [str(HERE / "http_load.py"), "--db", kind_of(url), "--scale", str(city), "--repeat", "2"]
        command += ["--seconds", str(args.http_seconds)]
    environment = {**os.environ, "DATABASE_URL": url}
    process = subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True
    )
    lines = process.stdout.rstrip().splitlines()
    print("\n".join(lines[:-1]), flush=True)
    if process.returncode != 0 or not lines:
        raise SystemExit(f"bench/{Path(command[0]).name} failed (exit {process.returncode})")
    return json.loads(lines[-1])


def kind_of(url):
    return "postgres" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def machine():
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def print_tables(done):
    from bench import harness

    for figures in done:
        print(
            f"\n## {figures['database']} — {', '.join(f'{n:,} {w}' for w, n in figures['counts'].items())}\n"
        )
        print(harness.table([harness.Result(**r) for r in figures["results"]]))
        notes = [f"- {r['name']}: {r['note']}" for r in figures["results"] if r.get("note")]
        if notes:
            print("\n" + "\n".join(notes))
        for name, summary in figures.get("scripts", {}).items():
            print(f"\n### {name}\n")
            print(script_table(name, summary))


def script_table(name, summary):
    if name == "http":
        from bench import http_load

        return http_load.table(summary["rows"])
    from bench import harness

    return harness.table([harness.Result(**r) for r in summary["results"]])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE") or 0.01))
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--suites", nargs="+", choices=SUITES, default=SUITES)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each case; the median is shown")
    parser.add_argument("--http-seconds", type=float, default=3.0, help="counted seconds per HTTP page")
    parser.add_argument("--json", help="write every figure to this file")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {machine()} · scale {args.scale:g}", flush=True)
    done = []
    with tempfile.TemporaryDirectory(prefix="redengine-bench-") as workdir:
        for kind in kinds:
            print(f"\n# {kind}", flush=True)
            in_process = [s for s in args.suites if s in IN_PROCESS]
            with database(kind, workdir) as url:
                figures = (
                    run_worker(url, args, in_process, workdir)
                    if in_process
                    else {"database": kind, "counts": {}, "results": []}
                )
            figures["scripts"] = {}
            for name in (s for s in args.suites if s in SCRIPTS):
                with database(kind, workdir) as url:
                    figures["scripts"][name] = run_script(name, url, args)
            done.append(figures)
            print_tables([figures])
    print("\n# all databases")
    print_tables(done)
    if args.json:
        Path(args.json).write_text(json.dumps(done, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
