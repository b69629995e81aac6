"""Account management for the system administrator; roles and scopes for the security administrator."""

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from redengine.core.filters import YesNoFilter
from redengine.core.permissions import VIEW
from redengine.core.pickers import suggestions
from redengine.core.views import Column, ObjectActionView, ObjectConfirmView, ObjectListView, refuse
from redengine.orgs.models import PartyOrganization

from . import lockout, services
from .forms import AccountForm, RoleGrantForm
from .models import AdminChangeRequest, RoleAssignment, User
from .roles import MANAGE_ROLES, MANAGE_USERS, UNLOCK_LOGINS, WATCHING_ROLES

SECOND_ADMINISTRATOR = _(
    "One administrator cannot do this alone to the security or audit administrator: "
    "another administrator must confirm it."
)


def refused_alone(exc):
    """The refusal of a change one administrator may not make alone; the request has been recorded."""
    return ValidationError(
        [
            *exc.messages,
            gettext(
                "Your request has been recorded: it is made when another administrator confirms it "
                "(System → Requests to confirm)."
            ),
        ]
    )


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
        _(
            "%(object)s gets a new one-time password, shown once on the next page (or sent to its owner "
            "by e-mail), to be changed at the next login; the old password stops working at once and its "
            "sessions and API tokens end."
        ),
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

    def get_question(self):
        question = super().get_question()
        if self.kwargs["operation"] != "enable" and services.watched(self.object):
            return f"{question} {SECOND_ADMINISTRATOR}"
        return question

    def perform(self, form):
        account, operation = self.object, self.kwargs["operation"]
        if account == self.request.user:
            raise ValidationError(_("You cannot change your own account here."))
        try:
            if operation == "reset":
                return handed_over(
                    self.request, account, services.reset_password(account, by=self.request.user)
                )
            services.set_active(account, operation == "enable", by=self.request.user)
        except services.NeedsSecondAdministratorError as exc:
            services.request_admin_change(operation, account, by=self.request.user)
            raise refused_alone(exc) from exc
        return _("Saved %(object)s.") % {"object": account}

    def get_success_url(self):
        return self.list_url()


def handed_over(request, account, initial, confirmed=False):
    """After a reset: the one-time password shown once, to be handed to the owner in person; or, when it
    went to the owner by e-mail, a message saying so (the password is not shown)."""
    if initial is None:
        return gettext("The one-time password of %(object)s was sent by e-mail to its owner.") % {
            "object": account
        }
    return render(
        request,
        "accounts/one_time_password.html",
        {"account": account, "password": initial, "reset": True, "confirmed": confirmed},
    )


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
        context = super().get_context_data(**kwargs)
        context["grant_form"] = RoleGrantForm()
        if self.request.user.can(User, UNLOCK_LOGINS):  # the accounts of the page locked out now
            names = {a.user.username for a in context["object_list"]}
            keys = lockout.locked_keys(names)
            context["locked"] = {name for name in names if lockout.login_key(name) in keys}
        return context


class AccountUnlockView(ObjectConfirmView):
    """The security administrator ends an account's lock-out after failed logins: a confirmation page that
    says whether the account is locked, then the POST unlocks it (logged)."""

    model = User
    action = UNLOCK_LOGINS
    title = _("Unlock the login of %(object)s")
    list_url_name = "accounts:role_list"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count = lockout.locked_addresses(self.object)
        context["question"] = (
            gettext(
                "%(object)s is locked out after too many failed logins (from %(count)d address(es)). "
                "Unlocking lets it try again at once; make sure the owner asked for it."
            )
            % {"object": self.object, "count": count}
            if count
            else gettext("%(object)s is not locked out now; unlocking changes nothing but is logged.")
            % {"object": self.object}
        )
        return context

    def perform(self, form):
        services.unlock_login(self.object, by=self.request.user)
        return gettext("The login of %(object)s is unlocked.") % {"object": self.object}

    def get_success_url(self):
        return self.list_url()


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
    select_related = ("user", "organization")
    success_message = _("Role withdrawn.")
    list_url_name = "accounts:role_list"

    def get_question(self):
        assignment = self.object
        question = gettext(
            "The role %(role)s of the account %(account)s over %(scope)s will be withdrawn: the account "
            "can no longer do what this role allowed there. Its other roles stay as they are."
        ) % {
            "role": assignment.get_role_display(),
            "account": assignment.user,
            "scope": assignment.organization.name if assignment.organization_id else gettext("whole system"),
        }
        return f"{question} {SECOND_ADMINISTRATOR}" if assignment.role in WATCHING_ROLES else question

    def perform(self, form):
        try:
            services.withdraw_role(self.object, by=self.request.user)
        except services.NeedsSecondAdministratorError as exc:
            services.request_admin_change(
                AdminChangeRequest.Operation.WITHDRAW,
                self.object.user,
                by=self.request.user,
                assignment=self.object,
            )
            raise refused_alone(exc) from exc

    def get_success_url(self):
        return self.list_url()


# Requests to confirm: the changes to the security and audit administrators waiting for a second one.
@login_required
def admin_change_list(request):
    if not request.user.can(AdminChangeRequest, VIEW):
        return refuse(request, AdminChangeRequest, VIEW)
    changes = AdminChangeRequest.objects.select_related("target", "requested_by", "confirmed_by")[:200]
    rows = [(change, services.may_confirm(change, request.user)) for change in changes]
    return render(
        request,
        "accounts/admin_change_list.html",
        {
            "title": _("Requests to confirm"),
            "rows": rows,
            "breadcrumbs": [(_("Requests to confirm"), None)],
        },
    )


@login_required
@require_POST
def admin_change_confirm(request, pk):
    if not request.user.can(AdminChangeRequest, VIEW):
        return refuse(request, AdminChangeRequest, VIEW)
    change = get_object_or_404(AdminChangeRequest, pk=pk)
    try:
        initial = services.confirm_admin_change(change, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("accounts:admin_change_list")
    if change.operation == AdminChangeRequest.Operation.RESET:
        outcome = handed_over(request, change.target, initial, confirmed=True)
        if not isinstance(outcome, str):
            return outcome
        messages.success(request, outcome)
    else:
        messages.success(request, gettext("Confirmed: the change has been made."))
    return redirect("accounts:admin_change_list")


@login_required
def scope_suggest(request):
    """The role grant's scope picker: organizations by name or code, for the security administrator, who
    grants scopes anywhere in the tree (the form takes any organization's code) but reads no domain record;
    only names and codes are shown, as on the list of roles."""
    if not request.user.can(RoleAssignment, MANAGE_ROLES):
        return refuse(request, RoleAssignment, MANAGE_ROLES)
    return suggestions(request, PartyOrganization.objects.all())
