#!/usr/bin/env python3
"""Benchmark of the workbook import (manage.py import_workbook) against a raw baseline.

    .venv/bin/python bench/import_workbook.py                       # 10k and 100k people, SQLite
    .venv/bin/python bench/import_workbook.py --db postgres         # the same on a throwaway PostgreSQL
    .venv/bin/python bench/import_workbook.py --db both --sizes 10000 100000

For each size it generates a valid workbook (bench's seed; the schools and organizations the people
need, about 40% members, 10% with a title; ``redengine/imports/tests/generated.py``), then, each on a
fresh database migrated and loaded with the demo data set (not timed):

- import: ``importer.validate`` (read with python-calamine, parse every cell, check every row against
  the database) and ``importer.write`` (bulk writes with their audit records), as the command does;
- baseline: read the same file with python-calamine and bulk-insert the same rows with no check at
  all: no parsing beyond a dictionary look-up of the choice names, no scope, no audit trail. The
  people's ID numbers and mobiles are encrypted and indexed as stored (SM4 and HMAC-SM3), since the
  rows stored must be the same rows.

It prints both and their ratio. ``--db postgres`` re-runs itself under scripts/with_postgres.py (a
throwaway server) unless DATABASE_URL already names a PostgreSQL database; each measurement gets a
database of its own there. ``--profile`` prints the import's 30 costliest functions.
"""

import argparse
import datetime
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# The worker: one measurement on one fresh database ------------------------------------------------
def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"  # no query log: as in production
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", verbosity=0, stdout=devnull)


def measure_import(path, profile=False):
    from redengine.core.context import command_actor
    from redengine.dataio import importer

    ctx = importer.ImportContext(None)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    with command_actor("import_workbook"):
        start = time.perf_counter()
        if profile == "validate":
            profiler.enable()
        validation = importer.validate(path, ctx)
        if profile == "validate":
            profiler.disable()
        validated = time.perf_counter()
        if profile == "write":
            profiler.enable()
        if validation.has_errors:
            raise SystemExit(f"the generated workbook has errors: {validation.errors[:5]}")
        importer.write(validation, ctx)
        written = time.perf_counter()
    if profiler is not None:
        import pstats

        profiler.disable()  # (a no-op when only the validation was profiled)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    again = importer.validate(path, importer.ImportContext(None))
    checked_again = time.perf_counter()
    if again.has_errors or again.has_changes:
        raise SystemExit("the re-import of the same file is not 'no change'")
    return {
        "validate": validated - start,
        "write": written - validated,
        "total": written - start,
        "revalidate": checked_again - written,
        "rows": validation.rows_total,
        "counts": validation.counts(),
    }


def measure_baseline(path):
    """Read with calamine and bulk-insert the same rows, without any check or audit record."""
    import python_calamine
    from django.db import transaction

    from redengine.core import codes
    from redengine.core.crypto import get_provider
    from redengine.core.masking import mask_id_number, mask_mobile
    from redengine.orgs.imports import ORG_TYPES, OWNERSHIP, SCHOOL_TYPES, URBAN_RURAL
    from redengine.orgs.models import PartyOrganization, School
    from redengine.people.imports import LEVELS, SEXES, TITLES
    from redengine.people.models import Honor, Membership, Person

    def names(options):
        return {label: code for code, label in options}

    ownership, school_types, urban = names(OWNERSHIP), names(SCHOOL_TYPES), names(URBAN_RURAL)
    org_types, sexes, titles, levels = names(ORG_TYPES), names(SEXES), names(TITLES), names(LEVELS)
    ethnic, education = names(codes.ETHNIC_GROUP_CHOICES), names(codes.EDUCATION_LEVELS)
    posts, statuses = names(codes.POSTS), names(codes.POLITICAL_STATUSES)

    def blank(value):
        return None if value == "" else value

    gc.disable()  # as the import does: a fair comparison (the collector costs a plain script about 15%)
    start = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    sheets = {name: book.get_sheet_by_name(name).to_python() for name in ("学校", "党组织", "人员", "称号")}
    provider = get_provider()
    with transaction.atomic():
        schools = [
            School(
                code=r[0],
                name=r[1],
                district=r[2],
                ownership=ownership[r[3]],
                school_type=school_types[r[4]],
                urban_rural=urban[r[5]],
                city_managed=r[6] == "是",
                staff_headcount=int(r[7]) if r[7] != "" else None,
            )
            for r in sheets["学校"][1:]
        ]
        School.objects.bulk_create(schools, batch_size=2000)
        by_school = {s.code: s for s in schools}
        orgs = {o.code: o for o in PartyOrganization.objects.all()}
        rows = sheets["党组织"][1:]
        pending, created, next_step = list(rows), [], {}
        while pending:  # parents first; paths numbered after the parent's current children
            later = []
            for r in pending:
                parent = orgs.get(r[3])
                if parent is None:
                    later.append(r)
                    continue
                step = next_step.get(parent.code, parent.numchild) + 1
                next_step[parent.code] = step
                org = PartyOrganization(
                    code=r[0],
                    name=r[1],
                    org_type=org_types[r[2]],
                    founded_on=blank(r[5]),
                    last_election_on=blank(r[6]),
                    depth=parent.depth + 1,
                    path=PartyOrganization._get_path(parent.path, parent.depth + 1, step),
                    numchild=0,
                )
                orgs[org.code] = org
                created.append((org, r[4]))
            pending = later
        PartyOrganization.objects.bulk_create([o for o, _ in created], batch_size=2000)
        through = PartyOrganization.schools.through
        through.objects.bulk_create(
            [through(partyorganization_id=o.pk, school_id=by_school[c].pk) for o, c in created if c],
            batch_size=2000,
        )
        people, memberships, by_number = [], [], {}
        for r in sheets["人员"][1:]:
            number, mobile = r[1], r[6]
            person = Person(
                name=r[0],
                id_number_cipher=provider.encrypt(number),
                id_number_index=provider.blind_index(number),
                id_number_masked=mask_id_number(number),
                sex=sexes[r[2]],
                birth_date=r[3] or datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                ethnic_group=ethnic.get(r[4], ""),
                education=education.get(r[5], ""),
                mobile_cipher=provider.encrypt(mobile),
                mobile_index=provider.blind_index(mobile),
                mobile_masked=mask_mobile(mobile),
                school=by_school[r[7]],
                post=posts.get(r[8], ""),
                front_line=r[9] == "是",
                political_status=statuses[r[10]],
            )
            people.append(person)
            by_number[number] = person
            if r[13]:
                memberships.append(
                    Membership(
                        person=person, organization=orgs[r[13]], admitted_on=r[11], full_on=blank(r[12])
                    )
                )
        Person.objects.bulk_create(people, batch_size=2000)
        for m in memberships:
            m.person = m.person
        Membership.objects.bulk_create(memberships, batch_size=2000)
        Honor.objects.bulk_create(
            [
                Honor(
                    person=by_number[r[0]],
                    title=titles[r[1]],
                    level=levels.get(r[2], ""),
                    awarded_on=r[3],
                    lapsed_on=blank(r[4]),
                )
                for r in sheets["称号"][1:]
            ],
            batch_size=2000,
        )
    return {"total": time.perf_counter() - start}


def worker(args):
    setup_django(args.database_url)
    if args.worker == "import":
        result = measure_import(args.file, profile=args.profile)
    else:
        result = measure_baseline(args.file)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


# The driver ---------------------------------------------------------------------------------------
def is_postgres(url):
    return url.startswith(("postgres://", "postgresql://"))


class Databases:
    """A fresh database per measurement: a file for SQLite, a new database on the server for PostgreSQL."""

    def __init__(self, kind, workdir):
        self.kind, self.workdir, self.count = kind, workdir, 0
        self.server_url = os.environ.get("DATABASE_URL", "")

    def fresh(self):
        self.count += 1
        if self.kind == "sqlite":
            return f"sqlite:///{self.workdir}/bench-{self.count}.sqlite3"
        import psycopg

        name = f"bench_{os.getpid()}_{self.count}"
        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        base, _, _ = self.server_url.rpartition("/")
        return f"{base}/{name}"


def run_worker(mode, path, database_url, profile=False):
    command = [
        sys.executable,
        __file__,
        "--worker",
        mode,
        "--file",
        str(path),
        "--database-url",
        database_url,
    ]
    if profile:
        command += ["--profile", profile]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if profile:
        sys.stderr.write(done.stderr)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        raise SystemExit(f"{mode} worker failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT ") :])


WORKBOOKS = Path(tempfile.gettempdir()) / "redengine-bench-workbooks"  # kept between runs: made once


def generate(size, seed):
    WORKBOOKS.mkdir(exist_ok=True)
    path = WORKBOOKS / f"people-{size}-seed{seed}.xlsx"
    if not path.exists():
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
        import django

        django.setup()
        from redengine.imports.tests.generated import generated_workbook

        generated_workbook(size, seed=seed, path=str(path))
    return path


def machine():
    cpus = os.cpu_count()
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0
    return f"{platform.machine()}, {cpus} CPUs, {memory:.0f} GiB, Python {platform.python_version()}"


def drive(args):
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    url = os.environ.get("DATABASE_URL", "")
    if "postgres" in kinds and not is_postgres(url):
        if args.db == "both":
            drive(argparse.Namespace(**{**vars(args), "db": "sqlite"}))
        command = [sys.executable, "scripts/with_postgres.py", sys.executable, __file__, "--db", "postgres"]
        command += ["--sizes", *map(str, args.sizes), "--seed", str(args.seed), "--repeat", str(args.repeat)]
        if args.profile:
            command += ["--profile", args.profile]
        raise SystemExit(subprocess.run(command, cwd=ROOT).returncode)
    workdir = tempfile.mkdtemp(prefix="redengine-bench-")
    print(f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {machine()}")
    print(f"# best of {args.repeat} run(s) each, import and baseline alternating, each on a fresh database")
    print("db        people   rows     validate  write     import    baseline  ratio")
    try:
        for kind in kinds:
            databases = Databases(kind, workdir)
            for size in args.sizes:
                measure(args, databases, kind, size)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(args, databases, kind, size):
    path = generate(size, args.seed)
    runs, bases = [], []
    for _ in range(args.repeat):
        runs.append(run_worker("import", path, databases.fresh(), profile=args.profile))
        bases.append(run_worker("baseline", path, databases.fresh()))
    imported = min(runs, key=lambda r: r["total"])
    baseline = min(bases, key=lambda r: r["total"])
    ratio = imported["total"] / baseline["total"]
    print(
        f"{kind:<9} {size:<8} {imported['rows']:<8} {imported['validate']:>7.2f} s {imported['write']:>7.2f} s "
        f"{imported['total']:>7.2f} s {baseline['total']:>7.2f} s  {ratio:.2f}",
        flush=True,
    )
    print(f"#   re-import of the same file (no change): {imported['revalidate']:.2f} s; {imported['counts']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the best is shown")
    parser.add_argument("--profile", choices=["validate", "write"], help="profile one phase of the import")
    parser.add_argument("--worker", choices=["import", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
    else:
        drive(args)


if __name__ == "__main__":
    main()
