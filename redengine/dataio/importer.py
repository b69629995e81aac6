"""Importing a workbook: every row of every sheet checked first, then everything written in one transaction.

Apps declare their sheets in their own ``imports`` module, like metrics in ``metrics``: one
``SheetImporter`` per sheet, registered with ``register``, its ``order`` being the order in which the
sheets are planned and written (学校 → 党组织 → 人员 → 称号), so that a row may refer to a row of an
earlier sheet of the same file as well as to a record in the database.

An importer's ``plan`` reads its sheet's parsed rows, loads what it needs from the database in bulk
(``ImportContext.lookup``: by codes or blind indexes, a few queries whatever the number of rows),
reports every problem on the row, column and value where it lies (``SheetData.issue``) and returns a
``SheetPlan``: what is new, what changes, how many rows change nothing, and whatever its ``write``
needs. ``validate`` plans every sheet, ``write`` writes the plans in one transaction, each importer
with ``bulk_create``/``bulk_update`` and its audit records in bulk. Nothing is written when any row of
any sheet has an error.
"""

import contextlib
import gc
import importlib
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.scoping import user_prefixes

from .errors import WorkbookRejected
from .reader import read_workbook
from .sheets import header_key

CHUNK = 5000  # keys per IN (...) query: well under SQLite's 32,766 parameters


def chunked(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SheetImporter:
    """One sheet of the import workbook: how it is planned against the database, written and exported."""

    sheet = None  # a sheets.Sheet
    order = 0  # planned and written in this order
    models = ()  # the models it writes: whoever may add or change one of them may import

    def code_lists(self, user):
        """Run-time drop-down values of the template, by column key (e.g. the user's school codes)."""
        return {}

    def plan(self, ctx, data):
        """Check ``data`` (the sheet's ``SheetData``) against the database and earlier sheets; a ``SheetPlan``."""
        raise NotImplementedError

    def write(self, ctx, plan):
        """Write what ``plan`` holds, in bulk, with its audit records."""
        raise NotImplementedError

    def export_rows(self, ctx):
        """The records of the user's scope as rows (dicts by column key, values as ``plan`` reads them)."""
        return []

    def export_count(self, ctx):
        return None


@dataclass
class SheetPlan:
    """What importing a sheet would do: the new and changed items (as the importer keeps them), the count
    of rows that change nothing, and anything else its ``write`` needs."""

    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged: int = 0
    extra: dict = field(default_factory=dict)

    def counts(self):
        return {"new": len(self.new), "changed": len(self.changed), "unchanged": self.unchanged}

    @property
    def writes(self):
        return len(self.new) + len(self.changed)


REGISTRY: dict[str, SheetImporter] = {}


def register(importer):
    """Register a ``SheetImporter`` (an instance) under its sheet's name."""
    REGISTRY[importer.sheet.name] = importer
    return importer


def discover():
    """Import every app's ``imports`` module once, so that its sheets register."""
    for config in apps.get_app_configs():
        if config.name.startswith("redengine."):
            try:
                importlib.import_module(f"{config.name}.imports")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.imports":
                    raise
    return REGISTRY


def importers():
    """The registered importers in their order."""
    return sorted(discover().values(), key=lambda importer: importer.order)


def sheets():
    return [importer.sheet for importer in importers()]


def may_import(user):
    """Whether the user may add or change any record an import writes (the rows are then checked one by one)."""
    return any(
        user.can(model, action)
        for importer in importers()
        for model in importer.models
        for action in ("add", "change")
    )


class Lookup:
    """Records of one model by a key: those in the database, loaded in bulk as the sheets ask for them
    (one query per 5,000 keys), and those the file creates."""

    def __init__(self, queryset, field):
        self.queryset, self.field = queryset, field
        self.records = {}
        self.new = set()
        self._asked = set()

    def load(self, keys):
        wanted = {key for key in keys if key is not None and key not in self._asked}
        self._asked |= wanted
        for chunk in chunked(sorted(wanted)):
            for obj in self.queryset.filter(**{f"{self.field}__in": chunk}):
                self.records[getattr(obj, self.field)] = obj
        return self

    def get(self, key):
        return self.records.get(key)

    def add(self, key, obj):
        self.records[key] = obj
        self.new.add(key)
        self._asked.add(key)

    def is_new(self, key):
        return key in self.new


class ImportContext:
    """One import: who imports (None: the whole tree, as a command without --user), today, the state the
    sheets share, and the progress (rows validated, rows written)."""

    def __init__(self, user=None, *, today=None, progress=None):
        self.user = user
        self.today = today or timezone.localdate()
        self.progress = progress
        self.state = {}
        self.lookups = {}
        self.data = None
        self.incomplete = set()  # sheets that lack a required column: their rows cannot be understood
        self.total = self.validated = self.written = self.write_total = 0

    @property
    def whole_tree(self):
        return self.user is None

    def lookup(self, name, queryset, field):
        if name not in self.lookups:
            self.lookups[name] = Lookup(queryset, field)
        return self.lookups[name]

    # Scope ------------------------------------------------------------------------------------------
    def prefixes(self, model, action):
        """Path prefixes where the user may do ``action`` on ``model``; None for the whole tree."""
        if self.whole_tree:
            return None
        return user_prefixes(self.user, model, action)

    def path_allowed(self, model, action, path):
        """Whether a record at ``path`` of the tree is in the user's scope for ``action`` on ``model``."""
        prefixes = self.prefixes(model, action)
        return prefixes is None or any(path.startswith(prefix) for prefix in prefixes)

    def allowed_pks(self, model, action, pks, rule=None):
        """The pks among ``pks`` of ``model`` that lie in the user's scope for ``action`` on ``rule`` (default:
        the model itself, i.e. ``visible_to``), in one query per 5,000."""
        pks = {pk for pk in pks if pk is not None}
        if self.whole_tree or not pks:
            return pks
        prefixes = user_prefixes(self.user, rule or model, action)
        if not prefixes:
            return set()
        if "" in prefixes:
            return pks
        allowed = set()
        for chunk in chunked(sorted(pks)):
            allowed.update(
                model._default_manager.filter(model.scope_filter(prefixes), pk__in=chunk).values_list(
                    "pk", flat=True
                )
            )
        return allowed

    # Progress ---------------------------------------------------------------------------------------
    def advance(self, phase, count):
        if phase == "validate":
            self.validated = min(self.total, self.validated + count)
            done = self.validated
        else:
            self.written += count
            done = self.written
        if self.progress is not None and count:
            self.progress(phase, done, self.total if phase == "validate" else self.write_total)

    def unreadable(self, sheet_name):
        """A sheet whose rows could not be read: references to its rows are not reported again."""
        return sheet_name in self.incomplete


@dataclass
class Validation:
    """The outcome of planning every sheet: the plans, and every problem in the order of the file."""

    data: object
    plans: dict
    issues: list
    rows_total: int

    @property
    def errors(self):
        return [issue for issue in self.issues if issue.is_error]

    @property
    def warnings(self):
        return [issue for issue in self.issues if not issue.is_error]

    @property
    def has_errors(self):
        return any(issue.is_error for issue in self.issues)

    def counts(self):
        return {name: plan.counts() for name, plan in self.plans.items()}

    @property
    def has_changes(self):
        return any(plan.writes for plan in self.plans.values())

    @property
    def writes(self):
        return sum(plan.writes for plan in self.plans.values())


def issue_order(chosen):
    sheet_rank = {importer.sheet.name: n for n, importer in enumerate(chosen)}
    column_rank = {
        (importer.sheet.name, header_key(column.header)): n
        for importer in chosen
        for n, column in enumerate(importer.sheet.columns)
    }

    def key(issue):
        column = header_key(issue.column_header) if issue.column_header else ""
        return (
            sheet_rank.get(issue.sheet, len(sheet_rank)),
            issue.row or 0,
            column_rank.get((issue.sheet, column), len(column_rank)),
        )

    return key


@contextlib.contextmanager
def collector_paused():
    """No cyclic garbage collection while an import makes its hundreds of thousands of objects: the
    collector would walk them all again and again (a fifth of the time at 100,000 rows). Restored after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def validate(source, ctx, **read_options):
    """Read ``source`` (path, bytes or file) and plan every sheet; raises ``WorkbookRejected`` for a file
    refused as a whole. Makes no write."""
    with collector_paused():
        return _validate(source, ctx, **read_options)


def _validate(source, ctx, **read_options):
    chosen = importers()
    data = read_workbook(source, [importer.sheet for importer in chosen], **read_options)
    if not any(sheet.present for sheet in data.sheets.values()):
        raise WorkbookRejected(
            _("The workbook has none of the sheets %(sheets)s. Download the template and fill it in.")
            % {"sheets": "、".join(importer.sheet.name for importer in chosen)}
        )
    ctx.data = data
    ctx.total = sum(len(sheet.rows) + len(sheet.failed) for sheet in data.sheets.values())
    ctx.incomplete = {name for name, sheet in data.sheets.items() if sheet.present and not sheet.complete}
    plans = {}
    for importer in chosen:
        sheet = data[importer.sheet.name]
        before = ctx.validated
        if sheet.present and sheet.complete:
            plans[importer.sheet.name] = importer.plan(ctx, sheet)
        ctx.advance("validate", len(sheet.rows) + len(sheet.failed) - (ctx.validated - before))
    issues = sorted(data.issues, key=issue_order(chosen))
    return Validation(data, plans, issues, ctx.total)


def write(validation, ctx):
    """Write every plan of an error-free validation in one transaction; the number of rows written."""
    if validation.has_errors:
        raise ValueError("a workbook with errors is never written")
    ctx.written, ctx.write_total = 0, validation.writes
    with collector_paused(), transaction.atomic():
        for importer in importers():
            plan = validation.plans.get(importer.sheet.name)
            if plan is not None and plan.writes:
                before = ctx.written
                importer.write(ctx, plan)  # may report its own progress as it goes
                ctx.advance("write", plan.writes - (ctx.written - before))
    return ctx.written
