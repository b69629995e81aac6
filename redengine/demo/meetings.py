"""Organizational life in the generated city: every branch's meetings of last year and of this year so far, written
through ``activities.services.record_meetings`` in batches (each checked as a typed one: the types the
branch holds, the roster on the day, no duplicates).

Most branches keep every frequency; some miss a month's themed party day or a quarter's general meeting,
and a few are irregular, so that the compliance page, its drill-down and the to-do list have something to
show. The last six months are recorded with their attendance lists (ticked on the roster: most present,
some on leave with a reason, a few absent, and the branch's activists invited to party classes and themed
days); earlier months by their counts only, as a bureau's history is imported from its spreadsheets.
"""

import datetime
import random
from collections import defaultdict

from django.utils import timezone

from redengine.activities import rules, services
from redengine.activities.compliance import unit_of
from redengine.activities.models import AttendanceStatus, Meeting
from redengine.activities.rules import MeetingType
from redengine.core.dates import add_months
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization

BATCH = 1500
LEAVE_REASONS = ["外出培训", "病假", "带学生参加竞赛", "送教下乡", "产假", "公差"]
THEMES = [
    "学习贯彻党的二十届四中全会精神",
    "重温入党誓词，争做“四有”好老师",
    "师德师风专题学习",
    "学习《中国共产党纪律处分条例》",
    "走进社区开展志愿服务",
    "红色研学：参观雷锋纪念馆",
    "学习习近平总书记关于教育的重要论述",
    "“党员示范岗”亮身份、亮承诺",
]
CLASSES = [
    "以教育家精神铸魂强师",
    "新时代教师的使命与担当",
    "党章学习专题党课",
    "学习新修订的《中华人民共和国教育法》",
]
PLACES = ["党员活动室", "学校会议室", "图书馆报告厅", "党建文化长廊"]


def weekday_in(month_start, rng, first=8, last=24):
    """A working day of the month between ``first`` and ``last``."""
    for _ in range(20):
        day = month_start.replace(day=rng.randint(first, last))
        if day.weekday() < 5:
            return day
    return month_start.replace(day=first)


def plan_for(org, rng, today, months):
    """(meeting type, day) a branch held over ``months`` (month starts): a steady, patchy or irregular one."""
    kind = rng.random()
    skip_month = 0.0 if kind < 0.7 else (0.12 if kind < 0.92 else 0.45)
    skip_quarter = 0.0 if kind < 0.75 else (0.2 if kind < 0.92 else 0.5)
    held = []
    for start in months:
        if org.founded_on and start < org.founded_on:
            continue
        if rng.random() >= skip_month:
            held.append((MeetingType.THEMED_DAY, weekday_in(start, rng)))
        quarter = unit_of(rules.QUARTER, start)
        position = (start.month - quarter.start.month) % 3
        if position == 1 and rng.random() >= skip_quarter:
            held.append((MeetingType.GENERAL_MEETING, weekday_in(start, rng, 3, 12)))
        if position == 2 and rng.random() >= skip_quarter:
            held.append((MeetingType.PARTY_CLASS, weekday_in(start, rng, 3, 12)))
        if start.month == 12 and rng.random() >= skip_quarter / 2:
            held.append((MeetingType.LIFE_MEETING, weekday_in(start, rng, 14, 20)))
            held.append((MeetingType.APPRAISAL, weekday_in(start, rng, 21, 27)))
        if start.month == 6 and rng.random() >= skip_quarter:
            held.append(("secretary_class", weekday_in(start, rng, 25, 28)))
    return [(kind_, day) for kind_, day in held if day <= today]


def city(seed=20200702, today=None):
    """The generated city's meetings; nothing if meetings are there already. Returns how many were written."""
    if Meeting.objects.exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 — demo data, not a secret
    first = datetime.date(today.year - 1, 1, 1)  # last year whole, and this year up to today
    months = [add_months(first, n) for n in range(12 + today.month)]
    listed_from = add_months(today.replace(day=1), -5)
    branches = list(PartyOrganization.objects.filter(org_type__in=rules.BRANCH_TYPES).order_by("path"))
    planned = []
    for org in branches:
        for kind, day in plan_for(org, rng, today, months):
            planned.append((org, kind, day))
    # A committee's or general branch's secretary gives a class to all its members once a year.
    for org in PartyOrganization.objects.filter(org_type__in=["committee", "general_branch"]):
        for year in (today.year - 1, today.year):
            day = weekday_in(datetime.date(year, 5, 1), rng, 11, 22)
            if day <= today and (org.founded_on is None or org.founded_on <= day) and rng.random() < 0.85:
                planned.append((org, "secretary_class", day))
    listed = [(org, day) for org, _kind, day in planned if day >= listed_from]
    rosters = services.rosters(listed)
    invited = services.guests(listed)
    chairs = services.secretaries({(org.pk, day) for org, kind, day in planned if kind == "secretary_class"})
    entries = []
    for org, kind, day in planned:
        values = {"organization": org, "date": day, "place": rng.choice(PLACES)}
        if kind == "secretary_class":
            secretary = chairs.get((org.pk, day))
            if secretary is None:
                continue
            values.update(
                meeting_type=MeetingType.PARTY_CLASS,
                topic="书记讲党课：" + rng.choice(CLASSES),
                lecturer_id=secretary,
            )
        elif kind == MeetingType.PARTY_CLASS:
            values.update(meeting_type=kind, topic=rng.choice(CLASSES))
        else:
            values.update(
                meeting_type=kind,
                topic=rng.choice(THEMES) if kind == MeetingType.THEMED_DAY else str(rules.type_label(kind)),
            )
        members = [m.person for m in rosters.get((org.pk, day), [])]
        if day >= listed_from and members:
            lines = []
            for person in {p.pk: p for p in members}.values():
                draw = rng.random()
                if draw < 0.88:
                    lines.append(services.Listed(person))
                elif draw < 0.96:
                    lines.append(services.Listed(person, AttendanceStatus.LEAVE, rng.choice(LEAVE_REASONS)))
            if values["meeting_type"] in rules.GUEST_TYPES:
                for case in invited.get((org.pk, day), {}).values():
                    if rng.random() < 0.6:
                        lines.append(services.Listed(case.person))
            entries.append(services.MeetingEntry(values, attendance=lines))
        else:
            expected = max(3, len(members) or rng.randint(3, 12))
            values.update(expected=expected, actual=expected - min(expected - 1, rng.choice([0, 0, 1, 1, 2])))
            entries.append(services.MeetingEntry(values))
    # Lecturers are given by pk; the service names records, so make them records in bulk.
    from redengine.people.models import Person

    lecturers = {
        p.pk: p
        for p in Person.objects.filter(
            pk__in={e.values["lecturer_id"] for e in entries if "lecturer_id" in e.values}
        )
    }
    for entry in entries:
        if "lecturer_id" in entry.values:
            entry.values["lecturer"] = lecturers[entry.values.pop("lecturer_id")]
    seen, unique = set(), []
    for entry in entries:  # one meeting of a type a day (a secretary's class on a quarter's class day)
        key = (entry.values["organization"].pk, entry.values["meeting_type"], entry.values["date"])
        if key not in seen:
            seen.add(key)
            unique.append(entry)
    by_batch = defaultdict(list)
    for index, entry in enumerate(unique):
        by_batch[index // BATCH].append(entry)
    written = 0
    for batch in by_batch.values():
        written += len(services.record_meetings(batch, by=SYSTEM))
    return written
