"""``/api/people/awards/`` and ``/api/people/discipline/``. Awards are read by whoever sees the person or the
organization; discipline only with ``view_discipline`` (inspectors and administrators: 403 for the others,
on the list and on a record alike). Every write goes through ``services.records``."""

from rest_framework import serializers

from redengine.core.api import ScopedModelSerializer, ScopedModelViewSet
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Membership, Person

from ..models import VIEW_DISCIPLINE, Award, Discipline
from ..record_forms import AwardFilterSet, DisciplineFilterSet
from ..services import records


class AwardSerializer(ScopedModelSerializer):
    """An award: 优秀共产党员 or 优秀党务工作者 to a person (by id), 先进基层党组织 to an organization (by code)."""

    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    person_name = serializers.CharField(source="person.name", read_only=True, default=None)
    organization = serializers.SlugRelatedField(
        slug_field="code", queryset=PartyOrganization.objects.all(), required=False, allow_null=True
    )
    title = serializers.CharField(max_length=24)
    level = serializers.CharField(max_length=10)

    class Meta:
        model = Award
        fields = [
            "id",
            "title",
            "level",
            "person",
            "person_name",
            "organization",
            "awarded_on",
            "awarded_by",
            "document",
        ]
        extra_kwargs = {"awarded_by": {"required": False, "allow_blank": True}}


class AwardViewSet(ScopedModelViewSet):
    model = Award
    service = records.AWARDS
    serializer_class = AwardSerializer
    filterset_class = AwardFilterSet
    select_related = ("person", "organization")
    ordering = ["-awarded_on", "-id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class DisciplineSerializer(ScopedModelSerializer):
    """A disciplinary measure on a membership (by id): its kind, day, deciding body, document and reason; for
    留党察看 its period (12 or 24 months) and the day the rights are restored. The membership and the kind of a
    recorded measure are not changed."""

    membership = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.all())
    person_name = serializers.CharField(source="membership.person.name", read_only=True)
    organization = serializers.CharField(source="membership.organization.code", read_only=True)
    kind = serializers.CharField(max_length=16)

    class Meta:
        model = Discipline
        fields = [
            "id",
            "membership",
            "person_name",
            "organization",
            "kind",
            "decided_on",
            "decided_by",
            "document",
            "reason",
            "period_months",
            "lifted_on",
        ]
        extra_kwargs = {
            "decided_on": {"required": False, "allow_null": True},
            "decided_by": {"required": False, "allow_blank": True},
            "document": {"required": False, "allow_blank": True},
            "reason": {"required": False, "allow_blank": True},
        }


class DisciplineViewSet(ScopedModelViewSet):
    model = Discipline
    service = records.DISCIPLINE_RECORDS
    serializer_class = DisciplineSerializer
    filterset_class = DisciplineFilterSet
    select_related = ("membership__person", "membership__organization")
    ordering = ["-decided_on", "-id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    # Reading discipline is an action of its own (``view_discipline``), not the usual view.
    scope_actions = {"list": VIEW_DISCIPLINE, "retrieve": VIEW_DISCIPLINE}
