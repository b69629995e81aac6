"""The API's defaults: every viewset is scoped and permission-checked like the UI."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from .api_defaults import scope_action
from .scoping import ScopedQuerySet


class ScopedModelViewSet(viewsets.ModelViewSet):
    """List, detail and writes through ``visible_to``; a write that leaves the scope is rolled back."""

    model = None
    scope_actions: dict = {}  # extra action name -> the scope action it needs (default: by method)
    select_related = ()
    prefetch_related = ()

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

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": self.request.user}

    def _recheck(self, instance):
        action = scope_action(self.request, self)
        if not self.model.objects.visible_to(self.request.user, action).filter(pk=instance.pk).exists():
            raise exceptions.ValidationError(_("You cannot save this record outside your scope."))

    def perform_create(self, serializer):
        with transaction.atomic():
            self._recheck(serializer.save())

    def perform_update(self, serializer):
        with transaction.atomic():
            self._recheck(serializer.save())

    def perform_destroy(self, instance):
        from .views import delete_or_refuse

        reason = delete_or_refuse(instance)
        if reason:
            raise exceptions.ValidationError({"detail": reason})


class ScopedSerializerMixin:
    """Related fields accept only objects the caller may see (choices are scoped too)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.context.get("user")
        for field in self.fields.values():
            related = getattr(field, "child_relation", field)
            queryset = getattr(related, "queryset", None)
            if isinstance(queryset, ScopedQuerySet):
                related.queryset = queryset.visible_to(user, "view")


class ScopedModelSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    """Also runs the model's own ``clean()`` rules, which DRF does not, so the API refuses what forms refuse."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        many = {f.name for f in model._meta.many_to_many}
        for name, value in attrs.items():
            if name not in many and hasattr(candidate, name):
                setattr(candidate, name, value)
        try:
            candidate.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            ) from exc
        return attrs


def exception_handler(exc, context):
    """DRF's handler (which rolls the request back), except that a refusal keeps its access-log row.

    A refusal is decided before the view runs, so the log row is the only write to keep.
    """
    response = drf_exception_handler(exc, context)
    request = context.get("request")
    refused = isinstance(exc, exceptions.PermissionDenied) and getattr(
        request._request, "scope_refused", False
    )
    if refused and connection.in_atomic_block:
        transaction.set_rollback(False)
    return response
