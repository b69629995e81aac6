"""A person's page in a real browser: masked by default, revealed in place (htmx) by a permitted user, logged."""

import pytest
from playwright.sync_api import expect

from redengine.core.models import AccessEvent
from redengine.people.models import Person
from redengine.testing.browser import log_in

pytestmark = pytest.mark.browser


def test_reveal_in_place_and_logged(live_demo, page, screenshot):
    base = live_demo.url
    person = Person.objects.get(name="梅溪湖张老师")
    log_in(page, base, "city_admin")
    page.goto(f"{base}{person.get_absolute_url()}")
    area = page.locator("#reveal-area")
    expect(area).to_contain_text(person.id_number_masked)
    screenshot(page, "masked")
    page.click("#reveal")
    expect(page.locator("#revealed-id")).to_have_text(person.reveal_id_number())
    screenshot(page, "revealed")
    assert AccessEvent.objects.filter(kind="reveal", username="city_admin", object_id=str(person.pk)).exists()


def test_district_admin_sees_no_reveal_button_and_lists_people(live_demo, page, screenshot):
    base = live_demo.url
    log_in(page, base, "yuelu_admin")
    page.goto(f"{base}/people/people/")
    expect(page.locator("table")).to_contain_text("梅溪湖张老师")
    expect(page.locator("table")).not_to_contain_text("芙蓉周老师")
    page.click("text=梅溪湖张老师")
    expect(page.locator("#reveal")).to_have_count(0)
    screenshot(page, "person")
