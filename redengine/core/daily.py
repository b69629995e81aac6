"""The daily jobs: each app declares its own in its ``daily.py`` with ``@daily`` (core imports every app's
``daily`` module at start-up, ``CoreConfig.ready``); ``manage.py daily`` (run once a day by the
deployment's timer, see docs/deploy.md) runs them all, each in its own transaction, so that one
failing job does not stop the others."""

REGISTRY = {}


def daily(name):
    """Register ``function(today)`` as the daily job ``name``; it returns a line saying what it did."""

    def register(function):
        REGISTRY[name] = function
        return function

    return register


@daily("core.expire_exports")
def expire_exports(today):
    """The files of background exports are dropped once kept ``EXPORT_FILE_KEEP`` (core/export_jobs.py)."""
    from django.utils.translation import gettext as _

    from .export_jobs import expire

    return _("%(count)s background export files dropped.") % {"count": expire()}
