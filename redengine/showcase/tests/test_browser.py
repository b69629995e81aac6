"""In a real browser: a school secretary writes a member story and submits it, the district bureau publishes
it from its to-do list's list, and a user of another district finds it by a word inside its text and reads
it; the search page reads at phone width too."""

import pytest
from playwright.sync_api import expect

from redengine.showcase.models import Story
from redengine.testing.browser import log_in

pytestmark = pytest.mark.browser

TITLE = "山村里的红烛"
TEXT = "三十年来，张老师扎根山村，用粉笔书写青春，把党的温暖送到每个孩子心里。"


def test_a_story_is_written_submitted_published_and_found_in_another_district(
    live_demo, new_page, screenshot
):
    base = live_demo.url
    page = new_page()
    log_in(page, base, "school_secretary")
    page.goto(f"{base}/showcase/stories/add/")
    page.select_option("#id_school", label="岳麓区梅溪湖中学")
    page.fill("#id_title", TITLE)
    page.fill("#id_text", TEXT)
    page.fill("#id_tags", "扎根山村，教书育人")
    page.fill("#id_uses", "2024-05-04 红色故事朗诵会")
    screenshot(page, "story-form")
    page.locator("main form button.btn-party").click()
    expect(page.locator("#item-status")).to_have_text("草稿")
    page.locator("a.item-move", has_text="报送审核").click()
    page.locator("main form button.btn-party").click()
    expect(page.locator("#item-status")).to_have_text("已报送")
    expect(page.locator("#item-edit")).to_have_count(0)
    story = Story.objects.get(title=TITLE)

    reviewer = new_page()
    log_in(reviewer, base, "yuelu_admin")
    reviewer.goto(f"{base}/showcase/stories/?status=submitted")
    reviewer.locator("table a", has_text=TITLE).click()
    reviewer.locator("a.item-move", has_text="发布").first.click()
    reviewer.locator("main form button.btn-party").click()
    expect(reviewer.locator("#item-status")).to_have_text("已发布")
    expect(reviewer.locator("#item-moves")).to_contain_text("已报送 → 已发布")
    screenshot(reviewer, "published")

    reader = new_page()
    log_in(reader, base, "furong_admin")
    reader.goto(f"{base}/showcase/search/")
    reader.fill("#showcase-q", "温暖")
    reader.locator("main form button").click()
    result = reader.locator("#results-story li", has_text=TITLE)
    expect(result.locator("mark")).to_have_text("温暖")
    screenshot(reader, "search")
    result.locator("a").click()
    expect(reader).to_have_url(f"{base}/showcase/stories/{story.pk}/")
    expect(reader.locator("#item-fields")).to_contain_text("扎根山村")
    expect(reader.locator("#item-edit")).to_have_count(0)

    phone = new_page("phone")
    log_in(phone, base, "furong_admin")
    phone.goto(f"{base}/showcase/search/?q=温暖")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
