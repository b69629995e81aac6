"""In a real browser at phone width (390 px), one test per demo role: the account logs in through the real
login page (and its TOTP page), lands on its to-do list (待办), follows one item, and where the role has
something to record there, records it and sees the to-do count fall; a role with nothing to record sees
the item's link lead to the list it counts, filtered.

What waits for a role is made with the services (an administrator change request) or, for an export
request, as ``core/approvals.gate`` records it (the demo city has too few people for an export that needs
approval)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from redengine.accounts.models import User
from redengine.accounts.services import request_admin_change
from redengine.core.models import ExportRequest
from redengine.testing.browser import log_in

pytestmark = pytest.mark.browser


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def on_todo(page, base):
    assert page.url == f"{base}/"
    expect(page.locator("#todo-heading")).to_have_text("待办")
    no_sideways_scroll(page)


def count_of(page, key):
    return int(page.locator(f"#todo-{key} .todo-count").inner_text())


def follow(page, link):
    href = link.get_attribute("href")
    with page.expect_navigation():
        link.click()
    return href


def export_request_of(username, rows=600):
    user = User.objects.get(username=username)
    return ExportRequest.objects.create(
        requested_by=user,
        title="人员",
        view_name="people:person_list",
        row_count=rows,
        reason="超过500人",
        scope_path=user.home_scope_path(),
    )


def test_a_secretary_records_a_due_step_and_the_count_falls(live_demo, new_page, screenshot):
    base = live_demo.url
    page = new_page("phone")
    log_in(page, base, "school_secretary")
    on_todo(page, base)
    before = count_of(page, "development-month")
    assert before >= 1
    record = page.locator("#todo-development-month a.todo-action[href$='step=S06']")
    href = follow(page, record)
    assert page.url == f"{base}{href}"
    expect(page.locator("#id_step")).to_have_value("S06")
    no_sideways_scroll(page)
    page.fill("#id_date", timezone.localdate().isoformat())
    page.fill("#id_assessment", "表现良好")
    screenshot(page, "1-form")
    with page.expect_navigation():
        page.click("#record")
    expect(page.locator("#timeline [data-step=S06]").first).to_be_visible()
    page.goto(f"{base}/")
    assert count_of(page, "development-month") == before - 1
    expect(page.locator("#todo-development-month a.todo-action[href$='step=S06']")).to_have_count(0)
    screenshot(page, "2-todo-after")


@pytest.mark.parametrize("approver", ["yuelu_admin", "city_admin"])
def test_an_administrator_approves_an_export_from_the_to_do_list(approver, live_demo, new_page, screenshot):
    base = live_demo.url
    export = export_request_of("school_secretary")
    page = new_page("phone")
    log_in(page, base, approver)
    on_todo(page, base)
    assert count_of(page, "core-exports") == 1
    follow(page, page.locator("#todo-core-exports .todo-count"))
    assert page.url == f"{base}/exports/"
    row = page.locator(f"#pending-{export.pk}")
    expect(row).to_contain_text("600")
    no_sideways_scroll(page)
    screenshot(page, "1-exports")
    approve = row.locator("form[action$='/approve/'] button").locator("visible=true")
    with page.expect_navigation():
        approve.click()
    export.refresh_from_db()
    assert export.state == ExportRequest.State.APPROVED
    assert export.approved_by.username == approver
    page.goto(f"{base}/")
    assert count_of(page, "core-exports") == 0


def test_the_security_administrator_confirms_an_administrator_change(live_demo, new_page, screenshot):
    base = live_demo.url
    target = User.objects.get(username="audit_admin")
    change = request_admin_change("reset", target, by=User.objects.get(username="sys_admin"))
    page = new_page("phone")
    log_in(page, base, "sec_admin")  # through the TOTP page
    on_todo(page, base)
    assert count_of(page, "accounts-admin-changes") == 1
    follow(page, page.locator("#todo-accounts-admin-changes .todo-count"))
    assert page.url == f"{base}/accounts/manage/requests/"
    no_sideways_scroll(page)
    screenshot(page, "1-requests")
    with page.expect_navigation():
        page.locator(f"form[action$='/requests/{change.pk}/confirm/'] button").click()
    change.refresh_from_db()
    assert change.state != change.State.PENDING
    page.goto(f"{base}/")
    assert count_of(page, "accounts-admin-changes") == 0


@pytest.mark.parametrize("username", ["sys_admin", "audit_admin"])
def test_the_other_technical_administrators_find_the_change_list(username, live_demo, new_page):
    base = live_demo.url
    request_admin_change(
        "reset", User.objects.get(username="instructor"), by=User.objects.get(username="sec_admin")
    )
    page = new_page("phone")
    log_in(page, base, username)
    on_todo(page, base)
    expect(page.locator("#todo-development-month")).to_have_count(0)  # no records: only what waits
    follow(page, page.locator("#todo-accounts-admin-changes .todo-count"))
    assert page.url == f"{base}/accounts/manage/requests/"
    no_sideways_scroll(page)


def test_an_instructor_follows_an_election_due_to_its_organization(live_demo, new_page):
    base = live_demo.url
    page = new_page("phone")
    log_in(page, base, "instructor")
    on_todo(page, base)
    assert count_of(page, "orgs-elections") == 1
    row = page.locator("#todo-orgs-elections .todo-rows a").first
    name = row.inner_text()
    href = follow(page, row)
    assert page.url == f"{base}{href}"
    expect(page.locator("h1")).to_contain_text(name)
    page.go_back()
    href = follow(page, page.locator("#todo-orgs-elections .todo-count"))
    today = timezone.localdate()
    month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(
        days=1
    )
    assert href.endswith(f"?election_within={(month_end - today).days}")  # the days left in the month
    expect(page.locator("main")).to_contain_text(name)
    no_sideways_scroll(page)


def test_an_inspector_drills_down_from_the_city_to_a_district(live_demo, new_page, screenshot):
    base = live_demo.url
    page = new_page("phone")
    log_in(page, base, "inspector")
    on_todo(page, base)
    drill = page.locator("#todo-development-month a.todo-drill").first
    count = int(drill.inner_text())
    href = follow(page, drill)
    assert "district=430104" in href
    assert page.url == f"{base}{href}"
    no_sideways_scroll(page)
    screenshot(page, "1-district-due")
    expect(page.locator("main table.table-cards tbody tr")).to_have_count(count)  # the due cases, as cards
