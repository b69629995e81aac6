"""The user's scope as an import workbook (导出为导入模板格式): the sheets of the template, with its headers,
filled with the records, so that the file imports back as "no change".

Each importer gives its records as rows of values as its ``plan`` reads them; a column's parser turns
a value into the cell that reads back the same (a choice's name, 是/否, a date). Codes, ID numbers and
mobiles are written as text in text-formatted columns. ID numbers and mobiles are in full only for
the people the user may reveal; the others are masked, and a masked ID number is refused on import.
"""

import datetime
import io

import xlsxwriter

from .importer import ImportContext, importers


def exportable(user):
    """The importers whose records the user may export."""
    return [importer for importer in importers() if user.can(importer.models[0], "export")]


def export_workbook(user, stamp=""):
    """(the .xlsx as bytes, rows written, whether any ID number or mobile is in full).

    ``stamp`` (who exported it, when, who approved it) goes where the import does not read: the document
    properties, every sheet's page header, and a note shown on the first sheet's first cell."""
    ctx = ImportContext(user)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    header = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    text = book.add_format({"num_format": "@"})
    if stamp:
        book.set_properties({"author": str(user), "comments": stamp})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    count = 0
    for importer in exportable(user):
        columns = importer.sheet.columns
        sheet = book.add_worksheet(importer.sheet.name)
        sheet.freeze_panes(1, 0)
        if stamp:
            sheet.set_header("&L" + stamp.replace("&", "&&"))
            if len(book.worksheets()) == 1:  # the first sheet: a note that shows on opening
                sheet.write_comment(0, 0, stamp, {"visible": True, "x_scale": 3, "y_scale": 1.2})
        for index, column in enumerate(columns):
            kind = column.parser.kind
            width = 22 if kind in ("id_number", "code") else max(12, 2 * len(column.header) + 4)
            sheet.set_column(index, index, width, date if kind == "date" else text)
            sheet.write_string(0, index, column.header, header)
        for number, row in enumerate(importer.export_rows(ctx), start=1):
            for index, column in enumerate(columns):
                value = column.parser.cell(row.get(column.key))
                if value is None or value == "":
                    continue
                if isinstance(value, datetime.date):
                    sheet.write_datetime(
                        number, index, datetime.datetime.combine(value, datetime.time()), date
                    )
                elif isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(number, index, value)
                else:
                    sheet.write_string(number, index, str(value), text)
            count += 1
    book.close()
    return buffer.getvalue(), count, bool(ctx.state.get("revealed"))
