"""The permission matrix of account management (see redengine.testing.matrix): accounts are the system
administrator's, roles and scopes the security administrator's; no other role reaches either, and neither
of them reaches a domain record (the other matrices). Neither may, alone, reset or disable the security or
audit administrator, nor withdraw their roles (test_admin_changes.py: a second administrator confirms)."""

from axes.models import AccessAttempt
from django.utils import timezone

from redengine.accounts import lockout
from redengine.accounts.models import RoleAssignment, User
from redengine.accounts.roles import MANAGE_ROLES, MANAGE_USERS, UNLOCK_LOGINS, WATCHING_ROLES
from redengine.testing.matrix import Action, Confirm, Create, Export, ListPage, Page, ScopedCase, build_matrix


def not_self(run):
    return run.subject.pk != run.user.pk  # "You cannot change your own account here."


def alone(run):
    """Not oneself, and not the security or audit administrator (that needs a second administrator)."""
    return not_self(run) and not run.subject.role_assignments.filter(role__in=WATCHING_ROLES).exists()


def account(username):
    return User.objects.get(username=username)


def locked(user):
    """Lock the account out (five failures from one address), so that an unlock has something to end."""
    AccessAttempt.objects.create(
        username=lockout.login_key(user.username),
        ip_address="10.0.0.9",
        user_agent="matrix",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )
    return {}


USERS = ScopedCase(
    name="account",
    model=User,
    lookup="username",
    owners=lambda u: [],  # no organization: only a role without one (the system administrator's) covers it
    positions={"business": "yuelu_admin", "technical": "audit_admin", "self": "sys_admin"},
    marker_field="full_name",
    views=[
        ListPage("accounts:account_list", action=MANAGE_USERS, query={"sort": "full_name"}),
        Export("accounts:account_list", list_action=MANAGE_USERS),  # no role exports the accounts
        Create(
            "accounts:account_add",
            action=MANAGE_USERS,
            places={"system": "matrix_new"},
            data=lambda username: {"username": username, "full_name": "矩阵新号", "email": ""},
            created=lambda username: User.objects.filter(username=username),
            ok=200,  # the one-time password, shown once
        ),
        # The confirmation pages (GET): what will happen, and nothing done yet.
        Confirm(
            "accounts:account_action",
            label="disable_confirm",
            action=MANAGE_USERS,
            args=lambda pk: [pk, "disable"],
            says=lambda u: "将无法登录",
            done=lambda u: not account(u.username).is_active,
        ),
        Confirm(
            "accounts:account_action",
            label="reset_confirm",
            action=MANAGE_USERS,
            args=lambda pk: [pk, "reset"],
            says=lambda u: "原密码立即失效",
            done=lambda u: account(u.username).password != u.password,
        ),
        Action(
            "accounts:account_action",
            label="disable",
            action=MANAGE_USERS,
            args=lambda pk: [pk, "disable"],
            data=lambda u: {},
            possible=alone,
            done=lambda u: not account(u.username).is_active,
            records=lambda u: {("user", "update"): 1},
        ),
        Action(
            "accounts:account_action",
            label="reset",
            action=MANAGE_USERS,
            args=lambda pk: [pk, "reset"],
            data=lambda u: {},
            possible=alone,
            done=lambda u: account(u.username).password != u.password,
            records=lambda u: {("user", "update"): 1},
            ok=200,  # the new one-time password, shown once
        ),
        Action(
            "accounts:account_unlock",
            action=UNLOCK_LOGINS,  # the security administrator's, on any account
            data=locked,
            done=lambda u: not lockout.locked_addresses(u),
            records=lambda u: {},  # the account is not changed; the unlock is an access-log row
        ),
    ],
)


def separated(grant):
    """三员分立: a technical administrator holds no business role."""
    return grant[0] != "audit_admin"


ROLES = ScopedCase(
    name="role_assignment",
    model=RoleAssignment,
    owners=lambda a: [a.organization] if a.organization_id else [],
    positions={"district": "yuelu_admin", "school": "school_secretary", "technical": "audit_admin"},
    find=lambda username: RoleAssignment.objects.get(user__username=username),
    mark=lambda a, marker: User.objects.filter(pk=a.user_id).update(username=marker),
    views=[
        ListPage("accounts:role_list", action=MANAGE_ROLES, query={}),
        Export("accounts:role_list", list_action=MANAGE_ROLES),  # no role exports the roles
        Page("accounts:scope_suggest", action=MANAGE_ROLES),  # the grant's scope picker
        Create(
            "accounts:role_grant",
            action=MANAGE_ROLES,
            # (account, role, organization): a second business role; a business role for an auditor
            places={
                "business": ("furong_admin", "inspector", "CS430102"),
                "mixed": ("audit_admin", "instructor", "CS430104"),
            },
            data=lambda grant: {
                "user": grant[0],
                "role": grant[1],
                "organization": grant[2],
                "can_reveal": "",
            },
            possible=separated,
            created=lambda grant: RoleAssignment.objects.filter(user__username=grant[0], role=grant[1]),
        ),
        Confirm(
            "accounts:role_withdraw",
            label="confirm",
            action=MANAGE_ROLES,
            says=lambda a: a.get_role_display(),
            done=lambda a: not RoleAssignment.objects.filter(pk=a.pk).exists(),
        ),
        Action(
            "accounts:role_withdraw",
            action=MANAGE_ROLES,
            data=lambda a: {},
            possible=lambda run: run.subject.role not in WATCHING_ROLES,  # a second administrator confirms
            done=lambda a: not RoleAssignment.objects.filter(pk=a.pk).exists(),
            records=lambda a: {("roleassignment", "delete"): 1},
        ),
    ],
)

globals().update(build_matrix(USERS, ROLES))
