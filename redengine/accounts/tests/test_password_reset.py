"""A password reset reaches the account's owner, not the system administrator (finding 8): by e-mail where
the account has an address and ``ACCOUNT_EMAILS`` is on; else shown once for a hand-over in person, with the
account able to do nothing but change it. The owner is notified of every reset, and it is logged."""

import html
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from redengine.accounts.models import User
from redengine.core.models import AccessEvent, Notification
from redengine.demo.data import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def reset(client, account):
    return client.post(reverse("accounts:account_action", args=[account.pk, "reset"]))


def test_with_e_mail_the_one_time_password_goes_to_the_owner_only(client_for, example_user, settings):
    """The attack: reset a password and log in with what the page shows. The page shows nothing now."""
    settings.ACCOUNT_EMAILS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    target = example_user("furong_admin")
    User.objects.filter(pk=target.pk).update(email="lifang@example.edu.cn")
    response = reset(client_for("sys_admin"), target)
    assert response.status_code == 302
    page = client_for("sys_admin").get(response["Location"]).content.decode()
    assert "已通过电子邮件发送给账号本人" in page
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lifang@example.edu.cn"]
    password = re.search(r"一次性密码为：(\S+)", message.body).group(1)
    assert password not in response.content.decode()
    assert password not in page
    target.refresh_from_db()
    assert target.check_password(password)
    assert target.must_change_password
    assert Notification.objects.filter(user=target, title="您的密码已被重置").exists()
    event = AccessEvent.objects.get(kind="password_reset", object_id=str(target.pk))
    assert event.username == "sys_admin"
    assert event.detail == "sent by e-mail"
    assert event.scope_path == target.home_scope_path()  # the owner's auditors see it too


def test_without_e_mail_the_page_says_hand_it_over_and_the_account_can_only_change_it(
    client_for, example_user, settings
):
    settings.ACCOUNT_EMAILS = False
    target = example_user("furong_admin")
    response = reset(client_for("sys_admin"), target)
    assert response.status_code == 200
    text = response.content.decode()
    assert "当面交给" in text
    password = html.unescape(re.search(r'id="one-time-password">([^<]+)<', text).group(1))
    assert not mail.outbox
    assert Notification.objects.filter(user=target, title="您的密码已被重置").exists()
    assert AccessEvent.objects.filter(
        kind="password_reset", object_id=str(target.pk), detail="shown for hand-over in person"
    ).exists()
    # Whoever logs in with it can do nothing but change it: no page, no API, no token.
    owner = Client()
    assert owner.post(LOGIN, {"username": "furong_admin", "password": password}).status_code == 302
    assert owner.get("/people/people/")["Location"] == reverse("accounts:password_change")
    assert owner.get("/api/people/people/").status_code == 403
    token = owner.post(
        "/api/auth/token/",
        {"username": "furong_admin", "password": password},
        content_type="application/json",
    )
    assert token.status_code == 403
    changed = owner.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "Mine@2026new", "new_password2": "Mine@2026new"},
    )
    assert changed.status_code == 302
    assert owner.get("/people/people/").status_code == 200


def test_a_failing_mail_server_falls_back_to_the_hand_over(client_for, example_user, settings):
    settings.ACCOUNT_EMAILS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    target = example_user("furong_admin")
    User.objects.filter(pk=target.pk).update(email="lifang@example.edu.cn")
    response = reset(client_for("sys_admin"), target)
    assert response.status_code == 200
    password = html.unescape(
        re.search(r'id="one-time-password">([^<]+)<', response.content.decode()).group(1)
    )
    target.refresh_from_db()
    assert target.check_password(password)


def test_the_old_password_no_longer_works_after_a_reset(client_for, example_user):
    reset(client_for("sys_admin"), example_user("furong_admin"))
    answer = Client().post(LOGIN, {"username": "furong_admin", "password": DEMO_PASSWORD})
    assert answer.status_code == 200
    assert "用户名或密码错误" in answer.content.decode()
