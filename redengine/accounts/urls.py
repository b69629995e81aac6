from django.urls import path

from . import manage_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("otp/", views.otp_view, name="otp"),
    path("logout/", views.logout_view, name="logout"),
    path("keep-alive/", views.keep_alive, name="keep_alive"),
    path("password/", views.password_change_view, name="password_change"),
    path("scope/", views.switch_scope, name="switch_scope"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("manage/accounts/", manage_views.AccountListView.as_view(), name="account_list"),
    path("manage/accounts/add/", manage_views.AccountCreateView.as_view(), name="account_add"),
    path("manage/accounts/<int:pk>/unlock/", manage_views.AccountUnlockView.as_view(), name="account_unlock"),
    path(
        "manage/accounts/<int:pk>/<str:operation>/",
        manage_views.AccountActionView.as_view(),
        name="account_action",
    ),
    path("manage/roles/", manage_views.RoleListView.as_view(), name="role_list"),
    path("manage/roles/grant/", manage_views.RoleGrantView.as_view(), name="role_grant"),
    path("manage/roles/scopes/", manage_views.scope_suggest, name="scope_suggest"),
    path("manage/roles/<int:pk>/withdraw/", manage_views.RoleWithdrawView.as_view(), name="role_withdraw"),
    path("manage/requests/", manage_views.admin_change_list, name="admin_change_list"),
    path("manage/requests/<int:pk>/confirm/", manage_views.admin_change_confirm, name="admin_change_confirm"),
]
