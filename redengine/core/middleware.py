"""Request-wide machinery: the client address, the actor behind writes, security headers."""

import uuid

from django.conf import settings
from django.utils.cache import patch_cache_control

from .context import Actor, acting, client_ip


class RequestContextMiddleware:
    """Gives each request an id and makes it the actor of every write it causes.

    Behind ``TRUSTED_PROXY_COUNT`` reverse proxies (nginx), the client's address is the one the
    nearest trusted proxy saw, taken from X-Forwarded-For and put in REMOTE_ADDR, so that lock-out,
    throttling and the logs all see the real client, and a client cannot forge it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.proxies = settings.TRUSTED_PROXY_COUNT

    def __call__(self, request):
        if self.proxies:
            forwarded = [
                a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
            ]
            if len(forwarded) >= self.proxies:
                request.META["REMOTE_ADDR"] = forwarded[-self.proxies]
        request.request_id = uuid.uuid4().hex
        actor = Actor(request=request, ip_address=client_ip(request), request_id=request.request_id)
        with acting(actor):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response; ``Cache-Control: no-store,
    private`` on every response to a signed-in caller (a page, an API answer or a download may hold
    personal data: no browser or proxy keeps a copy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        user = getattr(request, "user", None)  # set by the session or (through DRF) the token
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
