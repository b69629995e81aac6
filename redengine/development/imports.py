"""Import sheet 发展环节 (development steps), as import-templates.md gives it: one row per step done, so that
historical cases arrive with their whole path and are checked by the same rules engine as a step typed in a
form: each row becomes a ``services.Step`` of its person, and ``services.record_steps`` checks them (a
violation is an error of its row, quoting the rule and its source), places the cases it opens and derives
the cases and memberships, as it does for the form and the API.

The rows of one person are taken in date order (then step order), each checked against the person's
earlier steps: those recorded and those of earlier rows of the file. A row whose step is recorded on the
same date changes nothing (but its remarks). The sheet has no columns for the data a step carries (vote
counts, approval numbers, contacts): such a step is recorded without it and flagged incomplete, and the
checks that need it are skipped by the engine. An imported S23 is a conversion: an extension or a
cancellation of the probation is recorded on the case page, with its figures. A person whose membership
the 人员 sheet of the same file gives must agree with the steps.
"""

import dataclasses

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.dataio import parsers
from redengine.dataio.importer import SheetImporter, SheetPlan, register, report
from redengine.dataio.sheets import Column, Sheet
from redengine.people.imports import (
    FAILED_PEOPLE,
    ID_HELP,
    attach_schools,
    person_lookup,
    read_id_numbers,
    revealed_people,
)
from redengine.people.models import Person

from . import rules, services
from .models import DevelopmentCase, DevelopmentEvent

PARENTHESES = str.maketrans({"（": "(", "）": ")"})
# Data an imported step carries although the sheet has no column for it (see the module's docstring).
# What a row of the sheet says by itself: a political review recorded is one concluded "qualified" (one
# that did not qualify ends the development, 细则 art. 16, and is no step to import), a conversion by the
# branch meeting is one on time.
IMPLIED_DATA = {"S10": {"conclusion": "qualified"}, "S23": {"outcome": "convert"}}
# The column a violation of the rules is reported on; the others are about the date.
VIOLATION_COLUMNS = {"DEV.ORDER": "step", "DEV.ONCE": "step"}


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
            help=gettext_lazy(
                "The step's code (S01 to S25) or its name, as in the drop-down list. A political review (S10) "
                "in this sheet is one that concluded the person qualified; a conversion (S23), one on time."
            ),
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


# 发展环节 ---------------------------------------------------------------------------------------------
class StepSheet(SheetImporter):
    sheet = STEPS_SHEET
    order = 50
    models = (DevelopmentEvent, DevelopmentCase)

    def plan(self, ctx, data):
        failed = set(ctx.state.get(FAILED_PEOPLE, ()))
        found = read_id_numbers(ctx, data, set())
        by_number = ctx.state.get("people_by_number", {})
        people = person_lookup(ctx).load(
            index for _row, parsed, index in found if parsed.number not in by_number
        )
        retry = {  # people with a row whose step or date did not parse: a missing step may be that row's
            row.values.get("id_number")
            for row in data.failed
            if None in (row.values.get("step"), row.values.get("date"))
        }
        remarks = "remarks" in data.columns
        rows, steps = [], []
        known_person = ctx.known(Person, [people.get(index) for _row, _parsed, index in found])
        for row, parsed, index in found:
            # A person outside the importer's scope is answered word for word as one not recorded.
            person = by_number.get(parsed.number) or known_person(people.get(index))
            if person is None:
                if not (
                    ctx.unreadable("人员") or parsed.number in failed or row.values["id_number"] in failed
                ):
                    message = _("No person with this ID number, neither in the 人员 sheet nor recorded.")
                    data.issue(row, "id_number", message)
                continue
            values = row.values
            step = services.Step(
                values["step"],
                values["date"],
                person=person,
                data=dict(IMPLIED_DATA.get(values["step"], {})),
                remarks=(values["remarks"] or "") if remarks else None,
                lenient_order=values["id_number"] in retry or parsed.number in retry,
            )
            rows.append(row)
            steps.append(step)
        attach_schools(ctx, [step.person for step in steps if step.person.pk])
        given = {
            (person.pk or id(person)): services.Given(status, admitted, full, org)
            for person, status, admitted, full, org in ctx.state.get("given_memberships", {}).values()
        }
        checked = services.STEPS.check(
            steps, ctx.scope, today=ctx.today, given=given, coverage=ctx.state.get("coverage")
        )
        problems = [
            dataclasses.replace(p, field=VIOLATION_COLUMNS.get(p.rule, "date")) if p.rule else p
            for p in checked.problems
        ]
        report(data, rows, problems, columns={"person": "id_number"}, default="id_number")
        return SheetPlan.of(checked, steps=checked)

    def write(self, ctx, plan):
        services.STEPS.apply(plan.extra["steps"], ctx.scope)

    # Template and export ----------------------------------------------------------------------------
    def export_rows(self, ctx):
        revealed = revealed_people(ctx)
        events = DevelopmentEvent.objects.visible_to(ctx.user, "export").select_related("case__person")
        ordered = events.order_by(
            "case__person__name_key", "case__person_id", "case_id", "date", "step", "pk"
        )
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
