from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/add/", views.MeetingEditView.as_view(), name="meeting_add"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.MeetingEditView.as_view(), name="meeting_edit"),
    path("meetings/<int:pk>/delete/", views.MeetingDeleteView.as_view(), name="meeting_delete"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("organizations/<int:pk>/", views.organization_meetings, name="organization_meetings"),
    path("cases/<int:pk>/", views.case_meetings, name="case_meetings"),
]
