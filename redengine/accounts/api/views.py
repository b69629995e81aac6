"""``POST /api/auth/token/``: user name, password and, where the account needs it, the TOTP code;
``POST /api/auth/logout/`` revokes the token used; ``GET /api/auth/tokens/`` and
``DELETE /api/auth/tokens/<id>/``: the caller's own tokens (never the key)."""

from django.contrib.auth import authenticate, logout
from django.http import Http404
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from redengine.core.audit import log_access
from redengine.core.models import AccessEvent

from .. import services
from ..models import ApiToken


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(required=False, allow_blank=True)


class TokenThrottle(AnonRateThrottle):
    rate = "30/min"


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
            )
        },
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            return Response(
                {"detail": _("The user name or password is wrong.")}, status=status.HTTP_401_UNAUTHORIZED
            )
        verified = False
        if user.requires_2fa:
            code = (data.validated_data.get("otp") or "").strip()
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if not code or device is None or not device.verify_token(code):
                log_access(
                    AccessEvent.Kind.OTP_FAILED,
                    request=request._request,
                    username=user.username,
                    scope_path=user.home_scope_path(),
                )
                return Response(
                    {"detail": _("This account needs a valid two-factor code (otp).")},
                    status=status.HTTP_401_UNAUTHORIZED,
                )
            verified = True
        if user.must_change_password:
            return Response(
                {"detail": _("Change the initial password in the web interface first.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        key, token = ApiToken.issue(user, otp_verified=verified)
        log_access(AccessEvent.Kind.TOKEN, request=request._request, user=user)
        return Response({"token": key, "expires_at": token.expires_at})


class LogoutView(APIView):
    """Revoke the token this request came with (or end the session it came with)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            services.revoke_own_token(request.user, request.auth.pk, reason="logout")
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "created_at", "last_used_at", "expires_at", "current"]

    def get_current(self, token) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class OwnTokenListView(APIView):
    """The caller's own tokens: when made, last used and until when (the keys are never stored)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TokenSerializer(many=True))
    def get(self, request):
        tokens = ApiToken.objects.filter(user=request.user)
        return Response(TokenSerializer(tokens, many=True, context={"request": request}).data)


class OwnTokenView(APIView):
    """Revoke one of the caller's own tokens; another account's token answers as one that does not exist."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk):
        if not services.revoke_own_token(request.user, pk):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
