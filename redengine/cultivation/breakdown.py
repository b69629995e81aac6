"""The overview's drill-down: for each organization directly below a scope, its backbone and excellent
teachers and how many are members, its running mentorships and its young members — three grouped queries
whatever the number of organizations (the schools' placements on the day, ``orgs.SchoolPlace``, give each
row the path of the organization below that it lies in; a school placed at the scope itself, such as a
district's school no organization covers, is counted on a row of its own). Below a school's own
organization the figures do not split: they lie by school, and its branches share the school."""

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr

from redengine.orgs.models import PartyOrganization
from redengine.people.models import Honor, Membership, Person

from . import ages
from .metrics import BACKBONE_TITLES
from .models import Mentorship


def placed(school, org, day):
    """Rows whose school (``school`` names the relation) lies in ``org``'s subtree on ``day``, one join."""
    place = f"{school}__places"
    return (
        Q(**{f"{place}__path__under": org.path})
        & (Q(**{f"{place}__valid_from__isnull": True}) | Q(**{f"{place}__valid_from__lte": day}))
        & (Q(**{f"{place}__valid_until__isnull": True}) | Q(**{f"{place}__valid_until__gt": day}))
    )


def grouped(queryset, school, org, day, length, **counts):
    """{path prefix: {name: count}} of ``queryset`` grouped by the organization below ``org``."""
    rows = (
        queryset.filter(placed(school, org, day))
        .annotate(below=Substr(f"{school}__places__path", 1, length))
        .values("below")
        .annotate(**counts)
        .order_by()
    )
    return {row.pop("below"): row for row in rows}


def below(org, day):
    """The rows of the organizations below ``org``; none for an organization that covers schools itself (a
    school's committee: its branches share its schools, and people and mentorships lie by school)."""
    if org.schools.exists():
        return []
    children = list(
        PartyOrganization.objects.filter(path__under=org.path, depth=org.depth + 1).order_by("path")
    )
    if not children:
        return []
    length = len(org.path) + org.steplen
    member = Membership.objects.members_at(day).filter(person=OuterRef("person"))
    titles = grouped(
        Honor.objects.held_at(day).filter(title__in=BACKBONE_TITLES),
        "person__school",
        org,
        day,
        length,
        holders=Count("person", distinct=True),
        members=Count("person", distinct=True, filter=Exists(member)),
    )
    mentorships = grouped(
        Mentorship.objects.running_at(day), "school", org, day, length, running=Count("pk", distinct=True)
    )
    young = grouped(
        Person.objects.filter(
            Exists(Membership.objects.members_at(day).filter(person=OuterRef("pk")))
        ).filter(ages.young(day)),
        "school",
        org,
        day,
        length,
        young=Count("pk", distinct=True),
    )
    rows = []
    for child in [*children, None]:
        key = child.path if child is not None else org.path
        row = {
            "organization": child,
            "holders": titles.get(key, {}).get("holders", 0),
            "members": titles.get(key, {}).get("members", 0),
            "running": mentorships.get(key, {}).get("running", 0),
            "young": young.get(key, {}).get("young", 0),
        }
        if child is None and not any(row[k] for k in ("holders", "running", "young")):
            continue
        row["share"] = row["members"] / row["holders"] if row["holders"] else None
        rows.append(row)
    return rows
