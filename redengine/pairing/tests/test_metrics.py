"""The figures of pairing on hand-made pairs at the period's boundaries (an agreement on the period end
day, an end on the period start day, activities on the first and the last day and just outside), a pair of
two districts counted in both, and the idle rule (an activity six months ago to the day, a pair agreed
three months ago with none yet)."""

import datetime

import pytest
from django.utils import timezone

from redengine.core.dates import add_months
from redengine.core.metrics import REGISTRY, Period
from redengine.orgs.models import PartyOrganization
from redengine.pairing import services
from redengine.pairing.models import SchoolPair

from .helpers import CHAOYANG, LIANHUA, LUSHAN, MEIXIHU, WEISHAN, XINGCHEN, YUTAN, D, new_activity, new_pair

pytestmark = pytest.mark.django_db
YEAR = Period.of(2024)


def figure(name, code, period=YEAR):
    return REGISTRY[name].compute(PartyOrganization.objects.get(code=code), period)


def test_pairs_at_the_period_boundaries():
    before = {
        code: figure("pairing.pairs", code).value for code in ("CS430104", "CS430102", "CS430182", "CS0001")
    }
    new_pair(MEIXIHU, LIANHUA, D("2024-12-31"))  # agreed on the period end day: counts
    new_pair(LUSHAN, XINGCHEN, D("2023-01-01"), D("2024-01-01"))  # ended on the period start day: counts
    new_pair(LUSHAN, LIANHUA, D("2022-01-01"), D("2023-12-31"))  # ended the day before: does not
    new_pair(MEIXIHU, XINGCHEN, D("2025-01-01"))  # agreed the day after: does not
    new_pair(CHAOYANG, LIANHUA, D("2020-05-01"))  # two districts: counted in both, once in the city
    new_pair(YUTAN, WEISHAN, D("2024-06-01"), D("2024-09-01"))
    after = {code: figure("pairing.pairs", code).value for code in before}
    assert after["CS430104"] - before["CS430104"] == 3
    assert after["CS430102"] - before["CS430102"] == 1
    assert after["CS430182"] - before["CS430182"] == 1
    assert after["CS0001"] - before["CS0001"] == 4
    assert figure("pairing.pairs", "CS430104", Period.of(2025)).value - before["CS430104"] >= 2


def test_activities_by_kind_at_the_period_boundaries():
    base = figure("pairing.activities", "CS430104")
    pair = new_pair(MEIXIHU, LIANHUA, D("2023-06-01"))
    new_activity(pair, D("2024-01-01"), kind="teaching_visit")  # the first day
    new_activity(pair, D("2024-12-31"), kind="joint_party_day")  # the last day
    new_activity(pair, D("2024-07-15"), kind="joint_party_day")
    new_activity(pair, D("2023-12-31"), kind="shadowing")  # the day before: not counted
    new_activity(pair, D("2025-01-01"), kind="charity_sale")  # the day after: not counted
    found = figure("pairing.activities", "CS430104")
    assert found.value - base.value == 3
    by_kind = {i["kind"]: i["value"] - b["value"] for i, b in zip(found.items, base.items, strict=True)}
    assert by_kind == {
        "teaching_visit": 1,
        "shadowing": 0,
        "joint_camp": 0,
        "charity_sale": 0,
        "joint_party_day": 2,
    }
    assert [i["label"] for i in found.items][0] == "送教下乡"
    data = found.as_json()
    assert data["value"] == found.value
    assert data["items"][4]["kind"] == "joint_party_day"
    other = figure("pairing.activities", "CS430102")
    assert sum(i["value"] for i in other.items) == other.value


def test_idle_pairs():
    today = timezone.localdate()
    since = add_months(today, -6)
    assert services.idle_since(today) == since
    active = new_pair(MEIXIHU, LIANHUA, add_months(today, -12))
    new_activity(active, since)  # six months ago to the day: still within the window
    idle = new_pair(LUSHAN, XINGCHEN, add_months(today, -12))
    new_activity(idle, since - datetime.timedelta(days=1))  # the day before the window: idle
    fresh = new_pair(LUSHAN, LIANHUA, add_months(today, -3))  # agreed three months ago, nothing yet: not idle
    agreed_then = new_pair(MEIXIHU, XINGCHEN, since)  # agreed six months ago to the day, nothing since: idle
    ended = new_pair(YUTAN, WEISHAN, add_months(today, -24), add_months(today, -13))  # ended: not idle
    found = set(services.idle_pairs(SchoolPair.objects.all(), today).values_list("pk", flat=True))
    assert idle.pk in found
    assert agreed_then.pk in found
    assert active.pk not in found
    assert fresh.pk not in found
    assert ended.pk not in found
