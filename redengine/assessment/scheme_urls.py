"""The scheme, rating and designation pages (``views_schemes.py``), included by ``urls.py`` under the
``assessment`` namespace: ``assessment:scheme_list`` and the others below."""

from django.urls import path

from . import views_schemes as views

urlpatterns = [
    path("schemes/", views.SchemeListView.as_view(), name="scheme_list"),
    path("schemes/add/", views.SchemeEditView.as_view(), name="scheme_add"),
    path("schemes/import/", views.scheme_import, name="scheme_import"),
    path("schemes/<int:pk>/", views.SchemeDetailView.as_view(), name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.SchemeEditView.as_view(), name="scheme_edit"),
    path("schemes/<int:pk>/copy/", views.SchemeCopyView.as_view(), name="scheme_copy"),
    path("schemes/<int:pk>/export/", views.scheme_export, name="scheme_export"),
    path("ratings/", views.RatingListView.as_view(), name="rating_list"),
    path("designations/", views.DesignationListView.as_view(), name="designation_list"),
    path("designations/add/", views.DesignationAddView.as_view(), name="designation_add"),
]
