from rest_framework.routers import DefaultRouter

from .views import CaseViewSet, DueViewSet, EventViewSet, PlanViewSet

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="developmentcase")
router.register("events", EventViewSet, basename="developmentevent")
router.register("due", DueViewSet, basename="developmentdue")
router.register("plans", PlanViewSet, basename="developmentplan")
urlpatterns = router.urls
