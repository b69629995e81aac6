from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers

from redengine.core.api import ScopedModelSerializer
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person

from .. import rules
from ..models import AttendanceStatus, Meeting
from ..services import Listed

TYPE_CODES = {name: code.value for code, name in rules.CHINESE.items()}


class MeetingTypeField(serializers.ChoiceField):
    """A meeting type by its code, or by its name on the 组织生活 sheet (支部党员大会, 主题党日…)."""

    def __init__(self, **kwargs):
        super().__init__(choices=rules.MeetingType.choices, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = TYPE_CODES.get(data.strip(), data.strip())
        return super().to_internal_value(data)


class AttendanceList(serializers.ListSerializer):
    """A meeting's list: its rows with their people, read in one query when they were not prefetched."""

    def to_representation(self, data):
        if isinstance(data, models.Manager):
            prefetched = getattr(data.instance, "_prefetched_objects_cache", {})
            data = data.all() if "attendance" in prefetched else data.select_related("person")
        return super().to_representation(data)


class AttendanceLineSerializer(serializers.Serializer):
    """One line of the list: a person by id, present, absent with leave (and why) or absent without."""

    person = serializers.IntegerField(source="person_id", min_value=1)
    person_name = serializers.CharField(source="person.name", read_only=True)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    guest = serializers.BooleanField(read_only=True)

    class Meta:
        list_serializer_class = AttendanceList


class MeetingSerializer(ScopedModelSerializer):
    """A meeting. Written by ``services.record_meetings``: with ``attendance`` the list is the organization's
    roster on the day (a member not named is absent without leave) and the counts follow from it; without
    it the counts given are kept. A change with ``attendance`` replaces the list."""

    organization = serializers.SlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    meeting_type = MeetingTypeField()
    meeting_type_name = serializers.CharField(source="get_meeting_type_display", read_only=True)
    host = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    lecturer = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    attendance = AttendanceLineSerializer(many=True, required=False)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organization",
            "organization_name",
            "meeting_type",
            "meeting_type_name",
            "date",
            "topic",
            "place",
            "host",
            "lecturer",
            "lecturer_name",
            "by_secretary",
            "expected",
            "actual",
            "from_list",
            "minutes",
            "resolutions",
            "recorded_at",
            "attendance",
        ]
        read_only_fields = ["by_secretary", "from_list", "recorded_at"]
        validators = []  # one meeting of a type a day: checked by the write path, on the date, as the pages say

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.context.get("with_attendance", True):
            self.fields.pop("attendance")

    def validate(self, attrs):
        errors = {}
        meeting = self.instance
        counts = [name for name in ("expected", "actual") if name in attrs]
        if "attendance" in attrs and counts:
            errors["attendance"] = _(
                "Give either the attendance list or the expected and actual counts, not both: with a list the "
                "counts follow from it."
            )
        elif meeting is not None and meeting.from_list and "attendance" not in attrs:
            # A listed meeting's counts follow from its list: the same counts sent back change nothing.
            for name in [n for n in counts if attrs[n] != getattr(meeting, n)][:1]:
                errors[name] = _(
                    "The counts of this meeting follow from its attendance list: send the list instead."
                )
        if (
            meeting is not None
            and "organization" in attrs
            and attrs["organization"].pk != meeting.organization_id
        ):
            errors["organization"] = _(
                "A meeting stays with the organization that held it: delete it and record it for the other "
                "organization."
            )
        if errors:
            raise serializers.ValidationError(errors)
        if "attendance" in attrs:
            attrs["attendance"] = self.listed(attrs["attendance"])
        return attrs

    def listed(self, lines):
        """The lines as the write path takes them; the people the caller may see by their records (so that a
        refusal names them), the others by id (the write path says only that they may not be listed)."""
        pks = {line["person_id"] for line in lines}
        user = self.context.get("user")
        known = {p.pk: p for p in Person.objects.visible_to(user).filter(pk__in=pks).only("id", "name")}
        return [
            Listed(known.get(line["person_id"], line["person_id"]), line["status"], line.get("reason", ""))
            for line in lines
        ]
