"""The write path of the account services (see redengine.testing.writes): the system administrator manages
accounts, the security administrator roles; nobody else does, whatever their other roles."""

from redengine.accounts import services
from redengine.accounts.models import RoleAssignment, User
from redengine.orgs.models import PartyOrganization
from redengine.testing.writes import ServiceCase, build_service_tests


def account(username="school_secretary"):
    return User.objects.get(username=username)


CASES = [
    ServiceCase(
        "create_account",
        "sys_admin",
        allowed=lambda by: services.create_account(username="new_account", by=by),
        outside=lambda by: services.create_account(username="new_account", by=by),
        outsider="yuelu_admin",
    ),
    ServiceCase(
        "reset_password",
        "sys_admin",
        allowed=lambda by: services.reset_password(account(), by=by),
        outside=lambda by: services.reset_password(account(), by=by),
        outsider="city_admin",
    ),
    ServiceCase(
        "set_active",
        "sys_admin",
        allowed=lambda by: services.set_active(account(), False, by=by),
        outside=lambda by: services.set_active(account(), False, by=by),
        outsider="sec_admin",
    ),
    ServiceCase(
        "grant_role",
        "sec_admin",
        allowed=lambda by: services.grant_role(
            user=account("instructor"),
            role="inspector",
            organization=PartyOrganization.objects.get(code="CS430104"),
            by=by,
        ),
        outside=lambda by: services.grant_role(
            user=account("instructor"),
            role="inspector",
            organization=PartyOrganization.objects.get(code="CS430104"),
            by=by,
        ),
        outsider="sys_admin",
    ),
    ServiceCase(
        "withdraw_role",
        "sec_admin",
        allowed=lambda by: services.withdraw_role(
            RoleAssignment.objects.get(user__username="instructor"), by=by
        ),
        outside=lambda by: services.withdraw_role(
            RoleAssignment.objects.get(user__username="instructor"), by=by
        ),
        outsider="city_admin",
    ),
]

globals().update(build_service_tests(*CASES))
