"""Excel exports of any list: the current filters, a header naming who exported it and when, logged."""

import io

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import log_access, loggable_path
from .models import AccessEvent

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that a spreadsheet would read as a formula is written as plain text (CSV/formula injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def stamp_text(user, approval=None):
    """Who exported, when, and (for an export that needed it) who approved it, when."""
    text = _("Exported by %(user)s at %(time)s") % {
        "user": user,
        "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }
    if approval is not None:
        text += _("; approved by %(user)s at %(time)s") % {
            "user": approval.approved_by,
            "time": timezone.localtime(approval.decided_at).strftime("%Y-%m-%d %H:%M"),
        }
    return text


def xlsx_response(request, *, title, headers, rows, filename, model=None, approval=None):
    """Write ``rows`` under ``headers`` into one sheet and log the export with its row count.

    The first row, the page header and the document properties name the exporter (and the approver)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    note = book.add_format({"italic": True, "font_color": "#666666"})
    stamp = stamp_text(request.user, approval)
    book.set_properties({"author": str(request.user), "comments": stamp})
    sheet.set_header("&L" + stamp.replace("&", "&&"))
    sheet.write(0, 0, stamp, note)
    sheet.write_row(1, 0, [str(h) for h in headers], bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet.write_row(count + 1, 0, [safe_cell(v) for v in row])
    sheet.freeze_panes(2, 0)
    sheet.set_column(0, max(len(headers) - 1, 0), 18)
    book.close()
    log_access(
        AccessEvent.Kind.EXPORT,
        request=request,
        obj=model._meta.label_lower if model else title,
        rows=count,
        detail=(loggable_path(request) + (f" approved #{approval.pk}" if approval else ""))[:500],
    )
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
