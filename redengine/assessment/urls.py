from django.urls import path

from . import scheme_urls, views
from .rules import MOVES

app_name = "assessment"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("organizations/<int:pk>/", views.organization_panel, name="organization_panel"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/add/", views.campaign_form, name="campaign_add"),
    path("campaigns/<int:pk>/", views.campaign_board, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_form, name="campaign_edit"),
    path("campaigns/<int:pk>/evaluations/", views.EvaluationListView.as_view(), name="evaluation_list"),
    path("campaigns/<int:pk>/publicity/", views.publicity, name="publicity"),
    path("campaigns/<int:pk>/publicity/start/", views.StartPublicityView.as_view(), name="start_publicity"),
    path("campaigns/<int:pk>/publish/", views.PublishView.as_view(), name="publish"),
    path("campaigns/<int:pk>/results/", views.results, name="results"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/scores/<str:side>/", views.evaluation_scores, name="evaluation_scores"),
    *[
        path(
            f"evaluations/<int:pk>/{move.replace('_', '-')}/",
            views.move_view(move),
            name=f"evaluation_{move}",
        )
        for move in MOVES
    ],
    path("files/<int:pk>/", views.EvidenceDownloadView.as_view(), name="file"),
    path("files/<int:pk>/remove/", views.EvidenceRemoveView.as_view(), name="file_remove"),
    *scheme_urls.urlpatterns,  # the schemes, ratings and designations (views_schemes.py)
]
