"""API tokens and what an account needs now (findings 3, 4 and 9 of the penetration test): a token is held
to two-factor login, to a changed one-time password, to an idle timeout; it ends when what the account
may do changes, when its password changes and on logout; its holder lists and revokes its own."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from redengine.accounts import services
from redengine.accounts.models import ApiToken, RoleAssignment, User, UserSession
from redengine.core.models import AccessEvent
from redengine.demo.data import DEMO_PASSWORD
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person
from redengine.testing import login_client

pytestmark = pytest.mark.django_db
TOKEN = "/api/auth/token/"


def token_of(client, username, password=DEMO_PASSWORD, **extra):
    response = client.post(
        TOKEN, {"username": username, "password": password, **extra}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def reveal(client, key, person):
    return client.post(f"/api/people/people/{person.pk}/reveal/", **auth(key))


def yuelu_person():
    return Person.objects.get(name="梅溪湖张老师")


# Finding 3: reveal without two-factor ----------------------------------------------------------------
def test_a_token_from_before_a_reveal_grant_no_longer_reveals(client, client_for, example_user):
    """The attack: take a token, be granted ``can_reveal``, reveal with the old token (was 200)."""
    key = token_of(client, "yuelu_admin")
    person = yuelu_person()
    assert reveal(client, key, person).status_code == 403  # no reveal permission yet
    sec = client_for("sec_admin")
    granted = sec.post(
        reverse("accounts:role_grant"),
        {"user": "yuelu_admin", "role": "school_secretary", "organization": "CS430104", "can_reveal": "on"},
    )
    assert granted.status_code == 302
    answer = Client().post(f"/api/people/people/{person.pk}/reveal/", **auth(key))
    assert answer.status_code == 401
    assert "无效" in answer.json()["detail"]  # the token was revoked with the grant
    assert not ApiToken.objects.filter(user=example_user("yuelu_admin")).exists()
    event = AccessEvent.objects.get(kind="token_revoked", username="yuelu_admin")
    assert event.row_count == 1
    assert "role granted" in event.detail
    assert "sec_admin" in event.detail
    assert not AccessEvent.objects.filter(kind="reveal", username="yuelu_admin").exists()


def test_a_token_without_a_verified_code_is_refused_to_an_account_that_needs_two_factor(client, example_user):
    """Even where no grant revoked it (the reveal set another way), each request checks ``requires_2fa``."""
    user = example_user("yuelu_admin")
    key = token_of(client, "yuelu_admin")
    RoleAssignment.objects.filter(user=user).update(can_reveal=True)  # not through the grant
    answer = reveal(client, key, yuelu_person())
    assert answer.status_code == 401
    assert "两步验证" in answer.json()["detail"]
    assert not AccessEvent.objects.filter(kind="reveal", username="yuelu_admin").exists()


def test_a_token_issued_with_the_code_reveals(client, example_user):
    device = TOTPDevice.objects.get(user=example_user("city_admin"), confirmed=True)
    key = token_of(client, "city_admin", otp=f"{totp(device.bin_key):06d}")
    assert ApiToken.objects.get(user__username="city_admin").otp_verified
    assert reveal(client, key, yuelu_person()).status_code == 200


def test_withdrawing_a_role_ends_sessions_and_tokens(client, example_user):
    user, _ = services.create_account(
        username="two_roles", password="TwoRoles@2026", by=example_user("sys_admin")
    )
    sec = example_user("sec_admin")
    yuelu = PartyOrganization.objects.get(code="CS430104")
    kept = services.grant_role(user=user, role="district_admin", organization=yuelu, by=sec)
    extra = services.grant_role(user=user, role="inspector", organization=yuelu, by=sec)
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    key = token_of(client, "two_roles", "TwoRoles@2026")
    browser = login_client(Client(), User.objects.get(pk=user.pk))
    UserSession.objects.update_or_create(session_key=browser.session.session_key, defaults={"user": user})
    assert browser.get("/").status_code == 200
    services.withdraw_role(extra, by=sec)
    assert client.get("/api/orgs/schools/", **auth(key)).status_code == 401
    assert browser.get("/").status_code == 302  # logged out
    assert RoleAssignment.objects.filter(pk=kept.pk).exists()
    event = AccessEvent.objects.filter(kind="token_revoked", username="two_roles").latest("id")
    assert "role withdrawn" in event.detail
    assert "1 session(s) ended" in event.detail


# Finding 4: the first-login password change skipped through the API ------------------------------
def first_login_client(username="first_api"):
    user, initial = services.create_account(username=username, by=User.objects.get(username="sys_admin"))
    services.grant_role(
        user=user,
        role="district_admin",
        organization=PartyOrganization.objects.get(code="CS430104"),
        by=User.objects.get(username="sec_admin"),
    )
    client = Client(enforce_csrf_checks=False)
    response = client.post(reverse("accounts:login"), {"username": username, "password": initial})
    assert response.status_code == 302
    return user, client


def test_the_api_refuses_a_session_that_must_change_its_password():
    """The attack: log in with the one-time password, skip the change, use the API with the cookie."""
    _user, client = first_login_client()
    assert client.get("/")["Location"] == reverse("accounts:password_change")
    for path in ("/api/orgs/schools/", "/api/people/people/", "/api/auth/tokens/"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert answer["Content-Type"].startswith("application/json")
        assert "一次性密码" in answer.json()["detail"]
    assert client.post("/api/orgs/schools/", {}, content_type="application/json").status_code == 403


def test_the_api_refuses_a_token_of_an_account_that_must_change_its_password(client, example_user):
    user = example_user("yuelu_admin")
    key, _token = ApiToken.issue(user)
    User.objects.filter(pk=user.pk).update(must_change_password=True)  # e.g. a reset after the token
    answer = client.get("/api/orgs/schools/", **auth(key))
    assert answer.status_code == 403
    assert "一次性密码" in answer.json()["detail"]


# Finding 9: tokens idle out, end on password change and logout, and are listed and revoked by their holder
def test_an_idle_token_is_refused(client, example_user, settings):
    settings.API_TOKEN_IDLE_TIMEOUT = datetime.timedelta(minutes=30)
    key, token = ApiToken.issue(example_user("yuelu_admin"))
    assert client.get("/api/orgs/schools/", **auth(key)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - datetime.timedelta(minutes=31))
    answer = client.get("/api/orgs/schools/", **auth(key))
    assert answer.status_code == 401
    assert "无效" in answer.json()["detail"]


def test_last_use_is_written_at_most_once_a_minute(client, example_user):
    key, token = ApiToken.issue(example_user("yuelu_admin"))
    assert client.get("/api/auth/tokens/", **auth(key)).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    assert client.get("/api/auth/tokens/", **auth(key)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first  # no write on the second request
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - datetime.timedelta(seconds=61))
    client.get("/api/auth/tokens/", **auth(key))
    token.refresh_from_db()
    assert token.last_used_at > first


def test_changing_the_password_revokes_the_tokens(client_for, example_user):
    user = example_user("furong_admin")
    key, _token = ApiToken.issue(user)
    client = client_for("furong_admin")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": "Mine@2026new", "new_password2": "Mine@2026new"},
    )
    assert response.status_code == 302
    assert Client().get("/api/orgs/schools/", **auth(key)).status_code == 401
    assert AccessEvent.objects.filter(
        kind="token_revoked", username="furong_admin", detail="password changed"
    ).exists()


def test_logout_revokes_the_token_used(client, example_user):
    key = token_of(client, "yuelu_admin")
    other = token_of(client, "yuelu_admin")
    assert client.post("/api/auth/logout/", **auth(key)).status_code == 204
    assert client.get("/api/orgs/schools/", **auth(key)).status_code == 401
    assert client.get("/api/orgs/schools/", **auth(other)).status_code == 200  # only the token used
    assert AccessEvent.objects.filter(kind="token_revoked", username="yuelu_admin", detail="logout").exists()
    assert client.post("/api/auth/logout/").status_code == 401


def test_the_api_lists_and_revokes_only_ones_own_tokens(client, example_user):
    mine = token_of(client, "yuelu_admin")
    _spare, spare = ApiToken.issue(example_user("yuelu_admin"))
    theirs_key, theirs = ApiToken.issue(example_user("furong_admin"))
    listing = client.get("/api/auth/tokens/", **auth(mine))
    assert listing.status_code == 200
    rows = listing.json()
    assert {row["id"] for row in rows} == set(
        ApiToken.objects.filter(user__username="yuelu_admin").values_list("pk", flat=True)
    )
    assert theirs.pk not in {row["id"] for row in rows}
    assert all(set(row) == {"id", "created_at", "last_used_at", "expires_at", "current"} for row in rows)
    assert [row["current"] for row in rows].count(True) == 1
    assert mine not in listing.content.decode()
    # Another account's token answers as one that does not exist, and stays.
    assert client.delete(f"/api/auth/tokens/{theirs.pk}/", **auth(mine)).status_code == 404
    assert client.get("/api/orgs/schools/", **auth(theirs_key)).status_code == 200
    assert client.delete(f"/api/auth/tokens/{spare.pk}/", **auth(mine)).status_code == 204
    assert not ApiToken.objects.filter(pk=spare.pk).exists()
    assert client.delete("/api/auth/tokens/999999/", **auth(mine)).status_code == 404


def test_the_token_page_lists_and_revokes_after_a_confirmation(client_for, example_user):
    key, token = ApiToken.issue(example_user("yuelu_admin"))
    _theirs_key, theirs = ApiToken.issue(example_user("furong_admin"))
    client = client_for("yuelu_admin")
    page = client.get(reverse("accounts:token_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("accounts:token_revoke", args=[token.pk]) in html
    assert reverse("accounts:token_revoke", args=[theirs.pk]) not in html
    assert key not in html
    assert token.digest not in html
    confirm = client.get(reverse("accounts:token_revoke", args=[token.pk]))
    assert confirm.status_code == 200
    assert ApiToken.objects.filter(pk=token.pk).exists()  # a GET only asks
    assert client.get(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    done = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "令牌已撤销" in done.content.decode()
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert AccessEvent.objects.filter(kind="token_revoked", username="yuelu_admin").exists()


def test_disabling_an_account_deletes_its_tokens(client, example_user):
    user = example_user("yuelu_admin")
    key = token_of(client, "yuelu_admin")
    assert client.get("/api/orgs/schools/", **auth(key)).status_code == 200
    services.set_active(user, False, by=example_user("sys_admin"))
    assert not ApiToken.objects.filter(user=user).exists()
    assert client.get("/api/orgs/schools/", **auth(key)).status_code == 401
    assert AccessEvent.objects.filter(kind="token_revoked", username="yuelu_admin").exists()
