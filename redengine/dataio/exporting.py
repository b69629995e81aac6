"""The user's scope as an import workbook (导出为导入模板格式): the sheets of the template, with its headers,
filled with the records, so that the file imports back as "no change".

Each importer gives its records as rows of values as its ``plan`` reads them; a column's parser turns
a value into the cell that reads back the same (a choice's name, 是/否, a date). Codes, ID numbers and
mobiles are written as text in text-formatted columns. ID numbers and mobiles are in full only for
the people the user may reveal; the others are masked, and a masked ID number is refused on import.

A workbook of more than ``EXPORT_BACKGROUND_ROWS`` rows (``workbook_rows``: one COUNT per sheet) is
written by the background worker (``write_workbook_job``, a job of kind ``workbook`` in
``core/export_jobs.py``) to a file with constant memory: each sheet is written row by row, in order.
"""

import datetime
import io

import xlsxwriter
from django.utils.translation import gettext as _

from redengine.core import export_jobs
from redengine.core.exports import CHUNK, stamp_text
from redengine.core.models import ExportJob

from .importer import ImportContext, importers


def exportable(user):
    """The importers whose records the user may export."""
    return [importer for importer in importers() if user.can(importer.models[0], "export")]


def workbook_rows(user):
    """The rows the user's workbook would hold: one COUNT per sheet, scoped as ``export_rows`` is (a sheet
    that cannot count its rows counts as unbounded, so that its workbook is written in the background)."""
    ctx = ImportContext(user)
    counts = [importer.export_count(ctx) for importer in exportable(user)]
    return float("inf") if None in counts else sum(counts)


def export_workbook(user, stamp="", output=None, progress=None):
    """(the .xlsx as bytes — or None when written to the path ``output`` —, rows written, whether any ID
    number or mobile is in full). ``progress(rows)`` is told every ``CHUNK`` rows.

    ``stamp`` (who exported it, when, who approved it) goes where the import does not read: the document
    properties, every sheet's page header, and a note shown on the first sheet's first cell."""
    ctx = ImportContext(user)
    buffer = io.BytesIO() if output is None else None
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    # To a file: each row goes to disk once the next one starts (the sheets write their rows in order).
    options.update({"in_memory": True} if output is None else {"constant_memory": True})
    book = xlsxwriter.Workbook(buffer if output is None else output, options)
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
            if progress is not None and count % CHUNK == 0:
                progress(count)
    book.close()
    content = buffer.getvalue() if buffer is not None else None
    return content, count, bool(ctx.state.get("revealed"))


def workbook_detail(revealed):
    """What the access log says of a workbook export."""
    if revealed:
        return _("import workbook; ID numbers and mobiles in full")
    return _("import workbook; ID numbers and mobiles masked")


@export_jobs.writer(ExportJob.Kind.WORKBOOK)
def write_workbook_job(job, path, progress):
    """The workbook of the job's requester, for the role in force that the request had, written at ``path``."""
    user = export_jobs.requester(job)
    ExportJob.objects.filter(pk=job.pk).update(rows_total=min(workbook_rows(user), 2**31 - 1))
    _content, count, revealed = export_workbook(
        user, stamp=stamp_text(user, job.approval), output=path, progress=progress
    )
    return count, workbook_detail(revealed)
