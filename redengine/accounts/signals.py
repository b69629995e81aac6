"""Logins, failures and lock-outs go to the access log; disabling an account ends its sessions."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import receiver

from redengine.core.audit import log_access
from redengine.core.context import current_actor
from redengine.core.models import AccessEvent

from .models import User, UserSession


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    log_access(AccessEvent.Kind.LOGIN, request=request, user=user)
    if request.session.session_key:
        UserSession.objects.update_or_create(
            session_key=request.session.session_key,
            defaults={"user": user, "ip_address": request.META.get("REMOTE_ADDR")},
        )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    log_access(AccessEvent.Kind.LOGOUT, request=request, user=user)
    if request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


def _scope_of(username):
    """The scope of the account an attempt named, so that the account's own auditors see the attempt."""
    account = User.objects.named(username) if username else None
    return account.home_scope_path() if account else ""


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    if request is not None:
        username = str(credentials.get("username", ""))[:150]
        log_access(
            AccessEvent.Kind.LOGIN_FAILED, request=request, username=username, scope_path=_scope_of(username)
        )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    if request is not None:
        username = str(username or "")[:150]
        log_access(
            AccessEvent.Kind.LOCKED_OUT, request=request, username=username, scope_path=_scope_of(username)
        )


def log_revoked(user, tokens, reason, sessions=0):
    """The access log's record of tokens revoked (and sessions ended): whose, how many, why and by whom."""
    actor = current_actor().current_user()
    by = f" by {actor.get_username()}" if actor is not None and actor.pk != user.pk else ""
    ended = f"; {sessions} session(s) ended" if sessions else ""
    log_access(AccessEvent.Kind.TOKEN_REVOKED, user=user, rows=tokens, detail=f"{reason}{by}{ended}")


def end_sessions(user, reason="account disabled"):
    """End every session the account has open and revoke its API tokens (on disabling it, a password reset,
    or a change of what the account may do); logged when there was something to end."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    tokens, _by_model = user.api_tokens.all().delete()
    if tokens or keys:
        log_revoked(user, tokens, reason, sessions=len(keys))


@receiver(post_save, sender=User)
def _disabled(sender, instance, created, **kwargs):
    if not created and not instance.is_active:
        end_sessions(instance)
