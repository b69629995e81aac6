"""The API of membership after admission, under ``/api/people/`` beside the registry's (DESIGN: a member's
records are the people's): transfers, dues (and the quote), status changes, awards, discipline."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from .dues import DuesEntryViewSet, DuesQuoteView
from .records import AwardViewSet, DisciplineViewSet
from .statuses import StatusChangeViewSet
from .transfers import TransferViewSet

router = DefaultRouter()
router.register("transfers", TransferViewSet, basename="transfer")
router.register("dues", DuesEntryViewSet, basename="duesentry")
router.register("status-changes", StatusChangeViewSet, basename="statuschange")
router.register("awards", AwardViewSet, basename="award")
router.register("discipline", DisciplineViewSet, basename="discipline")
urlpatterns = [path("dues-quote/", DuesQuoteView.as_view(), name="dues_quote"), *router.urls]
