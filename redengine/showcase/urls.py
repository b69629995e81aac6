from django.urls import path

from . import views
from .models import Lesson, RoleModel, Story
from .rules import MOVES

app_name = "showcase"

LISTS = {Story: views.StoryListView, Lesson: views.LessonListView, RoleModel: views.RoleModelListView}
DETAILS = {Story: views.StoryDetailView, Lesson: views.LessonDetailView, RoleModel: views.RoleModelDetailView}
EDITS = {Story: views.StoryEditView, Lesson: views.LessonEditView, RoleModel: views.RoleModelEditView}
PLACES = {Story: "stories", Lesson: "lessons", RoleModel: "role-models"}

urlpatterns = [
    path("", views.overview, name="overview"),
    path("search/", views.search_page, name="search"),
    path("lessons/<int:pk>/upload/", views.LessonUploadView.as_view(), name="lesson_upload"),
    path("role-models/<int:pk>/upload/", views.RoleModelUploadView.as_view(), name="rolemodel_upload"),
    path("lesson-files/<int:pk>/", views.LessonFileView.as_view(), name="lessonfile"),
    path("role-model-photos/<int:pk>/", views.RoleModelPhotoView.as_view(), name="rolemodelphoto"),
]
for model, place in PLACES.items():
    name = views.URL[model]
    urlpatterns += [
        path(f"{place}/", LISTS[model].as_view(), name=f"{name}_list"),
        path(f"{place}/add/", EDITS[model].as_view(), name=f"{name}_add"),
        path(f"{place}/<int:pk>/", DETAILS[model].as_view(), name=f"{name}_detail"),
        path(f"{place}/<int:pk>/edit/", EDITS[model].as_view(), name=f"{name}_edit"),
        path(f"{place}/<int:pk>/delete/", views.delete_view(model).as_view(), name=f"{name}_delete"),
    ]
    urlpatterns += [
        path(f"{place}/<int:pk>/{move}/", views.move_view(model, move).as_view(), name=f"{name}_{move}")
        for move in MOVES
    ]
