"""Request-wide machinery: the actor behind writes, security headers, a clear page when the database is down."""

import logging
import uuid

from django.conf import settings
from django.db import OperationalError
from django.shortcuts import render

from .context import Actor, acting, client_ip

logger = logging.getLogger("redengine")


class RequestContextMiddleware:
    """Gives each request an id and makes it the actor of every write it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        actor = Actor(request=request, ip_address=client_ip(request), request_id=request.request_id)
        with acting(actor):
            try:
                response = self.get_response(request)
            except OperationalError as exc:
                return database_unavailable(request, exc)
        response["X-Request-ID"] = request.request_id
        return response


def database_unavailable(request, exc):
    logger.error("database unavailable: %s (check the DATABASE_URL setting)", exc)
    return render(request, "503.html", status=503)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response
