"""Browser-test fixtures: headless Debian Chromium driven by Playwright against pytest-django's live server.

Registered for the whole suite by ``pytest_plugins`` in ``redengine/conftest.py``. Playwright's own
browser download is not used: the tests launch the system Chromium (``chromium`` on the PATH or
``/usr/bin/chromium``; the environment variable ``CHROMIUM_PATH`` overrides both). Without it the
browser tests are skipped, unless ``REDENGINE_TEST_STRICT=1`` (set by CI), where they fail.

The live server runs in a thread, so a browser test works on a transactional database: the demo data
loaded once per session is flushed between such tests. ``live_demo`` reloads it for each test.

While the session's browser is open, Playwright's event loop is set as the running loop of the main
thread (hence ``DJANGO_ALLOW_ASYNC_UNSAFE`` in ``conftest.py``). pytest-django runs transactional tests
(and so browser tests) after the other database tests.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_MISSING = "Chromium not found: install Debian's chromium package"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TIMEOUT_MS = 10_000  # a page of the live server answers in well under a second


def chromium_path():
    """The Chromium to launch, or None: ``CHROMIUM_PATH``, else ``chromium`` on the PATH, else /usr/bin."""
    override = os.environ.get("CHROMIUM_PATH")
    if override:
        return override if os.path.isfile(override) and os.access(override, os.X_OK) else None
    found = shutil.which("chromium")
    if found:
        return found
    default = "/usr/bin/chromium"
    return default if os.access(default, os.X_OK) else None


def unavailable(reason):
    """Skip the test, or fail it where nothing may be skipped (``REDENGINE_TEST_STRICT=1``, as in CI)."""
    if os.environ.get("REDENGINE_TEST_STRICT") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (one per xdist worker)."""
    path = chromium_path()
    if path is None:
        unavailable(CHROMIUM_MISSING)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - in the dev dependencies
        unavailable("Playwright not installed: pip install playwright (no browser download needed)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser):
    """``new_page("phone")``: a page in a fresh browser context (own cookies), Chinese by default.

    ``viewport`` is ``"desktop"`` (1366×900), ``"phone"`` (390×844, touch) or a ``{"width", "height"}``
    dict; ``locale`` sets the browser's Accept-Language (the language the site picks before any switch).
    """
    contexts = []

    def make(viewport="desktop", locale="zh-CN"):
        options = dict(PHONE_OPTIONS) if viewport == "phone" else {}
        size = VIEWPORTS[viewport] if isinstance(viewport, str) else viewport
        context = browser.new_context(viewport=size, locale=locale, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-size page (1366×900) whose browser asks for Chinese."""
    return new_page()


@pytest.fixture
def live_demo(transactional_db, live_server):
    """The live server, with the demo data set freshly loaded into the transactional database.

    Flushed first, so that nothing an earlier test left leaks in (a used TOTP step, a failed login
    counted against an account), and the accounts are recreated with the tests' fast password hasher.
    """
    devnull = open(os.devnull, "w")  # noqa: SIM115
    with devnull:
        call_command("flush", interactive=False, verbosity=0)
        call_command("seed_demo", verbosity=0, stdout=devnull)
    return live_server


@pytest.fixture
def screenshot(request):
    """``screenshot(page, "step")`` saves ``test-artifacts/<test>-<step>.png`` (full page) and returns it."""
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = request.node.name.replace("[", "-").replace("]", "").replace("/", "-")

    def take(page, step):
        path = ARTIFACTS / f"{prefix}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def current_totp(username):
    """The six digits a demo account's authenticator shows now (zero-padded)."""
    from django_otp.oath import totp

    from redengine.demo.management.commands.seed_demo import demo_totp_key

    return f"{totp(bytes.fromhex(demo_totp_key(username))):06d}"


def log_in(page, base_url, username, password=None):
    """Log in through the real login page (and the TOTP page where the account needs it)."""
    from redengine.demo.data import DEMO_PASSWORD

    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD if password is None else password)
    with page.expect_navigation():
        page.click("#login-submit")
    if page.url.startswith(f"{base_url}/accounts/otp/"):
        page.fill("input[name=code]", current_totp(username))  # the device accepts one step of drift
        with page.expect_navigation():
            page.click("#otp-submit")
    return page
