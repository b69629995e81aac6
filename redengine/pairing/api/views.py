from django.db.models import Prefetch

from redengine.core.api import ScopedModelViewSet

from .. import services
from ..filters import ActivityFilterSet, PairFilterSet
from ..models import PairActivity, PairActivityFile, SchoolPair
from .serializers import ActivitySerializer, PairSerializer

WRITES = ["get", "post", "patch", "delete", "head", "options"]


class WritePath:
    """A service as the base viewset calls it: the app's own write functions."""

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


class PairViewSet(ScopedModelViewSet):
    """Urban-rural school pairs: seen at either school, written only with both schools in the caller's scope
    (a pair of two districts by the city)."""

    model = SchoolPair
    service = WritePath(services.PAIRS, services.record_pairs, services.delete_pairs)
    serializer_class = PairSerializer
    filterset_class = PairFilterSet
    select_related = ("urban", "rural")
    ordering = ["-agreed_on", "-id"]
    http_method_names = WRITES


class ActivityViewSet(ScopedModelViewSet):
    """Activities of the pairs (with their files' names and links), recorded by a writer of either school."""

    model = PairActivity
    service = WritePath(services.ACTIVITIES, services.record_activities, services.delete_activities)
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    select_related = ("pair",)
    prefetch_related = ("teachers", Prefetch("files", queryset=PairActivityFile.objects.defer("content")))
    ordering = ["-date", "-id"]
    http_method_names = WRITES
