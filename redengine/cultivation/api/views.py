from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from redengine.core.api import ScopedModelViewSet
from redengine.core.api_defaults import PersonalReadThrottle
from redengine.core.reads import account_read
from redengine.orgs.models import School
from redengine.people.models import Person

from .. import services, watch
from ..filters import MentorshipFilterSet
from ..models import Contest, ContestEntry, Mentorship, MentorshipReview
from .serializers import (
    BackboneWatchSerializer,
    ContestSerializer,
    EntrySerializer,
    MemberWatchQuerySerializer,
    MemberWatchSerializer,
    MentorshipSerializer,
    ReviewSerializer,
    WatchQuerySerializer,
)

WRITES = ["get", "post", "patch", "delete", "head", "options"]


class WritePath:
    """A service as the base viewset calls it (``save(items, by=)``, ``delete(objs, by=)``): the app's own
    write functions (``services.record_mentorships``, ``services.delete_mentorships`` …)."""

    def __init__(self, service, record, delete):
        self.service, self.record, self.remove = service, record, delete
        self.fields = service.fields
        self.references = service.references

    def reference_rule(self, action, item_action):
        return self.service.reference_rule(action, item_action)

    def save(self, items, *, by):
        return self.record(items, by=by)

    def delete(self, objs, *, by):
        self.remove(objs, by=by)


class MentorshipViewSet(ScopedModelViewSet):
    """Mentorships (青蓝工程, 师徒结对) with their reviews; ``running`` filters those running today."""

    model = Mentorship
    service = WritePath(services.MENTORSHIPS, services.record_mentorships, services.delete_mentorships)
    serializer_class = MentorshipSerializer
    filterset_class = MentorshipFilterSet
    select_related = ("mentor", "apprentice", "school")
    prefetch_related = ("reviews",)
    ordering = ["-start_on", "-id"]
    http_method_names = WRITES


class ReviewViewSet(ScopedModelViewSet):
    """The half-yearly reviews of mentorships: add one (POST, naming its mentorship), correct or remove it;
    when each review of the mentorship was due, and whether it was late, is worked out again."""

    model = MentorshipReview
    service = WritePath(services.REVIEWS, services.record_reviews, services.delete_reviews)
    serializer_class = ReviewSerializer
    filterset_fields = ["mentorship", "late"]
    ordering = ["mentorship_id", "held_on", "id"]
    http_method_names = WRITES


class EntryReads:
    """What a read of contests with their entries is limited as: a read of entries, personal data."""

    model = ContestEntry


class EntryReadThrottle(PersonalReadThrottle):
    """The account's limit on reads of personal data, for the contests read with their entries."""

    def allow_request(self, request, view):
        return super().allow_request(request, EntryReads)


class ContestViewSet(ScopedModelViewSet):
    """Skills contests with their entries (those whose person the caller may see): a read of the entries,
    accounted and rate-limited as the people's are."""

    model = Contest
    service = WritePath(services.CONTESTS, services.record_contests, services.delete_contests)
    serializer_class = ContestSerializer
    filterset_fields = ["kind", "level"]
    select_related = ("organization",)
    ordering = ["-held_on", "-id"]
    throttle_classes = [EntryReadThrottle]
    http_method_names = WRITES

    def get_queryset(self):
        queryset = super().get_queryset()
        request = getattr(self, "request", None)
        if request is None or getattr(self, "swagger_fake_view", False):
            return queryset
        entries = ContestEntry.objects.visible_to(request.user).select_related("person")
        return queryset.prefetch_related(Prefetch("entries", queryset=entries, to_attr="visible_entries"))

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            rows = [e for contest in getattr(self, "page_read", None) or [] for e in contest.visible_entries]
            account_read(request._request, ContestEntry, rows)
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        account_read(request._request, ContestEntry, instance.visible_entries)
        return Response(data)


class EntryViewSet(ScopedModelViewSet):
    """Contest entries: a person of the schools of the organization holding the contest, with the prize."""

    model = ContestEntry
    service = WritePath(services.ENTRIES, services.record_entries, services.delete_entries)
    serializer_class = EntrySerializer
    filterset_fields = ["contest", "person", "prize"]
    select_related = ("contest", "person")
    ordering = ["contest_id", "prize", "id"]
    http_method_names = WRITES


# The watch lists ------------------------------------------------------------------------------------
WATCH_PARAMETERS = [
    OpenApiParameter("school", OpenApiTypes.STR, description="school code"),
    OpenApiParameter(
        "front_line", OpenApiTypes.BOOL, description="front-line teachers (true) or not (false)"
    ),
    OpenApiParameter("age_min", OpenApiTypes.INT, description="aged at least (whole years today)"),
    OpenApiParameter("age_max", OpenApiTypes.INT, description="aged at most (whole years today)"),
]


class WatchList(generics.ListAPIView):
    """A watch list of people for the caller's scope today (``watch.py``), paginated: a read of people,
    accounted and rate-limited as the people API's lists are."""

    model = Person  # the rate limit and the access log of reads of personal data
    queryset = Person.objects.all()  # for the default scoped permission (view on people)
    throttle_classes = [PersonalReadThrottle]
    filter_backends = []
    query_class = WatchQuerySerializer

    def people(self, user, day, **filters):
        raise NotImplementedError

    def watched(self, request):
        query = self.query_class(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        filters = {name: value for name, value in query.validated_data.items() if value is not None}
        code = filters.pop("school", "").strip()
        if code:
            school = School.objects.filter(code=code).first()
            if school is None:  # as a school of no one in the scope: nobody
                return Person.objects.none()
            filters["school"] = school
        return self.people(request.user, timezone.localdate(), **filters).select_related("school")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.watched(request))
        data = self.get_serializer(page, many=True).data
        account_read(request._request, Person, page)
        return self.get_paginated_response(data)


@extend_schema(parameters=WATCH_PARAMETERS)
class BackboneWatchView(WatchList):
    """``GET /api/cultivation/watch/backbone/``: holders of 骨干教师 or 卓越教师 today who are not party members
    (``watch.backbone_watch``)."""

    serializer_class = BackboneWatchSerializer

    def people(self, user, day, **filters):
        return watch.backbone_watch(user, day, **filters)


@extend_schema(
    parameters=[
        *WATCH_PARAMETERS,
        OpenApiParameter(
            "quiet",
            OpenApiTypes.BOOL,
            description="only those with no cultivation within cult.quiet_years years (true), or only the others (false)",
        ),
    ]
)
class MemberWatchView(WatchList):
    """``GET /api/cultivation/watch/members/``: members and probationary members under the young age today,
    with their cultivation (``watch.member_watch``)."""

    serializer_class = MemberWatchSerializer
    query_class = MemberWatchQuerySerializer

    def people(self, user, day, quiet=None, **filters):
        return watch.member_watch(user, day, quiet=quiet, **filters)
