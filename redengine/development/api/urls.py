from rest_framework.routers import DefaultRouter

from .views import CaseViewSet, ContactViewSet, CultivationViewSet, DueViewSet, EventViewSet, PlanViewSet

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="developmentcase")
router.register("events", EventViewSet, basename="developmentevent")
router.register("due", DueViewSet, basename="developmentdue")
router.register("plans", PlanViewSet, basename="developmentplan")
router.register("contacts", ContactViewSet, basename="casecontact")
router.register("cultivation", CultivationViewSet, basename="cultivationrecord")
urlpatterns = router.urls
