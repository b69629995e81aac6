"""``/api/assessment/schemes/``: the rating schemes with their levels and indicators nested, read by every
business role; written by the city administrator through ``schemes.record_schemes`` — a POST makes a scheme
(header, ``levels``, ``indicators`` with each item's dimension by its ``parent`` code), a PATCH or PUT replaces
the header fields given and the levels or indicators given (those left out stay), ``POST …/{id}/copy/``
copies a scheme into a new version (``schemes.copy_scheme``). A refusal answers 400 with the service's
messages where they lie: ``{"levels": {"2": {"min_points": [...]}}}``, a header field by its name."""

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from redengine.core.api import ScopedModelViewSet
from redengine.core.writes import RefusedError

from ..models import Indicator, Level, Scheme
from ..rules import Status
from ..services import schemes


class LevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ["level", "name", "min_points", "quota_percent"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "parent",
            "position",
            "name",
            "max_points",
            "guidance",
            "evidence",
            "evidence_required",
            "veto",
            "metric",
            "auto_mode",
            "auto_target",
            "source",
        ]
        read_only_fields = fields


class SchemeSerializer(serializers.ModelSerializer):
    """A scheme, its levels (highest first) and its indicators (dimensions and items in order); ``in_use``:
    a campaign has used it past self-assessment (it is then copied, never changed)."""

    levels = LevelSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)
    based_on = serializers.PrimaryKeyRelatedField(read_only=True)
    in_use = serializers.SerializerMethodField()

    class Meta:
        model = Scheme
        fields = ["id", *schemes.HEADER_FIELDS, "based_on", "in_use", "levels", "indicators"]
        read_only_fields = fields

    def get_in_use(self, scheme) -> bool:
        return bool(getattr(scheme, "evaluations_past_draft", 0))


class CopySerializer(serializers.Serializer):
    version = serializers.CharField(max_length=20)
    effective_year = serializers.IntegerField()
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


def located(refused):
    """A refusal of ``record_schemes`` (one draft) as the API answers it: the messages where they lie."""
    if refused.missing:
        return exceptions.NotFound()
    errors = {}
    for problem in refused.problems:
        part, index, name = schemes.split_field(problem.field)
        message = str(problem.message)
        if part is None:
            errors.setdefault(name or "non_field_errors", []).append(message)
        elif index is None:
            errors.setdefault(part, {}).setdefault("non_field_errors", []).append(message)
        else:
            errors.setdefault(part, {}).setdefault(str(index), {}).setdefault(name, []).append(message)
    return exceptions.ValidationError(errors)


def rows_of(data, name):
    rows = data.get(name)
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise exceptions.ValidationError({name: [_("A list of objects, one a row.")]})
    return rows


def parts_of(data, fields, name):
    """The rows of ``name`` with only the fields a scheme has (the read-only ones of a GET are dropped)."""
    return [{k: v for k, v in row.items() if k in fields} for row in rows_of(data, name)]


class SchemeViewSet(ScopedModelViewSet):
    model = Scheme
    serializer_class = SchemeSerializer
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    scope_actions = {"copy": "add"}
    ordering = ["-effective_year", "name", "-id"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                evaluations_past_draft=Count(
                    "campaigns__evaluations", filter=~Q(campaigns__evaluations__status=Status.DRAFT)
                )
            )
            .prefetch_related(
                Prefetch("levels", queryset=Level.objects.order_by("-level")),
                Prefetch(
                    "indicators",
                    queryset=Indicator.objects.select_related("parent").order_by("position", "pk"),
                ),
            )
            .order_by(*self.ordering)
        )

    def answer(self, scheme, status=200):
        return Response(self.get_serializer(self.get_queryset().get(pk=scheme.pk)).data, status=status)

    def draft(self, data, instance=None, partial=False):
        if not isinstance(data, dict):
            raise exceptions.ValidationError(
                {"non_field_errors": [_("A JSON object: the scheme's fields, levels and indicators.")]}
            )
        current = schemes.draft_of(instance) if instance is not None else schemes.SchemeDraft({})
        values = {k: v for k, v in data.items() if k in schemes.HEADER_FIELDS}
        draft = schemes.SchemeDraft({**current.values, **values} if partial or instance else values)
        draft.levels = (
            parts_of(data, schemes.LEVEL_FIELDS, "levels")
            if "levels" in data or not partial
            else current.levels
        )
        draft.indicators = (
            parts_of(data, schemes.INDICATOR_FIELDS, "indicators")
            if "indicators" in data or not partial
            else current.indicators
        )
        draft.instance = instance
        return draft

    def record(self, draft):
        try:
            (scheme,) = schemes.record_schemes([draft], by=self.request.user)
        except RefusedError as refused:
            raise located(refused) from refused
        return scheme

    @extend_schema(request=SchemeSerializer, responses={201: SchemeSerializer})
    def create(self, request, *args, **kwargs):
        return self.answer(self.record(self.draft(request.data)), status=201)

    @extend_schema(request=SchemeSerializer, responses={200: SchemeSerializer})
    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        draft = self.draft(request.data, instance, partial=kwargs.get("partial", False))
        return self.answer(self.record(draft))

    @extend_schema(request=CopySerializer, responses={201: SchemeSerializer})
    @action(detail=True, methods=["post"], url_path="copy", url_name="copy")
    def copy(self, request, pk=None):
        """A copy of the scheme as a new version (its levels and indicators), which the city then edits."""
        scheme = self.get_object()
        body = CopySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            made = schemes.copy_scheme(
                scheme,
                by=request.user,
                version=data["version"],
                effective_year=data["effective_year"],
                name=data.get("name") or None,
            )
        except RefusedError as refused:
            raise located(refused) from refused
        return self.answer(made, status=201)
