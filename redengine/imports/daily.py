"""Daily clean-up of the import jobs."""

from django.utils.translation import gettext as _

from redengine.core.daily import daily

from . import services


@daily("imports.expire_uploads")
def expire_uploads(today):
    """Uploads checked but never confirmed are cancelled after a week: their stored files are dropped."""
    count = services.expire_abandoned(today)
    return _("%(count)s unconfirmed uploads older than %(days)s days cancelled.") % {
        "count": count,
        "days": services.KEEP_UNCONFIRMED_DAYS,
    }
