"""The read replica's checks, run by ``test_replica.py`` in a process of their own against a PostgreSQL primary
(``DATABASE_URL``, migrated and seeded) and its hot standby (``DATABASE_REPLICA_URL``):

    python -m redengine.core.tests.replica_checks            # the routing, replication, pages and API
    python -m redengine.core.tests.replica_checks unreachable   # a replica that does not answer

Every check counts the queries each connection ran (``CaptureQueriesContext``). Prints one line per check;
exits non-zero (with the traceback) on the first that fails.
"""

import logging
import os
import sys
import time

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import DatabaseError, connections, router, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from redengine.accounts.models import User  # noqa: E402
from redengine.core import dbrouting  # noqa: E402
from redengine.core.audit import log_access  # noqa: E402
from redengine.core.dbrouting import from_replica  # noqa: E402
from redengine.core.models import AccessEvent  # noqa: E402
from redengine.core.writes import SYSTEM, writing  # noqa: E402
from redengine.orgs.models import PartyOrganization, School  # noqa: E402
from redengine.testing import login_client  # noqa: E402

TIMEOUT = 15  # seconds the standby may take to show a write


class Queries:
    """The queries run on the primary and on the replica inside a ``with Queries() as q:`` block."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections["replica"]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    def naming(self, text):
        """(queries on the primary, queries on the replica) whose SQL holds ``text`` (a table, INSERT)."""
        return tuple(
            sum(text in q["sql"] for q in side.captured_queries) for side in (self.primary, self.replica)
        )

    def __str__(self):
        return "\n".join(
            f"{name}: {q['sql']}"
            for name, side in (("primary", self.primary), ("replica", self.replica))
            for q in side.captured_queries
        )


def on_replica(check):
    """Wait (at most TIMEOUT seconds) until ``check()`` holds; the moment it did."""
    deadline = time.monotonic() + TIMEOUT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"the standby did not show the write within {TIMEOUT} s")
        time.sleep(0.05)
    return time.monotonic()


def ok(text):
    print(f"ok: {text}", flush=True)


def check_routing():
    on_replica(lambda: User.objects.using("replica").filter(username="city_admin").exists())  # the seed
    replica = settings.DATABASES["replica"]
    assert replica["TEST"]["MIRROR"] == "default"
    assert replica["CONN_HEALTH_CHECKS"]
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    assert router.allow_migrate("default", "orgs")
    assert not router.allow_migrate("replica", "orgs")

    with Queries() as q:
        outside = School.objects.count()
    assert q.naming("orgs_school") == (1, 0), q
    ok("a read outside from_replica goes to the primary")

    with from_replica(), Queries() as q:
        assert School.objects.count() == outside
        assert list(PartyOrganization.objects.filter(depth=1).values_list("code", flat=True)) == ["CS0001"]
    assert q.naming("SELECT") == (0, 2), q
    ok("reads inside from_replica go to the replica")

    with from_replica(), Queries() as q:
        event = log_access(AccessEvent.Kind.EXPORT, username="replica-check", detail="routing")
        School.objects.count()  # a write outside a transaction is committed: the replica is read on
    assert q.naming("INSERT") == (1, 0), q
    assert q.naming("orgs_school") == (0, 1), q
    ok("a write inside from_replica goes to the primary")

    started = time.monotonic()
    seen = on_replica(lambda: AccessEvent.objects.using("replica").filter(pk=event.pk).exists())
    ok(f"the standby shows the primary's write after {seen - started:.3f} s")

    with from_replica(), Queries() as q:
        with transaction.atomic():
            log_access(AccessEvent.Kind.EXPORT, username="replica-check", detail="in a transaction")
            School.objects.count()
        School.objects.count()  # the transaction is over
    assert q.naming("orgs_school") == (1, 1), q
    with transaction.atomic():
        log_access(AccessEvent.Kind.EXPORT, username="replica-check", detail="before the block")
        with from_replica(), Queries() as q:
            School.objects.count()
    assert q.naming("orgs_school") == (1, 0), q
    ok("inside a transaction that has written, reads go to the primary")

    with from_replica(after=AccessEvent(pk=10**15)), Queries() as q:
        School.objects.count()
    assert q.naming("orgs_school") == (1, 0), q
    with from_replica(after=event), Queries() as q:
        School.objects.count()
    assert q.naming("orgs_school") == (0, 1), q
    ok("from_replica(after=row) reads the primary until the replica holds the row")

    with pytest.raises(DatabaseError, match="read-only"), connections["replica"].cursor() as cursor:
        cursor.execute("DELETE FROM core_notification")
    ok("the replica connection refuses a write")


def check_pages():
    client = login_client(Client(), User.objects.get(username="city_admin"))
    with Queries() as q:
        assert client.get("/").status_code == 200
    assert q.naming("orgs_school")[0] == 0, q
    assert q.naming("orgs_school")[1] > 0, q
    assert q.naming("accounts_roleassignment") == (1, 0), q  # roles and scope from the primary
    assert q.naming("django_session")[1] == 0, q
    ok(
        f"the dashboard reads its figures on the replica ({len(q.replica)} queries, {len(q.primary)} on the primary)"
    )

    with Queries() as q:
        metrics = client.get("/api/metrics/", {"scope": "CS0001", "year": "2019"})
    assert metrics.status_code == 200, metrics.content
    assert "orgs.coverage" in metrics.json()
    assert q.naming("orgs_school")[0] == 0, q
    assert q.naming("orgs_school")[1] > 0, q
    ok(f"the metrics API reads on the replica ({len(q.replica)} queries, {len(q.primary)} on the primary)")

    # The session writes through the write path: for REPLICA_AFTER_WRITE_SECONDS it reads the primary.
    school = School.objects.order_by("code").first()
    renamed = school.name + "（副本检查）"
    changed = client.patch(
        f"/api/orgs/schools/{school.pk}/", {"name": renamed}, content_type="application/json"
    )
    assert changed.status_code == 200, changed.content
    assert dbrouting.SESSION_KEY in client.session
    with Queries() as q:
        assert client.get("/").status_code == 200
        assert client.get("/orgs/schools/", {"export": "xlsx", "q": school.code}).status_code == 200
    assert len(q.replica.captured_queries) == 0, q
    ok("a session that has just written reads the dashboard and its export from the primary")

    session = client.session
    session[dbrouting.SESSION_KEY] -= settings.REPLICA_AFTER_WRITE_SECONDS + 1
    session.save()
    on_replica(lambda: School.objects.using("replica").filter(pk=school.pk, name=renamed).exists())
    with Queries() as q:
        assert client.get("/").status_code == 200
    assert q.naming("orgs_school")[0] == 0, q
    with Queries() as q:
        exported = client.get("/orgs/schools/", {"export": "xlsx", "q": school.code})
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats"), exported
    assert q.naming("orgs_school")[1] == 1, q  # the rows (the count and the filters' choices on the primary)
    assert q.naming('INSERT INTO "core_accessevent"') == (1, 0), q  # the export's log
    ok(f"{settings.REPLICA_AFTER_WRITE_SECONDS} s after its write the session reads the replica again")

    other = login_client(Client(), User.objects.get(username="furong_admin"))
    with Queries() as q:
        assert other.get("/").status_code == 200
    assert q.naming("orgs_school")[1] > 0, q
    ok("another session is not held to the primary by someone else's write")

    with writing(SYSTEM):
        pass
    with from_replica(), Queries() as q:
        School.objects.count()
    assert q.naming("orgs_school") == (1, 0), q
    ok("a command that wrote through the write path reads from the primary afterwards")


def check_unreachable():
    """DATABASE_REPLICA_URL names a port where nothing listens: the reads stay on the primary."""
    with CaptureQueriesContext(connections["default"]) as primary:
        with from_replica():
            assert School.objects.count() > 0
        client = login_client(Client(), User.objects.get(username="city_admin"))
        assert client.get("/").status_code == 200
        assert client.get("/api/metrics/", {"scope": "CS0001"}).status_code == 200
    assert sum("orgs_school" in q["sql"] for q in primary.captured_queries) > 2
    ok("an unreachable replica leaves the reads on the primary")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    setup_test_environment()  # the test client's answers keep their context; e-mail stays in memory
    if sys.argv[1:] == ["unreachable"]:
        check_unreachable()
    else:
        check_routing()
        check_pages()
    print("all checks passed", flush=True)
