"""The menu entries of account and role management (core/menu.py), for the technical administrators."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

SYSTEM = _("System")
entry(SYSTEM, _("Accounts"), "accounts:account_list", "accounts.User", "manage_users", 500)
entry(SYSTEM, _("Roles and scopes"), "accounts:role_list", "accounts.RoleAssignment", "manage_roles", 510)
entry(
    SYSTEM, _("Requests to confirm"), "accounts:admin_change_list", "accounts.AdminChangeRequest", "view", 520
)
