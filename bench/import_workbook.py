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

and, once per database, the **peer**: the workbook of ``--peer-size`` people (2,000 by default, at most
the smallest size: it is some 40 times slower) through django-import-export, a straightforward
``ModelResource`` per sheet (and one for the memberships of the 人员 sheet), in one write path so that
every ``save()`` is audited; reported against our import of the same file. Every worker counts the rows
it wrote, and the import, the baseline and the peer must have written the same; each reports its peak
resident set (``VmHWM``, reset when the measurement starts).

It prints the figures and their ratio; ``--json`` adds, as the last line, ``{"results": [...]}``: one
``bench/harness.py`` ``Result`` per size and database and one for the peer (what ``bench/run.py``
reads). ``--db postgres`` re-runs itself under scripts/with_postgres.py (a throwaway server) unless
DATABASE_URL already names a PostgreSQL database; each measurement gets a database of its own there.
``--profile validate|write`` prints the costliest functions of that phase of the import.
"""

import argparse
import datetime
import gc
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The project's root on sys.path, for ``bench.*`` and ``redengine.*``; this folder off it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
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


def cpu_seconds():
    """CPU seconds spent so far by this process and by its database server's backend (PostgreSQL on this
    machine: its process's ``/proc`` entry): unlike the time, what the other work of a busy machine does
    not inflate much."""
    from django.db import connection

    spent = time.process_time()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
            spent += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
        except OSError:  # a server elsewhere: the worker's own time only
            pass
    return spent


def measure_import(path, profile=False):
    from redengine.core.context import command_actor
    from redengine.dataio import importer

    ctx = importer.ImportContext(None)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    with command_actor("import_workbook"):
        start, cpu = time.perf_counter(), cpu_seconds()
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
        written, cpu = time.perf_counter(), cpu_seconds() - cpu
    if profiler is not None:
        import pstats

        profiler.disable()  # (a no-op when only the validation was profiled)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    peak = peak_resident()  # the import's, before the re-validation below
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
        "peak": peak,
        "cpu": cpu,
        "counts": validation.counts(),
    }


def choice_codes():
    """Each choice sheet column's {label: code}, as the workbook's cells name them (the baseline and the
    peer read the labels without the importer's parsing)."""
    from redengine.core import codes
    from redengine.orgs.imports import ORG_TYPES, OWNERSHIP, SCHOOL_TYPES, URBAN_RURAL
    from redengine.people.imports import LEVELS, SEXES, TITLES

    options = [OWNERSHIP, SCHOOL_TYPES, URBAN_RURAL, ORG_TYPES, SEXES, TITLES, LEVELS]
    options += [codes.ETHNIC_GROUP_CHOICES, codes.EDUCATION_LEVELS, codes.POSTS, codes.POLITICAL_STATUSES]
    return [{label: code for code, label in choices} for choices in options]


def measure_baseline(path):
    """Read with calamine and bulk-insert the same rows, without any check or audit record."""
    import python_calamine
    from django.db import transaction

    from redengine.core.crypto import get_provider
    from redengine.core.masking import mask_id_number, mask_mobile
    from redengine.orgs.models import PartyOrganization, School
    from redengine.people.models import Honor, Membership, Person

    ownership, school_types, urban, org_types, sexes, titles, levels, ethnic, education, posts, statuses = (
        choice_codes()
    )

    def blank(value):
        return None if value == "" else value

    gc.disable()  # as the import does: a fair comparison (the collector costs a plain script about 15%)
    start, cpu = time.perf_counter(), cpu_seconds()
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
    return {"total": time.perf_counter() - start, "cpu": cpu_seconds() - cpu}


def measure_peer(path):
    """The same workbook through django-import-export: a straightforward ``ModelResource`` per sheet (and
    one for the memberships of the 人员 sheet), the rows of each sheet as a tablib ``Dataset``, imported in
    one pass (``dry_run=False``; the admin's confirmation step would import it twice), inside one write
    path so that the audit trail records every ``save()`` as it records the services' writes."""
    import python_calamine
    import tablib
    from import_export import fields, resources, widgets

    from redengine.core.context import command_actor
    from redengine.core.crypto import get_provider
    from redengine.core.writes import SYSTEM, writing
    from redengine.orgs.models import PartyOrganization, School
    from redengine.people.models import Honor, Membership, Person

    ownership, school_types, urban, org_types, sexes, titles, levels, ethnic, education, posts, statuses = (
        choice_codes()
    )
    provider = get_provider()

    def field(attribute, header, widget=None):
        return fields.Field(attribute=attribute, column_name=header, widget=widget)

    def relabel(row, header, choices):
        row[header] = choices.get(row[header], "")

    class SchoolResource(resources.ModelResource):
        code = field("code", "学校代码")
        name = field("name", "学校名称")
        district = field("district", "所在区县")
        ownership = field("ownership", "办学性质")
        school_type = field("school_type", "学段")
        urban_rural = field("urban_rural", "城乡类别")
        city_managed = field("city_managed", "市管", widgets.BooleanWidget())
        staff_headcount = field("staff_headcount", "教职工数", widgets.IntegerWidget())

        class Meta:
            model = School
            import_id_fields = ["code"]

        def before_import_row(self, row, **kwargs):
            relabel(row, "办学性质", ownership)
            relabel(row, "学段", school_types)
            relabel(row, "城乡类别", urban)
            row["市管"] = row["市管"] == "是"

    class OrganizationResource(resources.ModelResource):
        code = field("code", "党组织代码")
        name = field("name", "党组织名称")
        org_type = field("org_type", "组织类别")
        founded_on = field("founded_on", "成立日期", widgets.DateWidget())
        last_election_on = field("last_election_on", "换届日期", widgets.DateWidget())
        schools = field(
            "schools", "所在学校代码", widgets.ManyToManyWidget(School, separator=";", field="code")
        )

        class Meta:
            model = PartyOrganization
            import_id_fields = ["code"]

        def before_import_row(self, row, **kwargs):
            relabel(row, "组织类别", org_types)

        def do_instance_save(self, instance, is_create):
            if is_create:  # a node of the tree: added under its parent (treebeard gives it its path)
                parent = PartyOrganization.objects.get(code=self._parents[instance.code])
                parent.add_child(instance=instance)
            else:
                instance.save()

    class PersonResource(resources.ModelResource):
        id_number_index = field("id_number_index", "id_number_index")
        name = field("name", "姓名")
        sex = field("sex", "性别")
        birth_date = field("birth_date", "出生日期", widgets.DateWidget())
        ethnic_group = field("ethnic_group", "民族")
        education = field("education", "学历")
        school = field("school", "学校代码", widgets.ForeignKeyWidget(School, field="code"))
        post = field("post", "岗位")
        front_line = field("front_line", "一线教师", widgets.BooleanWidget())
        political_status = field("political_status", "政治面貌")

        class Meta:
            model = Person
            import_id_fields = ["id_number_index"]

        def before_import_row(self, row, **kwargs):
            number = row["公民身份号码"]
            row["id_number_index"] = provider.blind_index(number)
            relabel(row, "性别", sexes)
            relabel(row, "民族", ethnic)
            relabel(row, "学历", education)
            relabel(row, "岗位", posts)
            row["政治面貌"] = statuses.get(row["政治面貌"], "masses")
            row["一线教师"] = row["一线教师"] == "是"
            if not row["出生日期"]:
                row["出生日期"] = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))

        def before_save_instance(self, instance, row, **kwargs):
            instance.set_id_number(row["公民身份号码"])
            instance.set_mobile(row["手机号码"])

    by_index = widgets.ForeignKeyWidget(Person, field="id_number_index")

    class MembershipResource(resources.ModelResource):
        person = field("person", "id_number_index", by_index)
        organization = field(
            "organization", "党组织代码", widgets.ForeignKeyWidget(PartyOrganization, field="code")
        )
        admitted_on = field("admitted_on", "入党日期", widgets.DateWidget())
        full_on = field("full_on", "转正日期", widgets.DateWidget())

        class Meta:
            model = Membership
            import_id_fields = ["person", "organization", "admitted_on"]

    class HonorResource(resources.ModelResource):
        person = field("person", "id_number_index", by_index)
        title = field("title", "称号")
        level = field("level", "级别")
        awarded_on = field("awarded_on", "认定日期", widgets.DateWidget())
        lapsed_on = field("lapsed_on", "截止日期", widgets.DateWidget())

        class Meta:
            model = Honor
            import_id_fields = ["person", "title", "awarded_on"]

        def before_import_row(self, row, **kwargs):
            row["id_number_index"] = provider.blind_index(row["公民身份号码"])
            relabel(row, "称号", titles)
            relabel(row, "级别", levels)

    def dataset(rows, extra=()):
        data = tablib.Dataset(headers=[*rows[0], *extra])
        for row in rows[1:]:
            data.append([*row, *[""] * len(extra)])
        return data

    gc.disable()  # as the import does
    start, cpu = time.perf_counter(), cpu_seconds()
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    sheets = {name: book.get_sheet_by_name(name).to_python() for name in ("学校", "党组织", "人员", "称号")}
    # The organizations parents first (a child is added under its parent), as anyone would sort them.
    header, rows = sheets["党组织"][0], sheets["党组织"][1:]
    known = set(PartyOrganization.objects.values_list("code", flat=True))
    ordered = []
    while rows:
        ready, later = [r for r in rows if r[3] in known], [r for r in rows if r[3] not in known]
        if not ready:
            raise SystemExit("an organization's parent is neither in the sheet nor recorded")
        known.update(r[0] for r in ready)
        ordered, rows = ordered + ready, later
    organizations = OrganizationResource()
    organizations._parents = {r[0]: r[3] for r in ordered}
    people = sheets["人员"]
    members = [people[0]] + [r for r in people[1:] if r[13]]
    with command_actor("import_workbook"), writing(SYSTEM):
        for resource, data in (
            (SchoolResource(), dataset(sheets["学校"])),
            (organizations, dataset([header, *ordered])),
            (PersonResource(), dataset(people, ["id_number_index"])),
            (MembershipResource(), memberships_dataset(members, provider, tablib)),
            (HonorResource(), dataset(sheets["称号"], ["id_number_index"])),
        ):
            result = resource.import_data(data, dry_run=False, raise_errors=True, use_transactions=True)
            if result.has_errors() or result.has_validation_errors():
                raise SystemExit(f"django-import-export refused {type(resource).__name__}'s rows")
    return {"total": time.perf_counter() - start, "cpu": cpu_seconds() - cpu}


def memberships_dataset(rows, provider, tablib):
    data = tablib.Dataset(headers=["id_number_index", "党组织代码", "入党日期", "转正日期"])
    for r in rows[1:]:
        data.append([provider.blind_index(r[1]), r[13], r[11], r[12]])
    return data


def table_counts():
    """The rows of the tables an import writes (the same for the import, the baseline and the peer)."""
    from redengine.orgs.models import PartyOrganization, School
    from redengine.people.models import Honor, Membership, Person

    models = (School, PartyOrganization, PartyOrganization.schools.through, Person, Membership, Honor)
    return {model._meta.label: model.objects.count() for model in models}


def reset_peak():
    """Start the resident set's high-water mark afresh (Linux: ``/proc/self/clear_refs``); False if not."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def peak_resident():
    """The resident set's high-water mark in bytes (since ``reset_peak``, else since the start)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def worker(args):
    setup_django(args.database_url)
    before = table_counts()
    gc.collect()
    reset_peak()
    measures = {"import": measure_import, "baseline": measure_baseline, "peer": measure_peer}
    if args.worker == "import":
        result = measure_import(args.file, profile=args.profile)
    else:
        result = measures[args.worker](args.file)
    result.setdefault("peak", peak_resident())
    after = table_counts()
    result["written"] = {name: after[name] - before[name] for name in after}
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
    """Print the table of every size and database; the ``harness.Result`` of each as dicts."""
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    url = os.environ.get("DATABASE_URL", "")
    if "postgres" in kinds and not is_postgres(url):
        done = []
        if args.db == "both":
            done = drive(argparse.Namespace(**{**vars(args), "db": "sqlite"}))
            done = [dict(r, name=f"sqlite: {r['name']}") for r in done]
        command = [sys.executable, "scripts/with_postgres.py", sys.executable, __file__, "--db", "postgres"]
        command += ["--sizes", *map(str, args.sizes), "--seed", str(args.seed), "--repeat", str(args.repeat)]
        command += ["--peer-size", str(args.peer_size), "--json"]
        if args.profile:
            command += ["--profile", args.profile]
        process = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        lines = process.stdout.rstrip().splitlines()
        print("\n".join(lines[:-1]), flush=True)
        if process.returncode or not lines:
            raise SystemExit(process.returncode or 1)
        return done + [
            dict(r, name=f"postgres: {r['name']}") if done else r for r in json.loads(lines[-1])["results"]
        ]
    workdir = tempfile.mkdtemp(prefix="redengine-bench-")
    print(f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {machine()}")
    print(f"# best of {args.repeat} run(s) each, import and baseline alternating, each on a fresh database")
    print(
        "db        people   rows     validate  write     import    baseline  ratio   import MiB  baseline MiB"
        "  CPU: import  baseline  ratio"
    )
    results = []
    try:
        for kind in kinds:
            databases = Databases(kind, workdir)
            imports = {}
            for size in args.sizes:
                imported, result = measure(args, databases, kind, size)
                imports[size] = imported
                results.append(result)
            if args.peer_size:
                results.append(measure_peer_row(args, databases, kind, imports))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.db == "both":
        results = [dict(r, name=f"{r.pop('kind')}: {r['name']}") for r in results]
    else:
        results = [{k: v for k, v in r.items() if k != "kind"} for r in results]
    return results


PEAK = (
    "peak: the worker's resident set at its highest from the start of the measurement (VmHWM, reset "
    "then; Django and what setting the database up left in the process included)"
)


def measure(args, databases, kind, size):
    path = generate(size, args.seed)
    runs, bases = [], []
    for _ in range(args.repeat):
        runs.append(run_worker("import", path, databases.fresh(), profile=args.profile))
        bases.append(run_worker("baseline", path, databases.fresh()))
    imported = min(runs, key=lambda r: r["total"])
    baseline = min(bases, key=lambda r: r["total"])
    if imported["written"] != baseline["written"]:
        raise SystemExit(
            f"the import and the baseline wrote different rows: {imported['written']} {baseline['written']}"
        )
    ratio = imported["total"] / baseline["total"]
    imported["peak"], baseline["peak"] = max(r["peak"] for r in runs), max(r["peak"] for r in bases)
    cpu = min(r["cpu"] for r in runs), min(r["cpu"] for r in bases)  # the worker's and its server's
    print(
        f"{kind:<9} {size:<8} {imported['rows']:<8} {imported['validate']:>7.2f} s {imported['write']:>7.2f} s "
        f"{imported['total']:>7.2f} s {baseline['total']:>7.2f} s  {ratio:.2f}   "
        f"{imported['peak'] / 2**20:>8,.0f}    {baseline['peak'] / 2**20:>8,.0f}      "
        f"{cpu[0]:>7.2f} s {cpu[1]:>7.2f} s  {cpu[0] / cpu[1]:.2f}",
        flush=True,
    )
    print(f"#   re-import of the same file (no change): {imported['revalidate']:.2f} s; {imported['counts']}")
    return imported, {
        "kind": kind,
        "suite": "import",
        "name": f"workbook import, {size:,} people ({imported['rows']:,} rows)",
        "ours": imported["total"],
        "baseline": baseline["total"],
        "ours_peak": imported["peak"],
        "baseline_peak": baseline["peak"],
        "runs": args.repeat,
        "note": (
            f"validate {imported['validate']:.2f} s + write {imported['write']:.2f} s; baseline: calamine + "
            f"bulk_create, no check, no audit trail; CPU seconds (the worker's and its database server's) "
            f"{cpu[0]:.2f} against {cpu[1]:.2f}: {cpu[0] / cpu[1]:.2f}×; {PEAK}"
        ),
    }


def measure_peer_row(args, databases, kind, imports):
    """django-import-export on a workbook of ``--peer-size`` people (at most the smallest size), once: it
    is some 40 times slower than the import. Its baseline is our import of the same file."""
    size = min(args.peer_size, *args.sizes)
    path = generate(size, args.seed)
    imported = imports.get(size) or run_worker("import", path, databases.fresh())
    peer = run_worker("peer", path, databases.fresh())
    if peer["written"] != imported["written"]:
        raise SystemExit(
            f"django-import-export and the import wrote different rows: {peer['written']} {imported['written']}"
        )
    ratio = peer["total"] / imported["total"]
    print(
        f"{kind:<9} {size:<8} django-import-export {peer['total']:>7.2f} s, our import {imported['total']:.2f} s: "
        f"{ratio:.1f} times as long",
        flush=True,
    )
    return {
        "kind": kind,
        "suite": "import",
        "name": f"peer: django-import-export, {size:,} people",
        "ours": peer["total"],
        "baseline": imported["total"],
        "ours_peak": peer["peak"],
        "baseline_peak": imported["peak"],
        "runs": 1,
        "note": (
            f"the peer against our import of the same file (the ratio: how many times as long it takes); "
            f"capped at {args.peer_size:,} people (--peer-size) as it is slow; a ModelResource per sheet, "
            f"one pass without a dry run, every save() audited; {PEAK}"
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the best is shown")
    parser.add_argument("--profile", choices=["validate", "write"], help="profile one phase of the import")
    parser.add_argument("--worker", choices=["import", "baseline", "peer"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument(
        "--peer-size",
        type=int,
        default=2_000,
        help="people in the workbook given to django-import-export (0: not run; at most the smallest size)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print every figure as JSON on the last line (bench/run.py)"
    )
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    results = drive(args)
    if args.json:
        print(json.dumps({"results": results}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
