"""The security administrator ends an account's lock-out after failed logins: a confirmation page, then the
POST unlocks it from every address, logged in the access log beside the lock-out."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from redengine.accounts.models import User
from redengine.core.models import AccessEvent, ObjectChange
from redengine.demo.data import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def lock(client, username, ip):
    for _ in range(5):
        client.post(LOGIN, {"username": username, "password": "Wrong@2026"}, REMOTE_ADDR=ip)


def test_the_security_administrator_unlocks_a_locked_account(client, client_for):
    lock(client, "Yuelu_Admin", "10.8.8.1")
    lock(client, "yuelu_admin", "10.8.8.2")
    assert (
        client.post(
            LOGIN, {"username": "yuelu_admin", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.8.8.1"
        ).status_code
        == 429
    )
    account = User.objects.get(username="yuelu_admin")
    sec = client_for("sec_admin")
    roles = sec.get(reverse("accounts:role_list")).content.decode()
    url = reverse("accounts:account_unlock", args=[account.pk])
    assert url in roles  # the locked account's row offers the unlock; the others do not
    assert roles.count("/unlock/") == 1
    page = sec.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "已被锁定" in text
    assert "2 个地址" in text
    assert "10.8.8.1" not in text
    changes = ObjectChange.objects.count()
    answer = sec.post(url)
    assert answer.status_code == 302
    assert not AccessAttempt.objects.filter(username="yuelu_admin").exists()
    event = AccessEvent.objects.get(kind="unlocked")
    assert (event.username, event.object_id) == ("sec_admin", str(account.pk))
    assert event.scope_path == account.home_scope_path()
    assert "yuelu_admin" in event.detail
    assert "2 address" in event.detail
    assert ObjectChange.objects.count() == changes  # the account itself is not changed
    sec.logout()
    back = client.post(LOGIN, {"username": "yuelu_admin", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.8.8.1")
    assert back.status_code == 302
    assert back["Location"] == reverse("reports:dashboard")


@pytest.mark.parametrize(
    "username", ["sys_admin", "audit_admin", "city_admin", "yuelu_admin", "school_secretary"]
)
def test_no_one_else_may_unlock(client, client_for, username):
    lock(client, "furong_admin", "10.8.9.1")
    account = User.objects.get(username="furong_admin")
    other = client_for(username)
    url = reverse("accounts:account_unlock", args=[account.pk])
    assert other.get(url).status_code == 403
    assert other.post(url).status_code == 403
    assert AccessAttempt.objects.filter(username="furong_admin", failures_since_start__gte=5).exists()
    assert not AccessEvent.objects.filter(kind="unlocked").exists()
    assert AccessEvent.objects.filter(kind="refused", username=username).exists()


def test_unlocking_an_account_that_is_not_locked_says_so_and_is_logged(client_for):
    account = User.objects.get(username="instructor")
    sec = client_for("sec_admin")
    url = reverse("accounts:account_unlock", args=[account.pk])
    assert "目前未被锁定" in sec.get(url).content.decode()
    assert sec.post(url).status_code == 302
    assert AccessEvent.objects.filter(kind="unlocked", object_id=str(account.pk)).count() == 1
    assert sec.post(reverse("accounts:account_unlock", args=[987654])).status_code == 404
