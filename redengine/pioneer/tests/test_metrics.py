"""The figures of pioneer units on hand-made data, at the period's boundaries: a unit filed on the first or
the last day of the year counts in it, one filed the day before does not; one certified on the period end
counts as certified, one certified the day after does not; one revoked after the period end still counts as
certified for the period, one revoked on its last day does not; service person-hours of the days within the
period only; units lie in scope by their school."""

import datetime
from decimal import Decimal

import pytest

from redengine.core.metrics import REGISTRY, Period
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.pioneer import services

from .helpers import FURONG, MEIXIHU, new_unit, org

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
YEAR = 2011


def unit(name, filed=None, reviewed=None, certified=None, revoked=None, code=MEIXIHU, kind="post"):
    made = new_unit(name, code=code, kind=kind, applied=D("2010-06-01"))
    for move, day in (("file", filed), ("review", reviewed), ("certify", certified), ("revoke", revoked)):
        if day:
            services.move_unit(
                made,
                move,
                by=SYSTEM,
                date=D(day),
                note="撤销" if move == "revoke" else "",
                plaque_number=f"M-{name}",
            )
    return made


@pytest.fixture
def units():
    unit("A", filed="2011-01-01", reviewed="2011-06-01", certified="2011-12-31")
    unit("B", filed="2011-12-31", reviewed="2011-12-31", certified="2012-01-01")
    unit("C", filed="2010-12-31", reviewed="2011-01-05", certified="2011-02-01")
    unit("D", filed="2011-06-01", reviewed="2011-06-10", certified="2011-07-01", revoked="2012-03-01")
    unit("E", filed="2011-03-01", reviewed="2011-03-10", certified="2011-04-01", revoked="2011-12-31")
    unit("F")  # applied for, never filed
    unit("G", filed="2011-05-01", code=FURONG)


def figure(name, code, year=YEAR):
    return REGISTRY[name].compute(org(code), Period.of(year)).as_json()


def test_filed_counts_the_units_filed_within_the_period(units):
    assert figure("pioneer.filed", "CS430104")["value"] == 4  # A, B (last day), D, E; not C (the day before)
    assert figure("pioneer.filed", "CS430104", 2010)["value"] == 1  # C
    assert figure("pioneer.filed", "CS0001")["value"] == 5  # and G, in another district
    assert figure("pioneer.filed", "CS430102")["value"] == 1


def test_certified_counts_those_of_them_certified_by_the_period_end(units):
    found = figure("pioneer.certified", "CS430104")
    # A (certified on the period end) and D (revoked after it); not B (certified the day after), nor E
    # (revoked on the period end), nor C (filed the year before).
    assert (found["value"], found["denominator"]) == (2, 4)
    assert found["share"] == 0.5
    later = figure("pioneer.certified", "CS430104", 2012)
    assert (later["value"], later["denominator"]) == (0, 0)


def test_service_hours_are_the_person_hours_of_the_days_within_the_period():
    team = unit("T", filed="2010-12-01", kind="team")
    logs = [("2010-12-31", "1", 1), ("2011-01-01", "3", 4), ("2011-12-31", "2.5", 2), ("2012-01-01", "8", 10)]
    services.record_service_logs(
        [
            Item(
                {"unit": team, "date": D(day), "hours": Decimal(hours), "people": people, "activity": "值守"}
            )
            for day, hours, people in logs
        ],
        by=SYSTEM,
    )
    found = figure("pioneer.service_hours", "CS430104")
    assert (found["value"], found["logs"]) == ("17.0", 2)
    assert figure("pioneer.service_hours", "CS430102")["value"] == "0.0"
