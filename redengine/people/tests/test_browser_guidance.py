"""The instructor's guidance records in a real browser: the to-do, the form and its refusal naming the school,
the list as cards on a phone, the panel on the school's page."""

import pytest
from playwright.sync_api import expect

from redengine.orgs.models import School
from redengine.people.models import GuidanceRecord
from redengine.testing.browser import log_in

pytestmark = pytest.mark.browser


def test_the_instructor_writes_a_guidance_record(live_demo, page, screenshot):
    base = live_demo.url
    log_in(page, base, "instructor")
    page.goto(f"{base}/")
    expect(page.locator("#todo-people-guidance")).to_contain_text("岳麓区星辰幼儿园")
    screenshot(page, "todo")
    page.goto(f"{base}/people/guidance/add/")
    page.select_option("#id_dispatch", label="岳麓区星辰幼儿园（2022-03-01起）")
    page.fill("#id_held_on", "2022-02-28")
    page.select_option("#id_kind", "service")
    page.fill("#id_content", "为青年教师开展师德师风培训")
    page.click("form.card button[type=submit]")
    expect(page.locator("form.card")).to_contain_text(
        "岳麓区星辰幼儿园"
    )  # refused: before the dispatch began
    screenshot(page, "refused")
    assert not GuidanceRecord.objects.filter(content="为青年教师开展师德师风培训").exists()
    page.fill("#id_held_on", "2024-05-06")
    page.click("form.card button[type=submit]")
    expect(page.locator("table")).to_contain_text("为青年教师开展师德师风培训")
    screenshot(page, "list")
    assert GuidanceRecord.objects.filter(
        content="为青年教师开展师德师风培训", school__code="4301040005"
    ).exists()


def test_the_list_and_the_panel_on_a_phone(live_demo, new_page, screenshot):
    base = live_demo.url
    page = new_page("phone")
    log_in(page, base, "yuelu_admin")
    page.goto(f"{base}/people/guidance/")
    cards = page.locator("table.table-cards")
    expect(cards).to_contain_text("列席支部委员会会议")
    expect(cards).not_to_contain_text("与园长商议党组织组建")  # another district's school
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "list-phone")
    school = School.objects.get(code="4301040004")
    page.goto(f"{base}{school.get_absolute_url()}")
    expect(page.locator("#guidance-summary")).to_contain_text("刘卫东")
    page.locator("#guidance-summary").scroll_into_view_if_needed()
    screenshot(page, "panel-phone")
