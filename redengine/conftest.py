"""Test set-up shared by every app: the example tree and accounts (the demo data set, built with the real services)."""

import os

import pytest
from django.core.management import call_command

pytest_plugins = ["redengine.testing.browser"]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the production hasher (tested on its own); tests log in hundreds of times.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",  # the demo accounts were hashed with it
    ]


@pytest.fixture(autouse=True)
def _tasks_in_process(settings):
    # Background tasks run at once, in the test's own transaction; the worker itself is tested on its
    # own (imports/tests/test_background.py). Progress stays in the test process.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CACHES = {
        **settings.CACHES,
        "progress": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "progress"},
    }


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate limits (logins per address, the token endpoint, API reads of personal data) count in
    # the default cache: each test starts from none, whatever the tests before it did.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def example_user(db):
    """``example_user("yuelu_admin")``: a demo account with its roles (Zulip's example_user)."""
    from redengine.accounts.models import User

    def get(username):
        return User.objects.get(username=username)

    return get


@pytest.fixture
def client_for(client, example_user):
    """A test client logged in as a demo account (two-factor already verified where it needs it)."""
    from redengine.testing import login_client

    def make(username):
        return login_client(client, example_user(username))

    return make


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With REDENGINE_TEST_STRICT=1 (CI) nothing may be skipped: a skip counts as a failure."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("REDENGINE_TEST_STRICT") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in strict mode (nothing may be skipped in CI): {report.longrepr}"
