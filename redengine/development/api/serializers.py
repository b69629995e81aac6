from rest_framework import serializers

from redengine.core.api import ScopedModelSerializer
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person

from .. import rules
from ..models import CaseContact, CultivationRecord, DevelopmentCase, DevelopmentEvent, DevelopmentPlan


class CaseSerializer(ScopedModelSerializer):
    """A case; everything but the person and the organization is derived from its steps."""

    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    organization = serializers.SlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    person_name = serializers.CharField(source="person.name", read_only=True)
    late = serializers.SerializerMethodField()

    class Meta:
        model = DevelopmentCase
        fields = [
            "id",
            "person",
            "person_name",
            "organization",
            "status",
            "close_reason",
            "closed_on",
            "opened_on",
            "stage",
            "last_step",
            "last_step_on",
            "next_step",
            "next_earliest",
            "next_rule",
            "due_step",
            "next_due",
            "due_rule",
            "late",
            "admitted_on",
            "probation_ends_on",
            "converted_on",
            "incomplete",
            "has_exception",
            "has_late",
        ]
        read_only_fields = [f for f in fields if f not in ("person", "organization")]

    def get_late(self, case) -> bool:
        return case.is_overdue()


class EventSerializer(ScopedModelSerializer):
    """A step. Creating one runs the same rules as the pages; a refusal answers 400 with the rules broken."""

    case = serializers.PrimaryKeyRelatedField(queryset=DevelopmentCase.objects.all())
    step = serializers.ChoiceField(choices=rules.STEP_CHOICES)
    exception_reason = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = DevelopmentEvent
        fields = [
            "id",
            "case",
            "step",
            "date",
            "data",
            "remarks",
            "form_serial",
            "exception_reason",
            "exception_rules",
            "late",
            "late_rules",
            "late_due",
            "incomplete",
            "rules_version",
            "recorded_at",
        ]
        read_only_fields = [
            "form_serial",
            "exception_rules",
            "late",
            "late_rules",
            "late_due",
            "incomplete",
            "rules_version",
            "recorded_at",
        ]

    def validate(self, attrs):
        return attrs  # the rules engine checks the step when it is recorded (services.record_steps)


class DueSerializer(serializers.ModelSerializer):
    """A line of the calendar: an open case, its next step and the dates the rules give it."""

    person_name = serializers.CharField(source="person.name")
    organization = serializers.CharField(source="organization.code")
    organization_name = serializers.CharField(source="organization.name")
    next_step_name = serializers.CharField()
    due_step_name = serializers.CharField()
    late = serializers.SerializerMethodField()

    class Meta:
        model = DevelopmentCase
        fields = [
            "id",
            "person",
            "person_name",
            "organization",
            "organization_name",
            "stage",
            "next_step",
            "next_step_name",
            "next_earliest",
            "next_rule",
            "due_step",
            "due_step_name",
            "next_due",
            "due_rule",
            "late",
        ]

    def get_late(self, case) -> bool:
        return case.is_overdue()


class PlanSerializer(ScopedModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())

    class Meta:
        model = DevelopmentPlan
        fields = [
            "id",
            "organization",
            "year",
            "quota",
            "front_line_quota",
            "young_backbone_quota",
            "remarks",
        ]


class ContactSerializer(ScopedModelSerializer):
    class Meta:
        model = CaseContact
        fields = ["id", "case", "person", "role", "assigned_on", "ended_on"]


class CultivationSerializer(ScopedModelSerializer):
    case = serializers.PrimaryKeyRelatedField(queryset=DevelopmentCase.objects.all())
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = CultivationRecord
        fields = ["id", "case", "kind", "date", "contact", "summary"]
