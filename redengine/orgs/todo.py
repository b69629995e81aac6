"""Organizations on the to-do list (core/todo.py): the elections due by the end of the month (or overdue).

A school's secretary sees the organizations, a district administrator too (at most ``SHOWN``), a city
administrator the counts per district bureau (and the city-managed); each count links to the organization
list filtered to it. ``per_bureau`` groups any rows of organizations so, for the other apps' items."""

from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.core.codes import district_name
from redengine.core.todo import CITY, Row, Todo, todo

from .models import PartyOrganization

SHOWN = 10


def organizations_url(**params):
    return reverse("orgs:organization_list") + "?" + urlencode(params)


def per_bureau(queryset, user, path="path"):
    """[(organization, count)] of ``queryset``'s rows per subtree just under the city's root (a district's
    bureau, the city-managed ones), most first: one grouped query and one for the organizations (those
    ``user`` sees; rows on the root itself count under the root). A row reached twice within a subtree (a
    mentorship through each current placement of its school: its branch's and its committee's) counts once."""
    cut = PartyOrganization.steplen * 2
    counts = dict(
        queryset.order_by()
        .annotate(top=Substr(path, 1, cut))
        .values_list("top")
        .annotate(n=Count("pk", distinct=True))
    )
    if not counts:
        return []
    tops = {org.path: org for org in PartyOrganization.objects.visible_to(user).filter(path__in=counts)}
    return sorted(
        ((tops[p], n) for p, n in counts.items() if p in tops), key=lambda row: (-row[1], row[0].path)
    )


def bureau_label(org):
    """A district bureau's organization by its district's name (岳麓区), any other by its own name."""
    return district_name(org.district) if org.district else org.name


@todo("orgs.elections", "due", 20)
def elections_due(reach):
    user = reach.user
    if not user.can(PartyOrganization, "view"):
        return []
    days = (reach.month_end - reach.today).days
    due = PartyOrganization.objects.visible_to(user).filter(election_due_on__lte=reach.month_end)
    if reach.level == CITY:
        grouped = per_bureau(due, user)
        total = sum(n for _org, n in grouped)
        rows = [
            Row(bureau_label(org), n, organizations_url(election_within=days, within=org.code))
            for org, n in grouped
        ]
    else:
        listed = list(due.order_by("election_due_on", "path")[: SHOWN + 1])
        total = len(listed) if len(listed) <= SHOWN else due.count()
        rows = [
            Row(org.name, url=org.get_absolute_url(), note=f"{org.election_due_on:%Y-%m-%d}")
            for org in listed[:SHOWN]
        ]
    return [
        Todo(
            "orgs.elections",
            _("Elections due by the end of the month"),
            total,
            organizations_url(election_within=days),
            rows,
            level="due",
        )
    ]
