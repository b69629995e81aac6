from django.urls import path

from . import record_views as views

urlpatterns = [
    path("awards/", views.AwardListView.as_view(), name="award_list"),
    path("awards/add/", views.AwardEditView.as_view(), name="award_add"),
    path("awards/<int:pk>/edit/", views.AwardEditView.as_view(), name="award_edit"),
    path("awards/<int:pk>/delete/", views.AwardDeleteView.as_view(), name="award_delete"),
    path("awards/people/suggest/", views.person_suggest, name="person_suggest"),
    path("discipline/", views.DisciplineListView.as_view(), name="discipline_list"),
    path("discipline/add/", views.DisciplineEditView.as_view(), name="discipline_add"),
    path("discipline/<int:pk>/", views.DisciplineDetailView.as_view(), name="discipline_detail"),
    path("discipline/<int:pk>/edit/", views.DisciplineEditView.as_view(), name="discipline_edit"),
    path("discipline/<int:pk>/lift/", views.DisciplineLiftView.as_view(), name="discipline_lift"),
    path("discipline/<int:pk>/delete/", views.DisciplineDeleteView.as_view(), name="discipline_delete"),
]
