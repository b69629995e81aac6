"""The import sheet 示范创建 (pioneer units), as import-templates.md gives it: 名称, 类型, 学校代码, 申报日期,
认定日期, 牌匾编号, 撤销日期.

One row per unit, named by its school and name. A new unit lands in the state its dates say — filed on
申报日期, certified on 认定日期 with its plaque, revoked on 撤销日期 — with those moves recorded as imported,
and is led by its school's own organization; a row naming a recorded unit with the same kind and dates
changes nothing, and one that describes it otherwise is refused (its moves are made on its page). The rows
are one batch of ``services.record_imported_units``, which checks them as the service checks every write
(the kinds, the dates' rules, a plaque number given once — within the file too —, the scope).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.services import Item
from redengine.dataio import parsers
from redengine.dataio.importer import SheetImporter, SheetPlan, chunked, register, report
from redengine.dataio.sheets import Column, Sheet
from redengine.orgs.imports import reference_known, school_code, school_lookup
from redengine.orgs.models import School

from . import services
from .models import PioneerUnit
from .rules import UnitKind, UnitStatus

# The names of import-templates.md: the workbook is Chinese whatever the pages' language; the codes are read too.
UNIT_KINDS = [
    (UnitKind.POST.value, "示范岗"),
    (UnitKind.CLASS.value, "示范班"),
    (UnitKind.TEAM.value, "志愿服务队"),
]

UNITS_SHEET = Sheet(
    "示范创建",
    [
        Column("名称", "name", parsers.text(100), required=True),
        Column("类型", "kind", parsers.choice(UNIT_KINDS), required=True),
        Column(
            "学校代码",
            "school_code",
            school_code(),
            required=True,
            help=gettext_lazy("The unit's school: in the 学校 sheet or already recorded."),
        ),
        Column(
            "申报日期",
            "filed_on",
            parsers.date(),
            required=True,
            help=gettext_lazy("The day the unit was filed (申报备案); not in the future."),
        ),
        Column(
            "认定日期",
            "certified_on",
            parsers.date(),
            help=gettext_lazy(
                "The day it was certified (授牌认定); not before 申报日期. Empty: not certified."
            ),
        ),
        Column(
            "牌匾编号",
            "plaque_number",
            parsers.text(40),
            help=gettext_lazy("Required with 认定日期, empty without it; no two units share one."),
        ),
        Column(
            "撤销日期",
            "revoked_on",
            parsers.date(),
            help=gettext_lazy("Only for a certified unit, after 认定日期."),
        ),
    ],
    key=("school_code", "name"),
)

# The row's values an item sets (a recorded unit is compared on them: the application date is not on the row).
ROW_FIELDS = ["kind", "filed_on", "certified_on", "plaque_number", "revoked_on"]
COLUMNS = {
    "school": "school_code",
    "organization": "school_code",
    "applied_on": "filed_on",
    "leader": "name",
    "members": "name",
}


class UnitSheet(SheetImporter):
    sheet = UNITS_SHEET
    order = 90  # after 学校 and 党组织 (a new school and its organization of the same file)
    models = (PioneerUnit,)

    def plan(self, ctx, data):
        schools = school_lookup(ctx).load(row.values["school_code"] for row in data.rows)
        known_school = ctx.known(School, [schools.get(row.values["school_code"]) for row in data.rows])
        matched = []
        for row in data.rows:
            code = row.values["school_code"]
            school = known_school(schools.get(code))
            if school is None:
                if not reference_known(ctx, "学校", "code", code):
                    message = _("No school with this code, neither in the 学校 sheet nor recorded.")
                    data.issue(row, "school_code", message)
                continue
            matched.append((row, school))
        recorded = self.recorded(matched)
        rows, specs = [], []
        for row, school in matched:
            values = {name: row.values[name] for name in ROW_FIELDS}
            values["plaque_number"] = values["plaque_number"] or ""
            unit = recorded.get((school.pk, row.values["name"])) if school.pk else None
            if unit is None:
                values.update(name=row.values["name"], school=school, applied_on=row.values["filed_on"])
            rows.append(row)
            specs.append((values, unit))
        checked = services.IMPORTED_UNITS.check(unit_items(specs), ctx.scope)
        report(data, rows, checked.problems, columns=COLUMNS, default="name")
        return SheetPlan.of(checked, specs=specs, units=checked)

    @staticmethod
    def recorded(matched):
        """{(school pk, name): unit} of the recorded units of the rows' schools, one query per 5,000 schools."""
        found = {}
        for chunk in chunked(sorted({school.pk for _row, school in matched if school.pk})):
            for unit in PioneerUnit.objects.filter(school_id__in=chunk).order_by():
                found[(unit.school_id, unit.name)] = unit
        return found

    def write(self, ctx, plan):
        checked = plan.extra["units"]
        specs = [spec for spec, item in zip(plan.extra["specs"], checked.items, strict=True) if writes(item)]
        # One batch, checked once more inside the import's write (its schools and organizations now recorded).
        services.record_imported_units(unit_items(specs), by=ctx.by)

    # Template and export ----------------------------------------------------------------------------
    def code_lists(self, user):
        schools = School.objects.visible_to(user, "view").order_by("code").values_list("code", flat=True)
        return {"school_code": list(schools)}

    def exported(self, ctx):
        """The units filed, certified or revoked (those the sheet can describe) of the user's export scope."""
        return PioneerUnit.objects.visible_to(ctx.user, "export").filter(
            status__in=[UnitStatus.FILED, UnitStatus.REVIEWED, UnitStatus.CERTIFIED, UnitStatus.REVOKED]
        )

    def export_rows(self, ctx):
        for unit in (
            self.exported(ctx).select_related("school").order_by("school__code", "name", "pk").iterator(2000)
        ):
            yield {
                "name": unit.name,
                "kind": unit.kind,
                "school_code": unit.school.code,
                "filed_on": unit.filed_on,
                "certified_on": unit.certified_on,
                "plaque_number": unit.plaque_number or None,
                "revoked_on": unit.revoked_on,
            }

    def export_count(self, ctx):
        return self.exported(ctx).count()


def unit_items(specs):
    """Fresh ``Item``s of (values, recorded unit or None) pairs: a batch is checked afresh each time."""
    return [Item(dict(values), instance=instance) for values, instance in specs]


def writes(item):
    return item.is_new or bool(item.changed)


register(UnitSheet())
