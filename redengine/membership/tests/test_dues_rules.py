"""The dues rules as data (domain-rules §3.2, §7b): every worked example of §7b through ``rules.quote``, through
the service that records a base (the amount, rate and rule kept on it), and the versions of the table — a
later table is data, taking effect from its date."""

import datetime
from decimal import Decimal

import pytest

from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError
from redengine.membership import rules
from redengine.membership.rules import DuesCategory, DuesTable, FixingMode, dues_table, quote
from redengine.membership.services import dues

from .dues_helpers import D, new_member

# domain-rules §7b, "Dues (2008 rules, whole-base rates)": (category, base, monthly, rate, rule)
WORKED = [
    ("in_service", "3000.00", "15.00", "0.005", "DUES.BRACKETS"),
    ("in_service", "3000.01", "30.00", "0.01", "DUES.BRACKETS"),
    ("in_service", "5000.00", "50.00", "0.01", "DUES.BRACKETS"),
    ("in_service", "5000.01", "75.00", "0.015", "DUES.BRACKETS"),
    ("in_service", "10000.00", "150.00", "0.015", "DUES.BRACKETS"),
    ("in_service", "12000.00", "240.00", "0.02", "DUES.BRACKETS"),
    ("retired", "5000.00", "25.00", "0.005", "DUES.RETIRED"),
    ("retired", "5200.00", "52.00", "0.01", "DUES.RETIRED"),
    ("student", "0", "0.20", None, "DUES.FLAT"),
    ("student", "8000.00", "0.20", None, "DUES.FLAT"),
    ("hardship", "1200.00", "0.20", None, "DUES.FLAT"),
]


@pytest.mark.parametrize(("category", "base", "monthly", "rate", "rule"), WORKED)
def test_the_worked_examples_of_the_rules(category, base, monthly, rate, rule):
    found = quote(base, category, on=D("2026-03-01"))
    assert found.monthly == Decimal(monthly)
    assert str(found.monthly) == monthly  # to the fen
    assert found.rate == (Decimal(rate) if rate else None)
    assert found.rule == rule
    assert "中组发〔2008〕3号" in found.source


def test_the_rate_is_of_the_whole_base_not_of_the_part_above_a_limit():
    assert quote("4200", "in_service").monthly == Decimal("42.00")  # domain-rules §3.2
    assert quote("3000.01", "in_service").monthly == Decimal("30.00")  # not 15.00 + 0.0001


def test_amounts_are_rounded_to_the_fen_half_up():
    assert quote("3333.33", "in_service").monthly == Decimal("33.33")  # 33.3333
    assert quote("5001.00", "in_service").monthly == Decimal("75.02")  # 75.015 → 75.02
    assert quote("4999.99", "retired").monthly == Decimal("25.00")  # 24.99995


def test_bad_quotes_raise():
    for base, words in (
        ("-1", "negative"),
        ("abc", "not a number"),
        ("NaN", "not a number"),
        ("Infinity", "not a number"),
    ):
        with pytest.raises(ValueError, match=words):
            quote(base, "in_service")
    with pytest.raises(ValueError, match="no dues category"):
        quote("3000", "farmer")


def test_the_tables_carry_their_sources_and_fixing_mode_by_date():
    assert dues_table(D("2010-05-01")).version == "2008"
    assert dues_table(D("2010-05-01")).fixing == FixingMode.ON_CHANGE  # 2008 art. 10
    assert dues_table(D("2026-05-01")).version == "2017"
    assert dues_table(D("2026-05-01")).fixing == FixingMode.YEARLY  # 组电明字〔2017〕5号 (LOCAL)
    for table in rules.DUES_TABLES:
        assert {"DUES.BRACKETS", "DUES.RETIRED", "DUES.FLAT", "DUES.RECALC"} <= set(table.sources)
        assert set(table.brackets) == {DuesCategory.IN_SERVICE, DuesCategory.RETIRED}
        assert set(table.flat) == {DuesCategory.STUDENT, DuesCategory.HARDSHIP}
    assert "基本离退休费" in quote("5000", "retired", on=D("2026-01-01")).source
    assert "基本离退休费" not in quote("5000", "retired", on=D("2010-01-01")).source


@pytest.fixture
def later_table():
    """A later table loaded as data: 1 % up to 4,000 from 2030 (an invented revision, for the test)."""
    table = DuesTable(
        "2030-test",
        datetime.date(2030, 1, 1),
        {
            DuesCategory.IN_SERVICE: [(Decimal("4000"), Decimal("0.01")), (None, Decimal("0.02"))],
            DuesCategory.RETIRED: [(None, Decimal("0.005"))],
        },
        {DuesCategory.STUDENT: Decimal("0.50"), DuesCategory.HARDSHIP: Decimal("0.20")},
        FixingMode.ON_CHANGE,
        {**rules.SOURCES_2008, "DUES.BRACKETS": "测试修订"},
    )
    rules.add_dues_table(table)
    yield table
    rules.remove_dues_table(table.version)


def test_a_later_table_is_data_in_force_from_its_date(later_table):
    assert quote("3500", "in_service", on=D("2029-12-01")).monthly == Decimal("35.00")
    assert quote("3500", "in_service", on=D("2030-01-01")).monthly == Decimal("35.00")
    assert quote("4500", "in_service", on=D("2029-12-01")).monthly == Decimal("45.00")
    assert quote("4500", "in_service", on=D("2030-01-01")).monthly == Decimal("90.00")
    assert quote("4500", "in_service", on=D("2030-01-01")).source == "测试修订"
    assert quote("1", "student", on=D("2030-02-01")).monthly == Decimal("0.50")
    with pytest.raises(ValueError, match="already loaded"):
        rules.add_dues_table(later_table)


@pytest.mark.django_db
@pytest.mark.parametrize(("category", "base", "monthly", "rate", "rule"), WORKED)
def test_the_worked_examples_through_the_service(category, base, monthly, rate, rule):
    member = new_member(f"例{category}{base}")
    (found,) = dues.record_dues_bases(
        [Item({"membership": member, "base": base, "category": category, "from_month": D("2026-01-01")})],
        by=SYSTEM,
        today=D("2026-01-15"),
    )
    found.refresh_from_db()
    assert (str(found.monthly), found.rate, found.rule) == (monthly, Decimal(rate) if rate else None, rule)
    assert str(found.base) == str(Decimal(base).quantize(Decimal("0.01")))


@pytest.mark.django_db
def test_a_bad_category_or_base_is_refused_through_the_service():
    member = new_member("坏基数")
    for values, field in (
        ({"base": "abc", "category": "in_service"}, "base"),
        ({"base": "-5", "category": "in_service"}, "base"),
        ({"base": "3000.001", "category": "in_service"}, "base"),
        ({"base": "3000", "category": "farmer"}, "category"),
    ):
        with pytest.raises(RefusedError) as refused:
            dues.record_dues_bases(
                [Item({"membership": member, "from_month": D("2026-01-01"), **values})],
                by=SYSTEM,
                today=D("2026-01-15"),
            )
        assert [p.field for p in refused.value.problems] == [field]
    assert not member.dues_bases.exists()
