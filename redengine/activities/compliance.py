"""Frequency compliance of organizational life: for an organization and a period, each meeting type required
of it, how many units (months, quarters, the year) required it and in how many it was held, and the gaps;
for a scope, how many of its branches kept every frequency (``activities.compliance``, metrics.md).

Two readings of the same rules (``rules.py``):

* ``figures(scope_path, start, end, today)`` — the scope's branches that existed for the whole period (the
  metric's: 党支部 and 联合党支部; committees, general branches and temporary branches are not in it), each
  with the number of units in which it held each type, counted by the database in one grouped query
  (distinct months or quarters per type), and whether it kept every frequency. Three queries whatever the
  size of the scope; the city's figure and the drill-down by the organizations below read it.
* ``detail(orgs, start, end, today)`` — for the few organizations of a page (a school's branches, one
  branch), every unit with its count: which months or quarters had none, which are still running, and for
  a branch founded within the period only the units after its founding.

A unit is required when it lies within the period, the organization existed on its first day, and it has
ended by ``today`` (the current month is in progress: shown, never a gap). Meetings are counted in the
units that are required, so a meeting in the running month neither fills an earlier gap nor counts twice.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils.translation import gettext as _

from redengine.core.dates import add_months
from redengine.orgs.choices import OrgType
from redengine.orgs.models import PartyOrganization
from redengine.people.models import CommitteePost

from . import rules
from .models import Attendance, AttendanceStatus, Meeting
from .rules import MONTH, QUARTER, YEAR, MeetingType

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Unit:
    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def key(self):
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def label(self):
        if self.kind == MONTH:
            return _("%(month)s/%(year)s") % {"year": self.start.year, "month": self.start.month}
        if self.kind == QUARTER:
            return _("Q%(quarter)s %(year)s") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        return str(self.start.year)


def unit_of(kind, day):
    if kind == MONTH:
        start = day.replace(day=1)
        return Unit(kind, start, add_months(start, 1) - DAY)
    if kind == QUARTER:
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        return Unit(kind, start, add_months(start, 3) - DAY)
    return Unit(kind, day.replace(month=1, day=1), day.replace(month=12, day=31))


def units(kind, start, end):
    """The calendar units of ``kind`` lying wholly within [start, end]."""
    found = []
    unit = unit_of(kind, start)
    if unit.start < start:
        unit = unit_of(kind, unit.end + DAY)
    while unit.end <= end:
        found.append(unit)
        if unit.end >= datetime.date.max - datetime.timedelta(days=400):
            break
        unit = unit_of(kind, unit.end + DAY)
    return found


def required_units(kind, start, end, today, founded_on=None):
    """(required, running): the units that count, and the unit still running at ``today`` (if any)."""
    found = [u for u in units(kind, start, end) if founded_on is None or u.start >= founded_on]
    required = [u for u in found if u.end < today]
    running = next((u for u in found if u.start <= today <= u.end), None)
    return required, running


def cutoff(kind, start, end, today):
    """The last day of the last unit of ``kind`` that has ended by ``today`` within the period (or None)."""
    required, _running = required_units(kind, start, end, today)
    return required[-1].end if required else None


# The scope's branches (the metric) -------------------------------------------------------------------
@dataclass
class BranchFigure:
    pk: int
    path: str
    party_groups: int
    has_committee: bool
    held: dict  # frequency key -> units held (months, quarters, or meetings in the year)
    required: dict  # frequency key -> units required
    ok: bool = False
    missed: list = field(default_factory=list)  # the frequencies the branch did not keep (set by ``figures``)


def branches_in(scope_path, start):
    """The branches and joint branches of the subtree that existed for the whole period (founded on or
    before its first day, or with no founding date recorded)."""
    return PartyOrganization.objects.filter(
        path__startswith=scope_path, org_type__in=rules.BRANCH_TYPES
    ).filter(Q(founded_on__isnull=True) | Q(founded_on__lte=start))


def figures(scope_path, start, end, today):
    """Every branch of the metric with its units held and required: three queries."""
    as_of = min(end, today)
    branches = list(
        branches_in(scope_path, start)
        .annotate(
            has_committee=Exists(
                CommitteePost.objects.filter(
                    organization=OuterRef("pk"), post__in=rules.COMMITTEE_POSTS, start_on__lte=as_of
                ).filter(Q(end_on__isnull=True) | Q(end_on__gt=as_of))
            )
        )
        .values_list("pk", "path", "party_groups", "has_committee")
        .order_by()
    )
    if not branches:
        return []
    cuts = {kind: cutoff(kind, start, end, today) for kind in (MONTH, QUARTER, YEAR)}
    need = {kind: len(required_units(kind, start, end, today)[0]) for kind in (MONTH, QUARTER, YEAR)}
    # Each parameter read once (a look-up of the version in force), not once per branch.
    times = {frequency.key: frequency.times for frequency in rules.FREQUENCIES}
    counted = {}
    for frequency in rules.FREQUENCIES:
        cut = cuts[frequency.unit]
        if cut is None:
            continue
        when = Q(meeting_type=frequency.meeting_type, date__lte=cut)
        if frequency.secretary:
            when &= Q(by_secretary=True)
        if frequency.unit == MONTH:
            counted[frequency.key] = Count(TruncMonth("date"), distinct=True, filter=when)
        elif frequency.unit == QUARTER:
            counted[frequency.key] = Count(TruncQuarter("date"), distinct=True, filter=when)
        else:
            counted[frequency.key] = Count("pk", filter=when)
    held = {}
    meetings = Meeting.objects.filter(
        organization__path__startswith=scope_path,
        organization__org_type__in=rules.BRANCH_TYPES,
        date__range=(start, as_of),
    )
    if counted:
        for row in meetings.values("organization_id").annotate(**counted).order_by():
            held[row.pop("organization_id")] = row
    # A frequency of several meetings a unit (a branch of several party groups, a parameter above 1): a unit
    # counts when it had as many. Of the units counted above (with a meeting of the type), one more grouped
    # query finds those short of it, for those branches (a few in a hundred: one row each).
    groups_of = {pk: groups for pk, _path, groups, _c in branches}
    for frequency in rules.FREQUENCIES:
        if frequency.unit == YEAR or cuts[frequency.unit] is None:
            continue
        per_group = frequency.meeting_type == MeetingType.GROUP
        if not per_group and times[frequency.key] <= 1:
            continue  # one meeting a unit: counted above
        several = [
            pk
            for pk, groups in groups_of.items()
            if needed_in_unit(frequency, groups, times[frequency.key]) > 1
        ]
        if not several:
            continue
        trunc = TruncMonth("date") if frequency.unit == MONTH else TruncQuarter("date")
        when = Q(meeting_type=frequency.meeting_type, date__lte=cuts[frequency.unit])
        if frequency.secretary:
            when &= Q(by_secretary=True)
        if per_group:  # the branches of several groups (or of one, when a group meets several times a unit)
            when &= Q(organization__party_groups__gte=1 if times[frequency.key] > 1 else 2)
        units_held = meetings.filter(when).annotate(unit=trunc).values("organization_id", "unit")
        units_held = units_held.annotate(n=Count("*"))  # from the (organization, type, date) index alone
        if per_group:
            units_held = units_held.annotate(groups=Max("organization__party_groups"))
            units_held = units_held.filter(n__lt=F("groups") * times[frequency.key])
        else:
            units_held = units_held.filter(n__lt=times[frequency.key])
        short = defaultdict(int)
        for pk in units_held.order_by().values_list("organization_id", flat=True):
            short[pk] += 1
        for pk in several:
            counts = held.setdefault(pk, {})
            counts[frequency.key] = (counts.get(frequency.key) or 0) - short.get(pk, 0)
    found = []
    requirements = {}  # (has a committee, has groups) -> the units required of such a branch, and the bars
    for pk, path, groups, has_committee in branches:
        kind = (bool(has_committee), bool(groups))
        if kind not in requirements:
            required = {
                frequency.key: need[frequency.unit]
                for frequency in rules.frequencies_for(OrgType.BRANCH, has_committee=kind[0], groups=kind[1])
                if need[frequency.unit]
            }
            # What a branch must have held of each to keep it (``unit_held``): the units required, or of a
            # yearly type the meetings required.
            bars = {
                key: times[key] if rules.FREQUENCY[key].unit == YEAR else count
                for key, count in required.items()
            }
            requirements[kind] = required, bars
        required, bars = requirements[kind]
        counts = held.get(pk, {})
        figure = BranchFigure(pk, path, groups, has_committee, counts, dict(required))
        figure.missed = [key for key, bar in bars.items() if (counts.get(key) or 0) < bar]
        figure.ok = not figure.missed
        found.append(figure)
    return found


def needed_in_unit(frequency, groups, times=None):
    """Meetings a unit needs: the parameter (``times``, when read already), times the groups for the groups'
    meeting."""
    times = frequency.times if times is None else times
    return times * (groups if frequency.meeting_type == MeetingType.GROUP else 1)


def unit_held(figure, key):
    """Units in which the branch kept frequency ``key``: for a yearly type, the year counts when it held the
    required number of meetings."""
    frequency = rules.FREQUENCY[key]
    value = figure.held.get(key, 0) or 0
    if frequency.unit == YEAR:
        return figure.required[key] if value >= frequency.times else 0
    return value


def summary(scope, start, end, today):
    """(totals, rows): the branches of the figure in ``scope`` and those that kept every frequency, in all and
    per organization directly below ``scope`` (the drill-down)."""
    found = figures(scope.path, start, end, today)
    step = len(scope.path) + PartyOrganization.steplen
    groups = defaultdict(lambda: {"branches": 0, "compliant": 0, "missed": defaultdict(int)})
    for figure in found:
        group = groups[figure.path[:step] if len(figure.path) > len(scope.path) else scope.path]
        group["branches"] += 1
        group["compliant"] += figure.ok
        for key in figure.missed:
            group["missed"][key] += 1
    # The scope and the organizations directly below it (not a list of their paths: hundreds in a district).
    below = PartyOrganization.objects.filter(path__under=scope.path, depth__lte=scope.depth + 1)
    orgs = {o.path: o for o in below.order_by("code") if o.path in groups}
    rows = []
    for path, group in groups.items():
        org = orgs.get(path)
        if org is None:
            continue
        rows.append(
            {
                "organization": org,
                "branches": group["branches"],
                "compliant": group["compliant"],
                "share": group["compliant"] / group["branches"] if group["branches"] else None,
                "missed": dict(group["missed"]),
            }
        )
    rows.sort(key=lambda row: row["organization"].code)
    totals = {
        "branches": len(found),
        "compliant": sum(f.ok for f in found),
    }
    totals["share"] = totals["compliant"] / totals["branches"] if totals["branches"] else None
    totals["missed"] = defaultdict(int)
    for row in rows:
        for key, n in row["missed"].items():
            totals["missed"][key] += n
    totals["missed"] = dict(totals["missed"])
    return totals, rows


# One organization, unit by unit ----------------------------------------------------------------------
@dataclass
class UnitCount:
    unit: Unit
    held: int
    needed: int
    running: bool = False

    @property
    def gap(self):
        return not self.running and self.held < self.needed


@dataclass
class RuleCompliance:
    frequency: rules.Frequency
    units: list  # [UnitCount], required ones and the running one

    @property
    def required(self):
        return [u for u in self.units if not u.running]

    @property
    def kept(self):
        return sum(1 for u in self.required if not u.gap)

    @property
    def gaps(self):
        return [u for u in self.required if u.gap]

    @property
    def ok(self):
        return not self.gaps

    @property
    def unit_label(self):
        return rules.UNIT_LABELS[self.frequency.unit]


@dataclass
class OrgCompliance:
    organization: PartyOrganization
    rules: list = field(default_factory=list)
    has_committee: bool = False

    @property
    def applies(self):
        return any(r.required for r in self.rules)

    @property
    def ok(self):
        return all(r.ok for r in self.rules)

    @property
    def gaps(self):
        return sum(len(r.gaps) for r in self.rules)


def detail(orgs, start, end, today):
    """{org pk: OrgCompliance} for a few organizations: every unit counted (two queries)."""
    from .services import committees

    orgs = list(orgs)
    if not orgs:
        return {}
    as_of = min(end, today)
    with_committee = committees(orgs, as_of)
    counts = defaultdict(list)  # (org, type) -> [(month start, by the secretary, meetings)]
    rows = (
        Meeting.objects.filter(organization__in=orgs, date__range=(start, end))
        .annotate(month=TruncMonth("date"))
        .values_list("organization_id", "meeting_type", "by_secretary", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for org_pk, kind, secretary, month, n in rows:
        month = month.date() if isinstance(month, datetime.datetime) else month
        counts[(org_pk, kind)].append((month, secretary, n))
    found = {}
    for org in orgs:
        result = OrgCompliance(org, has_committee=org.pk in with_committee)
        frequencies = rules.frequencies_for(
            org.org_type, has_committee=result.has_committee, groups=org.party_groups
        )
        for frequency in frequencies:
            required, running = required_units(frequency.unit, start, end, today, org.founded_on)
            needed = needed_in_unit(frequency, org.party_groups)
            listed = []
            for unit in required + ([running] if running else []):
                held = sum(
                    n
                    for month, secretary, n in counts[(org.pk, frequency.meeting_type)]
                    if unit.start <= month <= unit.end and (secretary or not frequency.secretary)
                )
                listed.append(UnitCount(unit, held, needed, running=unit is running))
            result.rules.append(RuleCompliance(frequency, listed))
        found[org.pk] = result
    return found


# Members ----------------------------------------------------------------------------------------------
@dataclass
class MemberLife:
    membership: object
    listed: int = 0
    present: int = 0
    leave: int = 0
    absent: int = 0
    last_present: datetime.date | None = None
    absent_run: int = 0  # absent without leave at the latest meetings, running

    @property
    def person(self):
        return self.membership.person

    @property
    def rate(self):
        return self.present / self.listed if self.listed else None


def members_life(org, start, end, today):
    """Each member of ``org`` today with their attendance in the period, their last organizational life
    (anywhere) and their run of absences without leave; two queries."""
    from .services import rosters

    members = rosters([(org, min(end, today))]).get((org.pk, min(end, today)), [])
    if not members:
        return []
    people = [m.person_id for m in members]
    lives = {m.person_id: MemberLife(m) for m in members}
    since = min(start, add_months(today, -24))
    rows = (
        Attendance.objects.filter(person_id__in=people, date__range=(since, today))
        .order_by("person_id", "-date", "-id")
        .values_list("person_id", "date", "status", "meeting__organization_id")
    )
    for person_pk, day, status, org_pk in rows:
        life = lives[person_pk]
        if status == AttendanceStatus.PRESENT and (life.last_present is None or day > life.last_present):
            life.last_present = day
        if org_pk == org.pk and start <= day <= end:
            life.listed += 1
            life.present += status == AttendanceStatus.PRESENT
            life.leave += status == AttendanceStatus.LEAVE
            life.absent += status == AttendanceStatus.ABSENT
        if not getattr(life, "_run_over", False):
            if status == AttendanceStatus.ABSENT:
                life.absent_run += 1
            elif status == AttendanceStatus.PRESENT:
                life._run_over = True
    return list(lives.values())


def lapse_since(membership, last_present, today):
    """Months since the member's last organizational life (or since they became a member here), or None."""
    since = last_present or membership.admitted_on
    months = (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)
    return months


def has_lapse(life, today, months=None):
    """No organizational life for ``months`` (default: the lapse rule's six) — proposed, never decided."""
    months = rules.param("life.lapse_months") if months is None else months
    return lapse_since(life.membership, life.last_present, today) >= months
