"""The UI in a real browser (headless Chromium): login with two-factor, dashboard figures, language
switch, a district administrator's scope, a wrong password, and a phone-width screen.

Each test loads the demo data into the live server's database (``live_demo``) and saves screenshots
of its main steps under ``test-artifacts/``.
"""

import re

import pytest
from playwright.sync_api import expect

from redengine.demo.data import DEMO_PASSWORD, SCHOOLS
from redengine.orgs.models import PartyOrganization, School
from redengine.testing.browser import current_totp, log_in

pytestmark = pytest.mark.browser

LOGIN = "/accounts/login/"
OTP = "/accounts/otp/"
CJK = re.compile(r"[\u4e00-\u9fff]")


def path_of(page, base_url):
    return page.url.removeprefix(base_url).split("?")[0]


def assert_chinese(text, where):
    assert CJK.search(text), f"{where} is not in Chinese: {text!r}"


def charts_drawn(page):
    """Wait until the dashboard's ECharts bars have grown to full height (before a screenshot)."""
    expect(page.locator("#chart-orgs svg")).to_be_attached()
    page.wait_for_timeout(1100)  # ECharts' default animation: 1000 ms


def test_city_admin_two_factor_login_totals_language_switch_and_logout(live_demo, page, screenshot):
    base = live_demo.url
    org_total = PartyOrganization.objects.count()
    school_total = School.objects.count()

    page.goto(f"{base}/")
    assert path_of(page, base) == LOGIN  # the dashboard needs a login
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert_chinese(page.locator("h1").inner_text(), "The login page heading")
    screenshot(page, "1-login")

    page.fill("input[name=username]", "city_admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#login-submit")
    assert path_of(page, base) == OTP  # the city administrator needs a second factor
    expect(page.locator("input[name=code]")).to_be_visible()
    assert_chinese(page.locator("h1").inner_text(), "The two-factor page heading")
    screenshot(page, "2-totp")

    page.fill("input[name=code]", current_totp("city_admin"))
    with page.expect_navigation():
        page.click("#otp-submit")
    assert path_of(page, base) == "/"
    expect(page.locator("#org-total")).to_have_text(str(org_total))
    expect(page.locator("#school-total")).to_have_text(str(school_total))
    assert_chinese(page.locator("h1").inner_text(), "The dashboard heading")
    expect(page.locator("#orgs-by-type tbody tr")).not_to_have_count(0)
    expect(page.locator("#schools-by-district tbody tr")).not_to_have_count(0)
    charts_drawn(page)
    screenshot(page, "3-dashboard-zh")

    with page.expect_navigation():
        page.click("#lang-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("#org-total")).to_have_text(str(org_total))
    expect(page.locator("#lang-zh-hans")).to_be_visible()
    charts_drawn(page)
    screenshot(page, "4-dashboard-en")

    with page.expect_navigation():
        page.click("#lang-zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert page.locator("h1").inner_text() != "Dashboard"
    assert_chinese(page.locator("h1").inner_text(), "The dashboard heading after switching back")
    expect(page.locator("#lang-en")).to_be_visible()

    page.click("#user-menu")
    expect(page.locator("#logout")).to_be_visible()
    screenshot(page, "5-user-menu")
    with page.expect_navigation():
        page.click("#logout")
    assert path_of(page, base) == LOGIN
    expect(page.locator("input[name=username]")).to_be_visible()
    screenshot(page, "6-logged-out")
    page.goto(f"{base}/")
    assert path_of(page, base) == LOGIN  # the session is gone


def yuelu_subtree_codes():
    """Codes of the Yuelu district organization and everything below it, walking the tree in Python.

    Parent links come from the materialized paths (a child's path is its parent's plus one step),
    not from the scoped querysets the application uses.
    """
    orgs = list(PartyOrganization.objects.all())
    children = {}
    for org in orgs:
        children.setdefault(org.path[: -PartyOrganization.steplen], []).append(org)
    codes, stack = [], [next(org for org in orgs if org.code == "CS430104")]
    while stack:
        org = stack.pop()
        codes.append(org.code)
        stack.extend(children.get(org.path, []))
    return codes


def test_district_admin_sees_only_their_district(live_demo, page, screenshot):
    base = live_demo.url
    codes = yuelu_subtree_codes()
    assert "CS430104-02-01" in codes  # the walk reaches the third level
    assert all(code.startswith("CS430104") for code in codes)
    assert len(codes) == PartyOrganization.objects.filter(code__startswith="CS430104").count()
    yuelu_schools = list(School.objects.filter(district="430104").values_list("name", flat=True))
    furong_schools = [name for _code, name, district, *_ in SCHOOLS if district == "430102"]
    assert yuelu_schools
    assert furong_schools

    log_in(page, base, "yuelu_admin")  # no second factor for a district administrator
    assert path_of(page, base) == "/"
    expect(page.locator("#org-total")).to_have_text(str(len(codes)))
    expect(page.locator("#school-total")).to_have_text(str(len(yuelu_schools)))
    # Within one district the dashboard counts schools by type; the rows add up to the district's schools.
    by_type = School.objects.filter(district="430104").values("school_type").distinct().count()
    expect(page.locator("#schools-by-district tbody tr")).to_have_count(by_type)
    expect(page.locator("#main")).not_to_contain_text("芙蓉区")
    charts_drawn(page)
    screenshot(page, "1-dashboard")

    page.goto(f"{base}/orgs/schools/")
    expect(page.locator("main table tbody tr")).to_have_count(len(yuelu_schools))
    content = page.content()
    for name in yuelu_schools:
        assert name in content, f"{name} (Yuelu) missing from the school list"
    for name in furong_schools:
        assert name not in content, f"{name} (Furong) shown to the Yuelu administrator"
    rows = page.locator("main table tbody").inner_text()
    assert "芙蓉区" not in rows  # (the district filter still lists every district)
    screenshot(page, "2-school-list")

    org = PartyOrganization.objects.get(code="CS430104-02")
    page.goto(f"{base}/orgs/organizations/{org.pk}/")
    expect(page.locator("h1")).to_have_text(org.name)
    screenshot(page, "3-organization-detail")

    furong_org = PartyOrganization.objects.get(code="CS430102-01")
    response = page.goto(f"{base}/orgs/organizations/{furong_org.pk}/")
    assert response.status == 404  # out of scope: as if it did not exist
    assert furong_org.name not in page.content()


def test_wrong_password_shows_a_chinese_error_and_stays_on_the_login_page(live_demo, page, screenshot):
    base = live_demo.url
    page.goto(f"{base}{LOGIN}")
    page.fill("input[name=username]", "yuelu_admin")
    page.fill("input[name=password]", DEMO_PASSWORD + "x")
    with page.expect_navigation():
        page.click("#login-submit")
    assert path_of(page, base) == LOGIN
    error = page.locator("form .alert-danger")
    expect(error).to_be_visible()
    assert_chinese(error.inner_text(), "The wrong-password message")
    expect(page.locator("input[name=username]")).to_have_value("yuelu_admin")
    expect(page.locator("input[name=password]")).to_have_value("")  # never sent back
    screenshot(page, "1-error")
    page.goto(f"{base}/")
    assert path_of(page, base) == LOGIN  # not logged in


def horizontal_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_phone_width_has_no_horizontal_scrolling(live_demo, new_page, screenshot):
    base = live_demo.url
    page = new_page("phone")
    page.goto(f"{base}{LOGIN}")
    assert horizontal_overflow(page) <= 0, "the login page scrolls sideways on a phone"
    screenshot(page, "1-login")
    page.fill("input[name=username]", "city_admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#login-submit")
    assert path_of(page, base) == OTP
    screenshot(page, "2-totp")
    page.fill("input[name=code]", current_totp("city_admin"))
    with page.expect_navigation():
        page.click("#otp-submit")
    assert path_of(page, base) == "/"

    expect(page.locator("#org-total")).to_be_visible()
    charts_drawn(page)
    assert horizontal_overflow(page) <= 0, "the dashboard scrolls sideways on a phone"
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(page.locator("#mainnav")).to_be_hidden()
    screenshot(page, "3-dashboard")

    toggler.click()
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))  # opened, not still sliding
    expect(page.locator("#user-menu")).to_be_in_viewport()
    screenshot(page, "4-menu-open")

    page.goto(f"{base}/orgs/schools/")
    screenshot(page, "5-school-list")
    org = PartyOrganization.objects.get(code="CS430104-02")
    page.goto(f"{base}/orgs/organizations/{org.pk}/")
    screenshot(page, "6-organization-detail")
