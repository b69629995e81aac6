"""三员分立 (finding 10): one administrator alone cannot reset or disable the security or audit administrator,
nor withdraw their roles; another administrator confirms the request (not the requester, not the account
concerned, and holding another of the technical roles). Requests and confirmations are in the access log,
which the audit administrator reads."""

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from redengine.accounts import services
from redengine.accounts.models import AdminChangeRequest, RoleAssignment, User
from redengine.core.models import AccessEvent, ObjectChange
from redengine.core.writes import SYSTEM
from redengine.testing import login_client

pytestmark = pytest.mark.django_db
ALONE = "不能由一名管理员单独完成"


def as_(username):
    return login_client(Client(), User.objects.get(username=username))


def confirm(client, change):
    return client.post(reverse("accounts:admin_change_confirm", args=[change.pk]), follow=True)


def test_the_system_administrator_cannot_reset_the_audit_administrator_alone(example_user):
    """The attack: reset the auditor's password and log in as the auditor. Refused; a request waits."""
    target = example_user("audit_admin")
    before = target.password
    changes = ObjectChange.objects.count()
    response = as_("sys_admin").post(reverse("accounts:account_action", args=[target.pk, "reset"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert ALONE in text
    assert "申请已登记" in text
    assert 'id="one-time-password"' not in text
    target.refresh_from_db()
    assert target.password == before
    assert ObjectChange.objects.count() == changes
    change = AdminChangeRequest.objects.get(target=target)
    assert (change.operation, change.state, change.requested_by.username) == ("reset", "pending", "sys_admin")
    assert AccessEvent.objects.filter(
        kind="approval", username="sys_admin", detail__startswith="requested"
    ).exists()
    # Asking again records no second request.
    as_("sys_admin").post(reverse("accounts:account_action", args=[target.pk, "reset"]))
    assert AdminChangeRequest.objects.filter(target=target).count() == 1


@pytest.mark.parametrize("target", ["sec_admin", "audit_admin"])
def test_the_system_administrator_cannot_disable_them_alone(example_user, target):
    account = example_user(target)
    response = as_("sys_admin").post(reverse("accounts:account_action", args=[account.pk, "disable"]))
    assert response.status_code == 200
    assert ALONE in response.content.decode()
    account.refresh_from_db()
    assert account.is_active


@pytest.mark.parametrize("holder", ["audit_admin", "sec_admin"])
def test_the_security_administrator_cannot_withdraw_the_auditors_role_nor_its_own(holder):
    assignment = RoleAssignment.objects.get(user__username=holder)
    response = as_("sec_admin").post(reverse("accounts:role_withdraw", args=[assignment.pk]))
    assert response.status_code == 200
    assert ALONE in response.content.decode()
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AdminChangeRequest.objects.get(assignment=assignment).state == "pending"


def test_the_services_refuse_it_too(example_user):
    """Not only the pages: any caller of the services, except a command acting for the whole system."""
    with pytest.raises(ValidationError, match=ALONE):
        services.reset_password(example_user("audit_admin"), by=example_user("sys_admin"))
    with pytest.raises(ValidationError, match=ALONE):
        services.withdraw_role(
            RoleAssignment.objects.get(user__username="sec_admin"), by=example_user("sec_admin")
        )
    services.set_active(example_user("sec_admin"), False, by=SYSTEM)  # manage.py, on the server itself
    assert not example_user("sec_admin").is_active


def test_a_second_administrator_confirms_a_reset(example_user):
    target = example_user("audit_admin")
    as_("sys_admin").post(reverse("accounts:account_action", args=[target.pk, "reset"]))
    change = AdminChangeRequest.objects.get(target=target)
    # Neither the requester nor the account concerned may confirm it; they see no button.
    for username in ("sys_admin", "audit_admin"):
        client = as_(username)
        listing = client.get(reverse("accounts:admin_change_list")).content.decode()
        assert "sys_admin" in listing
        assert "audit_admin" in listing
        assert reverse("accounts:admin_change_confirm", args=[change.pk]) not in listing
        refused = confirm(client, change)
        assert "您不能确认此申请" in refused.content.decode()
    target.refresh_from_db()
    assert not target.must_change_password
    change.refresh_from_db()
    assert change.state == "pending"
    # The security administrator may.
    sec = as_("sec_admin")
    assert (
        reverse("accounts:admin_change_confirm", args=[change.pk])
        in sec.get(reverse("accounts:admin_change_list")).content.decode()
    )
    done = confirm(sec, change)
    assert "当面交给" in done.content.decode()  # to the owner in person, by the confirmer
    password = html.unescape(re.search(r'id="one-time-password">([^<]+)<', done.content.decode()).group(1))
    target.refresh_from_db()
    assert target.check_password(password)
    assert target.must_change_password
    change.refresh_from_db()
    assert (change.state, change.confirmed_by.username) == ("done", "sec_admin")
    assert confirm(sec, change).status_code == 200  # a second confirmation does nothing more
    assert AccessEvent.objects.filter(kind="password_reset", object_id=str(target.pk)).count() == 1
    # The audit administrator (its password changed by now) reads it all in the access log.
    services.change_own_password(target, "Audit@2026mine")
    log = as_("audit_admin").get(reverse("audit_access"), {"kind": "approval"})
    ids = {event.pk for event in log.context["object_list"]}
    approvals = AccessEvent.objects.filter(kind="approval", object_id=str(change.pk))
    assert {e.detail.split(":")[0] for e in approvals} == {"requested", "confirmed"}
    assert set(approvals.values_list("pk", flat=True)) <= ids
    reset_event = AccessEvent.objects.get(kind="password_reset", object_id=str(target.pk))
    assert "confirmed by sec_admin" in reset_event.detail


def test_a_withdrawal_of_the_security_administrators_own_role_is_confirmed_by_another_role(example_user):
    assignment = RoleAssignment.objects.get(user__username="sec_admin")
    as_("sec_admin").post(reverse("accounts:role_withdraw", args=[assignment.pk]))
    change = AdminChangeRequest.objects.get(assignment=assignment)
    # A second security administrator is another person, but not another of the three: refused.
    second, _ = services.create_account(username="sec_admin_2", password="SecTwo@2026x", by=SYSTEM)
    services.grant_role(user=second, role="sec_admin", by=SYSTEM)
    assert not services.may_confirm(change, User.objects.get(pk=second.pk))
    with pytest.raises(ValidationError):
        services.confirm_admin_change(change, by=User.objects.get(pk=second.pk))
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    confirm(as_("audit_admin"), change)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    record = ObjectChange.objects.get(object_id=str(assignment.pk), action="delete")
    assert record.username == "sec_admin"  # made as the requester, whose right it is


def test_only_the_technical_administrators_see_the_requests(client_for):
    assert client_for("city_admin").get(reverse("accounts:admin_change_list")).status_code == 403
    assert (
        client_for("yuelu_admin").post(reverse("accounts:admin_change_confirm", args=[1])).status_code == 403
    )
    assert client_for("audit_admin").get(reverse("accounts:admin_change_list")).status_code == 200
