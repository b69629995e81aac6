"""The menu: each app registers its entries in its own ``menu.py``, and the layout shows those the user
may use (``user.can(model, action)``).

An entry names its area (a heading of the menu), its label, the URL name of its page, the model (as
``app_label.ModelName``) and action the user needs, and its order: entries are shown by order within
their area, and the areas by the order of their first entry. Core's own entries, the audit pages,
are registered at the end of this module.
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
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


def areas_for(user, path):
    """The menu areas the user sees, each with its links (label, url, whether ``path`` lies under it)."""
    areas = {}
    for item in sorted(REGISTRY, key=lambda item: item.order):
        if not user.can(apps.get_model(item.model), item.action):
            continue
        url = reverse(item.url_name)
        links = areas.setdefault(str(item.area), [])
        links.append({"label": item.label, "url": url, "active": path.startswith(url)})
    return [{"label": area, "links": links} for area, links in areas.items()]


AUDIT = _("Audit")
entry(AUDIT, _("Change records"), "audit_changes", "core.ObjectChange", "audit", 400)
entry(AUDIT, _("Access log"), "audit_access", "core.AccessEvent", "audit", 410)
# Exports waiting for a second person (core/approvals.py): shown to those who may approve them.
entry(AUDIT, _("Export requests"), "export_requests", "core.ExportRequest", "approve", 420)
