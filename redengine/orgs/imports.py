"""Import sheets of the tree: 学校 (schools) and 党组织 (party organizations), as import-templates.md gives them.

The engine (``redengine.dataio.importer``) reads the cells; these importers map the rows to the items of
``services.SCHOOLS`` and ``services.ORGANIZATIONS``, which check them (the same rules as the forms and
the API) and write them in bulk with their audit records.
"""

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.codes import DISTRICT_CHOICES, district_code
from redengine.core.services import Item
from redengine.dataio import parsers
from redengine.dataio.importer import SheetImporter, SheetPlan, register, report
from redengine.dataio.sheets import Column, Sheet

from . import services
from .models import PartyOrganization, School

# The names of import-templates.md: the workbook is Chinese whatever the language of the pages.
OWNERSHIP = [("public", "公办"), ("private", "民办")]
SCHOOL_TYPES = [
    ("kindergarten", "幼儿园"),
    ("primary", "小学"),
    ("junior", "初中"),
    ("senior", "高中"),
    ("complete_secondary", "完全中学"),
    ("nine_year", "九年一贯制学校"),
    ("twelve_year", "十二年一贯制学校"),
    ("vocational", "中等职业学校"),
    ("special", "特殊教育学校"),
]
URBAN_RURAL = [("urban", "城区"), ("town", "镇区"), ("rural", "乡村")]
ORG_TYPES = [
    ("committee", "党委"),
    ("general_branch", "党总支"),
    ("branch", "党支部"),
    ("joint_branch", "联合党支部"),
    ("temporary_branch", "临时党支部"),
    ("working_committee", "党工委"),
]
SCHOOL_CODE_PATTERN = r"\d{10}"
SCHOOL_CODE_MESSAGE = gettext_lazy("The school code has 10 digits.")
ORG_CODE_PATTERN = r"[^\s;；,，、]{1,32}"
ORG_CODE_MESSAGE = gettext_lazy(
    "An organization code has at most 32 characters, without spaces or separators."
)


def school_code():
    return parsers.code(SCHOOL_CODE_PATTERN, SCHOOL_CODE_MESSAGE)


def org_code():
    return parsers.code(ORG_CODE_PATTERN, ORG_CODE_MESSAGE)


SCHOOLS = Sheet(
    "学校",
    [
        Column("学校代码", "code", school_code(), required=True, help=gettext_lazy("10 digits.")),
        Column("学校名称", "name", parsers.text(100), required=True),
        Column(
            "所在区县",
            "district",
            parsers.choice(DISTRICT_CHOICES, fallback=district_code),
            required=True,
            help=gettext_lazy("The GB/T 2260 code or the name; 430100 or 市直 for schools under the city."),
        ),
        Column("办学性质", "ownership", parsers.choice(OWNERSHIP), required=True),
        Column("学段", "school_type", parsers.choice(SCHOOL_TYPES), required=True),
        Column("城乡类别", "urban_rural", parsers.choice(URBAN_RURAL), required=True),
        Column("市管", "city_managed", parsers.yes_no(), help=gettext_lazy("Empty means no.")),
        Column("教职工数", "staff_headcount", parsers.whole_number()),
    ],
    key="code",
)
ORGANIZATIONS = Sheet(
    "党组织",
    [
        Column("党组织代码", "org_code", org_code(), required=True),
        Column("党组织名称", "name", parsers.text(100), required=True),
        Column("组织类别", "org_type", parsers.choice(ORG_TYPES), required=True),
        Column(
            "上级党组织代码",
            "parent_code",
            org_code(),
            help=gettext_lazy(
                "Required except for the root, the one row without a parent: the root of an empty "
                "installation, or the root already recorded (same code); in this sheet or already recorded."
            ),
        ),
        Column(
            "所在学校代码",
            "school_codes",
            parsers.code_list(SCHOOL_CODE_PATTERN, SCHOOL_CODE_MESSAGE),
            help=gettext_lazy("The schools it covers, separated by ; (a joint branch covers several)."),
        ),
        Column("成立日期", "founded_on", parsers.date()),
        Column(
            "换届日期",
            "last_election_on",
            parsers.date(),
            help=gettext_lazy("The date of the last election."),
        ),
        Column(
            "所辖区县",
            "district",
            parsers.choice(DISTRICT_CHOICES, fallback=district_code),
            help=gettext_lazy(
                "Only for the organization of the city's or a district's education bureau: the district it "
                "serves, as a GB/T 2260 code or name (430100 or 市直 for the city bureau). The schools of that "
                "district that no organization covers lie in its subtree."
            ),
        ),
    ],
    key="org_code",
)


# Shared state: the lookups every sheet uses ----------------------------------------------------------
def school_lookup(ctx):
    return ctx.lookup("schools", School.objects.all(), "code")


def org_lookup(ctx):
    return ctx.lookup("organizations", PartyOrganization.objects.all(), "code")


def failed_keys(data, key):
    """Keys of the rows that have an error in some cell (references to them are not reported again)."""
    keys = set()
    for row in data.failed:
        keys.add(row.raw.get(key) or None)
        keys.add(row.values.get(key))
    keys.discard(None)
    return keys


def reference_known(ctx, sheet_name, key, value):
    """Whether a reference to an unknown ``value`` is already explained: its row in ``sheet_name`` has an
    error, or that sheet could not be read at all."""
    return ctx.unreadable(sheet_name) or value in ctx.state.get(("failed", sheet_name, key), ())


def present(data, names):
    """The fields of ``names`` whose columns the sheet has (a missing column changes nothing)."""
    return [name for name in names if name in data.columns]


# 学校 ------------------------------------------------------------------------------------------------
SCHOOL_FIELDS = [name for name in services.SCHOOLS.fields if name != "code"]


class SchoolSheet(SheetImporter):
    sheet = SCHOOLS
    order = 10
    models = (School,)

    def plan(self, ctx, data):
        ctx.state[("failed", self.sheet.name, "code")] = failed_keys(data, "code")
        schools = school_lookup(ctx).load(row.values["code"] for row in data.rows)
        fields = present(data, SCHOOL_FIELDS)
        items = []
        for row in data.rows:
            values = {name: row.values[name] for name in fields}
            code = row.values["code"]
            school = schools.get(code)
            if school is None:
                item = Item({"code": code, **values}, obj=School())
                schools.add(code, item.obj)
            else:
                item = Item(values, instance=school)
            items.append(item)
        checked = services.SCHOOLS.check(items, ctx.scope)
        report(data, data.rows, checked.problems, default="code")
        return SheetPlan.of(checked, schools=checked)

    def write(self, ctx, plan):
        services.SCHOOLS.apply(plan.extra["schools"], ctx.scope)

    def export_rows(self, ctx):
        for school in School.objects.visible_to(ctx.user, "export").order_by("code").iterator(2000):
            yield {"code": school.code, **{name: getattr(school, name) for name in SCHOOL_FIELDS}}

    def export_count(self, ctx):
        return School.objects.visible_to(ctx.user, "export").count()


# 党组织 -----------------------------------------------------------------------------------------------
ORG_FIELDS = ["name", "org_type", "founded_on", "last_election_on", "district"]
ORG_COLUMNS = {"code": "org_code", "parent": "parent_code", "schools": "school_codes"}


class OrganizationSheet(SheetImporter):
    sheet = ORGANIZATIONS
    order = 20
    models = (PartyOrganization,)

    def plan(self, ctx, data):
        ctx.state[("failed", self.sheet.name, "org_code")] = failed_keys(data, "org_code")
        rows = data.rows
        orgs = org_lookup(ctx).load(
            {row.values["org_code"] for row in rows} | {row.values["parent_code"] for row in rows}
        )
        made = {}
        for row in rows:  # first every new organization, so that a parent may come later in the sheet
            code = row.values["org_code"]
            if orgs.get(code) is None:
                made[code] = PartyOrganization(code=code)
                orgs.add(code, made[code])
        fields, items, told = present(data, ORG_FIELDS), [], set()
        coverage = ctx.state["coverage"] = []
        # A parent outside the importer's scope is answered word for word as one not recorded.
        known_org = ctx.known(PartyOrganization, [orgs.get(row.values["parent_code"]) for row in rows])
        for index, row in enumerate(rows):
            values = {name: row.values[name] for name in fields}
            if "district" in values:
                values["district"] = values["district"] or ""
            code, parent_code = row.values["org_code"], row.values["parent_code"]
            parent = known_org(orgs.get(parent_code)) if parent_code else None
            if parent_code and parent is None:
                told.add((index, "parent_code"))
                if not reference_known(ctx, "党组织", "org_code", parent_code):
                    message = _("No parent organization with this code, neither in this sheet nor recorded.")
                    data.issue(row, "parent_code", message)
            values["parent"] = parent
            if "school_codes" in data.columns:
                values["schools"] = self.schools(ctx, data, row)
                coverage.append((orgs.get(code), set(row.values["school_codes"] or ())))
            if code in made:
                items.append(Item({"code": code, **values}, obj=made[code]))
            else:
                items.append(Item(values, instance=orgs.get(code)))
        checked = services.ORGANIZATIONS.check(items, ctx.scope)
        report(data, rows, checked.problems, columns=ORG_COLUMNS, default="org_code", skip=told)
        return SheetPlan.of(checked, organizations=checked)

    def schools(self, ctx, data, row):
        """The schools of 所在学校代码: recorded, or new in the 学校 sheet; an unknown code is reported."""
        schools = school_lookup(ctx).load(row.values["school_codes"] or ())
        # A school outside the importer's scope is answered word for word as one not recorded.
        known_school = ctx.known(School, [schools.get(code) for code in row.values["school_codes"] or ()])
        found = []
        for code in row.values["school_codes"] or ():
            school = known_school(schools.get(code))
            if school is not None:
                found.append(school)
            elif not reference_known(ctx, "学校", "code", code):
                message = _("School %(code)s is neither in the 学校 sheet nor recorded.") % {"code": code}
                data.issue(row, "school_codes", message)
        return found

    def write(self, ctx, plan):
        services.ORGANIZATIONS.apply(plan.extra["organizations"], ctx.scope)

    # Template and export ----------------------------------------------------------------------------
    def code_lists(self, user):
        codes = PartyOrganization.objects.visible_to(user, "view").values_list("code", flat=True)
        return {"parent_code": list(codes)}

    def export_rows(self, ctx):
        orgs = PartyOrganization.objects.visible_to(ctx.user, "export").with_parent_code().order_by("path")
        covered = defaultdict(list)
        through = PartyOrganization.schools.through
        for org_pk, code in (
            through.objects.filter(partyorganization__in=orgs.values("pk"))
            .order_by("school__code")
            .values_list("partyorganization_id", "school__code")
        ):
            covered[org_pk].append(code)
        for org in orgs.iterator(2000):
            yield {
                "org_code": org.code,
                "name": org.name,
                "org_type": org.org_type,
                "parent_code": org.parent_code,
                "school_codes": tuple(covered.get(org.pk, ())),
                "founded_on": org.founded_on,
                "last_election_on": org.last_election_on,
                "district": org.district or None,
            }

    def export_count(self, ctx):
        return PartyOrganization.objects.visible_to(ctx.user, "export").count()


register(SchoolSheet())
register(OrganizationSheet())
