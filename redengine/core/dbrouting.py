"""Reads from the PostgreSQL hot standby (``DATABASE_REPLICA_URL``), for the pages that only read figures.

Every write goes to ``default`` (the primary). A read goes to ``replica`` only inside an explicit
``with from_replica():`` block (or a view decorated ``@replica_reads``), and only when

- a replica is configured (``DATABASES["replica"]``) and answers (one that does not is left alone for
  ``REPLICA_RETRY_SECONDS``: the block reads from the primary, and the log says so once);
- the session (or, outside a request, the command or worker process) has not written through the write
  path (``core.writes.writing``, or ``note_write`` for the few writes made beside it) in the last
  ``REPLICA_AFTER_WRITE_SECONDS``: whoever just wrote reads everything from the primary, so their own
  change never seems lost on a standby that is a moment behind (read-after-write). The middleware keeps
  the time of the last write in the session;
- the current transaction on the primary has not written anything: a request that wrote an access-log
  row or its read accounting before reading reads the rest from the primary too;
- with ``after`` (a row written on the primary, e.g. a background export's job), the replica already
  holds that row, so it has replayed everything committed before it.

Reads on the replica run outside the request's transaction (``ATOMIC_REQUESTS`` holds for ``default``
only): right for pages that only read. Migrations run on ``default`` only; the standby gets them by
replication.
"""

import contextlib
import contextvars
import functools
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections

logger = logging.getLogger("redengine")

DEFAULT, REPLICA = "default", "replica"
SESSION_KEY = "_wrote_at"  # when this session last wrote (seconds since the epoch)
REPLICA_RETRY_SECONDS = 30  # an unreachable replica is tried again after this long
ATOMIC_MARK = "redengine_wrote_in_atomic"  # set on the primary's connection by a write inside a transaction


@dataclass
class Writes:
    """What the current request (or command, or worker process) wrote: the time of its last write through
    the write path (from the session at the start of a request), and whether this request wrote."""

    at: float | None = None
    noted: bool = False


_writes = contextvars.ContextVar("redengine_writes", default=None)
_replica = contextvars.ContextVar("redengine_from_replica", default=None)  # None: outside every block
_unreachable_until = 0.0


def replica_configured():
    return REPLICA in settings.DATABASES


def note_write():
    """The current request (or command) wrote: its reads come from the primary for the next
    ``REPLICA_AFTER_WRITE_SECONDS`` (``core.writes.writing`` calls it; so does any write beside it that a
    page on the replica shows, e.g. marking notifications read)."""
    if not replica_configured():
        return
    writes = _writes.get()
    if writes is None:  # a command or worker: its own writes, for the rest of its run
        writes = Writes()
        _writes.set(writes)
    writes.at = time.time()
    writes.noted = True


def wrote_recently():
    writes = _writes.get()
    return (
        writes is not None
        and writes.at is not None
        and time.time() - writes.at < settings.REPLICA_AFTER_WRITE_SECONDS
    )


def primary_connection_wrote():
    """Whether the primary's current transaction has written (the mark is dropped once it is over)."""
    connection = connections[DEFAULT]
    if not connection.in_atomic_block:
        if getattr(connection, ATOMIC_MARK, False):
            setattr(connection, ATOMIC_MARK, False)
        return False
    return getattr(connection, ATOMIC_MARK, False)


def reachable():
    """Whether the replica answers (checked once per request cycle, as a kept connection is)."""
    global _unreachable_until
    if time.monotonic() < _unreachable_until:
        return False
    connection = connections[REPLICA]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as exc:
        _unreachable_until = time.monotonic() + REPLICA_RETRY_SECONDS
        logger.warning(
            "the read replica cannot be reached (check DATABASE_REPLICA_URL): reading from the primary "
            "for %s s: %s",
            REPLICA_RETRY_SECONDS,
            exc,
        )
        return False
    return True


def holds(record):
    """Whether the replica already holds ``record`` (written on the primary)."""
    try:
        return type(record)._base_manager.using(REPLICA).filter(pk=record.pk).exists()
    except DatabaseError:
        return False


@contextlib.contextmanager
def from_replica(after=None):
    """Reads inside the block may go to the replica (see the module's rules); writes still go to the
    primary. ``after``: a record written on the primary that the replica must already hold. A block inside
    another follows the outer one."""
    if _replica.get() is not None:
        yield
        return
    use = (
        replica_configured()
        and not wrote_recently()
        and not primary_connection_wrote()
        and reachable()
        and (after is None or holds(after))
    )
    token = _replica.set(use)
    try:
        yield
    finally:
        _replica.reset(token)


def load_roles(user):
    """The account's roles and scope, read on the primary before a block on the replica (a role just
    withdrawn is never read from a standby that is behind)."""
    if user is not None and getattr(user, "is_authenticated", False) and hasattr(user, "assignments"):
        user.assignments()


def replica_reads(view):
    """A view (or, through ``method_decorator``, a view's method) that only reads: its figures come from
    the replica, the account's roles from the primary. Apply it inside ``login_required``."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        load_roles(getattr(request, "user", None))
        with from_replica():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    """``DATABASE_ROUTERS``: writes to the primary; reads to the replica inside ``from_replica`` only."""

    def db_for_read(self, model, **hints):
        if _replica.get() and not wrote_recently() and not primary_connection_wrote():
            return REPLICA
        return DEFAULT

    def db_for_write(self, model, **hints):
        connection = connections[DEFAULT]
        if connection.in_atomic_block:
            setattr(connection, ATOMIC_MARK, True)
        return DEFAULT

    def allow_relation(self, obj1, obj2, **hints):
        # One database seen twice: records read from either may be related.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT


class ReadAfterWriteMiddleware:
    """Keeps, in the session, the time of its last write through the write path; for
    ``REPLICA_AFTER_WRITE_SECONDS`` after it, that session reads everything from the primary. Placed after
    the session middleware (which saves what it stores). Unused without a replica."""

    def __init__(self, get_response):
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        primary_connection_wrote()  # drops the mark a transaction of an earlier request left
        session = getattr(request, "session", None)
        writes = Writes(at=session.get(SESSION_KEY) if session is not None else None)
        token = _writes.set(writes)
        try:
            response = self.get_response(request)
        finally:
            _writes.reset(token)
        if writes.noted and session is not None and session.session_key is not None:
            session[SESSION_KEY] = writes.at
        return response
