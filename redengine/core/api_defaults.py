"""API defaults named in settings (kept apart from the viewsets so that DRF's settings import cleanly)."""

from django.conf import settings
from django.core.cache import cache
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, negotiation, pagination, permissions, renderers, throttling

from .audit import log_access
from .filters import scope_choices
from .models import AccessEvent
from .pagination import DeferredJoinPaginator
from .reads import is_personal

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def scope_action(request, view=None):
    """The action a request needs: by its method, or as the view's ``scope_actions`` names it for an extra action."""
    named = (
        getattr(view, "scope_actions", {}).get(getattr(view, "action", None)) if view is not None else None
    )
    return named or METHOD_ACTIONS.get(request.method, "change")


class ScopedPermission(permissions.BasePermission):
    """Authenticated, and some role in force allows this method's action on the view's model."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        model = view.get_queryset().model if hasattr(view, "get_queryset") else None
        if model is None:
            return False
        action = scope_action(request, view)
        allowed = user.can(model, action)
        if not allowed:
            request._request.scope_refused = True
            log_access(
                AccessEvent.Kind.REFUSED,
                request=request._request,
                user=user,
                obj=model._meta.label_lower,
                detail=action,
            )
        return allowed


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = DeferredJoinPaginator  # a deep page reads its rows' keys first


class ScopedFilterBackend(DjangoFilterBackend):
    """django-filter's backend, with every model choice of the filter set (its own or one made from
    ``filterset_fields``) narrowed to what the caller may see: the browsable form lists no out-of-scope
    record, and an out-of-scope id is refused with the same 400 as one that does not exist."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            scope_choices(filterset, request.user)
        return filterset


class Negotiation(negotiation.DefaultContentNegotiation):
    """JSON only unless ``API_BROWSABLE`` is on (by default in development mode only): a browser asking
    for HTML gets JSON, never the browsable pages and their forms."""

    def select_renderer(self, request, renderers_, format_suffix=None):
        if not settings.API_BROWSABLE:
            renderers_ = [r for r in renderers_ if not isinstance(r, renderers.BrowsableAPIRenderer)]
            try:
                return super().select_renderer(request, renderers_, format_suffix)
            except exceptions.NotAcceptable:
                return renderers_[0], renderers_[0].media_type
        return super().select_renderer(request, renderers_, format_suffix)


def rate_for(user):
    """The most generous ``API_PERSONAL_READ_RATES`` entry of the roles in force (else "default")."""
    rates = settings.API_PERSONAL_READ_RATES
    named = [rates[code] for code in getattr(user, "role_codes", ()) if code in rates]

    def per_second(rate):
        count, seconds = throttling.SimpleRateThrottle.parse_rate(None, rate)
        return count / seconds

    return max(named or [rates["default"]], key=per_second)


class PersonalReadThrottle(throttling.SimpleRateThrottle):
    """Per-account limits on reads (GET, HEAD) of the models declared personal, at the rate of the
    account's roles. Reaching the limit is logged (``THROTTLED``) once per account and window."""

    def __init__(self):  # the rate depends on the account: set in allow_request
        self.rate = None

    def allow_request(self, request, view):
        model = getattr(view, "model", None)
        user = request.user
        if request.method not in ("GET", "HEAD") or not is_personal(model) or not user.is_authenticated:
            return True
        self.request = request
        self.rate = rate_for(user)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return f"throttle_personal_read_{request.user.pk}"

    def throttle_failure(self):
        window = int(self.now // self.duration)
        if cache.add(f"throttled_logged_{self.key}_{window}", 1, self.duration):
            log_access(
                AccessEvent.Kind.THROTTLED,
                request=self.request._request,
                user=self.request.user,
                detail=self.rate,
            )
        return False
