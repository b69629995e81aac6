"""The roles, as data: who they are, whether they need two-factor login, and what they may do on a model.

Business roles act on a subtree of the organization tree. The three technical administrators
(三员分立, GB/T 22239-2019 §8.1.5 / MLPS level 3) act on the system, not on domain records: none of
them sees personal data, and no account may hold two of them or mix one with a business role.

What a role may do is declared by each model (``role_actions``, see ``core/permissions.py``): the
accounts and role assignments declare the system and security administrators' actions, the audit
trail and the access log the auditors'. A model declares nothing for a role: the role may do nothing.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MANAGE_USERS = "manage_users"  # create, disable and reset accounts (system administrator)
MANAGE_ROLES = "manage_roles"  # grant and withdraw roles and scopes (security administrator)
UNLOCK_LOGINS = "unlock_logins"  # end an account's lock-out after failed logins (security administrator)


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    technical: bool
    requires_2fa: bool
    description: str = ""


ROLES = {
    role.code: role
    for role in [
        Role(
            "city_admin",
            _("City administrator"),
            False,
            True,
            _("Municipal education bureau party-building office: the whole tree"),
        ),
        Role(
            "district_admin",
            _("District administrator"),
            False,
            False,
            _("District or county education bureau: the district's subtree"),
        ),
        Role(
            "school_secretary",
            _("School party secretary"),
            False,
            False,
            _("Party secretary or organizing member: the school's organizations"),
        ),
        Role(
            "instructor",
            _("Party-building instructor"),
            False,
            False,
            _(
                "Dispatched to private schools: reads within the role's scope, writes the guidance records "
                "of the schools of their dispatches"
            ),
        ),
        Role(
            "inspector",
            _("Inspector"),
            False,
            False,
            _("Audit and discipline inspection: read-only, with the audit log"),
        ),
        Role(
            "sys_admin",
            _("System administrator"),
            True,
            True,
            _("Accounts and backups; no access to domain records"),
        ),
        Role(
            "sec_admin",
            _("Security administrator"),
            True,
            True,
            _("Roles and scopes; no access to domain records"),
        ),
        Role(
            "audit_admin",
            _("Audit administrator"),
            True,
            True,
            _("Reads the audit and access logs, nothing else"),
        ),
    ]
}
ROLE_CHOICES = [(code, role.label) for code, role in ROLES.items()]
TECHNICAL_ROLES = frozenset(code for code, role in ROLES.items() if role.technical)
BUSINESS_ROLES = frozenset(code for code, role in ROLES.items() if not role.technical)
# The administrators who watch the other two: one administrator alone may not reset or disable their
# accounts, nor withdraw their roles (accounts.models.AdminChangeRequest: a second one confirms).
WATCHING_ROLES = frozenset({"sec_admin", "audit_admin"})


def model_actions(model, role_code):
    """What a role may do on a model: what the model's ``role_actions`` declares for it, else nothing."""
    return frozenset(getattr(model, "role_actions", {}).get(role_code, ()))
