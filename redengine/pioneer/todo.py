"""Pioneer units on the to-do list (core/todo.py): the units waiting for the user's move (applied or filed,
awaiting the district's filing or review; reviewed, awaiting the city's certification), and the certified
units whose yearly check is past due (more than ``pioneer.check_months`` months since the certification or
the last check: a time limit on the organization's own work, flagged, never refused).

A district administrator sees the units (at most ``SHOWN``) with a link to each; a city administrator the
counts per district bureau. Each item costs two queries whatever the scope, none for a role without the move.
"""

from urllib.parse import urlencode

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.activities.todo import SHOWN, first_rows
from redengine.core.todo import CITY, Row, Todo, todo
from redengine.orgs.models import SchoolPlace
from redengine.orgs.todo import bureau_label, per_bureau

from .models import PioneerUnit
from .rules import CERTIFY, CHECK, FILE, REVIEW, UnitStatus
from .services import checks_past_due


def list_url(**params):
    return reverse("pioneer:pioneerunit_list") + "?" + urlencode(params)


def unit_item(reach, key, label, found, query, level="due"):
    user = reach.user
    if reach.level == CITY:
        # One place per unit (a school covered by a committee and its branches lies at each of them).
        place = SchoolPlace.objects.filter(school=OuterRef("school_id"), valid_until__isnull=True).order_by(
            "path"
        )
        placed = found.annotate(place=Subquery(place.values("path")[:1]))
        grouped = per_bureau(placed, user, path="place")
        rows = [Row(bureau_label(org), n, list_url(within=org.code, **query)) for org, n in grouped]
        total = sum(n for _org, n in grouped)
    else:
        shown, total = first_rows(found.select_related("school"), "applied_on", "pk")
        rows = [
            Row(
                u.name,
                url=u.get_absolute_url(),
                note=f"{u.school.name} · {u.get_status_display()}",
                action_label=_("Open"),
                action_url=u.get_absolute_url(),
            )
            for u in shown[:SHOWN]
        ]
    if not total:
        return []
    return [Todo(key, label, total, list_url(**query), rows, level=level)]


def waiting(reach, key, move, status, label):
    user = reach.user
    if not user.can(PioneerUnit, move):
        return []
    found = PioneerUnit.objects.visible_to(user, move).filter(status=status)
    return unit_item(reach, key, label, found, {"status": status}, "")


@todo("pioneer.to_certify", "waiting", 50)
def to_certify(reach):
    """Reviewed units waiting for the city's certification (the city's own move)."""
    if reach.level != CITY:
        return []
    return waiting(
        reach,
        "pioneer.to_certify",
        CERTIFY,
        UnitStatus.REVIEWED,
        _("Pioneer units waiting for certification"),
    )


@todo("pioneer.to_review", "waiting", 51)
def to_review(reach):
    """Filed units waiting for the district's review."""
    if reach.level == CITY:
        return []
    return waiting(
        reach, "pioneer.to_review", REVIEW, UnitStatus.FILED, _("Pioneer units waiting for review")
    )


@todo("pioneer.to_file", "waiting", 52)
def to_file(reach):
    """Units a school applied for, waiting for the district's filing."""
    if reach.level == CITY:
        return []
    return waiting(reach, "pioneer.to_file", FILE, UnitStatus.APPLIED, _("Pioneer units waiting for filing"))


@todo("pioneer.check_due", "due", 50)
def check_due(reach):
    user = reach.user
    if not user.can(PioneerUnit, CHECK):
        return []
    found = checks_past_due(PioneerUnit.objects.visible_to(user, CHECK), reach.today)
    return unit_item(
        reach,
        "pioneer.check_due",
        _("Certified pioneer units whose yearly check is past due"),
        found,
        {"certified": "true"},
    )
