"""The live progress of a running import (rows read, checked, written), for its page to follow.

An import is written in one transaction, so counters written to the job's row from inside it would stay
invisible to every other connection until the end. The worker therefore also posts them to the
``progress`` cache, outside any transaction; the job's page reads them from there while the job runs,
and from the job's row once it is over.
"""

from django.core.cache import caches

KEEP_SECONDS = 24 * 3600


def key(job_id):
    return f"import-job-{job_id}"


def report(job_id, **counters):
    """Add ``counters`` to the job's progress (only the job's one worker writes it)."""
    board = caches["progress"]
    current = board.get(key(job_id)) or {}
    current.update(counters)
    board.set(key(job_id), current, KEEP_SECONDS)


def read(job_id):
    return caches["progress"].get(key(job_id)) or {}


def clear(job_id):
    caches["progress"].delete(key(job_id))
