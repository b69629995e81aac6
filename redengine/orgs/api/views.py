from rest_framework.exceptions import ValidationError

from redengine.core.api import ScopedModelViewSet

from ..filters import OrganizationFilterSet, SchoolFilterSet
from ..models import PartyOrganization, School
from .serializers import OrganizationSerializer, SchoolSerializer


class SchoolViewSet(ScopedModelViewSet):
    model = School
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilterSet
    ordering_fields = ["code", "name", "district"]
    ordering = ["code"]


class OrganizationViewSet(ScopedModelViewSet):
    model = PartyOrganization
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    prefetch_related = ("schools",)
    ordering_fields = ["code", "name", "path"]
    ordering = ["path"]

    def get_queryset(self):
        return super().get_queryset().with_parent_code()

    def perform_destroy(self, instance):
        reason = instance.delete_refusal()
        if reason:
            raise ValidationError({"detail": reason})
        instance.delete()
