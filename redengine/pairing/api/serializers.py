from rest_framework import serializers

from redengine.core.api import ScopedModelSerializer
from redengine.orgs.models import School
from redengine.people.models import Person

from ..models import PairActivity, PairActivityFile, SchoolPair


class PairSerializer(ScopedModelSerializer):
    """An urban-rural pair. Written by ``services.record_pairs``: the schools by their codes (an urban school
    and a rural one, both in the caller's scope)."""

    urban = serializers.SlugRelatedField(slug_field="code", queryset=School.objects.all())
    urban_name = serializers.CharField(source="urban.name", read_only=True)
    rural = serializers.SlugRelatedField(slug_field="code", queryset=School.objects.all())
    rural_name = serializers.CharField(source="rural.name", read_only=True)

    class Meta:
        model = SchoolPair
        fields = ["id", "urban", "urban_name", "rural", "rural_name", "agreed_on", "ended_on", "goals"]


class FileSerializer(serializers.ModelSerializer):
    """A file of an activity: its name, type and size, and where to download it (the page's URL)."""

    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = PairActivityFile
        fields = ["id", "file_name", "content_type", "size", "url"]
        read_only_fields = fields


class ActivitySerializer(ScopedModelSerializer):
    """An activity of a pair. Written by ``services.record_activities``: the kind by its code (checked by the
    service, which names the kinds), the teachers by id (people of either school whom the caller sees); the
    files are read only here (uploaded with the page's form)."""

    pair = serializers.PrimaryKeyRelatedField(queryset=SchoolPair.objects.all())
    kind = serializers.CharField(max_length=16)
    teachers = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True, required=False)
    files = FileSerializer(many=True, read_only=True)

    class Meta:
        model = PairActivity
        fields = ["id", "pair", "kind", "date", "title", "summary", "teachers", "students", "files"]
