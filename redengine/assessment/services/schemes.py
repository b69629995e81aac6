"""Writes on rating schemes (评定标准), batch-first: ``record_schemes(drafts, *, by)`` makes a scheme or
replaces the tree of one (its header, its levels, its dimensions and items), ``copy_scheme`` copies last
year's into a new version, ``scheme_workbook`` / ``read_scheme_workbook`` / ``import_scheme_workbook`` export
and import a scheme as an .xlsx (sheets 方案 / 等级 / 指标). The pages, the API and the import call them. The
past results and the demonstration branches are written by ``ratings.py`` (re-exported here).

A scheme is checked whole before anything is written, every problem located on its part (the header's field,
``levels.<n>.<field>``, ``indicators.<n>.<field>``), nothing written while there is one:

* the header: a name and a version (no other scheme of that name has the version), a four-digit year, a total
  above 0, a bonus of 0 or more, a veto cap of 0 or one of the scheme's levels;
* the levels: from 1 to 5 (``rules.MAX_LEVEL``), each once, its threshold (from points) between 0 and the
  total and strictly rising with the level — thresholds that overlap are refused —, a quota of 0 % to 100 %;
* the tree: dimension → item (an item's dimension named by its code), each code once, the dimensions' points
  adding up to the total and each dimension's items to its points; only an item is a veto item (一票否决),
  which has no points and no figure; an automatic item names a figure of the registry
  (``core.metrics.REGISTRY``, not a figure of the rating itself) and says how it scores (``rules.AutoMode``);
* only the city administrator writes a scheme (every role reads it: ``models.CITY_WIDE``);
* a scheme a campaign has used past self-assessment is never changed (copy it); while a campaign's branches
  are all still assessing themselves, what their scores rest on (the items, their points, the total, the
  veto and automatic rules) stays as it is.

An edit keeps the recorded levels and indicators it finds again (by level, by code) and changes them in
place, adds the new ones and deletes those no longer given, each change audited.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.comments import Comment

from redengine.core.audit import bulk_create_audited, bulk_update_audited, remember
from redengine.core.metrics import REGISTRY
from redengine.core.services import ADD, CHANGE
from redengine.core.writes import Problem, RefusedError, writing
from redengine.dataio import parsers
from redengine.dataio.errors import CellIssue, WorkbookRejected, format_issue
from redengine.dataio.parsers import display
from redengine.dataio.reader import read_workbook
from redengine.dataio.sheets import Column, Sheet
from redengine.dataio.template import AUTHOR, HEADER_FILL, HEADER_FONT, REQUIRED_FONT, text_cell

from ..default_scheme import FIELDS as INDICATOR_FIELDS
from ..models import Campaign, Indicator, Level, Scheme
from ..reading import Points, WrongValueError, flag_of, is_blank, points_of, shown, text_of, whole_of
from ..rules import MAX_LEVEL, AutoMode, LevelKind, Status, star_name
from .ratings import record_designations, record_ratings  # noqa: F401  (the demo and the import call them here)

HEADER_FIELDS = (
    "name",
    "version",
    "effective_year",
    "total_points",
    "bonus_max",
    "level_kind",
    "veto_cap",
    "publicity_days",
    "source",
    "notes",
)
LEVEL_FIELDS = ("level", "name", "min_points", "quota_percent")
TEXTS = {  # field -> its model's maximum length
    "name": 100,
    "version": 20,
    "source": 2000,
    "notes": 4000,
}
LEVEL_TEXTS = {"name": 20}
INDICATOR_TEXTS = {"code": 12, "name": 200, "guidance": 2000, "evidence": 1000, "metric": 60, "source": 1000}
MAX_PUBLICITY_DAYS = 100
# What the branches' scores of a running campaign rest on: kept while a campaign is in self-assessment.
SCORED_HEADER = ("total_points", "bonus_max")
SCORED_ITEM = ("max_points", "veto", "metric", "auto_mode", "auto_target")


@dataclass
class SchemeDraft:
    """A whole scheme as given: its header (``HEADER_FIELDS``), its levels (``LEVEL_FIELDS``) and its
    indicators (``default_scheme.FIELDS``: a dimension has an empty ``parent``, an item its dimension's code),
    in order; ``instance`` the scheme it replaces (None: a new scheme). ``rows`` says where each part was read
    (("levels", n) -> the workbook's row), so that a problem is told at its row."""

    values: dict
    levels: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    instance: Scheme | None = None
    rows: dict = field(default_factory=dict)


def level_field(index, name):
    return f"levels.{index}.{name}"


def indicator_field(index, name):
    return f"indicators.{index}.{name}"


def split_field(name):
    """("levels", 2, "min_points") of "levels.2.min_points"; (None, None, name) for a header field."""
    parts = (name or "").split(".")
    if len(parts) == 3 and parts[1].isdigit():
        return parts[0], int(parts[1]), parts[2]
    if len(parts) == 1 and parts[0] in ("levels", "indicators"):
        return parts[0], None, None
    return None, None, name


def required():
    return _("This field is required.")


def year_message():
    return _("A year has four digits.")


def level_message():
    return _("A level is a whole number from 1 to %(max)s.") % {"max": MAX_LEVEL}


# The check -------------------------------------------------------------------------------------------
@dataclass
class Tree:
    """What one draft would write: the scheme and its levels and indicators as they will be, the recorded
    ones to delete."""

    scheme: Scheme
    levels: list = field(default_factory=list)
    indicators: list = field(default_factory=list)  # (Indicator, parent code) in the draft's order
    old_levels: list = field(default_factory=list)
    old_indicators: list = field(default_factory=list)


class SchemeCheck:
    """The checks of a batch of drafts, every problem located (item: the draft's index; field: see above)."""

    def __init__(self, drafts, scope):
        self.drafts, self.scope = list(drafts), scope
        self.problems = []
        self.trees = []

    def say(self, index, message, where=None):
        self.problems.append(Problem(message, index, where))

    def run(self):
        instances = [d.instance for d in self.drafts if d.instance is not None]
        self.recorded = self.load(instances)
        self.usage = usage_of(instances)
        self.check_roles()
        for index, draft in enumerate(self.drafts):
            self.trees.append(self.check_draft(index, draft))
        self.check_versions()
        return self

    @staticmethod
    def load(instances):
        """{scheme pk: (levels by level, indicators by code)} of the schemes replaced, in two queries."""
        found = {s.pk: ({}, {}) for s in instances}
        for level in remember(list(Level.objects.filter(scheme__in=instances).order_by("level"))):
            found[level.scheme_id][0][level.level] = level
        for indicator in remember(
            list(Indicator.objects.filter(scheme__in=instances).order_by("position", "pk"))
        ):
            found[indicator.scheme_id][1][indicator.code] = indicator
        return found

    def check_roles(self):
        new = [n for n, d in enumerate(self.drafts) if d.instance is None]
        if new and not self.scope.whole_tree and not self.scope.prefixes(Scheme, ADD):
            for index in new:
                self.say(index, not_the_city())
        changed = [d.instance for d in self.drafts if d.instance is not None]
        allowed = self.scope.allowed(Scheme, CHANGE, changed) if changed else set()
        for index, draft in enumerate(self.drafts):
            if draft.instance is not None and draft.instance.pk not in allowed:
                self.say(index, not_the_city())

    # The header ------------------------------------------------------------------------------------
    def check_draft(self, index, draft):
        unknown = set(draft.values) - set(HEADER_FIELDS) - {"based_on"}
        if unknown:
            raise ValueError(f"a scheme has no fields {sorted(unknown)}")
        scheme = draft.instance if draft.instance is not None else Scheme()
        if draft.instance is not None and not hasattr(scheme, "_audit_loaded"):
            remember([scheme])
        before = {name: getattr(scheme, name) for name in SCORED_HEADER}
        self.header(index, scheme, draft.values)
        tree = Tree(scheme)
        levels, indicators = self.recorded.get(scheme.pk, ({}, {})) if scheme.pk else ({}, {})
        tree.levels = self.check_levels(index, draft, scheme, levels)
        tree.old_levels = [
            lv for number, lv in levels.items() if number not in {x.level for x in tree.levels}
        ]
        tree.indicators = self.check_indicators(index, draft, scheme, indicators)
        kept = {i.code for i, _parent in tree.indicators}
        tree.old_indicators = [i for code, i in indicators.items() if code not in kept]
        self.check_use(index, draft, scheme, before, tree, indicators)
        return tree

    def header(self, index, scheme, values):
        for name in HEADER_FIELDS:
            if name not in values:
                continue
            value = values[name]
            try:
                if name in TEXTS:
                    value = text_of(value, TEXTS[name])
                elif name == "effective_year":
                    value = whole_of(value, 1000, 9999, year_message())
                elif name == "total_points":
                    value = points_of(value)
                    if value is not None and value <= 0:
                        raise WrongValueError(_("A scheme's total is above 0 points."))
                elif name == "bonus_max":
                    value = points_of(value, blank=Decimal("0"))
                elif name == "veto_cap":
                    value = whole_of(
                        value, 0, MAX_LEVEL, _("A whole number from 0 to %(max)s.") % {"max": MAX_LEVEL}
                    )
                    value = 0 if value is None else value
                elif name == "publicity_days":
                    message = _("A whole number of working days from 0 to %(max)s.") % {
                        "max": MAX_PUBLICITY_DAYS
                    }
                    value = whole_of(value, 0, MAX_PUBLICITY_DAYS, message)
                    value = 0 if value is None else value
                elif name == "level_kind":
                    value = value or LevelKind.STARS
                    if value not in LevelKind.values:
                        raise WrongValueError(_("Levels are stars or named grades."))
            except WrongValueError as wrong:
                self.say(index, str(wrong), name)
                continue
            setattr(scheme, name, value)
        if "based_on" in values:
            scheme.based_on = values["based_on"]
        for name in ("name", "version", "effective_year", "total_points"):
            if is_blank(getattr(scheme, name)):
                self.say(index, required(), name)
        if scheme.level_kind in (None, ""):
            scheme.level_kind = LevelKind.STARS
        for name, default in (("bonus_max", Decimal("0")), ("veto_cap", 0), ("publicity_days", 0)):
            if getattr(scheme, name) is None:
                setattr(scheme, name, default)

    def check_versions(self):
        """No two schemes of a name share a version: within the batch, and against the recorded ones."""
        seen = {}
        wanted = []
        for index, tree in enumerate(self.trees):
            scheme = tree.scheme
            if not scheme.name or not scheme.version:
                continue
            key = (scheme.name, scheme.version)
            if key in seen:
                self.say(index, version_taken(), "version")
                continue
            seen[key] = index
            wanted.append((key, index, scheme.pk))
        if not wanted:
            return
        query = Q()
        for (name, version), _index, _pk in wanted:
            query |= Q(name=name, version=version)
        taken = {(n, v): pk for n, v, pk in Scheme.objects.filter(query).values_list("name", "version", "pk")}
        for key, index, pk in wanted:
            if key in taken and taken[key] != pk:
                self.say(index, version_taken(), "version")

    # The levels ------------------------------------------------------------------------------------
    def check_levels(self, index, draft, scheme, recorded):
        if not draft.levels:
            self.say(
                index,
                _("The scheme has no levels: give at least one, with the points it starts from."),
                "levels",
            )
            return []
        made, numbers = [], {}
        for n, row in enumerate(draft.levels):
            unknown = set(row) - set(LEVEL_FIELDS)
            if unknown:
                raise ValueError(f"a level has no fields {sorted(unknown)}")
            try:
                number = whole_of(row.get("level"), 1, MAX_LEVEL, level_message())
                if number is None:
                    raise WrongValueError(required())
            except WrongValueError as wrong:
                self.say(index, str(wrong), level_field(n, "level"))
                continue
            if number in numbers:
                message = _("Level %(level)s is given twice: each level has one row.") % {"level": number}
                self.say(index, message, level_field(n, "level"))
                continue
            numbers[number] = n
            level = recorded.get(number) or Level(scheme=scheme, level=number)
            self.level_values(index, n, row, level, scheme)
            made.append(level)
        self.check_thresholds(index, made, numbers, scheme)
        cap = scheme.veto_cap
        if cap and made and cap not in numbers:
            message = _(
                "The level at most with a failed veto item is 0 or one of the scheme's levels (%(levels)s)."
            )
            self.say(index, message % {"levels": "、".join(str(x) for x in sorted(numbers))}, "veto_cap")
        return made

    def level_values(self, index, n, row, level, scheme):
        try:
            name = text_of(row.get("name"), LEVEL_TEXTS["name"])
        except WrongValueError as wrong:
            self.say(index, str(wrong), level_field(n, "name"))
            name = level.name
        if not name:
            name = star_name(level.level) if scheme.level_kind == LevelKind.STARS else ""
            if not name:
                self.say(index, _("A named grade has its name (合格, 优秀, 样板 …)."), level_field(n, "name"))
        level.name = name
        try:
            level.min_points = points_of(row.get("min_points"))
            if level.min_points is None:
                raise WrongValueError(required())
        except WrongValueError as wrong:
            self.say(index, str(wrong), level_field(n, "min_points"))
            level.min_points = None
        try:
            level.quota_percent = whole_of(
                row.get("quota_percent"),
                0,
                100,
                _("A quota is a whole percentage from 0 to 100; empty: no quota."),
            )
        except WrongValueError as wrong:
            self.say(index, str(wrong), level_field(n, "quota_percent"))

    def check_thresholds(self, index, levels, numbers, scheme):
        """A higher level starts from more points than every lower one; no threshold above the total."""
        total = scheme.total_points if isinstance(scheme.total_points, Decimal) else None
        ranked = sorted((lv for lv in levels if lv.min_points is not None), key=lambda lv: lv.level)
        for lower, higher in zip(ranked, ranked[1:], strict=False):
            if higher.min_points <= lower.min_points:
                message = _(
                    "The thresholds overlap: level %(level)s starts from %(points)s points, not above level "
                    "%(lower)s (from %(lower_points)s). A higher level starts from more points."
                ) % {
                    "level": higher.level,
                    "points": shown(higher.min_points),
                    "lower": lower.level,
                    "lower_points": shown(lower.min_points),
                }
                self.say(index, message, level_field(numbers[higher.level], "min_points"))
        for level in ranked:
            if total is not None and level.min_points > total:
                message = _("The threshold is above the scheme's total of %(total)s points.") % {
                    "total": total
                }
                self.say(index, message, level_field(numbers[level.level], "min_points"))

    # The tree --------------------------------------------------------------------------------------
    def check_indicators(self, index, draft, scheme, recorded):
        if not draft.indicators:
            self.say(
                index, _("The scheme has no indicators: give its dimensions and their items."), "indicators"
            )
            return []
        made, codes = [], {}
        for n, row in enumerate(draft.indicators):
            unknown = set(row) - set(INDICATOR_FIELDS)
            if unknown:
                raise ValueError(f"an indicator has no fields {sorted(unknown)}")
            try:
                code = text_of(row.get("code"), INDICATOR_TEXTS["code"])
                if not code:
                    raise WrongValueError(required())
            except WrongValueError as wrong:
                self.say(index, str(wrong), indicator_field(n, "code"))
                continue
            if code in codes:
                message = _("Two indicators have the code %(code)s: each code is given once.") % {
                    "code": code
                }
                self.say(index, message, indicator_field(n, "code"))
                continue
            indicator = recorded.get(code) or Indicator(scheme=scheme, code=code)
            indicator.position = n
            parent = self.indicator_values(index, n, row, indicator)
            codes[code] = n
            made.append((indicator, parent))
        self.check_tree(index, made, codes, scheme)
        return made

    def indicator_values(self, index, n, row, indicator):
        """Set the row's values on ``indicator``; its dimension's code."""
        for name, limit in INDICATOR_TEXTS.items():
            if name == "code":
                continue
            try:
                setattr(indicator, name, text_of(row.get(name), limit))
            except WrongValueError as wrong:
                self.say(index, str(wrong), indicator_field(n, name))
        if not indicator.name:
            self.say(index, required(), indicator_field(n, "name"))
        try:
            indicator.max_points = points_of(row.get("max_points"))
            if indicator.max_points is None:
                raise WrongValueError(required())
        except WrongValueError as wrong:
            self.say(index, str(wrong), indicator_field(n, "max_points"))
            indicator.max_points = None
        try:
            indicator.auto_target = points_of(row.get("auto_target"))
        except WrongValueError as wrong:
            self.say(index, str(wrong), indicator_field(n, "auto_target"))
            indicator.auto_target = None
        indicator.evidence_required = flag_of(row.get("evidence_required"))
        indicator.veto = flag_of(row.get("veto"))
        mode = row.get("auto_mode") or ""
        if mode and mode not in AutoMode.values:
            self.say(
                index,
                _("Not a way a figure scores: choose one of the list."),
                indicator_field(n, "auto_mode"),
            )
        indicator.auto_mode = mode
        try:
            return text_of(row.get("parent"), INDICATOR_TEXTS["code"])
        except WrongValueError as wrong:
            self.say(index, str(wrong), indicator_field(n, "parent"))
            return ""

    def check_tree(self, index, made, codes, scheme):
        dimensions = {i.code: i for i, parent in made if not parent}
        items = {}
        for indicator, parent in made:
            n = codes[indicator.code]
            if parent:
                if parent not in codes:
                    message = _(
                        "No dimension of code %(code)s in this scheme: an item names its dimension's code."
                    )
                    self.say(index, message % {"code": parent}, indicator_field(n, "parent"))
                elif parent not in dimensions:
                    message = _(
                        "%(code)s is an item: an item belongs to a dimension (an indicator with no dimension)."
                    )
                    self.say(index, message % {"code": parent}, indicator_field(n, "parent"))
                else:
                    items.setdefault(parent, []).append(indicator)
                    self.check_item(index, n, indicator)
                continue
            for name in ("veto", "metric", "evidence_required"):
                if getattr(indicator, name):
                    message = _(
                        "Only an item is a veto item, is scored from a figure or asks for evidence: a dimension "
                        "gathers its items."
                    )
                    self.say(index, message, indicator_field(n, name))
        if any(i.max_points is None for i, _parent in made):
            return
        total = scheme.total_points if isinstance(scheme.total_points, Decimal) else None
        dimension_sum = sum((d.max_points for d in dimensions.values()), Decimal("0"))
        if total is not None and dimensions and dimension_sum != total:
            message = _("The dimensions add up to %(sum)s points, not the scheme's total of %(total)s.")
            self.say(index, message % {"sum": shown(dimension_sum), "total": shown(total)}, "total_points")
        for code, dimension in dimensions.items():
            found = items.get(code, [])
            n = codes[code]
            if not found:
                message = _("The dimension %(code)s has no items: give its items, or remove it.") % {
                    "code": code
                }
                self.say(index, message, indicator_field(n, "code"))
                continue
            item_sum = sum((i.max_points for i in found), Decimal("0"))
            if item_sum != dimension.max_points:
                message = _("The items of %(code)s add up to %(sum)s points, not the dimension's %(points)s.")
                values = {"code": code, "sum": shown(item_sum), "points": shown(dimension.max_points)}
                self.say(index, message % values, indicator_field(n, "max_points"))

    def check_item(self, index, n, item):
        if item.veto:
            if item.max_points:
                message = _("A veto item (一票否决) is not scored: its points are 0.")
                self.say(index, message, indicator_field(n, "max_points"))
            if item.metric or item.auto_mode:
                message = _("A veto item is recorded by the reviewers, not scored from a figure.")
                self.say(index, message, indicator_field(n, "metric"))
            return
        if item.metric:
            if item.metric not in REGISTRY:
                message = _(
                    "There is no figure “%(metric)s” in the records: choose one of the figures listed."
                )
                self.say(index, message % {"metric": item.metric}, indicator_field(n, "metric"))
            elif item.metric.startswith("assessment."):
                message = _("A figure of the star rating itself does not score an item.")
                self.say(index, message, indicator_field(n, "metric"))
            if not item.auto_mode:
                message = _("An item scored from a figure says how the figure scores.")
                self.say(index, message, indicator_field(n, "auto_mode"))
        elif item.auto_mode or item.auto_target is not None:
            message = _("How a figure scores is given only with the figure it reads.")
            self.say(index, message, indicator_field(n, "auto_mode" if item.auto_mode else "auto_target"))

    # A scheme in use -------------------------------------------------------------------------------
    def check_use(self, index, draft, scheme, before, tree, recorded):
        if not scheme.pk:
            return
        campaigns, past_draft = self.usage.get(scheme.pk, (0, 0))
        if past_draft:
            self.say(index, in_use())
            return
        if not campaigns:
            return
        problem = None
        for name in SCORED_HEADER:
            if getattr(scheme, name) != before[name]:
                problem = problem or name
        given = {i.code: (n, i) for n, (i, parent) in enumerate(tree.indicators) if parent}
        old_items = {code: i for code, i in recorded.items() if i.parent_id}
        for code, (n, item) in given.items():
            old = old_items.get(code)
            if old is None:
                problem = problem or indicator_field(n, "code")
            elif any(snapshot_value(old, name) != getattr(item, name) for name in SCORED_ITEM):
                changed = next(
                    name for name in SCORED_ITEM if snapshot_value(old, name) != getattr(item, name)
                )
                problem = problem or indicator_field(n, changed)
        if set(old_items) - set(given):
            problem = problem or "indicators"
        if problem:
            message = _(
                "The branches of a campaign are scoring themselves on this scheme: its items, their points, the "
                "total and the veto and automatic rules stay as they are. Copy the scheme to change them."
            )
            self.say(index, message, problem)


def snapshot_value(indicator, name):
    """A recorded indicator's value as loaded (``remember``), not as the draft set it."""
    loaded = indicator._audit_loaded[name]
    if name in ("max_points", "auto_target") and loaded is not None:
        return Decimal(loaded)
    return loaded


def usage_of(schemes):
    """{scheme pk: (campaigns using it, their evaluations past self-assessment)}, in one query."""
    if not schemes:
        return {}
    rows = (
        Campaign.objects.filter(scheme__in=schemes)
        .order_by()
        .values("scheme_id")
        .annotate(
            n=Count("pk", distinct=True),
            past=Count("evaluations", filter=~Q(evaluations__status=Status.DRAFT)),
        )
    )
    return {row["scheme_id"]: (row["n"], row["past"]) for row in rows}


def not_the_city():
    return _("Your role may not edit rating schemes: the city administrator does.")


def in_use():
    return _(
        "A campaign has used this scheme past self-assessment: it is kept as it was. Copy it and edit the copy."
    )


def version_taken():
    return _("A scheme of this name already has this version.")


# The write -------------------------------------------------------------------------------------------
def record_schemes(drafts, *, by):
    """Make or replace each draft's scheme (header, levels, indicators) as ``by``; the schemes, in order.
    ``RefusedError`` with every problem located, nothing written."""
    drafts = list(drafts)
    with writing(by) as write:
        check = SchemeCheck(drafts, write).run()
        if check.problems:
            raise RefusedError(check.problems)
        for tree in check.trees:
            write_tree(tree)
        written = [tree.scheme for tree in check.trees]
        write.expect(Scheme, ADD, [s for d, s in zip(drafts, written, strict=True) if d.instance is None])
        write.expect(Scheme, CHANGE, [d.instance for d in drafts if d.instance is not None])
    return written


def write_tree(tree):
    scheme = tree.scheme
    if scheme.pk is None:
        bulk_create_audited(Scheme, [scheme], scope_paths=[""])
    else:
        bulk_update_audited(Scheme, [scheme], [*HEADER_FIELDS, "based_on"], scope_paths=[""])
    for level in tree.levels:
        level.scheme = scheme
    new_levels = [lv for lv in tree.levels if lv.pk is None]
    old_levels = [lv for lv in tree.levels if lv.pk is not None]
    for old in tree.old_levels:
        old.delete()
    if new_levels:
        bulk_create_audited(Level, new_levels, scope_paths=[""] * len(new_levels))
    if old_levels:
        bulk_update_audited(
            Level, old_levels, ["name", "min_points", "quota_percent"], scope_paths=[""] * len(old_levels)
        )
    by_code = {i.code: i for i, _parent in tree.indicators}
    for indicator, parent in tree.indicators:
        indicator.scheme = scheme
        indicator.parent = by_code[parent] if parent else None
    dimensions = [i for i, parent in tree.indicators if not parent]
    items = [i for i, parent in tree.indicators if parent]
    fields = ["parent", "position", *[f for f in INDICATOR_FIELDS if f not in ("code", "parent")]]
    recorded = [i for i in dimensions + items if i.pk is not None]
    for group in (dimensions, items):  # the dimensions first: the items name them
        new = [i for i in group if i.pk is None]
        if new:
            bulk_create_audited(Indicator, new, scope_paths=[""] * len(new))
    if recorded:
        bulk_update_audited(Indicator, recorded, fields, scope_paths=[""] * len(recorded))
    for old in sorted(tree.old_indicators, key=lambda i: i.parent_id is None):  # items, then dimensions
        old.delete()


def draft_of(scheme, **values):
    """The draft of a recorded scheme as it is (header, levels, indicators), with ``values`` changed."""
    header = {name: getattr(scheme, name) for name in HEADER_FIELDS}
    header.update(values)
    levels = [
        {name: getattr(level, name) for name in LEVEL_FIELDS} for level in scheme.levels.order_by("-level")
    ]
    indicators = []
    rows = scheme.indicators.select_related("parent").order_by("position", "pk")
    for indicator in rows:
        row = {name: getattr(indicator, name) for name in INDICATOR_FIELDS if name != "parent"}
        row["parent"] = indicator.parent.code if indicator.parent_id else ""
        indicators.append(row)
    return SchemeDraft(header, levels, indicators)


def copy_scheme(scheme, *, by, version, effective_year, name=None):
    """A copy of ``scheme`` (its levels and indicators) as a new version from ``effective_year``, which the
    city then edits: last year's scheme carried over. ``RefusedError`` as ``record_schemes``."""
    values = {"version": version, "effective_year": effective_year, "based_on": scheme}
    if name:
        values["name"] = name
    (copy,) = record_schemes([draft_of(scheme, **values)], by=by)
    return copy


# The workbook ----------------------------------------------------------------------------------------
LEVEL_KINDS = [(LevelKind.STARS.value, "星级"), (LevelKind.GRADES.value, "等次")]
AUTO_MODES = [
    (AutoMode.SHARE.value, "按比例"),
    (AutoMode.AT_LEAST.value, "达标计分"),
    (AutoMode.DEDUCT.value, "扣分"),
]

SCHEME_SHEET = Sheet(
    "方案",
    [
        Column("名称", "name", parsers.text(100), required=True),
        Column("版本", "version", parsers.text(20), required=True),
        Column("起用年度", "effective_year", parsers.whole_number(1000, 9999), required=True),
        Column("总分", "total_points", Points(), required=True),
        Column("加分上限", "bonus_max", Points()),
        Column("等级类型", "level_kind", parsers.choice(LEVEL_KINDS)),
        Column(
            "否决项封顶等级",
            "veto_cap",
            parsers.whole_number(0, MAX_LEVEL),
            help=gettext_lazy("A branch that fails a veto item is rated at most this level; 0: not rated."),
        ),
        Column("公示工作日", "publicity_days", parsers.whole_number(0, MAX_PUBLICITY_DAYS)),
        Column("依据", "source", parsers.text(2000)),
        Column("说明", "notes", parsers.text(4000)),
    ],
)
LEVELS_SHEET = Sheet(
    "等级",
    [
        Column("等级", "level", parsers.whole_number(0, None), required=True, help=gettext_lazy("1 to 5.")),
        Column("名称", "name", parsers.text(20), help=gettext_lazy("Empty for stars: 一星 … 五星.")),
        Column(
            "起评分", "min_points", Points(), required=True, help=gettext_lazy("The level from these points.")
        ),
        Column(
            "名额比例",
            "quota_percent",
            parsers.whole_number(0, None),
            help=gettext_lazy("At most this percentage of the branches; empty: no quota."),
        ),
    ],
    key="level",
)
INDICATORS_SHEET = Sheet(
    "指标",
    [
        Column("代码", "code", parsers.text(12), required=True),
        Column(
            "所属维度",
            "parent",
            parsers.text(12),
            help=gettext_lazy("An item's dimension, by its code; empty for a dimension."),
        ),
        Column("名称", "name", parsers.text(200), required=True),
        Column("分值", "max_points", Points(), required=True),
        Column("评分说明", "guidance", parsers.text(2000)),
        Column("佐证材料", "evidence", parsers.text(1000)),
        Column("须上传佐证", "evidence_required", parsers.yes_no()),
        Column("一票否决", "veto", parsers.yes_no()),
        Column(
            "自动计分指标",
            "metric",
            parsers.text(60),
            help=gettext_lazy("The name of a figure of the records (such as activities.compliance)."),
        ),
        Column("计分方式", "auto_mode", parsers.choice(AUTO_MODES)),
        Column("目标或扣分", "auto_target", Points()),
        Column("依据", "source", parsers.text(1000)),
    ],
    key="code",
)
SHEETS = (SCHEME_SHEET, LEVELS_SHEET, INDICATORS_SHEET)
PART_SHEET = {None: SCHEME_SHEET, "levels": LEVELS_SHEET, "indicators": INDICATORS_SHEET}


def scheme_workbook(scheme):
    """The .xlsx (bytes) of a scheme: 方案 (its header), 等级 (its levels), 指标 (its dimensions and items,
    a dimension before its items), in Chinese; ``read_scheme_workbook`` reads it back the same."""
    draft = draft_of(scheme)
    book = Workbook()
    book.remove(book.active)
    parts = [
        (SCHEME_SHEET, [draft.values]),
        (LEVELS_SHEET, draft.levels),
        (INDICATORS_SHEET, draft.indicators),
    ]
    for declaration, rows in parts:
        sheet = book.create_sheet(declaration.name)
        sheet.freeze_panes = "A2"
        for column_number, column in enumerate(declaration.columns, start=1):
            cell = sheet.cell(1, column_number, column.header)
            cell.font = REQUIRED_FONT if column.required else HEADER_FONT
            cell.fill = HEADER_FILL
            if column.help:
                cell.comment = Comment(str(column.help), AUTHOR, width=240, height=80)
            sheet.column_dimensions[cell.column_letter].width = max(12, 2 * len(column.header) + 4)
        for row_number, row in enumerate(rows, start=2):
            for column_number, column in enumerate(declaration.columns, start=1):
                value = column.parser.cell(row.get(column.key))
                if isinstance(value, bool):
                    value = "是" if value else "否"
                if value in (None, ""):
                    continue
                cell = sheet.cell(row_number, column_number)
                if isinstance(value, str):
                    text_cell(cell, value)
                else:
                    cell.value = value
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_scheme_workbook(content):
    """The ``SchemeDraft`` of a scheme's .xlsx (``scheme_workbook``'s sheets); ``RefusedError`` whose messages
    name the sheet, the row and the column of every problem (nothing is written: this only reads)."""
    try:
        data = read_workbook(content, list(SHEETS), max_bytes=2 * 1024 * 1024, max_rows=2000)
    except WorkbookRejected as rejected:
        raise RefusedError([Problem(rejected.message, 0)]) from None
    problems = []
    for declaration in SHEETS:
        if not data[declaration.name].present:
            issue = CellIssue(declaration.name, None, None, "", _("The workbook has no sheet of this name."))
            problems.append(Problem(format_issue(issue), 0))
    problems += [Problem(format_issue(issue), 0) for issue in data.errors]
    header_rows = data[SCHEME_SHEET.name].rows
    if data[SCHEME_SHEET.name].present and not data[SCHEME_SHEET.name].failed and len(header_rows) != 1:
        issue = CellIssue(
            SCHEME_SHEET.name, None, None, "", _("The sheet has one row below its headers: the scheme's.")
        )
        problems.append(Problem(format_issue(issue), 0))
    if problems:
        raise RefusedError(problems)
    draft = SchemeDraft({})
    header = header_rows[0]
    draft.values = {key: header.values[key] for key in data[SCHEME_SHEET.name].columns}
    draft.rows[("header", None)] = header.number
    for part, declaration in (("levels", LEVELS_SHEET), ("indicators", INDICATORS_SHEET)):
        sheet = data[declaration.name]
        target = getattr(draft, part)
        for row in sheet.rows:
            values = {key: row.values[key] for key in sheet.columns}
            if part == "indicators":
                values = {"parent": "", **values}
                for name in ("guidance", "evidence", "metric", "auto_mode", "source"):
                    values[name] = values.get(name) or ""
            draft.rows[(part, len(target))] = row.number
            target.append(values)
    return draft


def locate(problems, draft):
    """Each problem of ``record_schemes`` on a draft read from a workbook, as a line naming its sheet, row and
    column (``dataio.errors.format_issue``)."""
    lines = []
    for problem in problems:
        part, index, name = split_field(problem.field)
        declaration = PART_SHEET[part]
        if part is None:
            row = draft.rows.get(("header", None))
            keys = {c.key for c in declaration.columns}
            header = declaration.column(name).header if name in keys else None
            value = draft.values.get(name, "") if name in keys else ""
        elif index is None:
            row, header, value = None, None, ""
        else:
            row = draft.rows.get((part, index))
            keys = {c.key for c in declaration.columns}
            header = declaration.column(name).header if name in keys else None
            rows = getattr(draft, part)
            value = rows[index].get(name, "") if header and index < len(rows) else ""
        if isinstance(value, Decimal):
            text = shown(value)
        else:
            text = display(value) if value not in (None, "") and not isinstance(value, bool) else ""
        issue = CellIssue(declaration.name, row, header, text, str(problem.message))
        lines.append(format_issue(issue))
    return lines


def import_scheme_workbook(content, *, by, instance=None):
    """Read a scheme's .xlsx and record it: a new scheme, or the recorded one of the same name and version
    (or ``instance``) with its tree replaced. ``RefusedError`` whose messages name sheet, row and column."""
    draft = read_scheme_workbook(content)
    if instance is None:
        instance = Scheme.objects.filter(
            name=draft.values.get("name"), version=draft.values.get("version")
        ).first()
    draft.instance = instance
    try:
        (scheme,) = record_schemes([draft], by=by)
    except RefusedError as refused:
        if refused.missing:
            raise
        raise RefusedError([Problem(line, 0) for line in locate(refused.problems, draft)]) from None
    return scheme
