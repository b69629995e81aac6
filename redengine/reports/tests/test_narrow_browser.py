"""Every page every demo role can open, in a real browser at phone width (390 px) and at a 1366 px screen
zoomed to 200 % (a CSS viewport of 683 px): the page itself never scrolls sideways
(``document.documentElement.scrollWidth <= clientWidth``: the layout viewport; ``innerWidth`` would
grow with a wide page, as a phone zooms out to show it whole). A wide table may scroll inside its own
container (``.table-responsive``) only where it has no card mode: a ``table-cards`` list shows cards on
a phone, so its container must not scroll there either.

The pages are found as the leak test's crawler finds them (``redengine.testing.crawl``: its URL patterns,
one view and set of query keys, and its rules of what not to follow), but in the browser itself: from the
first page, every same-site link and ``hx-get`` of every page, over the demo city, so every kind of page
with real objects. Each pattern is measured once per level of the tree (city, district, school; the
technical roles each on their own), the level changing which columns and tables a page shows: a second
district administrator or the inspector beside the city administrator would load the same pages again.
One Chromium, one context per role (its session cookie copied from a client logged in as the role, TOTP
verified), one page reused: each URL is loaded once at 390 px, then the viewport is widened to 683 px
and measured again.
"""

import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Error as PlaywrightError

from redengine.accounts.models import User
from redengine.core.todo import level_of
from redengine.demo.data import ACCOUNTS
from redengine.testing import login_client
from redengine.testing.browser import PHONE_OPTIONS
from redengine.testing.crawl import Crawler

pytestmark = pytest.mark.browser

ROLES = [username for username, *_rest in ACCOUNTS]
TECHNICAL = {"sys_admin", "sec_admin", "audit_admin"}
WIDTHS = (390, 683)  # a phone; a 1366 px screen at 200 % zoom
HEIGHT = 844
BUDGET = 80  # pages per role
LINKS = """() => [...document.querySelectorAll('a[href], [hx-get]')]
  .map(e => e.getAttribute('hx-get') || e.getAttribute('href'))
  .filter(h => h && !h.startsWith('#') && !h.startsWith('mailto:') && !h.startsWith('javascript:'))
  .map(h => new URL(h, location.href))
  .filter(u => u.origin === location.origin)
  .map(u => u.pathname + u.search)"""
OVERFLOW = """async (cards) => {
  await document.fonts.ready;  // the icon font and the text laid out
  const describe = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const found = [];
  const root = document.documentElement;
  const width = root.clientWidth;  // the layout viewport: a phone zooms out (innerWidth grows) to fit a wide page
  if (root.scrollWidth > width) {
    const wide = [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-responsive'))
      .slice(-3).map(describe);
    found.push(`page ${root.scrollWidth} > ${width}: ${wide.join(', ')}`);
  }
  if (cards) {
    for (const table of document.querySelectorAll('table.table-cards')) {
      const box = table.closest('.table-responsive');
      if (box && box.scrollWidth > box.clientWidth + 1) found.push(`cards scroll: ${describe(table)} ${box.scrollWidth} > ${box.clientWidth}`);
    }
  }
  return found;
}"""


def session_cookie(username, base):
    client = login_client(Client(), User.objects.get(username=username))
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": value,
        "domain": urlsplit(base).hostname,
        "path": "/",
    }


def measure(page, url, problems, username):
    """Load ``url`` at 390 px and measure it there and at 683 px; the links of the page."""
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    try:
        response = page.goto(
            url, wait_until="domcontentloaded"
        )  # the style sheets are in; images need not be
    except PlaywrightError:  # a download (a workbook template): no page to measure
        return None
    if response is None or response.status != 200 or "html" not in response.headers.get("content-type", ""):
        return None
    for width in WIDTHS:
        if width != WIDTHS[0]:
            page.set_viewport_size({"width": width, "height": HEIGHT})
        for problem in page.evaluate(OVERFLOW, width < 576):
            problems.append(f"{username} {urlsplit(url).path}?{urlsplit(url).query} at {width} px: {problem}")
    return page.evaluate(LINKS)


def test_no_page_scrolls_sideways_at_390_or_683_px(live_demo, browser, screenshot):
    base = live_demo.url
    started = time.monotonic()
    problems, pages, done = [], 0, set()  # done: (level, pattern) measured
    for username in ROLES:
        user = User.objects.get(username=username)
        level = username if username in TECHNICAL else level_of(user)
        crawler = Crawler(client=None, per_pattern=1, budget=BUDGET)  # its patterns and rules, not its client
        context = browser.new_context(
            viewport={"width": WIDTHS[0], "height": HEIGHT}, locale="zh-CN", **PHONE_OPTIONS
        )
        context.set_default_timeout(10_000)
        context.add_cookies([session_cookie(username, base)])
        page = context.new_page()
        queue, measured = ["/"], 0
        try:
            while queue and measured < BUDGET:
                url = queue.pop(0)
                if not crawler.wanted(url) or "export=" in url:
                    continue
                crawler.seen.add(url)
                key = (level, crawler.pattern(url))
                if key in done:
                    continue
                done.add(key)
                links = measure(page, f"{base}{url}", problems, username)
                if links is None:
                    continue
                measured += 1
                queue.extend(link for link in links if crawler.wanted(link))
            if username in ("city_admin", "school_secretary"):
                for name, path in (("todo", "/"), ("people", "/people/people/")):
                    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
                    page.goto(f"{base}{path}")
                    screenshot(page, f"{username}-{name}-390")
                    page.set_viewport_size({"width": WIDTHS[1], "height": HEIGHT})
                    screenshot(page, f"{username}-{name}-683")
            if username == ROLES[0]:  # the measure itself: a block wider than the phone is found
                page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
                page.evaluate(
                    "document.querySelector('main').insertAdjacentHTML('beforeend', '<div id=too-wide style=\"width: 500px\">x</div>')"
                )
                assert any("div#too-wide" in found for found in page.evaluate(OVERFLOW, True))
        finally:
            context.close()
        pages += measured
    elapsed = time.monotonic() - started
    print(f"narrow crawl: {pages} pages, each at {len(WIDTHS)} widths, in {elapsed:.1f} s")
    assert pages > 100
    assert not problems, "\n".join(problems)
