"""The roles, as data: what each may do, where, and whether it needs two-factor login.

Business roles act on a subtree of the organization tree. The three technical administrators
(三员分立, GB/T 22239-2019 §8.1.5 / MLPS level 3) act on the system, not on domain records: none of
them sees personal data, and no account may hold two of them or mix one with a business role.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

VIEW, ADD, CHANGE, DELETE, EXPORT = "view", "add", "change", "delete", "export"
AUDIT = "audit"  # read the change records and the access log within the scope
MANAGE_USERS = "manage_users"  # create, disable and reset accounts (system administrator)
MANAGE_ROLES = "manage_roles"  # grant and withdraw roles and scopes (security administrator)
OVERRIDE = "override"  # record a development step against a rule, with a written reason (kept and flagged)
DOMAIN_ACTIONS = frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT})


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    technical: bool
    actions: frozenset
    requires_2fa: bool
    description: str = ""


ROLES = {
    role.code: role
    for role in [
        Role(
            "city_admin",
            _("City administrator"),
            False,
            frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT, AUDIT, OVERRIDE}),
            True,
            _("Municipal education bureau party-building office: the whole tree"),
        ),
        Role(
            "district_admin",
            _("District administrator"),
            False,
            frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT, OVERRIDE}),
            False,
            _("District or county education bureau: the district's subtree"),
        ),
        Role(
            "school_secretary",
            _("School party secretary"),
            False,
            frozenset({VIEW, ADD, CHANGE, EXPORT}),
            False,
            _("Party secretary or organizing member: the school's organizations"),
        ),
        Role(
            "instructor",
            _("Party-building instructor"),
            False,
            frozenset({VIEW}),
            False,
            _("Dispatched to private schools: read access and guidance records"),
        ),
        Role(
            "inspector",
            _("Inspector"),
            False,
            frozenset({VIEW, EXPORT, AUDIT}),
            False,
            _("Audit and discipline inspection: read-only, with the audit log"),
        ),
        Role(
            "sys_admin",
            _("System administrator"),
            True,
            frozenset({MANAGE_USERS}),
            True,
            _("Accounts and backups; no access to domain records"),
        ),
        Role(
            "sec_admin",
            _("Security administrator"),
            True,
            frozenset({MANAGE_ROLES}),
            True,
            _("Roles and scopes; no access to domain records"),
        ),
        Role(
            "audit_admin",
            _("Audit administrator"),
            True,
            frozenset({AUDIT}),
            True,
            _("Reads the audit and access logs, nothing else"),
        ),
    ]
}
ROLE_CHOICES = [(code, role.label) for code, role in ROLES.items()]
TECHNICAL_ROLES = frozenset(code for code, role in ROLES.items() if role.technical)
BUSINESS_ROLES = frozenset(code for code, role in ROLES.items() if not role.technical)


def model_actions(model, role_code):
    """What a role may do on a model: the role's actions, narrowed by the model's own table.

    A model narrows roles with a ``role_actions`` mapping (role code -> actions); roles it does
    not name keep their domain actions.
    """
    role = ROLES[role_code]
    if getattr(model, "is_audit_log", False):
        # The audit trail and access log are for auditors only: read (and export) within the scope.
        return role.actions & {AUDIT, EXPORT} if AUDIT in role.actions else frozenset()
    narrowed = getattr(model, "role_actions", {}).get(role_code)
    if narrowed is None:
        return role.actions
    return role.actions & frozenset(narrowed)
