"""Transfers on the to-do list (core/todo.py): those waiting for the user's side (sent: the receiving side
accepts; requested: the sending side releases), the ones of both sides not decided within
``transfer.accept_days`` days (a time limit on the organizations' own work: flagged on both sides, never
refused), introduction letters expiring within 15 days or past their validity without their return slip,
and the transfers proposed by a change of school.

A district's or a school's user sees the transfers (at most ``SHOWN``) with a link to each; a city
administrator the counts per district bureau. Each item costs one query (two at the city level), none for
a role that may not see transfers.

Importing this module also registers the proposal of a transfer on a change of school
(``services.transfers.propose_for_school_changes`` with ``people.services.on_school_change``): this module is imported
when the apps are ready (``core`` discovers every app's ``todo.py``).
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.activities.todo import SHOWN, first_rows
from redengine.core.todo import CITY, Row, Todo, todo
from redengine.orgs.todo import bureau_label, per_bureau

from ..models import Transfer
from ..services import transfers as services  # registers the proposal on a change of school

LETTER_DAYS = 15  # a letter whose validity ends within so many days is on the list


def list_url(**params):
    return reverse("membership:transfer_list") + ("?" + urlencode(params) if params else "")


def transfer_item(reach, key, label, found, query, level="", path="from_organization__path", note=None):
    user = reach.user
    if reach.level == CITY:
        grouped = per_bureau(found, user, path=path)
        rows = [Row(bureau_label(org), n, list_url(within=org.code, **query)) for org, n in grouped]
        total = sum(n for _org, n in grouped)
    else:
        related = found.select_related("person", "from_organization", "to_organization")
        shown, total = first_rows(related, "started_on", "pk")
        rows = [
            Row(
                t.person.name,
                url=t.get_absolute_url(),
                note=(note or describe)(t),
                action_label=_("Open"),
                action_url=t.get_absolute_url(),
            )
            for t in shown[:SHOWN]
        ]
    if not total:
        return []
    return [Todo(key, label, total, list_url(**query), rows, level=level)]


def describe(transfer):
    there = transfer.to_organization.name if transfer.to_organization_id else transfer.outside_organization
    here = transfer.from_organization.name if transfer.from_organization_id else transfer.outside_organization
    return f"{here or '—'} → {there or '—'} · {transfer.started_on:%Y-%m-%d}"


def letter_note(transfer):
    until = _("valid until %(date)s") % {"date": transfer.letter_valid_until.isoformat()}
    return f"{transfer.letter_number} · {until}"


@todo("membership.transfers_waiting", "waiting", 60)
def transfers_waiting(reach):
    """Transfers sent to the user's organizations (to accept) or requested from them (to release)."""
    user = reach.user
    if not user.can(Transfer, "view"):
        return []
    found = services.waiting_for(Transfer.objects.exclude(status="proposed"), user)
    return transfer_item(
        reach,
        "membership.transfers_waiting",
        _("Transfers waiting for your side"),
        found,
        {"waiting": "mine"},
    )


@todo("membership.transfers_late", "due", 60)
def transfers_late(reach):
    """Transfers of either side sent or requested more than ``transfer.accept_days`` days ago, undecided."""
    user = reach.user
    if not user.can(Transfer, "view"):
        return []
    found = services.overdue(Transfer.objects.visible_to(user), reach.today)
    return transfer_item(
        reach,
        "membership.transfers_late",
        _("Transfers not decided within the time limit"),
        found,
        {"overdue": "true"},
        level="late",
    )


@todo("membership.letters", "due", 61)
def letters(reach):
    """Introduction letters out of the system past their validity, or expiring within 15 days."""
    user = reach.user
    if not user.can(Transfer, "view"):
        return []
    found = services.letters_expiring(Transfer.objects.visible_to(user), reach.today, LETTER_DAYS)
    return transfer_item(
        reach,
        "membership.letters",
        _("Introduction letters past or near the end of their validity"),
        found,
        {"letter": "expiring"},
        level="due",
        note=letter_note,
    )


@todo("membership.transfer_proposals", "waiting", 61)
def proposals(reach):
    """Transfers proposed by a change of school, for either side to start or dismiss."""
    user = reach.user
    if not user.can(Transfer, "view"):
        return []
    found = Transfer.objects.visible_to(user).filter(status="proposed")
    return transfer_item(
        reach,
        "membership.transfer_proposals",
        _("Transfers proposed by a change of school"),
        found,
        {"status": "proposed"},
    )
