"""In a real browser: the secretary of 梅溪湖中学 transfers a probationary teacher (with her open development case)
to 麓山实验小学 for a rotation, picking her from the suggestions; the secretary of 麓山实验小学's branch logs in,
finds the transfer waiting on the list, and accepts it; the transfer's page, the person's page and the
development case's page then show the membership and the case at the new organization, on a desktop and on a
phone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from redengine.development.models import DevelopmentCase
from redengine.testing.browser import log_in

from .transfer_helpers import (
    LUSHAN,
    LUSHAN_BRANCH,
    LUSHAN_SECRETARY,
    lushan_secretary,
    membership,
    org,
    person,
)

pytestmark = pytest.mark.browser


def test_a_secretary_transfers_a_teacher_and_the_receiving_secretary_accepts(live_demo, new_page, screenshot):
    base = live_demo.url
    lushan_secretary()
    today = timezone.localdate()
    branch = org(LUSHAN_BRANCH).name

    page = new_page()
    log_in(page, base, "school_secretary")
    page.goto(f"{base}/membership/transfers/")
    page.click("#transfer-actions >> text=发起转接")
    page.locator("#id_person").press_sequentially("黄老师")
    option = page.locator(".picker-list [role=option]").first
    expect(option).to_contain_text("梅溪湖黄老师")
    option.click()
    page.fill("#id_to_organization", LUSHAN_BRANCH)
    page.fill("#id_to_school", LUSHAN)
    page.select_option("#id_reason", "rotation")
    page.fill("#id_started_on", (today - datetime.timedelta(days=3)).isoformat())
    page.fill("#id_note", "交流轮岗两年")
    screenshot(page, "start-form")
    page.click("#transfer-submit")
    expect(page.locator("#transfer-status")).to_have_text("待接收")
    expect(page.locator("#transfer-to")).to_have_text(branch)
    expect(page.locator("#move-accept")).to_have_count(0)  # the receiving side's move
    expect(page.locator("#move-cancel")).to_have_count(1)
    transfer_url = page.url

    receiver = new_page()
    log_in(receiver, base, LUSHAN_SECRETARY)
    receiver.goto(f"{base}/membership/transfers/?waiting=mine")
    receiver.click("table >> text=梅溪湖黄老师")
    expect(receiver).to_have_url(transfer_url)
    receiver.click("#move-accept")
    expect(receiver.locator("#confirm-question")).to_contain_text("梅溪湖黄老师")
    receiver.fill("#id_note", "欢迎黄老师")
    screenshot(receiver, "accept-form")
    receiver.click("#confirm-move")
    expect(receiver.locator("#transfer-status")).to_have_text("已接收")
    expect(receiver.locator("#transfer-membership")).to_contain_text(branch)
    expect(receiver.locator("#transfer-case")).to_contain_text(branch)
    expect(receiver.locator("#transfer-person-school")).to_have_text("岳麓区麓山实验小学")
    moves = receiver.locator("#move-list li")
    expect(moves).to_have_count(2)
    expect(moves.nth(1)).to_contain_text("欢迎黄老师")
    screenshot(receiver, "accepted")

    huang = person("梅溪湖黄老师")
    assert membership("梅溪湖黄老师").organization.code == LUSHAN_BRANCH
    case = DevelopmentCase.objects.open().get(person=huang)
    assert case.organization.code == LUSHAN_BRANCH
    receiver.goto(f"{base}{huang.get_absolute_url()}")  # the person now lies in the receiving scope
    expect(receiver.locator("main")).to_contain_text(branch)
    receiver.goto(f"{base}{case.get_absolute_url()}")
    expect(receiver.locator("main")).to_contain_text(branch)

    phone = new_page("phone")
    log_in(phone, base, "school_secretary")
    phone.goto(transfer_url)
    expect(phone.locator("#transfer-status")).to_have_text("已接收")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone's screen
    screenshot(phone, "phone-transfer")
    phone.goto(f"{base}/membership/transfers/")
    expect(phone.locator("main")).to_contain_text("梅溪湖黄老师")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "phone-list")
