"""Indicators scored from the records: an automatic item of the branch 梅溪湖中学初中部党支部 follows a change of
its source records (mentorships of its school, recorded through dual cultivation's own service) when
refreshed, at the submission and the approval and by the daily job — until its evaluation is published, and
not after; the page's live figures say the same; and each figure of the default scheme links to the list of its records, with that
list's own filters."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import resolve

from redengine.assessment.models import Evaluation, Indicator, Score
from redengine.assessment.services import automatic
from redengine.core.daily import REGISTRY as DAILY
from redengine.core.metrics import REGISTRY
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError
from redengine.cultivation import services as cultivation
from redengine.cultivation.models import Mentorship
from redengine.people.models import Person

from .helpers import (
    BRANCH,
    SIBLING,
    advance,
    default_scheme,
    evaluation,
    indicator,
    new_campaign,
    org,
    ready_to_submit,
    user,
)

pytestmark = pytest.mark.django_db
MEIXIHU_SCHOOL = "4301040002"


def d2(e):
    """The score of D2 (mentorships, 青蓝工程: full 7 points from two pairs running in the year)."""
    return Score.objects.get(evaluation=e, indicator=indicator("D2"))


def mentor_once(campaign):
    """A mentorship of 梅溪湖中学 running in the campaign's year, of a teacher who has none."""
    busy = Mentorship.objects.values("apprentice_id")
    people = list(Person.objects.filter(school__code=MEIXIHU_SCHOOL).exclude(pk__in=busy).order_by("pk"))
    mentor, apprentice = people[0], people[1]
    cultivation.record_mentorships(
        [
            Item(
                {
                    "kind": "teaching",
                    "mentor": mentor,
                    "apprentice": apprentice,
                    "school": apprentice.school,
                    "start_on": datetime.date(campaign.year, 3, 1),
                }
            )
        ],
        by=SYSTEM,
    )


def test_an_automatic_item_follows_its_records_until_publication_and_not_after():
    campaign = new_campaign()
    e = evaluation(campaign)
    sibling = evaluation(campaign, SIBLING)
    start = d2(e).auto_figure["value"]
    total = e.total
    assert start < 2  # the demo's school has fewer mentorships than D2's target
    mentor_once(campaign)
    assert d2(e).auto_figure["value"] == start  # stored until refreshed
    assert automatic.refresh_automatic([e], by=user("school_secretary")) == 1
    score = d2(e)
    assert score.auto_figure["value"] == start + 1
    assert score.auto_points == Decimal("3.5") * (start + 1)
    assert Evaluation.objects.get(pk=e.pk).total == total + Decimal("3.5")  # the totals follow
    assert d2(sibling).auto_figure["value"] == start  # the sibling branch, of the same school: not refreshed
    live = {row["indicator"].code: row for row in automatic.live_figures(e)}
    assert live["D2"]["figure"]["value"] == start + 1
    assert live["D2"]["live"]
    # a move refreshes the figures on its own
    ready_to_submit(e)
    mentor_once(campaign)
    advance(e, "submitted")
    assert d2(e).auto_points == Decimal("7.0")
    before = Evaluation.objects.get(pk=e.pk)
    advance(e, "published")
    # after publication the records change again: the published figure does not
    mentor_once(campaign)
    assert automatic.refresh_automatic([e], by=SYSTEM) == 0
    call_command("daily", only=["assessment.automatic_figures"], stdout=open("/dev/null", "w"))  # noqa: SIM115
    published = Evaluation.objects.get(pk=e.pk)
    assert d2(published).auto_figure["value"] == start + 2
    assert (published.total, published.status) == (before.total, "published")
    assert d2(sibling).auto_figure["value"] == start + 3  # the sibling, still running, followed
    live = {row["indicator"].code: row for row in automatic.live_figures(published)}
    assert live["D2"]["figure"]["value"] == start + 2
    assert not live["D2"]["live"]
    assert "assessment.automatic_figures" in DAILY


def test_a_refresh_without_a_change_writes_nothing_and_one_outside_the_scope_is_refused():
    campaign = new_campaign()
    e = evaluation(campaign)
    changes = ObjectChange.objects.count()
    assert automatic.refresh_automatic([e], by=SYSTEM) == 0
    assert ObjectChange.objects.count() == changes
    with pytest.raises(RefusedError) as caught:
        automatic.refresh_automatic([evaluation(campaign, "CS430102-01")], by=user("yuelu_admin"))
    assert caught.value.missing


def test_every_metric_of_the_default_scheme_is_known_and_links_to_its_records_with_their_filters(client_for):
    client = client_for("city_admin")
    branch = org(BRANCH)
    metrics = sorted(
        set(
            Indicator.objects.filter(scheme=default_scheme())
            .exclude(metric="")
            .values_list("metric", flat=True)
        )
    )
    assert len(metrics) == 8
    for name in metrics:
        assert name in REGISTRY
        url = automatic.records_url(name, branch, 2024)
        assert url, name
        path, _sep, query = url.partition("?")
        match = resolve(path)
        filters = getattr(getattr(match.func, "view_class", None), "filterset_class", None)
        if filters is not None:  # a list page: each parameter is one of its filters (or its page's scope)
            names = {pair.split("=")[0] for pair in query.split("&") if pair}
            scope = {"org", "year"} if match.url_name == "figure_people" else set()
            assert names <= set(filters.base_filters) | scope, (name, names)
        response = client.get(url)
        assert response.status_code == 200, (name, url)
    assert automatic.records_url("no.such.metric", branch, 2024) is None
