from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.ImportView.as_view(), name="import"),
    path("template/", views.TemplateView.as_view(), name="template"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("jobs/", views.JobListView.as_view(), name="job_list"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("jobs/<int:pk>/progress/", views.JobProgressView.as_view(), name="job_progress"),
    path("jobs/<int:pk>/confirm/", views.JobConfirmView.as_view(), name="job_confirm"),
    path("jobs/<int:pk>/cancel/", views.JobCancelView.as_view(), name="job_cancel"),
]
