"""Import sheet 发展环节 (development steps), as import-templates.md gives it: one row per step done, so that
historical cases arrive with their whole path and are checked by the same rules engine as a step typed in a
form (``engine.check``); a violation is an error of its row, quoting the rule and its source.

The rows of one person are taken in date order (then step order), each checked against the person's
earlier steps: those recorded and those of earlier rows of the file. A row whose step is recorded on the
same date changes nothing. Other rows go to the person's open case, or to a case opened for them: in the
organization of their party membership, else in the first organization (by path) that covers their school,
as the audit trail places a school. A completed case takes no further step.

The sheet has no columns for the data a step carries (vote counts, approval numbers, contacts): such a step
is recorded without it and flagged incomplete (``engine.missing_data``), and the checks that need it are
skipped by the engine. An imported S23 is a conversion: an extension or a cancellation of the probation is
recorded on the case page, with its figures.

Everything is planned in bulk (the people by the blind index of the ID number, their cases, steps,
memberships and the coverage of their schools in a few queries), and written in bulk with the audit
records: the steps, the cases with their derived fields (``engine.plan`` and ``services.apply_plan``, in
Python), and the memberships an approved admission (S17) or conversion (S24) gives, as
``services.sync_membership`` gives them when a step is typed. A person whose membership the 人员 sheet of
the same file (or the database, when the person is not in it) gives must agree with the steps: admitted on
the date of the branch general meeting (S15), full member at the end of the probation.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.audit import bulk_create_audited, bulk_update_audited, remember
from redengine.core.codes import POLITICAL_STATUSES
from redengine.dataio import parsers
from redengine.dataio.importer import SheetImporter, SheetPlan, chunked, register
from redengine.dataio.sheets import Column, Sheet
from redengine.orgs.imports import org_anchor_path, org_lookup, outside_scope
from redengine.orgs.models import PartyOrganization
from redengine.people.imports import (
    FAILED_PEOPLE,
    ID_HELP,
    PersonSheet,
    attach_schools,
    person_lookup,
    read_id_numbers,
    revealed_people,
    school_of,
    status_of,
)
from redengine.people.models import Membership, Person
from redengine.people.services import MEMBER_STATUSES

from . import engine, rules
from .models import DERIVED_FIELDS, CaseStatus, DevelopmentCase, DevelopmentEvent
from .services import apply_plan

PARENTHESES = str.maketrans({"（": "(", "）": ")"})
WRITE_CHUNK = 10_000  # steps inserted per step of the write, so that its progress shows
PROGRESS_EVERY = 10_000
# Data an imported step carries although the sheet has no column for it (see the module's docstring).
IMPLIED_DATA = {"S23": {"outcome": "convert"}}
# The column a violation of the rules is reported on; the others are about the date.
VIOLATION_COLUMNS = {"DEV.ORDER": "step", "DEV.ONCE": "step"}
CASE_FIELDS = DERIVED_FIELDS
CASE_PERSON = DevelopmentCase._meta.get_field("person")
CASE_ORGANIZATION = DevelopmentCase._meta.get_field("organization")


def step_label(code):
    """``S01 递交入党申请书``: the code and the name, in the workbook's language whatever the pages'."""
    with translation.override(settings.LANGUAGE_CODE):
        return f"{code} {rules.STEP[code].name}"


class StepParser(parsers.Parser):
    """A step: its code (S01 to S25), its name, or both (as the drop-down and an export give it)."""

    kind = "choice"
    repeats = True

    def __init__(self):
        self._lookup = None

    @staticmethod
    def key(text):
        return "".join(str(text).split()).translate(PARENTHESES).casefold()

    def lookup(self):
        if self._lookup is None:
            lookup = {}
            for language in (settings.LANGUAGE_CODE, None):  # the Chinese names and the English ones
                with translation.override(language):
                    for step in rules.STEPS:
                        name = str(step.name)
                        for text in (step.code, name, step.code + name):
                            lookup.setdefault(self.key(text), step.code)
            self._lookup = lookup
        return self._lookup

    def parse(self, value):
        text = value if isinstance(value, str) else parsers.display(value)
        code = self.lookup().get(self.key(text))
        if code is None:
            raise parsers.CellError(
                _(
                    "Not one of the 25 steps. Type the step's code (S01 to S25), its name, or both, as in "
                    "the drop-down list (e.g. %(example)s)."
                )
                % {"example": step_label("S01")}
            )
        return code

    def choices(self):
        return [step_label(step.code) for step in rules.STEPS]

    def cell(self, value):
        return step_label(value) if value else None


STEPS_SHEET = Sheet(
    "发展环节",
    [
        Column("公民身份号码", "id_number", parsers.id_number_text(), required=True, help=ID_HELP),
        Column(
            "环节",
            "step",
            StepParser(),
            required=True,
            help=gettext_lazy("The step's code (S01 to S25) or its name, as in the drop-down list."),
        ),
        Column(
            "日期",
            "date",
            parsers.date(),
            required=True,
            help=gettext_lazy("The date the step was done; checked against the person's earlier steps."),
        ),
        Column("说明", "remarks", parsers.text(500)),
    ],
    key=("id_number", "step", "date"),
)


class Story:
    """One person's rows: the case they go to, its steps (recorded and planned) and what the rows do."""

    def __init__(self, number, person, rows):
        self.number, self.person, self.rows = number, person, rows
        self.case = None  # the open case, else one the file opens, else the completed one (takes no step)
        self.new_case = False
        self.done = []  # engine.Done of the case's steps, recorded and planned
        self.new = []  # (row, event) of the new steps
        self.file_rows = []  # (row, case) of every row in a case: the new steps' and the recorded ones'
        self.plan = None  # engine.plan of the case, once every row is planned

    def first_new_row(self):
        return self.new[0][0] if self.new else None

    def row_of(self, code, last=False):
        """The row of the file for step ``code`` of the case (new or recorded), else the first new row."""
        rows = [row for row, case in self.file_rows if case is self.case and row.values["step"] == code]
        if rows:
            return rows[-1] if last else rows[0]
        return self.first_new_row()


@dataclass
class FileMembership:
    """A membership as a row of the 人员 sheet gives it (the row is what the file will leave recorded)."""

    status: str
    admitted_on: datetime.date | None
    full_on: datetime.date | None
    organization: object  # a PartyOrganization, recorded or of the file; None when the code is unknown


# 发展环节 ---------------------------------------------------------------------------------------------
class StepSheet(SheetImporter):
    sheet = STEPS_SHEET
    order = 50
    models = (DevelopmentEvent, DevelopmentCase)

    def plan(self, ctx, data):
        stories = self.read_people(ctx, data)
        recorded = [story.person for story in stories if story.person.pk]
        attach_schools(ctx, recorded)
        cases = self.recorded_cases(recorded)
        memberships = PersonSheet.current_memberships(recorded)
        in_file = self.file_memberships(ctx)
        retry = {  # people with a row whose step or date did not parse: a missing step may be that row's
            row.values.get("id_number")
            for row in data.failed
            if None in (row.values.get("step"), row.values.get("date"))
        }
        plan = SheetPlan(
            extra={
                "new_cases": [],
                "changed_cases": [],
                "new_memberships": [],
                "changed_memberships": [],
                "people": [],
            }
        )
        unchanged, counted = [], 0
        for story in stories:
            self.plan_story(
                ctx, data, story, cases.get(story.person.pk, []), story.number in retry, plan, unchanged
            )
            counted += len(story.rows)
            if counted >= PROGRESS_EVERY:
                ctx.advance("validate", counted)
                counted = 0
        self.place_new_cases(ctx, data, stories, memberships, in_file, plan)
        for story in stories:
            if story.case is not None:
                self.derive(story)
                self.check_membership(ctx, data, story, memberships, in_file, plan)
        plan.unchanged = len(unchanged)
        self.check_scope(ctx, data, plan, unchanged)
        return plan

    # Reading ----------------------------------------------------------------------------------------
    def read_people(self, ctx, data):
        """A ``Story`` per person of the rows (in the 人员 sheet or recorded); unknown people reported."""
        failed = set(ctx.state.get(FAILED_PEOPLE, ()))
        found = read_id_numbers(ctx, data, set())
        by_number = ctx.state.get("people_by_number", {})
        people = person_lookup(ctx).load(
            index for _row, parsed, index in found if parsed.number not in by_number
        )
        rows_of, person_of = defaultdict(list), {}
        for row, parsed, index in found:
            person = by_number.get(parsed.number) or people.get(index)
            if person is None:
                if not (
                    ctx.unreadable("人员") or parsed.number in failed or row.values["id_number"] in failed
                ):
                    data.issue(
                        row,
                        "id_number",
                        _("No person with this ID number, neither in the 人员 sheet nor recorded."),
                    )
                continue
            rows_of[parsed.number].append(row)
            person_of[parsed.number] = person
        stories = []
        for number, rows in rows_of.items():
            rows.sort(key=lambda row: (row.values["date"], rules.ORDER[row.values["step"]], row.number))
            stories.append(Story(number, person_of[number], rows))
        return stories

    @staticmethod
    def recorded_cases(people):
        """{person pk: [cases, each with its steps in ``import_events``]}, in two queries per 5,000."""
        cases, by_pk = defaultdict(list), {}
        person_by_pk = {person.pk: person for person in people}
        for chunk in chunked(sorted(person_by_pk)):
            for case in DevelopmentCase.objects.filter(person_id__in=chunk).select_related("organization"):
                CASE_PERSON.set_cached_value(case, person_by_pk[case.person_id])
                case.import_events = []
                cases[case.person_id].append(case)
                by_pk[case.pk] = case
        for chunk in chunked(sorted(by_pk)):
            for event in DevelopmentEvent.objects.filter(case_id__in=chunk).order_by("date", "id"):
                event.case = by_pk[event.case_id]
                by_pk[event.case_id].import_events.append(event)
        for person_cases in cases.values():
            person_cases.sort(key=lambda case: case.pk)
        return cases

    @staticmethod
    def file_memberships(ctx):
        """{ID number: ``FileMembership``} of the rows of the 人员 sheet of the same file."""
        people = ctx.data["人员"] if ctx.data is not None and "人员" in ctx.data.sheets else None
        if people is None or not people.present or not people.complete:
            return {}
        orgs = org_lookup(ctx)
        found = {}
        for row in people.rows:
            values = row.values
            code = values.get("membership_org")
            found[values["id_number"]] = FileMembership(
                values.get("political_status") or "masses",
                values.get("admitted_on"),
                values.get("full_on"),
                orgs.get(code) if code else None,
            )
        return found

    # Planning ---------------------------------------------------------------------------------------
    def plan_story(self, ctx, data, story, cases, retry, plan, unchanged):
        """Each row of one person, in date order: unchanged, or a new step checked by the engine."""
        person, user = story.person, ctx.user if getattr(ctx.user, "is_authenticated", False) else None
        recorded = {}
        for case in cases:
            for event in case.import_events:
                recorded.setdefault((event.step, event.date), (case, event))
        open_case = next((case for case in cases if case.status == CaseStatus.OPEN), None)
        completed = next((case for case in cases if case.status == CaseStatus.COMPLETED), None)
        closed = open_case is None and completed is not None  # a completed case takes no further step
        story.case = open_case or completed
        story.done = (
            [engine.Done(e.step, e.date, e.data) for e in story.case.import_events] if story.case else []
        )
        remarks_given = "remarks" in data.columns
        for row in story.rows:
            values = row.values
            code, date = values["step"], values["date"]
            match = recorded.get((code, date))
            if match is not None:
                case, event = match
                story.file_rows.append((row, case))
                remarks = values["remarks"] or ""
                if remarks_given and event.remarks != remarks:
                    remember([event])
                    event.remarks = remarks
                    plan.changed.append((row, event, ["remarks"]))
                else:
                    unchanged.append((row, event))
                continue
            step_data = dict(IMPLIED_DATA.get(code, {}))
            violations = engine.check(
                story.done,
                code,
                date,
                step_data,
                person_id=person.pk,
                birth_date=person.birth_date,
                today=ctx.today,
                lookups=engine.Lookups(),  # the sheet carries no people and no form numbers: nothing to ask
            )
            if retry:
                violations = [v for v in violations if v.rule != "DEV.ORDER"]
            for violation in violations:
                data.issue(row, VIOLATION_COLUMNS.get(violation.rule, "date"), violation.message())
            if closed:
                if not violations:
                    data.issue(
                        row, "step", _("The person's development case is completed: no step can be added.")
                    )
                continue
            if not any(v.rule == "DEV.ONCE" for v in violations):
                story.done.append(engine.Done(code, date, step_data))  # later rows are judged on their own
            if story.case is None:
                story.case = DevelopmentCase(status=CaseStatus.OPEN)
                CASE_PERSON.set_cached_value(story.case, person)  # as person=person would, without the checks
                story.new_case = True
                plan.extra["new_cases"].append(story.case)
            event = DevelopmentEvent(
                case=story.case,
                step=code,
                date=date,
                data=step_data,
                remarks=values["remarks"] or "",
                incomplete=bool(engine.missing_data(code, step_data)),
                recorded_by=user,
            )
            story.new.append((row, event))
            story.file_rows.append((row, story.case))
            plan.new.append((row, event))
        if story.case is not None and not story.new_case and story.new:
            plan.extra["changed_cases"].append(story.case)

    def place_new_cases(self, ctx, data, stories, memberships, in_file, plan):
        """The organization of each case the file opens: the person's membership's, else the first (by
        path) of those covering the person's school, recorded or as the 党组织 sheet of the file has it."""
        wanted, schools = [], []
        for story in stories:
            if not story.new_case:
                continue
            membership = self.membership(story, memberships, in_file)
            org = membership.organization if membership is not None else None
            if org is None:
                school = school_of(story.person)
                if school is not None:
                    schools.append(school)
            wanted.append((story, org))
        covering = self.covering(ctx, schools)
        placed = []
        for story, org in wanted:
            school = school_of(story.person)
            if org is None and school is not None:
                orgs = covering.get(school.code, [])
                org = orgs[0] if orgs else None
            if org is None:
                if school is not None:  # no school: its 人员 row is reported already
                    data.issue(
                        story.first_new_row(),
                        "id_number",
                        _(
                            "No organization to open the development case in: the person has no party "
                            "membership and no organization covers school %(school)s."
                        )
                        % {"school": school.code},
                    )
                continue
            story.case.organization_id = org.pk  # (setting the id drops a cached organization: first)
            CASE_ORGANIZATION.set_cached_value(story.case, org)
            placed.append(story.case)
        plan.extra["new_cases"] = placed

    @staticmethod
    def covering(ctx, schools):
        """{school code: [organizations covering it]}, recorded ones by path first, then new ones by code."""
        by_code = defaultdict(list)
        code_of = {school.pk: school.code for school in schools if school.pk}
        through = PartyOrganization.schools.through
        for chunk in chunked(sorted(code_of)):
            for link in through.objects.filter(school_id__in=chunk).select_related("partyorganization"):
                by_code[code_of[link.school_id]].append(link.partyorganization)
        sheet = ctx.data["党组织"] if ctx.data is not None and "党组织" in ctx.data.sheets else None
        if sheet is not None and sheet.present and sheet.complete and "school_codes" in sheet.columns:
            orgs, redefined = org_lookup(ctx), {}
            for row in sheet.rows:
                org = orgs.get(row.values["org_code"])
                if org is not None:
                    redefined[org.code] = (org, set(row.values["school_codes"] or ()))
            for code, found in by_code.items():
                by_code[code] = [o for o in found if o.code not in redefined or code in redefined[o.code][1]]
            for org, codes in redefined.values():
                for code in codes:
                    if all(o.code != org.code for o in by_code[code]):
                        by_code[code].append(org)
        for found in by_code.values():
            found.sort(key=lambda org: (0, org.path, org.code) if org.pk else (1, "", org.code))
        return by_code

    @staticmethod
    def derive(story):
        """The case's stage, dates and next step from its steps (``engine.plan``), in Python."""
        case = story.case
        story.plan = engine.plan(story.done)
        if not story.new:
            return
        if not story.new_case:
            remember([case])
        apply_plan(case, story.plan, story.done)
        recorded = case.import_events if not story.new_case else []
        case.incomplete = any(e.incomplete for e in recorded) or any(e.incomplete for _r, e in story.new)
        case.has_exception = any(e.exception_reason for e in recorded)

    @staticmethod
    def membership(story, memberships, in_file):
        """The person's membership as the file leaves it: the 人员 row's, else the recorded one (or None)."""
        given = in_file.get(story.number)
        if given is not None:
            return given if given.status in MEMBER_STATUSES else None
        return memberships.get(story.person.pk) if story.person.pk else None

    def check_membership(self, ctx, data, story, memberships, in_file, plan):
        """The membership must agree with the steps; a recorded person's follows them (sync_membership)."""
        membership = self.membership(story, memberships, in_file)
        given = in_file.get(story.number)
        from_file = given is not None
        reported = False
        if membership is not None and membership.admitted_on and story.case.status != CaseStatus.CLOSED:
            for row, case in story.file_rows:
                step, date = row.values["step"], row.values["date"]
                if case is story.case and step == "S15" and date != membership.admitted_on:
                    data.issue(row, "date", self.admission_disagrees(membership, from_file))
                    reported = True
        if not story.new:
            return
        result = story.plan
        if result.cancelled:
            self.cancelled(ctx, data, story, membership, from_file, plan)
            return
        if result.admitted_on is None:
            return
        if from_file and given.status not in MEMBER_STATUSES:
            row = next((row for row, event in story.new if event.step == "S17"), None)
            if row is not None:
                data.issue(
                    row,
                    "step",
                    _(
                        "The 人员 sheet gives this person as %(status)s, but this step admits them as a "
                        "probationary member: give their party membership in the 人员 sheet."
                    )
                    % {"status": dict(POLITICAL_STATUSES).get(given.status, given.status)},
                )
            return
        if membership is None:
            self.admit(ctx, data, story, plan)
            return
        if membership.admitted_on is None:
            return  # reported on the 人员 row
        if membership.admitted_on != result.admitted_on:
            if not reported:
                data.issue(story.row_of("S15"), "date", self.admission_disagrees(membership, from_file))
            return
        converted = result.converted_on
        if converted is None or membership.full_on == converted:
            return
        row = story.row_of("S24", last=True)
        if membership.full_on is not None:
            data.issue(
                row,
                "date",
                _(
                    "The date of full membership (转正日期) is %(full)s, but by these steps the probation "
                    "ends on %(date)s: full membership begins on that date."
                )
                % {"full": membership.full_on.isoformat(), "date": converted.isoformat()},
            )
        elif from_file:
            data.issue(
                row,
                "date",
                _(
                    "The 人员 sheet gives this person as a probationary member, but these steps make them a "
                    "full member on %(date)s."
                )
                % {"date": converted.isoformat()},
            )
        else:
            remember([membership])
            membership.full_on = converted
            self.change_membership(ctx, data, story, row, membership, plan)

    @staticmethod
    def admission_disagrees(membership, from_file):
        if from_file:
            return _(
                "The 人员 sheet gives this person's date admitted (入党日期) as %(date)s: the branch general "
                "meeting that admits them (S15) must be on that date."
            ) % {"date": membership.admitted_on.isoformat()}
        return _(
            "This person is recorded as admitted on %(date)s: the branch general meeting that admits them "
            "(S15) must be on that date."
        ) % {"date": membership.admitted_on.isoformat()}

    def admit(self, ctx, data, story, plan):
        """A recorded person admitted by the file's steps: a membership from the branch meeting's date."""
        case, result, person = story.case, story.plan, story.person
        org = CASE_ORGANIZATION.get_cached_value(case, None)
        if org is None:
            return  # no organization for the case: reported
        membership = Membership(
            person=person,
            organization=org,
            admitted_on=result.admitted_on,
            full_on=result.converted_on,
        )
        row = story.row_of("S17")
        path = org_anchor_path(ctx, org)
        if path is not None and not ctx.path_allowed(Membership, "add", path):
            data.issue(row, "id_number", outside_scope())
        plan.extra["new_memberships"].append(membership)
        self.follow_status(ctx, person, status_of(result.converted_on, ctx.today), plan)

    def cancelled(self, ctx, data, story, membership, from_file, plan):
        """The probation cancelled: the membership it began ends (as services.sync_membership ends it)."""
        row = story.row_of("S24", last=True)
        admission = engine.first(story.done, "S15")
        if membership is None or admission is None or membership.admitted_on != admission.date:
            return
        if from_file:
            data.issue(
                row,
                "step",
                _(
                    "The 人员 sheet gives this person as a party member, but these steps cancel the probation."
                ),
            )
            return
        remember([membership])
        membership.ended_on = story.case.closed_on
        self.change_membership(ctx, data, story, row, membership, plan)

    def change_membership(self, ctx, data, story, row, membership, plan):
        if not ctx.path_allowed(Membership, "change", membership.organization.path):
            data.issue(row, "id_number", outside_scope())
        plan.extra["changed_memberships"].append(membership)
        status = "masses" if membership.ended_on else status_of(membership.full_on, ctx.today)
        self.follow_status(ctx, story.person, status, plan)

    @staticmethod
    def follow_status(ctx, person, status, plan):
        """The political status follows the membership (services.sync_political_status)."""
        if person.political_status != status:
            remember([person])
            person.political_status = status
            plan.extra["people"].append(person)

    def check_scope(self, ctx, data, plan, unchanged):
        """New steps where the user may add steps (and open cases); changed and unchanged ones likewise."""
        if ctx.whole_tree:
            return
        allowed = {}

        def may(model, action, org):
            path = org_anchor_path(ctx, org) if org is not None else None
            if path is None:
                return True  # an organization of the file without a place: reported on its own row
            key = (model, action, path)
            if key not in allowed:
                allowed[key] = ctx.path_allowed(model, action, path)
            return allowed[key]

        new_cases = {id(case) for case in plan.extra["new_cases"]}
        for row, event in plan.new:
            org = CASE_ORGANIZATION.get_cached_value(event.case, None)
            if org is None:
                continue
            if not may(DevelopmentEvent, "add", org) or (
                id(event.case) in new_cases and not may(DevelopmentCase, "add", org)
            ):
                data.issue(row, "id_number", outside_scope())
        for row, event, _diffs in plan.changed:
            if not may(DevelopmentEvent, "change", event.case.organization):
                data.issue(row, "id_number", outside_scope())
        for row, event in unchanged:
            if not may(DevelopmentEvent, "view", event.case.organization):
                data.issue(row, "id_number", outside_scope())

    # Writing ----------------------------------------------------------------------------------------
    def write(self, ctx, plan):
        cases = plan.extra["new_cases"]
        for case in cases:  # people and organizations of the file have their ids now
            case.person = case.person
            case.organization = case.organization
        if cases:
            bulk_create_audited(
                DevelopmentCase, cases, scope_paths=[case.organization.path for case in cases]
            )
        events = [event for _row, event in plan.new]
        for event in events:
            event.case = event.case
        for chunk in chunked(events, WRITE_CHUNK):
            bulk_create_audited(
                DevelopmentEvent, chunk, scope_paths=[event.case.organization.path for event in chunk]
            )
            ctx.advance("write", len(chunk))
        changed = [event for _row, event, _diffs in plan.changed]
        if changed:
            bulk_update_audited(
                DevelopmentEvent,
                changed,
                ["remarks"],
                scope_paths=[event.case.organization.path for event in changed],
            )
        touched = plan.extra["changed_cases"]
        if touched:
            bulk_update_audited(
                DevelopmentCase,
                touched,
                CASE_FIELDS,
                scope_paths=[case.organization.path for case in touched],
            )
        created = plan.extra["new_memberships"]
        for membership in created:
            membership.organization = membership.organization
        if created:
            bulk_create_audited(Membership, created, scope_paths=[m.organization.path for m in created])
        updated = plan.extra["changed_memberships"]
        if updated:
            bulk_update_audited(
                Membership,
                updated,
                ["full_on", "ended_on"],
                scope_paths=[m.organization.path for m in updated],
            )
        people = plan.extra["people"]
        if people:
            bulk_update_audited(Person, people, ["political_status"])

    # Template and export ----------------------------------------------------------------------------
    def export_rows(self, ctx):
        revealed = revealed_people(ctx)
        events = DevelopmentEvent.objects.visible_to(ctx.user, "export").select_related("case__person")
        ordered = events.order_by("case__person__name", "case__person_id", "case_id", "date", "step", "pk")
        for event in ordered.iterator(2000):
            person = event.case.person
            yield {
                "id_number": person.reveal_id_number() if person.pk in revealed else person.id_number_masked,
                "step": event.step,
                "date": event.date,
                "remarks": event.remarks or None,
            }

    def export_count(self, ctx):
        return DevelopmentEvent.objects.visible_to(ctx.user, "export").count()


register(StepSheet())
