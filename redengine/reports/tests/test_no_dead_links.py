"""No dead ends for read-only roles: every link a page shows them leads to a page they may open (the
instructor's lists linked to start-up-fund edit forms that answered 403)."""

import re

import pytest

pytestmark = pytest.mark.django_db

SKIP = ("/static/", "/accounts/logout", "/i18n/", "/api/", "/media/")


def crawl(client, start="/", limit=150):
    seen, dead, queue = set(), [], [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (403, 404, 500):
            dead.append((url, response.status_code))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in re.findall(r'href="(/[^"#?]*)', response.content.decode()):
            if not link.startswith(SKIP) and "export" not in link and link not in seen:
                queue.append(link)
    return seen, dead


@pytest.mark.parametrize("role", ["instructor", "inspector"])
def test_read_only_roles_are_shown_no_link_they_cannot_open(client_for, role):
    seen, dead = crawl(client_for(role))
    assert len(seen) > 20
    assert dead == []
