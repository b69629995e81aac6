"""Organizational life on the to-do list (core/todo.py): a branch whose last month passed without its themed
party day, a branch whose last quarter passed without its general meeting, and the members with no
organizational life for three months (the early alert) or six (the lapse rule of 党章 art. 9: proposed to
the branch, never decided here).

A school's secretary sees the branches (at most ``SHOWN``) with a 录入 link to the quick-entry form of the
missing meeting, and the members; a district administrator the branches too; a city administrator the
counts per district bureau. Each item costs two or three queries whatever the size of the scope.
"""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, Window
from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.core.dates import add_months
from redengine.core.todo import CITY, Row, Todo, todo
from redengine.orgs.models import PartyOrganization
from redengine.orgs.todo import bureau_label, per_bureau
from redengine.people.models import Membership

from . import rules
from .compliance import unit_of
from .models import Attendance, AttendanceStatus, Meeting
from .rules import MONTH, QUARTER, MeetingType

SHOWN = 10
DAY = datetime.timedelta(days=1)


def first_rows(queryset, *order):
    """(the first ``SHOWN`` rows in ``order``, the number of rows): one query, the rows counted beside them."""
    found = list(queryset.annotate(total=Window(Count("pk"))).order_by(*order)[:SHOWN])
    return found, found[0].total if found else 0


def compliance_url(**params):
    return reverse("activities:compliance") + ("?" + urlencode(params) if params else "")


def add_url(org, meeting_type):
    return reverse("activities:meeting_add") + "?" + urlencode({"organization": org.pk, "type": meeting_type})


def branches_missing(reach, meeting_type, kind):
    """The branches in the user's scope that existed on the first day of the last ended ``kind`` unit and
    held no ``meeting_type`` in it; the unit."""
    unit = unit_of(kind, unit_of(kind, reach.today).start - DAY)
    held = Meeting.objects.filter(
        organization=OuterRef("pk"), meeting_type=meeting_type, date__range=(unit.start, unit.end)
    )
    branches = (
        PartyOrganization.objects.visible_to(reach.user)
        .filter(org_type__in=rules.BRANCH_TYPES)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=unit.start))
        .filter(~Exists(held))
    )
    return branches, unit


def missing_item(reach, key, meeting_type, kind, label):
    user = reach.user
    if not user.can(Meeting, "view"):
        return []
    branches, unit = branches_missing(reach, meeting_type, kind)
    url = compliance_url(year=unit.start.year)
    may_add = user.can(Meeting, "add")
    if reach.level == CITY:
        grouped = per_bureau(branches, user)
        rows = [
            Row(bureau_label(org), n, compliance_url(organization=org.code, year=unit.start.year))
            for org, n in grouped
        ]
        total = sum(n for _org, n in grouped)
    else:
        found, total = first_rows(branches, "path")
        rows = [
            Row(
                org.name,
                url=compliance_url(organization=org.code, year=unit.start.year),
                note=unit.label,
                action_label=_("Record") if may_add else "",
                action_url=add_url(org, meeting_type) if may_add else "",
            )
            for org in found[:SHOWN]
        ]
    if not total:
        return []
    return [Todo(key, label % {"unit": unit.label}, total, url, rows, level="late")]


@todo("activities.themed_day", "due", 30)
def themed_day_missed(reach):
    return missing_item(
        reach,
        "activities.themed_day",
        MeetingType.THEMED_DAY,
        MONTH,
        _("Branches without a themed party day in %(unit)s"),
    )


@todo("activities.general_meeting", "due", 31)
def general_meeting_missed(reach):
    return missing_item(
        reach,
        "activities.general_meeting",
        MeetingType.GENERAL_MEETING,
        QUARTER,
        _("Branches without a branch general meeting in %(unit)s"),
    )


def members_without_life(reach, months):
    """Current members in scope, members for ``months`` at least, in an organization that lists its
    attendance (a listed meeting in that time), with no organizational life (present at a meeting) since."""
    since = add_months(reach.today, -months)
    lived = Attendance.objects.filter(
        person=OuterRef("person"), status=AttendanceStatus.PRESENT, date__gte=since
    )
    listing = Meeting.objects.filter(organization=OuterRef("organization"), from_list=True, date__gte=since)
    return (
        Membership.objects.visible_to(reach.user)
        .filter(ended_on__isnull=True, admitted_on__lte=since)
        .filter(Exists(listing))
        .filter(~Exists(lived))
    )


def lapse_item(reach, key, months, label, level):
    user = reach.user
    if not (user.can(Meeting, "view") and user.can(Membership, "view")):
        return []
    members = members_without_life(reach, months)
    if reach.level == CITY:
        grouped = per_bureau(members, user, path="organization__path")
        rows = [Row(bureau_label(org), n, compliance_url(organization=org.code)) for org, n in grouped]
        total = sum(n for _org, n in grouped)
    else:
        found, total = first_rows(
            members.select_related("person", "organization"), "organization__path", "person__name_key", "pk"
        )
        rows = [
            Row(
                m.person.name,
                url=compliance_url(organization=m.organization.code),
                note=m.organization.name,
            )
            for m in found[:SHOWN]
        ]
    if not total:
        return []
    return [Todo(key, label, total, compliance_url(), rows, level=level)]


@todo("activities.lapse", "due", 32)
def lapse(reach):
    months = rules.param("life.lapse_months")
    return lapse_item(
        reach,
        "activities.lapse",
        months,
        _(
            "Members with no organizational life for six months or more: for the branch to consider under "
            "Party Constitution art. 9"
        ),
        "late",
    )


@todo("activities.lapse_alert", "due", 33)
def lapse_alert(reach):
    months = rules.param("life.lapse_alert_months")
    alerts = lapse_item(
        reach,
        "activities.lapse_alert",
        months,
        _("Members with no organizational life for three months or more"),
        "due",
    )
    return alerts
