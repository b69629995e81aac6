#!/usr/bin/env python3
"""A province-sized data set for the benchmarks, written into the database of DATABASE_URL.

    .venv/bin/python manage.py migrate
    .venv/bin/python bench/generate.py --scale 0.01 [--seed 1] [--today 2026-12-01] [--force] [--checksum]
    # on a throwaway PostgreSQL:
    .venv/bin/python scripts/with_postgres.py sh -c \\
        '.venv/bin/python manage.py migrate -v0 && .venv/bin/python bench/generate.py --scale 0.01'

At ``--scale 1``: one root (the province's education work committee), 14 city committees, 122 district and
county bureaus, about 33,000 schools, 100,000 organizations in five levels, 1,000,000 staff with titles and
party memberships (about 40% members), development cases with legal step histories for about 5% of them,
and four accounts (the whole tree, a city, a district, a school) whose usernames and password it prints.
What is drawn and why, the district codes, determinism and memory: ``redengine/demo/province.py``.

Everything is written through the services in bulk, acting as ``SYSTEM`` (each record checked and with its
create record, paths, pinyin keys, encrypted and indexed ID numbers and the schools' placements kept by the
write path), one transaction per district. It prints each district as it is written, then each step's rows,
seconds and rows per second, and ``ANALYZE``s the database (``VACUUM (ANALYZE)`` on PostgreSQL). A database
that holds organizations, schools, people or accounts is refused unless ``--force`` (the province is then
added beside them: under the tree's root, with the district codes no organization holds yet). ``--checksum``
prints a digest of the registry's tables (no ids, no ciphertext, no change records), equal for two runs of
the same seed and scale into two fresh databases.

Importable: ``generate(scale=..., seed=...)`` returns the counts, the seconds and rows of each step, the
accounts, a district bureau's code (``district``) and a school id (``school``) to bench with.
"""

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


FIXED = ("tree", "accounts")  # steps whose time does not grow with the scale


def setup():
    os.environ["DEBUG"] = "0"  # no query log: as in production (it would grow with every row written)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
    import django

    django.setup()


def generate(scale=0.01, seed=1, today=None, force=False, progress=None, analyze=True):
    """Write the province (``redengine.demo.province.generate``) and gather the statistics; refuses a
    database that is not empty unless ``force``."""
    from django.db import connection

    from redengine.demo import province

    if not force and not province.is_empty():
        raise province.GenerationRefusedError(
            "the database is not empty (organizations, schools, people or accounts): use a freshly migrated "
            "one, or --force to add the province beside what it holds"
        )
    result = province.generate(scale=scale, seed=seed, today=today, progress=progress)
    if analyze:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # On PostgreSQL VACUUM too: the visibility map set as autovacuum leaves a table at rest, for
            # the index-only scans of the reads measured after (SQLite's VACUUM only rewrites the file).
            cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
        result["seconds"]["statistics"] = time.perf_counter() - started
    return result


def checksum():
    """{table: (rows, digest)} and the digest of them all: the registry's rows in a fixed order, by natural
    keys (codes, paths, ID numbers' blind indexes), without ids, ciphertext or timestamps."""
    from redengine.development.models import CaseContact, DevelopmentCase, DevelopmentEvent
    from redengine.orgs.models import PartyOrganization, School
    from redengine.orgs.services import SchoolService
    from redengine.people.models import Honor, Membership, Person

    person = "person__id_number_index"
    tables = {
        "schools": School.objects.order_by("code").values_list(*SchoolService.fields),
        "organizations": PartyOrganization.objects.order_by("path").values_list(
            "path", "code", "name", "org_type", "district", "founded_on", "last_election_on", "numchild"
        ),
        "coverage": PartyOrganization.schools.through.objects.order_by(
            "partyorganization__path", "school__code"
        ).values_list("partyorganization__path", "school__code"),
        "people": Person.objects.order_by("id_number_index").values_list(
            "id_number_index",
            "id_number_masked",
            "name",
            "sex",
            "birth_date",
            "school__code",
            "post",
            "front_line",
            "political_status",
            "education",
            "ethnic_group",
            "mobile_index",
        ),
        "memberships": Membership.objects.order_by(person, "admitted_on").values_list(
            person, "organization__code", "admitted_on", "full_on", "ended_on"
        ),
        "titles": Honor.objects.order_by(person, "title", "awarded_on").values_list(
            person, "title", "level", "awarded_on", "lapsed_on"
        ),
        "cases": DevelopmentCase.objects.order_by(person, "opened_on").values_list(
            person, "organization__code", "status", "stage", "next_step", "next_due", "admitted_on"
        ),
        "steps": DevelopmentEvent.objects.order_by(
            f"case__{person}", "date", "step", "form_serial"
        ).values_list(f"case__{person}", "step", "date", "form_serial"),
        "contacts": CaseContact.objects.order_by(f"case__{person}", person, "role").values_list(
            f"case__{person}", person, "role", "assigned_on"
        ),
    }
    found, whole = {}, hashlib.sha256()
    for name, rows in tables.items():
        digest, count = hashlib.sha256(), 0
        for row in rows.iterator(chunk_size=5000):
            digest.update("\x1f".join(map(str, row)).encode() + b"\x1e")
            count += 1
        found[name] = (count, digest.hexdigest()[:16])
        whole.update(f"{name}:{count}:{digest.hexdigest()}".encode())
    return found, whole.hexdigest()


def print_progress(chunk, done, total, seconds):
    print(
        f"  [{done:>3}/{total}] {chunk.code} {chunk.prefix}{'市直' if chunk.profile == 'city' else ''}: "
        f"{len(chunk.specs):,} schools, {sum(s[3] for s in chunk.specs):,} people, {seconds:.1f} s",
        flush=True,
    )


def report(result, elapsed):
    print("\nstep              rows      seconds     rows/s")
    for step, seconds in result["seconds"].items():
        rows = result["rows"].get(step, 0)
        rate = f"{rows / seconds:>10,.0f}" if rows and seconds else " " * 10
        print(f"  {step:<14} {rows:>9,} {seconds:>10.1f} {rate}")
    rows = sum(result["rows"].values())
    print(f"  {'total':<14} {rows:>9,} {elapsed:>10.1f} {rows / elapsed:>10,.0f}")
    fixed = sum(result["seconds"].get(step, 0) for step in FIXED)
    estimate = (elapsed - fixed) / result["scale"] + fixed
    print(f"  at these rates scale 1 would take about {estimate / 60:.0f} min")
    print("\nwritten: " + ", ".join(f"{n:,} {what}" for what, n in result["counts"].items()))
    print(f"\naccounts (password for all: {next(iter(result['accounts'].values()))['password']}):")
    for username, account in result["accounts"].items():
        line = f"  {username:<16} {account['role']:<17} {account['organization']}"
        if account["totp_secret"]:
            line += f"  TOTP secret: {account['totp_secret']}"
        print(line)
    print(f"\nbench with: district bureau {result['district']}, school id {result['school']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.01, help="1: the whole province (default 0.01)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", help="the day the open development cases are dated back from (YYYY-MM-DD)")
    parser.add_argument(
        "--force", action="store_true", help="add the province to a database that is not empty"
    )
    parser.add_argument("--checksum", action="store_true", help="print a digest of the registry's tables")
    parser.add_argument("--json", action="store_true", help="print the result as JSON on the last line")
    args = parser.parse_args()
    setup()
    import datetime

    from django.db import connection

    from redengine.demo.province import GenerationRefusedError

    today = datetime.date.fromisoformat(args.today) if args.today else None
    name = connection.settings_dict["NAME"]
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {connection.vendor} {name} · scale {args.scale:g}, seed "
        f"{args.seed} · {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    started = time.perf_counter()
    try:
        result = generate(args.scale, args.seed, today, args.force, progress=print_progress)
    except (GenerationRefusedError, ValueError) as exc:
        raise SystemExit(f"refused: {exc}") from exc
    report(result, time.perf_counter() - started)
    if args.checksum:
        tables, digest = checksum()
        print("\nchecksum " + digest)
        for table, (count, part) in tables.items():
            print(f"  {table:<14} {count:>9,}  {part}")
        result["checksum"] = digest
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
