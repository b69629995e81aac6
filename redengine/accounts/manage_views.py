"""Account management for the system administrator; roles and scopes for the security administrator."""

import django_filters
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from redengine.core.filters import YesNoFilter
from redengine.core.views import Column, ObjectActionView, ObjectConfirmView, ObjectListView

from . import services
from .forms import AccountForm, RoleGrantForm
from .models import RoleAssignment, User
from .roles import MANAGE_ROLES, MANAGE_USERS


class AccountFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(username__icontains=value) | queryset.filter(full_name__icontains=value)


class AccountListView(ObjectListView):
    model = User
    action = MANAGE_USERS
    filterset_class = AccountFilterSet
    default_order = ["username"]
    title = _("Accounts")
    template_name = "accounts/account_list.html"
    columns = [
        Column("username", _("User name"), "username", link=True),
        Column("full_name", _("Full name"), "full_name"),
        Column("is_active", _("Active"), "is_active"),
        Column("must_change_password", _("Must change password"), None),
        Column("last_login", _("Last login"), "last_login"),
    ]


class AccountCreateView(ObjectActionView):
    model = User
    action = MANAGE_USERS
    object_required = False
    form_class = AccountForm
    template_name = "accounts/account_form.html"
    list_url_name = "accounts:account_list"

    def perform(self, form):
        user, initial = services.create_account(by=self.request.user, **form.cleaned_data)
        return render(self.request, "accounts/one_time_password.html", {"account": user, "password": initial})


OPERATIONS = {
    "reset": (
        _("Reset the password of %(object)s"),
        _("%(object)s gets a new one-time password; its sessions end."),
    ),
    "disable": (
        _("Disable %(object)s"),
        _("%(object)s can no longer log in; its sessions and API tokens end."),
    ),
    "enable": (_("Enable %(object)s"), _("%(object)s can log in again.")),
}


class AccountActionView(ObjectConfirmView):
    """Disable, enable, or reset the password of an account (new one-time password, sessions ended)."""

    model = User
    action = MANAGE_USERS
    list_url_name = "accounts:account_list"

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("operation") not in OPERATIONS:
            raise Http404
        self.title, self.question = OPERATIONS[kwargs["operation"]]
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        account, operation = self.object, self.kwargs["operation"]
        if account == self.request.user:
            raise ValidationError(_("You cannot change your own account here."))
        if operation == "reset":
            initial = services.reset_password(account, by=self.request.user)
            return render(
                self.request, "accounts/one_time_password.html", {"account": account, "password": initial}
            )
        services.set_active(account, operation == "enable", by=self.request.user)
        return _("Saved %(object)s.") % {"object": account}

    def get_success_url(self):
        return self.list_url()


class RoleListView(ObjectListView):
    model = RoleAssignment
    action = MANAGE_ROLES
    select_related = ("user", "organization")
    title = _("Roles and scopes")
    template_name = "accounts/role_list.html"
    columns = [
        Column("user.username", _("Account"), "user__username"),
        Column("get_role_display", _("Role"), "role"),
        Column("organization", _("Scope (organization)"), "organization__path"),
        Column("can_reveal", _("May reveal personal data"), None),
    ]

    class filterset_class(django_filters.FilterSet):  # noqa: N801
        class Meta:
            model = RoleAssignment
            fields = ["role"]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "grant_form": RoleGrantForm()}


class RoleGrantView(ObjectActionView):
    """Grant a role over an organization's subtree (the form is also on the list of roles)."""

    model = RoleAssignment
    action = MANAGE_ROLES
    object_required = False
    form_class = RoleGrantForm
    title = _("Grant a role")
    success_message = _("Role granted.")
    list_url_name = "accounts:role_list"

    def perform(self, form):
        services.grant_role(by=self.request.user, **form.cleaned_data)


class RoleWithdrawView(ObjectConfirmView):
    model = RoleAssignment
    action = MANAGE_ROLES
    title = _("Withdraw the role %(object)s")
    question = _("%(object)s will be withdrawn; the account keeps its other roles.")
    success_message = _("Role withdrawn.")
    list_url_name = "accounts:role_list"

    def perform(self, form):
        services.withdraw_role(self.object, by=self.request.user)

    def get_success_url(self):
        return self.list_url()
