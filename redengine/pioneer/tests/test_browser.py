"""In a real browser: a school secretary applies for a model post with its commitments and members, the
district administrator files and reviews it, the city administrator certifies it with a plaque number, and
the unit's page shows the plaque, the state and the history of the four moves."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from redengine.testing.browser import log_in

from .helpers import MEIXIHU

pytestmark = pytest.mark.browser


def test_a_secretary_applies_the_district_files_and_reviews_and_the_city_certifies(
    live_demo, new_page, screenshot
):
    base = live_demo.url
    today = timezone.localdate()

    page = new_page()
    log_in(page, base, "school_secretary")
    page.goto(f"{base}/pioneer/")
    page.click("#add-unit")
    if page.locator("#choose-school").count():  # more than one school to choose from
        page.select_option("#id_school_choice", label=f"岳麓区梅溪湖中学（{MEIXIHU}）")
        page.locator("#choose-school button").click()
    page.select_option("#id_kind", "post")
    page.fill("#id_name", "初三年级共产党员示范岗")
    page.select_option("#id_leader", label="梅溪湖张老师")
    page.select_option("#id_members", label=["梅溪湖张老师", "梅溪湖李老师"])
    page.fill("#id_standard", "师德师风过硬，教学成绩突出")
    page.fill("#id_identity", "佩戴党员徽章，工位亮身份牌")
    page.fill("#id_commitment", "每周为学困生义务辅导两次")
    page.fill("#id_applied_on", (today - datetime.timedelta(days=10)).isoformat())
    screenshot(page, "unit-form")
    page.locator("main form button.btn-party").click()
    expect(page.locator("#unit-status")).to_have_text("已申报")
    expect(page.locator("#unit-commitments")).to_contain_text("每周为学困生义务辅导两次")
    expect(page.locator("#unit-members")).to_have_text("梅溪湖李老师、梅溪湖张老师")  # (in pinyin order)
    expect(page.locator("#move-file")).to_have_count(0)
    unit_url = page.url

    district = new_page()
    log_in(district, base, "yuelu_admin")
    district.goto(unit_url)
    district.click("#move-file")
    expect(district.locator("#confirm-question")).to_contain_text("申报备案")
    district.fill("#id_date", (today - datetime.timedelta(days=5)).isoformat())
    district.click("#confirm-move")
    expect(district.locator("#unit-status")).to_have_text("已备案")
    district.click("#move-review")
    district.fill("#id_note", "材料齐全，同意报市级认定")
    district.click("#confirm-move")
    expect(district.locator("#unit-status")).to_have_text("已审核")
    expect(district.locator("#move-certify")).to_have_count(0)

    city = new_page()
    log_in(city, base, "city_admin")
    city.goto(unit_url)
    city.click("#move-certify")
    city.click("#confirm-move")  # without the plaque number: the form again, with its message
    expect(city.locator("#move-form")).to_contain_text("牌匾编号")
    city.fill("#id_plaque_number", "CS-SFG-2026-018")
    screenshot(city, "certify-form")
    city.click("#confirm-move")
    expect(city.locator("#unit-status")).to_have_text("已授牌认定")
    expect(city.locator("#unit-plaque")).to_have_text("CS-SFG-2026-018")
    moves = city.locator("#move-list li")
    expect(moves).to_have_count(4)
    expect(moves.nth(3)).to_contain_text("授牌认定")
    expect(moves.nth(2)).to_contain_text("材料齐全")
    screenshot(city, "unit")

    page.goto(unit_url)  # the secretary sees it certified too
    expect(page.locator("#unit-plaque")).to_have_text("CS-SFG-2026-018")
