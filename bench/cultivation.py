#!/usr/bin/env python3
"""Dual cultivation's read path (双培养) on the demo city: the six figures for the root and a district, and
the two watch lists — their first page and their count — for the city's administrator and a district's,
each beside hand-written SQL computing the same answer, checked equal before anything is timed.

    .venv/bin/python bench/cultivation.py                  # PostgreSQL (a throwaway server), the demo city
    .venv/bin/python bench/cultivation.py --db sqlite      # SQLite (var/bench-cultivation.sqlite3, kept)
    .venv/bin/python bench/cultivation.py --explain        # and the plan of every query of ours (PostgreSQL)
    make bench                                             # with every other suite, on both databases

**The data**: the demo data set with its generated city (``seed_demo --size city``: about 1,000 schools,
30,000 staff, their titles and memberships, 4,600 development cases; and dual cultivation from 2015 on,
``demo/cultivation.py``: about 4,000 mentorships with 14,000 reviews, 1,900 contests with 18,000 entries,
4,500 speaking records), loaded once (found again by its generated schools; ``--scale`` makes a smaller
city), then ``VACUUM (ANALYZE)`` (``ANALYZE`` on SQLite). On PostgreSQL the script re-runs itself under
``scripts/with_postgres.py`` unless ``DATABASE_URL`` already names a PostgreSQL database.

**The cases**, each ours beside its SQL (``bench/sql.py``'s helpers: ``LIKE 'prefix%'`` on PostgreSQL, a
range on SQLite):

- each of the six figures of dual cultivation through ``core.metrics.compute_all`` (what the overview and
  ``/api/metrics/`` compute) for the root (中共长沙市委教育工作委员会) and 岳麓区's bureau, for the current
  year: ``cultivation.backbone_developed``, the three ``cultivation.member_share.*``, ``cultivation.mentorships``
  and ``cultivation.apprentices_titled``, and the seven figures of pioneer units, the showcase and pairing on
  the same city (``demo/leading.py``: about 1,000 units with 3,500 yearly checks and 12,000 service logs, 320
  stories, 140 lessons, 320 pairs with 9,000 activities), and the three figures of branch star rating for last
  year (``demo/rating.py``: about 5,000 ratings of 680 branches since 2018), against ``bench/figures_sql.py``'s
  statements (the ones ``bench/figures.py`` checks on the province);
- the watch lists of ``cultivation/watch.py`` as their pages read them (``cultivation/views.py``: ordered by
  school code, pinyin and key, ``PAGE`` rows): ``backbone_watch`` (backbone and excellent teachers who are
  not members, with their title, open development case, training contact and political mentor) and
  ``member_watch`` (young members with their mentorships, contest entries, prizes, speaking, titles, the
  latest of these and whether any is recent; the mentorships those the user sees, by their school), as
  ``city_admin`` and ``yuelu_admin`` see them today: the first page, and the count. The SQL reads the
  page's keys first, then the columns of those rows only.

Each case's note gives the queries ours makes (``CaptureQueriesContext``, one run) against the baseline's
one statement. The last line printed is the JSON summary ``bench/run.py`` reads.
"""

import datetime
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if __name__ == "__main__":
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))

from bench.harness import Case  # noqa: E402
from bench.sql import prefix_params, run, under  # noqa: E402

PAGE = 25  # rows of a list's page (core/views.py ObjectListView.paginate_by)
ORDER = ("school__code", "name_key", "pk")  # the watch lists' order (cultivation/views.py PeopleListMixin)
FIGURES = [
    "cultivation.backbone_developed",
    "cultivation.member_share.backbone",
    "cultivation.member_share.principals",
    "cultivation.member_share.studio",
    "cultivation.mentorships",
    "cultivation.apprentices_titled",
    # party building leading education, on the same demo city (demo/leading.py)
    "pioneer.filed",
    "pioneer.certified",
    "pioneer.service_hours",
    "showcase.stories",
    "showcase.lessons",
    "pairing.pairs",
    "pairing.activities",
]
# branch star rating (demo/rating.py), for last year: the latest published ratings (this year's campaign runs)
LAST_YEAR_FIGURES = ["assessment.upgraded", "assessment.stars", "assessment.demonstration"]
ACCOUNTS = {"city": "city_admin", "district": "yuelu_admin"}  # the demo's accounts: the root, 岳麓区
SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'bench-cultivation.sqlite3'}"
BACKBONE = ("backbone_teacher", "excellent_teacher")
NEVER = datetime.date(1900, 1, 1)  # cultivation.watch.NEVER: "none yet"


# The data ------------------------------------------------------------------------------------------
def load(scale=None, log=print):
    """The demo data set and its generated city, written once; the planner's statistics; the rows counted."""
    from django.core.management import call_command
    from django.db import connection

    from redengine.cultivation.models import Contest, ContestEntry, Engagement, Mentorship, MentorshipReview
    from redengine.demo import city
    from redengine.people.models import Honor, Person

    if not city.exists():
        started = time.perf_counter()
        out = io.StringIO()
        options = {"size": "city"} if scale is None else {"size": "city", "scale": scale}
        call_command("seed_demo", stdout=out, **options)
        said = [line for line in out.getvalue().splitlines() if line.startswith("Generated")]
        log(
            f"  seed_demo --size city in {time.perf_counter() - started:.1f} s{': ' + said[0] if said else ''}"
        )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    log(f"  statistics in {time.perf_counter() - started:.1f} s")
    models = [Person, Honor, Mentorship, MentorshipReview, Contest, ContestEntry, Engagement]
    return {m.__name__: m.objects.count() for m in models}


# The baselines -------------------------------------------------------------------------------------
def as_date(value):
    """A date as the cursor gives it (SQLite: text)."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def scope_of(user):
    """The one subtree ``user`` sees people in (the account's role), and whether it is the root's."""
    from redengine.orgs.models import holds_root
    from redengine.people.models import Person

    prefixes = user.scope_prefixes(Person, "view")
    assert len(prefixes) == 1, f"{user.username}: one scope"
    return prefixes[0], holds_root(prefixes)


def placed(user, column):
    """The SQL condition and parameters of the rows ``user`` sees by their school (``visible_to``): the school
    in ``column`` placed in the subtree today; none for the root's (every school lies there)."""
    path, whole = scope_of(user)
    if whole:
        return "1 = 1", {}
    places = (
        f"SELECT sp.school_id FROM orgs_schoolplace sp WHERE {under('sp.path')} AND sp.valid_until IS NULL"
    )
    return f"{column} IN ({places})", prefix_params(path)


def people_in(user):
    """The people ``user`` sees (``Person.objects.visible_to``)."""
    return placed(user, "p.school_id")


HELD = "h.title IN (%(b0)s, %(b1)s) AND h.awarded_on <= %(day)s AND (h.lapsed_on IS NULL OR h.lapsed_on > %(day)s)"
MEMBER = (
    "SELECT 1 FROM people_membership m WHERE m.person_id = {person} AND m.admitted_on <= %(day)s"
    " AND (m.ended_on IS NULL OR m.ended_on >= %(day)s)"
)


def backbone_where(user):
    scope, params = people_in(user)
    where = f"""{scope}
        AND EXISTS (SELECT 1 FROM people_honor h WHERE h.person_id = p.id AND {HELD})
        AND NOT EXISTS ({MEMBER.format(person="p.id")})"""
    return where, params


def backbone_params(day):
    return {"day": day, "b0": BACKBONE[0], "b1": BACKBONE[1]}


def backbone_count_sql(user, day):
    where, params = backbone_where(user)
    return run(f"SELECT COUNT(*) FROM people_person p WHERE {where}", {**params, **backbone_params(day)})[0][
        0
    ]


def backbone_page_sql(user, day):
    """The first page by hand: the page's keys in the list's order, then each row's title, open case,
    training contact and political mentor."""
    where, params = backbone_where(user)
    seen, _same = placed(user, "ms.school_id")  # the mentorships the user sees (by their school)
    title = f"SELECT h.{{column}} FROM people_honor h WHERE h.person_id = page.id AND {HELD} ORDER BY h.awarded_on DESC"
    case = "SELECT c.{column} FROM development_developmentcase c WHERE c.person_id = page.id AND c.status = 'open'"
    sql = f"""
WITH page AS (
    SELECT p.id, s.code, p.name_key FROM people_person p JOIN orgs_school s ON s.id = p.school_id
    WHERE {where}
    ORDER BY s.code, p.name_key, p.id LIMIT {PAGE}
)
SELECT page.id,
    ({title.format(column="title")} LIMIT 1),
    ({title.format(column="level")} LIMIT 1),
    ({case.format(column="id")} ORDER BY c.id DESC LIMIT 1),
    ({case.format(column="stage")} ORDER BY c.id DESC LIMIT 1),
    (SELECT cp.name FROM development_casecontact cc
        JOIN development_developmentcase c ON c.id = cc.case_id JOIN people_person cp ON cp.id = cc.person_id
        WHERE c.person_id = page.id AND c.status = 'open' AND cc.role = 'contact' AND cc.ended_on IS NULL
        ORDER BY cc.assigned_on DESC, cc.id DESC LIMIT 1),
    EXISTS (SELECT 1 FROM cultivation_mentorship ms WHERE ms.apprentice_id = page.id AND ms.kind = 'political'
        AND ms.start_on <= %(day)s AND (ms.ended_on IS NULL OR ms.ended_on >= %(day)s) AND {seen})
FROM page ORDER BY page.code, page.name_key, page.id"""
    rows = run(sql, {**params, **backbone_params(day)})
    return [(*row[:6], bool(row[6])) for row in rows]


def member_params(day):
    from redengine.cultivation import ages, watch
    from redengine.people.models import add_years

    return {"day": day, "young": add_years(day, -ages.young_age(day)), "since": watch.quiet_since(day)}


def member_where(user):
    scope, params = people_in(user)
    return f"{scope} AND p.birth_date > %(young)s AND EXISTS ({MEMBER.format(person='p.id')})", params


def member_count_sql(user, day):
    where, params = member_where(user)
    return run(f"SELECT COUNT(*) FROM people_person p WHERE {where}", {**params, **member_params(day)})[0][0]


def member_page_sql(user, day):
    """The first page by hand: the page's keys, then each row's counts, latest days and recent activity."""
    where, params = member_where(user)
    seen, _same = placed(user, "ms.school_id")  # the mentorships the user sees (by their school)
    entry = "cultivation_contestentry e JOIN cultivation_contest c ON c.id = e.contest_id"
    sql = f"""
WITH page AS (
    SELECT p.id, s.code, p.name_key FROM people_person p JOIN orgs_school s ON s.id = p.school_id
    WHERE {where}
    ORDER BY s.code, p.name_key, p.id LIMIT {PAGE}
)
SELECT page.id,
    (SELECT COUNT(*) FROM cultivation_mentorship ms WHERE ms.apprentice_id = page.id AND {seen}),
    (SELECT COUNT(*) FROM cultivation_contestentry e WHERE e.person_id = page.id),
    (SELECT COUNT(*) FROM cultivation_contestentry e WHERE e.person_id = page.id AND e.prize <> 'none'),
    (SELECT COUNT(*) FROM cultivation_engagement g WHERE g.person_id = page.id AND g.date <= %(day)s),
    (SELECT COUNT(*) FROM people_honor h WHERE h.person_id = page.id AND h.awarded_on <= %(day)s),
    (SELECT MAX(ms.start_on) FROM cultivation_mentorship ms WHERE ms.apprentice_id = page.id AND {seen}),
    (SELECT MAX(c.held_on) FROM {entry} WHERE e.person_id = page.id),
    (SELECT MAX(g.date) FROM cultivation_engagement g WHERE g.person_id = page.id AND g.date <= %(day)s),
    (SELECT MAX(h.awarded_on) FROM people_honor h WHERE h.person_id = page.id AND h.awarded_on <= %(day)s),
    EXISTS (SELECT 1 FROM cultivation_mentorship ms WHERE ms.apprentice_id = page.id AND {seen}
            AND ms.start_on <= %(day)s AND (ms.ended_on IS NULL OR ms.ended_on >= %(since)s))
    OR EXISTS (SELECT 1 FROM {entry} WHERE e.person_id = page.id AND c.held_on BETWEEN %(since)s AND %(day)s)
    OR EXISTS (SELECT 1 FROM cultivation_engagement g WHERE g.person_id = page.id
            AND g.date BETWEEN %(since)s AND %(day)s)
    OR EXISTS (SELECT 1 FROM people_honor h WHERE h.person_id = page.id
            AND h.awarded_on BETWEEN %(since)s AND %(day)s)
FROM page ORDER BY page.code, page.name_key, page.id"""
    rows = run(sql, {**params, **member_params(day)})
    found = []
    for pk, *counts_and_days, active in rows:
        counts, days = counts_and_days[:5], [as_date(d) for d in counts_and_days[5:]]
        latest = max((d for d in days if d is not None), default=NEVER)
        found.append((pk, *counts, latest, bool(active)))
    return found


# Ours ----------------------------------------------------------------------------------------------
def backbone_page(user, day):
    from redengine.cultivation import watch

    rows = watch.backbone_watch(user, day).select_related("school").order_by(*ORDER)[:PAGE]
    return [
        (p.pk, p.title, p.title_level, p.case_pk, p.case_stage, p.contact_name, bool(p.mentored))
        for p in rows
    ]


def member_page(user, day):
    from redengine.cultivation import watch

    rows = watch.member_watch(user, day).select_related("school").order_by(*ORDER)[:PAGE]
    return [
        (
            p.pk,
            p.mentorship_count,
            p.entry_count,
            p.prize_count,
            p.speaking_count,
            p.title_count,
            p.last_cultivation,
            bool(p.active),
        )
        for p in rows
    ]


def backbone_count(user, day):
    from redengine.cultivation import watch

    return watch.backbone_watch(user, day).count()


def member_count(user, day):
    from redengine.cultivation import watch

    return watch.member_watch(user, day).count()


# The cases -----------------------------------------------------------------------------------------
def captured(function):
    """The statements one run of ``function`` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as capture:
        function()
    return [q["sql"] for q in capture.captured_queries]


def check_equal(ours, baseline):
    assert ours == baseline, f"ours {ours} ≠ SQL {baseline}"


def check_page(ours, baseline):
    assert ours, "an empty page measures nothing"
    check_equal(ours, baseline)


def cases(context=None):
    from django.utils import timezone

    from bench.figures_sql import Metrics
    from redengine.accounts.models import User
    from redengine.core.metrics import Period, compute_all
    from redengine.orgs.models import PartyOrganization

    today = timezone.localdate()
    period = Period.of(today.year)
    users = {role: User.objects.get(username=name) for role, name in ACCOUNTS.items()}
    scopes = {
        role: PartyOrganization.objects.filter(path=scope_of(user)[0]).get() for role, user in users.items()
    }
    found = []
    last_year = Period.of(today.year - 1)
    for role, scope in scopes.items():
        for name, period in [(n, period) for n in FIGURES] + [(n, last_year) for n in LAST_YEAR_FIGURES]:

            def ours(scope=scope, name=name, period=period):
                return compute_all(scope, period, [name])[name]

            def baseline(scope=scope, name=name, period=period):
                return Metrics(scope, period).all([name])[name]

            found.append(
                Case(
                    f"{name}, {role}, {period}",
                    ours=ours,
                    baseline=baseline,
                    check=check_equal,
                    note=f"{len(captured(ours))} queries; the SQL one statement ({scope.code})",
                )
            )
    lists = [
        ("backbone watch", backbone_page, backbone_page_sql, backbone_count, backbone_count_sql),
        ("member watch", member_page, member_page_sql, member_count, member_count_sql),
    ]
    for label, page, page_sql, count, count_sql in lists:
        for role, user in users.items():
            for what, ours, baseline, check in (
                (f"first page ({PAGE})", page, page_sql, check_page),
                ("count", count, count_sql, check_equal),
            ):

                def run_ours(ours=ours, user=user):
                    return ours(user, today)

                def run_baseline(baseline=baseline, user=user):
                    return baseline(user, today)

                found.append(
                    Case(
                        f"{label}, {what}, {role}",
                        ours=run_ours,
                        baseline=run_baseline,
                        check=check,
                        note=f"{len(captured(run_ours))} queries; the SQL one statement; as {user.username}",
                    )
                )
    return found


# Alone ---------------------------------------------------------------------------------------------
def explain(found):
    """``EXPLAIN (ANALYZE, BUFFERS)`` of every statement of ours (PostgreSQL), printed under the case's name."""
    from django.db import connection

    for case in found:
        for sql in captured(case.ours):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"\n### {case.name}\n\n{sql}\n\n{plan}", flush=True)


def is_postgres(url):
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--scale", type=float, help="seed_demo --scale (of the generated city; default 1)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each case; the median is shown")
    parser.add_argument("--explain", action="store_true", help="print the plan of every query of ours")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if args.db == "postgres" and not is_postgres(url):
        command = [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), sys.executable, __file__]
        command += sys.argv[1:] if argv is None else argv
        raise SystemExit(subprocess.run(command, cwd=ROOT).returncode)
    if args.db == "sqlite" and not url.startswith("sqlite:"):
        os.environ["DATABASE_URL"] = SQLITE_URL
        (ROOT / "var").mkdir(exist_ok=True)
    os.environ["DEBUG"] = "0"  # no query log
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import harness

    database = (
        f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
        if connection.vendor == "postgresql"
        else f"SQLite {connection.Database.sqlite_version}"
    )
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {database} · dual cultivation on the demo city", flush=True
    )
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  migrated in {time.perf_counter() - started:.1f} s", flush=True)
    counts = load(args.scale, log=lambda line: print(line, flush=True))
    print("  " + ", ".join(f"{n:,} {what}" for what, n in counts.items()), flush=True)
    found = cases()
    if args.explain:
        if connection.vendor != "postgresql":
            raise SystemExit("--explain prints PostgreSQL's plans")
        explain(found)
    results = []
    for case in found:
        result = harness.measure("cultivation", case, args.repeat)
        results.append(result)
        ratio = f"{result.ratio:.2f}×" if result.ratio else ""
        print(f"  {case.name:<60} {result.ours * 1000:>9.1f} ms  {ratio}", flush=True)
    print()
    print(harness.table(results))
    print("\n" + "\n".join(f"- {r.name}: {r.note}" for r in results if r.note))
    summary = {
        "bench": "cultivation",
        "database": database,
        "counts": counts,
        "results": [vars(r) for r in results],
    }
    if args.json:
        Path(args.json).write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
