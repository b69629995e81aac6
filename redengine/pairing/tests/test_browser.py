"""In a real browser: a school secretary records a teaching visit of the school's pair with a photo and a
teacher, sees it with its photo on the pair's page and counted in the overview of the school's scope; the
district administrator sees it counted by kind and month in the district's overview."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from redengine.people.models import Person
from redengine.testing.browser import log_in

from .helpers import LIANHUA, MEIXIHU, PNG, new_pair

pytestmark = pytest.mark.browser


def test_a_secretary_records_an_activity_with_a_photo(live_demo, new_page, screenshot, tmp_path):
    base = live_demo.url
    today = timezone.localdate()
    pair = new_pair(MEIXIHU, LIANHUA, today - datetime.timedelta(days=60), goals="送教、跟岗、联合党日")
    teacher = Person.objects.get(name="梅溪湖张老师")
    photo = tmp_path / "送教合影.png"
    photo.write_bytes(PNG)
    admin = new_page()
    log_in(admin, base, "yuelu_admin")
    district = f"{base}/pairing/?org=CS430104&year={today.year}"
    admin.goto(district)
    pairs_before = int(admin.locator("#count-pairs").inner_text())
    activities_before = int(admin.locator("#count-activities").inner_text())
    page = new_page()
    log_in(page, base, "school_secretary")

    page.goto(f"{base}/pairing/pairs/{pair.pk}/")
    expect(page.locator("#activity-list")).to_contain_text("尚未登记活动")
    page.click("#add-activity")
    page.select_option("#id_kind", "teaching_visit")
    page.fill("#id_date", (today - datetime.timedelta(days=3)).isoformat())
    page.fill("#id_title", "初中数学送教下乡")
    page.fill("#id_summary", "示范课两节，集体备课一次")
    page.select_option("#id_teachers", label=f"{teacher.name}（岳麓区梅溪湖中学）")
    page.fill("#id_students", "45")
    page.set_input_files("#id_files", str(photo))
    screenshot(page, "activity-form")
    page.locator("main form button.btn-party").click()

    expect(page.locator("#activity-list")).to_contain_text("初中数学送教下乡")
    expect(page.locator("#activity-list")).to_contain_text(teacher.name)
    expect(page.locator("#activity-list .activity-files")).to_contain_text("送教合影.png")
    expect(page.locator("#pair-kind-counts")).to_contain_text("送教下乡")
    screenshot(page, "pair")

    page.goto(f"{base}/pairing/")
    expect(page.locator("#idle-pairs")).not_to_contain_text(str(pair))
    admin.goto(district)
    expect(admin.locator("#count-pairs")).to_have_text(str(pairs_before))  # the pair was there already
    expect(admin.locator("#count-activities")).to_have_text(str(activities_before + 1))
    row = admin.locator("#activity-months tr", has_text="送教下乡")
    expect(row).to_contain_text("1")
    screenshot(admin, "overview")
