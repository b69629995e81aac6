"""Session policy: idle timeout, absolute lifetime, two-factor and first-login password change, active role."""

import functools
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from redengine.core.audit import log_access
from redengine.core.models import AccessEvent

LOGIN_TIME = "_login_time"
LAST_ACTIVITY = "_last_activity"
ACTIVE_ASSIGNMENT = "_active_assignment"
KEPT_FORM = "_kept_form"
KEPT_FOR_SECONDS = 15 * 60
NOT_KEPT = {"csrfmiddlewaretoken", "password", "old_password", "new_password1", "new_password2", "code"}
POLL_HEADER = "X-Redengine-Poll"  # sent by pages that follow a running job (no session write either)
# The session notes the user's activity at most once a minute (a write of the session row each time):
# the idle timeout then ends a session up to a minute early, never late; the page's warning comes two
# minutes before its own reckoning, so always before the session ends; its "continue" always writes.
ACTIVITY_STEP = 60
OPEN_PATHS = ("/static/", "/i18n/", "/accounts/login", "/accounts/otp", "/accounts/logout", "/healthz")


def kept_form(request):
    """What a page's form sent after the session ended (not files, passwords or codes), to offer again on
    the same page once the user has logged in: {path, data, at}; None for anything else."""
    if request.method != "POST" or request.path.startswith("/api/") or request.path.startswith(OPEN_PATHS):
        return None
    data = {k: request.POST.getlist(k) for k in request.POST if k not in NOT_KEPT}
    if not data:
        return None
    return {"path": request.path, "data": data, "at": int(time.time())}


def take_kept_form(request):
    """The form kept for this page (once, and for a quarter of an hour), or None."""
    session = getattr(request, "session", None)
    if session is None or request.method != "GET" or KEPT_FORM not in session:
        return None
    kept = session.get(KEPT_FORM)
    if not kept or kept.get("path") != request.path:
        return None
    del session[KEPT_FORM]
    if time.time() - kept.get("at", 0) > KEPT_FOR_SECONDS:
        return None
    return kept["data"]


@functools.cache
def keep_alive_path():
    return reverse("accounts:keep_alive")


def note_activity(request):
    """The request is the user's activity (a page refreshing itself is not): noted in the session when the
    last note is ``ACTIVITY_STEP`` seconds old or more, or when the request is the warning's "continue"."""
    if request.headers.get(POLL_HEADER):
        return
    now = int(time.time())
    session = request.session
    if request.path == keep_alive_path() or now - session.get(LAST_ACTIVITY, 0) >= ACTIVITY_STEP:
        session[LAST_ACTIVITY] = now


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            ended = self._expired(request)
            if ended:
                return ended
            note_activity(request)
            user.active_assignment_id = request.session.get(ACTIVE_ASSIGNMENT)
            request.kept_form = take_kept_form(request)  # offered again by the page (base.html)
            refused = self._gate(request, user)
            if refused:
                return refused
        return self.get_response(request)

    def _expired(self, request):
        now = time.time()
        session = request.session
        idle = now - session.get(LAST_ACTIVITY, now) > settings.SESSION_IDLE_TIMEOUT.total_seconds()
        too_old = now - session.get(LOGIN_TIME, now) > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()
        if not (idle or too_old):
            return None
        log_access(
            AccessEvent.Kind.SESSION_EXPIRED, request=request, detail="idle" if idle else "absolute lifetime"
        )
        kept = kept_form(request)
        logout(request)
        if request.path.startswith("/api/"):
            return None
        if kept is not None:  # the form sent after the timeout: kept through the login, offered again
            request.session[KEPT_FORM] = kept
        messages.warning(request, _("Your session has expired. Please log in again."))
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}")

    def _gate(self, request, user):
        """Pages and the API alike: two-factor login where the account needs it, and nothing but the
        password change until a one-time password is changed."""
        if request.path.startswith(OPEN_PATHS):
            return None
        api = request.path.startswith("/api/")
        if user.requires_2fa and not user.is_verified():
            # A role that needs two-factor login was granted during the session: log in again.
            logout(request)
            if api:
                return JsonResponse(
                    {"detail": _("This account needs two-factor login: log in again.")}, status=401
                )
            return redirect("accounts:login")
        if user.must_change_password:
            if api:
                return JsonResponse(
                    {
                        "detail": _(
                            "Change your one-time password in the web interface first: until then the API "
                            "refuses this account."
                        )
                    },
                    status=403,
                )
            change_url = reverse("accounts:password_change")
            if request.path != change_url:
                return redirect(change_url)
        return None
