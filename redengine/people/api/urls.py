from rest_framework.routers import DefaultRouter

from .views import CommitteePostViewSet, DispatchViewSet, HonorViewSet, MembershipViewSet, PersonViewSet

router = DefaultRouter()
router.register("people", PersonViewSet, basename="person")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("honors", HonorViewSet, basename="honor")
router.register("dispatches", DispatchViewSet, basename="dispatch")
router.register("committee-posts", CommitteePostViewSet, basename="committeepost")
urlpatterns = router.urls
