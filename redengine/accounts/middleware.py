"""Session policy: idle timeout, absolute lifetime, two-factor and first-login password change, active role."""

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
POLL_HEADER = "X-Redengine-Poll"  # sent by pages that follow a running job (no session write either)
OPEN_PATHS = ("/static/", "/i18n/", "/accounts/login", "/accounts/otp", "/accounts/logout", "/healthz")


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            ended = self._expired(request)
            if ended:
                return ended
            if not request.headers.get(POLL_HEADER):  # a page refreshing itself is not the user's activity
                request.session[LAST_ACTIVITY] = int(time.time())
            user.active_assignment_id = request.session.get(ACTIVE_ASSIGNMENT)
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
        logout(request)
        if request.path.startswith("/api/"):
            return None
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
