"""The coverage and record completeness pages in a real browser, at 1366 and 390 px: the summary per
district, a count followed to its items, the pages, and the filters (folded away on a phone)."""

import pytest
from playwright.sync_api import expect

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.services import save_schools
from redengine.testing.browser import log_in

pytestmark = pytest.mark.browser


def private_schools(n):
    save_schools(
        [
            Item(
                {
                    "code": f"9904{i:06d}",
                    "name": f"浏览器测试民办学校{i:03d}",
                    "district": "430104",
                    "ownership": "private",
                    "school_type": "primary",
                    "urban_rural": "urban",
                }
            )
            for i in range(n)
        ],
        by=SYSTEM,
    )


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_district_count_leads_to_its_paged_items(live_demo, new_page, screenshot, viewport):
    private_schools(30)
    page = new_page(viewport)
    base = live_demo.url
    log_in(page, base, "yuelu_admin")
    page.goto(f"{base}/reports/coverage/")
    summary = page.locator("#coverage-summary")
    expect(summary).to_be_visible()
    expect(summary).not_to_contain_text("芙蓉区")
    screenshot(page, f"coverage-{viewport}")
    if viewport == "phone":  # unfiltered, the filters fold away behind their button
        expect(page.locator("#filters")).to_be_hidden()
    gaps = summary.locator("tbody tr").first.locator("td").first.locator("a")
    expect(gaps).to_have_text("30")
    gaps.click()
    expect(page.locator("#coverage-items tbody tr")).to_have_count(25)
    expect(page.locator("#coverage-items caption")).to_contain_text("30")
    expect(page.locator("#id_kind")).to_have_value("gap")  # a filtered list shows its filters
    page.get_by_role("link", name="末页").click()
    expect(page.locator("#coverage-items tbody tr")).to_have_count(5)
    screenshot(page, f"coverage-last-page-{viewport}")

    page.goto(f"{base}/people/completeness/?kind=organizations")
    expect(page.locator("#completeness-districts")).to_be_visible()
    expect(page.locator("#records-count")).to_be_visible()
    screenshot(page, f"completeness-{viewport}")
