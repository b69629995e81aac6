from rest_framework.routers import DefaultRouter

from .views import (
    AffiliationChangeViewSet,
    GrantStandardViewSet,
    OrganizationViewSet,
    SchoolViewSet,
    StartupGrantViewSet,
)

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("schools", SchoolViewSet, basename="school")
router.register("affiliation-changes", AffiliationChangeViewSet, basename="affiliationchange")
router.register("startup-grants", StartupGrantViewSet, basename="startupgrant")
router.register("grant-standards", GrantStandardViewSet, basename="grantstandard")
urlpatterns = router.urls
