"""The import sheet 星级评定结果 (published star-rating results of past years), as import-templates.md gives it:
党组织代码, 年度, 总分, 等级 (一星 … 五星 or 1 … 5), 示范支部 (是 / 否, blank 否).

One row per branch and year (two rows of the same are refused, the second naming the first). A row becomes a
past result of ``ratings.record_ratings`` (imported), and with 示范支部 是 a demonstration branch of that year
as well (``ratings.record_designations``, imported: the sheet has no document number), the ratings of the same
sheet counting for the designations' five-star rule. A row naming a rating recorded already (imported, or
published by a campaign) with the same level and total changes nothing — an exported sheet comes back
unchanged —; one giving another level or total is refused as a result given twice; 示范支部 否 for a branch
named a demonstration branch that year is refused (the sheet names, it does not withdraw). The organization is
one recorded or new in the 党组织 sheet of the same file; every other rule is the services' (a branch, the year
not in the future, the total within the maximum of the year's scheme, the writer's scope and role).
"""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.services import Item
from redengine.dataio import parsers
from redengine.dataio.importer import SheetImporter, SheetPlan, chunked, register, report
from redengine.dataio.sheets import Column, Sheet
from redengine.orgs.imports import org_code, org_lookup, reference_known
from redengine.orgs.models import PartyOrganization

from .models import Designation, Rating
from .reading import Points
from .rules import MAX_LEVEL, RATED_TYPES, star_name
from .services.ratings import DESIGNATIONS, RATINGS, key_of, record_ratings

# The names of import-templates.md (一星 … 五星); the digits 1 … 5 are read too.
LEVELS = [(level, star_name(level)) for level in range(1, MAX_LEVEL + 1)]

RATINGS_SHEET = Sheet(
    "星级评定结果",
    [
        Column(
            "党组织代码",
            "org_code",
            org_code(),
            required=True,
            help=gettext_lazy("A branch or joint branch: in the 党组织 sheet or already recorded."),
        ),
        Column(
            "年度",
            "year",
            parsers.whole_number(1000, 9999),
            required=True,
            help=gettext_lazy(
                "The year rated: four digits, not after this year. One row per branch and year."
            ),
        ),
        Column(
            "总分",
            "total",
            Points(),
            help=gettext_lazy(
                "Optional: 0 to the maximum of the year's scheme (100 when no campaign rated it)."
            ),
        ),
        Column(
            "等级",
            "level",
            parsers.choice(LEVELS),
            required=True,
            help=gettext_lazy("一星 … 五星, or 1 … 5."),
        ),
        Column(
            "示范支部",
            "demonstration",
            parsers.yes_no(),
            help=gettext_lazy("是: named a demonstration branch that year (rated 五星). Blank: 否."),
        ),
    ],
    key=("org_code", "year"),
)
COLUMNS = {"organization": "org_code", "evaluation": "org_code", "imported": "org_code"}
DESIGNATION_COLUMNS = {
    "organization": "demonstration",
    "year": "demonstration",
    "document_number": "demonstration",
}


class RatingSheet(SheetImporter):
    sheet = RATINGS_SHEET
    order = 110  # after 党组织 (whose new branches a row may name) and the other sheets
    models = (Rating, Designation)

    def plan(self, ctx, data):
        orgs = org_lookup(ctx).load(row.values["org_code"] for row in data.rows)
        known_org = ctx.known(PartyOrganization, [orgs.get(row.values["org_code"]) for row in data.rows])
        matched = []
        for row in data.rows:
            code = row.values["org_code"]
            org = known_org(orgs.get(code))
            if org is None:
                if not reference_known(ctx, "党组织", "org_code", code):
                    message = _("No organization with this code, neither in the 党组织 sheet nor recorded.")
                    data.issue(row, "org_code", message)
                continue
            matched.append((row, org))
        ratings, named = self.recorded(matched)
        rating_rows, rating_specs, named_rows, named_specs = [], [], [], []
        for row, org in matched:
            values = row.values
            key = (org.pk, values["year"]) if org.pk else None
            recorded = ratings.get(key)
            if (
                recorded is not None
                and recorded.level == values["level"]
                and values["total"] in (None, recorded.total)
            ):
                spec = ({}, recorded)  # the rating recorded already: no change
            else:
                spec = (
                    {"organization": org, "year": values["year"], "level": values["level"], "imported": True}
                    | ({"total": values["total"]} if values["total"] is not None else {}),
                    None,
                )
            rating_rows.append(row)
            rating_specs.append(spec)
            designation = named.get(key)
            if designation is not None and not values["demonstration"]:
                message = _(
                    "This branch is a demonstration branch of %(year)s (%(document)s): the sheet names demonstration "
                    "branches, it does not withdraw them."
                ) % {
                    "year": values["year"],
                    "document": designation.document_number or _("no document number"),
                }
                data.issue(row, "demonstration", message)
            elif values["demonstration"] and org.org_type in RATED_TYPES:
                named_rows.append(row)
                if designation is not None:
                    named_specs.append(({}, designation))
                else:
                    named_specs.append(
                        ({"organization": org, "year": values["year"], "imported": True}, None)
                    )
        checked = RATINGS.check(items_of(rating_specs), ctx.scope)
        report(data, rating_rows, checked.problems, columns=COLUMNS, default="org_code")
        pending = pending_levels(rating_specs, matched)
        checked_named = DESIGNATIONS.check(items_of(named_specs), ctx.scope, pending=pending)
        report(data, named_rows, checked_named.problems, columns=DESIGNATION_COLUMNS, default="demonstration")
        return SheetPlan.of(
            checked,
            checked_named,
            ratings=(rating_specs, checked),
            named=(named_specs, checked_named),
            matched=matched,
        )

    @staticmethod
    def recorded(matched):
        """({(branch pk, year): rating}, {(branch pk, year): designation}) of the rows' recorded branches, one
        query each per 5,000 branches."""
        pks = sorted({org.pk for _row, org in matched if org.pk})
        years = sorted({row.values["year"] for row, _org in matched})
        ratings, named = {}, {}
        for chunk in chunked(pks):
            for rating in Rating.objects.filter(organization_id__in=chunk, year__in=years).order_by():
                ratings[(rating.organization_id, rating.year)] = rating
            for designation in Designation.objects.filter(
                organization_id__in=chunk, year__in=years
            ).order_by():
                named[(designation.organization_id, designation.year)] = designation
        return ratings, named

    def write(self, ctx, plan):
        rating_specs, checked = plan.extra["ratings"]
        specs = [spec for spec, item in zip(rating_specs, checked.items, strict=True) if writes(item)]
        # One batch each, checked once more inside the import's write (its branches are now recorded).
        record_ratings(items_of(specs), by=ctx.by)
        named_specs, checked_named = plan.extra["named"]
        specs = [spec for spec, item in zip(named_specs, checked_named.items, strict=True) if writes(item)]
        if specs:
            pending = pending_levels(rating_specs, plan.extra["matched"])
            DESIGNATIONS.save(items_of(specs), by=ctx.by, pending=pending)

    # Template and export ----------------------------------------------------------------------------
    def exported(self, ctx):
        return Rating.objects.visible_to(ctx.user, "export")

    def export_rows(self, ctx):
        named = Designation.objects.filter(organization_id=OuterRef("organization_id"), year=OuterRef("year"))
        rows = (
            self.exported(ctx)
            .annotate(named=Exists(named))
            .order_by("organization__path", "year", "pk")
            .values_list("organization__code", "year", "total", "level", "named")
        )
        for code, year, total, level, is_named in rows.iterator(2000):
            yield {"org_code": code, "year": year, "total": total, "level": level, "demonstration": is_named}

    def export_count(self, ctx):
        return self.exported(ctx).count()


def items_of(specs):
    """Fresh ``Item``s of (values, recorded record or None) pairs: a batch is checked afresh each time."""
    return [Item(dict(values), instance=instance) for values, instance in specs]


def pending_levels(specs, matched):
    """{key_of(branch, year): level} of the sheet's rows: the levels the designations' rule reads."""
    levels = {}
    for (values, recorded), (row, org) in zip(specs, matched, strict=True):
        level = recorded.level if recorded is not None else values.get("level")
        levels[key_of(org, row.values["year"])] = level
    return levels


def writes(item):
    return item.is_new or bool(item.changed)


register(RatingSheet())
