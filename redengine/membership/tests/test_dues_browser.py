"""In a real browser: a school secretary declares a member's dues base, opens the month and records the payment
at 1,366 px; on a phone (390 px) a member works out their dues with the calculator and the secretary reads
the ledger, which scrolls sideways rather than spilling out of the page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from redengine.testing.browser import log_in

pytestmark = pytest.mark.browser


def test_a_secretary_declares_a_base_opens_the_month_and_records_the_payment(live_demo, new_page, screenshot):
    from redengine.people.models import Membership

    base = live_demo.url
    month = f"{timezone.localdate():%Y-%m}"
    member = Membership.objects.get(person__name="梅溪湖李老师", ended_on=None)
    page = new_page()
    log_in(page, base, "school_secretary")
    page.goto(f"{base}/membership/dues/members/{member.pk}/")
    expect(page.locator("#member-bases")).to_contain_text("尚未申报")
    page.click("#declare-base")
    page.select_option("#id_category", "in_service")
    page.fill("#id_base", "5000.01")
    page.fill("#id_from_month", month)
    screenshot(page, "base-form")
    page.click("#dues-save")
    expect(page.locator("#member-bases")).to_contain_text("75.00")
    page.goto(f"{base}/membership/dues/?org=CS430104-02-02")
    page.click("#open-month")
    page.click("#dues-save")
    expect(page.locator("#ledger-grid")).to_contain_text("梅溪湖李老师")
    row = page.locator(f'tr[data-member="{member.pk}"]')
    expect(row.locator('td[data-state="owed"]')).to_have_count(1)
    screenshot(page, "ledger")
    row.locator('td[data-state="owed"] a').click()
    page.fill("#id_paid", "75")
    page.select_option("#id_method", "online")
    page.click("#dues-save")
    expect(page.locator("#member-months")).to_contain_text("线上支付")
    expect(page.locator("#member-arrears")).to_contain_text("无欠缴")


def test_the_calculator_and_the_ledger_on_a_phone(live_demo, new_page, screenshot):
    base = live_demo.url
    phone = new_page("phone")
    log_in(phone, base, "school_secretary")
    phone.goto(f"{base}/membership/dues/calculator/")
    phone.fill("#id_base", "5200")
    phone.select_option("#id_category", "retired")
    phone.click("#calculate")
    expect(phone.locator("#quote-monthly")).to_contain_text("52.00")
    expect(phone.locator("#quote-source")).to_contain_text("中组发〔2008〕3号")
    screenshot(phone, "calculator")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the screen
    phone.goto(f"{base}/membership/dues/?org=CS430104-02")
    expect(phone.locator("#ledger-actions")).to_be_visible()
    screenshot(phone, "ledger")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
