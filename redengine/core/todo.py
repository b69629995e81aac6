"""The to-do list (待办) of the first page: each app registers its own items in its own ``todo.py``, and
the dashboard (``reports``) shows those that apply to the user, so it names none of them.

An item is a function of a ``Reach`` (the user, their level — ``"school"``, ``"district"`` or ``"city"`` —
and today) returning a list of ``Todo``: a label, a count, the URL of the filtered list behind the count,
and optionally rows (a record to act on with its action link, or, for the district and city, the count
per school or per district with the link that drills down). It returns ``[]`` when it does not apply.
Each item must cost a fixed number of queries, whatever the amount of data (grouped counts, a limited
list), so that the first page stays fast.
"""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .approvals import APPROVE, pending_for
from .models import ExportRequest
from .notifications import unread_count

SCHOOL, DISTRICT, CITY = "school", "district", "city"
SECTIONS = {"due": 10, "waiting": 20, "records": 30}  # the order of the sections on the page


@dataclass
class Row:
    label: str
    count: int | None = None
    url: str = ""
    note: str = ""
    action_label: str = ""
    action_url: str = ""


@dataclass
class Todo:
    key: str
    label: str
    count: int
    url: str = ""
    rows: list[Row] = field(default_factory=list)
    level: str = ""  # "late" or "due": shown as a warning

    @property
    def element_id(self):
        return "todo-" + self.key.replace(".", "-").replace("_", "-")


@dataclass(frozen=True)
class Item:
    key: str
    section: str
    order: int
    provider: object  # callable(reach) -> list[Todo]


@dataclass
class Reach:
    user: object
    level: str
    today: datetime.date

    @property
    def week_end(self):
        return self.today + datetime.timedelta(days=6 - self.today.weekday())

    @property
    def month_end(self):
        following = (self.today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return following - datetime.timedelta(days=1)


REGISTRY: list[Item] = []


def todo(key, section, order):
    """Register the decorated function as the to-do item ``key`` of ``section`` (see the module docstring)."""

    def register(provider):
        REGISTRY[:] = [item for item in REGISTRY if item.key != key]
        REGISTRY.append(Item(key, section, order, provider))
        REGISTRY.sort(key=lambda item: (SECTIONS[item.section], item.order))
        return provider

    return register


def level_of(user):
    """The level the user works at: a city or district administrator's by role; for the other roles, by
    where their roles lie (the root's or no tree at all: the city; a district bureau's organization: the
    district; anything deeper or a city-managed school's: the school). No query: the assignments are
    loaded with their organizations."""
    codes = set(getattr(user, "role_codes", ()) or ())
    if "city_admin" in codes:
        return CITY
    if "district_admin" in codes:
        return DISTRICT
    organizations = [a.organization for a in user.active_assignments() if a.organization_id]
    if not organizations:
        return SCHOOL  # the technical roles: no records, only what waits for them
    path = user.home_scope_path()
    if len(path) <= organizations[0].steplen:
        return CITY
    if any(org.path == path and org.district for org in organizations):
        return DISTRICT
    return SCHOOL


def todos_for(user, today=None):
    """[(section, [Todo, ...]), ...] for ``user``, sections in order, empty sections left out."""
    reach = Reach(user, level_of(user), today or timezone.localdate())
    sections = {}
    for item in REGISTRY:
        found = item.provider(reach)
        if found:
            sections.setdefault(item.section, []).extend(found)
    return list(sections.items())


# Core's own items: the unread reminders of the account, and the exports waiting for its approval.
@todo("core.notifications", "waiting", 10)
def unread_reminders(reach):
    count = unread_count(reach.user)
    return (
        [Todo("core.notifications", _("Unread reminders"), count, reverse("notifications"))] if count else []
    )


@todo("core.exports", "waiting", 20)
def exports_to_approve(reach):
    if not reach.user.can(ExportRequest, APPROVE):
        return []
    count = pending_for(reach.user).count()
    return [Todo("core.exports", _("Exports waiting for your approval"), count, reverse("export_requests"))]
