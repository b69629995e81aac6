from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from redengine.core.api import ScopedModelViewSet, refusal
from redengine.core.writes import RefusedError

from .. import services
from ..filters import ServiceLogFilterSet, UnitFilterSet
from ..models import PioneerUnit, ServiceLog
from ..rules import CERTIFY, CHECK, FILE, MOVES, REJECT, REVIEW, REVOKE
from .serializers import MoveSerializer, ServiceLogSerializer, UnitSerializer

WRITES = ["get", "post", "patch", "delete", "head", "options"]


class WritePath:
    """A service as the base viewset calls it (``save(items, by=)``, ``delete(objs, by=)``)."""

    def __init__(self, service, record, delete):
        self.service, self.record, self.remove = service, record, delete
        self.fields = service.fields
        self.references = service.references

    def reference_rule(self, action, item_action):
        return self.service.reference_rule(action, item_action)

    def save(self, items, *, by):
        return self.record(items, by=by)

    def delete(self, objs, *, by):
        self.remove(objs, by=by)


def move_action(move):
    """``POST /api/pioneer/units/{id}/<move>/``: the move of ``services.move_units``, by a role that owns it
    (403 otherwise), on a unit in its scope for that move (404 otherwise); 400 naming the field when the
    unit's state or the body does not allow it."""

    def perform(self, request, pk=None):
        unit = self.get_object()
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        step = services.Step(
            unit, move, data.get("date") or timezone.localdate(), data["note"], data["plaque_number"]
        )
        try:
            services.move_units([step], by=request.user)
        except RefusedError as exc:
            raise refusal(exc) from exc
        return Response(self.get_serializer(PioneerUnit.objects.get(pk=unit.pk)).data)

    perform.__name__ = move
    perform.__doc__ = f"The move “{move}” of the unit's workflow (services.move_units)."
    routed = action(detail=True, methods=["post"], url_path=move, url_name=move)(perform)
    return extend_schema(request=MoveSerializer, responses={200: UnitSerializer})(routed)


class UnitViewSet(ScopedModelViewSet):
    """Pioneer units (示范岗、示范班、志愿服务队) with their history of moves; the moves are actions of their own."""

    model = PioneerUnit
    service = WritePath(services.UNITS, services.record_units, services.delete_units)
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    select_related = ("school", "organization")
    prefetch_related = ("members", "moves__by")
    ordering = ["-applied_on", "-id"]
    http_method_names = WRITES
    scope_actions = {move: move for move in MOVES}

    file = move_action(FILE)
    review = move_action(REVIEW)
    certify = move_action(CERTIFY)
    reject = move_action(REJECT)
    check = move_action(CHECK)
    revoke = move_action(REVOKE)


class ServiceLogViewSet(ScopedModelViewSet):
    """Service logs of volunteer teams: the day, the hours, the number of people, what they did."""

    model = ServiceLog
    service = WritePath(services.LOGS, services.record_service_logs, services.delete_service_logs)
    serializer_class = ServiceLogSerializer
    filterset_class = ServiceLogFilterSet
    select_related = ("unit",)
    ordering = ["-date", "-id"]
    http_method_names = WRITES
