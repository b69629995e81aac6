#!/usr/bin/env python3
"""Benchmark of member development at scale: the overdue scan and the daily re-derivation of the plans.

    .venv/bin/python bench/development.py                        # 100,000 open cases, SQLite
    .venv/bin/python bench/development.py --db postgres          # the same on a throwaway PostgreSQL
    .venv/bin/python bench/development.py --db both --cases 100000 --repeat 3

Each database is fresh (migrated, the demo data set and the generated city loaded: about 1,000 schools,
700 organizations, 30,000 staff). Then, not timed, applicants are added to the city's schools until
100,000 development cases are open, each with a legal history drawn by ``redengine/demo/development.py``
(stages 1 to 4 of people who are not members yet, and probationary members on stage 5 with their
memberships; some of them late), written in bulk without change records; then ``ANALYZE``. Timed:

- **scan** — the due-date calendar as the 发展日历 page computes it from the stored plan of each case
  (``next_step``, ``next_earliest``, ``next_due``): the counts of open, late and due-within-30-days cases
  for the scope, per district and per organization, the page's first 50 rows, and every open case with
  its next step, earliest and latest date and whether it is late (what the .xlsx export reads); for the
  city and for one district. Also ``development.overdue`` for this year (the stored plan) and for last
  year (worked out from the steps up to its last day).
  Baseline: the same figures and rows through hand-written SQL on a cursor (no ORM).
- **refresh** — the daily re-derivation: every open case's steps loaded in bulk, ``engine.plan`` and
  ``services.apply_plan`` on each, all cases written back with ``bulk_update`` (measured once: it is the
  slow part); and the same with only the cases whose derived fields changed written (none, here: the
  stored plans are the engine's). Baseline: reading the same steps and writing the same columns of every
  case with a raw ``executemany`` UPDATE, without planning. The writes are rolled back.

``--db postgres`` re-runs itself under scripts/with_postgres.py (a throwaway server) unless
DATABASE_URL already names a PostgreSQL database.
"""

import argparse
import datetime
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGES = [(1, 15), (2, 45), (3, 12), (4, 8), (5, 20)]  # share of the open cases at each stage


# The worker: set-up and measurements on one fresh database --------------------------------------------
def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"  # no query log: as in production
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
    import django

    django.setup()


def load(cases, seed):
    """The demo data set, the generated city, and applicants until ``cases`` cases are open."""
    import setup_rows  # (bench/setup_rows.py: the benchmark's own unchecked set-up writes)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from redengine.core.context import command_actor
    from redengine.core.validators import make_id_number
    from redengine.demo import city, development
    from redengine.development.models import DevelopmentCase
    from redengine.orgs.models import PartyOrganization, School
    from redengine.people.models import Membership, Person

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", verbosity=0, stdout=devnull)
    city.generate()
    rng = random.Random(seed)
    today = timezone.localdate()
    orgs = {o.pk: o for o in PartyOrganization.objects.all()}
    bureaus = {o.district: o for o in orgs.values() if o.district}
    schools = list(School.objects.order_by("code"))
    covering = {}  # the deepest organization covering each school, else its district's bureau
    for school_id, org_id in PartyOrganization.schools.through.objects.order_by("pk").values_list(
        "school_id", "partyorganization_id"
    ):
        org = orgs[org_id]
        if school_id not in covering or len(org.path) > len(covering[school_id].path):
            covering[school_id] = org
    members = [
        SimpleNamespace(
            person=m.person,
            full=m.full_on,
            organization=orgs[m.organization_id],
            school=SimpleNamespace(school=m.person.school),
        )
        for m in Membership.objects.filter(full_on__isnull=False, ended_on__isnull=True).select_related(
            "person__school"
        )
    ]
    contacts = development.Contacts(rng, members, open_limit=None)
    histories = development.Histories(rng, today, contacts, serial_prefix="B")
    known = set(Person.objects.values_list("id_number_index", flat=True))
    wanted = cases - DevelopmentCase.objects.filter(status="open").count()
    people, applicants, regions = [], [], ["430104", "430102", "430111", "430121", "430181"]
    number = 0
    while len(people) < wanted:
        number += 1
        school = schools[rng.randrange(len(schools))]
        birth = datetime.date(1972, 1, 1) + datetime.timedelta(days=rng.randrange(0, 30 * 365))
        person = Person(name=f"申请人{number}", school=school, post="teacher", front_line=True)
        parsed = person.set_id_number(make_id_number(regions[number % 5], birth, rng.randrange(1000)))
        if person.id_number_index in known:
            continue
        known.add(person.id_number_index)
        person.sex, person.birth_date = parsed.sex, parsed.birth_date
        stage = rng.choices([s for s, _w in STAGES], [w for _s, w in STAGES])[0]
        person.political_status = "probationary" if stage == 5 else "masses"
        people.append(person)
        organization = covering.get(school.pk) or bureaus.get(school.district) or orgs[min(orgs)]
        applicants.append((person, stage, organization))
    with command_actor("bench"), transaction.atomic():
        pks = setup_rows.insert(Person, [setup_rows.row_of(p) for p in people])
        plans, memberships = [], []
        for (person, stage, organization), pk in zip(applicants, pks, strict=True):
            person.pk = pk
            standin = SimpleNamespace(
                person=person, birth=person.birth_date, school=SimpleNamespace(school=person.school)
            )
            if stage == 5:
                standin.admitted = today - datetime.timedelta(days=rng.randint(40, 420))
                standin.full, standin.extension = None, 0
                plan = histories.admitted(standin, organization, converted=False)
                memberships.append(
                    {"person_id": pk, "organization_id": organization.pk, "admitted_on": standin.admitted}
                )
            else:
                stalled = rng.randint(30, 150 if stage == 4 else 300) if rng.random() < 0.15 else 0
                plan = histories.applicant(standin, organization, stage, stalled)
                if plan is None:  # too young for the history drawn: a history of stage 1 instead
                    plan = histories.applicant(standin, organization, 1, 0)
            plans.append(plan)
        setup_rows.insert(Membership, memberships)
        counts = setup_rows.write(plans)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts["open cases"] = DevelopmentCase.objects.filter(status="open").count()
    counts["set-up"] = round(time.perf_counter() - started, 1)
    return counts


def derived():
    """The case's fields that ``services.apply_plan`` derives (the steps' flags come from the steps)."""
    from redengine.development.models import DERIVED_FIELDS

    return [name for name in DERIVED_FIELDS if name not in ("incomplete", "has_exception")]


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def calendar(scope):
    """The calendar's figures and rows for the scope, from the stored plans (as the due page)."""
    from django.db.models import BooleanField, Count, ExpressionWrapper, Q
    from django.utils import timezone

    from redengine.development.models import DevelopmentCase

    today = timezone.localdate()
    soon = today + datetime.timedelta(days=30)
    cases = DevelopmentCase.objects.in_subtree(scope.path).filter(status="open")
    counts = {
        "open": Count("pk"),
        "late": Count("pk", filter=Q(next_due__lt=today)),
        "soon": Count("pk", filter=Q(next_due__gte=today, next_due__lte=soon)),
    }
    totals = cases.aggregate(**counts)
    by_district = list(
        cases.order_by()
        .values("person__school__district")
        .annotate(**counts)
        .order_by("-late", "person__school__district")
    )
    by_organization = list(
        cases.order_by()
        .values("organization__code", "organization__name", "organization_id")
        .annotate(**counts)
        .order_by("-late", "organization__code")
    )
    order = ["next_due", "next_earliest", "pk"]
    page = list(cases.select_related("person", "person__school", "organization").order_by(*order)[:50])
    late = ExpressionWrapper(Q(next_due__lt=today), output_field=BooleanField())
    rows = list(
        cases.annotate(late=late)
        .order_by(*order)
        .values_list(
            "pk",
            "person__name",
            "person__school__name",
            "organization__name",
            "stage",
            "next_step",
            "next_earliest",
            "due_step",
            "next_due",
            "late",
        )
    )
    assert totals["open"] == len(rows) == sum(r["open"] for r in by_organization)
    assert totals["late"] == sum(1 for r in rows if r[-1])
    return {"open": totals["open"], "late": totals["late"], "districts": len(by_district), "page": len(page)}


def calendar_raw(scope):
    """The same figures and rows through hand-written SQL (the baseline)."""
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate()
    soon = today + datetime.timedelta(days=30)
    day, until = connection.ops.adapt_datefield_value(today), connection.ops.adapt_datefield_value(soon)
    base = (
        "FROM development_developmentcase c JOIN orgs_partyorganization o ON o.id = c.organization_id "
        "JOIN people_person p ON p.id = c.person_id JOIN orgs_school s ON s.id = p.school_id "
        "WHERE c.status = 'open' AND o.path LIKE %s"
    )
    counts = (
        "COUNT(*), SUM(CASE WHEN c.next_due < %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.next_due >= %s AND c.next_due <= %s THEN 1 ELSE 0 END)"
    )
    prefix = scope.path + "%"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts} {base}", [day, day, until, prefix])
        totals = cursor.fetchone()
        cursor.execute(f"SELECT s.district, {counts} {base} GROUP BY s.district", [day, day, until, prefix])
        by_district = cursor.fetchall()
        cursor.execute(
            f"SELECT o.code, o.name, o.id, {counts} {base} GROUP BY o.code, o.name, o.id",
            [day, day, until, prefix],
        )
        by_organization = cursor.fetchall()
        order = "ORDER BY c.next_due, c.next_earliest, c.id"
        columns = (
            "c.id, p.name, s.name, o.name, c.stage, c.next_step, c.next_earliest, c.due_step, c.next_due"
        )
        cursor.execute(f"SELECT {columns}, c.next_due < %s {base} {order}", [day, prefix])
        rows = cursor.fetchall()
    assert totals[0] == len(rows) == sum(r[3] for r in by_organization)
    return {"open": totals[0], "late": totals[1], "districts": len(by_district)}


def measure_scan(repeat):
    from django.utils import timezone

    from redengine.core.metrics import REGISTRY, Period
    from redengine.orgs.models import PartyOrganization

    root = PartyOrganization.objects.get(code="CS0001")
    district = PartyOrganization.objects.get(code="CS430104")
    year = timezone.localdate().year
    result = {}
    for name, scope in (("city", root), ("district", district)):
        orm = min(timed(calendar, scope)[0] for _ in range(repeat))
        raw = min(timed(calendar_raw, scope)[0] for _ in range(repeat))
        result[name] = {"orm": orm, "raw": raw, **calendar(scope)}
    overdue = REGISTRY["development.overdue"]
    now, figure = min(
        (timed(overdue.compute, root, Period.of(year)) for _ in range(repeat)), key=lambda t: t[0]
    )
    past, earlier = min(
        (timed(overdue.compute, root, Period.of(year - 1)) for _ in range(repeat)), key=lambda t: t[0]
    )
    result["overdue"] = {"now": now, "now_value": figure.value, "past": past, "past_value": earlier.value}
    return result


def refresh(write="all"):
    """Every open case's plan derived again from its steps; ``write``: all cases, or those changed."""
    from django.db import transaction

    from redengine.development import engine
    from redengine.development.models import DevelopmentCase, DevelopmentEvent
    from redengine.development.services import apply_plan

    phases, fields = {}, derived()
    start = time.perf_counter()
    cases = {c.pk: c for c in DevelopmentCase.objects.filter(status="open").only("pk", *fields)}
    done = {pk: [] for pk in cases}
    steps = (
        DevelopmentEvent.objects.filter(case__status="open")
        .order_by("case_id", "date", "id")
        .values_list("case_id", "step", "date", "data")
    )
    for case_id, step, date, data in steps.iterator(chunk_size=10000):
        done[case_id].append(engine.Done(step, date, data))
    phases["load"] = time.perf_counter() - start
    start = time.perf_counter()
    changed = []
    for pk, case in cases.items():
        before = [getattr(case, name) for name in fields]
        apply_plan(case, engine.plan(done[pk]), done[pk])
        if [getattr(case, name) for name in fields] != before:
            changed.append(case)
    phases["plan"] = time.perf_counter() - start
    start = time.perf_counter()
    with transaction.atomic():
        chosen = list(cases.values()) if write == "all" else changed
        DevelopmentCase.objects.bulk_update(
            chosen, fields, batch_size=2000
        )  # (what a refresh costs, rolled back)
        transaction.set_rollback(True)  # the next measurement finds the same database
    phases["write"] = time.perf_counter() - start
    phases["cases"], phases["steps"], phases["changed"] = (
        len(cases),
        sum(map(len, done.values())),
        len(changed),
    )
    return phases


def refresh_raw():
    """Read the same steps and write the same columns of every open case, without planning (baseline)."""
    from django.db import connection, transaction

    from redengine.development.models import DevelopmentCase

    fields = [DevelopmentCase._meta.get_field(name).column for name in derived()]  # approver: approver_id
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.case_id, e.step, e.date, e.data FROM development_developmentevent e "
            "JOIN development_developmentcase c ON c.id = e.case_id WHERE c.status = 'open' "
            "ORDER BY e.case_id, e.date, e.id"
        )
        steps = [
            (r[0], r[1], r[2], json.loads(r[3]) if isinstance(r[3], str) else r[3]) for r in cursor.fetchall()
        ]
        columns = ", ".join(fields)
        cursor.execute(f"SELECT id, {columns} FROM development_developmentcase WHERE status = 'open'")
        rows = cursor.fetchall()
    read = time.perf_counter() - start
    start = time.perf_counter()
    assignments = ", ".join(f"{name} = %s" for name in fields)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE development_developmentcase SET {assignments} WHERE id = %s",
            [[*r[1:], r[0]] for r in rows],
        )
        transaction.set_rollback(True)
    return {"load": read, "write": time.perf_counter() - start, "steps": len(steps)}


def worker(args):
    setup_django(args.database_url)
    counts = load(args.cases, args.seed)
    print(f"# set-up: {json.dumps(counts, ensure_ascii=False)}", file=sys.stderr, flush=True)
    result = {"counts": counts, "scan": measure_scan(args.repeat)}
    result["refresh"] = refresh("all")  # once: Django's bulk_update of every case takes minutes
    runs = [refresh("changed") for _ in range(args.repeat)]
    result["refresh_changed"] = min(runs, key=lambda r: r["load"] + r["plan"] + r["write"])
    result["refresh_raw"] = min(
        (refresh_raw() for _ in range(args.repeat)), key=lambda r: r["load"] + r["write"]
    )
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


# The driver ---------------------------------------------------------------------------------------------
def is_postgres(url):
    return url.startswith(("postgres://", "postgresql://"))


def fresh_database(kind, workdir, count):
    if kind == "sqlite":
        return f"sqlite:///{workdir}/bench-{count}.sqlite3"
    import psycopg

    server = os.environ["DATABASE_URL"]
    name = f"bench_dev_{os.getpid()}_{count}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server.rpartition('/')[0]}/{name}"


def run_worker(args, database_url):
    command = [sys.executable, __file__, "--worker", "--database-url", database_url]
    command += ["--cases", str(args.cases), "--seed", str(args.seed), "--repeat", str(args.repeat)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    sys.stderr.write(done.stderr[-2000:] if done.returncode else "")
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        raise SystemExit(f"worker failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT ") :])


def machine():
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, {memory:.0f} GiB, Python {platform.python_version()}"
    )


def report(kind, result):
    counts, scan = result["counts"], result["scan"]
    print(
        f"{kind}: {counts['open cases']:,} open cases, {counts['development steps']:,} steps written "
        f"({counts['set-up']} s of set-up, not timed)"
    )
    print("  scan (calendar from the stored plans)          ORM       raw SQL   ratio   open      late")
    for name in ("city", "district"):
        row = scan[name]
        print(
            f"    {name:<44} {row['orm']:>6.2f} s  {row['raw']:>6.2f} s  {row['orm'] / row['raw']:>5.2f}"
            f"   {row['open']:<9,} {row['late']:,}"
        )
    overdue = scan["overdue"]
    print(
        f"    development.overdue, this year (stored plan)  {overdue['now']:>6.2f} s   value {overdue['now_value']:,}"
    )
    print(
        f"    development.overdue, last year (from steps)   {overdue['past']:>6.2f} s   value {overdue['past_value']:,}"
    )
    print("  refresh (every open case's plan from its steps)  load      plan      write     total   baseline")
    raw = result["refresh_raw"]
    baseline = raw["load"] + raw["write"]
    for name, label in (
        ("refresh", "all cases written (bulk_update)"),
        ("refresh_changed", "only changed written"),
    ):
        row = result[name]
        total = row["load"] + row["plan"] + row["write"]
        print(
            f"    {label:<44} {row['load']:>6.2f} s  {row['plan']:>6.2f} s  {row['write']:>6.2f} s  {total:>6.2f} s"
            f"  {baseline:>6.2f} s ({raw['load']:.2f} + {raw['write']:.2f}); {row['changed']} changed,"
            f" {row['steps']:,} steps"
        )


def drive(args):
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    url = os.environ.get("DATABASE_URL", "")
    if "postgres" in kinds and not is_postgres(url):
        if args.db == "both":
            drive(argparse.Namespace(**{**vars(args), "db": "sqlite"}))
        command = [sys.executable, "scripts/with_postgres.py", sys.executable, __file__, "--db", "postgres"]
        command += ["--cases", str(args.cases), "--seed", str(args.seed), "--repeat", str(args.repeat)]
        raise SystemExit(subprocess.run(command, cwd=ROOT).returncode)
    workdir = tempfile.mkdtemp(prefix="redengine-bench-")
    print(f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {machine()} · best of {args.repeat}")
    try:
        for count, kind in enumerate(kinds, start=1):
            report(kind, run_worker(args, fresh_database(kind, workdir, count)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000, help="open cases in the database")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is shown")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
    else:
        drive(args)


if __name__ == "__main__":
    main()
