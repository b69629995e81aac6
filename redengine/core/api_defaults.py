"""API defaults named in settings (kept apart from the viewsets so that DRF's settings import cleanly)."""

from rest_framework import pagination, permissions

from .audit import log_access
from .models import AccessEvent

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
