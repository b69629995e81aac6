from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/add/", views.PersonEditView.as_view(), name="person_add"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonEditView.as_view(), name="person_edit"),
    path("people/<int:pk>/delete/", views.PersonDeleteView.as_view(), name="person_delete"),
    path("people/<int:pk>/reveal/", views.PersonRevealView.as_view(), name="person_reveal"),
    path("titles/", views.HonorListView.as_view(), name="honor_list"),
    path("dispatches/", views.DispatchListView.as_view(), name="dispatch_list"),
]
