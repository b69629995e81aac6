"""Party building leading education in the demo (``demo/leading.py``): pioneer units, the showcase library
and urban-rural pairs, written through the three apps' services — the report's figures from the records,
every record audited, the workflows' waiting items there for the to-do lists, loaded once."""

import datetime

import pytest

from redengine.core.context import command_actor
from redengine.core.metrics import Period, compute_all
from redengine.core.models import ObjectChange
from redengine.demo import city, leading
from redengine.orgs.models import PartyOrganization
from redengine.pairing.models import SchoolPair
from redengine.pioneer.models import PioneerUnit, ServiceLog, UnitMove
from redengine.pioneer.rules import UnitKind, UnitStatus
from redengine.showcase.models import Story
from redengine.showcase.rules import Status

pytestmark = pytest.mark.django_db

D = datetime.date
FIVE_YEARS, YEAR = Period.of(first=2015, last=2019), Period.of(2019)


def figure(name, period):
    root = PartyOrganization.objects.get(depth=1)
    return compute_all(root, period, [name])[name]


def test_the_city_records_give_the_report_figures_audited_once_with_moves_waiting():
    """One small generated city (the records of these apps do not scale: the report's counts are absolute)."""
    assert city.generate(seed=7, scale=0.05) is not None
    before = ObjectChange.objects.count()
    with command_actor("seed_demo"):
        counts = leading.city(seed=7)
    changes = ObjectChange.objects.count() - before

    # the report's figures
    assert figure("pioneer.filed", FIVE_YEARS)["value"] == leading.FILED_2015_2019 == 412
    certified = figure("pioneer.certified", FIVE_YEARS)
    assert (certified["value"], certified["denominator"]) == (298, 412)
    assert figure("showcase.stories", YEAR)["value"] >= 120
    assert figure("showcase.lessons", YEAR)["value"] >= 50
    assert figure("pairing.pairs", YEAR)["value"] >= 200
    assert figure("pairing.activities", YEAR)["value"] > 0
    assert float(figure("pioneer.service_hours", YEAR)["value"]) > 0
    assert leading.figures()["pioneer.filed"] == (412, 412)

    # every record audited, loaded once
    assert changes >= sum(counts.values())
    assert leading.city(seed=7) == {}

    # the workflows wait for their next moves (the to-do lists show them); the records fit their rules
    waiting = set(PioneerUnit.objects.values_list("status", flat=True))
    assert {UnitStatus.APPLIED, UnitStatus.FILED, UnitStatus.REVIEWED, UnitStatus.CERTIFIED} <= waiting
    assert (
        UnitStatus.REJECTED in waiting
    )  # past years' units not certified: rejected after their creation period
    stale = PioneerUnit.objects.filter(status=UnitStatus.FILED, filed_on__lt=D(2024, 1, 1))
    assert not stale.exists()
    assert UnitMove.objects.filter(imported=True).exists()
    assert UnitMove.objects.filter(imported=False, move="review").exists()
    assert not ServiceLog.objects.exclude(unit__kind=UnitKind.TEAM).exists()
    assert Story.objects.filter(status=Status.SUBMITTED).exists()
    assert Story.objects.filter(status=Status.DRAFT).exists()
    for pair in SchoolPair.objects.select_related("urban", "rural")[:50]:
        assert pair.urban.urban_rural == "urban"
        assert pair.rural.urban_rural in ("town", "rural")
