"""The figures of the showcase (metrics.md): the member stories and the featured lessons published up to the
period end.

An item counts at the period end when it was published on or before that day and not withdrawn by then
(``published_on`` ≤ end and no ``withdrawn_on`` ≤ end): an item withdrawn later still counts for a period
ending before the withdrawal. A withdrawn item published again counts from its new publication (the dates
of its last publication are kept). Items lie in scope by their school at the period end
(``orgs.metrics.school_in_scope_at``). Each figure is one count query.
"""

from django.utils.translation import gettext_lazy as _

from redengine.core.metrics import Result, metric
from redengine.orgs.metrics import school_in_scope_at

from .models import Lesson, Story


def published_in_scope(model, scope, period):
    """The items of ``model`` of the schools in scope published at the period end, not withdrawn by then."""
    return model.objects.published_at(period.end).filter(
        school_in_scope_at(scope, period.end, school="school_id")
    )


@metric(
    "showcase.stories",
    _("Member stories published"),
    _(
        "Party member stories of the schools in scope published on or before the period end and not withdrawn "
        "by then."
    ),
)
def stories(scope, period):
    return Result(published_in_scope(Story, scope, period).count())


@metric(
    "showcase.lessons",
    _("Featured lessons published"),
    _(
        "Featured lessons of the schools in scope published on or before the period end and not withdrawn by then."
    ),
)
def lessons(scope, period):
    return Result(published_in_scope(Lesson, scope, period).count())
