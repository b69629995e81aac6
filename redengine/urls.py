from django.http import HttpResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from redengine.accounts.api.views import LogoutView, OwnTokenListView, OwnTokenView, TokenView
from redengine.core import approvals, audit_views, export_jobs, notifications
from redengine.reports.api.views import MetricsView


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


api_patterns = [
    path("auth/token/", TokenView.as_view(), name="api_token"),
    path("auth/logout/", LogoutView.as_view(), name="api_logout"),
    path("auth/tokens/", OwnTokenListView.as_view(), name="api_own_tokens"),
    path("auth/tokens/<int:pk>/", OwnTokenView.as_view(), name="api_own_token"),
    path("orgs/", include("redengine.orgs.api.urls")),
    path("people/", include("redengine.people.api.urls")),
    path("people/", include("redengine.membership.api.urls")),
    path("development/", include("redengine.development.api.urls")),
    path("activities/", include("redengine.activities.api.urls")),
    path("cultivation/", include("redengine.cultivation.api.urls")),
    path("pioneer/", include("redengine.pioneer.api.urls")),
    path("showcase/", include("redengine.showcase.api.urls")),
    path("pairing/", include("redengine.pairing.api.urls")),
    path("assessment/", include("redengine.assessment.api.urls")),
    path("metrics/", MetricsView.as_view(), name="api_metrics"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api_schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", permission_classes=[IsAuthenticated]),
        name="api_docs",
    ),
]

urlpatterns = [
    path("", include("redengine.reports.urls")),
    path("accounts/", include("redengine.accounts.urls")),
    path("orgs/", include("redengine.orgs.urls")),
    path("people/", include("redengine.people.urls")),
    path("membership/", include("redengine.membership.urls")),
    path("development/", include("redengine.development.urls")),
    path("activities/", include("redengine.activities.urls")),
    path("cultivation/", include("redengine.cultivation.urls")),
    path("pioneer/", include("redengine.pioneer.urls")),
    path("showcase/", include("redengine.showcase.urls")),
    path("pairing/", include("redengine.pairing.urls")),
    path("assessment/", include("redengine.assessment.urls")),
    path("import/", include("redengine.imports.urls")),
    path("audit/changes/", audit_views.ObjectChangeListView.as_view(), name="audit_changes"),
    path("audit/access/", audit_views.AccessEventListView.as_view(), name="audit_access"),
    path("history/<int:content_type_id>/<int:object_id>/", audit_views.object_history, name="object_history"),
    path("exports/", approvals.export_requests, name="export_requests"),
    path(
        "exports/<int:pk>/approve/",
        approvals.export_request_decide,
        {"decision": "approve"},
        name="export_request_approve",
    ),
    path(
        "exports/<int:pk>/reject/",
        approvals.export_request_decide,
        {"decision": "reject"},
        name="export_request_reject",
    ),
    path("exports/jobs/<int:pk>/", export_jobs.export_job, name="export_job"),
    path("exports/jobs/<int:pk>/progress/", export_jobs.export_job_progress, name="export_job_progress"),
    path("exports/jobs/<int:pk>/download/", export_jobs.export_job_download, name="export_job_download"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notification_read, name="notifications_read"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(api_patterns)),
    path("healthz", healthz),
]

handler500 = "redengine.core.views.server_error"
