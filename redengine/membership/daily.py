"""The daily job of party dues: the current month opened in every organization's ledger on and after its
first day. Opening is idempotent: a day's run after the first gives their month to the members who have
declared a base since, or were admitted since, and nothing to the others."""

from django.utils.translation import gettext as _

from redengine.core.daily import daily
from redengine.core.writes import SYSTEM

from .services.dues import month_of, open_month


@daily("membership.dues_open_month")
def open_current_month(today):
    """Open ``today``'s month for the whole tree; the line says how many entries were made and how many
    members still have no base."""
    opened = open_month(month_of(today), by=SYSTEM, today=today)
    return _("Dues of %(month)s: %(created)s entries opened, %(missing)s members without a base.") % {
        "month": f"{opened.month:%Y-%m}",
        "created": len(opened.created),
        "missing": len(opened.missing),
    }
