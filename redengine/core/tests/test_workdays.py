"""Working days on the holiday calendar kept as data (domain-rules §0.1 "Working days"): the State Council's
yearly notices of 2024, 2025 and 2026 are shipped (调休 working weekends included), an administrator loads a
year with ``manage.py load_holidays``, and a year without a table is counted Monday to Friday and says so."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from redengine.core.models import HolidayCalendarDay, ObjectChange
from redengine.core.workdays import add_working_days, unloaded_years, working_days_between

pytestmark = pytest.mark.django_db
D = datetime.date.fromisoformat


def test_2025_national_day_and_mid_autumn_notice():
    """国务院办公厅关于2025年部分节假日安排的通知: 10月1日至8日放假，9月28日（周日）、10月11日（周六）上班."""
    counted = working_days_between(D("2025-09-28"), D("2025-10-12"))
    # 9-28 (Sun, worked), 9-29, 9-30, 10-09, 10-10, 10-11 (Sat, worked); Monday–Friday alone would say 10.
    assert (counted.count, counted.unloaded) == (6, ())


def test_2024_spring_festival_notice():
    """国务院办公厅关于2024年部分节假日安排的通知: 2月10日至17日放假，2月4日（周日）、2月18日（周日）上班."""
    assert working_days_between(D("2024-02-04"), D("2024-02-18")).count == 7  # 2-04, 2-05…2-09, 2-18
    assert add_working_days(D("2024-02-09"), 1) == D("2024-02-18")


def test_2026_spring_festival_and_new_year_notice():
    """国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）: 1月1日至3日放假、1月4日（周日）上班;
    2月15日至23日放假，2月14日（周六）、2月28日（周六）上班."""
    assert add_working_days(D("2025-12-31"), 1) == D("2026-01-04")
    assert add_working_days(D("2026-02-13"), 1) == D("2026-02-14")
    assert add_working_days(D("2026-02-14"), 1) == D("2026-02-24")
    assert HolidayCalendarDay.objects.filter(date__year=2026, kind="working_weekend").count() == 6


def test_a_year_without_a_table_is_counted_monday_to_friday_and_named():
    counted = working_days_between(D("2026-12-28"), D("2027-01-08"))
    assert counted.count == 10
    assert counted.unloaded == (2027,)
    assert unloaded_years(D("2024-01-01"), D("2026-12-31")) == ()


def test_an_administrator_loads_a_year_and_it_replaces_the_table(tmp_path):
    sheet = tmp_path / "2027.csv"
    sheet.write_text(
        "日期,类型,名称,来源\n2027-01-01,放假,元旦,国务院办公厅关于2027年部分节假日安排的通知\n",
        encoding="utf-8",
    )
    changes = ObjectChange.objects.count()
    call_command("load_holidays", str(sheet))
    counted = working_days_between(D("2026-12-28"), D("2027-01-08"))
    assert counted.count == 9
    assert counted.unloaded == ()
    assert ObjectChange.objects.count() == changes + 1  # in the audit trail
    call_command("load_holidays", str(sheet))  # loading the year again replaces it
    assert HolidayCalendarDay.objects.filter(date__year=2027).count() == 1


def test_a_wrong_sheet_names_its_rows_in_chinese_and_loads_nothing(tmp_path):
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "日期,类型,名称,来源\n2027-01-04,上班,调休,通知\n2027-02-30,放假,春节,通知\n2027-03-01,休息,,通知\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as info:
        call_command("load_holidays", str(sheet))
    text = str(info.value)
    assert "第2行" in text
    assert "不是周末" in text
    assert "第3行" in text
    assert "第4行" in text
    assert not HolidayCalendarDay.objects.filter(date__year=2027).exists()
