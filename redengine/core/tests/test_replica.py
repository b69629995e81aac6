"""The optional read replica (core/dbrouting.py) against a real PostgreSQL primary and its hot standby.

The test starts both (``scripts/with_postgres.py``: a primary with ``wal_level=replica`` and a replication
line in ``pg_hba.conf``, a standby made with ``pg_basebackup -R`` on another loopback port), checks that
the standby itself refuses writes, migrates and seeds the primary, and runs ``replica_checks`` in a
process of its own with ``DATABASE_URL`` and ``DATABASE_REPLICA_URL`` set: routing (reads inside
``from_replica`` on the replica, writes and everything else on the primary, a session that has just
written on the primary), replication (a write on the primary shows on the standby), the dashboard, the
metrics API and an export through the test client, and a replica that does not answer.

It runs once in ``make test`` (the SQLite pass: marker ``replica``, left out of the PostgreSQL pass, which
would only run it again). Without PostgreSQL's binaries it is skipped, which strict mode (CI) fails. The
suite itself runs without a replica: the last test says what that leaves.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[3]


def with_postgres():
    spec = importlib.util.spec_from_file_location("with_postgres", ROOT / "scripts" / "with_postgres.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDENGINE_"))}
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "REDENGINE_ENV": "test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.replica
def test_reads_go_to_a_hot_standby_and_writes_to_the_primary():
    pg = with_postgres()
    bindir = pg.find_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries found (install Debian's postgresql package)")
    with pg.postgres(bindir, replication=True) as primary, pg.standby(primary) as standby:
        # The standby itself (no setting of ours) is in recovery and refuses writes.
        with psycopg.connect(standby.url, autocommit=True) as direct:
            assert direct.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                direct.execute("CREATE TABLE refused (id integer)")
        with psycopg.connect(primary.url, autocommit=True) as direct:
            senders = direct.execute("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
            assert senders.fetchone() == (1,)

        urls = {"DATABASE_URL": primary.url, "DATABASE_REPLICA_URL": standby.url}
        run(["manage.py", "migrate", "--noinput", "--skip-checks", "-v", "0"], **urls)
        run(["manage.py", "seed_demo", "--skip-checks", "-v", "0"], **urls)
        checks = run(["-m", "redengine.core.tests.replica_checks"], **urls)
        assert checks.stdout.endswith("all checks passed\n"), checks.stdout
        print(checks.stdout)

        nowhere = f"postgres://redengine@127.0.0.1:{pg.free_port()}/redengine?connect_timeout=2"
        fallback = run(
            ["-m", "redengine.core.tests.replica_checks", "unreachable"],
            DATABASE_URL=primary.url,
            DATABASE_REPLICA_URL=nowhere,
        )
        assert fallback.stdout.endswith("all checks passed\n"), fallback.stdout
        assert "the read replica cannot be reached" in fallback.stderr
        assert fallback.stderr.count("cannot be reached") == 1, fallback.stderr  # once, then left alone


@pytest.mark.django_db
def test_without_a_replica_every_query_goes_to_the_primary(client_for):
    from django.db import router

    from redengine.core.dbrouting import SESSION_KEY, from_replica
    from redengine.orgs.models import School

    with from_replica():
        assert router.db_for_read(School) == "default"
        assert router.db_for_write(School) == "default"
    assert router.allow_migrate("default", "orgs")
    client = client_for("city_admin")
    school = School.objects.order_by("code").first()
    changed = client.patch(
        f"/api/orgs/schools/{school.pk}/", {"name": school.name + "（改）"}, content_type="application/json"
    )
    assert changed.status_code == 200, changed.content
    assert client.get("/").status_code == 200
    assert SESSION_KEY not in client.session  # no replica: nothing kept in the session
