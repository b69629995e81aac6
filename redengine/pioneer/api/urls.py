from rest_framework.routers import DefaultRouter

from .views import ServiceLogViewSet, UnitViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="pioneerunit")
router.register("service-logs", ServiceLogViewSet, basename="servicelog")
urlpatterns = router.urls
