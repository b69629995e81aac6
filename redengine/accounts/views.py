"""Login (password, then TOTP where required), first-login password change, logout, scope switcher."""

import base64
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from redengine.core.audit import log_access
from redengine.core.models import AccessEvent

from . import lockout, services
from .forms import LoginForm, OtpForm, PasswordChangeForm
from .middleware import ACTIVE_ASSIGNMENT, LAST_ACTIVITY, LOGIN_TIME
from .models import ApiToken, User
from .qr import qr_svg

PENDING = "_pending_2fa"
PENDING_LIFETIME = 300  # seconds between the password and the code
MAX_OTP_FAILURES = 5


def _safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, request.is_secure()):
        return value
    return settings.LOGIN_REDIRECT_URL


def complete_login(request, user, backend, device=None):
    login(request, user, backend=backend)  # a new session key
    if device is not None:
        otp_login(request, device)
    now = int(time.time())
    request.session[LOGIN_TIME] = now
    request.session[LAST_ACTIVITY] = now


def too_many_logins(request):
    """Whether this address has posted more than ``LOGIN_ATTEMPTS_PER_MINUTE`` logins in the last 60 seconds.

    A sliding window of the posts' times, not a counter per clock minute: a counter reset at each minute's
    turn let twice the limit through across it.
    """
    key = f"login-rate:{request.META.get('REMOTE_ADDR')}"
    now = time.time()
    limit = settings.LOGIN_ATTEMPTS_PER_MINUTE
    recent = [moment for moment in cache.get(key, []) if now - moment < 60]
    recent.append(now)
    cache.set(key, recent[-(limit + 1) :], timeout=60)
    return len(recent) > limit


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST" and too_many_logins(request):
        log_access(AccessEvent.Kind.THROTTLED, request=request, detail="web login")
        form.is_valid()  # shown again with the user name typed; nothing is checked
        form.add_error(None, _("Too many login attempts from your address. Wait a minute and try again."))
        return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=429)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if user is None:
            form.add_error(None, _("The user name or password is wrong."))
            form.add_error(None, tries_left_text(request, form.cleaned_data["username"]))
        elif user.requires_2fa:
            request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "at": int(time.time()),
                "next": next_url,
                "failures": 0,
            }
            return redirect("accounts:otp")
        else:
            complete_login(request, user, user.backend)
            return redirect(_safe_next(request, next_url))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def tries_left_text(request, username):
    """After a failed login: the tries left before the lock-out (said alike for a name no account has)."""
    return _("You can try %(count)d more time(s); then the account is locked for %(minutes)d minutes.") % {
        "count": lockout.tries_left(request, username),
        "minutes": lockout.lockout_minutes(),
    }


def locked_text(request, username):
    """How long the lock-out lasts and whom to ask; the address it counts is not named."""
    return _(
        "Too many failed logins: this account is locked. Try again in %(minutes)d minutes. If you cannot "
        "wait, ask the security administrator to unlock it (your district administrator can pass the "
        "request on)."
    ) % {"minutes": lockout.minutes_left(request, username)}


def lockout_response(request, response=None, credentials=None):
    """What a locked-out account sees (15 minutes after 5 failures from the same address)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    text = locked_text(request, username)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": text}, status=429)
    form = LoginForm(request.POST or None)
    form.is_valid()
    form.add_error(None, text)
    return render(request, "accounts/login.html", {"form": form, "locked": True}, status=429)


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_LIFETIME:
        request.session.pop(PENDING, None)
        return None, None
    return User.objects.filter(pk=pending["user"], is_active=True).first(), pending


@sensitive_post_parameters("code")
@never_cache
def otp_view(request):
    """Second step: the TOTP code; an account without a confirmed device enrols by QR code first."""
    user, pending = _pending_user(request)
    if user is None:
        messages.warning(request, _("Please log in again."))
        return redirect("accounts:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": "authenticator"}
        )
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            if enrolling:
                device.confirmed = True
                device.save()
            request.session.pop(PENDING, None)
            complete_login(request, user, pending["backend"], device)
            return redirect(_safe_next(request, pending.get("next")))
        pending["failures"] += 1
        request.session[PENDING] = pending
        log_access(
            AccessEvent.Kind.OTP_FAILED,
            request=request,
            username=user.username,
            scope_path=user.home_scope_path(),
        )
        if pending["failures"] >= MAX_OTP_FAILURES:
            request.session.pop(PENDING, None)
            messages.error(request, _("Too many wrong codes. Please log in again."))
            return redirect("accounts:login")
        form.add_error("code", _("The code is wrong or has been used. Wait for the next code and try again."))
    context = {"form": form, "enrolling": enrolling, "account": user}
    if enrolling:
        context["qr"] = qr_svg(device.config_url)
        secret = base64.b32encode(device.bin_key).decode()
        context["secret"] = secret
        context["secret_groups"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        context["otpauth_url"] = device.config_url  # opens the authenticator on the same phone
    return render(request, "accounts/otp.html", context)


@login_required
@sensitive_post_parameters()
def password_change_view(request):
    """The password change; a wrong old password counts as a failed login (5 lock the account out from
    this address for 15 minutes and end the session, as at the login)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_own_password(request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect(settings.LOGIN_REDIRECT_URL)
    if request.method == "POST" and "old_password" in form.errors:
        user = request.user
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )  # axes counts it (and locks out at the limit); the access log records it
        if getattr(request, "axes_locked_out", False):
            username = user.get_username()
            logout(request)
            return lockout_response(request, credentials={"username": username})
    return render(
        request, "accounts/password_change.html", {"form": form, "forced": request.user.must_change_password}
    )


@login_required
def token_list(request):
    """The account's own API tokens: when made, last used and until when; each can be revoked."""
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "accounts/token_list.html",
        {"title": _("My API tokens"), "tokens": tokens, "breadcrumbs": [(_("My API tokens"), None)]},
    )


@login_required
def token_revoke(request, pk):
    """Revoke one of the account's own tokens, after a confirmation; another's answers 404."""
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404
    if request.method == "POST":
        services.revoke_own_token(request.user, token.pk)
        messages.success(request, _("The token has been revoked."))
        return redirect("accounts:token_list")
    return render(
        request,
        "accounts/token_revoke.html",
        {
            "title": _("Revoke an API token"),
            "token": token,
            "breadcrumbs": [(_("My API tokens"), reverse("accounts:token_list")), (_("Revoke"), None)],
        },
    )


@login_required
def keep_alive(request):
    """The idle-timeout warning's "continue": the request itself is the activity the session notes."""
    return HttpResponse(status=204)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("accounts:login")


@login_required
@require_POST
def switch_scope(request):
    """The scope switcher: work as one of the account's roles, or as all of them together."""
    chosen = request.POST.get("assignment", "")
    ids = {a.pk for a in request.user.assignments()}
    if chosen.isdigit() and int(chosen) in ids:
        request.session[ACTIVE_ASSIGNMENT] = int(chosen)
    else:
        request.session.pop(ACTIVE_ASSIGNMENT, None)
    return redirect(_safe_next(request, request.POST.get("next")))
