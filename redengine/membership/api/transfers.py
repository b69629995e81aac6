"""``/api/people/transfers/``: transfers of the organization relationship, with their history of moves.

``POST`` starts one: within the system (``kind`` "within": the person, the receiving organization's code,
and the new school's), an introduction letter out of it ("out": the receiving body outside, the number
made when left out) or a letter received from outside ("in": the membership it gives). The moves are
routes of their own (``…/{id}/send/``, ``request``, ``accept``, ``reject``, ``cancel``, ``receipt``), made by
the side they belong to: 403 for a role without the move, 404 for a transfer the caller's side may not
move (as for one that does not exist), 400 naming the field when the state or the body does not allow it.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from redengine.core.api import ScopedModelViewSet, refusal
from redengine.core.audit import remember
from redengine.core.writes import RefusedError
from redengine.orgs.models import PartyOrganization, School

from ..models import Transfer, TransferMove
from ..rules import ACCEPT, CANCEL, ISSUE, RECEIPT, REJECT, REQUEST, SEND, TransferKind, TransferReason
from ..services import transfers as services
from ..transfer_filters import TransferFilterSet
from ..transfer_forms import start_candidates, transferable_people

MOVES = (SEND, REQUEST, ACCEPT, REJECT, CANCEL, RECEIPT)
ACTION_NAMES = {move: "request_move" if move == REQUEST else move for move in MOVES}


class TransferMoveLineSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True, default=None)

    class Meta:
        model = TransferMove
        fields = ["move", "date", "by", "note", "late", "recorded_at"]
        read_only_fields = fields


class TransferSerializer(serializers.ModelSerializer):
    """A transfer as it is recorded; the person by id, name and masked ID number, the organizations and the
    new school by their codes."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    person_id_number = serializers.CharField(source="person.id_number_masked", read_only=True)
    from_organization = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_organization = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_school = serializers.SlugRelatedField(slug_field="code", read_only=True)
    moves = TransferMoveLineSerializer(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "kind",
            "status",
            "reason",
            "person",
            "person_name",
            "person_id_number",
            "membership",
            "case",
            "from_organization",
            "to_organization",
            "to_school",
            "outside_organization",
            "started_by",
            "started_on",
            "decided_on",
            "refusal",
            "proposed_by_change",
            "letter_number",
            "letter_valid_until",
            "receipt_on",
            "admitted_on",
            "full_on",
            "note",
            "moves",
        ]
        read_only_fields = fields


class StartSerializer(serializers.Serializer):
    """A new transfer: ``kind`` "within" (default), "out" (a letter out of the system) or "in" (a letter from
    outside); the fields each kind needs (the others are ignored)."""

    kind = serializers.ChoiceField(choices=TransferKind.choices, default=TransferKind.WITHIN)
    person = serializers.IntegerField()
    to_organization = serializers.CharField(required=False, allow_blank=True, max_length=40)
    to_school = serializers.CharField(required=False, allow_blank=True, max_length=10)
    outside_organization = serializers.CharField(required=False, allow_blank=True, max_length=100)
    letter_number = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    date = serializers.DateField(
        required=False, help_text="The day started, issued or received (today if left out)."
    )
    side = serializers.ChoiceField(choices=["sending", "receiving"], required=False)
    reason = serializers.ChoiceField(choices=TransferReason.choices, default=TransferReason.JOB)
    admitted_on = serializers.DateField(required=False, allow_null=True)
    full_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class TransferStepSerializer(serializers.Serializer):
    """A move's body: its date (today when left out), the note (the reason of a refusal or a cancellation),
    the organization's code (an acceptance: the branch that takes the member; a proposal started: the
    receiving organization)."""

    date = serializers.DateField(required=False)
    note = serializers.CharField(allow_blank=True, max_length=1000, default="")
    organization = serializers.CharField(allow_blank=True, max_length=40, default="")


def by_code(model, code, field):
    code = (code or "").strip()
    if not code:
        return None
    found = model.objects.filter(code=code).first()
    if found is None:
        message = (
            _("No organization has this code.")
            if model is PartyOrganization
            else _("No school has this code.")
        )
        raise exceptions.ValidationError({field: [message]})
    return found


def move_action(move):
    """``POST /api/people/transfers/{id}/<move>/``: the move of ``services.move_transfers``. (The method of
    ``request`` is named ``request_move``: a viewset's ``request`` is the request.)"""

    def perform(self, request, pk=None):
        transfer = get_object_or_404(services.movable(self.get_queryset(), request.user, move), pk=pk)
        remember([transfer])
        body = TransferStepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        organization = by_code(PartyOrganization, data["organization"], "organization")
        step = services.Step(
            transfer, move, data.get("date") or timezone.localdate(), data["note"], organization
        )
        try:
            services.move_transfers([step], by=request.user)
        except RefusedError as exc:
            raise refusal(exc) from exc
        return Response(TransferSerializer(Transfer.objects.get(pk=transfer.pk)).data)

    perform.__name__ = ACTION_NAMES[move]
    perform.__doc__ = (
        f"The move “{move}” of the transfer (services.move_transfers), by the side it belongs to."
    )
    routed = action(detail=True, methods=["post"], url_path=move, url_name=move)(perform)
    return extend_schema(request=TransferStepSerializer, responses={200: TransferSerializer})(routed)


class TransferViewSet(ScopedModelViewSet):
    """Transfers of the organization relationship (组织关系转接), within, out of and into the system."""

    model = Transfer
    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet
    select_related = ("person", "from_organization", "to_organization", "to_school")
    prefetch_related = ("moves__by",)
    ordering = ["-started_on", "-id"]
    http_method_names = ["get", "post", "head", "options"]
    scope_actions = {ACTION_NAMES[move]: move for move in MOVES}

    def get_queryset(self):
        return super().get_queryset().order_by(*self.ordering)

    def person(self, data, letter_in):
        user = self.request.user
        candidates = transferable_people(user, letter_in=True) if letter_in else start_candidates(user)
        found = candidates.filter(pk=data["person"]).select_related("school").first()
        if found is None:
            raise exceptions.ValidationError({"person": [_("No such person among those you may transfer.")]})
        return found

    @extend_schema(request=StartSerializer, responses={201: TransferSerializer})
    def create(self, request, *args, **kwargs):
        body = StartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        kind, day = data["kind"], data.get("date") or timezone.localdate()
        if kind == TransferKind.OUT and not request.user.can(Transfer, ISSUE):
            raise exceptions.PermissionDenied()
        if kind == TransferKind.IN and not request.user.can(Transfer, ACCEPT):
            raise exceptions.PermissionDenied()
        person = self.person(data, kind == TransferKind.IN)
        try:
            if kind == TransferKind.OUT:
                letter = services.LetterOut(
                    person,
                    data.get("outside_organization", ""),
                    day,
                    data["reason"],
                    data["letter_number"],
                    data["note"],
                )
                (transfer,) = services.issue_letters([letter], by=request.user)
            elif kind == TransferKind.IN:
                letter = services.LetterIn(
                    person,
                    by_code(PartyOrganization, data.get("to_organization"), "to_organization"),
                    data.get("outside_organization", ""),
                    day,
                    data.get("admitted_on"),
                    data.get("full_on"),
                    data["letter_number"],
                    data["reason"],
                    data["note"],
                )
                (transfer,) = services.receive_letters([letter], by=request.user)
            else:
                start = services.Start(
                    person,
                    by_code(PartyOrganization, data.get("to_organization"), "to_organization"),
                    day,
                    data["reason"],
                    by_code(School, data.get("to_school"), "to_school"),
                    data["note"],
                    data.get("side"),
                )
                (transfer,) = services.start_transfers([start], by=request.user)
        except RefusedError as exc:
            raise refusal(exc) from exc
        return Response(
            TransferSerializer(Transfer.objects.get(pk=transfer.pk)).data, status=status.HTTP_201_CREATED
        )

    send = move_action(SEND)
    request_move = move_action(REQUEST)
    accept = move_action(ACCEPT)
    reject = move_action(REJECT)
    cancel = move_action(CANCEL)
    receipt = move_action(RECEIPT)
