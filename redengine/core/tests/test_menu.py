"""The menu (core/menu.py) is worked out once per set of roles and language: each account sees the entries
its roles allow, in its language, whoever asked before it."""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from redengine.accounts.models import User
from redengine.core import menu


def expected(user, path):
    areas = {}
    for item in sorted(menu.REGISTRY, key=lambda item: item.order):
        if user.can(apps.get_model(item.model), item.action):
            url = reverse(item.url_name)
            areas.setdefault(str(item.area), []).append(
                {"label": str(item.label), "url": url, "active": path.startswith(url)}
            )
    return [{"label": area, "links": links} for area, links in areas.items()]


@pytest.mark.django_db
def test_each_account_sees_its_own_menu_in_its_language(monkeypatch):
    monkeypatch.setattr(menu, "_MENUS", {})
    users = list(User.objects.filter(role_assignments__isnull=False).distinct().order_by("username"))
    seen = set()
    for _round in range(2):  # the second round from the cache
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for user in users:
                    for path in ("/people/people/", "/orgs/schools/7/"):
                        areas = menu.areas_for(user, path)
                        assert areas == expected(user, path), (user.username, language, path)
                        seen.add(repr(areas))
    assert len(menu._MENUS) <= 2 * len(users)
    assert len(seen) > 4  # the roles see different menus
