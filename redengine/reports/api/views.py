"""``GET /api/metrics/?scope=CODE&year=Y`` (or ``from``/``to``): every metric for a scope the caller sees."""

from django.http import Http404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from redengine.core.dbrouting import replica_reads
from redengine.core.metrics import Period, compute_all
from redengine.orgs.models import PartyOrganization


def _year(request, name):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not (value.isascii() and value.isdigit()):
        raise exceptions.ValidationError({name: _("Give a four-digit year.")})
    return int(value)


class MetricsView(APIView):
    """The figures of metrics.md, scoped: the scope must be an organization the caller may see."""

    queryset = PartyOrganization.objects.all()  # for the default scoped permission (view on organizations)

    def get_queryset(self):
        return PartyOrganization.objects.visible_to(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "scope", OpenApiTypes.STR, description="organization code (default: your scope)"
            ),
            OpenApiParameter("year", OpenApiTypes.INT),
            OpenApiParameter("from", OpenApiTypes.INT),
            OpenApiParameter("to", OpenApiTypes.INT),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @method_decorator(replica_reads)  # the scope and the figures from the replica when there is one
    def get(self, request):
        visible = self.get_queryset()
        code = request.query_params.get("scope")
        if code:
            org = visible.filter(code=code).first()
        else:
            org = (
                visible.filter(path=request.user.home_scope_path()).first()
                or visible.order_by("depth").first()
            )
        if org is None:
            raise Http404
        try:
            period = Period.of(_year(request, "year"), _year(request, "from"), _year(request, "to"))
        except ValueError as exc:
            if "first year" in str(exc):
                raise exceptions.ValidationError({"from": _("The first year comes after the last.")}) from exc
            raise exceptions.ValidationError({"year": _("Give a four-digit year.")}) from exc
        return Response(compute_all(org, period))
