from rest_framework import serializers

from redengine.core.api import ScopedModelSerializer
from redengine.core.scoping import ScopedQuerySet
from redengine.orgs.models import School
from redengine.people.models import Person

from ..models import Lesson, RoleModel, Story

STATUS_FIELDS = ["status", "submitted_at", "published_on", "withdrawn_on"]


class ItemSerializer(ScopedModelSerializer):
    school = serializers.SlugRelatedField(slug_field="code", queryset=School.objects.all())
    school_name = serializers.CharField(source="school.name", read_only=True)


class StorySerializer(ItemSerializer):
    """A member story. Written by ``services.record_stories`` (the members by id, the school by its code);
    its status moves through the actions (``submit/``, ``publish/``, ``return/``, ``withdraw/``); the events
    it was used at are read only here (recorded on its page)."""

    members = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True, required=False)
    uses = serializers.SerializerMethodField()

    class Meta:
        model = Story
        fields = ["id", "school", "school_name", "title", "text", "members", "tags", "uses", *STATUS_FIELDS]
        read_only_fields = STATUS_FIELDS

    def get_uses(self, obj) -> list[dict]:
        return [{"event": u.event, "held_on": u.held_on.isoformat()} for u in obj.uses.all()]


class LessonSerializer(ItemSerializer):
    """A featured lesson. Written by ``services.record_lessons``; its files (plan, video) are listed with the
    address that serves them (uploaded on its page)."""

    teacher = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    teacher_name = serializers.CharField(source="teacher.name", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = [
            "id",
            "school",
            "school_name",
            "title",
            "teacher",
            "teacher_name",
            "subject",
            "grade",
            "theme",
            "summary",
            "files",
            *STATUS_FIELDS,
        ]
        read_only_fields = STATUS_FIELDS

    def get_files(self, obj) -> list[dict]:
        return [
            {"id": f.pk, "role": f.role, "file_name": f.file_name, "size": f.size} for f in obj.files.all()
        ]


CONSENT = ("consent_by", "consent_relation", "consent_on")


class RoleModelSerializer(ItemSerializer):
    """A role model (a minor: the minimum). The consent to a photo (the guardian's name) is shown only
    within the caller's own scope; a published role model read from elsewhere shows the name, school, grade,
    deed, honour and date."""

    class Meta:
        model = RoleModel
        fields = [
            "id",
            "school",
            "school_name",
            "name",
            "grade",
            "deed",
            "honour",
            "named_on",
            *CONSENT,
            *STATUS_FIELDS,
        ]
        read_only_fields = STATUS_FIELDS

    def own_scope(self):
        """The pks of the rows serialized (the page, or the one record) that lie in the caller's own scope
        (not a published row of elsewhere): one query, at the first row."""
        found = self.context.get("_own_scope")
        if found is None:
            rows = getattr(self.parent, "instance", None) if self.parent is not None else [self.instance]
            pks = [r.pk for r in rows or [] if getattr(r, "pk", None)]
            mine = ScopedQuerySet.visible_to(RoleModel.objects.filter(pk__in=pks), self.context.get("user"))
            found = self.context["_own_scope"] = set(mine.values_list("pk", flat=True))
        return found

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.pk not in self.own_scope():
            for name in CONSENT:
                data.pop(name, None)
        return data
