"""Lapse alerts on a calendar with explicit dates (LIFE.LAPSE, DUES.LAPSE, STATUS.SUSPEND): no organizational
life (from the attendance of ``activities``) or no dues (from the ledger) for ``lapse.alert_months`` (3) months
— an alert at 3 months, not at 2; the lapse reached at ``lapse.months`` (6), proposing 自行脱党; out of contact
6 months → suspension proposed; suspended 24 months → removal proposed; floating 6 months → a transfer to
consider. The alerts are read in one query whatever the number of members; the alerts page links each
proposal to the decision form, prefilled; the page costs the same queries for 2 or 8 members alerted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from redengine.activities.services import record_meeting
from redengine.core.dates import add_months
from redengine.core.writes import SYSTEM
from redengine.membership.services.statuses import (
    DUES,
    LIFE,
    REMOVE,
    SUSPEND,
    TRANSFER,
    alert_counts,
    alert_rows,
    alerts,
    findings,
    months_since,
)
from redengine.people.models import Membership

from .status_helpers import D, change, float_away, ledger, meeting, new_member, refresh

pytestmark = pytest.mark.django_db


def found(m, today, kind):
    """The findings of ``kind`` for membership ``m`` at ``today``: [(months, reached, to_status)]."""
    rows = alerts(Membership.objects.filter(pk=m.pk), D(today), (kind,))
    return [(f.months, f.reached, f.to_status) for _m, fs in rows for f in fs]


def test_months_are_counted_back_from_today():
    assert months_since(D("2025-01-10"), D("2025-04-09")) == 2
    assert months_since(D("2025-01-10"), D("2025-04-10")) == 3
    assert months_since(D("2024-11-30"), D("2025-02-28")) == 2  # 2025-02-28 − 3 months = 2024-11-28
    assert months_since(D("2024-11-28"), D("2025-02-28")) == 3
    assert months_since(D("2025-05-01"), D("2025-04-01")) == 0


def test_no_organizational_life_alert_at_three_months_not_at_two_lapse_at_six():
    m = new_member("组织生活甲老师", admitted="2015-06-20")
    meeting(m, "2025-01-10")
    for day in ("2025-02-12", "2025-03-12", "2025-04-08", "2025-05-12", "2025-06-12", "2025-07-08"):
        meeting(m, day, status="absent")  # the branch meets and lists its attendance; the member is absent
    assert found(m, "2025-04-09", LIFE) == []
    assert found(m, "2025-04-10", LIFE) == [(3, False, "")]
    assert found(m, "2025-07-09", LIFE) == [(5, False, "")]
    assert found(m, "2025-07-10", LIFE) == [(6, True, "left")]  # 自行脱党 proposed: people decide


def test_an_absence_with_a_reason_is_no_lapse_one_without_is():
    m = new_member("组织生活乙老师", admitted="2015-06-20")
    meeting(m, "2025-01-10")
    meeting(m, "2025-02-10", status="absent")
    meeting(m, "2025-03-10", status="leave")  # no reason given: counts as none
    assert found(m, "2025-04-10", LIFE) == [(3, False, "")]
    meeting(m, "2025-03-20", status="leave", reason="外出培训")
    assert found(m, "2025-04-10", LIFE) == []
    assert found(m, "2025-06-20", LIFE) == [(3, False, "")]


def test_a_branch_that_lists_no_attendance_tells_nothing_of_its_members():
    """A branch that records its meetings by their counts only (an import) shows no one without life."""
    m = new_member("组织生活丁老师", admitted="2015-06-20")
    values = {
        "organization": m.organization,
        "meeting_type": "themed_day",
        "date": D("2025-03-10"),
        "topic": "学习",
    }
    record_meeting({**values, "expected": 30, "actual": 28}, by=SYSTEM)
    assert found(m, "2025-04-10", LIFE) == []
    meeting(m, "2025-03-20", status="absent")  # a meeting with its list: now it tells
    assert found(m, "2025-04-10", LIFE) == [(117, True, "left")]


def test_a_new_member_counts_from_the_admission():
    m = new_member("组织生活丙老师", admitted="2025-01-10", full=None, birth="1995-03-03")
    meeting(m, "2025-02-10", status="absent")
    assert found(m, "2025-04-09", LIFE) == []
    (life,) = alerts(Membership.objects.filter(pk=m.pk), D("2025-04-10"), (LIFE,))[0][1]
    assert life.since == D("2025-01-10")
    assert "2025-01-10" in life.text


def test_dues_unpaid_alert_at_three_months_lapse_at_six():
    m = new_member("党费甲老师", admitted="2015-06-20")
    ledger(m, ["2025-01-01"], paid="0")
    ledger(m, ["2025-02-01", "2025-03-01", "2025-04-01"])
    ledger(m, ["2025-05-01"], paid="10.00")  # paid in part: still owed
    assert found(m, "2025-03-31", DUES) == []
    assert found(m, "2025-04-01", DUES) == [(3, False, "")]
    assert found(m, "2025-07-01", DUES) == [(6, True, "left")]


def test_dues_paid_in_full_or_due_in_the_future_raise_nothing():
    m = new_member("党费乙老师", admitted="2015-06-20")
    ledger(m, ["2025-01-01", "2025-02-01"])
    ledger(m, ["2025-09-01"], paid="0")  # not yet due on the day asked
    ledger(m, ["2025-03-01"], due="0.00", paid="0")  # exempt (a relief): nothing owed
    assert found(m, "2025-08-31", DUES) == []
    partly = new_member("党费丙老师", admitted="2015-06-20")
    ledger(partly, ["2025-02-01"], paid="29.99")
    assert found(partly, "2025-05-01", DUES) == [(3, False, "")]


def test_out_of_contact_six_months_suspension_proposed():
    m = new_member("失联提议老师", admitted="2015-06-20")
    change(m, "out_of_contact", "2024-06-15")
    assert found(refresh(m), "2024-12-14", SUSPEND) == []
    assert found(refresh(m), "2024-12-15", SUSPEND) == [(6, True, "suspended")]
    assert found(refresh(m), "2024-12-15", LIFE) == []  # the state's own proposal, not a lapse


def test_suspended_two_years_removal_proposed():
    m = new_member("停止党籍提议老师", admitted="2015-06-20")
    change(m, "out_of_contact", "2021-06-01")
    change(refresh(m), "suspended", "2022-01-20")
    assert found(refresh(m), "2024-01-19", REMOVE) == []
    assert found(refresh(m), "2024-01-20", REMOVE) == [(24, True, "left")]


def test_a_floating_member_six_months_away_a_transfer_to_consider_life_elsewhere_not_counted():
    m = new_member("流动提议老师", admitted="2015-06-20")
    float_away(m, "2025-01-15", takes_part_in="深圳市南山区某党支部")
    assert found(refresh(m), "2025-07-14", TRANSFER) == []
    assert found(refresh(m), "2025-07-15", TRANSFER) == [(6, True, "")]
    assert found(refresh(m), "2025-12-15", LIFE) == []  # takes part in organizational life there
    quiet = new_member("流动未落实老师", admitted="2015-06-20")
    float_away(quiet, "2025-01-15")  # where they take part not recorded: their life is counted here
    meeting(quiet, "2025-03-01", status="absent")
    assert found(refresh(quiet), "2025-04-15", LIFE) == [(3, False, "")]


def test_the_alerts_are_one_query_whatever_the_number_of_members(django_assert_num_queries):
    few = [new_member(f"查询{i}老师", admitted="2015-06-20") for i in range(2)]
    for m in few:
        meeting(m, f"2025-01-1{few.index(m)}")
    meeting(few[0], "2025-03-05", status="absent")  # the branch lists its attendance in the months asked
    today = D("2025-05-01")
    with django_assert_num_queries(1):
        rows = alerts(Membership.objects.filter(person__name__startswith="查询"), today)
    assert len(rows) == 2
    more = [new_member(f"查询多{i}老师", admitted="2015-06-20") for i in range(6)]
    ledger(more[0], ["2025-01-01"], paid="0")
    change(more[1], "out_of_contact", "2024-06-15")
    with django_assert_num_queries(1):
        rows = alerts(Membership.objects.filter(person__name__startswith="查询"), today)
    assert len(rows) == 8
    kinds = {m.person.name: {f.kind for f in fs} for m, fs in rows}
    assert kinds["查询多0老师"] == {LIFE, DUES}
    assert kinds["查询多1老师"] == {SUSPEND}
    with django_assert_num_queries(1):
        totals = alert_counts(Membership.objects.filter(person__name__startswith="查询"), today)
    assert totals == {LIFE: 7, DUES: 1, SUSPEND: 1, REMOVE: 0, TRANSFER: 0}


def test_findings_need_no_query(django_assert_num_queries):
    m = new_member("无查询老师", admitted="2015-06-20")
    meeting(m, "2025-03-05", status="absent")
    (row,) = alert_rows(Membership.objects.filter(pk=m.pk), D("2025-05-01"))
    with django_assert_num_queries(0):
        assert [f.kind for f in findings(row, D("2025-05-01"))] == [LIFE]


def test_the_alerts_page_lists_and_links_the_decision_prefilled(client_for):
    m = new_member("预警页老师", admitted="2015-06-20")
    change(m, "out_of_contact", add_months(D("2026-01-01"), -30))  # long ago: suspension proposed today
    page = client_for("school_secretary").get(reverse("membership:alerts"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "预警页老师" in text
    assert "建议停止党籍" in text
    assert f"membership={m.pk}&amp;to_status=suspended" in text
    form = client_for("school_secretary").get(
        f"{reverse('membership:statuschange_add')}?membership={m.pk}&to_status=suspended&reason=失联"
    )
    assert form.status_code == 200
    assert form.context["form"].initial["to_status"] == "suspended"
    assert 'value="suspended" selected' in form.content.decode()
    other = client_for("yuelu_admin").get(reverse("membership:alerts"), {"kind": "suspend"})
    assert "预警页老师" in other.content.decode()
    elsewhere = client_for("furong_admin").get(reverse("membership:alerts"))
    assert "预警页老师" not in elsewhere.content.decode()


def test_the_alerts_page_costs_the_same_queries_for_more_members(client_for):
    client = client_for("yuelu_admin")
    url = reverse("membership:alerts")
    for i in range(6, 8):
        change(new_member(f"预警数{i}老师", admitted="2015-06-20"), "out_of_contact", D("2023-01-10"))
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    for i in range(6):
        m = new_member(f"预警数{i}老师", admitted="2015-06-20")
        change(m, "out_of_contact", D("2023-01-10"))
    with CaptureQueriesContext(connection) as after:
        page = client.get(url)
    assert page.status_code == 200
    assert "预警数5老师" in page.content.decode()
    assert len(after) == len(before), [q["sql"][:120] for q in after.captured_queries]
