"""The dues ledger on a calendar (explicit dates, 2026): bases and the yearly fixing, months opened (and the
daily job), payments (late, ahead, partial, too much, taken back), a suspended member refused, reliefs and the
months they re-price, voluntary payments passed up, and the arrears other parts read — every refusal in
Chinese with nothing written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError, Scope
from redengine.membership import daily, rules
from redengine.membership.models import DuesBase, DuesEntry, DuesRelief, VoluntaryPayment
from redengine.membership.rules import DuesTable, FixingMode
from redengine.membership.services import dues

from .dues_helpers import (
    FURONG,
    MEIXIHU_SENIOR,
    D,
    Y,
    declare,
    entries,
    new_member,
    open_months,
    pay,
    set_status,
    user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def counts():
    return tuple(m.objects.count() for m in (DuesBase, DuesEntry, DuesRelief, VoluntaryPayment, ObjectChange))


def refusal(call, *args, **kwargs):
    """The problems of a refused call (as (field, message)), and nothing written."""
    before = counts()
    with pytest.raises(RefusedError) as refused:
        call(*args, **kwargs)
    assert counts() == before
    return [(p.field, str(p.message)) for p in refused.value.problems]


def one_base(member, **values):
    return Item({"membership": member, "category": "in_service", **values})


# Bases ------------------------------------------------------------------------------------------------
def test_a_new_base_within_the_year_takes_effect_from_next_january_in_the_yearly_mode():
    member = new_member("年度核定")
    first = declare(member, "3000", month="2026-01", today="2026-01-10")
    assert (first.from_month, first.monthly) == (D("2026-01-01"), Y("15.00"))
    raised = declare(member, "6000", month="2026-06", today="2026-06-05")
    assert raised.from_month == D("2027-01-01")  # DUES.RECALC, yearly: kept for the year
    assert raised.monthly == Y("90.00")
    (note,) = dues.base_notes(raised)
    assert "2026-06" in note
    assert "2027-01" in note
    assert "第一季度" in note
    assert [b.from_month for b in member.dues_bases.order_by("from_month")] == [
        D("2026-01-01"),
        D("2027-01-01"),
    ]
    again = declare(member, "6500", month="2026-07", today="2026-07-05")  # next January's, corrected
    assert again.pk == raised.pk
    assert again.monthly == Y("97.50")
    assert member.dues_bases.count() == 2


def test_the_first_base_and_a_correction_apply_from_the_month_given():
    member = new_member("首次申报")
    first = declare(member, "3000", month="2026-06", today="2026-06-05")  # the first amount fixed mid-year
    assert first.from_month == D("2026-06-01")
    assert not dues.base_notes(first)
    corrected = declare(member, "3200", month="2026-06", today="2026-06-20")  # the same month: a correction
    assert corrected.pk == first.pk
    assert corrected.monthly == Y("32.00")
    change = ObjectChange.objects.filter(
        content_type__model="duesbase", object_id=str(first.pk), action="update"
    )
    assert change.get().before["monthly"] == "15.00"


def test_a_yearly_fixing_after_the_first_quarter_is_recorded_and_flagged_late():
    member = new_member("迟核定")
    declare(member, "3000", month="2025-01", today="2025-01-10")
    late = declare(member, "4000", month="2026-01", today="2026-05-06")  # for January, declared in May
    assert late.from_month == D("2026-01-01")
    assert any("第一季度" in n and "逾期" in n for n in dues.base_notes(late))


@pytest.fixture
def on_change_table():
    """A bureau keeping 2008 art. 10 (recompute on each change of pay) from 2026: a later table as data."""
    table = rules.DUES_TABLES[-1]
    loaded = DuesTable(
        "2026-art10", D("2026-01-01"), table.brackets, table.flat, FixingMode.ON_CHANGE, table.sources
    )
    rules.add_dues_table(loaded)
    yield loaded
    rules.remove_dues_table(loaded.version)


def test_in_the_on_change_mode_a_new_base_applies_from_its_month(on_change_table):
    member = new_member("随调随缴")
    declare(member, "3000", month="2026-01", today="2026-01-10")
    raised = declare(member, "6000", month="2026-06", today="2026-06-05")
    assert raised.from_month == D("2026-06-01")
    assert not dues.base_notes(raised)


def test_a_monthly_amount_above_the_usual_cap_is_flagged_not_refused():
    member = new_member("高收入")
    base = declare(member, "60000", month="2026-01", today="2026-01-10")
    assert base.monthly == Y("1200.00")
    assert any("1000" in n and "1200.00" in n for n in dues.base_notes(base))


def test_bad_bases_are_refused_with_their_field():
    member = new_member("基数错误", admitted="2024-07-01")
    ahead = refusal(
        dues.record_dues_bases,
        [one_base(member, base="3000", from_month="2026-08")],
        by=SYSTEM,
        today=D("2026-06-05"),
    )
    assert ahead == [("from_month", ahead[0][1])]
    assert "下月" in ahead[0][1]
    early = refusal(
        dues.record_dues_bases,
        [one_base(member, base="3000", from_month="2024-06")],
        by=SYSTEM,
        today=D("2026-06-05"),
    )
    assert early[0][0] == "from_month"
    assert "2024-07-01" in early[0][1]
    for base, words in (("-1", "负数"), ("三千", "金额"), ("3000.005", "两位小数"), ("", "必填")):
        found = refusal(
            dues.record_dues_bases,
            [one_base(member, base=base, from_month="2026-06")],
            by=SYSTEM,
            today=D("2026-06-05"),
        )
        assert found[0][0] == "base", found
        assert words in found[0][1], found
    unknown = refusal(
        dues.record_dues_bases,
        [Item({"membership": member, "category": "farmer", "base": "3000", "from_month": "2026-06"})],
        by=SYSTEM,
        today=D("2026-06-05"),
    )
    assert unknown[0][0] == "category"
    assert "farmer" in unknown[0][1]
    twice = refusal(
        dues.record_dues_bases,
        [
            one_base(member, base="3000", from_month="2026-06"),
            one_base(member, base="3100", from_month="2026-06"),
        ],
        by=SYSTEM,
        today=D("2026-06-05"),
    )
    assert twice[0][0] == "from_month"


def test_a_member_outside_the_scope_or_not_in_good_standing_declares_nothing():
    stranger = new_member("外区党员", code=FURONG)
    found = refusal(
        dues.record_dues_bases,
        [one_base(stranger, base="3000", from_month="2026-06")],
        by=user("school_secretary"),
        today=D("2026-06-05"),
    )
    assert {f for f, _m in found} == {"membership"}
    suspended = set_status(new_member("停止党籍者"), "suspended", "2026-02-01")
    (problem,) = refusal(
        dues.record_dues_bases,
        [one_base(suspended, base="3000", from_month="2026-06")],
        by=SYSTEM,
        today=D("2026-06-05"),
    )
    assert problem[0] == "membership"
    assert "停止党籍" in problem[1]
    assert "2026-02-01" in problem[1]


# The ledger -------------------------------------------------------------------------------------------
def calendar():
    """Four members of 梅溪湖中学高中部党支部: 甲 with a base, 乙 without, 丙 admitted in March, 丁 suspended."""
    jia = new_member("台账甲", code=MEIXIHU_SENIOR, admitted="2015-07-01")
    yi = new_member("台账乙", code=MEIXIHU_SENIOR, admitted="2016-07-01")
    bing = new_member("台账丙", code=MEIXIHU_SENIOR, admitted="2026-03-10")
    ding = new_member("台账丁", code=MEIXIHU_SENIOR, admitted="2010-07-01")
    declare(jia, "3000", month="2026-01", today="2026-01-05")
    declare(ding, "4000", month="2026-01", today="2026-01-05")
    declare(bing, "5000.01", month="2026-03", today="2026-03-12")
    set_status(ding, "suspended", "2025-12-01")
    return jia, yi, bing, ding


def test_opening_months_gives_each_member_in_good_standing_the_due_of_the_base_in_force():
    jia, yi, bing, ding = calendar()
    opened = open_months(MEIXIHU_SENIOR, ["2026-01", "2026-02", "2026-03", "2026-04"], today="2026-04-02")
    assert {e.month: e.due for e in jia.dues_entries.all()} == {
        D(f"2026-0{n}-01"): Y("15.00") for n in (1, 2, 3, 4)
    }
    assert [f"{e.month:%Y-%m}" for e in bing.dues_entries.order_by("month")] == ["2026-03", "2026-04"]
    assert all(e.due == Y("75.00") and e.dues_base.base == Y("5000.01") for e in bing.dues_entries.all())
    assert not ding.dues_entries.exists()  # suspended: no month as a member
    assert not yi.dues_entries.exists()  # no base: no silent 0
    assert all(yi in o.missing for o in opened)
    assert bing not in opened[0].missing
    assert bing not in opened[1].missing
    again = dues.open_month(D("2026-04-01"), [jia.organization], by=SYSTEM, today=D("2026-04-20"))
    assert not again.created
    assert again.existing >= 2
    (future,) = refusal(dues.open_month, D("2026-05-01"), by=SYSTEM, today=D("2026-04-30"))
    assert future[0] == "month"
    assert "2026-05" in future[1]


def test_the_daily_job_opens_the_current_month_once():
    jia, *_ = calendar()
    line = daily.open_current_month(D("2026-05-01"))
    assert "2026-05" in line
    assert entries(jia)["2026-05"].due == Y("15.00")
    before = DuesEntry.objects.count()
    daily.open_current_month(D("2026-05-17"))
    assert DuesEntry.objects.count() == before


def test_opening_costs_the_same_queries_for_more_members():
    secretary = user("school_secretary")

    def opened(names, month):
        for name in names:
            declare(new_member(name, code=MEIXIHU_SENIOR), "3000", month="2026-01", today="2026-01-05")
        with CaptureQueriesContext(connection) as queries:
            done = dues.open_month(D(month), [org_of_senior()], by=secretary, today=D("2026-04-02"))
        assert len(done.created) >= len(names)
        return len(queries)

    # the caches of the first write of a test that creates entries (content types, scopes)
    opened(["预热"], "2026-01-01")
    small = opened([f"小批{n}" for n in range(2)], "2026-02-01")
    large = opened([f"大批{n}" for n in range(12)], "2026-03-01")
    assert small == large, (small, large)


def org_of_senior():
    from .dues_helpers import org

    return org(MEIXIHU_SENIOR)


# Payments --------------------------------------------------------------------------------------------
def test_payments_late_partial_and_ahead():
    jia, *_ = calendar()
    open_months(MEIXIHU_SENIOR, ["2026-01", "2026-02", "2026-03", "2026-04"], today="2026-04-02")
    pay(jia, "2026-01", "15", "2026-01-20")
    pay(jia, "2026-02", "15.00", "2026-04-02", method="payroll")  # arrears paid late: normal
    partial = pay(jia, "2026-03", "10", "2026-04-02")
    assert partial.owed == Y("5.00")
    ahead = pay(jia, "2026-12", "15", "2026-04-02")  # paid ahead to the year end: its entry made with it
    assert ahead.due == Y("15.00")
    assert ahead.organization == jia.organization
    got = entries(jia)
    assert (got["2026-01"].paid, got["2026-01"].paid_on) == (Y("15.00"), D("2026-01-20"))
    assert got["2026-02"].method == "payroll"
    assert dues.arrears([jia], today=D("2026-04-15"))[jia.pk].months == [D("2026-03-01"), D("2026-04-01")]
    assert dues.arrears([jia], today=D("2026-04-15"))[jia.pk].amount == Y("20.00")
    same = dues.PAYMENTS.check(
        [dues.Payment(membership=jia, month="2026-01", amount="15", paid_on=D("2026-01-20"), method="cash")],
        Scope(SYSTEM),
        D("2026-04-15"),
    )
    assert same.counts() == {"new": 0, "changed": 0, "unchanged": 1}  # paying again the same: no change
    (back,) = dues.record_payments(
        [dues.Payment(membership=jia, month="2026-03", amount="0")], by=SYSTEM, today=D("2026-04-20")
    )
    assert (back.paid, back.paid_on, back.method) == (Y("0.00"), None, "")


@pytest.mark.parametrize(
    ("month", "amount", "paid_on", "field", "words"),
    [
        ("2026-02", "20", "2026-04-01", "paid", "自愿多交"),
        ("2026-02", "15", "2026-04-03", "paid_on", "晚于今天"),
        ("2026-02", "", "2026-04-01", "paid", "必填"),
        ("2026-02", "15", None, "paid_on", "必填"),
        ("2026-02", "15", "2014-06-01", "paid_on", "2015-07-01"),
        ("2027-01", "15", "2026-04-01", "month", "年底"),
        ("2026-03", "15", "2026-04-01", "month", "开账"),
        ("2026-13", "15", "2026-04-01", "month", "月份"),
        ("2026-02", "15", "2026-04-01", "method", "支付宝"),
    ],
    ids=[
        "too-much",
        "future",
        "no-amount",
        "no-date",
        "before-admission",
        "too-far-ahead",
        "not-opened",
        "no-such-month",
        "method",
    ],
)
def test_a_bad_payment_is_refused_at_its_field(month, amount, paid_on, field, words):
    jia, *_ = calendar()
    open_months(MEIXIHU_SENIOR, ["2026-01", "2026-02"], today="2026-02-02")
    method = "支付宝" if field == "method" else "cash"
    payment = dues.Payment(
        membership=jia, month=month, amount=amount, paid_on=D(paid_on) if paid_on else None, method=method
    )
    found = refusal(dues.record_payments, [payment], by=SYSTEM, today=D("2026-04-02"))
    assert found[0][0] == field, found
    assert words in found[0][1], found


def test_a_member_without_a_base_cannot_pay_a_month_not_opened_for_them():
    _jia, yi, *_ = calendar()
    open_months(MEIXIHU_SENIOR, ["2026-01"], today="2026-01-05")
    (problem,) = refusal(
        dues.record_payments,
        [dues.Payment(membership=yi, month="2026-01", amount="15", paid_on=D("2026-01-20"))],
        by=SYSTEM,
        today=D("2026-01-20"),
    )
    assert problem[0] == "month"
    assert "党费基数" in problem[1]


def test_a_suspended_member_paying_dues_as_active_is_refused():
    jia, *_ = calendar()
    open_months(MEIXIHU_SENIOR, ["2026-01", "2026-02"], today="2026-02-02")
    set_status(jia, "suspended", "2026-02-10")  # owed January and February when suspended
    before = counts()
    for payment in (
        dues.Payment(membership=jia, month="2026-01", amount="15", paid_on=D("2026-02-20")),
        dues.Payment(entry=entries(jia)["2026-02"], amount="15", paid_on=D("2026-02-20")),
    ):
        (problem,) = refusal(dues.record_payments, [payment], by=SYSTEM, today=D("2026-02-20"))
        assert problem[0] == "membership"
        assert "台账甲" in problem[1]
        assert "停止党籍" in problem[1]
        assert "2026-02-10" in problem[1]
    assert counts() == before
    set_status(jia, "out_of_contact", "2026-02-10")
    (problem,) = refusal(
        dues.record_payments,
        [dues.Payment(membership=jia, month="2026-01", amount="15", paid_on=D("2026-02-20"))],
        by=SYSTEM,
        today=D("2026-02-20"),
    )
    assert "失联" in problem[1]


def test_payments_outside_the_scope_answer_as_missing():
    stranger = new_member("外区缴费", code=FURONG)
    declare(stranger, "3000", month="2026-01", today="2026-01-05")
    dues.open_month(D("2026-01-01"), [stranger.organization], by=SYSTEM, today=D("2026-01-05"))
    with pytest.raises(RefusedError) as refused:
        dues.record_payments(
            [dues.Payment(entry=entries(stranger)["2026-01"], amount="15", paid_on=D("2026-01-20"))],
            by=user("school_secretary"),
            today=D("2026-01-20"),
        )
    assert refused.value.missing
    with pytest.raises(RefusedError) as refused:
        dues.open_month(
            D("2026-01-01"), [stranger.organization], by=user("school_secretary"), today=D("2026-01-05")
        )
    assert refused.value.missing


# Reliefs ---------------------------------------------------------------------------------------------
def relief(member, **values):
    base = {
        "membership": member,
        "exempt": True,
        "from_month": "2026-03",
        "until_month": "2026-06",
        "reason": "家庭困难，支部研究同意",
        "approved_by": "中共岳麓区梅溪湖中学委员会",
        "approved_on": D("2026-03-01"),
    }
    return Item({**base, **values})


def test_a_relief_reprices_the_unpaid_months_it_covers():
    jia, *_ = calendar()
    open_months(MEIXIHU_SENIOR, ["2026-01", "2026-02", "2026-03", "2026-04"], today="2026-04-02")
    pay(jia, "2026-03", "10", "2026-03-20")  # partly paid: stays as it is
    (found,) = dues.record_reliefs([relief(jia)], by=SYSTEM, today=D("2026-04-05"))
    got = entries(jia)
    assert got["2026-02"].due == Y("15.00")  # before the relief
    assert got["2026-03"].due == Y("15.00")  # paid in part already
    assert (got["2026-04"].due, got["2026-04"].relief) == (Y("0.00"), found)
    dues.open_month(D("2026-05-01"), [jia.organization], by=SYSTEM, today=D("2026-05-02"))
    dues.open_month(D("2026-07-01"), [jia.organization], by=SYSTEM, today=D("2026-07-02"))
    assert entries(jia)["2026-05"].due == Y("0.00")
    assert entries(jia)["2026-07"].due == Y("15.00")  # after it
    (over,) = refusal(
        dues.record_payments,
        [dues.Payment(membership=jia, month="2026-05", amount="1", paid_on=D("2026-05-10"))],
        by=SYSTEM,
        today=D("2026-05-10"),
    )
    assert over[0] == "paid"
    assert "自愿多交" in over[1]


def test_a_reduction_and_a_new_base_reprice_the_unpaid_months():
    jia, *_ = calendar()
    open_months(MEIXIHU_SENIOR, ["2026-01", "2026-02", "2026-03"], today="2026-03-02")
    pay(jia, "2026-01", "15", "2026-01-20")
    declare(jia, "5000.01", month="2026-01", today="2026-03-05")  # the yearly fixing, corrected in Q1
    got = entries(jia)
    assert (got["2026-01"].due, got["2026-02"].due, got["2026-03"].due) == (
        Y("15.00"),
        Y("75.00"),
        Y("75.00"),
    )
    dues.record_reliefs(
        [relief(jia, exempt=False, monthly="20", from_month="2026-03", until_month="2026-03")],
        by=SYSTEM,
        today=D("2026-03-06"),
    )
    assert entries(jia)["2026-03"].due == Y("20.00")


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"approved_by": ""}, "approved_by", "必填"),
        ({"approved_on": None}, "approved_on", "必填"),
        ({"approved_on": D("2026-05-01")}, "approved_on", "晚于今天"),
        ({"reason": " "}, "reason", "必填"),
        ({"until_month": "2026-02"}, "until_month", "起始"),
        ({"exempt": False, "monthly": ""}, "monthly", "减交"),
        ({"exempt": False, "monthly": "15"}, "monthly", "15.00"),
    ],
    ids=["approver", "approval-date", "approval-future", "reason", "span", "no-amount", "not-less"],
)
def test_a_bad_relief_is_refused(values, field, words):
    jia, *_ = calendar()
    found = refusal(dues.record_reliefs, [relief(jia, **values)], by=SYSTEM, today=D("2026-04-05"))
    assert found[0][0] == field, found
    assert words in found[0][1], found


def test_reliefs_do_not_overlap():
    jia, *_ = calendar()
    dues.record_reliefs([relief(jia)], by=SYSTEM, today=D("2026-04-05"))
    (clash,) = refusal(
        dues.record_reliefs,
        [relief(jia, from_month="2026-06", until_month="2026-08")],
        by=SYSTEM,
        today=D("2026-04-05"),
    )
    assert clash[0] == "from_month"
    assert "2026-03" in clash[1]


# Voluntary payments ----------------------------------------------------------------------------------
def test_a_voluntary_payment_of_a_thousand_or_more_is_passed_up():
    jia, *_ = calendar()
    big, small = dues.record_voluntary(
        [
            Item({"membership": jia, "amount": "1000", "paid_on": D("2026-07-01"), "note": "七一"}),
            Item({"membership": jia, "amount": "999.99", "paid_on": D("2026-07-01")}),
        ],
        by=SYSTEM,
        today=D("2026-07-02"),
    )
    assert (big.passed_up, small.passed_up) == (True, False)
    assert big.organization == jia.organization
    assert big.to_pass_up
    (passed,) = dues.record_passed_up([big], D("2026-07-10"), by=SYSTEM, today=D("2026-07-10"))
    passed.refresh_from_db()
    assert passed.passed_up_on == D("2026-07-10")
    assert not passed.to_pass_up
    (stays,) = refusal(dues.record_passed_up, [small], D("2026-07-10"), by=SYSTEM, today=D("2026-07-10"))
    assert "1000" in stays[1]
    (twice,) = refusal(dues.record_passed_up, [big], D("2026-07-11"), by=SYSTEM, today=D("2026-07-11"))
    assert "2026-07-10" in twice[1]
    (nothing,) = refusal(
        dues.record_voluntary,
        [Item({"membership": jia, "amount": "0", "paid_on": D("2026-07-01")})],
        by=SYSTEM,
        today=D("2026-07-02"),
    )
    assert nothing[0] == "amount"


# What other parts read -------------------------------------------------------------------------------
def test_arrears_last_paid_and_months_in_a_row():
    jia, _yi, bing, _ding = calendar()
    open_months(MEIXIHU_SENIOR, [f"2026-0{n}" for n in range(1, 8)], today="2026-07-02")
    pay(jia, "2026-01", "15", "2026-01-20")
    pay(jia, "2026-03", "15", "2026-03-20")
    pay(bing, "2026-03", "75", "2026-03-20")
    today = D("2026-07-15")
    owed = dues.arrears([jia, bing], today)
    assert owed[jia.pk].months == [D("2026-02-01")] + [D(f"2026-0{n}-01") for n in range(4, 8)]
    assert owed[jia.pk].amount == Y("75.00")
    assert owed[bing.pk].count == 4
    assert owed[bing.pk].amount == Y("300.00")
    assert dues.last_paid_month([jia, bing], today) == {jia.pk: D("2026-03-01"), bing.pk: D("2026-03-01")}
    assert dues.consecutive_unpaid_months([jia, bing], today) == {jia.pk: 4, bing.pk: 4}
    assert dues.unpaid_months(type(jia).objects.filter(pk=jia.pk), today)[jia.pk][0] == D("2026-02-01")
    assert jia.pk not in dues.consecutive_unpaid_months(
        [jia], D("2026-03-31")
    )  # Feb owed, March settled since
