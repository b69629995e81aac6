"""In a real browser: a school secretary pairs a young member with a mentor from the member's cultivation
page, records a school contest with the member's prize, and sees the two watch lists and the figures
change — the member leaves the list of those with no cultivation for two years, the mentoring pairs go up
by one; the lists read at phone width too."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person
from redengine.people.services import HONORS, save_people
from redengine.testing.browser import log_in

pytestmark = pytest.mark.browser

D = datetime.date.fromisoformat
SCHOOL = "4301040002"


def people():
    school = School.objects.get(code=SCHOOL)
    branch = PartyOrganization.objects.get(code="CS430104-02-01")
    young, backbone = save_people(
        [
            Item(
                {
                    "name": "青年韩老师",
                    "school": school,
                    "post": "teacher",
                    "front_line": True,
                    "id_number": make_id_number("430104", D("1999-04-12"), 731),
                    "political_status": "member",
                    "membership": {
                        "organization": branch,
                        "admitted_on": D("2022-06-01"),
                        "full_on": D("2023-06-01"),
                    },
                }
            ),
            Item(
                {
                    "name": "骨干林老师",
                    "school": school,
                    "post": "teacher",
                    "front_line": True,
                    "id_number": make_id_number("430104", D("1987-09-03"), 733),
                }
            ),
        ],
        by=SYSTEM,
    )
    HONORS.save(
        [
            Item(
                {
                    "person": backbone,
                    "title": "backbone_teacher",
                    "level": "district",
                    "awarded_on": D("2021-09-10"),
                }
            )
        ],
        by=SYSTEM,
    )
    return young, backbone


def test_a_secretary_pairs_a_mentor_records_a_prize_and_sees_the_lists_and_figures_change(
    live_demo, new_page, screenshot
):
    base = live_demo.url
    young, backbone = people()
    year = timezone.localdate().year
    page = new_page()
    log_in(page, base, "school_secretary")

    # The watch lists before: the young member has had nothing for two years; the backbone teacher is to approach.
    page.goto(f"{base}/cultivation/watch/members/?quiet=true")
    expect(page.locator("table")).to_contain_text("青年韩老师")
    page.goto(f"{base}/cultivation/watch/backbone/")
    expect(page.locator("table")).to_contain_text("骨干林老师")
    screenshot(page, "backbone-list")
    figure_url = f"{base}/cultivation/figures/cultivation.mentorships/?org=CS430104-02&year={year}"
    page.goto(figure_url)
    before = int(page.locator("#figure-value").inner_text().strip())

    # A mentorship from the member's cultivation page: the school and the apprentice are given.
    page.goto(f"{base}/cultivation/people/{young.pk}/")
    page.click("#add-mentorship")
    expect(page.locator("#id_apprentice")).to_have_value(str(young.pk))
    page.select_option(
        "#id_mentor", label="梅溪湖张老师（" + Person.objects.get(name="梅溪湖张老师").id_number_masked + "）"
    )
    page.fill("#id_start_on", (timezone.localdate() - datetime.timedelta(days=30)).isoformat())
    page.fill("#id_goals", "一年内开出区级公开课")
    screenshot(page, "mentorship-form")
    page.locator("main form button.btn-party").click()
    expect(page.locator("#mentorship-end")).to_contain_text("进行中")
    expect(page.locator("#next-review")).to_be_visible()
    screenshot(page, "mentorship")

    # A school contest and the member's prize.
    page.goto(f"{base}/cultivation/contests/add/")
    page.fill("#id_name", "梅溪湖中学青年教师课堂展示")
    page.select_option("#id_kind", "classroom")
    page.select_option("#id_level", "school")
    page.fill("#id_held_on", (timezone.localdate() - datetime.timedelta(days=10)).isoformat())
    page.select_option("#id_organization", label="中共岳麓区梅溪湖中学委员会")
    page.locator("main form button.btn-party").click()
    page.click("#add-entry")
    page.select_option("#id_person", label="青年韩老师（岳麓区梅溪湖中学）")
    page.select_option("#id_prize", "first")
    page.locator("main form button.btn-party").click()
    expect(page.locator("#entry-list")).to_contain_text("一等奖")
    screenshot(page, "contest")

    # The lists and the figure after.
    page.goto(f"{base}/cultivation/watch/members/?quiet=true")
    expect(page.locator("main")).not_to_contain_text("青年韩老师")
    page.goto(f"{base}/cultivation/watch/members/")
    row = page.locator("tr", has_text="青年韩老师")
    expect(row).to_contain_text(timezone.localdate().strftime("%Y"))
    page.goto(figure_url)
    expect(page.locator("#figure-value")).to_have_text(str(before + 1))
    screenshot(page, "figure")
    page.goto(f"{base}/cultivation/?org=CS430104-02&year={year}")
    expect(page.locator("#cultivation-figures")).to_contain_text("师徒结对数")
    expect(page.locator("#cultivation-rows")).to_have_count(0)  # a school's figures do not split by branch
    screenshot(page, "overview")
    page.goto(f"{base}/cultivation/people/{young.pk}/")
    expect(page.locator("#cultivation-timeline")).to_contain_text("梅溪湖中学青年教师课堂展示")
    expect(page.locator("#cultivation-timeline")).to_contain_text("与导师梅溪湖张老师开始")

    # At phone width the overview and the list fit the screen.
    phone = new_page("phone")
    log_in(phone, base, "school_secretary")
    for address in ("/cultivation/", "/cultivation/watch/members/"):
        phone.goto(base + address)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, address
    screenshot(phone, "overview-phone")
