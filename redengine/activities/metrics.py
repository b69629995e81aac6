"""The figure of organizational life (metrics.md): ``activities.compliance``.

Computed by ``compliance.figures``: the scope's branches and joint branches that existed for the whole
period, each with the months, quarters and meetings of the year it held of every type required of it,
counted by the database (three queries whatever the size of the scope). For the current year only the
units that have ended count (the month still running is not yet due).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.metrics import Result, metric

from .compliance import figures


@metric(
    "activities.compliance",
    _("Branches keeping the frequency of organizational life"),
    _(
        "Branches in scope (党支部 and 联合党支部 existing for the whole period; committees, general branches and "
        "temporary branches are not in it) that held every meeting type required of them as often as "
        "required in the period (branch general meeting quarterly, themed party day monthly, party class "
        "quarterly, the branch committee and the party groups monthly where the branch has them, the "
        "organizational life meeting, the democratic appraisal and the secretary's class yearly); share of "
        "those branches. In a year still running only the months and quarters that have ended count."
    ),
)
def compliance(scope, period):
    found = figures(scope.path, period.start, period.end, timezone.localdate())
    return Result(sum(f.ok for f in found), len(found))
