"""In a real browser at phone width (390 px): a school secretary logs in, lands on the to-do list, sees the
bell in the top bar without opening the menu, and follows a due step's 录入 link to the step form."""

import pytest
from playwright.sync_api import expect

from redengine.testing.browser import log_in

pytestmark = pytest.mark.browser


def test_secretary_follows_a_due_step_from_the_to_do_list_on_a_phone(live_demo, new_page, screenshot):
    base = live_demo.url
    page = new_page("phone")
    log_in(page, base, "school_secretary")
    assert page.url == f"{base}/"
    expect(page.locator("#todo-heading")).to_have_text("待办")
    expect(page.locator("#notifications-link")).to_be_in_viewport()  # not hidden in the collapsed menu
    expect(page.locator("#mainnav")).to_be_hidden()
    expect(page.locator("#schools-by-district")).to_have_count(0)  # no district tables for a school
    due = page.locator("#todo-development-month")
    expect(due).to_contain_text("本月到期的发展步骤")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    screenshot(page, "1-todo")
    record = due.locator("a.todo-action", has_text="录入").first
    href = record.get_attribute("href")
    step = href.rsplit("step=", 1)[1]
    with page.expect_navigation():
        record.click()
    assert page.url == f"{base}{href}"
    expect(page.locator("#id_step")).to_have_value(step)
    screenshot(page, "2-step-form")
