from django.urls import path

from . import views
from .rules import CERTIFY, CHECK, FILE, REJECT, REVIEW, REVOKE

app_name = "pioneer"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("organizations/<int:pk>/", views.organization_panel, name="organization_panel"),
    path("units/", views.UnitListView.as_view(), name="pioneerunit_list"),
    path("units/add/", views.UnitEditView.as_view(), name="unit_add"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
    path("units/<int:pk>/delete/", views.UnitDeleteView.as_view(), name="unit_delete"),
    path("units/<int:pk>/file/", views.move_view(FILE), name="unit_file"),
    path("units/<int:pk>/review/", views.move_view(REVIEW), name="unit_review"),
    path("units/<int:pk>/certify/", views.move_view(CERTIFY), name="unit_certify"),
    path("units/<int:pk>/reject/", views.move_view(REJECT), name="unit_reject"),
    path("units/<int:pk>/check/", views.move_view(CHECK), name="unit_check"),
    path("units/<int:pk>/revoke/", views.move_view(REVOKE), name="unit_revoke"),
    path("service-logs/", views.ServiceLogListView.as_view(), name="servicelog_list"),
    path("service-logs/add/", views.ServiceLogEditView.as_view(), name="servicelog_add"),
    path("service-logs/<int:pk>/edit/", views.ServiceLogEditView.as_view(), name="servicelog_edit"),
    path("service-logs/<int:pk>/delete/", views.ServiceLogDeleteView.as_view(), name="servicelog_delete"),
]
