from rest_framework import serializers

from redengine.core.api import ScopedModelSerializer
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person

from ..models import PioneerUnit, ServiceLog, UnitMove
from ..rules import UnitKind
from ..services import unknown_kind


class MoveLineSerializer(serializers.ModelSerializer):
    """A move of the unit's history: what, when, by whom, the note or reason, when it was recorded."""

    by = serializers.CharField(source="by.username", read_only=True, default=None)

    class Meta:
        model = UnitMove
        fields = ["move", "date", "by", "note", "imported", "late", "recorded_at"]
        read_only_fields = fields


class KindField(serializers.ChoiceField):
    """The kind, refused with the message the pages give (naming the three kinds)."""

    def to_internal_value(self, data):
        if data not in UnitKind.values:
            raise serializers.ValidationError(unknown_kind(data))
        return data


class UnitSerializer(ScopedModelSerializer):
    """A pioneer unit. Written by ``services.record_units``: the school and the organization by their codes,
    the leader and the members by their ids; the state, the dates of the moves and the plaque are read only
    (written by the moves: ``POST …/{id}/file/`` and the others)."""

    kind = KindField(choices=UnitKind.choices)
    school = serializers.SlugRelatedField(slug_field="code", queryset=School.objects.all())
    school_name = serializers.CharField(source="school.name", read_only=True)
    organization = serializers.SlugRelatedField(
        slug_field="code", queryset=PartyOrganization.objects.all(), required=False, allow_null=True
    )
    leader = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    members = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True, required=False)
    moves = MoveLineSerializer(many=True, read_only=True)

    class Meta:
        model = PioneerUnit
        fields = [
            "id",
            "kind",
            "name",
            "school",
            "school_name",
            "organization",
            "leader",
            "members",
            "standard",
            "identity",
            "commitment",
            "status",
            "applied_on",
            "filed_on",
            "reviewed_on",
            "certified_on",
            "plaque_number",
            "last_checked_on",
            "revoked_on",
            "reason",
            "moves",
        ]
        read_only_fields = [
            "status",
            "filed_on",
            "reviewed_on",
            "certified_on",
            "plaque_number",
            "last_checked_on",
            "revoked_on",
            "reason",
        ]
        validators = []  # one unit of a name at a school: checked by the write path, as the pages say


class MoveSerializer(serializers.Serializer):
    """A move's body: its date (today when left out), the note or reason, the plaque number (certify)."""

    date = serializers.DateField(required=False)
    note = serializers.CharField(allow_blank=True, max_length=1000, default="")
    plaque_number = serializers.CharField(allow_blank=True, max_length=40, default="")


class ServiceLogSerializer(ScopedModelSerializer):
    """A service log of a volunteer team. Written by ``services.record_service_logs``."""

    unit = serializers.PrimaryKeyRelatedField(queryset=PioneerUnit.objects.all())
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    person_hours = serializers.DecimalField(max_digits=10, decimal_places=1, read_only=True)

    class Meta:
        model = ServiceLog
        fields = ["id", "unit", "unit_name", "date", "hours", "people", "activity", "person_hours"]
