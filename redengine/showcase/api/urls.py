from rest_framework.routers import DefaultRouter

from .views import LessonViewSet, RoleModelViewSet, StoryViewSet

router = DefaultRouter()
router.register("stories", StoryViewSet, basename="story")
router.register("lessons", LessonViewSet, basename="lesson")
router.register("role-models", RoleModelViewSet, basename="rolemodel")
urlpatterns = router.urls
