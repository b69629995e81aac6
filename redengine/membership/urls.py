from django.urls import include, path

from . import views

app_name = "membership"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("people/<int:pk>/", views.person_panel, name="person_panel"),
    path("", include("redengine.membership.transfer_urls")),
    path("", include("redengine.membership.status_urls")),
    path("", include("redengine.membership.dues_urls")),
    path("", include("redengine.membership.record_urls")),
]
