"""Writes on organizational life: ``record_meetings(entries, *, by)`` records or changes a batch of meetings
with their attendance lists and attachments (the quick-entry form, the API, the 组织生活 sheet and the demo
city all call it; a single meeting is a batch of one), ``delete_meetings`` removes them.

A meeting is checked before anything is written, every problem located on its entry and field:

* the date is not in the future, nor before the organization was founded;
* the organization holds meetings of the type (``rules.HELD_BY``: no 支部党员大会 of a committee; a 支委会
  only where the branch has a committee, a 党小组会 only where it has party groups);
* one meeting of a type per organization and day;
* the actual attendance is not above the expected;
* everyone on the attendance list is a member of the organization on the day (its memberships, the
  subtree's for a general branch or a committee) or, at a party class or a themed party day, an
  admissible guest: an activist or development target whose development case lies in the organization
  and who was determined an activist (S03) on or before the day;
* attachments are images or PDFs by their content, at most ``ATTACHMENT_MAX_BYTES``.

The attendance list is the roster of members on the day, never typed: a member the entry does not name is
recorded absent without leave (the form lists every member, ticked present by default). With a list the
counts follow from it — expected: the members listed; actual: those present (guests are counted apart);
without one (an import by counts) the counts given are kept. The scope of the people listed follows from
the organization's (the roster is the organization's own); the organization, the host and the lecturer are
re-checked by the write path.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from redengine.core.audit import bulk_create_audited, bulk_update_audited, remember
from redengine.core.files import MAX_BYTES, SIGNATURES, check_file, sealed_file
from redengine.core.scoping import prefix_q
from redengine.core.services import ADD, CHANGE, PICK, Item, ModelService
from redengine.core.writes import Problem, RefusedError, chunked, writing
from redengine.development.models import DevelopmentCase, DevelopmentEvent
from redengine.people.models import CommitteePost, Membership

from . import rules
from .models import Attendance, AttendanceStatus, Meeting, MeetingAttachment

ATTACHMENT_MAX_BYTES = MAX_BYTES
ATTACHMENT_KINDS = {kind: SIGNATURES[kind] for kind in ("pdf", "jpg", "jpeg", "png")}


@dataclass
class Listed:
    """One person's line on a meeting's attendance list."""

    person: object
    status: str = AttendanceStatus.PRESENT
    reason: str = ""


@dataclass
class MeetingEntry:
    """One meeting to record (``instance`` None) or change: its values, and optionally its attendance list
    (None: counts only, or, for a change, the list as recorded) and files (name, content) to attach."""

    values: dict
    instance: Meeting | None = None
    attendance: list | None = None
    attachments: list = field(default_factory=list)


# Rosters ------------------------------------------------------------------------------------------
def rosters(keys):
    """{(organization pk, day): [memberships of members on the day]} for (organization, day) pairs: the
    organization's own members, with the subtree's for a general branch or a committee. One query per 500
    organizations."""
    found = defaultdict(list)
    by_org = defaultdict(set)
    orgs = {}
    for org, day in keys:
        by_org[org.pk].add(day)
        orgs[org.pk] = org
    for chunk in chunked(sorted(by_org), 500):
        paths = [orgs[pk].path for pk in chunk]
        days = [d for pk in chunk for d in by_org[pk]]
        memberships = (
            Membership.objects.filter(prefix_q("organization__path", paths))
            .filter(admitted_on__lte=max(days))
            .exclude(ended_on__lt=min(days))
            .select_related("person", "organization")
            .order_by("person__name_key", "pk")
        )
        for membership in memberships:
            for pk in chunk:
                if not membership.organization.path.startswith(orgs[pk].path):
                    continue
                for day in by_org[pk]:
                    if membership.admitted_on <= day and (
                        membership.ended_on is None or membership.ended_on >= day
                    ):
                        found[(pk, day)].append(membership)
    return found


def guests(keys):
    """{(organization pk, day): {person pk: case}} of the admissible guests: activists and development
    targets whose case lies in the organization's subtree, determined activists (S03) on or before the day
    and not admitted (nor their case closed) before it."""
    found = defaultdict(dict)
    by_org = defaultdict(set)
    orgs = {}
    for org, day in keys:
        by_org[org.pk].add(day)
        orgs[org.pk] = org
    for chunk in chunked(sorted(by_org), 500):
        paths = [orgs[pk].path for pk in chunk]
        latest = max(d for pk in chunk for d in by_org[pk])
        activist_on = dict(
            DevelopmentEvent.objects.filter(
                prefix_q("case__organization__path", paths), step="S03", date__lte=latest
            ).values_list("case_id", "date")
        )
        cases = DevelopmentCase.objects.filter(pk__in=list(activist_on)).select_related(
            "person", "organization"
        )
        for case in cases:
            for pk in chunk:
                if not case.organization.path.startswith(orgs[pk].path):
                    continue
                for day in by_org[pk]:
                    if activist_on[case.pk] > day:
                        continue
                    if case.admitted_on and case.admitted_on <= day:
                        continue  # a member by then: on the roster, not a guest
                    if case.closed_on and case.closed_on < day:
                        continue
                    found[(pk, day)][case.person_id] = case
    return found


def posts_held(pairs, **kinds):
    """(organization pk, day, person pk) for every committee post of ``kinds`` held on a day of ``pairs``
    ((organization pk, day)): taken up on or before it, not left on or before it. One query per 5,000
    organizations."""
    by_org = defaultdict(set)
    for org_pk, day in pairs:
        by_org[org_pk].add(day)
    for chunk in chunked(sorted(by_org)):
        posts = CommitteePost.objects.filter(organization_id__in=chunk, **kinds).values_list(
            "organization_id", "person_id", "start_on", "end_on"
        )
        for org_pk, person_pk, start, end in posts:
            for day in by_org[org_pk]:
                if start <= day and (end is None or end > day):
                    yield org_pk, day, person_pk


def committee_days(pairs):
    """The (organization pk, day) of ``pairs`` on which the organization has a committee: a member besides
    the secretary and the deputy."""
    return {(org_pk, day) for org_pk, day, _person in posts_held(pairs, post__in=rules.COMMITTEE_POSTS)}


def committees(orgs, day):
    """The pks of ``orgs`` that have a committee on ``day``."""
    return {org_pk for org_pk, _day in committee_days({(o.pk, day) for o in orgs if o.pk})}


def secretaries(pairs):
    """{(organization pk, day): person pk of its secretary on the day} for (organization, day) pairs."""
    return {(org_pk, day): person for org_pk, day, person in posts_held(pairs, post="secretary")}


# Attachments ---------------------------------------------------------------------------------------
def check_attachment(name, content):
    """The content type of an acceptable file and None, or None and a message naming what is wrong."""
    try:
        return check_file(
            name,
            content,
            ATTACHMENT_KINDS,
            _("%(name)s: only photos (JPEG, PNG) and PDF files are accepted."),
        ), None
    except ValidationError as exc:
        return None, exc.messages[0]


# The meeting service --------------------------------------------------------------------------------
class MeetingService(ModelService):
    model = Meeting
    fields = (
        "organization",
        "meeting_type",
        "date",
        "topic",
        "place",
        "host",
        "lecturer",
        "lecturer_name",
        "expected",
        "actual",
        "minutes",
        "resolutions",
    )
    references = {"host": PICK, "lecturer": PICK}
    unique = (("organization", "meeting_type", "date"),)

    def problem_field(self, names):
        return "date"

    def duplicate_message(self, names):
        return _("This organization already has a meeting of this type on that day.")

    def place_message(self, item):
        return _("You may not record a meeting of this organization: it lies outside your scope.")


MEETINGS = MeetingService()


def held_problem(org, meeting_type, *, has_committee):
    """Why ``org`` does not hold meetings of ``meeting_type``, or None."""
    label = rules.type_label(meeting_type)
    if meeting_type not in rules.held_by(org.org_type):
        return _("A %(type)s does not hold a %(meeting)s.") % {
            "type": org.get_org_type_display(),
            "meeting": label,
        }
    if meeting_type in rules.NEEDS_COMMITTEE and not has_committee:
        return _(
            "%(org)s has no committee (no committee member besides the secretary is recorded), so it holds "
            "no %(meeting)s: a branch of fewer than seven full members elects a secretary, not a committee."
        ) % {"org": org.name, "meeting": label}
    if meeting_type in rules.NEEDS_GROUPS and not org.party_groups:
        return _(
            "%(org)s is not divided into party groups, so it holds no %(meeting)s (set the number of party "
            "groups on the organization first)."
        ) % {"org": org.name, "meeting": label}
    return None


def organization_given(meeting):
    """Whether the meeting names its organization: a recorded one, or a new record of the same batch."""
    return bool(meeting.organization_id) or (
        Meeting.organization.is_cached(meeting) and meeting.organization is not None
    )


def check_meetings(entries, scope, *, by=None):
    """The plan of a batch: every meeting built and checked, the attendance worked out. Nothing is written."""
    items = [Item(dict(e.values), e.instance) for e in entries]
    plan = MEETINGS.check(items, scope)
    objs = [item.obj for item in items]
    # An organization may be a new record of the same batch (a workbook's 党组织 sheet): no pk yet.
    dated = [(o.organization, o.date) for o in objs if organization_given(o) and o.date]
    listed = [
        (o.organization, o.date)
        for o, e in zip(objs, entries, strict=True)
        if e.attendance is not None and o.organization_id and o.date
    ]
    members = rosters(listed)
    invited = guests(listed)
    with_committee = committee_days({(o.pk, d) for o, d in dated if o.pk})
    chairs = secretaries({(o.pk, d) for o, d in dated if o.pk})
    plan.extra["attendance"] = {}
    for index, (obj, entry) in enumerate(zip(objs, entries, strict=True)):
        if not (organization_given(obj) and obj.date and obj.meeting_type):
            continue
        org = obj.organization
        problem = held_problem(org, obj.meeting_type, has_committee=(org.pk, obj.date) in with_committee)
        if problem:
            plan.problems.append(Problem(problem, index, "meeting_type"))
        if org.founded_on and obj.date < org.founded_on:
            plan.problems.append(
                Problem(
                    _("%(org)s was founded on %(founded)s: a meeting cannot be before it.")
                    % {"org": org.name, "founded": org.founded_on.isoformat()},
                    index,
                    "date",
                )
            )
        obj.by_secretary = bool(
            obj.meeting_type == rules.MeetingType.PARTY_CLASS
            and obj.lecturer_id
            and chairs.get((org.pk, obj.date)) == obj.lecturer_id
        )
        for name, content in entry.attachments:
            _type, message = check_attachment(name, content)
            if message:
                plan.problems.append(Problem(message, index, "attachments"))
        if entry.attendance is None:
            loaded = getattr(entry.instance, "_audit_loaded", None) or {}
            obj.from_list = bool(loaded.get("from_list"))
            if obj.from_list:  # the counts of a listed meeting follow from its list, not from what is typed
                obj.expected, obj.actual = loaded.get("expected"), loaded.get("actual")
            continue
        plan.extra["attendance"][index] = lines = attendance_lines(
            index,
            obj,
            entry.attendance,
            members.get((org.pk, obj.date), []),
            invited.get((org.pk, obj.date), {}),
            plan,
        )
        obj.from_list = True
        obj.expected = sum(1 for line in lines if not line["guest"])
        obj.actual = sum(
            1 for line in lines if not line["guest"] and line["status"] == AttendanceStatus.PRESENT
        )
        if not lines:
            plan.problems.append(
                Problem(
                    _("%(org)s had no members on %(day)s: there is nobody to list.")
                    % {"org": org.name, "day": obj.date.isoformat()},
                    index,
                    "attendance",
                )
            )
    for index, item in enumerate(items):
        obj = item.obj
        if obj.expected is not None and obj.actual is not None and obj.actual > obj.expected:
            message = _(
                "The actual attendance (%(actual)s) cannot be above the expected attendance (%(expected)s)."
            ) % {"actual": obj.actual, "expected": obj.expected}
            if not any(p.item == index and p.field == "actual" for p in plan.problems):
                plan.problems.append(Problem(message, index, "actual"))
        if item.is_new:
            item.values.update(from_list=obj.from_list, by_secretary=obj.by_secretary)
        else:
            item.changed = MEETINGS.changes(item)
    return plan


def attendance_lines(index, meeting, given, roster, invited, plan):
    """The list as it will be written: every member on the roster (named or not), then the guests named."""
    by_person = {}
    for line in given:
        person = line.person
        pk = getattr(person, "pk", person)
        if pk in by_person:
            plan.problems.append(
                Problem(
                    _("%(name)s is listed twice.") % {"name": getattr(person, "name", pk)},
                    index,
                    "attendance",
                )
            )
            continue
        by_person[pk] = line
        if line.status not in AttendanceStatus.values:
            plan.problems.append(
                Problem(_("Unknown attendance: %(value)s.") % {"value": line.status}, index, "attendance")
            )
    lines = []
    on_roster = set()
    for membership in roster:
        person = membership.person
        if person.pk in on_roster:
            continue
        on_roster.add(person.pk)
        line = by_person.get(person.pk)
        status = line.status if line else AttendanceStatus.ABSENT
        reason = (line.reason or "").strip() if line and status == AttendanceStatus.LEAVE else ""
        lines.append({"person": person, "status": status, "reason": reason[:200], "guest": False})
    for pk, line in by_person.items():
        if pk in on_roster:
            continue
        case = invited.get(pk)
        name = getattr(line.person, "name", None) or (case.person.name if case else "")
        if case is None or meeting.meeting_type not in rules.GUEST_TYPES:
            if case is not None:
                message = _(
                    "%(name)s is not a member of %(org)s on %(day)s; activists and development targets attend "
                    "only party classes and themed party days as guests."
                )
            else:
                message = _(
                    "%(name)s is neither a member of %(org)s on %(day)s nor an activist or development target "
                    "of it who may attend as a guest."
                )
            plan.problems.append(
                Problem(
                    message
                    % {
                        "name": name or _("This person"),
                        "org": meeting.organization.name,
                        "day": meeting.date.isoformat(),
                    },
                    index,
                    "attendance",
                )
            )
            continue
        reason = (line.reason or "").strip() if line.status == AttendanceStatus.LEAVE else ""
        lines.append({"person": case.person, "status": line.status, "reason": reason[:200], "guest": True})
    return lines


def record_meetings(entries, *, by):
    """Check and write a batch of meetings with their lists and files; the meetings, in order.
    ``RefusedError`` (problems located by entry and field) with nothing written."""
    entries = list(entries)
    with writing(by) as write:
        plan = check_meetings(entries, write, by=by)
        if plan.problems:
            raise RefusedError(plan.problems)
        user = None if write.whole_tree else by
        for item in plan.new:
            item.obj.recorded_by = user
        MEETINGS.apply(plan, write)  # with the derived fields (from_list, by_secretary, the counts)
        write_attendance(plan, entries, write)
        files = [
            sealed_file(
                MeetingAttachment, name, content, user, check_attachment(name, content)[0], meeting=item.obj
            )
            for item, entry in zip(plan.items, entries, strict=True)
            for name, content in entry.attachments
        ]
        if files:
            bulk_create_audited(
                MeetingAttachment, files, scope_paths=[f.meeting.organization.path for f in files]
            )
            write.expect(MeetingAttachment, ADD, files)
    return [item.obj for item in plan.items]


def write_attendance(plan, entries, write):
    """The lists: new rows created, changed ones updated, rows no longer on the list removed (audited)."""
    indexes = plan.extra["attendance"]
    if not indexes:
        return
    recorded = defaultdict(dict)
    changed_meetings = [plan.items[i].obj.pk for i in indexes if not plan.items[i].is_new]
    for chunk in chunked(changed_meetings):
        rows = Attendance.objects.filter(meeting_id__in=chunk).select_related(
            "meeting__organization", "person"
        )
        for row in remember(list(rows)):  # the values before, for the change records of the rows changed
            recorded[row.meeting_id][row.person_id] = row
    new, updated, removed = [], [], []
    for index, lines in indexes.items():
        meeting = plan.items[index].obj
        existing = recorded.get(meeting.pk, {})
        kept = set()
        for line in lines:
            row = existing.get(line["person"].pk)
            kept.add(line["person"].pk)
            if row is None:
                new.append(
                    Attendance(
                        meeting=meeting,
                        person=line["person"],
                        status=line["status"],
                        reason=line["reason"],
                        guest=line["guest"],
                        date=meeting.date,
                    )
                )
                continue
            values = (line["status"], line["reason"], line["guest"], meeting.date)
            if (row.status, row.reason, row.guest, row.date) != values:
                row.status, row.reason, row.guest, row.date = values
                updated.append(row)
        removed += [row for pk, row in existing.items() if pk not in kept]
    if new:
        bulk_create_audited(Attendance, new, scope_paths=[a.meeting.organization.path for a in new])
        write.expect(Attendance, ADD, new)
    if updated:
        bulk_update_audited(
            Attendance,
            updated,
            ["status", "reason", "guest", "date"],
            scope_paths=[a.meeting.organization.path for a in updated],
        )
        write.expect(Attendance, CHANGE, updated)
    for row in removed:
        row.delete()


def delete_meetings(meetings, *, by):
    """Remove meetings with their lists and files (each row's removal kept in the change history)."""
    MEETINGS.delete(meetings, by=by)


def record_meeting(values, *, by, attendance=None, attachments=(), instance=None):
    """One meeting: a batch of one."""
    return record_meetings([MeetingEntry(values, instance, attendance, list(attachments))], by=by)[0]


def next_month_day(day, today):
    """The same day a month later (the month's last day when it has none), not after ``today``."""
    from redengine.core.dates import add_months

    return min(add_months(day, 1), today)


def copy_values(meeting, today):
    """What a meeting copied from ``meeting`` starts with: its type, topic, place, host and lecturer, a month
    later (a recurring meeting is filled once, then confirmed)."""
    return {
        "organization": meeting.organization,
        "meeting_type": meeting.meeting_type,
        "date": next_month_day(meeting.date, today),
        "topic": meeting.topic,
        "place": meeting.place,
        "host": meeting.host,
        "lecturer": meeting.lecturer,
        "lecturer_name": meeting.lecturer_name,
    }


__all__ = [
    "ATTACHMENT_KINDS",
    "ATTACHMENT_MAX_BYTES",
    "MEETINGS",
    "Listed",
    "MeetingEntry",
    "check_meetings",
    "copy_values",
    "delete_meetings",
    "record_meeting",
    "record_meetings",
    "rosters",
]
