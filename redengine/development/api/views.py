from rest_framework import exceptions

from redengine.core.api import ScopedModelViewSet, refusal
from redengine.development.rules import RULES

from .. import services
from ..filters import CaseFilterSet, PlanFilterSet
from ..models import (
    CaseContact,
    CaseStatus,
    CultivationRecord,
    DevelopmentCase,
    DevelopmentEvent,
    DevelopmentPlan,
)
from .serializers import (
    CaseSerializer,
    ContactSerializer,
    CultivationSerializer,
    DueSerializer,
    EventSerializer,
    PlanSerializer,
)


class CaseViewSet(ScopedModelViewSet):
    """Cases: open one (POST); the rest is derived from the steps (recorded through /events/)."""

    model = DevelopmentCase
    service = services.CASES
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    select_related = ("person", "organization")
    ordering = ["-opened_on", "pk"]
    http_method_names = ["get", "post", "head", "options"]


class EventViewSet(ScopedModelViewSet):
    """Steps: list and record (POST, checked by the rules); a correction removes the latest step in the UI."""

    model = DevelopmentEvent
    serializer_class = EventSerializer
    select_related = ("case",)
    ordering = ["case_id", "date", "pk"]
    filterset_fields = ["case", "step"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        step = services.Step(
            data["step"],
            data["date"],
            case=data["case"],
            data=data.get("data") or {},
            remarks=data.get("remarks", ""),
            exception_reason=data.get("exception_reason", ""),
        )
        try:
            (serializer.instance,) = services.record_steps([step], by=self.request.user)
        except services.StepRefusedError as exc:
            if exc.missing or not exc.violations:
                raise refusal(exc) from exc
            # ``rule`` is the rule's code for programs; ``message`` is what a person reads (no code in it).
            rules = [
                {
                    "rule": p.rule,
                    "kind": RULES[p.rule].kind,
                    "message": p.message,
                    "overridable": p.overridable,
                }
                for p in exc.violations
            ]
            raise StepRefused({"rules": rules}) from exc


class StepRefused(exceptions.APIException):
    """400 with the rules broken as they are (booleans stay booleans)."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, detail):
        self.detail = detail


class DueViewSet(ScopedModelViewSet):
    """The calendar: open cases with their next step, earliest and latest date, late or not."""

    model = DevelopmentCase
    serializer_class = DueSerializer
    filterset_class = CaseFilterSet
    select_related = ("person", "organization")
    ordering = ["next_due", "next_earliest", "pk"]
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().filter(status=CaseStatus.OPEN)


class PlanViewSet(ScopedModelViewSet):
    model = DevelopmentPlan
    service = services.PLANS
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    select_related = ("organization",)
    ordering = ["-year", "pk"]


class ContactViewSet(ScopedModelViewSet):
    """Training contacts and introducers: read here; they are assigned with steps S05 and S09."""

    model = CaseContact
    serializer_class = ContactSerializer
    ordering = ["case_id", "role", "pk"]
    filterset_fields = ["case", "role"]
    http_method_names = ["get", "head", "options"]


class CultivationViewSet(ScopedModelViewSet):
    model = CultivationRecord
    service = services.CULTIVATION
    serializer_class = CultivationSerializer
    select_related = ("case",)
    ordering = ["case_id", "-date", "pk"]
    filterset_fields = ["case", "kind"]
