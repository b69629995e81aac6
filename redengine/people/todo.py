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
from redengine.orgs.models import PartyOrganization, School
from redengine.orgs.todo import bureau_label, per_bureau

from .choices import DispatchRole
from .completeness import lacking_any, org_items, person_items
from .models import CommitteePost, Dispatch, GuidanceRecord, Person, current_posts

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
    people = lacking_any(Person.objects.visible_to(user), person_items())
    orgs = lacking_any(PartyOrganization.objects.visible_to(user), org_items())
    url = reverse("people:completeness")
    return [
        Todo("people.incomplete", _("Incomplete records of people"), people.count(), url),
        Todo(
            "orgs.incomplete",
            _("Incomplete records of organizations"),
            orgs.count(),
            url + "?" + urlencode({"kind": "organizations"}),
        ),
    ]


@todo("people.guidance", "due", 40)
def guidance_due(reach):
    """An instructor's schools with no guidance record yet this month: the dispatches that name the account
    and last today (a reminder, not a rule: the texts set no frequency). A school the account's roles do not
    reach is said so, for the security administrator to grant the role there. Three queries."""
    user = reach.user
    if not user.can(GuidanceRecord, "add"):
        return []
    today = reach.today
    this_month = GuidanceRecord.objects.filter(
        dispatch=OuterRef("pk"), held_on__gte=today.replace(day=1), held_on__lte=today
    )
    lacking = (
        Dispatch.objects.filter(account=user, role=DispatchRole.INSTRUCTOR)
        .active_on(today)
        .filter(~Exists(this_month))
        .select_related("school")
        .order_by("school__code", "pk")
    )
    listed = list(lacking[: SHOWN + 1])
    if not listed:
        return []
    total = len(listed) if len(listed) <= SHOWN else lacking.count()
    reachable = set(
        School.objects.visible_to(user, "view", (GuidanceRecord, "add"))
        .filter(pk__in=[d.school_id for d in listed])
        .values_list("pk", flat=True)
    )
    add = reverse("people:guidance_add")
    rows = [
        Row(d.school.name, action_label=_("Add a guidance record"), action_url=add)
        if d.school_id in reachable
        else Row(d.school.name, note=_("outside your roles' scope: ask the security administrator"))
        for d in listed[:SHOWN]
    ]
    label = _("Schools you are dispatched to with no guidance record this month")
    return [Todo("people.guidance", label, total, reverse("people:guidance_list") + "?mine=true", rows)]
