"""Dual cultivation on the to-do list (core/todo.py): running mentorships whose half-yearly review is past due
(a time limit on the school's own work: flagged, never refused), and running mentorships past their planned
end with no end recorded (record the end and what the pair achieved).

A school's secretary and a district administrator see the mentorships (at most ``SHOWN``) with a link to
each; a city administrator the counts per district bureau. Each item costs two queries whatever the scope.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.activities.todo import SHOWN, first_rows
from redengine.core.todo import CITY, Row, Todo, todo
from redengine.orgs.todo import bureau_label, per_bureau

from .models import Mentorship
from .services import reviews_past_due


def list_url(**params):
    return reverse("cultivation:mentorship_list") + "?" + urlencode({"running": "true", **params})


def mentorship_item(reach, key, label, found):
    user = reach.user
    if reach.level == CITY:
        placed = found.filter(school__places__valid_until__isnull=True)
        grouped = per_bureau(placed, user, path="school__places__path")
        rows = [Row(bureau_label(org), n, list_url(within=org.code)) for org, n in grouped]
        total = sum(n for _org, n in grouped)
    else:
        shown, total = first_rows(found.select_related("mentor", "apprentice", "school"), "start_on", "pk")
        rows = [
            Row(
                f"{m.mentor.name} → {m.apprentice.name}",
                url=m.get_absolute_url(),
                note=m.school.name,
                action_label=_("Open"),
                action_url=m.get_absolute_url(),
            )
            for m in shown[:SHOWN]
        ]
    if not total:
        return []
    return [Todo(key, label, total, list_url(), rows, level="due")]


@todo("cultivation.review_due", "due", 40)
def review_due(reach):
    if not reach.user.can(Mentorship, "view"):
        return []
    found = reviews_past_due(Mentorship.objects.visible_to(reach.user), reach.today)
    return mentorship_item(
        reach, "cultivation.review_due", _("Mentorships whose half-yearly review is past due"), found
    )


@todo("cultivation.planned_end", "due", 41)
def planned_end_passed(reach):
    if not reach.user.can(Mentorship, "view"):
        return []
    found = Mentorship.objects.visible_to(reach.user).filter(
        ended_on__isnull=True, planned_end_on__lt=reach.today
    )
    return mentorship_item(
        reach,
        "cultivation.planned_end",
        _("Mentorships past their planned end with no end recorded"),
        found,
    )
