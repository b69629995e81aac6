"""Panels on another app's page: a fragment an upper app adds to a lower app's page (the staff of a
school, the members of an organization, a person's development cases), loaded with htmx.

The app that serves the fragment registers it in its own ``panels.py`` under the page's name
(``"orgs.school"``, ``"orgs.organization"``, ``"people.person"``), with the URL name of the fragment
(which takes the object's pk) and an order; the page shows them with ``{% panels "<page>" object %}``
(``core/templatetags/panels.py``), so it names none of them. The fragment's view applies the scope.
"""

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    page: str
    url_name: str
    order: int
    element_id: str = ""
    css_class: str = ""


REGISTRY: dict[str, list[Panel]] = defaultdict(list)


def panel(page, url_name, order, *, element_id="", css_class=""):
    """Register the fragment at ``url_name`` (its argument: the object's pk) as a panel of ``page``."""
    REGISTRY[page].append(Panel(page, url_name, order, element_id, css_class))
    REGISTRY[page].sort(key=lambda item: item.order)


def panels_of(page):
    return list(REGISTRY.get(page, ()))
