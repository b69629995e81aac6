"""The menu: each app registers its entries in its own ``menu.py``, and the layout shows those the user
may use (``user.can(model, action)``).

An entry names its area (a heading of the menu), its label, the URL name of its page, the model (as
``app_label.ModelName``) and action the user needs, and its order: entries are shown by order within
their area, and the areas by the order of their first entry. Core's own entries, the audit pages,
are registered at the end of this module.
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    area: str
    label: str
    url_name: str
    model: str
    action: str
    order: int


REGISTRY: list[MenuEntry] = []


def entry(area, label, url_name, model, action, order):
    """Register a menu entry (see the module's docstring)."""
    REGISTRY.append(MenuEntry(area, label, url_name, model, action, order))


_MENUS = {}  # what menu_of returns, by its key


def menu_of(user):
    """[(area, [(label, url)])] the user may use: it depends on the roles in force only (``user.can``), so
    it is worked out once per set of roles, language and URL configuration, not on every page."""
    key = (
        tuple(sorted((a.role, a.can_reveal) for a in user.active_assignments())),
        get_language(),
        get_script_prefix(),
        get_urlconf(),
        len(REGISTRY),
    )
    menu = _MENUS.get(key)
    if menu is None:
        areas = {}
        for item in sorted(REGISTRY, key=lambda item: item.order):
            if user.can(apps.get_model(item.model), item.action):
                areas.setdefault(str(item.area), []).append((str(item.label), reverse(item.url_name)))
        menu = _MENUS[key] = list(areas.items())
    return menu


def areas_for(user, path):
    """The menu areas the user sees, each with its links (label, url, whether ``path`` lies under it)."""
    return [
        {
            "label": area,
            "links": [{"label": label, "url": url, "active": path.startswith(url)} for label, url in links],
        }
        for area, links in menu_of(user)
    ]


AUDIT = _("Audit")
entry(AUDIT, _("Change records"), "audit_changes", "core.ObjectChange", "audit", 400)
entry(AUDIT, _("Access log"), "audit_access", "core.AccessEvent", "audit", 410)
# Exports waiting for a second person (core/approvals.py): shown to those who may approve them.
entry(AUDIT, _("Export requests"), "export_requests", "core.ExportRequest", "approve", 420)
