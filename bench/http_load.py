#!/usr/bin/env python3
"""HTTP benchmark of the read path: the main pages and API answers, served by gunicorn as in production.

    .venv/bin/python bench/http_load.py                          # PostgreSQL (a throwaway server), the demo city
    .venv/bin/python bench/http_load.py --size small --seconds 2 # a quick run on the handmade example tree
    .venv/bin/python bench/http_load.py --db sqlite              # SQLite (var/bench-http.sqlite3, kept)
    .venv/bin/python bench/http_load.py --db sqlite --skip-seed --pages minimal people person

The database is migrated and loaded with the demo data set (``seed_demo --size city``: about 1,000 schools
and 30,000 staff, about 3 minutes on PostgreSQL; ``--size small`` for the handmade tree only), then
``ANALYZE``. ``--skip-seed`` uses the data already there. On PostgreSQL the script re-runs itself under
``scripts/with_postgres.py`` unless ``DATABASE_URL`` already names a PostgreSQL database.

The server: gunicorn with ``--workers`` (2) sync workers on 127.0.0.1, in production mode
(``REDENGINE_ENV=production``: DEBUG off, database connections kept for 60 s, JSON-only API, HTTPS
cookies and redirects — the clients send ``X-Forwarded-Proto: https`` as the reverse proxy does) with
the settings of ``bench/settings.py``, which add ``/bench/minimal/`` (``bench/urls.py``: the same
middleware, one indexed query, a tiny template) and serve static files from the apps' folders. The
per-account rate limit of the personal-data API (120 a minute) is lifted (``API_PERSONAL_READ_RATES``),
or every client past the first two seconds would be refused.

The clients: ``--clients`` (16) threads, each with a session of its own of ``furong_admin`` (芙蓉区's
district administrator), made as the login view makes it (``SessionStore``: the account, its password
hash, the login and activity times); split over ``--processes`` forked processes if one process's threads
were the bottleneck (they are not: the clients use 1 to 3% of the machine). For each page: ``--warmup``
(1) seconds of requests not counted, then ``--seconds`` (5) counted: requests a second, latency
percentiles (as the client sees them: with 16 clients and 2 workers, mostly waiting for a worker), errors
(an answer other than 200, the login page, a refused connection), the mean size of an answer, and the
page's share of the minimal page's requests a second. Beside them, the CPU time of the clients, of
gunicorn, of PostgreSQL (when it runs on this machine) and of everything else, as shares of all the
machine's cores during the counted seconds, and the load average: on a shared machine the figures are
worth what the machine gave. ``--repeat`` rounds over the pages (the minimal page first in each round
and once more at the end) keep each page's best run; errors are counted over all runs.

It prints a table, then one JSON line (the last line) for a runner; ``run(...)`` returns the rows.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The project's root on sys.path, for ``bench.*`` and ``redengine.*``; this folder off it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import http.client  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

USERNAME = "furong_admin"
SCOPE = "CS430102"  # 芙蓉区, furong_admin's scope
SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'bench-http.sqlite3'}"
HTML, JSON = "text/html,application/xhtml+xml", "application/json"
# name: (path, accepted type, label); "{person}" is a person of the scope, found in the database.
PAGES = {
    "minimal": ("/bench/minimal/", HTML, "minimal Django view"),
    "organizations": ("/orgs/organizations/", HTML, "organizations list"),
    "cases": ("/development/cases/", HTML, "development cases"),
    "person": ("/people/people/{person}/", HTML, "person detail"),
    "calendar": ("/development/due/", HTML, "development calendar"),
    "schools": ("/orgs/schools/", HTML, "schools list"),
    "people": ("/people/people/", HTML, "people list"),
    "dashboard": ("/", HTML, "dashboard"),
    "people-api": ("/api/people/people/", JSON, "people API"),
    "metrics-api": (f"/api/metrics/?scope={SCOPE}&year=2019", JSON, "metrics API"),
}
LOGIN_PAGE = b'name="password"'  # the login form's field: an answer of 200 showing it is an error
TICK = os.sysconf("SC_CLK_TCK")


# The database: migrated, loaded, a session per client -------------------------------------------------
def setup_django(database_url):
    """Django in this process, in development mode (the demo data set refuses production mode)."""
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ["DATABASE_URL"] = database_url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
        os.environ["DEBUG"] = "0"  # no query log
        django.setup()
    from django.db import connection

    return connection


def load(size, scale, log):
    """Migrate, load the demo data set (and the generated city with ``size="city"``), gather statistics."""
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    out = io.StringIO()
    options = {"size": size} if scale is None else {"size": size, "scale": scale}
    call_command("seed_demo", stdout=out, **options)
    said = [line for line in out.getvalue().splitlines() if line.startswith(("Generated", "The generated"))]
    log(f"seed_demo --size {size} in {time.perf_counter() - started:.1f} s{': ' + said[0] if said else ''}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def sessions(count):
    """``count`` sessions of furong_admin as the login view leaves them (and the person to show)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from redengine.accounts.middleware import LAST_ACTIVITY, LOGIN_TIME
    from redengine.accounts.models import User
    from redengine.people.models import Membership, Person

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        raise SystemExit(f"no account {USERNAME} in the database: load the demo data (without --skip-seed)")
    visible = Person.objects.visible_to(user)
    person = (
        Membership.objects.filter(person__in=visible).order_by("person_id").values_list("person_id").first()
        or visible.order_by("pk").values_list("pk").first()
    )
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for _ in range(count):
        session = store()
        now = int(time.time())
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[LOGIN_TIME] = session[LAST_ACTIVITY] = now
        if device is not None:
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        keys.append(session.session_key)
    return keys, person[0] if person else None


def database_name(connection):
    """The database and what it holds, e.g. "PostgreSQL 15.18, 1,000 schools, 30,012 people"."""
    from redengine.orgs.models import School
    from redengine.people.models import Person

    held = f"{School.objects.count():,} schools, {Person.objects.count():,} people"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}, {held}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}, {held}"


# The server ------------------------------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the project (bench/settings.py) in production mode on a free loopback port."""

    def __init__(self, database_url, workers, log):
        self.database_url, self.workers, self.log = database_url, workers, log
        self.port = free_port()
        self.process = None
        self.database_pid = postmaster(database_url)
        handle, self.errors = tempfile.mkstemp(prefix="redengine-gunicorn-", suffix=".log")
        os.close(handle)

    def environment(self):
        from django.conf import settings

        env = dict(os.environ)
        env.pop("DEBUG", None)
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            REDENGINE_ENV="production",
            DATABASE_URL=self.database_url,
            DATABASE_CONN_MAX_AGE="60",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            # The keys the data were written with (and the sessions signed with): this process's.
            SECRET_KEY=settings.SECRET_KEY,
            AUDIT_KEY=settings.AUDIT_KEY,
            PERSONAL_DATA_KEY=settings.PERSONAL_DATA_KEY,
            BLIND_INDEX_KEY=settings.BLIND_INDEX_KEY,
            API_PERSONAL_READ_RATES="default=100000/s",
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        return env

    def __enter__(self):
        command = [sys.executable, "-m", "gunicorn", "redengine.wsgi:application"]
        command += ["--workers", str(self.workers), "--worker-class", "sync"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--chdir", str(ROOT), "--timeout", "60"]
        command += ["--graceful-timeout", "5", "--log-level", "warning", "--error-logfile", self.errors]
        with open(self.errors, "ab") as log:  # the workers' own output too (Django's log: tracebacks)
            self.process = subprocess.Popen(
                command, env=self.environment(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}):\n{self.error_log()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            self.__exit__(None, None, None)
            raise SystemExit(f"gunicorn did not answer within 60 s:\n{self.error_log()}")
        self.log(f"gunicorn: {self.workers} sync workers on 127.0.0.1:{self.port}, pid {self.process.pid}")
        return self

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        os.unlink(self.errors)

    def error_log(self, tail=3000):
        with open(self.errors, errors="replace") as f:
            return f.read()[-tail:]

    def cpu(self):
        """CPU seconds used so far by gunicorn's master and its workers."""
        return tree_cpu(self.process.pid)

    def database_cpu(self):
        """CPU seconds used so far by the PostgreSQL server on this machine, else None."""
        return None if self.database_pid is None else tree_cpu(self.database_pid)


def stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()  # from the state on: ppid is [1], utime [11]
    except OSError:
        return None


def tree_cpu(pid):
    """CPU seconds of a process, of its children gone (waited for) and of its children running."""
    own = stat(pid)
    if own is None:
        return 0.0
    ticks = sum(int(v) for v in own[11:15])  # utime, stime, cutime, cstime
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := stat(entry)) is not None and int(fields[1]) == pid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / TICK


def postmaster(database_url):
    """The pid of the PostgreSQL server of ``database_url`` when it runs on this machine, else None."""
    from urllib.parse import urlsplit

    address = urlsplit(database_url)
    if not is_postgres(database_url) or address.hostname not in (None, "", "127.0.0.1", "localhost"):
        return None
    port = str(address.port or 5432)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if os.path.basename(argv[0]) != "postgres":
            continue
        given = next((argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "-p"), None)
        if given == port or (given is None and port == "5432"):
            return int(entry)
    return None


def machine_cpu():
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])  # user … steal (guest time is inside user)
    return (total - idle) / TICK, total / TICK


# The clients -----------------------------------------------------------------------------------------
def client(port, path, accept, cookie, counted_from, until, out):
    """Request ``path`` again and again until ``until``; keep what started after ``counted_from``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {
        "Cookie": f"sessionid={cookie}",
        "Accept": accept,
        "X-Forwarded-Proto": "https",  # as the TLS-terminating proxy says
    }
    latencies, errors, first, last, size = [], Counter(), None, None, 0
    while True:
        started = time.perf_counter()
        if started >= until:
            break
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            status = response.status
            kind = None if status == 200 else str(status)
            length = len(body)
            if kind is None and LOGIN_PAGE in body:
                kind = "login page"
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            kind, length = type(exc).__name__, 0
        ended = time.perf_counter()
        if started < counted_from:
            continue
        first = started if first is None else first
        last = ended
        latencies.append(ended - started)
        size += length
        if kind:
            errors[kind] += 1
    connection.close()
    out.append({"latencies": latencies, "errors": errors, "first": first, "last": last, "bytes": size})


def threads_run(port, path, accept, cookies, counted_from, until):
    """The clients of one process: a thread each; results and this process's CPU during the counted part."""
    results, threads = [], []
    for cookie in cookies:
        thread = threading.Thread(
            target=client, args=(port, path, accept, cookie, counted_from, until, results), daemon=True
        )
        thread.start()
        threads.append(thread)
    time.sleep(max(0.0, counted_from - time.perf_counter()))
    cpu_from = time.process_time()
    for thread in threads:
        thread.join(until - time.perf_counter() + 90)
    return results, time.process_time() - cpu_from


def _forked(connection, *args):
    try:
        connection.send(threads_run(*args))
    finally:
        connection.close()


def measure(server, path, accept, cookies, processes, warmup, seconds):
    """One page: warm-up, then ``seconds`` counted; returns the figures."""
    start = time.perf_counter()
    counted_from, until = start + warmup + 0.2, start + warmup + 0.2 + seconds
    runs, holder = [], {}

    def sample():
        time.sleep(max(0.0, counted_from - time.perf_counter()))
        holder.update(server=server.cpu(), database=server.database_cpu(), machine=machine_cpu())

    if processes <= 1:
        sampler = threading.Thread(target=sample)
        sampler.start()
        results, client_cpu = threads_run(server.port, path, accept, cookies, counted_from, until)
        sampler.join()
    else:
        context = multiprocessing.get_context("fork")
        shares = [cookies[i::processes] for i in range(processes)]
        for share in shares:
            parent, child = context.Pipe(duplex=False)
            process = context.Process(
                target=_forked,
                args=(child, server.port, path, accept, share, counted_from, until),
                daemon=True,
            )
            process.start()
            child.close()
            runs.append((process, parent))
        sample()
        results, client_cpu = [], 0.0
        for process, parent in runs:
            got, cpu = parent.recv()
            results += got
            client_cpu += cpu
            process.join()
    server_cpu = server.cpu() - holder["server"]
    database_cpu = None if holder["database"] is None else server.database_cpu() - holder["database"]
    busy_now, total_now = machine_cpu()
    busy, total = busy_now - holder["machine"][0], total_now - holder["machine"][1]
    latencies = sorted(x for r in results for x in r["latencies"])
    errors = sum((r["errors"] for r in results), Counter())
    firsts = [r["first"] for r in results if r["first"] is not None]
    lasts = [r["last"] for r in results if r["last"] is not None]
    elapsed = (max(lasts) - min(firsts)) if firsts else seconds

    def percentile(q):
        if not latencies:
            return None
        return round(latencies[max(0, math.ceil(q * len(latencies)) - 1)] * 1000, 1)

    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": percentile(0.50),
        "p90_ms": percentile(0.90),
        "p99_ms": percentile(0.99),
        "errors": sum(errors.values()),
        "kib": round(sum(r["bytes"] for r in results) / len(latencies) / 1024, 1) if latencies else 0.0,
        "error_kinds": dict(errors),
        "seconds": round(elapsed, 2),
        # shares of the machine's CPU (all cores) during the counted seconds
        "cpu_client": round(client_cpu / total, 3) if total else None,
        "cpu_server": round(server_cpu / total, 3) if total else None,
        "cpu_database": round(database_cpu / total, 3) if total and database_cpu is not None else None,
        "cpu_rest": round(max(0.0, busy - client_cpu - server_cpu - (database_cpu or 0)) / total, 3)
        if total
        else None,
        "load": round(os.getloadavg()[0], 2),  # the machine's load average (1 minute) after the run
    }


# The benchmark ---------------------------------------------------------------------------------------
def run(
    *,
    seconds=5.0,
    clients=16,
    pages=None,
    processes=1,
    warmup=1.0,
    size="city",
    scale=None,
    skip_seed=False,
    workers=2,
    repeat=1,
    database_url=None,
    log=print,
):
    """Load the database (unless ``skip_seed``), start gunicorn, measure each page ``repeat`` times (the
    minimal page once more at the end); one row per page, the minimal page's first, each with its best
    run (and every run's req/s in ``runs_rps``). ``database_url`` defaults to ``DATABASE_URL``, else
    var/bench-http.sqlite3."""
    database_url = database_url or os.environ.get("DATABASE_URL") or SQLITE_URL
    if database_url == SQLITE_URL:
        (ROOT / "var").mkdir(exist_ok=True)
    names = [name for name in (pages or PAGES) if name != "minimal"]
    unknown = [name for name in names if name not in PAGES]
    if unknown:
        raise ValueError(f"unknown pages {unknown}: choose among {list(PAGES)}")
    connection = setup_django(database_url)
    if not skip_seed:
        load(size, scale, log)
    cookies, person = sessions(clients)
    database = database_name(connection)
    from django.db import connections

    connections.close_all()  # nothing of this process's stays open beside the server (nor is forked)
    targets = {}
    for name in ["minimal", *names]:
        path, accept, label = PAGES[name]
        if "{person}" in path:
            if person is None:
                raise SystemExit(f"no person in {USERNAME}'s scope")
            path = path.format(person=person)
        targets[name] = (path, accept, label)
    runs = {name: [] for name in targets}
    order = [*targets] * repeat + ["minimal"]  # rounds over the pages; the minimal page once more at the end
    with Server(database_url, workers, log) as server:
        for number, name in enumerate(order):
            path, accept, _label = targets[name]
            figures = measure(server, path, accept, cookies, processes, warmup, seconds)
            runs[name].append(figures)
            log(
                f"  {min(number // len(targets) + 1, repeat)}/{repeat} {name:<14} {figures['rps']:>7.1f} req/s  "
                f"p50 {figures['p50_ms']} ms  errors {figures['errors']}  load {figures['load']}"
            )
        if server.process.poll() is not None:
            log(f"gunicorn stopped during the run:\n{server.error_log()}")
        elif any(f["errors"] for measured in runs.values() for f in measured):
            lines = server.error_log(200_000).splitlines()
            said = Counter(line.partition(" ERROR ")[2] for line in lines if " ERROR " in line)
            log("gunicorn's log: " + "; ".join(f"{text} (×{n})" for text, n in said.most_common(4)))
    rows = []
    for name, (path, _accept, label) in targets.items():
        best = max(runs[name], key=lambda figures: figures["rps"])
        kinds = sum((Counter(figures["error_kinds"]) for figures in runs[name]), Counter())
        rows.append(
            {
                "page": name,
                "label": label,
                "path": path,
                **best,
                "errors": sum(kinds.values()),  # over every run of the page, not only the best
                "error_kinds": dict(kinds),
                "runs_rps": [figures["rps"] for figures in runs[name]],
                "database": database,
            }
        )
    minimal = rows[0]["rps"]
    for row in rows:
        row["share"] = round(row["rps"] / minimal, 3) if minimal else None
    return rows


def table(rows):
    def pct(value):
        return "—" if value is None else f"{value * 100:.0f}%"

    def ms(value):
        return "—" if value is None else f"{value:.1f}"

    lines = [
        f"{'page':<22} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'errors':>6} {'share':>6} "
        f"{'KiB':>6}   {'client':>6} {'server':>6} {'db':>5} {'rest':>5} {'load':>5}"
    ]
    for row in rows:
        errors = str(row["errors"])
        if row["errors"]:
            errors += " (" + ", ".join(f"{k} ×{v}" for k, v in sorted(row["error_kinds"].items())) + ")"
        lines.append(
            f"{row['label']:<22} {row['rps']:>7.1f} {ms(row['p50_ms']):>7} {ms(row['p90_ms']):>7} "
            f"{ms(row['p99_ms']):>7} {errors:>6} {pct(row['share']):>6} {row['kib']:>6.1f}   "
            f"{pct(row['cpu_client']):>6} {pct(row['cpu_server']):>6} {pct(row['cpu_database']):>5} "
            f"{pct(row['cpu_rest']):>5} "
            f"{row['load']:>5.2f}"
        )
    return "\n".join(lines)


def is_postgres(url):
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--size", choices=["small", "city"], default="city", help="seed_demo --size")
    parser.add_argument("--scale", type=float, help="seed_demo --scale (of the generated city)")
    parser.add_argument("--skip-seed", action="store_true", help="the database is loaded already")
    parser.add_argument("--seconds", type=float, default=5.0, help="counted seconds per page")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds per page before counting")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument(
        "--processes", type=int, default=1, help="client processes the clients are split over"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), help="pages (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds over the pages; the best run is shown")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if args.db == "postgres" and not is_postgres(url):
        command = [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), sys.executable, __file__]
        command += sys.argv[1:] if argv is None else argv
        raise SystemExit(subprocess.run(command, cwd=ROOT).returncode)
    if args.db == "sqlite" and is_postgres(url):
        url = ""
    if args.db == "sqlite" and not url.startswith("sqlite:"):
        url = SQLITE_URL
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()} · {args.clients} clients in {args.processes} process(es), "
        f"{args.workers} gunicorn workers · {args.warmup:g} s warm-up + {args.seconds:g} s per page",
        flush=True,
    )
    rows = run(
        seconds=args.seconds,
        clients=args.clients,
        pages=args.pages,
        processes=args.processes,
        warmup=args.warmup,
        size=args.size,
        scale=args.scale,
        skip_seed=args.skip_seed,
        workers=args.workers,
        repeat=args.repeat,
        database_url=url,
        log=lambda line: print(line, flush=True),
    )
    print(
        f"\n{rows[0]['database']}. Each page's best of {args.repeat} run(s), the minimal page's of"
        f" {args.repeat + 1};\nerrors: over all runs; share: of the minimal page's req/s; KiB: a response's"
        " mean size;\nclient, server, db, rest: CPU time of the clients, of gunicorn, of PostgreSQL (when it"
        " runs here)\nand of everything else on the machine, as shares of all its cores during the counted"
        " seconds;\nload: the load average after the page.\n"
    )
    print(table(rows))
    summary = {
        "bench": "http",
        "database": rows[0]["database"],
        "size": args.size,
        "clients": args.clients,
        "processes": args.processes,
        "workers": args.workers,
        "seconds": args.seconds,
        "repeat": args.repeat,
        "rows": rows,
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
