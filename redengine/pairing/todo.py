"""Pairing on the to-do list (core/todo.py): running pairs with no activity for ``pair.idle_months`` months
(a pair agreed that long ago or earlier: a new pair is idle only once that long has passed).

A school's secretary and a district administrator see the pairs (at most ``SHOWN``) with a link to each; a
city administrator the counts per district bureau (by the rural school's place: the district the pair
serves). The item costs two queries whatever the scope (one for the rows counted beside them; at the city,
one grouped count and one for the bureaus).
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.activities.todo import SHOWN, first_rows
from redengine.core.todo import CITY, Row, Todo, todo
from redengine.orgs.todo import bureau_label, per_bureau

from . import rules
from .models import SchoolPair
from .services import idle_pairs


def list_url(**params):
    return reverse("pairing:schoolpair_list") + "?" + urlencode({"idle": "true", **params})


@todo("pairing.idle", "due", 45)
def idle(reach):
    user = reach.user
    if not user.can(SchoolPair, "view"):
        return []
    found = idle_pairs(SchoolPair.objects.visible_to(user), reach.today)
    if reach.level == CITY:
        placed = found.filter(rural__places__valid_until__isnull=True)
        grouped = per_bureau(placed, user, path="rural__places__path")
        rows = [Row(bureau_label(org), n, list_url(within=org.code)) for org, n in grouped]
        total = sum(n for _org, n in grouped)
    else:
        shown, total = first_rows(found.select_related("urban", "rural"), "agreed_on", "pk")
        rows = [
            Row(
                str(p),
                url=p.get_absolute_url(),
                note=_("agreed %(date)s") % {"date": p.agreed_on.isoformat()},
                action_label=_("Open the pair"),
                action_url=p.get_absolute_url(),
            )
            for p in shown[:SHOWN]
        ]
    if not total:
        return []
    label = _("Urban-rural pairs with no activity for %(months)s months") % {
        "months": rules.param("pair.idle_months", on=reach.today)
    }
    return [Todo("pairing.idle", label, total, list_url(), rows, level="due")]
