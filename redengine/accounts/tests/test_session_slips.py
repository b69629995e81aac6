"""Nothing lost by a slip: the idle-timeout warning's "continue", and a form sent after the timeout kept
through the login and filled in again on the same page."""

import datetime
import json
import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from redengine.accounts.middleware import LAST_ACTIVITY
from redengine.demo.data import DEMO_PASSWORD
from redengine.orgs.models import School
from redengine.testing.browser import log_in

pytestmark = pytest.mark.django_db


def idle_for(client, seconds):
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_continue_keeps_the_session_alive(client_for):
    client = client_for("school_secretary")
    idle_for(client, 29 * 60)
    assert client.get(reverse("accounts:keep_alive")).status_code == 204
    assert time.time() - client.session[LAST_ACTIVITY] < 5
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert 'id="idle-warning"' in page
    assert 'data-idle-seconds="1800"' in page


def test_keep_alive_needs_a_login(client):
    response = client.get(reverse("accounts:keep_alive"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_form_sent_after_the_timeout_is_kept_through_the_login(client_for):
    client = client_for("yuelu_admin")
    school = School.objects.filter(district="430104").first()
    url = reverse("orgs:school_edit", args=[school.pk])
    idle_for(client, 31 * 60)
    typed = {"name": "改过名的学校", "code": school.code, "district": school.district, "password": "x"}
    response = client.post(url, typed)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    school.refresh_from_db()
    assert school.name != "改过名的学校"  # nothing was written
    # Log in again through the login page, then the page the form was on.
    client.post(reverse("accounts:login"), {"username": "yuelu_admin", "password": DEMO_PASSWORD})
    page = client.get(url).content.decode()
    kept = json.loads(
        re.search(r'<script id="kept-form" type="application/json">(.*?)</script>', page).group(1)
    )
    assert kept["name"] == ["改过名的学校"]
    assert "password" not in kept
    assert "csrfmiddlewaretoken" not in kept
    assert 'id="kept-form"' not in client.get(url).content.decode()  # offered once


def test_a_kept_form_is_offered_only_on_its_own_page(client_for):
    client = client_for("yuelu_admin")
    school = School.objects.filter(district="430104").first()
    idle_for(client, 31 * 60)
    client.post(reverse("orgs:school_edit", args=[school.pk]), {"name": "别的页面"})
    client.post(reverse("accounts:login"), {"username": "yuelu_admin", "password": DEMO_PASSWORD})
    assert 'id="kept-form"' not in client.get(reverse("orgs:school_list")).content.decode()


@pytest.mark.browser
def test_the_page_warns_before_the_timeout_and_continues(live_demo, page, settings):
    settings.SESSION_IDLE_TIMEOUT = datetime.timedelta(seconds=8)  # the warning comes 4 s after a page
    base = live_demo.url
    log_in(page, base, "school_secretary")
    warning = page.locator("#idle-warning")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=10_000)
    with page.expect_response(lambda r: r.url.endswith(reverse("accounts:keep_alive"))) as answer:
        page.click("#idle-continue")
    assert answer.value.status == 204
    expect(warning).to_be_hidden()
