from rest_framework.routers import DefaultRouter

from .views import ActivityViewSet, PairViewSet

router = DefaultRouter()
router.register("pairs", PairViewSet, basename="schoolpair")
router.register("activities", ActivityViewSet, basename="pairactivity")
urlpatterns = router.urls
