"""``/api/assessment/campaigns/`` and ``/api/assessment/evaluations/``: the same services as the pages.

* campaigns: listed and read by every business role; opened by the city administrator (``POST``, through
  ``services.open_campaigns``: the evaluations of the scope's branches are made with it);
  ``POST …/{id}/publicity/`` starts the publicity of the approved results (``services.start_publicity``);
* evaluations: listed within the caller's scope (filters ``campaign``, ``status``, ``organization``: a
  branch's code), read with their items, automatic figures, evidence and moves; ``PATCH`` the report
  (``summary``) or the bonus (``bonus_points``, ``bonus_reason``: ``services.record_evaluations``);
  ``POST …/{id}/scores/`` takes a list of entries of the current side (``services.record_scores``),
  ``POST …/{id}/submit|review|return|approve|send_back|publish/`` the moves (``services.move_evaluations``)
  with ``date``, ``note`` and at approval ``level``, ``POST …/{id}/evidence/`` a file (multipart).

A role without the action that owns a move answers 403; an evaluation outside the caller's scope 404, as
one that does not exist; a refusal 400 with the service's Chinese messages on their fields (for the scores,
a list with one object per entry, in order).
"""

import django_filters
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from redengine.core.api import ScopedModelViewSet, refusal
from redengine.core.filters import RecordNumberFilter, YearFilter
from redengine.core.services import Item
from redengine.core.writes import RefusedError

from .. import services
from ..models import Campaign, Evaluation, EvidenceFile, Indicator, Score
from ..rules import CONFIRM, PUBLISH, REVIEW, SUBMIT, Side, Status
from .serializers import (
    CampaignSerializer,
    EvaluationListSerializer,
    EvaluationSerializer,
    EvaluationStepSerializer,
    EvaluationValuesSerializer,
    EvidenceFileSerializer,
    EvidenceUploadSerializer,
    PublicitySerializer,
    ScoreEntrySerializer,
)

READ_AND_ADD = ["get", "post", "head", "options"]
READ_AND_ACT = ["get", "post", "patch", "head", "options"]  # an evaluation: its values, and its actions


class CampaignFilterSet(django_filters.FilterSet):
    year = YearFilter(field_name="year")

    class Meta:
        model = Campaign
        fields = ["year"]


class CampaignViewSet(ScopedModelViewSet):
    """Rating campaigns (年度星级评定): a scheme run for a year over a scope."""

    model = Campaign
    service = services.CAMPAIGNS
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    select_related = ("scheme", "scope")
    ordering = ["-year", "-id"]
    http_method_names = READ_AND_ADD
    scope_actions = {"publicity": PUBLISH}

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return queryset.annotate(evaluation_count=Count("evaluations")).order_by(*self.ordering)

    @extend_schema(request=PublicitySerializer, responses={200: CampaignSerializer})
    @action(detail=True, methods=["post"], url_path="publicity", url_name="publicity")
    def publicity(self, request, pk=None):
        """Start the publicity (公示) of the campaign's approved results (services.start_publicity)."""
        campaign = self.get_object()
        body = PublicitySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.start_publicity(campaign, body.validated_data.get("date"), by=request.user)
        except RefusedError as exc:
            raise refusal(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data)


class EvaluationFilterSet(django_filters.FilterSet):
    campaign = RecordNumberFilter(field_name="campaign_id")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    organization = django_filters.CharFilter(field_name="organization__code")

    class Meta:
        model = Evaluation
        fields = ["campaign", "status", "organization"]


class NotRouted:
    """An inherited action a viewset does not offer: absent to the router (``hasattr`` is false), so that its
    route answers 405 to everyone and is not in the schema."""

    def __get__(self, obj, owner=None):
        raise AttributeError("not routed")


def move_action(move):
    """``POST /api/assessment/evaluations/{id}/<move>/``: the move of ``services.move_evaluations``."""

    def perform(self, request, pk=None):
        evaluation = self.get_object()
        body = EvaluationStepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        step = services.Step(
            evaluation, move, data.get("date") or timezone.localdate(), data["note"], data.get("level")
        )
        try:
            services.move_evaluations([step], by=request.user)
        except RefusedError as exc:
            raise refusal(exc) from exc
        return self.answer(evaluation)

    name = "return_" if move == "return" else move
    perform.__name__ = name
    perform.__doc__ = f"The move “{move}” of the evaluation (services.move_evaluations)."
    routed = action(detail=True, methods=["post"], url_path=move, url_name=move)(perform)
    return extend_schema(request=EvaluationStepSerializer, responses={200: EvaluationSerializer})(routed)


class EvaluationViewSet(ScopedModelViewSet):
    """The evaluations of the branches (one branch in one campaign), within the caller's scope."""

    model = Evaluation
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilterSet
    select_related = ("campaign", "organization")
    ordering = ["campaign_id", "organization__path"]
    http_method_names = READ_AND_ACT
    scope_actions = {
        "submit": SUBMIT,
        "review": REVIEW,
        "return_": REVIEW,
        "approve": CONFIRM,
        "send_back": CONFIRM,
        "publish": PUBLISH,
        "scores": "change",
        "evidence": "change",
    }

    def get_serializer_class(self):
        return EvaluationListSerializer if self.action == "list" else EvaluationSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False) or self.action == "list":
            return queryset.order_by(*self.ordering)
        return queryset.select_related("campaign__scheme").prefetch_related(
            Prefetch("scores", queryset=Score.objects.select_related("indicator__parent")),
            Prefetch("files", queryset=EvidenceFile.objects.defer("content").select_related("indicator")),
            "moves__by",
        )

    create = NotRouted()  # an evaluation is made with its campaign (or by services.add_evaluations)

    @extend_schema(request=EvaluationValuesSerializer, responses={200: EvaluationSerializer})
    def partial_update(self, request, *args, **kwargs):
        """The report, or the bonus and its reason (services.record_evaluations)."""
        evaluation = self.get_object()
        body = EvaluationValuesSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        try:
            services.record_evaluations(
                [Item(dict(body.validated_data), instance=evaluation)], by=request.user
            )
        except RefusedError as exc:
            raise refusal(exc) from exc
        return self.answer(evaluation)

    def answer(self, evaluation, code=status.HTTP_200_OK):
        fresh = Evaluation.objects.filter(pk=evaluation.pk)
        fresh = fresh.select_related("campaign__scheme", "organization").prefetch_related(
            Prefetch("scores", queryset=Score.objects.select_related("indicator__parent")),
            Prefetch("files", queryset=EvidenceFile.objects.defer("content").select_related("indicator")),
            "moves__by",
        )
        return Response(
            EvaluationSerializer(fresh.get(), context=self.get_serializer_context()).data, status=code
        )

    def scheme_items(self, evaluation):
        """{code: item} of the evaluation's scheme."""
        found = Indicator.objects.filter(scheme_id=evaluation.campaign.scheme_id, parent__isnull=False)
        return {i.code: i for i in found}

    @extend_schema(request=ScoreEntrySerializer(many=True), responses={200: EvaluationSerializer})
    @action(detail=True, methods=["post"], url_path="scores", url_name="scores")
    def scores(self, request, pk=None):
        """The scores of the current side (services.record_scores): a list of entries."""
        evaluation = self.get_object()
        data = request.data if isinstance(request.data, list) else request.data.get("entries")
        if not isinstance(data, list):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a list of entries.")]})
        body = ScoreEntrySerializer(data=data, many=True)
        body.is_valid(raise_exception=True)
        items = self.scheme_items(evaluation)
        side = services.side_of(evaluation.status) or Side.CITY
        unknown = [
            {"indicator": [_("No item of this code in the evaluation's scheme.")]}
            if e["indicator"] not in items
            else {}
            for e in body.validated_data
        ]
        if any(unknown):
            raise exceptions.ValidationError(unknown)
        entries = [
            services.ScoreEntry(
                evaluation,
                items[e["indicator"]],
                e.get("side") or side,
                points=e.get("points"),
                comment=e["comment"],
                override_reason=e["override_reason"],
                veto_failed=e["veto_failed"],
            )
            for e in body.validated_data
        ]
        try:
            services.record_scores(entries, by=request.user)
        except RefusedError as exc:
            if exc.missing:
                raise exceptions.NotFound() from exc
            errors = [{} for _entry in entries]
            for problem in exc.problems:
                where = errors[problem.item] if problem.item is not None else errors[0]
                where.setdefault(problem.field or "non_field_errors", []).append(str(problem.message))
            raise exceptions.ValidationError(errors) from exc
        return self.answer(evaluation)

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer}, responses={201: EvidenceFileSerializer}
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="evidence",
        url_name="evidence",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def evidence(self, request, pk=None):
        """An evidence file for an item, in self-assessment (services.add_evidence)."""
        evaluation = self.get_object()
        body = EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = self.scheme_items(evaluation).get(body.validated_data["indicator"])
        if item is None:
            raise exceptions.ValidationError(
                {"indicator": [_("No item of this code in the evaluation's scheme.")]}
            )
        upload = body.validated_data["file"]
        try:
            (made,) = services.add_evidence(
                [services.Upload(evaluation, item, upload.name, upload.read())], by=request.user
            )
        except RefusedError as exc:
            raise refusal(exc) from exc
        return Response(EvidenceFileSerializer(made).data, status=status.HTTP_201_CREATED)

    submit = move_action("submit")
    review = move_action("review")
    return_ = move_action("return")
    approve = move_action("approve")
    send_back = move_action("send_back")
    publish = move_action("publish")
