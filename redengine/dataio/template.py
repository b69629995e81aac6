"""The blank workbook users fill in: one sheet per declaration, made so that it comes back readable.

Code and ID-number columns are formatted as text before anyone types, since Excel silently turns an
18-digit ID typed into a General cell into 4.30104E+17 and drops its last digits; date columns carry
a date format; every choice column has a drop-down. The drop-downs point to ranges of a hidden sheet
代码表 rather than holding their values inline, because Excel limits an inline list to 255
characters (the 56 ethnic groups alone exceed it).
"""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

CODE_SHEET = "代码表"
TEMPLATE_ROWS = 5000  # rows pre-formatted below the header; Excel extends a format as rows are added
AUTHOR = "红色引擎"
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C00000")


class CodeSheet:
    """The hidden 代码表: one column per distinct list, its title in row 1, values below."""

    def __init__(self, book):
        self.sheet = book.create_sheet(CODE_SHEET)
        self.ranges = {}

    def range_of(self, title, values):
        """The absolute reference of ``values`` on 代码表, adding them on first use."""
        values = tuple(values)
        if values not in self.ranges:
            column = len(self.ranges) + 1
            self.sheet.cell(1, column, title).font = HEADER_FONT
            for row, value in enumerate(values, start=2):
                text_cell(self.sheet.cell(row, column), value)
            letter = get_column_letter(column)
            self.sheet.column_dimensions[letter].width = 20
            self.ranges[values] = f"'{CODE_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        return self.ranges[values]


def text_cell(cell, value):
    """Write ``value`` as text: openpyxl would otherwise take '=…' for a formula."""
    cell.value = str(value)
    cell.data_type = "s"


def header_note(column):
    """The header's comment: the column's help, then how to fill it in."""
    lines = [str(column.help)] if column.help else []
    if column.required:
        lines.append(_("Required."))
    kind = column.parser.kind
    if kind == "date":
        lines.append(_("A date, such as 2019-03-05."))
    elif kind in ("code", "id_number"):
        lines.append(_("Typed as text: keep the cell format Text."))
    elif column.parser.choices():
        lines.append(_("Choose from the drop-down list."))
    return "\n".join(lines)


def add_column(sheet, index, column, code_sheet, code_lists):
    letter = get_column_letter(index)
    cell = sheet.cell(1, index, column.header)
    cell.font = REQUIRED_FONT if column.required else HEADER_FONT
    cell.fill = HEADER_FILL
    note = header_note(column)
    if note:
        cell.comment = Comment(note, AUTHOR, width=240, height=110)
    width = 22 if column.parser.kind == "id_number" else max(12, 2 * len(column.header) + 4)
    sheet.column_dimensions[letter].width = width
    number_format = column.parser.number_format
    if number_format:
        sheet.column_dimensions[letter].number_format = number_format
        for row in range(2, TEMPLATE_ROWS + 2):
            sheet.cell(row, index).number_format = number_format
    values = code_lists.get(column.key) or column.parser.choices()
    if values:
        labels = [str(v[1]) if isinstance(v, tuple | list) else str(v) for v in values]
        validation = DataValidation(
            type="list",
            formula1=code_sheet.range_of(f"{sheet.title}·{column.header}", labels),
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",  # a code typed instead of the name is accepted too
            errorTitle=str(column.header),
            error=_("Choose a value from the drop-down list."),
        )
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)


def build_template(sheets, code_lists=None):
    """The .xlsx (bytes) for ``sheets``.

    ``code_lists`` maps a column key to the drop-down values of that column, for lists the app knows
    only at run time (its districts, its schools); a choice or yes/no column needs none.
    """
    code_lists = code_lists or {}
    book = Workbook()
    book.remove(book.active)
    for declaration in sheets:
        sheet = book.create_sheet(declaration.name)
        sheet.freeze_panes = "A2"
    code_sheet = CodeSheet(book)
    for declaration in sheets:
        sheet = book[declaration.name]
        for index, column in enumerate(declaration.columns, start=1):
            add_column(sheet, index, column, code_sheet, code_lists)
    code_sheet.sheet.sheet_state = "hidden"
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
