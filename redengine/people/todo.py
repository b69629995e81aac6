"""People on the to-do list (core/todo.py): the organizations without a secretary today, and the records
that lack required items (completeness.py); each count links to the completeness page's list of those
records (organizations lacking a secretary, people, organizations).
A city administrator sees the organizations without a secretary counted per district bureau, each count
linking to the completeness page of that subtree. A few queries, whatever the data."""

from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.todo import CITY, Row, Todo, todo
from redengine.orgs.models import PartyOrganization
from redengine.orgs.todo import bureau_label, per_bureau

from .completeness import organizations_by_completeness, people_by_completeness
from .models import CommitteePost, Person, current_posts

SHOWN = 10


@todo("people.secretaries", "records", 10)
def missing_secretaries(reach):
    user = reach.user
    if not user.can(PartyOrganization, "view") or not user.can(Person, "view"):
        return []
    secretary = current_posts(
        CommitteePost.objects.filter(organization=OuterRef("pk"), post="secretary"), timezone.localdate()
    )
    lacking = PartyOrganization.objects.visible_to(user).filter(~Exists(secretary))
    # The completeness page's list of organizations lacking a secretary (of each bureau's subtree).
    query = {"kind": "organizations", "missing": "secretary"}
    url = reverse("people:completeness") + "?" + urlencode(query)
    if reach.level == CITY:
        grouped = per_bureau(lacking, user)
        total = sum(n for _org, n in grouped)
        rows = [Row(bureau_label(org), n, url + "&" + urlencode({"within": org.code})) for org, n in grouped]
    else:
        listed = list(lacking.order_by("path")[: SHOWN + 1])
        total = len(listed) if len(listed) <= SHOWN else lacking.count()
        rows = [Row(org.name, url=org.get_absolute_url()) for org in listed[:SHOWN]]
    return [Todo("people.secretaries", _("Organizations without a secretary"), total, url, rows)]


@todo("people.incomplete", "records", 20)
def incomplete_records(reach):
    user = reach.user
    if not user.can(Person, "view"):
        return []
    people, items = people_by_completeness(Person.objects.visible_to(user))
    orgs, org_items = organizations_by_completeness(PartyOrganization.objects.visible_to(user))
    url = reverse("people:completeness")
    return [
        Todo(
            "people.incomplete",
            _("Incomplete records of people"),
            people.filter(filled__lt=len(items)).count(),
            url,
        ),
        Todo(
            "orgs.incomplete",
            _("Incomplete records of organizations"),
            orgs.filter(filled__lt=len(org_items)).count(),
            url + "?" + urlencode({"kind": "organizations"}),
        ),
    ]
