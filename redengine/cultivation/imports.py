"""Import sheets of dual cultivation: 师徒结对 (mentorships) and 竞赛获奖 (contest prizes), as
import-templates.md gives them.

People are found by the blind index of their ID numbers, never by decrypting the table (``people.imports``:
the rows' indexes computed once, the recorded people loaded in bulk): a person of the 人员 sheet of the same
file, or one recorded within the importer's scope; anyone else answers word for word as a person not found.

师徒结对: one row per mentorship. A row whose apprentice, kind and start name a recorded mentorship is that
mentorship (unchanged, or changed: its mentor, school, planned end, end or goals); otherwise it is a new
one. The rows are one batch of ``services.record_mentorships``, which checks them as it checks the form and
the API (two people, no end before the start nor in the future, an apprentice in one running mentorship of
a kind at a time).

竞赛获奖: one row per person and contest. The rows of the same organization, contest name, level and date
are one contest, the recorded one when there is one. When 主办党组织代码 is blank the organization follows
from the level and the person's school (``Holders``). The contests and their entries are written together
by ``services.record_contest_results``; its checks are made on the rows first (a contest's problems on its
first row, an entry's on its own row), and nothing is written when any row is refused.
"""

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.services import Item
from redengine.dataio import parsers
from redengine.dataio.importer import SheetImporter, SheetPlan, chunked, register, report
from redengine.dataio.sheets import Column, Sheet
from redengine.orgs.imports import (
    org_code,
    org_lookup,
    present,
    reference_known,
    school_code,
    school_lookup,
)
from redengine.orgs.metrics import school_level
from redengine.orgs.models import PartyOrganization, School
from redengine.people.imports import ID_HELP, people_of_rows, read_id_numbers, revealed_people
from redengine.people.models import Person

from . import services
from .models import Contest, ContestEntry, Mentorship
from .rules import ContestKind, ContestLevel, MentorshipKind, Prize

# The names of import-templates.md: the workbook is Chinese whatever the pages' language; the codes
# (``teaching``, ``district`` …) are read too.
MENTORSHIP_KINDS = [(MentorshipKind.TEACHING.value, "教学师徒"), (MentorshipKind.POLITICAL.value, "政治导师")]
CONTEST_LEVELS = [
    (ContestLevel.SCHOOL.value, "校级"),
    (ContestLevel.DISTRICT.value, "区县级"),
    (ContestLevel.CITY.value, "市级"),
    (ContestLevel.PROVINCE.value, "省级"),
    (ContestLevel.NATIONAL.value, "国家级"),
]
PRIZES = [
    (Prize.SPECIAL.value, "特等奖"),
    (Prize.FIRST.value, "一等奖"),
    (Prize.SECOND.value, "二等奖"),
    (Prize.THIRD.value, "三等奖"),
    (Prize.MERIT.value, "优秀奖"),
    (Prize.NONE.value, "参与"),
]
CONTEST_KINDS = [
    (ContestKind.LESSON_PLAN.value, "教案设计"),
    (ContestKind.CLASSROOM.value, "课堂展示"),
    (ContestKind.MULTIMEDIA.value, "多媒体运用"),
    (ContestKind.MICRO_CLASS.value, "微党课"),
    (ContestKind.MICRO_INTERVIEW.value, "微访谈"),
    (ContestKind.MICRO_STORY.value, "微故事"),
    (ContestKind.OTHER.value, "其他"),
]


class ChoiceOr(parsers.Choice):
    """A choice whose empty cell means the code ``blank`` (as an empty 政治面貌 means 群众)."""

    def __init__(self, options, blank):
        super().__init__(options)
        self.blank = blank

    def __call__(self, value):
        value = parsers.normalise(value)
        return self.blank if value is None else self.parse(value)


MENTORSHIPS_SHEET = Sheet(
    "师徒结对",
    [
        Column("导师身份证号", "mentor_id", parsers.id_number_text(), required=True, help=ID_HELP),
        Column("徒弟身份证号", "apprentice_id", parsers.id_number_text(), required=True, help=ID_HELP),
        Column(
            "学校代码",
            "school_code",
            school_code(),
            required=True,
            help=gettext_lazy("The school where the pair works: in the 学校 sheet or already recorded."),
        ),
        Column(
            "开始日期",
            "start_on",
            parsers.date(),
            required=True,
            help=gettext_lazy(
                "With the apprentice and the type, it names the mentorship: a row naming a recorded one "
                "changes it."
            ),
        ),
        Column("计划结束日期", "planned_end_on", parsers.date(), help=gettext_lazy("After the start.")),
        Column(
            "结束日期",
            "ended_on",
            parsers.date(),
            help=gettext_lazy("Empty while the mentorship runs; not before the start nor in the future."),
        ),
        Column(
            "类型",
            "kind",
            ChoiceOr(MENTORSHIP_KINDS, MentorshipKind.TEACHING.value),
            help=gettext_lazy(
                "Empty means 教学师徒. An apprentice is in one running mentorship of a type at a time."
            ),
        ),
        Column("培养目标", "goals", parsers.text(2000)),
    ],
    key=("apprentice_id", "kind", "start_on"),
)

CONTESTS_SHEET = Sheet(
    "竞赛获奖",
    [
        Column("竞赛名称", "name", parsers.text(100), required=True),
        Column("竞赛级别", "level", parsers.choice(CONTEST_LEVELS), required=True),
        Column(
            "竞赛日期",
            "held_on",
            parsers.date(),
            required=True,
            help=gettext_lazy(
                "The day the contest was held; not in the future. The rows of the same organization, name, "
                "level and date are one contest."
            ),
        ),
        Column("身份证号", "id_number", parsers.id_number_text(), required=True, help=ID_HELP),
        Column(
            "获奖等次",
            "prize",
            ChoiceOr(PRIZES, Prize.NONE.value),
            help=gettext_lazy("Empty means 参与 (took part without a prize)."),
        ),
        Column(
            "竞赛类别",
            "kind",
            parsers.choice(CONTEST_KINDS),
            help=gettext_lazy("Empty: 其他 for a new contest; a recorded contest keeps its own."),
        ),
        Column(
            "主办党组织代码",
            "org_code",
            org_code(),
            help=gettext_lazy(
                "The organization that holds the contest: only the people of its schools take part. Empty: "
                "worked out from the level and the person's school (校级: the school's organization; 区县级: "
                "the district bureau's; 市级 and above: the city's)."
            ),
        ),
        Column(
            "获奖日期",
            "awarded_on",
            parsers.date(),
            help=gettext_lazy("Empty: the contest's date when a prize is given. Not before the contest."),
        ),
        Column("作品名称", "work", parsers.text(200)),
    ],
    key=("id_number", "name", "level", "held_on"),
)


# 师徒结对 ---------------------------------------------------------------------------------------------
MENTORSHIP_FIELDS = ["planned_end_on", "ended_on", "goals"]  # what a row sets besides its key, if present
MENTORSHIP_COLUMNS = {"mentor": "mentor_id", "apprentice": "apprentice_id", "school": "school_code"}


class MentorshipSheet(SheetImporter):
    sheet = MENTORSHIPS_SHEET
    order = 70  # after 人员 (whose new people a row may name) and 组织生活
    models = (Mentorship,)

    def plan(self, ctx, data):
        mentors = {
            id(row): person
            for row, person in people_of_rows(
                ctx, data, read_id_numbers(ctx, data, set(), "mentor_id"), "mentor_id"
            )
        }
        apprentices = {
            id(row): person
            for row, person in people_of_rows(
                ctx, data, read_id_numbers(ctx, data, set(), "apprentice_id"), "apprentice_id"
            )
        }
        schools = school_lookup(ctx).load(row.values["school_code"] for row in data.rows)
        # A school outside the importer's scope is answered word for word as one not recorded.
        known_school = ctx.known(School, [schools.get(row.values["school_code"]) for row in data.rows])
        matched = []
        for row in data.rows:
            code = row.values["school_code"]
            school = known_school(schools.get(code))
            if school is None and not reference_known(ctx, "学校", "code", code):
                message = _("No school with this code, neither in the 学校 sheet nor recorded.")
                data.issue(row, "school_code", message)
            mentor, apprentice = mentors.get(id(row)), apprentices.get(id(row))
            if school is not None and mentor is not None and apprentice is not None:
                matched.append((row, mentor, apprentice, school))
        recorded = self.recorded(matched)
        fields = present(data, MENTORSHIP_FIELDS)
        rows, specs = [], []
        for row, mentor, apprentice, school in matched:
            values = row.values
            item_values = {"mentor": mentor, "school": school}
            for name in fields:
                item_values[name] = (values[name] or "") if name == "goals" else values[name]
            mentorship = None
            if apprentice.pk:
                mentorship = recorded.get((apprentice.pk, values["kind"], values["start_on"]))
            if mentorship is None:
                item_values.update(apprentice=apprentice, kind=values["kind"], start_on=values["start_on"])
            else:
                mentorship.apprentice = apprentice
            rows.append(row)
            specs.append((item_values, mentorship))
        checked = services.MENTORSHIPS.check(mentorship_items(specs), ctx.scope)
        report(data, rows, checked.problems, columns=MENTORSHIP_COLUMNS, default="apprentice_id")
        return SheetPlan.of(checked, specs=specs, mentorships=checked)

    @staticmethod
    def recorded(matched):
        """{(apprentice pk, kind, start): mentorship} of the recorded mentorships of the rows' apprentices, one
        query per 5,000 apprentices."""
        found = {}
        for chunk in chunked(sorted({apprentice.pk for _r, _m, apprentice, _s in matched if apprentice.pk})):
            for mentorship in Mentorship.objects.filter(apprentice_id__in=chunk).order_by():
                found[(mentorship.apprentice_id, mentorship.kind, mentorship.start_on)] = mentorship
        return found

    def write(self, ctx, plan):
        checked = plan.extra["mentorships"]
        specs = [spec for spec, item in zip(plan.extra["specs"], checked.items, strict=True) if writes(item)]
        # One batch, checked once more inside the import's write (its people and schools are now recorded).
        services.record_mentorships(mentorship_items(specs), by=ctx.by)

    # Template and export ----------------------------------------------------------------------------
    def code_lists(self, user):
        schools = School.objects.visible_to(user, "view").order_by("code").values_list("code", flat=True)
        return {"school_code": list(schools)}

    def export_rows(self, ctx):
        revealed = revealed_people(ctx)
        mentorships = Mentorship.objects.visible_to(ctx.user, "export").select_related(
            "mentor", "apprentice", "school"
        )
        for mentorship in mentorships.order_by("school__code", "start_on", "pk").iterator(2000):
            yield {
                "mentor_id": shown_id_number(mentorship.mentor, revealed),
                "apprentice_id": shown_id_number(mentorship.apprentice, revealed),
                "school_code": mentorship.school.code,
                "start_on": mentorship.start_on,
                "planned_end_on": mentorship.planned_end_on,
                "ended_on": mentorship.ended_on,
                "kind": mentorship.kind,
                "goals": mentorship.goals or None,
            }

    def export_count(self, ctx):
        return Mentorship.objects.visible_to(ctx.user, "export").count()


def mentorship_items(specs):
    """Fresh ``Item``s of (values, recorded mentorship or None) pairs: a batch is checked afresh each time."""
    return [Item(dict(values), instance=instance) for values, instance in specs]


def writes(item):
    """Whether a checked item writes anything."""
    return item.is_new or bool(item.changed)


def shown_id_number(person, revealed):
    return person.reveal_id_number() if person.pk in revealed else person.id_number_masked


# 竞赛获奖 ---------------------------------------------------------------------------------------------
ENTRY_FIELDS = ["prize", "awarded_on", "work"]  # what a row sets of its entry, if present
CONTEST_COLUMNS = {"organization": "org_code"}
ENTRY_COLUMNS = {"person": "id_number", "contest": "name"}
Coverage = PartyOrganization.schools.through


def school_of(person):
    """The person's school, or None (a person of the 人员 sheet whose school that sheet does not know)."""
    school = Person._meta.get_field("school")
    if school.is_cached(person):
        return school.get_cached_value(person)
    return person.school if person.school_id else None


def not_worked_out(person):
    return _(
        "The organization holding this contest cannot be worked out from its level and the school of "
        "%(name)s (%(school)s): type 主办党组织代码."
    ) % {"name": person.name, "school": school_of(person).name}


def holder_outside_scope(org):
    return _(
        "The organization holding a contest of this level is %(org)s, which lies outside your scope: you may "
        "not record its contests."
    ) % {"org": org.name}


class Holders:
    """The organizations that hold a contest of a level for the people of a school, worked out in bulk (a
    few queries, whatever the number of rows): 校级 the school-level organization covering the school (one
    covering it whose parent does not cover it too, ``orgs.metrics.school_level``), 区县级 the bureau
    organization of the school's district (a city school's is the root's), 市级 and above the root. Only
    recorded organizations are worked out: one new in the 党组织 sheet of the same file is typed."""

    def __init__(self, schools):
        recorded = sorted({school.pk for school in schools if school.pk})
        self.school_level = defaultdict(list)
        for chunk in chunked(recorded):
            covering = Coverage.objects.filter(school_id__in=chunk)
            orgs = {
                org.pk: org
                for org in school_level(
                    PartyOrganization.objects.filter(pk__in=covering.values("partyorganization_id"))
                )
            }
            pairs = covering.filter(partyorganization_id__in=list(orgs)).values_list(
                "school_id", "partyorganization_id"
            )
            for school_id, org_id in pairs.order_by("partyorganization__path"):
                self.school_level[school_id].append(orgs[org_id])
        districts = sorted({school.district for school in schools if school.district})
        self.bureaus = {org.district: org for org in PartyOrganization.objects.filter(district__in=districts)}
        self.root = PartyOrganization.objects.filter(depth=1).order_by("path").first()

    def of(self, level, school):
        """The organization holding a contest of ``level`` for the people of ``school``, or None."""
        if level == ContestLevel.SCHOOL:
            found = self.school_level.get(school.pk, []) if school.pk else []
            return found[0] if len(found) == 1 else None
        if level == ContestLevel.DISTRICT:
            return self.bureaus.get(school.district)
        return self.root


@dataclass
class PlannedContest:
    """The rows of one contest, as the sheet gives it, and the record (to be) written."""

    org: object
    first: object  # its first row
    rows: list = field(default_factory=list)  # [(row, person)]
    kind: str | None = None
    kind_row: int | None = None
    values: dict = field(default_factory=dict)  # of its Item
    instance: object = None  # the recorded contest, if any
    entries: list = field(default_factory=list)  # [(row, values, recorded entry or None)]


class ContestSheet(SheetImporter):
    sheet = CONTESTS_SHEET
    order = 80  # after 党组织 and 人员 (whose organizations and people a row may name) and 师徒结对
    models = (ContestEntry, Contest)

    def plan(self, ctx, data):
        matched = people_of_rows(ctx, data, read_id_numbers(ctx, data, set()))
        contests = self.contests(ctx, data, matched)
        recorded = self.recorded(contests)
        fields = present(data, ENTRY_FIELDS)
        for contest in contests:
            values = contest.first.values
            key = (contest.org.pk, values["name"], values["level"], values["held_on"])
            contest.instance = recorded.get(key) if contest.org.pk else None
            if contest.instance is None:
                contest.values = {
                    "name": values["name"],
                    "kind": contest.kind or ContestKind.OTHER.value,
                    "level": values["level"],
                    "held_on": values["held_on"],
                    "organization": contest.org,
                }
            else:
                contest.instance.organization = contest.org
                contest.values = {"kind": contest.kind} if contest.kind else {}
        entries = self.recorded_entries([c.instance for c in contests if c.instance is not None])
        for contest in contests:
            for row, person in contest.rows:
                entry = None
                if contest.instance is not None and person.pk:
                    entry = entries.get((contest.instance.pk, person.pk))
                entry_values = {}
                for name in fields:
                    entry_values[name] = (row.values[name] or "") if name == "work" else row.values[name]
                if entry is None:
                    entry_values["person"] = person
                else:
                    entry.contest, entry.person = contest.instance, person
                contest.entries.append((row, entry_values, entry))
        # Checked as services.record_contest_results checks them: the contests, then their entries naming
        # the contests' records.
        results = contest_items(contests)
        contest_list = [contest_item for contest_item, _entries in results]
        entry_list = []
        for contest_item, entry_items in results:
            for entry_item in entry_items:
                entry_item.values["contest"] = contest_item.obj or contest_item.instance
                entry_list.append(entry_item)
        contest_plan = services.CONTESTS.check(contest_list, ctx.scope)
        entry_plan = services.ENTRIES.check(entry_list, ctx.scope)
        first_rows = [contest.first for contest in contests]
        entry_rows = [row for contest in contests for row, _values, _entry in contest.entries]
        report(data, first_rows, contest_plan.problems, columns=CONTEST_COLUMNS, default="name")
        report(data, entry_rows, entry_plan.problems, columns=ENTRY_COLUMNS, default="id_number")
        return self.counted(contests, contest_plan, entry_plan)

    def contests(self, ctx, data, matched):
        """[PlannedContest] of the rows, in the order of their first rows; a row whose organization is not
        known, or that gives its contest another kind, is reported."""
        orgs = org_lookup(ctx).load(row.values["org_code"] for row, _person in matched)
        # An organization outside the importer's scope is answered word for word as one not recorded.
        known_org = ctx.known(PartyOrganization, [orgs.get(row.values["org_code"]) for row, _p in matched])
        # A person new in the 人员 sheet whose school is not known there has its error in that sheet.
        unnamed = [
            (row, person, school_of(person))
            for row, person in matched
            if not row.values["org_code"] and school_of(person) is not None
        ]
        holders = Holders([school for _row, _person, school in unnamed]) if unnamed else None
        worked_out = {id(row): holders.of(row.values["level"], school) for row, _person, school in unnamed}
        # A worked-out organization lies above the person's school or holds it: naming it tells nothing.
        known_holder = ctx.known(PartyOrganization, list(worked_out.values()))
        planned = {}
        for row, person in matched:
            values = row.values
            code = values["org_code"]
            if code:
                org = known_org(orgs.get(code))
                if org is None:
                    if not reference_known(ctx, "党组织", "org_code", code):
                        message = _(
                            "No organization with this code, neither in the 党组织 sheet nor recorded."
                        )
                        data.issue(row, "org_code", message)
                    continue
            elif id(row) not in worked_out:
                continue
            else:
                org = worked_out[id(row)]
                if org is None:
                    data.issue(row, "org_code", not_worked_out(person))
                    continue
                if known_holder(org) is None:
                    data.issue(row, "org_code", holder_outside_scope(org))
                    continue
            key = (org.code, values["name"], values["level"], values["held_on"])
            contest = planned.get(key)
            if contest is None:
                contest = planned[key] = PlannedContest(org, row)
            kind = values["kind"]
            if kind and contest.kind is None:
                contest.kind, contest.kind_row = kind, row.number
            elif kind and kind != contest.kind:
                message = _(
                    "Row %(row)s gives the same contest the type %(kind)s: a contest has one type."
                ) % {
                    "row": contest.kind_row,
                    "kind": dict(CONTEST_KINDS)[contest.kind],
                }
                data.issue(row, "kind", message)
                continue
            contest.rows.append((row, person))
        return [contest for contest in planned.values() if contest.rows]

    @staticmethod
    def recorded(contests):
        """{(organization pk, name, level, date): contest} of the recorded contests the rows may name: those of
        their organizations within the rows' dates, one query per 5,000 organizations."""
        days = defaultdict(list)
        for contest in contests:
            if contest.org.pk:
                days[contest.org.pk].append(contest.first.values["held_on"])
        found = {}
        for chunk in chunked(sorted(days)):
            dates = [day for pk in chunk for day in days[pk]]
            rows = Contest.objects.filter(
                organization_id__in=chunk, held_on__gte=min(dates), held_on__lte=max(dates)
            ).order_by()
            for contest in rows:
                found[(contest.organization_id, contest.name, contest.level, contest.held_on)] = contest
        return found

    @staticmethod
    def recorded_entries(contests):
        """{(contest pk, person pk): entry} of the recorded contests' entries."""
        found = {}
        for chunk in chunked(sorted({contest.pk for contest in contests})):
            for entry in ContestEntry.objects.filter(contest_id__in=chunk).order_by():
                found[(entry.contest_id, entry.person_id)] = entry
        return found

    @staticmethod
    def counted(contests, contest_plan, entry_plan):
        """The rows' counts (a row is an entry; it changes when its entry or its contest changes), the plans
        kept for the write."""
        new = changed = unchanged = 0
        entry_items = iter(entry_plan.items)
        for contest, contest_item in zip(contests, contest_plan.items, strict=True):
            for _entry in contest.entries:
                item = next(entry_items)
                if item.is_new:
                    new += 1
                elif item.changed or contest_item.is_new or contest_item.changed:
                    changed += 1
                else:
                    unchanged += 1
        extra = {"contests": contests, "contest_plan": contest_plan, "entry_plan": entry_plan}
        return SheetPlan(new=new, changed=changed, unchanged=unchanged, extra=extra)

    def write(self, ctx, plan):
        entry_items = iter(plan.extra["entry_plan"].items)
        written = []
        for contest, contest_item in zip(
            plan.extra["contests"], plan.extra["contest_plan"].items, strict=True
        ):
            entries = [entry for entry in contest.entries if writes(next(entry_items))]
            if entries or writes(contest_item):
                written.append(dataclasses.replace(contest, entries=entries))
        # One write of the contests and their entries, checked once more inside the import's write (its
        # organizations and people are now recorded).
        services.record_contest_results(contest_items(written), by=ctx.by)

    # Template and export ----------------------------------------------------------------------------
    def code_lists(self, user):
        codes = PartyOrganization.objects.visible_to(user, "view").values_list("code", flat=True)
        return {"org_code": list(codes)}

    def export_rows(self, ctx):
        revealed = revealed_people(ctx)
        entries = ContestEntry.objects.visible_to(ctx.user, "export").select_related(
            "contest__organization", "person"
        )
        ordered = entries.order_by("contest__held_on", "contest_id", "person__name_key", "person_id", "pk")
        for entry in ordered.iterator(2000):
            contest = entry.contest
            yield {
                "name": contest.name,
                "level": contest.level,
                "held_on": contest.held_on,
                "id_number": shown_id_number(entry.person, revealed),
                "prize": entry.prize,
                "kind": contest.kind,
                "org_code": contest.organization.code,
                "awarded_on": entry.awarded_on,
                "work": entry.work or None,
            }

    def export_count(self, ctx):
        return ContestEntry.objects.visible_to(ctx.user, "export").count()


def contest_items(contests):
    """[(contest Item, [entry Items])] of planned contests, as ``services.record_contest_results`` takes them:
    fresh items (a batch is checked afresh each time), a new contest made beforehand so that its entries can
    name it."""
    return [
        (
            Item(
                dict(contest.values), instance=contest.instance, obj=None if contest.instance else Contest()
            ),
            [Item(dict(values), instance=entry) for _row, values, entry in contest.entries],
        )
        for contest in contests
    ]


register(MentorshipSheet())
register(ContestSheet())
