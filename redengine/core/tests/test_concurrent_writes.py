"""Two requests at once, each a transaction that reads and then writes (a read of personal data writes
its access-log row): the second waits for the first instead of failing.

The finding (HTTP benchmark, SQLite, 2 workers): a fifth to more than half of the people list's, the
person's and the people API's answers were 503 "database is locked". SQLite began each request's
transaction as a reader; when the other worker committed a write meanwhile, the reader's snapshot was
stale and its own write failed at once, without waiting. Transactions now begin ``IMMEDIATE``.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from redengine.core.models import AccessEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_transaction_that_read_then_writes_waits_for_the_other_writer():
    other_wrote = threading.Event()
    failures = []

    def other_request():
        try:
            with transaction.atomic():
                AccessEvent.objects.create(kind=AccessEvent.Kind.READ, detail="other request")
            other_wrote.set()
        except Exception as exc:  # noqa: BLE001 — reported below
            failures.append(exc)
            other_wrote.set()
        finally:
            connections.close_all()

    with transaction.atomic():
        assert AccessEvent.objects.filter(detail="other request").count() == 0  # this request reads
        thread = threading.Thread(target=other_request)
        thread.start()
        # The other request commits now (PostgreSQL, or SQLite with deferred transactions) or waits for
        # this one (SQLite, IMMEDIATE): either way this transaction's write must go through.
        other_wrote.wait(timeout=1.5)
        AccessEvent.objects.create(kind=AccessEvent.Kind.READ, detail="this request")
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert failures == []
    assert set(AccessEvent.objects.filter(detail__endswith="request").values_list("detail", flat=True)) == {
        "this request",
        "other request",
    }
    if connection.vendor == "sqlite":
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
