from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import ComplianceView, MeetingViewSet

router = DefaultRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
urlpatterns = [
    *router.urls,
    path("compliance/", ComplianceView.as_view(), name="api_activities_compliance"),
]
