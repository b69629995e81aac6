from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import (
    BackboneWatchView,
    ContestViewSet,
    EntryViewSet,
    MemberWatchView,
    MentorshipViewSet,
    ReviewViewSet,
)

router = DefaultRouter()
router.register("mentorships", MentorshipViewSet, basename="mentorship")
router.register("reviews", ReviewViewSet, basename="mentorshipreview")
router.register("contests", ContestViewSet, basename="contest")
router.register("entries", EntryViewSet, basename="contestentry")
urlpatterns = [
    *router.urls,
    path("watch/backbone/", BackboneWatchView.as_view(), name="api_cultivation_backbone_watch"),
    path("watch/members/", MemberWatchView.as_view(), name="api_cultivation_member_watch"),
]
