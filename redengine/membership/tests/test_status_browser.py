"""In a real browser, on a phone (390 px) and a desktop screen (1366 px): the alerts page proposes the
suspension of a member out of contact for months; the secretary follows its link, the decision form comes
prefilled, is refused without the higher organization's approval, and is saved with it; the member is then
listed as suspended, and no page scrolls sideways on the phone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from redengine.testing.browser import log_in

from .status_helpers import change, membership_of

pytestmark = pytest.mark.browser

NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_secretary_records_the_suspension_the_alerts_page_proposes(
    live_demo, new_page, screenshot, viewport
):
    today = timezone.localdate()
    lost_on = today - datetime.timedelta(days=220)
    change(membership_of("梅溪湖张老师"), "out_of_contact", lost_on, reason="多次联系未果")

    page = new_page(viewport)
    base = live_demo.url
    log_in(page, base, "school_secretary")
    page.goto(f"{base}/membership/alerts/")
    row = page.locator("#alert-table tr", has_text="梅溪湖张老师")
    expect(row).to_contain_text("建议停止党籍")
    expect(row).to_contain_text(lost_on.isoformat())
    assert page.evaluate(NO_SIDEWAYS)
    screenshot(page, f"alerts-{viewport}")
    row.get_by_role("link", name="登记决定").click()

    expect(page.locator("#id_to_status")).to_have_value("suspended")
    expect(page.locator("#id_reason")).to_have_value("失联7个月，经查找仍无音讯。")
    page.locator("main form button.btn-party").click()  # without the resolution and the approval
    expect(page.locator("#id_approved_by_error")).to_contain_text("上级党组织")
    page.fill("#id_resolution", "支部党员大会决议")
    page.fill("#id_resolution_on", (today - datetime.timedelta(days=5)).isoformat())
    page.fill("#id_approved_by", "中共岳麓区梅溪湖中学委员会")
    page.fill("#id_approved_on", (today - datetime.timedelta(days=2)).isoformat())
    page.fill("#id_document", "梅中党〔2026〕9号")
    assert page.evaluate(NO_SIDEWAYS)
    screenshot(page, f"decision-{viewport}")
    page.locator("main form button.btn-party").click()

    expect(page.locator("table")).to_contain_text("梅溪湖张老师")
    expect(page.locator("table")).to_contain_text("梅中党〔2026〕9号")
    page.goto(f"{base}/membership/status/members/?status=suspended")
    expect(page.locator("table")).to_contain_text("梅溪湖张老师")
    assert page.evaluate(NO_SIDEWAYS)
    assert membership_of("梅溪湖张老师").status == "suspended"
