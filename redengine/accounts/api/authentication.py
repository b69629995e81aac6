"""API tokens: ``Authorization: Token <key>``; only a keyed digest is stored, and tokens expire."""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from ..models import ApiToken, token_digest


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None or token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("The token is invalid or has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The account is disabled."))
        return token.user, token
