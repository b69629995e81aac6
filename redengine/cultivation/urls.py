from django.urls import path

from . import views

app_name = "cultivation"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("figures/<str:name>/", views.figure, name="figure"),
    path("figures/<str:name>/people/", views.FigurePeopleView.as_view(), name="figure_people"),
    path("watch/backbone/", views.BackboneWatchView.as_view(), name="watch_backbone"),
    path("watch/members/", views.MemberWatchView.as_view(), name="watch_members"),
    path("people/<int:pk>/", views.person_view, name="person"),
    path("people/<int:pk>/panel/", views.person_panel, name="person_panel"),
    path("organizations/<int:pk>/", views.organization_panel, name="organization_panel"),
    path("mentorships/", views.MentorshipListView.as_view(), name="mentorship_list"),
    path("mentorships/add/", views.MentorshipEditView.as_view(), name="mentorship_add"),
    path("mentorships/<int:pk>/", views.MentorshipDetailView.as_view(), name="mentorship_detail"),
    path("mentorships/<int:pk>/edit/", views.MentorshipEditView.as_view(), name="mentorship_edit"),
    path("mentorships/<int:pk>/delete/", views.MentorshipDeleteView.as_view(), name="mentorship_delete"),
    path("reviews/add/", views.ReviewAddView.as_view(), name="review_add"),
    path("reviews/<int:pk>/delete/", views.ReviewDeleteView.as_view(), name="review_delete"),
    path("contests/", views.ContestListView.as_view(), name="contest_list"),
    path("contests/add/", views.ContestEditView.as_view(), name="contest_add"),
    path("contests/<int:pk>/", views.ContestDetailView.as_view(), name="contest_detail"),
    path("contests/<int:pk>/edit/", views.ContestEditView.as_view(), name="contest_edit"),
    path("contests/<int:pk>/delete/", views.ContestDeleteView.as_view(), name="contest_delete"),
    path("entries/", views.EntryListView.as_view(), name="contestentry_list"),
    path("entries/add/", views.EntryEditView.as_view(), name="entry_add"),
    path("entries/<int:pk>/edit/", views.EntryEditView.as_view(), name="entry_edit"),
    path("entries/<int:pk>/delete/", views.EntryDeleteView.as_view(), name="entry_delete"),
    path("speaking/", views.EngagementListView.as_view(), name="engagement_list"),
    path("speaking/add/", views.EngagementEditView.as_view(), name="engagement_add"),
    path("speaking/<int:pk>/edit/", views.EngagementEditView.as_view(), name="engagement_edit"),
    path("speaking/<int:pk>/delete/", views.EngagementDeleteView.as_view(), name="engagement_delete"),
]
