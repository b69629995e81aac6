"""What goes wrong with a workbook, and how it is told to the user.

Two kinds: a file refused as a whole (``WorkbookRejected``: not a workbook, too big, hostile) and a
problem at a place in the sheet (``CellIssue``: sheet, Excel row number, column header, the value
as typed, the reason). An import reports every issue of the file at once, so that the user fixes
them all in one round.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

ERROR, WARNING = "error", "warning"
MAX_SHOWN_VALUE = 60  # a hostile cell may hold 32,767 characters; the message shows the start


class WorkbookRejected(Exception):  # noqa: N818  (a refusal, not a fault of the program)
    """The file is refused before any of its rows is looked at; ``message`` says why (translated)."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class CellIssue:
    sheet: str
    row: int | None  # Excel's row number: the header is row 1
    column_header: str | None
    value: str
    reason: str
    level: str = ERROR

    @property
    def is_error(self):
        return self.level == ERROR


def shown_value(value):
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"


def format_issue(issue):
    """``人员 第 12 行「公民身份号码」：4.30104E+17 —— <reason>`` in Chinese."""
    context = {
        "sheet": issue.sheet,
        "row": issue.row,
        "column": issue.column_header,
        "value": shown_value(issue.value),
        "reason": issue.reason,
    }
    if issue.row is None:
        line = _("%(sheet)s: %(reason)s") % context
    elif issue.column_header is None:
        line = _("%(sheet)s row %(row)s: %(reason)s") % context
    elif context["value"]:
        line = _("%(sheet)s row %(row)s, column %(column)s: %(value)s — %(reason)s") % context
    else:
        line = _("%(sheet)s row %(row)s, column %(column)s: %(reason)s") % context
    return line if issue.is_error else _("Warning: %(message)s") % {"message": line}


def format_issues(issues):
    """One line per issue, in the order given (the reader gives them by sheet, then row)."""
    return [format_issue(issue) for issue in issues]
