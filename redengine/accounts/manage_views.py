"""Account management for the system administrator; roles and scopes for the security administrator."""

import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from redengine.core.filters import YesNoFilter
from redengine.core.views import Column, ObjectListView, ScopedMixin

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


class AccountCreateView(ScopedMixin, View):
    model = User
    action = MANAGE_USERS

    def get(self, request):
        return render(request, "accounts/account_form.html", {"form": AccountForm()})

    def post(self, request):
        form = AccountForm(request.POST)
        if form.is_valid():
            try:
                user, initial = services.create_account(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return render(
                    request, "accounts/one_time_password.html", {"account": user, "password": initial}
                )
        return render(request, "accounts/account_form.html", {"form": form})


class AccountActionView(ScopedMixin, View):
    """Disable, enable, or reset the password of an account (new one-time password, sessions ended)."""

    model = User
    action = MANAGE_USERS

    def post(self, request, pk, operation):
        account = get_object_or_404(self.scoped(), pk=pk)
        if account == request.user:
            messages.error(request, _("You cannot change your own account here."))
        elif operation == "reset":
            initial = services.reset_password(account, by=request.user)
            return render(
                request, "accounts/one_time_password.html", {"account": account, "password": initial}
            )
        elif operation in {"disable", "enable"}:
            services.set_active(account, operation == "enable", by=request.user)
            messages.success(request, _("Saved %(object)s.") % {"object": account})
        return redirect("accounts:account_list")


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


class RoleGrantView(ScopedMixin, View):
    model = RoleAssignment
    action = MANAGE_ROLES

    def post(self, request):
        form = RoleGrantForm(request.POST)
        if form.is_valid():
            try:
                services.grant_role(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Role granted."))
        else:
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label} {' '.join(errors)}".strip())
        return redirect("accounts:role_list")


class RoleWithdrawView(ScopedMixin, View):
    model = RoleAssignment
    action = MANAGE_ROLES

    def post(self, request, pk):
        assignment = get_object_or_404(self.scoped(), pk=pk)
        services.withdraw_role(assignment, by=request.user)
        messages.success(request, _("Role withdrawn."))
        return redirect("accounts:role_list")
