import datetime

import django_filters
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from redengine.core.api import ScopedModelViewSet
from redengine.core.api_defaults import PersonalReadThrottle
from redengine.core.reads import account_read
from redengine.core.scoping import prefix_q, user_prefixes
from redengine.orgs.models import PartyOrganization

from .. import compliance, rules, services
from ..filters import MeetingFilterSet
from ..models import Attendance, Meeting
from .serializers import MeetingSerializer

ATTENDANCE = Prefetch("attendance", queryset=Attendance.objects.select_related("person"))
YES = ("true", "1", "yes")


class MeetingWritePath:
    """The viewset's service, as the base viewset calls it (``save(items, by=)``, ``delete``): the meetings'
    own write path, ``services.record_meetings`` with an item's ``attendance`` as the entry's list, and
    ``services.delete_meetings``."""

    fields = (*services.MEETINGS.fields, "attendance")
    references = services.MEETINGS.references

    def reference_rule(self, action, item_action):
        return services.MEETINGS.reference_rule(action, item_action)

    def save(self, items, *, by):
        entries = []
        for item in items:
            values = dict(item.values)
            attendance = values.pop("attendance", None)
            entries.append(services.MeetingEntry(values, item.instance, attendance))
        return services.record_meetings(entries, by=by)

    def delete(self, objs, *, by):
        services.delete_meetings(objs, by=by)


class AttendanceReads:
    """What a read of a meeting with its list is limited as: a read of attendance, personal data."""

    model = Attendance


class AttendanceReadThrottle(PersonalReadThrottle):
    """The account's limit on reads of personal data, for the reads that include attendance lists."""

    def allow_request(self, request, view):
        if not view.reads_attendance():
            return True
        return super().allow_request(request, AttendanceReads)


class MeetingApiFilterSet(MeetingFilterSet):
    organization = django_filters.CharFilter(field_name="organization__code")

    class Meta(MeetingFilterSet.Meta):
        fields = ["organization", *MeetingFilterSet.Meta.fields]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "attendance",
                OpenApiTypes.BOOL,
                description="with each meeting's attendance list (a logged read)",
            )
        ]
    )
)
class MeetingViewSet(ScopedModelViewSet):
    """Meetings of organizational life. A meeting's page (and the list with ``attendance=true``) holds its
    attendance list: a read of personal data, accounted and rate-limited as the people's are."""

    model = Meeting
    service = MeetingWritePath()
    serializer_class = MeetingSerializer
    filterset_class = MeetingApiFilterSet
    select_related = ("organization",)
    ordering_fields = ["date"]
    ordering = ["-date", "-id"]
    throttle_classes = [AttendanceReadThrottle]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def reads_attendance(self):
        """Whether this request reads attendance lists: a meeting's page, or the list when asked."""
        request = self.request
        if request.method not in ("GET", "HEAD"):
            return False
        if self.action == "retrieve":
            return True
        return self.action == "list" and request.query_params.get("attendance", "").lower() in YES

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "request", None) is not None and self.reads_attendance():
            queryset = queryset.prefetch_related(ATTENDANCE)
        return queryset

    def get_serializer_context(self):
        with_attendance = self.action != "list" or self.reads_attendance()
        return {**super().get_serializer_context(), "with_attendance": with_attendance}

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if self.reads_attendance() and response.status_code == 200:
            rows = [
                row for meeting in getattr(self, "page_read", None) or [] for row in meeting.attendance.all()
            ]
            account_read(request._request, Attendance, rows)
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        account_read(request._request, Attendance, list(instance.attendance.all()))
        return Response(data)


def year_of(request, today):
    value = request.query_params.get("year")
    if value in (None, ""):
        return today.year
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) == 4 and value[0] != "0"):
        raise exceptions.ValidationError({"year": [_("Give a four-digit year.")]})
    year = int(value)
    if year > today.year:
        raise exceptions.ValidationError(
            {
                "year": [
                    _("The year %(year)s has not begun: there are no figures for it yet.") % {"year": year}
                ]
            }
        )
    return year


def missed(counts):
    """The frequencies missed, in the rules' order: key, label and how many branches missed each."""
    return [
        {"key": f.key, "label": str(f.label), "branches": counts[f.key]}
        for f in rules.FREQUENCIES
        if counts.get(f.key)
    ]


def figures(found):
    return {
        "branches": found["branches"],
        "compliant": found["compliant"],
        "share": found["share"],
        "missed": missed(found["missed"]),
    }


def rule_detail(rule):
    running = next((u for u in rule.units if u.running), None)
    return {
        "key": rule.frequency.key,
        "label": str(rule.frequency.label),
        "unit": rule.frequency.unit,
        "unit_label": str(rule.unit_label),
        "required": len(rule.required),
        "kept": rule.kept,
        "gaps": [u.unit.key for u in rule.gaps],
        "running": running.unit.key if running else None,
        "ok": rule.ok,
    }


class ComplianceView(APIView):
    """``GET /api/activities/compliance/?organization=CODE&year=Y``: how an organization's branches kept the
    frequencies of organizational life in a year (``compliance.summary``), with the organizations directly
    below, and for an organization that holds meetings itself its frequencies unit by unit
    (``compliance.detail``). The organization must lie where the caller may view meetings."""

    queryset = Meeting.objects.all()  # for the default scoped permission (view on meetings)

    def get_queryset(self):
        return Meeting.objects.visible_to(self.request.user)

    def organizations(self):
        prefixes = user_prefixes(self.request.user, Meeting, "view")
        found = PartyOrganization.objects.all()
        if not prefixes:
            return found.none()
        return found if "" in prefixes else found.filter(prefix_q("path", prefixes))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "organization", OpenApiTypes.STR, description="organization code (default: your scope)"
            ),
            OpenApiParameter(
                "year", OpenApiTypes.INT, description="calendar year (default: the current one)"
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        visible = self.organizations()
        code = (request.query_params.get("organization") or "").strip()
        if code:
            org = visible.filter(code=code).first()
        else:
            org = (
                visible.filter(path=request.user.home_scope_path()).first()
                or visible.order_by("depth").first()
            )
        if org is None:
            raise Http404
        today = timezone.localdate()
        year = year_of(request, today)
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        totals, rows = compliance.summary(org, start, end, today)
        detail = None
        if org.org_type in rules.REQUIRED_OF:
            found = compliance.detail([org], start, end, today)[org.pk]
            detail = {
                "has_committee": found.has_committee,
                "ok": found.ok,
                "gaps": found.gaps,
                "frequencies": [rule_detail(rule) for rule in found.rules],
            }
        return Response(
            {
                "organization": {"code": org.code, "name": org.name, "org_type": org.org_type},
                "year": year,
                "start": start,
                "end": end,
                "as_of": min(end, today),
                "totals": figures(totals),
                "rows": [
                    {
                        "organization": row["organization"].code,
                        "name": row["organization"].name,
                        **figures(row),
                    }
                    for row in rows
                    if row["organization"].pk != org.pk
                ],
                "detail": detail,
            }
        )
