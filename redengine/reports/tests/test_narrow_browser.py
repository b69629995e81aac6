"""Every page every demo role can open, in a real browser at phone width (390 px) and at a 1366 px screen
zoomed to 200 % (a CSS viewport of 683 px): the page itself never scrolls sideways
(``document.documentElement.scrollWidth <= window.innerWidth``). A wide table may scroll inside its own
container (``.table-responsive``); a list with a card mode (``table-cards``) shows cards instead.

The URLs come from the crawler of the leak test (``redengine.testing.crawl``), run as each role with the
Django test client over the demo city: every same-site link and fragment from the first page, one URL per
view and set of query keys, so every kind of page with real objects. One Chromium, one context per role
(its session cookie copied from a client logged in as the role, TOTP verified), one page reused: each URL
is loaded once at 390 px, then the viewport is widened to 683 px and measured again.
"""

import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from redengine.accounts.models import User
from redengine.demo.data import ACCOUNTS
from redengine.testing import login_client
from redengine.testing.crawl import Crawler

pytestmark = pytest.mark.browser

ROLES = [username for username, *_rest in ACCOUNTS]
WIDTHS = (390, 683)  # a phone; a 1366 px screen at 200 % zoom
BUDGET = 80  # URLs per role
OVERFLOW = """() => {
  const page = document.documentElement;
  if (page.scrollWidth <= window.innerWidth) return null;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-responsive'))
    .slice(0, 3)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : ''));
  return {scroll: page.scrollWidth, width: window.innerWidth, wide};
}"""


def role_urls(username):
    """The HTML pages the role reaches from its first page (GET, status 200), one per URL pattern."""
    client = login_client(Client(), User.objects.get(username=username))
    crawler = Crawler(client, per_pattern=1, budget=BUDGET)
    answers = crawler.crawl(seeds=("/",), api=False)
    return client, [
        a.url
        for a in answers
        if a.status == 200
        and a.kind == "html"
        and a.view not in crawler.post_views  # a POST the crawler made (a reveal)
        and "export=" not in urlsplit(a.url).query
    ]


def test_no_page_scrolls_sideways_at_390_or_683_px(live_demo, browser, screenshot):
    base = live_demo.url
    started = time.monotonic()
    problems, measured = [], 0
    for username in ROLES:
        client, urls = role_urls(username)
        context = browser.new_context(
            viewport={"width": WIDTHS[0], "height": 844},
            locale="zh-CN",
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )
        context.set_default_timeout(10_000)
        host = urlsplit(base).hostname
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
              "domain": host, "path": "/"}]
        )
        page = context.new_page()
        try:
            for url in urls:
                page.set_viewport_size({"width": WIDTHS[0], "height": 844})
                page.goto(f"{base}{url}", wait_until="load")
                for width in WIDTHS:
                    if width != WIDTHS[0]:
                        page.set_viewport_size({"width": width, "height": 844})
                    found = page.evaluate(OVERFLOW)
                    measured += 1
                    if found:
                        problems.append(f"{username} {url} at {width} px: {found}")
            if username in ("city_admin", "school_secretary"):
                page.set_viewport_size({"width": WIDTHS[0], "height": 844})
                page.goto(f"{base}/")
                screenshot(page, f"{username}-390")
                page.set_viewport_size({"width": WIDTHS[1], "height": 844})
                screenshot(page, f"{username}-683")
        finally:
            context.close()
    elapsed = time.monotonic() - started
    print(f"narrow crawl: {measured} measurements in {elapsed:.1f} s")
    assert measured > 100
    assert not problems, "\n".join(problems)
