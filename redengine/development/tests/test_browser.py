"""In a real browser: a school secretary records one person's development from the application to the
conversion, and the timeline and the next due date change with each step."""

import pytest
from playwright.sync_api import expect

from redengine.development.models import DevelopmentCase
from redengine.testing.browser import log_in

from .helpers import PATH, fill_roll, new_applicant

pytestmark = pytest.mark.browser

CONTACTS = ["梅溪湖张老师", "梅溪湖王校长"]
SERIALS = {"form_serial": "430104-BR0001"}


def fill_step(page, code, day, data):
    if page.locator("#step-form").get_attribute("data-step") != code:
        page.select_option("#id_step", code)  # the form shows the fields of the chosen step at once
        expect(page.locator(f'#step-form[data-step="{code}"]')).to_be_visible()
    page.fill("#id_date", day)
    for key, value in data.items():
        if key in ("contacts", "introducers"):
            values = page.eval_on_selector_all(
                f"#id_{key} option",
                "(options, names) => options.filter(o => names.some(n => o.textContent.startsWith(n))).map(o => o.value)",
                CONTACTS,
            )
            page.select_option(f"#id_{key}", values)
        elif key == "form_serial":
            page.fill("#id_form_serial", SERIALS[key])
        elif key in ("conclusion", "outcome"):
            page.select_option(f"#id_{key}", value)
        elif key == "should_attend":  # derived from the branch's roll: shown, not typed
            expect(page.locator("#id_should_attend")).to_have_count(0)
            expect(page.locator("#should-attend")).to_be_visible()
        else:
            page.fill(f"#id_{key}", str(value))
    page.click("#record")


def test_a_secretary_records_a_path_from_application_to_conversion(live_demo, page, screenshot):
    base = live_demo.url
    person = new_applicant("浏览器新老师", birth="1994-04-04")
    log_in(page, base, "school_secretary")
    page.goto(f"{base}{person.get_absolute_url()}")
    page.click("#open-case")
    page.select_option("#id_organization", label="梅溪湖中学初中部党支部")
    page.locator("form.card button[type=submit]").click()
    case = DevelopmentCase.objects.get(person=person)
    # The application: then the talk is due a month later, by the rule of 细则 art. 7.
    fill_step(page, "S01", "2022-01-10", {})
    expect(page.locator("#timeline [data-step=S01]")).to_be_visible()
    expect(page.locator("#next-steps [data-step=S02] .next-due")).to_have_text("2022-02-10")
    expect(page.locator("#next-steps")).to_contain_text("《发展党员工作细则》第七条")
    screenshot(page, "after-application")
    # A late step: the talk after its month is recorded as it happened and flagged late — not refused.
    page.goto(f"{base}/development/cases/{case.pk}/steps/add/")
    fill_step(page, "S02", "2022-02-20", {})
    expect(page.locator("#timeline [data-step=S02] .step-late")).to_be_visible()
    expect(page.locator("#late-flag")).to_be_visible()
    expect(page.locator("#timeline [data-step=S02] .late-note")).to_contain_text("2022-02-10")
    screenshot(page, "late-talk")
    fill_roll(20)  # the branch general meeting's roll: 20 voting full members
    for code, day, data in PATH[2:]:
        page.goto(f"{base}/development/cases/{case.pk}/steps/add/?step={code}")
        if code == "S11":  # a training too short: only an administrator may record it as an exception
            fill_step(page, code, day, {**data, "days": 2, "hours": 16})
            # The refusal is marked on the field it is about (the days of training).
            expect(page.locator("#id_days.is-invalid")).to_be_visible()
            expect(page.locator("#step-form")).to_contain_text("区县或市级管理员")
            expect(page.locator("#step-form")).not_to_contain_text("DEV.")
            expect(page.locator("#id_course")).to_have_value(data["course"])  # what was typed is kept
            screenshot(page, "refused")
            assert not case.events.filter(step="S11").exists()
        fill_step(page, code, day, data)
        expect(page.locator(f"#timeline [data-step={code}]").first).to_be_visible()
        if code == "S05":  # an activist: the half-yearly assessment is due by the end of the next half-year
            expect(page.locator("#next-steps [data-step=S06] .next-due")).to_have_text("2022-12-31")
        if code == "S06" and day == "2023-03-20":  # a year after S03 the candidate may be determined
            expect(page.locator("#next-steps [data-step=S07] .next-earliest")).to_have_text("2023-04-01")
        if code == "S15":  # admitted: the approval is due within three months
            expect(page.locator("#next-steps [data-step=S17]")).to_be_visible()
            screenshot(page, "admitted")
        if code == "S22":  # the conversion is discussed when the probation year ends
            expect(page.locator("#next-steps [data-step=S23] .next-earliest")).to_have_text("2024-06-25")
    expect(page.locator("#case-status")).to_contain_text("已完成")
    screenshot(page, "converted")
    page.goto(f"{base}{person.get_absolute_url()}")
    expect(page.locator("#development-area")).to_contain_text("已完成")
    person.refresh_from_db()
    assert person.political_status == "member"
    assert person.memberships.current().get().full_on.isoformat() == "2024-06-25"


PHONE_PAGES = [
    "development:case_list",
    "development:due",
    "development:plan_list",
    "people:person_list",
    "people:honor_list",
    "orgs:school_list",
    "orgs:organization_list",
]


def test_at_phone_width_lists_are_cards_and_no_page_scrolls_sideways(live_demo, new_page, screenshot):
    """At 390 px the page itself never scrolls sideways; a list's rows become cards, each cell labelled."""
    from django.urls import reverse

    base = live_demo.url
    page = new_page("phone")
    log_in(page, base, "school_secretary")
    case = DevelopmentCase.objects.filter(organization__code__startswith="CS430104-02").first()
    urls = [reverse(name) for name in PHONE_PAGES]
    if case is not None:
        urls += [case.get_absolute_url(), reverse("development:step_add", args=[case.pk])]
    for url in urls:
        page.goto(f"{base}{url}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{url} scrolls sideways by {overflow} px at 390 px"
    page.goto(f"{base}{reverse('development:due')}")
    first = page.locator("table.table-cards tbody tr").first
    expect(first).to_be_visible()
    assert page.locator("table.table-cards thead").first.is_hidden()
    label = first.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"') == "姓名"
    screenshot(page, "calendar-cards")
