"""API tokens: ``Authorization: Token <key>``; only a keyed digest is stored, and tokens expire (after their
lifetime, or when unused for ``API_TOKEN_IDLE_TIMEOUT``). Every request is held to what the account
needs now: two-factor login (a token issued with a verified code) and a changed one-time password."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .. import services
from ..models import ApiToken, token_digest


def must_change_password_first():
    return _(
        "Change your one-time password in the web interface first: until then the API refuses this account."
    )


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        now = timezone.now()
        if token is None or token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("The token is invalid or has expired."))
        if now - token.idle_since() > settings.API_TOKEN_IDLE_TIMEOUT:  # stays refused: idle only grows
            raise exceptions.AuthenticationFailed(_("The token is invalid or has expired."))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("The account is disabled."))
        if user.requires_2fa and not token.otp_verified:
            raise exceptions.AuthenticationFailed(
                _("This account needs two-factor login: ask for a new token with your two-factor code (otp).")
            )
        if user.must_change_password:
            raise exceptions.PermissionDenied(must_change_password_first())
        services.touch_token(token, now)
        return user, token
