"""The figures of branch star rating (metrics.md), read from the published ratings (``Rating``) and the
demonstration branches (``Designation``) alone, each one aggregate query:

* ``assessment.upgraded`` (升级进位): of the branches rated in a year Y of the period and in Y − 1, those whose
  level of Y rose over their level of Y − 1 or stayed at the top level (five stars in both years); the
  denominator is the branches rated in both years, so a branch rated for the first time is in neither count.
  Over a span of years each (branch, Y) with Y in the span counts once. One self-join of ``Rating`` (the
  branch's rating of the year before);
* ``assessment.stars``: the branches rated in the period (a (branch, year) pair each), by level 1 … 5;
* ``assessment.demonstration``: the demonstration branches (示范支部) named for a year of the period.

A rating and a designation lie in a scope by their branch's path (under the scope organization's path).
``transitions(scope, year)`` gives the year-over-year matrix of the results page: {(last year's level or None
for a branch not rated then, this year's level): count}, one query.
"""

from django.db.models import Count, F, FilteredRelation, Q
from django.utils.translation import gettext_lazy as _

from redengine.core.metrics import Result, metric

from .models import Designation, Rating
from .rules import MAX_LEVEL


def ratings_in(scope, first, last):
    """The ratings of the branches in ``scope``'s subtree for the years ``first`` to ``last``."""
    return Rating.objects.in_subtree(scope.path).filter(year__gte=first, year__lte=last)


def with_previous(ratings):
    """``ratings`` with ``previous``: the same branch's rating of the year before (a join, None when absent)."""
    return ratings.annotate(
        previous=FilteredRelation(
            "organization__ratings", condition=Q(organization__ratings__year=F("year") - 1)
        )
    )


# rose over the year before's level, or stayed at the top
MOVED_UP = Q(level__gt=F("previous__level")) | Q(level=MAX_LEVEL, previous__level=MAX_LEVEL)


def rated_both_years(scope, period):
    return with_previous(ratings_in(scope, period.first_year, period.last_year)).filter(
        previous__isnull=False
    )


@metric(
    "assessment.upgraded",
    _("Branches moved up (升级进位)"),
    _(
        "Branches whose published star level of a year of the period rose over their level of the year before or "
        "stayed at the top level (five stars); share of the branches rated in both years. A branch rated for the "
        "first time is in neither count."
    ),
)
def upgraded(scope, period):
    counts = rated_both_years(scope, period).aggregate(rated=Count("pk"), up=Count("pk", filter=MOVED_UP))
    return Result(counts["up"], counts["rated"])


def level_counts(scope, period):
    """[{"level", "value"}] of the ratings in scope of the period, every level 1 … 5 in order: one query."""
    counts = dict(
        ratings_in(scope, period.first_year, period.last_year)
        .order_by()
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    return [{"level": level, "value": counts.get(level, 0)} for level in range(1, MAX_LEVEL + 1)]


@metric(
    "assessment.stars",
    _("Branches rated, by star level"),
    _(
        "Branches in scope with a published star rating of a year of the period, by level (one to five stars)."
    ),
)
def stars(scope, period):
    items = level_counts(scope, period)
    return Result(sum(i["value"] for i in items), items=items)


def designations_in(scope, period):
    return Designation.objects.in_subtree(scope.path).filter(
        year__gte=period.first_year, year__lte=period.last_year
    )


@metric(
    "assessment.demonstration",
    _("Demonstration branches"),
    _("Branches in scope named demonstration branches (示范支部) for a year of the period."),
)
def demonstration(scope, period):
    return Result(designations_in(scope, period).count())


def transitions(scope, year):
    """{(level of ``year`` − 1 or None, level of ``year``): branches} of the branches in scope rated in ``year``:
    the transition matrix (a branch not rated the year before is under None). One query."""
    rows = (
        with_previous(ratings_in(scope, year, year))
        .order_by()
        .values_list("previous__level", "level")
        .annotate(n=Count("pk"))
    )
    return {(before, after): n for before, after, n in rows}


# name -> function(scope, period) -> (the ratings or designations of the numerator, of the denominator or None)
def upgraded_ratings(scope, period):
    both = rated_both_years(scope, period)
    return both.filter(MOVED_UP), both


def stars_ratings(scope, period):
    return ratings_in(scope, period.first_year, period.last_year), None


def demonstration_designations(scope, period):
    return designations_in(scope, period), None


COUNTED = {
    "assessment.upgraded": upgraded_ratings,
    "assessment.stars": stars_ratings,
    "assessment.demonstration": demonstration_designations,
}
ORDER = list(COUNTED)
