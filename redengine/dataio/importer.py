"""Importing a workbook: every row of every sheet checked first, then everything written in one transaction.

Apps declare their sheets in their own ``imports`` module, like metrics in ``metrics`` (core imports
every app's ``imports`` module at start-up, ``CoreConfig.ready``): one ``SheetImporter`` per sheet,
registered with ``register``, its ``order`` being the order in which the sheets are planned and
written (学校 → 党组织 → 人员 → 称号 → 发展环节), so that a row may refer to a row of an earlier sheet of the same
file as well as to a record in the database.

An importer maps rows to the items of its app's batch-first services and nothing more: its ``plan``
reads the sheet's parsed rows, finds the records they name in bulk (``ImportContext.lookup``: by codes
or blind indexes, a few queries whatever the number of rows), hands the items to the service's
``check`` (the rules and the scope checks are the service's, the same for a form and the API) and
reports every problem on the row and column where it lies (``report``). ``validate`` plans every
sheet; ``write`` applies every sheet's service plan inside one write path (``core.writes.writing``: one
transaction, the importing user as the actor, everything written re-checked against their scope
before it commits). Nothing is written when any row of any sheet has an error.
"""

import contextlib
import gc
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.writes import SYSTEM, Scope, writing

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
        """Apply the service plans that ``plan`` holds (``ctx.write`` is the write in progress)."""
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

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, *plans, **extra):
        """The counts of one or more service plans (their ``counts()``), the plans kept in ``extra``."""
        counts = [plan.counts() for plan in plans if plan is not None]
        return cls(
            new=sum(c["new"] for c in counts),
            changed=sum(c["changed"] for c in counts),
            unchanged=sum(c["unchanged"] for c in counts),
            extra=extra,
        )

    def counts(self):
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged}

    @property
    def writes(self):
        return self.new + self.changed


REGISTRY: dict[str, SheetImporter] = {}


def register(importer):
    """Register a ``SheetImporter`` (an instance) under its sheet's name."""
    REGISTRY[importer.sheet.name] = importer
    return importer


def importers():
    """The registered importers in their order."""
    return sorted(REGISTRY.values(), key=lambda importer: importer.order)


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
        self.by = SYSTEM if user is None else user
        self.scope = Scope(self.by)  # the scope questions of the checks; the write in progress once writing
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

    def known(self, model, objs, action="view"):
        """A function giving, for one of ``objs`` (records or None), the record if the importing user may know
        of it (new in the file, or recorded within their ``action`` scope), else None: a recorded one outside
        the scope is answered word for word as one that does not exist. The scope is asked in bulk, once."""
        cache = self.state.setdefault(("known", model, action), {})
        unknown = {o.pk for o in objs if o is not None and o.pk and o.pk not in cache}
        if unknown:
            allowed = self.scope.allowed(model, action, unknown)
            cache.update((pk, pk in allowed) for pk in unknown)

        def known(obj):
            if obj is None or not obj.pk:
                return obj
            if obj.pk not in cache:
                cache[obj.pk] = bool(self.scope.allowed(model, action, [obj.pk]))
            return obj if cache[obj.pk] else None

        return known

    def lookup(self, name, queryset, field):
        if name not in self.lookups:
            self.lookups[name] = Lookup(queryset, field)
        return self.lookups[name]

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
    with collector_paused(), writing(ctx.by) as write:
        ctx.scope = write
        write.progress = lambda count: ctx.advance("write", count)
        for importer in importers():
            plan = validation.plans.get(importer.sheet.name)
            if plan is not None and plan.writes:
                before = ctx.written
                importer.write(ctx, plan)  # may report its own progress as it goes
                ctx.advance("write", plan.writes - (ctx.written - before))
    return ctx.written


def report(data, rows, problems, *, columns=None, default, skip=()):
    """Each problem of a service's check as an issue of its row (``rows[problem.item]``) and column: the
    problem's field as ``columns`` maps it (else the column of that name), else ``default``. A record
    outside the importer's scope is told as such, nothing more; ``skip`` holds (row index, column) pairs
    whose problem the mapping has told already."""
    columns = columns or {}
    keys = {column.key for column in data.sheet.columns}
    for problem in problems:
        if problem.item is None:
            continue
        column = columns.get(problem.field, problem.field) if problem.field else default
        if column not in keys:
            column = default
        if (problem.item, column) in skip:
            continue
        message = (
            _("This record lies outside your scope: you may not import it.")
            if problem.missing
            else problem.message
        )
        data.issue(rows[problem.item], column, message)
