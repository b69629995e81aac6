"""The lock-out after failed logins (django-axes), seen from the accounts: one key per account whatever the
case typed, how many tries are left, how long a lock-out lasts, and which accounts are locked now."""

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

FIELD = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")


def login_key(username):
    """The key the lock-out counts an account's attempts under: user names are case-insensitive, so
    "School_Secretary" and "school_secretary" are the same account and the same count."""
    return str(username or "").strip().lower()[:150]


def axes_username(request, credentials=None):
    """``AXES_USERNAME_CALLABLE``: the user name of an attempt, as its lock-out key."""
    name = credentials.get(FIELD) if credentials else getattr(request, "data", request.POST).get(FIELD)
    return login_key(name) if name else name


def _live_attempts(username):
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(username=login_key(username), attempt_time__gte=since)


def tries_left(request, username):
    """How many more failures this account may have from this address before it is locked."""
    failures = AxesProxyHandler.get_failures(request, {"username": username})
    return max(settings.AXES_FAILURE_LIMIT - failures, 0)


def lockout_minutes():
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def minutes_left(request, username):
    """Whole minutes (rounded up) until the lock-out of this account from this address ends."""
    attempt = (
        _live_attempts(username)
        .filter(ip_address=getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR"))
        .order_by("-attempt_time")
        .first()
    )
    if attempt is None:
        return lockout_minutes()
    remaining = (attempt.attempt_time + settings.AXES_COOLOFF_TIME - timezone.now()).total_seconds()
    return max(math.ceil(remaining / 60), 1)


def locked_keys(usernames=None):
    """The lock-out keys (of ``usernames``, or all) locked now from at least one address."""
    attempts = AccessAttempt.objects.filter(
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    )
    if usernames is not None:
        attempts = attempts.filter(username__in=[login_key(u) for u in usernames])
    return set(attempts.values_list("username", flat=True))


def locked_addresses(user):
    """From how many addresses the account is locked now (0: it is not locked)."""
    return (
        _live_attempts(user.get_username())
        .filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        .values("ip_address")
        .distinct()
        .count()
    )


def clear_attempts(user):
    """Forget every failed attempt on the account, from every address (the lock-out ends); how many."""
    count, _by_model = AccessAttempt.objects.filter(username=login_key(user.get_username())).delete()
    return count
