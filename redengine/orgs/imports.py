"""Import sheets of the tree: 学校 (schools) and 党组织 (party organizations), as import-templates.md gives them.

The engine (``redengine.dataio.importer``) reads the cells; these importers check the rows against
each other and the database, in bulk, and write them in bulk with their audit records. New
organizations get their materialized paths here, computed in Python as treebeard would: appended
after the last child of their parent (siblings stay in code order, the tree's ``node_order_by``); the
rare new organization whose code sorts before an existing sibling's goes in through treebeard's
``add_child``, which makes room for it.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.audit import actor_fields, bulk_create_audited, bulk_update_audited, remember
from redengine.core.codes import DISTRICT_CHOICES, district_code
from redengine.core.models import ObjectChange
from redengine.dataio import parsers
from redengine.dataio.importer import SheetImporter, SheetPlan, chunked, register
from redengine.dataio.sheets import Column, Sheet

from . import rules
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
            help=gettext_lazy("Required except for the root; in this sheet or already recorded."),
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
    ],
    key="org_code",
)


# Shared state: the lookups every sheet uses ----------------------------------------------------------
def school_lookup(ctx):
    return ctx.lookup("schools", School.objects.all(), "code")


def org_lookup(ctx):
    return ctx.lookup("organizations", PartyOrganization.objects.all(), "code")


def district_paths(ctx):
    """{district code: path of its bureau's organization}, in one query."""
    if "district_paths" not in ctx.state:
        ctx.state["district_paths"] = dict(
            PartyOrganization.objects.exclude(district="").values_list("district", "path")
        )
    return ctx.state["district_paths"]


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


def schools_allowed(ctx, model, action, schools):
    """The schools (objects, new or recorded) where the user may do ``action`` on ``model``'s records:
    a recorded school by the scoping rule of schools (its organizations, else its district's bureau), in
    bulk; a new one by its district's bureau organization."""
    schools = list(schools)
    if ctx.whole_tree:
        return {id(school) for school in schools}
    recorded = ctx.allowed_pks(School, action, [s.pk for s in schools if s.pk], rule=model)
    paths = district_paths(ctx)
    allowed = set()
    for school in schools:
        if school.pk:
            if school.pk in recorded:
                allowed.add(id(school))
        elif school.district in paths and ctx.path_allowed(model, action, paths[school.district]):
            allowed.add(id(school))
    return allowed


def org_anchor_path(ctx, org):
    """The path of the organization, or for a new one of its nearest recorded ancestor."""
    if org.pk:
        return org.path
    return ctx.state.get("org_anchors", {}).get(org.code)


def outside_scope():
    return _("This record lies outside your scope: you may not import it.")


# 学校 ------------------------------------------------------------------------------------------------
SCHOOL_FIELDS = [
    "name",
    "district",
    "ownership",
    "school_type",
    "urban_rural",
    "city_managed",
    "staff_headcount",
]


class SchoolSheet(SheetImporter):
    sheet = SCHOOLS
    order = 10
    models = (School,)

    def plan(self, ctx, data):
        ctx.state[("failed", self.sheet.name, "code")] = failed_keys(data, "code")
        schools = school_lookup(ctx).load(row.values["code"] for row in data.rows)
        fields = [name for name in SCHOOL_FIELDS if name in data.columns]
        plan, unchanged = SheetPlan(), []
        for row in data.rows:
            values = row.values
            school = schools.get(values["code"])
            if school is None:
                school = School(code=values["code"], **{name: values[name] for name in fields})
                schools.add(school.code, school)
                plan.new.append((row, school))
                continue
            diffs = [name for name in fields if getattr(school, name) != values[name]]
            if diffs:
                remember([school])
                for name in diffs:
                    setattr(school, name, values[name])
                plan.changed.append((row, school, diffs))
            else:
                unchanged.append((row, school))
        plan.unchanged = len(unchanged)
        if not ctx.whole_tree:
            self.check_scope(ctx, data, plan, unchanged)
        return plan

    def check_scope(self, ctx, data, plan, unchanged):
        paths = district_paths(ctx)
        for row, school in plan.new:
            path = paths.get(school.district)
            if path is None or not ctx.path_allowed(School, "add", path):
                data.issue(
                    row,
                    "district",
                    _("You may not add a school in %(district)s: it lies outside your scope.")
                    % {"district": school.district_name},
                )
        allowed = ctx.allowed_pks(School, "change", [school.pk for _row, school, _diffs in plan.changed])
        for row, school, diffs in plan.changed:
            if school.pk not in allowed:
                data.issue(row, "code", outside_scope())
            elif "district" in diffs and not ctx.path_allowed(
                School, "change", paths.get(school.district, "-")
            ):
                data.issue(
                    row,
                    "district",
                    _("You may not move a school to %(district)s: it lies outside your scope.")
                    % {"district": school.district_name},
                )
        visible = ctx.allowed_pks(School, "view", [school.pk for _row, school in unchanged])
        for row, school in unchanged:
            if school.pk not in visible:
                data.issue(row, "code", outside_scope())

    def write(self, ctx, plan):
        if plan.new:
            bulk_create_audited(School, [school for _row, school in plan.new])
        if plan.changed:
            fields = sorted({name for _row, _school, diffs in plan.changed for name in diffs})
            bulk_update_audited(School, [school for _row, school, _diffs in plan.changed], fields)

    def export_rows(self, ctx):
        for school in School.objects.visible_to(ctx.user, "export").order_by("code").iterator(2000):
            yield {"code": school.code, **{name: getattr(school, name) for name in SCHOOL_FIELDS}}


# 党组织 -----------------------------------------------------------------------------------------------
ORG_FIELDS = ["name", "org_type", "founded_on", "last_election_on"]


def parent_codes(orgs):
    """{pk: the parent's code (None for a root)} of recorded organizations, in one query per 5,000."""
    step = PartyOrganization.steplen
    wanted = {org.path[:-step] for org in orgs if org.depth > 1}
    codes = {}
    for chunk in chunked(sorted(wanted)):
        codes.update(PartyOrganization.objects.filter(path__in=chunk).values_list("path", "code"))
    return {org.pk: codes.get(org.path[:-step]) if org.depth > 1 else None for org in orgs}


def children_of(parents):
    """{parent pk: [(code, path) of its children]} for recorded organizations, in one query per 5,000."""
    step = PartyOrganization.steplen
    by_path = {parent.path: parent for parent in parents}
    found = defaultdict(list)
    depths = {parent.depth + 1 for parent in parents}
    for chunk in chunked(sorted(by_path)):
        rows = (
            PartyOrganization.objects.annotate(parent_path=Substr("path", 1, Length("path") - step))
            .filter(depth__in=depths, parent_path__in=chunk)
            .values_list("parent_path", "code", "path")
        )
        for parent_path, code, path in rows:
            found[by_path[parent_path].pk].append((code, path))
    return found


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
        recorded = {row.values["org_code"]: orgs.get(row.values["org_code"]) for row in rows}
        recorded = {code: org for code, org in recorded.items() if org is not None}
        current_parents = parent_codes(recorded.values())
        fields = [name for name in ORG_FIELDS if name in data.columns]
        plan, unchanged = SheetPlan(extra={"coverage": []}), []
        new_rows = {}
        for row in rows:  # first every new organization, so that a parent may come later in the sheet
            values = row.values
            if values["org_code"] not in recorded:
                org = PartyOrganization(code=values["org_code"], **{name: values[name] for name in fields})
                orgs.add(org.code, org)
                new_rows[org.code] = row
        coverage = self.coverage(ctx, data, recorded)
        for row in rows:
            values = row.values
            code, parent = values["org_code"], values["parent_code"]
            org = orgs.get(code)
            if code in new_rows:
                if parent is None:
                    data.issue(
                        row, "parent_code", _("The parent organization is required (only the root has none).")
                    )
                self.check_dates(ctx, data, row, org)
                org.election_due_on = rules.election_due(
                    org.org_type, org.last_election_on, org.founded_on, org.term_years
                )
                plan.new.append((row, org, parent))
                if coverage.get(code):
                    plan.extra["coverage"].append((org, {}, coverage[code]))
                continue
            current = current_parents[org.pk]
            if parent != current:
                if parent is None:
                    data.issue(
                        row, "parent_code", _("The parent organization is required (only the root has none).")
                    )
                else:
                    data.issue(
                        row,
                        "parent_code",
                        _(
                            "This organization is recorded under %(parent)s. Moving it is an affiliation change, "
                            "made on the organization's page, not by import."
                        )
                        % {"parent": current or "—"},
                    )
            diffs = [name for name in fields if getattr(org, name) != values[name]]
            if diffs:
                remember([org])
                for name in diffs:
                    setattr(org, name, values[name])
                self.check_dates(ctx, data, row, org)
                due = rules.election_due(org.org_type, org.last_election_on, org.founded_on, org.term_years)
                if due != org.election_due_on:
                    org.election_due_on = due
                    diffs.append("election_due_on")
            covered = coverage.get(code)
            before = ctx.state["org_schools"].get(org.pk, {})
            if covered is not None and {s.code for s in covered} != set(before):
                plan.extra["coverage"].append((org, before, covered))
                plan.changed.append((row, org, diffs))
            elif diffs:
                plan.changed.append((row, org, diffs))
            else:
                unchanged.append((row, org))
        plan.unchanged = len(unchanged)
        self.check_parents(ctx, data, orgs, new_rows)
        self.check_scope(ctx, data, plan, unchanged)
        return plan

    def coverage(self, ctx, data, recorded):
        """{org code: [schools]} for the rows that fill 所在学校代码; the recorded coverage into ctx.state."""
        through = PartyOrganization.schools.through
        current = defaultdict(dict)
        for chunk in chunked(sorted(org.pk for org in recorded.values())):
            rows = through.objects.filter(partyorganization_id__in=chunk).values_list(
                "partyorganization_id", "school__code", "school_id", "pk"
            )
            for org_pk, school_code_, school_pk, through_pk in rows:
                current[org_pk][school_code_] = (school_pk, through_pk)
        ctx.state["org_schools"] = current
        if "school_codes" not in data.columns:
            return {}
        schools = school_lookup(ctx).load(
            code for row in data.rows for code in row.values["school_codes"] or ()
        )
        wanted, result = [], {}
        for row in data.rows:
            found = []
            for code in row.values["school_codes"] or ():
                school = schools.get(code)
                if school is not None:
                    found.append(school)
                    wanted.append((row, school))
                elif not reference_known(ctx, "学校", "code", code):
                    data.issue(
                        row,
                        "school_codes",
                        _("School %(code)s is neither in the 学校 sheet nor recorded.") % {"code": code},
                    )
            result[row.values["org_code"]] = found
        visible = ctx.allowed_pks(School, "view", [school.pk for _row, school in wanted if school.pk])
        for row, school in wanted:
            if school.pk and school.pk not in visible:
                data.issue(
                    row,
                    "school_codes",
                    _("School %(code)s is neither in the 学校 sheet nor recorded.") % {"code": school.code},
                )
        return result

    def check_dates(self, ctx, data, row, org):
        """The model's own rules (PartyOrganization.clean), on the row's columns; and no election in the future."""
        errors = {}
        try:
            org.clean()
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"org_code": exc.messages}
        if org.last_election_on and org.last_election_on > ctx.today:
            errors.setdefault("last_election_on", []).append(
                _("The date of the last election cannot be in the future.")
            )
        for name, messages in errors.items():
            column = name if name in data.columns else "org_code"
            for message in messages:
                data.issue(row, column, message)

    def check_parents(self, ctx, data, orgs, new_rows):
        """Every new organization's parent exists (in the sheet or recorded) and no chain of parents loops;
        the path of the nearest recorded ancestor of each new organization goes into ctx.state."""
        anchors = ctx.state.setdefault("org_anchors", {})
        settled = {}  # code -> True (reaches a recorded organization) or False (does not)
        for start in new_rows:
            chain, seen, code = [], set(), start
            while True:
                if code in settled:
                    outcome = settled[code]
                    anchor = anchors.get(code)
                    break
                if code in seen:  # a cycle: report it on each of its rows
                    loop = chain[chain.index(code) :]
                    shown = " → ".join([*loop, code])
                    for member in loop:
                        data.issue(
                            new_rows[member],
                            "parent_code",
                            _("The parent organizations form a cycle: %(cycle)s.") % {"cycle": shown},
                        )
                        settled[member] = False
                    outcome, anchor = False, None
                    break
                seen.add(code)
                chain.append(code)
                parent = new_rows[code].values["parent_code"]
                if parent is None:
                    outcome, anchor = False, None
                    break
                if parent in new_rows:
                    code = parent
                    continue
                recorded = orgs.get(parent)
                if recorded is None:
                    if not reference_known(ctx, "党组织", "org_code", parent):
                        data.issue(
                            new_rows[code],
                            "parent_code",
                            _("No parent organization with this code, neither in this sheet nor recorded."),
                        )
                    outcome, anchor = False, None
                else:
                    outcome, anchor = True, recorded.path
                break
            for member in chain:
                settled.setdefault(member, outcome)
                if outcome:
                    anchors[member] = anchor

    def check_scope(self, ctx, data, plan, unchanged):
        if ctx.whole_tree:
            return
        anchors = ctx.state["org_anchors"]
        for row, org, parent in plan.new:
            anchor = anchors.get(org.code)
            if anchor is not None and not ctx.path_allowed(PartyOrganization, "add", anchor):
                data.issue(
                    row,
                    "parent_code",
                    _("You may not add an organization under %(parent)s: it lies outside your scope.")
                    % {"parent": parent},
                )
        for row, org, _diffs in plan.changed:
            if not ctx.path_allowed(PartyOrganization, "change", org.path):
                data.issue(row, "org_code", outside_scope())
        for row, org in unchanged:
            if not ctx.path_allowed(PartyOrganization, "view", org.path):
                data.issue(row, "org_code", outside_scope())

    # Writing ----------------------------------------------------------------------------------------
    def write(self, ctx, plan):
        changed = [org for _row, org, diffs in plan.changed if diffs]
        if changed:
            fields = sorted({name for _row, _org, diffs in plan.changed for name in diffs})
            bulk_update_audited(PartyOrganization, changed, fields, scope_paths=[org.path for org in changed])
        if plan.new:
            self.create(ctx, [(org, parent) for _row, org, parent in plan.new])
        if plan.extra["coverage"]:
            self.write_coverage(plan.extra["coverage"])

    def create(self, ctx, new):
        """New organizations with their paths: appended after their parent's last child in bulk; through
        ``add_child`` when the code sorts before an existing sibling's (treebeard makes room)."""
        orgs = org_lookup(ctx)
        children = defaultdict(list)
        for org, parent in new:
            children[parent].append(org)
        for group in children.values():
            group.sort(key=lambda org: org.code)
        recorded_parents = [orgs.get(code) for code in children if not orgs.is_new(code)]
        siblings = children_of(recorded_parents)
        inserted = []
        for parent in recorded_parents:
            last_code = max((code for code, _path in siblings.get(parent.pk, [])), default=None)
            for org in children[parent.code]:
                if last_code is not None and org.code < last_code:
                    PartyOrganization.objects.add_child(parent, instance=org)  # audited by its save()
                    inserted.append(org)
        bases = recorded_parents + inserted
        if inserted:  # paths under the parents may have moved: read them again
            fresh = {
                pk: (path, depth, numchild)
                for pk, path, depth, numchild in PartyOrganization.objects.filter(
                    pk__in=[org.pk for org in bases]
                ).values_list("pk", "path", "depth", "numchild")
            }
            for org in bases:
                org.path, org.depth, org.numchild = fresh[org.pk]
            siblings = children_of(bases)
        inserted_ids = {id(org) for org in inserted}
        created, grown = [], []
        queue = list(bases)
        while queue:
            parent = queue.pop()
            appended = [org for org in children.get(parent.code, []) if id(org) not in inserted_ids]
            if not appended:
                continue
            last = (
                max((path for _code, path in siblings.get(parent.pk, [])), default=None)
                if parent.pk
                else None
            )
            step = PartyOrganization._str2int(last[-PartyOrganization.steplen :]) if last else 0
            for number, org in enumerate(appended, start=step + 1):
                org.depth = parent.depth + 1
                org.path = PartyOrganization._get_path(parent.path, org.depth, number)
                org.numchild = len(children.get(org.code, []))
                created.append(org)
                queue.append(org)
            if parent.pk:
                parent.numchild += len(appended)
                grown.append(parent)
        if created:
            bulk_create_audited(PartyOrganization, created, scope_paths=[org.path for org in created])
        if grown:  # tree bookkeeping, as treebeard keeps it (not a change of the record)
            PartyOrganization.objects.bulk_update(grown, ["numchild"], batch_size=2000)

    def write_coverage(self, coverage):
        """The schools covered, through the M2M's own table in bulk, with one change record per organization."""
        through = PartyOrganization.schools.through
        removed, added, records = [], [], []
        content_type = ContentType.objects.get_for_model(PartyOrganization)
        actor = actor_fields()
        for org, before, schools in coverage:
            after_codes = {school.code for school in schools}
            removed += [
                through_pk for code, (_school, through_pk) in before.items() if code not in after_codes
            ]
            added += [
                through(partyorganization_id=org.pk, school_id=school.pk)
                for school in schools
                if school.code not in before
            ]
            records.append(
                ObjectChange(
                    action=ObjectChange.Action.UPDATE,
                    content_type=content_type,
                    object_id=str(org.pk),
                    object_repr=str(org)[:200],
                    before={"schools": sorted(school_pk for school_pk, _through in before.values())},
                    after={"schools": sorted(school.pk for school in schools)},
                    changed_fields=["schools"],
                    scope_path=org.path,
                    **actor,
                )
            )
        for chunk in chunked(removed):
            through.objects.filter(pk__in=chunk).delete()
        through.objects.bulk_create(added, batch_size=2000)
        ObjectChange.objects.bulk_create(records, batch_size=2000)

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
            }


register(SchoolSheet())
register(OrganizationSheet())
