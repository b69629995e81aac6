from rest_framework.routers import DefaultRouter

from .campaigns import CampaignViewSet, EvaluationViewSet
from .schemes import SchemeViewSet

router = DefaultRouter()
router.register("schemes", SchemeViewSet, basename="scheme")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
urlpatterns = router.urls
