"""The serializers of ``/api/assessment/campaigns/`` and ``/api/assessment/evaluations/``. The writes are the
services' (``services.open_campaigns``, ``record_scores``, ``move_evaluations``, ``add_evidence``,
``start_publicity``): the bodies here only carry their values, and the services' problems come back on their
fields."""

from rest_framework import serializers

from redengine.core.api import ScopedModelSerializer
from redengine.orgs.models import PartyOrganization

from ..models import Campaign, Evaluation, EvaluationMove, EvidenceFile, Scheme, Score
from ..rules import Side
from ..services import automatic


class CampaignSerializer(ScopedModelSerializer):
    """A rating campaign. Opened by ``services.open_campaigns`` (the city administrator): its scheme by id,
    its scope by the organization's code; the evaluations of the scope's branches are made with it. The
    publicity and the publication are read only (``POST …/{id}/publicity/``, the evaluations' moves)."""

    scheme = serializers.PrimaryKeyRelatedField(queryset=Scheme.objects.all())
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    scope = serializers.SlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    scope_name = serializers.CharField(source="scope.name", read_only=True)
    evaluations = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "scheme",
            "scheme_name",
            "year",
            "scope",
            "scope_name",
            "starts_on",
            "self_until",
            "district_until",
            "city_until",
            "publicity_from",
            "publicity_until",
            "published_on",
            "evaluations",
        ]
        read_only_fields = ["publicity_from", "publicity_until", "published_on"]
        validators = []  # one campaign of a scope a year: checked by the write path, as the pages say

    def get_evaluations(self, obj) -> int:
        """How many branches the campaign rates."""
        counted = getattr(obj, "evaluation_count", None)
        return counted if counted is not None else obj.evaluations.count()


class PublicitySerializer(serializers.Serializer):
    """The first day of the publicity (today when left out)."""

    date = serializers.DateField(required=False)


class ScoreSerializer(serializers.ModelSerializer):
    """One item of an evaluation: each side's points and comment, the automatic points and the figure of the
    records behind them (when the item is scored from the records), the reason of an override, the veto."""

    indicator = serializers.CharField(source="indicator.code", read_only=True)
    name = serializers.CharField(source="indicator.name", read_only=True)
    dimension = serializers.CharField(source="indicator.parent.code", read_only=True, default=None)
    max_points = serializers.DecimalField(
        source="indicator.max_points", max_digits=6, decimal_places=1, read_only=True
    )
    veto = serializers.BooleanField(source="indicator.veto", read_only=True)
    metric = serializers.CharField(source="indicator.metric", read_only=True)
    evidence_required = serializers.BooleanField(source="indicator.evidence_required", read_only=True)

    class Meta:
        model = Score
        fields = [
            "indicator",
            "name",
            "dimension",
            "max_points",
            "veto",
            "metric",
            "evidence_required",
            "self_points",
            "self_comment",
            "district_points",
            "district_comment",
            "city_points",
            "city_comment",
            "auto_points",
            "auto_figure",
            "auto_on",
            "override_reason",
            "veto_failed",
        ]
        read_only_fields = fields


class EvaluationMoveLineSerializer(serializers.ModelSerializer):
    """A move of the evaluation's history: what, when, by whom, the note or reason, whether it was late."""

    by = serializers.CharField(source="by.username", read_only=True, default=None)

    class Meta:
        model = EvaluationMove
        fields = ["move", "date", "by", "note", "late", "recorded_at"]
        read_only_fields = fields


class EvidenceFileSerializer(serializers.ModelSerializer):
    """An evidence file (its content is downloaded from the evaluation's page, logged)."""

    indicator = serializers.CharField(source="indicator.code", read_only=True)

    class Meta:
        model = EvidenceFile
        fields = ["id", "indicator", "file_name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


EVALUATION_FIELDS = [
    "id",
    "campaign",
    "year",
    "organization",
    "organization_name",
    "status",
    "self_total",
    "district_total",
    "total",
    "computed_level",
    "level",
    "veto_failed",
    "submitted_on",
    "reviewed_on",
    "approved_on",
    "published_on",
]


class EvaluationListSerializer(serializers.ModelSerializer):
    """An evaluation in a list: its branch, status, totals and level."""

    year = serializers.IntegerField(source="campaign.year", read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Evaluation
        fields = EVALUATION_FIELDS
        read_only_fields = fields


class FigureSerializer(serializers.Serializer):
    """An item scored from the records: its figure (as the records give it now while the evaluation is not
    published, else as stored), the points it gives and the address of the list of its records."""

    indicator = serializers.CharField(source="indicator.code")
    metric = serializers.CharField(source="indicator.metric")
    figure = serializers.JSONField()
    points = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    url = serializers.CharField(allow_null=True)
    live = serializers.BooleanField()


class EvaluationSerializer(EvaluationListSerializer):
    """An evaluation with its report, bonus, items, automatic figures, evidence files and moves."""

    scores = ScoreSerializer(many=True, read_only=True)
    files = EvidenceFileSerializer(many=True, read_only=True)
    moves = EvaluationMoveLineSerializer(many=True, read_only=True)
    automatic = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            *EVALUATION_FIELDS,
            "summary",
            "bonus_points",
            "bonus_reason",
            "scores",
            "automatic",
            "files",
            "moves",
        ]
        read_only_fields = fields

    def get_automatic(self, obj) -> list[dict]:
        return FigureSerializer(automatic.live_figures(obj), many=True).data


class EvaluationValuesSerializer(serializers.Serializer):
    """The evaluation's own values (``PATCH``, through ``services.record_evaluations``): the branch's report
    in self-assessment, the reviewers' bonus and its reason while they review."""

    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    bonus_points = serializers.CharField(required=False, max_length=20)
    bonus_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ScoreEntrySerializer(serializers.Serializer):
    """One item of a side's scores: the item by its code, the points (null or left out: not scored), the
    comment, the reason of a reviewer's override of an item scored from the records, and for a veto item
    whether it failed. The side is the evaluation's current one (the branch's in self-assessment, the
    district's once submitted, the city's once reviewed) unless given."""

    indicator = serializers.CharField(max_length=12)
    side = serializers.ChoiceField(choices=Side.choices, required=False)
    points = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=20)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    veto_failed = serializers.BooleanField(required=False, allow_null=True, default=None)


class EvaluationStepSerializer(serializers.Serializer):
    """A move's body: its date (today when left out), the note or reason and, at approval, the level awarded
    (left out: the level the points give)."""

    date = serializers.DateField(required=False)
    note = serializers.CharField(allow_blank=True, max_length=1000, default="")
    level = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)


class EvidenceUploadSerializer(serializers.Serializer):
    """A file (multipart) for an item (its code): PDF, Word (.docx) or a photo, at most 10 MB."""

    indicator = serializers.CharField(max_length=12)
    file = serializers.FileField()
