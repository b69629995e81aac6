from django.utils.translation import gettext as _
from rest_framework import serializers

from redengine.core.api import ScopedModelSerializer

from ..models import AffiliationChange, GrantStandard, PartyOrganization, School, StartupGrant


class SchoolSerializer(ScopedModelSerializer):
    district_name = serializers.CharField(read_only=True)

    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "name",
            "district",
            "district_name",
            "ownership",
            "school_type",
            "urban_rural",
            "city_managed",
        ]


class OrganizationSerializer(ScopedModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=PartyOrganization.objects.all(), required=False, allow_null=True
    )
    schools = serializers.SlugRelatedField(
        slug_field="code", queryset=School.objects.all(), many=True, required=False
    )

    class Meta:
        model = PartyOrganization
        fields = ["id", "code", "name", "org_type", "parent", "depth", "founded_on", "district", "schools"]
        read_only_fields = ["depth"]
        # 所辖区县 (district) is set here too: the service checks it (one organization per district).
        extra_kwargs = {"district": {"validators": []}}
        # The approval authority (DEV.APPROVER) and an approved postponement of the election (ORG.TERM_CHANGE).
        fields += [
            "approves_admissions",
            "party_groups",
            "election_due_on",
            "election_postponed_to",
            "postponement_approved_on",
            "postponement_approved_by",
        ]
        read_only_fields += ["election_due_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.context.get("user")
        if user is not None:
            # The parent of a new organization must be one where the caller may add.
            self.fields["parent"].queryset = PartyOrganization.objects.visible_to(user, "add")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if hasattr(instance, "parent_code"):
            data["parent"] = instance.parent_code
        else:
            data["parent"] = (
                PartyOrganization.objects.get_parent(instance).code if instance.depth > 1 else None
            )
        return data

    def validate(self, attrs):
        if self.instance is None and not attrs.get("parent"):
            raise serializers.ValidationError({"parent": _("Give the parent organization.")})
        return attrs


class AffiliationChangeSerializer(ScopedModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="code", read_only=True)
    old_parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    new_parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AffiliationChange
        fields = [
            "id",
            "organization",
            "old_parent",
            "old_parent_name",
            "new_parent",
            "changed_on",
            "document_number",
        ]


class StartupGrantSerializer(ScopedModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())

    class Meta:
        model = StartupGrant
        fields = ["id", "organization", "amount", "approved_on", "paid_on"]


class GrantStandardSerializer(ScopedModelSerializer):
    class Meta:
        model = GrantStandard
        fields = ["id", "org_type", "valid_from", "amount"]
