from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("organizations/", views.OrganizationListView.as_view(), name="organization_list"),
    path("tree/", views.tree, name="tree"),
    path("organizations/suggest/", views.organization_suggest, name="organization_suggest"),
    path("schools/suggest/", views.school_suggest, name="school_suggest"),
    path("tree/<int:pk>/", views.tree_children, name="tree_children"),
    path("organizations/add/", views.OrganizationEditView.as_view(), name="organization_add"),
    path("organizations/<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.OrganizationEditView.as_view(), name="organization_edit"),
    path(
        "organizations/<int:pk>/delete/", views.OrganizationDeleteView.as_view(), name="organization_delete"
    ),
    path("schools/", views.SchoolListView.as_view(), name="school_list"),
    path("schools/add/", views.SchoolEditView.as_view(), name="school_add"),
    path("schools/<int:pk>/", views.SchoolDetailView.as_view(), name="school_detail"),
    path("schools/<int:pk>/edit/", views.SchoolEditView.as_view(), name="school_edit"),
    path("schools/<int:pk>/delete/", views.SchoolDeleteView.as_view(), name="school_delete"),
    path(
        "organizations/<int:pk>/affiliation/",
        views.AffiliationChangeView.as_view(),
        name="affiliation_change",
    ),
    path("affiliation-changes/", views.AffiliationChangeListView.as_view(), name="affiliation_list"),
    path("affiliation-changes/receive/", views.ReceiveOrganizationView.as_view(), name="receive"),
    path("startup-fund-standards/", views.GrantStandardListView.as_view(), name="standard_list"),
    path("startup-fund-standards/add/", views.GrantStandardEditView.as_view(), name="standard_add"),
    path(
        "startup-fund-standards/<int:pk>/edit/", views.GrantStandardEditView.as_view(), name="standard_edit"
    ),
    path(
        "startup-fund-standards/<int:pk>/delete/",
        views.GrantStandardDeleteView.as_view(),
        name="standard_delete",
    ),
    path("startup-funds/", views.StartupGrantListView.as_view(), name="grant_list"),
    path("startup-funds/add/", views.StartupGrantEditView.as_view(), name="grant_add"),
    path("startup-funds/<int:pk>/edit/", views.StartupGrantEditView.as_view(), name="grant_edit"),
    path("startup-funds/<int:pk>/delete/", views.StartupGrantDeleteView.as_view(), name="grant_delete"),
]
