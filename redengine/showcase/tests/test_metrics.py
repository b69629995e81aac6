"""The showcase's figures on hand-made data at the period boundaries: an item counts at the period end when
published on or before it and not withdrawn by then; by its school in scope; a draft never published and a
submitted item never count."""

import datetime

import pytest

from redengine.core.metrics import REGISTRY, Period
from redengine.orgs.models import PartyOrganization
from redengine.showcase.models import Lesson, Story

from .helpers import make

pytestmark = pytest.mark.django_db
D = datetime.date.fromisoformat


def dated(obj, published, withdrawn=None, status="published"):
    """The dates of an item as its moves would have left them (the services date a move today)."""
    type(obj).objects.filter(pk=obj.pk).update(published_on=published, withdrawn_on=withdrawn, status=status)


def value(name, code, year):
    return REGISTRY[name].compute(PartyOrganization.objects.get(code=code), Period.of(year)).value


@pytest.mark.parametrize(("model", "name"), [(Story, "showcase.stories"), (Lesson, "showcase.lessons")])
def test_published_up_to_the_period_end(model, name):
    on_the_last_day = make(model, "own", "published")
    dated(on_the_last_day, D("2023-12-31"))
    next_year = make(model, "own", "published")
    dated(next_year, D("2024-01-01"))
    withdrawn_after = make(model, "sibling", "published")
    dated(withdrawn_after, D("2023-03-01"), D("2024-01-01"), status="draft")
    withdrawn_on_the_last_day = make(model, "sibling", "published")
    dated(withdrawn_on_the_last_day, D("2023-03-01"), D("2023-12-31"), status="draft")
    elsewhere = make(model, "other_district", "published")
    dated(elsewhere, D("2022-05-01"))
    make(model, "own", "submitted")
    make(model, "own")
    # 岳麓区 (CS430104) at the end of 2023: the one published on the last day, the one withdrawn after it.
    assert value(name, "CS430104", 2023) == 2
    # At the end of 2024: the two published at the school; the withdrawn ones no longer count.
    assert value(name, "CS430104", 2024) == 2
    assert value(name, "CS430104", 2022) == 0
    assert value(name, "CS430102", 2022) == 1
    assert value(name, "CS0001", 2023) == 3
    assert value(name, "CS0001", 2024) == 3
    # A span of years is read at its end.
    span = REGISTRY[name].compute(
        PartyOrganization.objects.get(code="CS430104"), Period.of(first=2021, last=2023)
    )
    assert span.value == 2
