from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from redengine.core.api import ScopedModelViewSet
from redengine.core.audit import log_access
from redengine.core.models import AccessEvent

from .. import services
from ..filters import DispatchFilterSet, HonorFilterSet, PersonFilterSet
from ..models import CommitteePost, Dispatch, Honor, Membership, Person
from ..privacy import personal_view
from ..search import IdentifierSearchForm, SearchThrottledError, identifier_search
from .serializers import (
    CommitteePostSerializer,
    DispatchSerializer,
    HonorSerializer,
    MembershipSerializer,
    PersonSerializer,
)


class PersonViewSet(ScopedModelViewSet):
    model = Person
    service = services.PEOPLE
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    select_related = ("school",)
    ordering_fields = ["name"]  # not the birth date: the order would tell it (privacy.PersonalView)
    ordering = ["school__code", "name", "pk"]
    scope_actions = {"reveal": "reveal", "search": "reveal"}

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "personal": personal_view(self.request.user)}

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if kwargs.get("many") and args:  # a page of people: who may be revealed, in one query
            serializer.context["personal"].prime(list(args[0]))
        return serializer

    @extend_schema(
        request=inline_serializer(
            "IdentifierSearch",
            {
                "id_number": serializers.CharField(required=False),
                "mobile": serializers.CharField(required=False),
            },
        ),
        responses={200: PersonSerializer(many=True)},
    )
    @action(detail=False, methods=["post"])
    def search(self, request):
        """The people with this whole ID number or mobile (one of them, in the body, never in the address),
        among those the caller may reveal: a logged reveal, at most ``PEOPLE_IDENTIFIER_SEARCHES_PER_HOUR``
        an hour."""
        form = IdentifierSearchForm(request.data)
        if not form.is_valid():
            errors = dict(form.errors)
            if "__all__" in errors:
                errors["non_field_errors"] = errors.pop("__all__")
            raise exceptions.ValidationError(errors)
        try:
            found = identifier_search(request._request, form.cleaned_data)
        except SearchThrottledError as exc:  # answered, not raised: the access-log row of it is kept
            return Response({"detail": str(exc)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        serializer = self.get_serializer(found, many=True)
        return Response({"count": len(found), "results": serializer.data})

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "Revealed", {"id_number": serializers.CharField(), "mobile": serializers.CharField()}
            )
        },
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The full ID number and mobile: needs the reveal permission in scope; logged."""
        person = self.get_object()
        log_access(AccessEvent.Kind.REVEAL, request=request._request, obj=person, detail="id_number,mobile")
        return Response({"id_number": person.reveal_id_number(), "mobile": person.reveal_mobile()})


class MembershipViewSet(ScopedModelViewSet):
    """Memberships; the person's political status follows every change (it is never typed twice)."""

    model = Membership
    service = services.MEMBERSHIPS
    serializer_class = MembershipSerializer
    select_related = ("person", "organization")
    ordering = ["-admitted_on", "pk"]


class HonorViewSet(ScopedModelViewSet):
    model = Honor
    service = services.HONORS
    serializer_class = HonorSerializer
    filterset_class = HonorFilterSet
    ordering = ["-awarded_on", "pk"]


class DispatchViewSet(ScopedModelViewSet):
    model = Dispatch
    service = services.DISPATCHES
    serializer_class = DispatchSerializer
    filterset_class = DispatchFilterSet
    select_related = ("school",)
    ordering = ["-start_on", "pk"]


class CommitteePostViewSet(ScopedModelViewSet):
    model = CommitteePost
    service = services.POSTS
    serializer_class = CommitteePostSerializer
    select_related = ("organization", "person")
    ordering = ["organization__path", "post", "-start_on"]
