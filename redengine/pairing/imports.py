"""The import sheet 城乡结对 (urban-rural school pairs), as import-templates.md gives it: 城区学校代码,
乡村学校代码, 结对日期, 终止日期.

One row per pair. A row whose two schools and 结对日期 name a recorded pair is that pair (unchanged, or its
end changed): a re-import updates, never duplicates. The schools are found among those recorded within the
importer's scope or new in the 学校 sheet of the same file (an empty installation imports its schools,
organizations and pairs in one workbook); a school outside the scope answers word for word as one not
recorded. The rows are one batch of ``services.record_pairs``, which checks them as it checks the form and
the API (an urban and a rural school, two different ones, an agreement not in the future, an end after
it, one pair of the same schools at a time; both schools in the importer's scope).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.services import Item
from redengine.dataio import parsers
from redengine.dataio.importer import SheetImporter, SheetPlan, chunked, register, report
from redengine.dataio.sheets import Column, Sheet
from redengine.orgs.imports import present, reference_known, school_code, school_lookup
from redengine.orgs.models import School

from . import services
from .models import SchoolPair

PAIRS_SHEET = Sheet(
    "城乡结对",
    [
        Column(
            "城区学校代码",
            "urban_code",
            school_code(),
            required=True,
            help=gettext_lazy("The urban school (城乡类别 城区): in the 学校 sheet or already recorded."),
        ),
        Column(
            "乡村学校代码",
            "rural_code",
            school_code(),
            required=True,
            help=gettext_lazy("The rural school (城乡类别 镇区 or 乡村), not the same school."),
        ),
        Column(
            "结对日期",
            "agreed_on",
            parsers.date(),
            required=True,
            help=gettext_lazy(
                "Not in the future. With the two schools it names the pair: a row naming a recorded one "
                "changes it."
            ),
        ),
        Column("终止日期", "ended_on", parsers.date(), help=gettext_lazy("Optional; after 结对日期.")),
    ],
    key=("urban_code", "rural_code", "agreed_on"),
)

PAIR_COLUMNS = {"urban": "urban_code", "rural": "rural_code"}


class PairSheet(SheetImporter):
    sheet = PAIRS_SHEET
    order = 100  # after 学校 and 党组织 (whose new schools and organizations a row may name)
    models = (SchoolPair,)

    def plan(self, ctx, data):
        codes = [row.values[c] for row in data.rows for c in ("urban_code", "rural_code")]
        schools = school_lookup(ctx).load(codes)
        known = ctx.known(School, [schools.get(code) for code in codes])
        matched = []
        for row in data.rows:
            found = {}
            for column in ("urban_code", "rural_code"):
                code = row.values[column]
                school = known(schools.get(code))
                if school is None and not reference_known(ctx, "学校", "code", code):
                    data.issue(
                        row, column, _("No school with this code, neither in the 学校 sheet nor recorded.")
                    )
                found[column] = school
            if found["urban_code"] is not None and found["rural_code"] is not None:
                matched.append((row, found["urban_code"], found["rural_code"]))
        recorded = self.recorded(matched)
        with_end = present(data, ["ended_on"])
        rows, specs = [], []
        for row, urban, rural in matched:
            values = row.values
            pair = recorded.get((urban.pk, rural.pk, values["agreed_on"])) if urban.pk and rural.pk else None
            item_values = {name: values[name] for name in with_end}
            if pair is None:
                item_values.update(urban=urban, rural=rural, agreed_on=values["agreed_on"])
            rows.append(row)
            specs.append((item_values, pair))
        checked = services.PAIRS.check(pair_items(specs), ctx.scope)
        report(data, rows, checked.problems, columns=PAIR_COLUMNS, default="urban_code")
        return SheetPlan.of(checked, specs=specs, pairs=checked)

    @staticmethod
    def recorded(matched):
        """{(urban pk, rural pk, agreed_on): pair} of the recorded pairs of the rows' urban schools, one query
        per 5,000 schools."""
        found = {}
        for chunk in chunked(sorted({urban.pk for _r, urban, _rural in matched if urban.pk})):
            for pair in SchoolPair.objects.filter(urban_id__in=chunk).order_by():
                found[(pair.urban_id, pair.rural_id, pair.agreed_on)] = pair
        return found

    def write(self, ctx, plan):
        checked = plan.extra["pairs"]
        specs = [spec for spec, item in zip(plan.extra["specs"], checked.items, strict=True) if writes(item)]
        # One batch, checked once more inside the import's write (its schools are now recorded).
        services.record_pairs(pair_items(specs), by=ctx.by)

    # Template and export ----------------------------------------------------------------------------
    def code_lists(self, user):
        schools = School.objects.visible_to(user, "view").order_by("code")
        return {
            "urban_code": list(schools.filter(urban_rural="urban").values_list("code", flat=True)),
            "rural_code": list(schools.exclude(urban_rural="urban").values_list("code", flat=True)),
        }

    def export_rows(self, ctx):
        pairs = SchoolPair.objects.visible_to(ctx.user, "export").select_related("urban", "rural")
        for pair in pairs.order_by("urban__code", "rural__code", "agreed_on", "pk").iterator(2000):
            yield {
                "urban_code": pair.urban.code,
                "rural_code": pair.rural.code,
                "agreed_on": pair.agreed_on,
                "ended_on": pair.ended_on,
            }

    def export_count(self, ctx):
        return SchoolPair.objects.visible_to(ctx.user, "export").count()


def pair_items(specs):
    """Fresh ``Item``s of (values, recorded pair or None) pairs: a batch is checked afresh each time."""
    return [Item(dict(values), instance=instance) for values, instance in specs]


def writes(item):
    return item.is_new or bool(item.changed)


register(PairSheet())
