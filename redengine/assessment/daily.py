"""The daily refresh of the indicators scored from the records, for the evaluations still running."""

from django.utils.translation import gettext as _

from redengine.core.daily import daily

from .services import automatic


@daily("assessment.automatic_figures")
def refresh_figures(today):
    """The automatic figures of every evaluation not yet published follow the records day by day."""
    changed, evaluations = automatic.refresh_running()
    return _("%(scores)s automatic scores changed in %(evaluations)s evaluations still running.") % {
        "scores": changed,
        "evaluations": evaluations,
    }
