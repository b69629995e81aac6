"""``/api/people/status-changes/``: the changes of membership status (list, detail, create). A change is
recorded by ``services.statuses.record_status_changes`` (its rules, its resolution and approval); a recorded
change is not changed nor deleted: the next change follows it."""

from rest_framework import serializers

from redengine.core.api import ScopedModelSerializer, ScopedModelViewSet
from redengine.people.models import Membership

from ..models import StatusChange
from ..services import statuses
from ..status_forms import StatusChangeFilterSet


class StatusChangeSerializer(ScopedModelSerializer):
    """A change of a membership's state: the membership by its id (a current one the caller may change), the
    new state, the day, the reason, the resolution and the approval; the state before is filled by the
    service."""

    membership = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.current())
    person = serializers.IntegerField(source="membership.person_id", read_only=True)
    person_name = serializers.CharField(source="membership.person.name", read_only=True)
    organization = serializers.CharField(source="membership.organization.code", read_only=True)
    to_status = serializers.CharField(max_length=16)

    class Meta:
        model = StatusChange
        fields = [
            "id",
            "membership",
            "person",
            "person_name",
            "organization",
            "from_status",
            "to_status",
            "date",
            "reason",
            "resolution",
            "resolution_on",
            "approved_by",
            "approved_on",
            "document",
        ]
        read_only_fields = ["from_status"]
        extra_kwargs = {
            "date": {"required": False, "allow_null": True},
            "reason": {"required": False, "allow_blank": True},
        }


class StatusChangeViewSet(ScopedModelViewSet):
    """Changes of membership status (失联, 停止党籍, 恢复, 自行脱党, 除名, 退党, 去世), each with its reason,
    resolution and approval. ``to_status`` is one of ``people.choices.MembershipStatus``."""

    model = StatusChange
    service = statuses.STATUS_CHANGES
    serializer_class = StatusChangeSerializer
    filterset_class = StatusChangeFilterSet
    select_related = ("membership__person", "membership__organization")
    ordering = ["-date", "-id"]
    http_method_names = ["get", "post", "head", "options"]
