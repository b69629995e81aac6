"""Excel exports of any list: the current filters, a header naming who exported it and when, logged.

The file is named in Chinese after the list, the scope and the day (``教职工名册_芙蓉区_2026-12-02.xlsx``),
sent with an RFC 5987 ``filename*`` (and an ASCII name for old clients); the name never holds a personal
identifier. Exports of more than ``EXPORT_BACKGROUND_ROWS`` rows are written by the background worker
(``core/export_jobs.py``) with the same ``write_book``."""

import io
import re
from urllib.parse import quote

import xlsxwriter
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import log_access, loggable_path
from .dbrouting import from_replica
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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000  # rows read per query, and rows between two progress reports of a background export
NOT_IN_A_NAME = re.compile(r'[\\/:*?"<>|\s]+')


def write_book(output, *, user, title, headers, rows, approval=None, progress=None):
    """Write ``rows`` under ``headers`` into one sheet of a workbook at ``output`` (a path: written row by
    row with constant memory; or a buffer); the rows written. ``progress(count)`` is told every ``CHUNK``
    rows. The first row, the page header and the document properties name the exporter (and approver)."""
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    options.update({"constant_memory": True} if isinstance(output, str) else {"in_memory": True})
    book = xlsxwriter.Workbook(output, options)
    sheet = book.add_worksheet(str(title)[:31])
    bold = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    note = book.add_format({"italic": True, "font_color": "#666666"})
    stamp = stamp_text(user, approval)
    book.set_properties({"author": str(user), "comments": stamp})
    sheet.set_header("&L" + stamp.replace("&", "&&"))
    sheet.freeze_panes(2, 0)
    sheet.set_column(0, max(len(headers) - 1, 0), 18)
    sheet.write(0, 0, stamp, note)
    sheet.write_row(1, 0, [str(h) for h in headers], bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet.write_row(count + 1, 0, [safe_cell(v) for v in row])
        if progress is not None and count % CHUNK == 0:
            progress(count)
    book.close()
    return count


def scope_name(user, filterset=None):
    """The scope an export covers, for its file name: the district, school or organization it is filtered
    by (as far as the user sees it), else the organization of the user's roles in force."""
    form = getattr(filterset, "form", None)
    data = form.cleaned_data if form is not None and form.is_bound and form.is_valid() else {}
    for name in ("district", "school", "organization"):
        value = data.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, models.Model):
            return str(getattr(value, "name", value))
        chosen = dict(getattr(filterset.filters[name].field, "choices", None) or ()).get(value)
        if chosen:
            return str(chosen)
        found = related_name_by_code(filterset, name, value, user)
        if found:
            return found
    return own_scope_name(user)


def related_name_by_code(filterset, name, value, user):
    """The name of the record a ``<relation>__code`` filter names, if the user sees it (one query)."""
    field_name = filterset.filters[name].field_name
    relation, _sep, last = field_name.rpartition("__")
    if last != "code" or not relation or "__" in relation:
        return ""
    try:
        related = filterset.queryset.model._meta.get_field(relation).related_model
    except Exception:  # not a relation of the listed model
        return ""
    if related is None:
        return ""
    records = related.objects.all()
    if hasattr(records, "visible_to"):
        records = records.visible_to(user)
    return records.filter(code=value).values_list("name", flat=True).first() or ""


def own_scope_name(user):
    """The organization of the account's roles in force (their common one), or the whole city."""
    organizations = [a.organization for a in user.active_assignments() if a.organization_id]
    if not organizations:
        return _("Whole city")
    if len({o.pk for o in organizations}) == 1:
        return organizations[0].name
    paths = [o.path for o in organizations]
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[: len(common) - organizations[0].steplen]
    if not common:
        return _("Whole city")
    model = organizations[0].__class__
    return model.objects.filter(path=common).values_list("name", flat=True).first() or _("Whole city")


def export_filename(title, scope, day=None):
    """``<title>_<scope>_<YYYY-MM-DD>.xlsx``, without characters a file system refuses."""
    day = day or timezone.localdate()
    parts = [NOT_IN_A_NAME.sub("", str(part)) for part in (title, scope)]
    return "_".join([part for part in parts if part] + [day.isoformat()]) + ".xlsx"


def content_disposition(filename, fallback="export.xlsx"):
    """An attachment header: the ASCII ``fallback`` for old clients, the real name as RFC 5987 UTF-8."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", fallback)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(content, filename, fallback):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(filename, fallback)
    return response


def xlsx_response(request, *, title, headers, rows, filename, fallback="", model=None, approval=None):
    """Write ``rows`` under ``headers`` into one sheet, log the export with its row count, answer the file."""
    buffer = io.BytesIO()
    with from_replica():  # the rows are read as they are written (a transaction that wrote reads the primary)
        count = write_book(
            buffer, user=request.user, title=title, headers=headers, rows=rows, approval=approval
        )
    log_access(
        AccessEvent.Kind.EXPORT,
        request=request,
        obj=model._meta.label_lower if model else title,
        rows=count,
        detail=(loggable_path(request) + (f" approved #{approval.pk}" if approval else ""))[:500],
    )
    return file_response(buffer.getvalue(), filename, fallback or "export.xlsx")
