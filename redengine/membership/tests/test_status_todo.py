"""The membership states on the to-do list (todos/statuses.py): members at three months or more without
organizational life or dues, the suspensions and removals the rules propose, floating members away six
months or more without a transfer, and 留党察看 periods ended without a restoration — each with a link to
act on, counted per district bureau for the city, at a fixed number of queries whatever the data; and the
discipline list and export at a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.core.dates import add_months
from redengine.core.todo import Reach, level_of
from redengine.membership.todos import statuses as todos
from redengine.testing.matrix import exported_values

from .status_helpers import change, discipline, float_away, ledger, meeting, new_member

pytestmark = pytest.mark.django_db


def reach(user):
    return Reach(user, level_of(user), timezone.localdate())


def months_ago(n, day=None):
    return add_months(day or timezone.localdate(), -n)


def make_cases(tag, n=0):
    """A member of each kind, in 梅溪湖中学初中部党支部 (岳麓区)."""
    lapsed = new_member(f"待办脱党{tag}老师")
    meeting(lapsed, months_ago(4) - datetime.timedelta(days=n), status="present")
    meeting(lapsed, months_ago(1) - datetime.timedelta(days=n), status="absent")
    owing = new_member(f"待办欠费{tag}老师")
    ledger(owing, [months_ago(5).replace(day=1)], paid="0")
    lost = new_member(f"待办失联{tag}老师")
    change(lost, "out_of_contact", months_ago(7))
    away = new_member(f"待办流动{tag}老师")
    float_away(away, months_ago(8), takes_part_in="外地流动党员党支部")
    watched = new_member(f"待办察看{tag}老师")
    discipline(watched, "probation", months_ago(13), period_months=12)


def test_each_item_lists_its_members_with_a_link_to_act(example_user):
    make_cases("甲")
    secretary = example_user("school_secretary")
    (lapse,) = todos.lapse_alerts(reach(secretary))
    names = {row.label for row in lapse.rows}
    assert {"待办脱党甲老师", "待办欠费甲老师"} <= names
    assert "待办失联甲老师" not in names
    (proposals,) = todos.status_proposals(reach(secretary))
    row = next(r for r in proposals.rows if r.label == "待办失联甲老师")
    assert row.action_url.startswith(reverse("membership:statuschange_add"))
    assert "to_status=suspended" in row.action_url
    (floating,) = todos.floating_transfers(reach(secretary))
    assert "待办流动甲老师" in {r.label for r in floating.rows}
    assert floating.url == reverse("membership:alerts") + "?kind=transfer"
    assert todos.probation_ended(reach(secretary)) == []  # a secretary does not record the restoration
    district = example_user("yuelu_admin")
    (ended,) = todos.probation_ended(reach(district))
    row = next(r for r in ended.rows if r.label == "待办察看甲老师")
    assert row.action_url.endswith("/lift/")
    assert todos.probation_ended(reach(example_user("furong_admin"))) == []  # another district's
    city = example_user("city_admin")
    (by_bureau,) = todos.status_proposals(reach(city))
    assert any(r.label == "岳麓区" and r.count >= 1 for r in by_bureau.rows)


def test_the_items_cost_the_same_queries_whatever_the_data(example_user):
    users = [example_user(name) for name in ("school_secretary", "yuelu_admin", "city_admin")]
    keys = ["lapse_alerts", "status_proposals", "floating_transfers", "probation_ended"]

    def count():
        found = {}
        for user in users:
            for key in keys:
                with CaptureQueriesContext(connection) as counted:
                    getattr(todos, key)(reach(user))
                found[(user.username, key)] = len(counted)
        return found

    make_cases("乙")
    count()  # (each account's roles are read once, on its first item)
    before = count()
    for n, tag in enumerate("丙丁戊己", start=1):
        make_cases(tag, n)
    after = count()
    assert after == before, (before, after)
    assert max(after.values()) <= 3, after


def test_the_discipline_list_and_export_cost_the_same_queries(client_for):
    client = client_for("yuelu_admin")
    counts = {}
    for when, many in (("few", 2), ("many", 10)):
        for n in range(many):
            discipline(new_member(f"处分列表{when}{n}老师"), "warning", "2025-03-01")
        for name, query in (("list", {}), ("export", {"export": "xlsx"})):
            with CaptureQueriesContext(connection) as counted:
                response = client.get(reverse("membership:discipline_list"), query)
            assert response.status_code == 200
            counts[(name, when)] = len(counted)
    assert counts[("list", "few")] == counts[("list", "many")], counts
    assert counts[("export", "few")] == counts[("export", "many")], counts
    assert "处分列表many9老师" in exported_values(
        client.get(reverse("membership:discipline_list"), {"export": "xlsx"})
    )
