import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell(value):
    """A value as a table cell shows it: yes/no, local dates, lists joined, blanks as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or "—"
    return value


class Grouped(int):
    """A count that prints with thousands separators (12,345) and is still a number, so that
    ``{% blocktranslate count %}`` can choose its plural form by it."""

    def __str__(self):
        return f"{int(self):,}"


@register.filter
def grouped(value):
    """A count or figure as people read it: ``30012`` → ``30,012``. Never for ids, years or codes."""
    if isinstance(value, bool) or value is None or value == "":
        return value
    if isinstance(value, int):
        return Grouped(value)
    if isinstance(value, float):
        return f"{value:,.1f}" if value % 1 else f"{int(value):,}"
    return value
