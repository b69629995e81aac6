#!/usr/bin/env python3
"""The plans of every scoped model's list on PostgreSQL: ``EXPLAIN (ANALYZE, BUFFERS)`` of the count and of
the first page that ``visible_to`` gives a district's and a city's administrator, on the province data set.

    .venv/bin/python bench/explain.py                     # scale 0.01, the database in the C collation
    .venv/bin/python bench/explain.py --collation zh      # the same in an ICU Chinese collation
    .venv/bin/python bench/explain.py --scale 0.1 --summary

It starts a throwaway PostgreSQL (``scripts/with_postgres.py``), creates a database in the chosen
collation (``zh``: ``LOCALE_PROVIDER icu ICU_LOCALE 'zh-Hans'``, where a ``varchar`` column's ordinary
index no longer serves ``LIKE 'prefix%'`` — the ``varchar_pattern_ops`` one must), migrates it, loads the
province (``bench/generate.py``) and prints, for each model whose manager scopes (``ScopedQuerySet``) and
each of the two accounts, the two plans. ``--summary`` prints one line per plan instead: the nodes that
read a table (``Seq Scan``, ``Index Scan``, ``Index Only Scan``, ``Bitmap Heap Scan``) with the table and
the index, the rows returned and the execution time — what ``docs/performance.md`` shows.
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

COLLATIONS = {
    "c": "LOCALE 'C'",
    "zh": "LOCALE_PROVIDER icu ICU_LOCALE 'zh-Hans' LOCALE 'C.UTF-8'",
}
SCAN = re.compile(
    r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan|Bitmap Index Scan)( using (\S+))? on (\S+)"
)


def scoped_models():
    from django.apps import apps

    from redengine.core.scoping import ScopedQuerySet

    return [
        model
        for model in apps.get_models()
        if isinstance(model._default_manager.get_queryset(), ScopedQuerySet) and not model._meta.proxy
    ]


def explain(queryset, count):
    from django.db import connection

    sql, params = (
        queryset.query.chain().get_compiler(queryset.db).as_sql()
        if not count
        else queryset.order_by().values("pk").query.get_compiler(queryset.db).as_sql()
    )
    if count:
        sql = f"SELECT COUNT(*) FROM ({sql}) counted"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return [row[0] for row in cursor.fetchall()]


def summary(plan):
    scans = []
    for line in plan:
        found = SCAN.search(line)
        if found:
            kind, _, index, table = found.groups()
            rows = re.search(r"actual time=\S+ rows=(\d+) loops=(\d+)", line)
            scans.append(
                f"{kind} {table}{f' ({index})' if index else ''}"
                + (f" {int(rows.group(1)) * int(rows.group(2)):,} rows" if rows else "")
            )
    time = next((line.split(":")[1].strip() for line in plan if line.startswith("Execution Time")), "")
    return ("; ".join(scans) + f" — {time}") if scans else plan[0]


def worker(args):
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
    import django

    django.setup()
    from django.core.exceptions import EmptyResultSet
    from django.core.management import call_command
    from django.db import connection

    from bench import generate
    from redengine.accounts.models import User

    call_command("migrate", verbosity=0)
    loaded = generate.generate(scale=args.scale)
    with connection.cursor() as cursor:
        cursor.execute("SELECT datcollate, daticulocale FROM pg_database WHERE datname = current_database()")
        collate, icu = cursor.fetchone()
    counts = ", ".join(f"{n:,} {what}" for what, n in loaded["counts"].items())
    print(f"# scale {args.scale:g}: {counts}; collation {icu or collate}\n")
    users = {u.username: u for u in User.objects.filter(username__in=["bench_district", "bench_city"])}
    for model in scoped_models():
        for username in ("bench_district", "bench_city"):
            queryset = model._default_manager.visible_to(users[username])
            page = queryset.order_by(*(model._meta.ordering or ["pk"]))[:50]
            for what, query, count in (("count", queryset, True), ("page 1", page, False)):
                try:
                    plan = explain(query, count)
                except EmptyResultSet:
                    plan = ["(no query: the account's roles give it none of these)"]
                title = f"{model._meta.label} · {username} · {what}"
                if args.summary:
                    print(f"- {title}: {summary(plan)}")
                else:
                    print(f"## {title}\n\n" + "\n".join(plan) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--collation", choices=list(COLLATIONS), default="c")
    parser.add_argument("--summary", action="store_true", help="one line per plan")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    from scripts.with_postgres import postgres

    with postgres() as server:
        name = f"explain_{args.collation}"
        server.run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(server.port),
            "-U",
            "redengine",
            "-d",
            "redengine",
            "-c",
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' {COLLATIONS[args.collation]}",
        )
        url = server.url.rsplit("/", 1)[0] + f"/{name}"
        command = [sys.executable, __file__, "--worker", "--scale", str(args.scale)]
        command += ["--summary"] if args.summary else []
        raise SystemExit(
            subprocess.run(command, cwd=ROOT, env={**os.environ, "DATABASE_URL": url}).returncode
        )


if __name__ == "__main__":
    main()
