"""Reading a workbook against declared sheets: every cell parsed, every problem located.

``read_workbook`` vets the file (``package``), reads the declared sheets with python-calamine (Rust,
about a second for 100,000 rows) and runs each cell through its column's parser. It never stops at
the first problem: the user gets every one, located by sheet, Excel row number and column header, and
fixes them in one round. It makes no database query; checks across rows (beyond duplicate keys) and
against the database are the declaring app's, done in bulk on ``WorkbookData``.
"""

import io
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field

import python_calamine
from django.utils.translation import gettext as _

from .errors import ERROR, WARNING, CellIssue, WorkbookRejected
from .package import MB, Limits, Package, column_letters, damaged, damaged_part, encrypted
from .parsers import CellError, display
from .sheets import Sheet, header_key


class Row:
    """A row whose every cell parsed: ``values`` by column key, ``raw`` the cells as typed (text).

    ``raw`` is worked out only when asked for (to report a problem): most rows never need it."""

    __slots__ = ("number", "values", "_raw", "_cells", "_positions")

    def __init__(self, number, values, raw=None, *, cells=None, positions=()):
        self.number = number  # Excel's row number: the header is row 1
        self.values = values
        self._raw, self._cells, self._positions = raw, cells, positions

    @property
    def raw(self):
        if self._raw is None:
            raw = dict.fromkeys(self.values, "")
            for key, position in self._positions:
                raw[key] = display(self._cells[position])
            self._raw = raw
        return self._raw

    def __repr__(self):
        return f"Row({self.number}, {self.values!r})"


@dataclass
class SheetData:
    """What one declared sheet gave: the rows that parsed and the problems of the others."""

    sheet: Sheet
    present: bool = False
    rows: list = field(default_factory=list)
    issues: list = field(default_factory=list)
    columns: frozenset = frozenset()  # keys of the declared columns that the file has
    # Rows with a problem in a cell, as far as they parsed: an app may still want their keys, so as not
    # to report a second time every row of another sheet that refers to them.
    failed: list = field(default_factory=list)

    @property
    def complete(self):
        """Every required column is in the header row: the rows can be understood."""
        return all(c.key in self.columns for c in self.sheet.columns if c.required)

    def issue(self, row, key, reason, level=ERROR):
        """Record a problem that the app found in ``row`` (a ``Row``) at column ``key``."""
        issue = CellIssue(
            self.sheet.name,
            row.number,
            self.sheet.column(key).header,
            row.raw.get(key, ""),
            str(reason),
            level,
        )
        self.issues.append(issue)
        return issue


@dataclass
class WorkbookData:
    sheets: dict  # declared sheet name -> SheetData, in declaration order, present or not

    def __getitem__(self, name):
        return self.sheets[name]

    @property
    def issues(self):
        return [issue for data in self.sheets.values() for issue in data.issues]

    @property
    def errors(self):
        return [issue for issue in self.issues if issue.level == ERROR]

    @property
    def warnings(self):
        return [issue for issue in self.issues if issue.level == WARNING]

    @property
    def has_errors(self):
        return any(issue.level == ERROR for data in self.sheets.values() for issue in data.issues)


class TooManyIssuesError(Exception):
    pass


class Budget:
    """Stops reading after ``limit`` problems: a hostile or hopeless file must not fill the memory."""

    def __init__(self, limit):
        self.limit, self.count = limit, 0

    def add(self, data, row, header, value, reason, level=ERROR):
        if self.count >= self.limit:
            raise TooManyIssuesError
        self.count += 1
        data.issues.append(CellIssue(data.sheet.name, row, header, value, str(reason), level))


def read_workbook(
    path_or_file,
    sheets,
    *,
    max_bytes=20 * MB,
    max_unpacked_bytes=200 * MB,
    max_ratio=100,
    max_rows=1_000_000,
    max_cells=10_000_000,
    max_issues=100_000,
):
    """Read the declared ``sheets`` of an .xlsx (a path, bytes or a file object such as an upload).

    Raises ``WorkbookRejected`` for a file refused as a whole; returns ``WorkbookData`` otherwise,
    whose ``issues`` say what is wrong inside it. A sheet absent from the file is skipped.

    The limits: the file's size (``max_bytes``), what it may unpack to (``max_unpacked_bytes``, and
    ``max_ratio`` for one part), how far down (``max_rows``) and how wide (``max_cells``) a sheet's
    cells may reach, and how many problems are collected before reading stops (``max_issues``).
    """
    limits = Limits(max_bytes, max_unpacked_bytes, max_ratio, max_rows=max_rows, max_cells=max_cells)
    declared = {header_key(sheet.name): sheet for sheet in sheets}
    data = WorkbookData({sheet.name: SheetData(sheet) for sheet in sheets})
    with opened(path_or_file, limits) as (fileobj, size):
        package = Package(fileobj, size, limits, lambda title: header_key(title) in declared)
        book = open_calamine(fileobj)
        budget = Budget(max_issues)
        for part in package.sheets.values():
            if part.scan is None:
                continue
            sheet_data = data.sheets[declared[header_key(part.title)].name]
            if sheet_data.present:  # '学校' and '学校 ' are both there: which one is meant is unclear
                same = _("Another sheet of the same name was read already; this one is ignored.")
                sheet_data.issues.append(CellIssue(part.title, None, None, "", same))
                continue
            try:
                read_sheet(book, package, part, sheet_data, budget)
            except TooManyIssuesError:
                stop = _("Reading stopped after %(count)s problems. Correct these and upload the file again.")
                sheet_data.issues.append(
                    CellIssue(sheet_data.sheet.name, None, None, "", stop % {"count": max_issues})
                )
                break
    return data


@contextmanager
def opened(source, limits):
    """(seekable binary file, size) for a path, bytes or a file object; a stream is spooled, at most
    ``max_bytes`` + 1 of it, so that an endless upload is refused without being read to its end."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fileobj:
            yield fileobj, os.fstat(fileobj.fileno()).st_size
        return
    if isinstance(source, bytes | bytearray):
        yield io.BytesIO(source), len(source)
        return
    if getattr(source, "seekable", lambda: False)():
        source.seek(0, io.SEEK_END)
        size = source.tell()
        source.seek(0)
        yield source, size
        return
    with tempfile.SpooledTemporaryFile(max_size=8 * MB) as spool:
        size = 0
        while size <= limits.max_bytes and (chunk := source.read(MB)):
            spool.write(chunk)
            size += len(chunk)
        yield spool, size


def open_calamine(fileobj):
    fileobj.seek(0)
    try:
        return python_calamine.CalamineWorkbook.from_filelike(fileobj)
    except python_calamine.PasswordError:
        raise WorkbookRejected(encrypted()) from None
    except python_calamine.CalamineError:
        raise WorkbookRejected(damaged()) from None


def read_sheet(book, package, part, data, budget):
    """Header row, then every data row, of one sheet; issues end up in row order."""
    data.present = True
    try:
        cells = book.get_sheet_by_name(part.title).to_python(skip_empty_area=False)
    except python_calamine.CalamineError:
        raise WorkbookRejected(damaged_part(part.part)) from None
    header = cells[0] if cells else []
    mapped = read_header(header, data, budget)
    formulas = package.formula_cells(part) if part.scan.has_formula else []
    formula_rows = report_formulas(formulas, header, data, budget)
    read_rows(cells, mapped, formula_rows, data, budget)
    data.issues.sort(key=lambda issue: issue.row or 0)


def read_header(header, data, budget):
    """[(cell index, Column)] of the declared columns found in row 1; missing and extra ones reported."""
    by_header = {header_key(column.header): column for column in data.sheet.columns}
    mapped, found = [], set()
    for index, cell in enumerate(header):
        text = display(cell).strip()
        if not text:
            continue
        column = by_header.get(header_key(text))
        if column is None:
            budget.add(data, 1, text, "", _("This column is not in the template and is ignored."), WARNING)
        elif column.key in found:
            budget.add(data, 1, text, "", _("This column appears more than once in the header row."))
        else:
            found.add(column.key)
            mapped.append((index, column))
    for column in data.sheet.columns:
        if column.required and column.key not in found:
            budget.add(data, 1, column.header, "", _("This required column is missing from the header row."))
    data.columns = frozenset(found)
    return mapped


def report_formulas(formulas, header, data, budget):
    """One error per formula cell (security-goals.md: formulas are refused); returns their rows."""
    rows = set()
    reason = _("The cell holds a formula. Type the value itself (copy the cells, then paste them as values).")
    for row, column in formulas:
        index = column - 1
        text = display(header[index]).strip() if index < len(header) else ""
        budget.add(data, row, text or column_letters(column), "", reason)
        rows.add(row)
    return rows


MISSING = object()
MEMO_SIZE = 50_000  # distinct values remembered per column


def has_data(cells):
    return any(cell != "" and not (cell.__class__ is str and cell.isspace()) for cell in cells)


def read_rows(cells, mapped, formula_rows, data, budget):
    """Every non-blank row below the header: parsed, checked, and kept when it has no error.

    This loop runs once per cell (800,000 times for 100,000 rows of 8 columns), hence the locals."""
    sheet, add, required_reason = data.sheet, budget.add, _("This cell is required.")
    defaults = {c.key: c.parser(None) for c in sheet.columns if c.key not in data.columns}
    columns = [
        (index, c.key, c.parser, c.parser(None), c.required, c.header, {} if c.parser.repeats else None)
        for index, c in mapped
    ]
    positions = tuple((c.key, index) for index, c in mapped)
    first_rows = {}
    rows, failed = data.rows, data.failed
    for index in range(1, len(cells)):
        row_cells = cells[index]
        if not has_data(row_cells):
            continue
        number = index + 1
        values = dict(defaults)
        ok = number not in formula_rows
        for position, key, parser, empty, required, header, known in columns:
            cell = row_cells[position]
            if cell == "":
                value = empty
            else:
                # A column of few values (a choice, a code) parses each of them once: 1 and 1.0 and TRUE
                # are equal keys in a dict, so only text is remembered as itself.
                memo = cell if cell.__class__ is str else (cell.__class__, cell)
                value = known.get(memo, MISSING) if known is not None else MISSING
                if value is MISSING:
                    try:
                        value = parser(cell)
                    except CellError as error:
                        add(data, number, header, display(cell), error.reason)
                        ok = False
                        continue
                    if known is not None and len(known) < MEMO_SIZE:
                        known[memo] = value
            if value is None and required:
                add(data, number, header, "", required_reason)
                ok = False
            values[key] = value
        row = Row(number, values, cells=row_cells, positions=positions)
        if sheet.key:
            ok = check_duplicate(row, first_rows, data, budget) and ok
        (rows if ok else failed).append(row)


def check_duplicate(row, first_rows, data, budget):
    """False when the row repeats the key of an earlier row, which is named."""
    values = row.values
    key = tuple(values.get(k) for k in data.sheet.key)
    if None in key:
        return True
    number = row.number
    first = first_rows.setdefault(key, number)
    if first == number:
        return True
    header = data.sheet.column(data.sheet.key[0]).header
    shown = " / ".join(row.raw[k] for k in data.sheet.key)
    budget.add(data, number, header, shown, _("Duplicate of row %(row)s.") % {"row": first})
    return False
