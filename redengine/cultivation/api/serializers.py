from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from redengine.core.api import ScopedModelSerializer
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person

from .. import watch
from ..models import Contest, ContestEntry, Mentorship, MentorshipReview


class ReviewLineSerializer(serializers.ModelSerializer):
    """A review as its mentorship shows it: when, what progress, when it was due and whether it was late."""

    class Meta:
        model = MentorshipReview
        fields = ["held_on", "progress", "due_on", "late"]
        read_only_fields = fields


class MentorshipSerializer(ScopedModelSerializer):
    """A mentorship. Written by ``services.record_mentorships``: the people by id, the school by its code;
    when a title counts as its outcome (``titled_by``) and its reviews are read only (reviews are added
    through ``/reviews/``)."""

    mentor = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    mentor_name = serializers.CharField(source="mentor.name", read_only=True)
    apprentice = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    apprentice_name = serializers.CharField(source="apprentice.name", read_only=True)
    school = serializers.SlugRelatedField(slug_field="code", queryset=School.objects.all())
    school_name = serializers.CharField(source="school.name", read_only=True)
    reviews = ReviewLineSerializer(many=True, read_only=True)

    class Meta:
        model = Mentorship
        fields = [
            "id",
            "kind",
            "mentor",
            "mentor_name",
            "apprentice",
            "apprentice_name",
            "school",
            "school_name",
            "start_on",
            "planned_end_on",
            "ended_on",
            "goals",
            "summary",
            "titled_by",
            "reviews",
        ]
        read_only_fields = ["titled_by"]


class ReviewSerializer(ScopedModelSerializer):
    """A half-yearly review of a mentorship. Written by ``services.record_reviews``; when it was due and
    whether it was late are derived (a late review is recorded, flagged)."""

    mentorship = serializers.PrimaryKeyRelatedField(queryset=Mentorship.objects.all())

    class Meta:
        model = MentorshipReview
        fields = ["id", "mentorship", "held_on", "progress", "due_on", "late"]
        read_only_fields = ["due_on", "late"]
        validators = []  # one review a day: checked by the write path, on the date, as the pages say


class EntryLineSerializer(serializers.ModelSerializer):
    """An entry as its contest shows it."""

    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = ContestEntry
        fields = ["id", "person", "person_name", "prize", "awarded_on", "work"]
        read_only_fields = fields


class ContestSerializer(ScopedModelSerializer):
    """A contest, held by an organization (by its code). Written by ``services.record_contests``; its
    entries are read only here (written through ``/entries/``), and only those whose person the caller
    may see are shown."""

    organization = serializers.SlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    entries = serializers.SerializerMethodField()

    class Meta:
        model = Contest
        fields = ["id", "name", "kind", "level", "held_on", "organization", "organization_name", "entries"]
        validators = []  # recorded once: checked by the write path, on the name, as the pages say

    @extend_schema_field(EntryLineSerializer(many=True))
    def get_entries(self, contest):
        return EntryLineSerializer(visible_entries(contest, self.context.get("user")), many=True).data


def visible_entries(contest, user):
    """The contest's entries whose person ``user`` may see: as the list prefetched them, else read."""
    if hasattr(contest, "visible_entries"):
        return contest.visible_entries
    if contest.pk is None:
        return []
    return list(ContestEntry.objects.visible_to(user).filter(contest=contest).select_related("person"))


class EntrySerializer(ScopedModelSerializer):
    """An entry of a contest. Written by ``services.record_entries``: the person must be of the schools of
    the organization that holds the contest; a prize without a date takes the contest's."""

    contest = serializers.PrimaryKeyRelatedField(queryset=Contest.objects.all())
    contest_name = serializers.CharField(source="contest.name", read_only=True)
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = ContestEntry
        fields = ["id", "contest", "contest_name", "person", "person_name", "prize", "awarded_on", "work"]
        validators = []  # one entry a person: checked by the write path, on the person, as the pages say


# The watch lists: people, with what the lists annotate (never an ID number or a mobile) ----------------
class WatchQuerySerializer(serializers.Serializer):
    """The filters of both watch lists, from the query string."""

    school = serializers.CharField(required=False, max_length=20)
    front_line = serializers.BooleanField(required=False, allow_null=True)
    age_min = serializers.IntegerField(required=False, min_value=0, max_value=150)
    age_max = serializers.IntegerField(required=False, min_value=0, max_value=150)


class MemberWatchQuerySerializer(WatchQuerySerializer):
    quiet = serializers.BooleanField(required=False, allow_null=True)


class WatchedPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    school = serializers.CharField(source="school.code")
    school_name = serializers.CharField(source="school.name")


class BackboneWatchSerializer(WatchedPersonSerializer):
    """A holder of 骨干教师 or 卓越教师 today who is not a party member: the title, the stage of an open
    development case and its training contact, and whether a political mentorship runs for them."""

    title = serializers.CharField()
    title_level = serializers.CharField()
    case_stage = serializers.CharField(allow_null=True)
    contact_name = serializers.CharField(allow_null=True)
    mentored = serializers.BooleanField()


class MemberWatchSerializer(WatchedPersonSerializer):
    """A young member with their mentorships as apprentice, contest entries, prizes, speaking and titles,
    the latest of these (null: none yet), and whether they had any within ``cult.quiet_years`` years."""

    mentorship_count = serializers.IntegerField()
    entry_count = serializers.IntegerField()
    prize_count = serializers.IntegerField()
    speaking_count = serializers.IntegerField()
    title_count = serializers.IntegerField()
    last_cultivation = serializers.SerializerMethodField()
    active = serializers.BooleanField()

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_last_cultivation(self, person):
        value = person.last_cultivation
        if value is None or value <= watch.NEVER:
            return None
        return value.isoformat()
