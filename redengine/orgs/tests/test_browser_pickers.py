"""The pickers in a real browser: part of a name typed, a suggestion picked (keys or tap), the form sent."""

import pytest
from playwright.sync_api import expect

from redengine.orgs.models import PartyOrganization
from redengine.testing.browser import log_in

pytestmark = pytest.mark.browser

BRANCH = "梅溪湖中学初中部党支部（CS430104-02-01）"


def test_filter_by_a_name_with_the_keyboard(live_demo, page, screenshot):
    base = live_demo.url
    log_in(page, base, "yuelu_admin")
    page.goto(f"{base}/people/people/")
    box = page.locator("#id_within")
    expect(box).to_have_attribute("role", "combobox")
    box.press_sequentially("初中部")
    listbox = page.locator("#id_within-listbox")
    expect(listbox.get_by_role("option", name=BRANCH)).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox).not_to_contain_text("芙蓉")  # another district's, never suggested
    screenshot(page, "suggestions")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "id_within-listbox-0")
    box.press("Enter")  # picks; a second Enter sends the filter
    expect(box).to_have_value("CS430104-02-01")
    expect(page.locator("#id_within ~ .picker-chosen")).to_have_text(BRANCH)
    with page.expect_navigation():
        box.press("Enter")
    assert "within=CS430104-02-01" in page.url
    # The address carries the code; the page names the organization again.
    expect(page.locator("#id_within ~ .picker-chosen")).to_have_text(BRANCH)
    screenshot(page, "filtered")
    box.fill("")
    box.press_sequentially("芙蓉")
    expect(listbox.get_by_role("option", name="您的范围内没有匹配的记录。")).to_be_visible()
    box.press("Escape")
    expect(listbox).to_be_hidden()


def test_pick_on_a_phone_and_send(live_demo, new_page, screenshot):
    base = live_demo.url
    page = new_page("phone")
    log_in(page, base, "yuelu_admin")
    page.goto(f"{base}/development/cases/")
    page.get_by_role("button", name="筛选条件").click()
    box = page.locator("#id_school")
    box.press_sequentially("梅溪湖")
    option = page.get_by_role("option", name="岳麓区梅溪湖中学（4301040002）")
    expect(option).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # the list stays within the phone's width
    screenshot(page, "suggestions")
    option.tap()
    expect(box).to_have_value("4301040002")
    with page.expect_navigation():
        page.locator("#filters button[type=submit]").click()
    assert "school=4301040002" in page.url
    screenshot(page, "filtered")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_covered_schools_as_chips(live_demo, new_page, screenshot, viewport):
    base = live_demo.url
    org = PartyOrganization.objects.get(code="CS430104-03")
    before = set(org.schools.values_list("code", flat=True))
    page = new_page(viewport)
    log_in(page, base, "yuelu_admin")
    page.goto(f"{base}/orgs/organizations/{org.pk}/edit/")
    chips = page.locator(".picker-chips .picker-chip")
    expect(chips).to_have_count(len(before))
    search = page.locator("#id_schools-search")
    expect(page.locator("label[for=id_schools-search]")).to_be_visible()
    search.press_sequentially("麓山")
    expect(page.get_by_role("option", name="岳麓区麓山实验小学（4301040001）")).to_be_visible()
    search.press("ArrowDown")
    search.press("Enter")  # adds a chip; the form is not sent
    expect(chips).to_have_count(len(before) + 1)
    expect(search).to_have_value("")
    screenshot(page, "chips")
    first = chips.first
    first.get_by_role("button").click()  # removes the school first chosen
    expect(chips).to_have_count(len(before))
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").last.click()
    assert set(org.schools.values_list("code", flat=True)) == (before - {sorted(before)[0]}) | {"4301040001"}


def test_grant_a_role_over_a_scope_found_by_name(live_demo, page, screenshot):
    from redengine.accounts.models import RoleAssignment

    base = live_demo.url
    log_in(page, base, "sec_admin")
    page.goto(f"{base}/accounts/manage/roles/")
    page.fill("#id_user", "furong_admin")
    page.select_option("#id_role", "inspector")
    box = page.locator("#id_organization")
    box.press_sequentially("朝阳路")
    option = page.get_by_role("option", name="中共芙蓉区朝阳路小学支部委员会（CS430102-01）")
    expect(option).to_be_visible()
    screenshot(page, "scope")
    option.click()
    expect(box).to_have_value("CS430102-01")
    with page.expect_navigation():
        page.get_by_role("button", name="授予").click()
    assert RoleAssignment.objects.filter(
        user__username="furong_admin", role="inspector", organization__code="CS430102-01"
    ).exists()
