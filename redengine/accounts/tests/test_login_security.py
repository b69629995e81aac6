"""Login security (MLPS level 3 / GB/T 22239-2019 §8.1.4.1 identification and authentication)."""

import base64
import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from redengine.accounts import services
from redengine.accounts.middleware import ACTIVITY_STEP, LAST_ACTIVITY, LOGIN_TIME
from redengine.accounts.models import RoleAssignment, User
from redengine.core.models import AccessEvent
from redengine.core.writes import SYSTEM
from redengine.demo.data import DEMO_PASSWORD
from redengine.orgs.models import PartyOrganization
from redengine.testing import login_client

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def post_login(client, username, password, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def current_code(user):
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key):06d}"


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user, _ = services.create_account(username="argon_user", by=SYSTEM)
    assert user.password.startswith("argon2$")
    from redengine import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize("password", ["Ab1!", "abcdefgh", "abcdefg1", "ABCDEFG1", "12345678!", "Password1"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password, User(username="zhangsan", full_name="张三"))


@pytest.mark.parametrize("password", ["Hongse@2026", "qiU7-jkl#", "XIAOMING7!z"])
def test_strong_passwords_are_accepted(password):
    validate_password(password, User(username="zhangsan"))


def test_password_similar_to_user_name_is_refused():
    with pytest.raises(ValidationError):
        validate_password("Zhangsan2026!", User(username="zhangsan2026"))


def test_wrong_password_gives_a_chinese_message_and_changes_nothing(client):
    response = post_login(client, "yuelu_admin", "Wrong@2026")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessEvent.objects.filter(kind="login_failed", username="yuelu_admin").exists()


def test_form_keeps_the_typed_user_name_and_marks_missing_fields(client):
    response = client.post(LOGIN, {"username": "yuelu_admin", "password": ""})
    html = response.content.decode()
    assert 'value="yuelu_admin"' in html
    assert "is-invalid" in html


def test_lockout_after_five_failures_per_account_and_address(client):
    for _ in range(5):
        post_login(client, "yuelu_admin", "Wrong@2026", ip="10.9.9.9")
    locked = post_login(client, "yuelu_admin", DEMO_PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 429
    assert "15 分钟" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessEvent.objects.filter(kind="locked_out", username="yuelu_admin").exists()
    # Nobody elsewhere can lock the user out: the same account from another address still logs in.
    other = post_login(client, "yuelu_admin", DEMO_PASSWORD, ip="10.2.2.2")
    assert other.status_code == 302
    assert other["Location"] == reverse("reports:dashboard")


def test_lockout_ends_after_fifteen_minutes(client):
    for _ in range(5):
        post_login(client, "furong_admin", "Wrong@2026", ip="10.3.3.3")
    assert post_login(client, "furong_admin", DEMO_PASSWORD, ip="10.3.3.3").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert post_login(client, "furong_admin", DEMO_PASSWORD, ip="10.3.3.3").status_code == 302


def test_four_failures_do_not_lock(client):
    for _ in range(4):
        post_login(client, "furong_admin", "Wrong@2026", ip="10.4.4.4")
    assert post_login(client, "furong_admin", DEMO_PASSWORD, ip="10.4.4.4").status_code == 302


def test_idle_session_expires_after_thirty_minutes(client, example_user):
    login_client(client, example_user("yuelu_admin"))
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/", follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "会话已过期" in response.content.decode()
    assert AccessEvent.objects.filter(kind="session_expired", username="yuelu_admin").exists()


def test_activity_keeps_the_session_alive(client, example_user):
    login_client(client, example_user("yuelu_admin"))
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - 29 * 60
    session.save()
    assert client.get("/").status_code == 200
    assert client.session[LAST_ACTIVITY] >= int(time.time()) - 5


def test_activity_is_noted_at_most_once_a_minute_and_always_by_continue(client, example_user):
    """A page within a minute of the last note does not write the session row; one after it does, and the
    idle warning's "continue" always does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_client(client, example_user("yuelu_admin"))

    def noted_at(seconds_ago, url="/"):
        session = client.session
        session[LAST_ACTIVITY] = int(time.time()) - seconds_ago
        session.save()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code in (200, 204)
        writes = [q for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]
        return client.session[LAST_ACTIVITY], len(writes)

    within = int(time.time()) - 20
    assert noted_at(20) == (within, 0)
    after, writes = noted_at(ACTIVITY_STEP + 5)
    assert after >= int(time.time()) - 5
    assert writes == 1
    kept, writes = noted_at(20, reverse("accounts:keep_alive"))
    assert kept >= int(time.time()) - 5
    assert writes == 1


def test_session_ends_twelve_hours_after_login_even_when_active(client, example_user):
    login_client(client, example_user("yuelu_admin"))
    session = client.session
    session[LOGIN_TIME] = int(time.time()) - 12 * 3600 - 60
    session.save()
    assert client.get("/").status_code == 302


def test_city_admin_needs_the_totp_code(client, example_user):
    response = post_login(client, "city_admin", DEMO_PASSWORD)
    assert response["Location"] == reverse("accounts:otp")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # not logged in yet
    wrong = client.post(reverse("accounts:otp"), {"code": "000000"})
    assert "验证码错误" in wrong.content.decode()
    # A wrong code throttles the device (1 s, doubling with each failure); let that time pass.
    TOTPDevice.objects.filter(user__username="city_admin").update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5)
    )
    right = client.post(reverse("accounts:otp"), {"code": current_code(example_user("city_admin"))})
    assert right.status_code == 302
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert dashboard.wsgi_request.user.is_verified()


def test_a_totp_code_is_single_use(client, example_user):
    code = current_code(example_user("sec_admin"))
    post_login(client, "sec_admin", DEMO_PASSWORD)
    assert client.post(reverse("accounts:otp"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    post_login(client, "sec_admin", DEMO_PASSWORD)
    reused = client.post(reverse("accounts:otp"), {"code": code})
    assert reused.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_gets_a_new_session_key(client):
    client.get(LOGIN)
    before = client.cookies.get("sessionid")
    post_login(client, "yuelu_admin", DEMO_PASSWORD)
    assert client.cookies["sessionid"].value != (before.value if before else None)


def test_enrolment_by_qr_code_for_a_new_administrator(client):
    user, _ = services.create_account(username="new_audit", password="Audit@2026x", by=SYSTEM)
    services.grant_role(user=user, role="audit_admin", by=SYSTEM)
    response = post_login(client, "new_audit", "Audit@2026x")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "<svg" in html
    assert 'id="otp-secret"' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post(reverse("accounts:otp"), {"code": f"{totp(device.bin_key):06d}"}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_reveal_permission_requires_two_factor():
    user, _ = services.create_account(username="revealer", password="Reveal@2026x", by=SYSTEM)
    org = PartyOrganization.objects.get(code="CS430104")
    services.grant_role(user=user, role="district_admin", organization=org, by=SYSTEM)
    assert not user.requires_2fa
    user._assignments_cache = None
    services.grant_role(user=user, role="school_secretary", organization=org, can_reveal=True, by=SYSTEM)
    user = User.objects.get(pk=user.pk)
    assert user.requires_2fa


def test_role_needing_two_factor_granted_mid_session_forces_a_new_login(client, example_user):
    user = example_user("furong_admin")
    login_client(client, user)
    assert client.get("/").status_code == 200
    RoleAssignment.objects.filter(user=user).update(can_reveal=True)
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_first_login_must_change_the_one_time_password(client):
    user, initial = services.create_account(username="new_secretary", by=SYSTEM)
    services.grant_role(
        user=user,
        role="school_secretary",
        organization=PartyOrganization.objects.get(code="CS430104-01"),
        by=SYSTEM,
    )
    assert post_login(client, "new_secretary", initial).status_code == 302
    assert client.get("/")["Location"] == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": initial, "new_password1": "Mine@2026new", "new_password2": "Mine@2026new"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password


def test_one_time_passwords_are_random_and_strong():
    first, p1 = services.create_account(username="otp_a", by=SYSTEM)
    second, p2 = services.create_account(username="otp_b", by=SYSTEM)
    assert p1 != p2
    validate_password(p1, first)
    assert first.must_change_password


def test_disabling_an_account_ends_its_sessions(client, example_user):
    user = example_user("yuelu_admin")
    post_login(client, "yuelu_admin", DEMO_PASSWORD)
    assert client.get("/").status_code == 200
    services.set_active(user, False, by=SYSTEM)
    assert client.get("/").status_code == 302
    assert post_login(client, "yuelu_admin", DEMO_PASSWORD).status_code == 200  # refused


def test_the_three_administrators_are_kept_apart(example_user):
    with pytest.raises(ValidationError):
        services.grant_role(user=example_user("sys_admin"), role="sec_admin", by=SYSTEM)
    with pytest.raises(ValidationError):
        services.grant_role(
            user=example_user("audit_admin"),
            role="district_admin",
            organization=PartyOrganization.objects.get(code="CS430104"),
            by=SYSTEM,
        )
    with pytest.raises(ValidationError):
        services.grant_role(user=example_user("yuelu_admin"), role="audit_admin", by=SYSTEM)


def test_database_refuses_a_technical_role_with_personal_data_or_a_scope(example_user):
    root = PartyOrganization.objects.get(code="CS0001")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=example_user("sys_admin"), role="audit_admin", can_reveal=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=example_user("sys_admin"), role="sec_admin", organization=root)


@pytest.mark.parametrize("username", ["sys_admin", "sec_admin", "audit_admin"])
def test_technical_administrators_see_no_domain_records(client_for, username):
    client = client_for(username)
    assert client.get("/orgs/schools/").status_code == 403
    assert client.get("/orgs/organizations/").status_code == 403
    dashboard = client.get("/")
    assert "org_total" not in dashboard.context


def test_no_superuser_can_be_created():
    with pytest.raises(CommandError):
        call_command("createsuperuser", "--noinput", "--username", "root")
    with pytest.raises(ValidationError):
        User.objects.create_superuser("root", password="Root@2026x")


def test_system_check_fails_on_a_superuser_in_production(settings, example_user):
    from redengine.core.checks import no_superuser

    settings.PRODUCTION = True
    assert no_superuser() == []
    User.objects.filter(username="inspector").update(is_superuser=True)
    errors = no_superuser()
    assert [e.id for e in errors] == ["redengine.E001"]
    assert "inspector" in errors[0].msg


def test_createadmin_makes_a_role_account_with_a_random_password(capsys):
    call_command("createadmin", "--username", "backup_admin", "--role", "sys_admin")
    out = capsys.readouterr().out
    user = User.objects.get(username="backup_admin")
    password = out.split("login): ")[1].split()[0]
    assert user.check_password(password)
    assert user.must_change_password
    assert password != DEMO_PASSWORD
    assert not user.is_superuser


def test_web_logins_are_throttled_per_address(client, settings):
    """The attack: many accounts tried from one address (each under the per-account lock-out). 429 now."""
    settings.LOGIN_ATTEMPTS_PER_MINUTE = 30
    for n in range(30):
        answer = post_login(client, f"guess{n}", "Wrong@2026", ip="10.7.7.7")
        assert answer.status_code == 200, n
    throttled = post_login(client, "yuelu_admin", DEMO_PASSWORD, ip="10.7.7.7")
    assert throttled.status_code == 429
    assert "登录尝试次数过多" in throttled.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessEvent.objects.filter(kind="throttled", ip_address="10.7.7.7").exists()
    assert post_login(client, "yuelu_admin", DEMO_PASSWORD, ip="10.8.8.8").status_code == 302  # elsewhere


def test_the_login_throttle_window_slides_across_the_turn_of_a_minute(client, settings, monkeypatch):
    """The finding: a counter per clock minute reset at its turn, so 30 posts at :59 and 30 more at :00 all
    went through (and the test above failed when it straddled the turn). The window is the last 60 s."""
    from redengine.accounts import views

    settings.LOGIN_ATTEMPTS_PER_MINUTE = 30
    clock = {"now": 1_800_000_059.0}  # one second before a minute's turn
    monkeypatch.setattr(views.time, "time", lambda: clock["now"])
    for n in range(30):
        assert post_login(client, f"guess{n}", "Wrong@2026", ip="10.9.9.9").status_code == 200, n
    clock["now"] += 2  # across the turn
    assert post_login(client, "yuelu_admin", DEMO_PASSWORD, ip="10.9.9.9").status_code == 429
    clock["now"] += 59  # 61 s after the first 30: they no longer count
    assert post_login(client, "yuelu_admin", DEMO_PASSWORD, ip="10.9.9.9").status_code == 302


def test_wrong_old_passwords_lock_the_account_like_failed_logins(client, example_user):
    """The attack: a session left open, its password guessed through the password change. Locked at 5."""
    login_client(client, example_user("furong_admin"))
    url = reverse("accounts:password_change")
    for n in range(4):
        wrong = client.post(
            url,
            {
                "old_password": f"Guess@2026{n}",
                "new_password1": "Mine@2026new",
                "new_password2": "Mine@2026new",
            },
        )
        assert wrong.status_code == 200
        assert "_auth_user_id" in client.session
    locked = client.post(
        url, {"old_password": "Guess@20264", "new_password1": "Mine@2026new", "new_password2": "Mine@2026new"}
    )
    assert locked.status_code == 429
    assert "15 分钟" in locked.content.decode()
    assert "_auth_user_id" not in client.session  # logged out
    assert AccessEvent.objects.filter(kind="login_failed", username="furong_admin", path=url).count() == 5
    assert AccessEvent.objects.filter(kind="locked_out", username="furong_admin").exists()
    # The login is locked from this address too, as after five failed logins.
    assert post_login(client, "furong_admin", DEMO_PASSWORD, ip="127.0.0.1").status_code == 429
    # What axes keeps of the attempts holds none of the passwords typed.
    kept = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "Guess@2026" not in kept
    assert "Mine@2026new" not in kept
    assert example_user("furong_admin").check_password(DEMO_PASSWORD)  # unchanged


# User names are case-insensitive: a phone that capitalises the first letter must not lock anyone out.
def test_a_user_name_in_another_case_logs_in_as_the_account(client):
    response = post_login(client, "School_Secretary", DEMO_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:dashboard")
    assert client.session["_auth_user_id"] == str(User.objects.get(username="school_secretary").pk)


def test_failures_in_any_case_count_against_the_same_accounts_lockout(client):
    for typed in ["School_Secretary", "SCHOOL_SECRETARY", "school_secretary", "School_secretary"]:
        post_login(client, typed, "Wrong@2026", ip="10.5.5.5")
    fifth = post_login(client, "SCHOOL_secretary", "Wrong@2026", ip="10.5.5.5")
    assert fifth.status_code == 429
    assert post_login(client, "school_secretary", DEMO_PASSWORD, ip="10.5.5.5").status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"school_secretary"}
    home = User.objects.get(username="school_secretary").home_scope_path()
    assert home
    assert set(AccessEvent.objects.filter(kind="locked_out").values_list("scope_path", flat=True)) == {home}


def test_the_user_name_field_tells_phones_not_to_capitalise_or_correct(client):
    html = client.get(LOGIN).content.decode()
    field = html[html.index('name="username"') - 300 : html.index('name="username"') + 300]
    for attribute in ('autocapitalize="none"', 'autocorrect="off"', 'spellcheck="false"'):
        assert attribute in field


def test_no_two_accounts_differ_by_case_alone(client_for):
    with pytest.raises(ValidationError) as refused:
        services.create_account(username="School_Secretary", by=SYSTEM)
    assert "不区分大小写" in " ".join(refused.value.messages)
    page = client_for("sys_admin").post(
        reverse("accounts:account_add"), {"username": "YUELU_ADMIN", "full_name": "重名", "email": ""}
    )
    assert page.status_code == 200
    assert "不区分大小写" in page.content.decode()
    assert User.objects.filter(username__iexact="yuelu_admin").count() == 1


# The lock-out says what is left and, once locked, for how long and whom to ask; never the address.
def test_a_failed_login_says_how_many_tries_are_left(client):
    first = post_login(client, "furong_admin", "Wrong@2026", ip="10.6.6.6").content.decode()
    assert "用户名或密码错误" in first
    assert "还可尝试 4 次" in first
    for _ in range(2):
        post_login(client, "Furong_Admin", "Wrong@2026", ip="10.6.6.6")
    assert "还可尝试 1 次" in post_login(client, "furong_admin", "Wrong@2026", ip="10.6.6.6").content.decode()
    # The same answer for a name no account has: the count tells nothing about which names exist.
    assert "还可尝试 4 次" in post_login(client, "no_such_user", "Wrong@2026", ip="10.6.6.6").content.decode()


def test_the_lockout_says_for_how_long_and_whom_to_ask_without_the_address(client):
    for _ in range(4):
        post_login(client, "yuelu_admin", "Wrong@2026", ip="10.7.7.7")
    locked = post_login(client, "yuelu_admin", "Wrong@2026", ip="10.7.7.7")
    html = locked.content.decode()
    assert locked.status_code == 429
    assert "15 分钟后再试" in html
    assert "安全管理员" in html
    assert "区县的管理员" in html
    assert "10.7.7.7" not in html
    assert "地址" not in html
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=10, seconds=30))
    later = post_login(client, "yuelu_admin", DEMO_PASSWORD, ip="10.7.7.7").content.decode()
    assert "5 分钟后再试" in later


def test_the_enrolment_page_names_apps_groups_the_key_and_links_the_authenticator(client):
    user, _ = services.create_account(username="new_sec", password="Secure@2026x", by=SYSTEM)
    services.grant_role(user=user, role="sec_admin", by=SYSTEM)
    html = client.get(post_login(client, "new_sec", "Secure@2026x")["Location"]).content.decode()
    for app in ("腾讯身份验证器", "微信小程序", "Microsoft Authenticator", "Google Authenticator", "FreeOTP"):
        assert app in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    shown = html.split('id="otp-secret"')[1].split(">", 1)[1].split("<", 1)[0]
    assert shown.split(" ") == [secret[i : i + 4] for i in range(0, len(secret), 4)]
    assert all(len(group) == 4 for group in shown.split(" ")[:-1])
    link = html.split('id="otp-link" href="')[1].split('"', 1)[0].replace("&amp;", "&")
    assert link == device.config_url
    assert link.startswith("otpauth://totp/")
    assert f"secret={secret}" in link
