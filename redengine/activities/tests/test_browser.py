"""In a real browser at phone width: a school secretary sees on the first page that last month passed
without the branch's themed party day, records it from the to-do link with the attendance ticked on the
member list, and sees the compliance and the to-do list change."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from redengine.activities.models import Meeting
from redengine.testing.browser import log_in

pytestmark = pytest.mark.browser

BRANCH = "梅溪湖中学初中部党支部"


def last_month_day():
    first = timezone.localdate().replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=15)


def test_a_secretary_records_a_themed_day_on_a_phone(live_demo, new_page, screenshot):
    base = live_demo.url
    page = new_page("phone")
    log_in(page, base, "school_secretary")
    day = last_month_day()
    page.goto(f"{base}/")
    item = page.locator("#todo-activities-themed-day")
    expect(item).to_contain_text(BRANCH)
    screenshot(page, "to-do")
    item.locator(".todo-action").first.click()
    expect(page.locator("#meeting-form")).to_be_visible()
    expect(page.locator("#id_meeting_type")).to_have_value("themed_day")
    roster = page.locator("#roster .attendance-row")
    expect(roster).to_have_count(2)  # the branch's members on the day, from the memberships
    page.fill("#id_date", day.isoformat())
    page.locator("#id_date").dispatch_event("change")
    expect(page.locator("#attendance-card .card-header")).to_contain_text(
        day.isoformat()
    )  # that day's roster
    page.fill("#id_topic", "学习贯彻全会精神主题党日")
    page.fill("#id_place", "党员活动室")
    huang = page.locator("#roster .attendance-row", has_text="梅溪湖黄老师")
    reason = huang.locator(".leave-reason")
    expect(reason).to_be_hidden()  # shown only for a member on leave
    huang.locator("label", has_text="请假").click()
    expect(reason).to_be_visible()
    reason.fill("外出培训")
    zhang = page.locator("#roster .attendance-row", has_text="梅溪湖张老师")
    expect(zhang.locator("input[value=present]")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    screenshot(page, "ticked")
    page.click("#save-meeting")
    expect(page.locator("#meeting-counts")).to_contain_text("应到 2 人，实到 1 人")
    expect(page.locator("#attendance-list")).to_contain_text("外出培训")
    meeting = Meeting.objects.get(meeting_type="themed_day", date=day)
    assert (meeting.expected, meeting.actual) == (2, 1)
    screenshot(page, "recorded")
    # The compliance of the branch: last month is kept now.
    page.goto(f"{base}/activities/compliance/?organization=CS430104-02-01&year={day.year}")
    month = page.locator(f'#own-compliance .rule-lifetheme_day .unit[href$="month={day:%Y-%m}"]')
    expect(month).to_have_class("badge text-decoration-none unit text-bg-success")
    screenshot(page, "compliance")
    # And the first page no longer lists the branch for its themed day.
    page.goto(f"{base}/")
    expect(page.locator("body")).not_to_contain_text("未开展主题党日的支部：" + BRANCH)
    themed = page.locator("#todo-activities-themed-day")
    if themed.count():
        expect(themed).not_to_contain_text(BRANCH)
    screenshot(page, "to-do-after")
