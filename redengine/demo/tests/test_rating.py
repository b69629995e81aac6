"""Branch star rating in the demo (``demo/rating.py``): the 2019 campaign run through the app's services from
self-assessment to publication, the pilot's and the later years' results brought in by the sheet's service,
the demonstration branches and this year's campaign running — the report's figures from the records, every
record audited, loaded once."""

import pytest

from redengine.assessment.models import Campaign, Evaluation, EvaluationMove, Rating, Score
from redengine.assessment.rules import Status
from redengine.core.context import command_actor
from redengine.core.metrics import Period, compute_all
from redengine.core.models import ObjectChange
from redengine.demo import city, rating
from redengine.orgs.models import PartyOrganization

pytestmark = pytest.mark.django_db


def figure(name, year):
    root = PartyOrganization.objects.get(depth=1)
    return compute_all(root, Period.of(year), [name])[name]


def test_the_city_ratings_give_the_report_figures_through_the_workflow():
    """A small generated city: the pilot rates as many branches as it has, up to the report's 341, and 95 % of
    them move up in 2019 (at the whole city's size: 324 of 341, printed by ``make demo``)."""
    assert city.generate(seed=7, scale=0.05) is not None
    before = ObjectChange.objects.count()
    with command_actor("seed_demo"):
        counts = rating.city(seed=7)
    assert ObjectChange.objects.count() - before >= sum(counts.values())
    assert rating.city(seed=7) == {}

    first = Campaign.objects.get(year=rating.FIRST_CAMPAIGN)
    published = Evaluation.objects.filter(campaign=first)
    assert set(published.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert (
        Rating.objects.filter(year=rating.FIRST_CAMPAIGN, evaluation__isnull=False).count()
        == published.count()
    )

    # 升级进位: of the branches rated in both years, the report's share moved up; the others are new
    upgraded = figure("assessment.upgraded", rating.FIRST_CAMPAIGN)
    both = upgraded["denominator"]
    assert both == min(
        rating.RATED_BOTH, published.count(), published.filter(level__gte=2).count() * 341 // 324
    )
    assert upgraded["value"] == round(both * rating.UPGRADED_2019 / rating.RATED_BOTH)
    assert round(rating.UPGRADED_2019 / rating.RATED_BOTH, 2) == 0.95
    stars = figure("assessment.stars", rating.FIRST_CAMPAIGN)
    assert stars["value"] == published.count()
    assert figure("assessment.demonstration", rating.FIRST_CAMPAIGN)["value"] == min(
        rating.DEMONSTRATION_2019, published.filter(level=5).count()
    )

    # the district scored 2019's organizational life from paper, with its reason beside the figure
    paper = Score.objects.filter(evaluation__campaign=first, indicator__code=rating.PAPER_ITEM)
    assert not paper.filter(district_points__isnull=True).exists()
    assert not paper.filter(override_reason="").exists()
    # moves after their phase ended are flagged late, never refused
    assert EvaluationMove.objects.filter(evaluation__campaign=first, late=True).exists()

    # this year's campaign waits at each step (the to-do lists show it), the demo secretary's branches in draft
    running = Campaign.objects.exclude(pk=first.pk).get()
    waiting = set(Evaluation.objects.filter(campaign=running).values_list("status", flat=True))
    assert {Status.DRAFT, Status.SUBMITTED, Status.DISTRICT_REVIEWED} <= waiting
