"""The API's defaults: every viewset is scoped and permission-checked like the UI."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection, transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .api_defaults import PersonalReadThrottle, scope_action
from .audit import remember
from .reads import account_read, is_personal
from .scoping import ScopedQuerySet
from .services import Item
from .writes import RefusedError


class ScopedModelViewSet(viewsets.ModelViewSet):
    """List, detail and writes through ``visible_to``; every write goes through the model's ``service``,
    whose write path checks the scope of everything written and named (404 for the request's own record
    outside the scope, 400 naming the field for a record it names)."""

    model = None
    service = None
    scope_actions: dict = {}  # extra action name -> the scope action it needs (default: by method)
    select_related = ()
    prefetch_related = ()
    throttle_classes = [PersonalReadThrottle]  # reads of personal data, per account (core/api_defaults.py)

    def get_queryset(self):
        queryset = self.model.objects.all()
        request = getattr(self, "request", None)
        if request is None or getattr(self, "swagger_fake_view", False):
            return queryset
        queryset = self.model.objects.visible_to(request.user, scope_action(request, self))
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def get_object(self):
        obj = super().get_object()
        remember([obj])  # the values before, for the audit trail of the change
        return obj

    def paginate_queryset(self, queryset):
        self.page_read = super().paginate_queryset(queryset)
        return self.page_read

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if is_personal(self.model) and response.status_code == 200:  # the access log, the volume alert
            account_read(request._request, self.model, getattr(self, "page_read", None) or [])
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        if is_personal(self.model):
            account_read(request._request, self.model, [instance])
        return Response(data)

    def throttled(self, request, wait):
        exc = exceptions.Throttled(
            detail=_("Too many reads of personal data in a short time: try again in %(seconds)d seconds.")
            % {"seconds": max(1, int(wait or 0))}
        )
        exc.wait = wait  # the Retry-After header
        raise exc

    def get_serializer_context(self):
        context = {**super().get_serializer_context(), "user": self.request.user}
        if self.service is not None and getattr(self, "request", None) is not None:
            item_action = "add" if self.request.method == "POST" else "change"
            context["scope_actions"] = {
                name: self.service.reference_rule(rule, item_action)
                for name, rule in self.service.references.items()
            }
        return context

    def item_values(self, serializer):
        return {k: v for k, v in serializer.validated_data.items() if k in self.service.fields}

    def write(self, serializer, instance=None):
        try:
            (obj,) = self.service.save(
                [Item(self.item_values(serializer), instance=instance)], by=self.request.user
            )
        except RefusedError as exc:
            raise refusal(exc) from exc
        serializer.instance = obj
        return obj

    def perform_create(self, serializer):
        self.write(serializer)

    def perform_update(self, serializer):
        self.write(serializer, serializer.instance)

    def perform_destroy(self, instance):
        try:
            self.service.delete([instance], by=self.request.user)
        except RefusedError as exc:
            if exc.missing:
                raise exceptions.NotFound() from exc
            raise exceptions.ValidationError({"detail": " ".join(exc.messages)}) from exc


def refusal(exc):
    """A service's refusal as the API answers it: 404 when the request's record is outside the scope (as
    for one that does not exist), else 400 with the problems by field."""
    if exc.missing:
        return exceptions.NotFound()
    errors = exc.by_field(0)
    if NON_FIELD_ERRORS in errors:
        errors["non_field_errors"] = errors.pop(NON_FIELD_ERRORS)
    return exceptions.ValidationError(errors)


class ScopedSerializerMixin:
    """Related fields accept only objects the caller may name (choices are scoped too): as the model's
    service checks them (``scope_actions`` in the context), else what the caller may see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.context.get("user")
        actions = self.context.get("scope_actions", {})
        for name, field in self.fields.items():
            related = getattr(field, "child_relation", field)
            queryset = getattr(related, "queryset", None)
            if isinstance(queryset, ScopedQuerySet):
                action, through = actions.get(name, ("view", None))
                related.queryset = queryset.visible_to(user, action, through)


class ScopedModelSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    """A model serializer whose writes are made by the viewset's service (which applies the model's rules)."""


def exception_handler(exc, context):
    """DRF's handler (which rolls the request back), except that a refusal or a rate limit keeps its
    access-log row.

    Both are decided before the view runs, so the log row is the only write to keep.
    """
    response = drf_exception_handler(exc, context)
    request = context.get("request")
    refused = isinstance(exc, exceptions.Throttled) or (
        isinstance(exc, exceptions.PermissionDenied) and getattr(request._request, "scope_refused", False)
    )
    if refused and connection.in_atomic_block:
        transaction.set_rollback(False)
    return response
