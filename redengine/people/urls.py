from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/search/", views.PersonSearchView.as_view(), name="person_search"),
    path("people/add/", views.PersonEditView.as_view(), name="person_add"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonEditView.as_view(), name="person_edit"),
    path("people/<int:pk>/delete/", views.PersonDeleteView.as_view(), name="person_delete"),
    path("people/<int:pk>/reveal/", views.PersonRevealView.as_view(), name="person_reveal"),
    path("titles/", views.HonorListView.as_view(), name="honor_list"),
    path("titles/add/", views.HonorEditView.as_view(), name="honor_add"),
    path("titles/<int:pk>/edit/", views.HonorEditView.as_view(), name="honor_edit"),
    path("titles/<int:pk>/delete/", views.HonorDeleteView.as_view(), name="honor_delete"),
    path("dispatches/", views.DispatchListView.as_view(), name="dispatch_list"),
    path("dispatches/add/", views.DispatchEditView.as_view(), name="dispatch_add"),
    path("dispatches/<int:pk>/edit/", views.DispatchEditView.as_view(), name="dispatch_edit"),
    path("dispatches/<int:pk>/delete/", views.DispatchDeleteView.as_view(), name="dispatch_delete"),
    path("guidance/", views.GuidanceListView.as_view(), name="guidance_list"),
    path("guidance/add/", views.GuidanceEditView.as_view(), name="guidance_add"),
    path("guidance/<int:pk>/edit/", views.GuidanceEditView.as_view(), name="guidance_edit"),
    path("schools/<int:pk>/guidance/", views.school_guidance, name="school_guidance"),
    path("memberships/add/", views.MembershipEditView.as_view(), name="membership_add"),
    path("memberships/<int:pk>/edit/", views.MembershipEditView.as_view(), name="membership_edit"),
    path("completeness/", views.completeness, name="completeness"),
    path("schools/<int:pk>/staff/", views.school_staff_summary, name="school_staff_summary"),
    path("organizations/<int:pk>/members/", views.organization_members_summary, name="organization_members"),
    path("organizations/<int:pk>/posts/add/", views.CommitteePostAddView.as_view(), name="post_add"),
    path("posts/<int:pk>/end/", views.CommitteePostEndView.as_view(), name="post_end"),
]
