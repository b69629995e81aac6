from rest_framework import serializers

from redengine.core.api import ScopedModelSerializer
from redengine.orgs.models import PartyOrganization, School

from ..models import CommitteePost, Dispatch, Honor, Membership, Person
from ..privacy import personal_view


class PersonSerializer(ScopedModelSerializer):
    """ID numbers and mobiles are masked; the full values only through the logged reveal action. The birth
    date only to those who may reveal the person (``privacy.PersonalView``, in the context as ``personal``),
    else null."""

    school = serializers.SlugRelatedField(slug_field="code", queryset=School.objects.all())
    id_number = serializers.CharField(write_only=True, required=False)
    mobile = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number",
            "id_number_masked",
            "sex",
            "birth_date",
            "ethnic_group",
            "education",
            "mobile",
            "mobile_masked",
            "school",
            "post",
            "front_line",
            "political_status",
        ]
        read_only_fields = ["id_number_masked", "mobile_masked", "sex", "birth_date"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        personal = self.context.get("personal") or personal_view(self.context.get("user"))
        if personal.birth_date(instance) is None:
            data["birth_date"] = None
        return data


class MembershipSerializer(ScopedModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    organization = serializers.SlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())

    class Meta:
        model = Membership
        fields = [
            "id",
            "person",
            "organization",
            "admitted_on",
            "full_on",
            "ended_on",
            "observation_from",
            "observation_until",
        ]


class HonorSerializer(ScopedModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())

    class Meta:
        model = Honor
        fields = ["id", "person", "title", "level", "awarded_on", "lapsed_on"]


class DispatchSerializer(ScopedModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    school = serializers.SlugRelatedField(slug_field="code", queryset=School.objects.all())

    class Meta:
        model = Dispatch
        fields = ["id", "person", "role", "school", "dispatching_body", "public", "start_on", "end_on"]


class CommitteePostSerializer(ScopedModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())

    class Meta:
        model = CommitteePost
        fields = ["id", "organization", "person", "post", "start_on", "end_on"]
