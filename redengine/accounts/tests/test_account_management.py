"""Accounts (system administrator), roles and scopes (security administrator), and the scope switcher."""

import html
import re

import pytest
from django.urls import reverse

from redengine.accounts import services
from redengine.accounts.models import RoleAssignment, User
from redengine.core.models import ObjectChange
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "accounts", "roles"),
    [
        ("sys_admin", 200, 403),
        ("sec_admin", 403, 200),
        ("audit_admin", 403, 403),
        ("city_admin", 403, 403),
        ("yuelu_admin", 403, 403),
    ],
)
def test_who_manages_what(client_for, username, accounts, roles):
    client = client_for(username)
    assert client.get(reverse("accounts:account_list")).status_code == accounts
    assert client.get(reverse("accounts:role_list")).status_code == roles


def test_system_administrator_creates_an_account_with_a_one_time_password(client_for):
    client = client_for("sys_admin")
    response = client.post(
        reverse("accounts:account_add"), {"username": "tianxin_admin", "full_name": "钱进"}
    )
    assert response.status_code == 200
    password = html.unescape(
        re.search(r'id="one-time-password">([^<]+)<', response.content.decode()).group(1)
    )
    user = User.objects.get(username="tianxin_admin")
    assert user.check_password(password)
    assert user.must_change_password
    assert ObjectChange.objects.filter(object_id=str(user.pk), action="create", username="sys_admin").exists()
    assert "password" not in ObjectChange.objects.filter(object_id=str(user.pk)).first().after


def test_duplicate_user_name_is_refused_and_form_kept(client_for):
    response = client_for("sys_admin").post(
        reverse("accounts:account_add"), {"username": "yuelu_admin", "full_name": "重名"}
    )
    html = response.content.decode()
    assert "该用户名已被使用" in html
    assert 'value="重名"' in html
    assert User.objects.filter(username="yuelu_admin").count() == 1


def test_reset_and_disable(client_for, example_user):
    client = client_for("sys_admin")
    target = example_user("furong_admin")
    reset = client.post(reverse("accounts:account_action", args=[target.pk, "reset"]))
    new_password = html.unescape(
        re.search(r'id="one-time-password">([^<]+)<', reset.content.decode()).group(1)
    )
    target.refresh_from_db()
    assert target.check_password(new_password)
    assert target.must_change_password
    client.post(reverse("accounts:account_action", args=[target.pk, "disable"]))
    target.refresh_from_db()
    assert not target.is_active


def confirmation(response):
    """The question of a confirmation page, and where its form posts (the page's own address)."""
    page = response.content.decode()
    question = html.unescape(re.search(r'<p id="confirm-question">([^<]+)</p>', page).group(1))
    assert re.search(r'<form method="post"[^>]*>', page)
    return question


def test_the_account_list_links_to_confirmation_pages(client_for, example_user):
    target = example_user("furong_admin")
    page = client_for("sys_admin").get(reverse("accounts:account_list")).content.decode()
    for operation in ("reset", "disable"):
        url = reverse("accounts:account_action", args=[target.pk, operation])
        assert f'href="{url}"' in page
        assert f'action="{url}"' not in page  # no form acting on one click


def test_disabling_an_account_asks_first(client_for, example_user):
    client = client_for("sys_admin")
    target = example_user("furong_admin")
    url = reverse("accounts:account_action", args=[target.pk, "disable"])
    before = ObjectChange.objects.count()
    response = client.get(url)
    assert response.status_code == 200
    assert "将无法登录" in confirmation(response)
    assert str(target) in confirmation(response)
    target.refresh_from_db()
    assert target.is_active
    assert ObjectChange.objects.count() == before
    assert client.post(url).status_code == 302
    target.refresh_from_db()
    assert not target.is_active


def test_resetting_a_password_asks_first(client_for, example_user):
    client = client_for("sys_admin")
    target = example_user("furong_admin")
    password = target.password
    url = reverse("accounts:account_action", args=[target.pk, "reset"])
    question = confirmation(client.get(url))
    assert "一次性密码" in question
    assert "原密码立即失效" in question
    target.refresh_from_db()
    assert target.password == password
    assert not target.must_change_password
    response = client.post(url)
    assert 'id="one-time-password"' in response.content.decode()
    target.refresh_from_db()
    assert target.password != password
    assert target.must_change_password


def test_withdrawing_a_role_asks_first(client_for):
    assignment = RoleAssignment.objects.select_related("user", "organization").get(
        user__username="furong_admin"
    )
    url = reverse("accounts:role_withdraw", args=[assignment.pk])
    client = client_for("sec_admin")
    page = client.get(reverse("accounts:role_list")).content.decode()
    assert f'href="{url}"' in page
    assert f'action="{url}"' not in page
    question = confirmation(client.get(url))
    for part in (assignment.get_role_display(), assignment.user.username, assignment.organization.name):
        assert part in question
    assert "其他角色保持不变" in question
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert client.post(url).status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_the_confirmation_says_when_a_second_administrator_must_confirm(client_for, example_user):
    auditor = example_user("audit_admin")
    url = reverse("accounts:account_action", args=[auditor.pk, "disable"])
    assert "另一名管理员" in confirmation(client_for("sys_admin").get(url))
    assert auditor.role_assignments.get().role == "audit_admin"
    withdraw = reverse("accounts:role_withdraw", args=[auditor.role_assignments.get().pk])
    assert "另一名管理员" in confirmation(client_for("sec_admin").get(withdraw))
    ordinary = reverse("accounts:account_action", args=[example_user("furong_admin").pk, "disable"])
    assert "另一名管理员" not in confirmation(client_for("sys_admin").get(ordinary))


@pytest.mark.parametrize("username", ["yuelu_admin", "sec_admin", "audit_admin"])
def test_other_roles_get_no_account_confirmation(client_for, example_user, username):
    target = example_user("furong_admin")
    client = client_for(username)
    for operation in ("reset", "disable"):
        url = reverse("accounts:account_action", args=[target.pk, operation])
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    target.refresh_from_db()
    assert target.is_active


@pytest.mark.parametrize("username", ["yuelu_admin", "sys_admin"])
def test_other_roles_get_no_withdrawal_confirmation(client_for, username):
    assignment = RoleAssignment.objects.get(user__username="furong_admin")
    url = reverse("accounts:role_withdraw", args=[assignment.pk])
    assert client_for(username).get(url).status_code == 403
    assert client_for(username).post(url).status_code == 403
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_a_missing_record_answers_404_on_the_confirmation_pages(client_for):
    assert (
        client_for("sys_admin").get(reverse("accounts:account_action", args=[999999, "disable"])).status_code
        == 404
    )
    assert client_for("sec_admin").get(reverse("accounts:role_withdraw", args=[999999])).status_code == 404


def test_security_administrator_grants_and_withdraws_roles(client_for, example_user):
    client = client_for("sec_admin")
    response = client.post(
        reverse("accounts:role_grant"),
        {"user": "furong_admin", "role": "inspector", "organization": "CS430104"},
        follow=True,
    )
    assert "角色已授予" in response.content.decode()
    assignment = RoleAssignment.objects.get(user__username="furong_admin", role="inspector")
    assert assignment.organization.code == "CS430104"
    assert ObjectChange.objects.filter(
        object_id=str(assignment.pk), action="create", username="sec_admin"
    ).exists()
    client.post(reverse("accounts:role_withdraw", args=[assignment.pk]))
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_a_role_is_granted_to_the_user_name_typed_in_another_case(client_for):
    client = client_for("sec_admin")
    client.post(
        reverse("accounts:role_grant"),
        {"user": "Furong_Admin", "role": "inspector", "organization": "CS430104"},
    )
    assert RoleAssignment.objects.filter(user__username="furong_admin", role="inspector").exists()
    refused = client.post(
        reverse("accounts:role_grant"),
        {"user": "no_such_name", "role": "inspector", "organization": "CS430104"},
    )
    assert refused.status_code == 200
    assert "没有使用该用户名的启用账号" in refused.content.decode()


def test_separation_refusal_is_explained_and_writes_nothing(client_for):
    before = RoleAssignment.objects.count()
    response = client_for("sec_admin").post(
        reverse("accounts:role_grant"), {"user": "sys_admin", "role": "audit_admin"}, follow=True
    )
    assert "三员分立" in response.content.decode()
    assert RoleAssignment.objects.count() == before


def test_unknown_organization_code_is_named(client_for):
    response = client_for("sec_admin").post(
        reverse("accounts:role_grant"),
        {"user": "furong_admin", "role": "inspector", "organization": "NOPE"},
        follow=True,
    )
    assert "党组织代码" in response.content.decode()


def test_scope_switcher_narrows_to_one_role(client, example_user):
    from redengine.testing import login_client

    user, _ = services.create_account(username="two_hats", password="TwoHats@2026", by=SYSTEM)
    services.grant_role(
        user=user,
        role="district_admin",
        organization=PartyOrganization.objects.get(code="CS430104"),
        by=SYSTEM,
    )
    services.grant_role(
        user=user, role="inspector", organization=PartyOrganization.objects.get(code="CS430102"), by=SYSTEM
    )
    user.must_change_password = False
    user.save()
    login_client(client, user)
    both = dict(client.get("/").context["school_rows"])
    assert {"岳麓区", "芙蓉区"} <= set(both)
    yuelu = RoleAssignment.objects.get(user=user, role="district_admin")
    client.post(reverse("accounts:switch_scope"), {"assignment": yuelu.pk, "next": "/"})
    narrowed = client.get("/")
    assert set(dict(narrowed.context["school_rows"])) == {"岳麓区"}
    assert narrowed.context["active_assignment_id"] == yuelu.pk
    # Someone else's assignment cannot be chosen: it falls back to all of one's own roles.
    other = RoleAssignment.objects.exclude(user=user).first()
    client.post(reverse("accounts:switch_scope"), {"assignment": other.pk, "next": "/"})
    assert {"岳麓区", "芙蓉区"} <= set(dict(client.get("/").context["school_rows"]))
