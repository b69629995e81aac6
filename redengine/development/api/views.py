from redengine.core.api import ScopedModelViewSet

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
    serializer_class = CultivationSerializer
    select_related = ("case",)
    ordering = ["case_id", "-date", "pk"]
    filterset_fields = ["case", "kind"]
