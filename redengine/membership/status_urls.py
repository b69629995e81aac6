from django.urls import path

from . import status_views as views

urlpatterns = [
    path("status/", views.StatusChangeListView.as_view(), name="statuschange_list"),
    path("status/add/", views.StatusChangeAddView.as_view(), name="statuschange_add"),
    path("status/members/", views.MemberStateListView.as_view(), name="member_state_list"),
    path("status/members/suggest/", views.member_suggest, name="member_suggest"),
    path("alerts/", views.alerts, name="alerts"),
    path("floating/", views.FloatingListView.as_view(), name="floating_list"),
    path("floating/add/", views.FloatingEditView.as_view(), name="floating_add"),
    path("floating/<int:pk>/edit/", views.FloatingEditView.as_view(), name="floating_edit"),
    path("floating/<int:pk>/return/", views.FloatingReturnView.as_view(), name="floating_return"),
]
