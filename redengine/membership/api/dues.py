"""The API of party dues: ``/api/people/dues/`` (the ledger's months, filtered by organization, month, year,
owed; a payment is a ``PATCH`` of the month, written by ``services.dues.record_payments``) and
``/api/people/dues-quote/?base=B&category=C`` (the calculator: the monthly dues, the rate, the rule and its
source, by the rules in force)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from redengine.core.api import ScopedModelViewSet, refusal
from redengine.core.writes import RefusedError

from ..dues_filters import DuesEntryFilterSet
from ..models import DuesEntry
from ..rules import DuesCategory, dues_table, quote
from ..services import dues
from ..services.dues import ENTRY_RELATED, read_amount, unknown_category


class DuesEntrySerializer(serializers.ModelSerializer):
    """One month of a member's dues: due, paid (date, method), owed; the member named by the masked ID number."""

    person = serializers.IntegerField(source="membership.person_id", read_only=True)
    name = serializers.CharField(source="membership.person.name", read_only=True)
    id_number = serializers.CharField(source="membership.person.id_number_masked", read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    month = serializers.CharField(source="month_text", read_only=True)
    owed = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)
    base = serializers.DecimalField(source="dues_base.base", max_digits=10, decimal_places=2, read_only=True)

    class Meta:
        model = DuesEntry
        fields = [
            "id",
            "membership",
            "person",
            "name",
            "id_number",
            "organization",
            "organization_name",
            "month",
            "base",
            "due",
            "paid",
            "owed",
            "paid_on",
            "method",
        ]
        read_only_fields = fields


class PaymentSerializer(serializers.Serializer):
    """A payment's body: the amount paid for the month in all, the date, the method (0 and no date: taken back).
    The amount is checked by the service (its messages name what is wrong)."""

    paid = serializers.CharField(max_length=20)
    paid_on = serializers.DateField(required=False, allow_null=True)
    method = serializers.CharField(required=False, allow_blank=True, max_length=10, default="")


class DuesEntryViewSet(ScopedModelViewSet):
    """The months of the dues ledger. ``PATCH /api/people/dues/{id}/`` records the payment of the month."""

    model = DuesEntry
    serializer_class = DuesEntrySerializer
    filterset_class = DuesEntryFilterSet
    select_related = (*ENTRY_RELATED, "dues_base")
    ordering = ["-month", "id"]
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(request=PaymentSerializer, responses={200: DuesEntrySerializer})
    def partial_update(self, request, *args, **kwargs):
        entry = self.get_object()
        body = PaymentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        payment = dues.Payment(
            entry=entry, amount=data["paid"], paid_on=data.get("paid_on"), method=data.get("method", "")
        )
        try:
            dues.record_payments([payment], by=request.user)
        except RefusedError as exc:
            raise refusal(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data)


class DuesQuoteView(APIView):
    """``GET /api/people/dues-quote/?base=B&category=C``: the monthly dues of a base and a category by the
    rules in force today — ``{"monthly": "75.00", "rate": "0.015", "rule": "…", "rule_code": "DUES.BRACKETS",
    "source": "…"}`` (``rate`` null for a flat amount). A wrong base or category: 400, naming the parameter.
    Any business role may ask (the view of the ledger)."""

    queryset = DuesEntry.objects.none()  # for the default scoped permission (view on the ledger)

    def get_queryset(self):
        return DuesEntry.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("base", OpenApiTypes.STR, description="monthly base in yuan, such as 5000.01"),
            OpenApiParameter("category", OpenApiTypes.STR, enum=list(DuesCategory.values)),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        base, category = request.query_params.get("base"), request.query_params.get("category")
        errors = {}
        amount, reason = read_amount(base)
        if reason or amount is None:
            errors["base"] = [
                _("The parameter base: %(reason)s")
                % {"reason": reason or _("give the monthly base in yuan.")}
            ]
        if category not in DuesCategory.values:
            reason = (
                unknown_category(category)
                if category
                else _("give one of in_service, retired, student, hardship.")
            )
            errors["category"] = [_("The parameter category: %(reason)s") % {"reason": reason}]
        if errors:
            return Response(errors, status=400)
        found = quote(amount, category)
        table = dues_table()
        return Response(
            {
                "base": str(amount),
                "category": category,
                "monthly": str(found.monthly),
                "rate": str(found.rate) if found.rate is not None else None,
                "rule": found.rule_name,
                "rule_code": found.rule,
                "source": found.source,
                "table": table.version,
                "fixing": table.fixing,
            }
        )
