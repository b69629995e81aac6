from django.urls import path

from . import views

app_name = "pairing"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("schools/<int:pk>/panel/", views.school_panel, name="school_panel"),
    path("pairs/", views.PairListView.as_view(), name="schoolpair_list"),
    path("pairs/add/", views.PairEditView.as_view(), name="pair_add"),
    path("pairs/<int:pk>/", views.PairDetailView.as_view(), name="pair_detail"),
    path("pairs/<int:pk>/edit/", views.PairEditView.as_view(), name="pair_edit"),
    path("pairs/<int:pk>/delete/", views.PairDeleteView.as_view(), name="pair_delete"),
    path("activities/", views.ActivityListView.as_view(), name="pairactivity_list"),
    path("activities/add/", views.ActivityEditView.as_view(), name="activity_add"),
    path("activities/<int:pk>/edit/", views.ActivityEditView.as_view(), name="activity_edit"),
    path("activities/<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="activity_delete"),
    path("files/<int:pk>/", views.FileView.as_view(), name="file"),
]
