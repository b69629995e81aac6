from redengine.core.api import ScopedModelViewSet

from .. import services
from ..filters import OrganizationFilterSet, SchoolFilterSet
from ..models import AffiliationChange, GrantStandard, PartyOrganization, School, StartupGrant
from .serializers import (
    AffiliationChangeSerializer,
    GrantStandardSerializer,
    OrganizationSerializer,
    SchoolSerializer,
    StartupGrantSerializer,
)


class SchoolViewSet(ScopedModelViewSet):
    model = School
    service = services.SCHOOLS
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilterSet
    ordering_fields = ["code", "name", "district"]
    ordering = ["code"]


class OrganizationViewSet(ScopedModelViewSet):
    model = PartyOrganization
    service = services.ORGANIZATIONS
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    prefetch_related = ("schools",)
    ordering_fields = ["code", "name", "path"]
    ordering = ["path"]

    def get_queryset(self):
        return super().get_queryset().with_parent_code()


class AffiliationChangeViewSet(ScopedModelViewSet):
    """Read-only here: an affiliation change moves a subtree and is made through its service."""

    model = AffiliationChange
    service = services.AFFILIATIONS
    serializer_class = AffiliationChangeSerializer
    select_related = ("organization", "old_parent", "new_parent")
    http_method_names = ["get", "head", "options"]
    ordering = ["-changed_on", "-id"]


class StartupGrantViewSet(ScopedModelViewSet):
    model = StartupGrant
    service = services.GRANTS
    serializer_class = StartupGrantSerializer
    select_related = ("organization",)
    ordering = ["-approved_on", "-id"]


class GrantStandardViewSet(ScopedModelViewSet):
    model = GrantStandard
    service = services.STANDARDS
    serializer_class = GrantStandardSerializer
    ordering = ["org_type", "-valid_from"]
