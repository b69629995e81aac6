"""The showcase's API: stories, lessons and role models (list, detail, create, patch, delete through the
services; the lists' filters with ``q``, the full-text search), their moves as actions (``submit/``,
``publish/``, ``return/``, ``withdraw/``, the last two with a ``reason``). Scoped like the pages: a published
item is read by every business role; every other action within the scope."""

from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from redengine.core.api import ScopedModelViewSet, refusal
from redengine.core.writes import RefusedError

from .. import services
from ..filters import LessonFilterSet, RoleModelFilterSet, StoryFilterSet
from ..models import Lesson, RoleModel, Story
from ..rules import PUBLISH
from .serializers import LessonSerializer, RoleModelSerializer, StorySerializer

WRITES = ["get", "post", "patch", "delete", "head", "options"]
MOVE_ACTIONS = {"submit": "change", "publish": PUBLISH, "return_for_revision": PUBLISH, "withdraw": PUBLISH}


class ItemViewSet(ScopedModelViewSet):
    select_related = ("school",)
    ordering = ["-id"]
    http_method_names = WRITES
    scope_actions = MOVE_ACTIONS

    def move(self, request, name):
        obj = self.get_object()
        reason = str(request.data.get("reason", "") or "")
        try:
            services.move_items(self.model, [obj], name, by=request.user, reason=reason)
        except RefusedError as exc:
            raise refusal(exc) from exc
        obj.refresh_from_db()
        return Response(self.get_serializer(obj).data)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft for review (the school: change)."""
        return self.move(request, "submit")

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a submitted item (a reviewer in scope: publish)."""
        return self.move(request, "publish")

    @action(detail=True, methods=["post"], url_path="return")
    def return_for_revision(self, request, pk=None):
        """Return a submitted item to draft, with a ``reason`` (a reviewer in scope)."""
        return self.move(request, "return")

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a published item (back to draft), with a ``reason`` (a reviewer in scope)."""
        return self.move(request, "withdraw")

    def perform_destroy(self, instance):
        try:
            self.service.delete([instance], by=self.request.user)
        except RefusedError as exc:
            if exc.missing:
                raise exceptions.NotFound() from exc
            raise exceptions.ValidationError({"detail": " ".join(exc.messages)}) from exc


class StoryViewSet(ItemViewSet):
    model = Story
    service = services.STORIES
    serializer_class = StorySerializer
    filterset_class = StoryFilterSet
    prefetch_related = ("members", "uses")


class LessonViewSet(ItemViewSet):
    model = Lesson
    service = services.LESSONS
    serializer_class = LessonSerializer
    filterset_class = LessonFilterSet
    select_related = ("school", "teacher")
    prefetch_related = ("files",)


class RoleModelViewSet(ItemViewSet):
    model = RoleModel
    service = services.ROLE_MODELS
    serializer_class = RoleModelSerializer
    filterset_class = RoleModelFilterSet
