"""The import sheet 党费缴纳 and the monthly collection sheet: payments read from real workbooks (written with
XlsxWriter as a user's Excel would save them, and the collection sheet made by the application with openpyxl,
filled in and read back); a second import of the same rows changes nothing; every bad row is refused at its
row and column, in Chinese, with nothing written; the collection sheet masks the ID numbers unless they may be
revealed, with a second person's approval, and is logged."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from redengine.core.models import AccessEvent, ObjectChange
from redengine.dataio import importer
from redengine.dataio.errors import format_issue
from redengine.dataio.importer import ImportContext
from redengine.imports.tests.generated import write_xlsx
from redengine.membership.imports import DUES_SHEET
from redengine.membership.models import DuesEntry
from redengine.membership.services import dues
from redengine.testing import export_with_approval

from .dues_helpers import (
    FURONG,
    MEIXIHU_SENIOR,
    D,
    Y,
    declare,
    entries,
    new_member,
    open_months,
    set_status,
    user,
)

pytestmark = pytest.mark.django_db

SHEET = "党费缴纳"
HEADERS = ["公民身份号码", "姓名", "月份", "金额", "缴纳日期", "缴纳方式"]
TODAY = "2026-04-10"


def book(rows, headers=HEADERS):
    return write_xlsx({SHEET: [headers, *rows]})


def check(content, username="school_secretary", today=TODAY):
    ctx = ImportContext(user(username) if username else None, today=D(today))
    with translation.override("zh-hans"):
        return importer.validate(content, ctx), ctx


def counts():
    return DuesEntry.objects.filter(paid__gt=0).count(), ObjectChange.objects.count()


def imported(content, username="school_secretary", today=TODAY):
    validation, ctx = check(content, username, today)
    assert not validation.has_errors, [format_issue(i) for i in validation.errors]
    importer.write(validation, ctx)
    return validation


def refused(content, where, username="school_secretary"):
    """Exactly one error, at ``where`` (row, column header), nothing written; its reason."""
    before = counts()
    validation, ctx = check(content, username)
    found = [(i.sheet, i.row, i.column_header) for i in validation.errors]
    assert found == [(SHEET, *where)], [format_issue(i) for i in validation.errors]
    with pytest.raises(ValueError, match="never written"):
        importer.write(validation, ctx)
    assert counts() == before
    return validation.errors[0].reason


@pytest.fixture
def ledger():
    """Two members of 梅溪湖中学高中部 with bases from January, January to April opened."""
    jia = new_member("导入甲", code=MEIXIHU_SENIOR, admitted="2015-07-01")
    yi = new_member("导入乙", code=MEIXIHU_SENIOR, admitted="2015-07-01")
    declare(jia, "3000", month="2026-01", today="2026-01-05")  # 15.00
    declare(yi, "5000.01", month="2026-01", today="2026-01-05")  # 75.00
    open_months(MEIXIHU_SENIOR, ["2026-01", "2026-02", "2026-03", "2026-04"], today="2026-04-02")
    return jia, yi


def test_good_rows_record_the_payments_and_a_second_import_changes_nothing(ledger):
    jia, yi = ledger
    rows = [
        [jia.id_number, "导入甲", "2026-01", 15, D("2026-01-20"), "现金"],
        [jia.id_number, None, "2026/2", "15.00", D("2026-04-02"), "payroll"],  # a code, and arrears paid late
        [yi.id_number, "导入乙", D("2026-03-01"), 75, D("2026-03-25"), None],  # an Excel date as the month
        [yi.id_number, "导入乙", "2026年4月", None, None, None],  # not paid yet: the row changes nothing
        [yi.id_number, "导入乙", "2026-12", 75, D("2026-04-10"), "线上支付"],  # ahead, within the year
    ]
    validation = imported(book(rows))
    assert validation.counts()[SHEET] == {"new": 1, "changed": 3, "unchanged": 0}
    got_jia, got_yi = entries(jia), entries(yi)
    assert (got_jia["2026-01"].paid, got_jia["2026-01"].method) == (Y("15.00"), "cash")
    assert (got_jia["2026-02"].paid_on, got_jia["2026-02"].method) == (D("2026-04-02"), "payroll")
    assert got_yi["2026-03"].paid == Y("75.00")
    assert got_yi["2026-04"].paid == 0
    assert (got_yi["2026-12"].due, got_yi["2026-12"].paid) == (Y("75.00"), Y("75.00"))
    changes = ObjectChange.objects.filter(content_type__model="duesentry", username="school_secretary")
    assert changes.filter(action="update").count() == 3
    assert changes.filter(action="create").count() == 1
    again, _ctx = check(book(rows))
    assert not again.has_errors
    assert again.counts()[SHEET] == {"new": 0, "changed": 0, "unchanged": 4}


def test_a_partial_payment_and_an_older_due_are_warnings(ledger):
    jia, _yi = ledger
    headers = [*HEADERS, "应缴金额"]
    validation = imported(
        book([[jia.id_number, "导入甲", "2026-01", 10, D("2026-01-20"), "现金", 20]], headers)
    )
    warnings = [(w.column_header, w.reason) for w in validation.warnings]
    assert ("应缴金额", "台账应缴为15.00元（表格早于台账的更新）。") in warnings
    assert any(column == "金额" and "仍欠缴5.00元" in reason for column, reason in warnings)
    assert entries(jia)["2026-01"].owed == Y("5.00")


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (["430104198505050000", None, "2026-01", 15, "2026-01-20", None], "公民身份号码", "校验"),
        (["4301************14", None, "2026-01", 15, "2026-01-20", None], "公民身份号码", "脱敏"),
        (["{other}", None, "2026-01", 15, "2026-01-20", None], "公民身份号码", "没有"),
        (["{jia}", "导入乙", "2026-01", 15, "2026-01-20", None], "姓名", "不符"),
        (["{jia}", None, "2026-13", 15, "2026-01-20", None], "月份", "月份"),
        (["{jia}", None, "三月", 15, "2026-01-20", None], "月份", "2026-03"),
        (["{jia}", None, "2025-12", 15, "2026-01-20", None], "月份", "党费基数"),
        (["{jia}", None, "2026-05", 15, "2026-04-01", None], "月份", None),  # ahead: allowed (below)
        (["{jia}", None, "2027-01", 15, "2026-04-01", None], "月份", "年底"),
        (["{jia}", None, "2026-01", 20, "2026-01-20", None], "金额", "自愿多交"),
        (["{jia}", None, "2026-01", 0, "2026-01-20", None], "金额", "大于 0"),
        (["{jia}", None, "2026-01", "15.005", "2026-01-20", None], "金额", "两位小数"),
        (["{jia}", None, "2026-01", "十五", "2026-01-20", None], "金额", "金额"),
        (["{jia}", None, "2026-01", 15, None, None], "缴纳日期", "必填"),
        (["{jia}", None, "2026-01", None, "2026-01-20", None], "金额", "金额"),
        (["{jia}", None, "2026-01", 15, "2026-04-11", None], "缴纳日期", "晚于今天"),
        (["{jia}", None, "2026-01", 15, "2014-01-20", None], "缴纳日期", "入党"),
        (["{jia}", None, "2026-01", 15, "2026-01-20", "支付宝"], "缴纳方式", "现金"),
    ],
    ids=[
        "id-check-digit",
        "id-masked",
        "id-outside-scope",
        "name",
        "month-13",
        "month-text",
        "month-not-opened",
        "month-ahead",
        "month-too-far",
        "too-much",
        "zero",
        "decimals",
        "not-a-number",
        "no-date",
        "no-amount",
        "future",
        "before-admission",
        "method",
    ],
)
def test_a_bad_row_is_refused_at_its_row_and_column(ledger, row, column, words):
    jia, _yi = ledger
    other = new_member("外区导入", code=FURONG)
    values = [
        {"{jia}": jia.id_number, "{other}": other.id_number}.get(v, v) if isinstance(v, str) else v
        for v in row
    ]
    values[4] = D(values[4]) if values[4] else None
    if words is None:
        imported(book([values]))  # paying ahead within the year: its month is made with the payment
        assert entries(jia)["2026-05"].paid == Y("15.00")
        return
    assert words in refused(book([values]), (2, column))


def test_a_suspended_member_and_a_duplicate_row_are_refused(ledger):
    jia, yi = ledger
    set_status(yi, "suspended", "2026-03-01")
    reason = refused(book([[yi.id_number, None, "2026-02", 75, D("2026-02-20"), None]]), (2, "公民身份号码"))
    assert "停止党籍" in reason
    twice = [[jia.id_number, None, "2026-02", 15, D("2026-02-20"), None]] * 2
    assert "2" in refused(book(twice), (3, "公民身份号码"))  # a duplicate of row 2 (the ID number and month)


def test_one_bad_row_writes_nothing_of_the_others(ledger):
    jia, yi = ledger
    rows = [
        [jia.id_number, None, "2026-01", 15, D("2026-01-20"), None],
        [yi.id_number, None, "2026-01", 999, D("2026-01-20"), None],
    ]
    before = counts()
    validation, _ctx = check(book(rows))
    assert [(e.row, e.column_header) for e in validation.errors] == [(3, "金额")]
    assert counts() == before


def test_the_sheet_is_in_the_template_with_its_columns():
    from redengine.dataio.template import build_template

    template = openpyxl.load_workbook(io.BytesIO(build_template([DUES_SHEET])))
    sheet = template[SHEET]
    assert [c.value for c in sheet[1]] == [c.header for c in DUES_SHEET.columns]
    assert sheet["A2"].number_format == "@"  # the ID number typed as text
    assert sheet["C2"].number_format == "@"  # the month too: Excel would make 2026-03 a date


# The collection sheet ---------------------------------------------------------------------------------
def sheet_rows(response):
    """(the workbook, the headers, the rows holding a value) of the collection sheet."""
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook[SHEET]
    headers = [c.value for c in sheet[1]]
    rows = [dict(zip(headers, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    return workbook, headers, [row for row in rows if any(v is not None for v in row.values())]


def test_the_collection_sheet_is_masked_for_a_secretary_and_logged(client_for, ledger):
    jia, yi = ledger
    secretary = client_for("school_secretary")
    response = secretary.get(reverse("membership:dues_sheet"), {"org": MEIXIHU_SENIOR, "month": "2026-03"})
    assert response.status_code == 200
    _book, headers, rows = sheet_rows(response)
    assert headers == [c.header for c in DUES_SHEET.columns]
    mine = {r["姓名"]: r for r in rows if r["姓名"] in ("导入甲", "导入乙")}
    assert mine["导入甲"]["公民身份号码"] == jia.person.id_number_masked
    assert jia.id_number not in str(rows)
    assert (mine["导入乙"]["月份"], float(mine["导入乙"]["应缴金额"])) == ("2026-03", 75.0)
    assert mine["导入乙"]["缴费基数"] == "5000.01"
    event = AccessEvent.objects.filter(kind="export", username="school_secretary").latest("id")
    assert event.row_count == len(rows)
    assert "脱敏" in event.detail
    # The sheet as it came, filled in and imported back: a masked ID number is refused, as in every sheet.
    validation, _ctx = check(fill(response.content, {"导入甲": (15, "2026-03-20")}))
    assert any("脱敏" in e.reason for e in validation.errors)


def fill(content, paid):
    """The collection sheet with 金额 and 缴纳日期 typed in for the members named."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook[SHEET]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        name = row[headers.index("姓名")].value
        if name in paid:
            amount, day = paid[name]
            row[headers.index("金额")].value = amount
            row[headers.index("缴纳日期")].value = D(day)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_collection_sheet_with_full_ids_needs_approval_and_imports_back(client_for, example_user, ledger):
    jia, yi = ledger
    city = client_for("city_admin")
    url = reverse("membership:dues_sheet") + f"?org={MEIXIHU_SENIOR}&month=2026-03&ids=full"
    response = export_with_approval(city, url, example_user("inspector"))
    assert response.status_code == 200
    workbook, _headers, rows = sheet_rows(response)
    mine = {r["姓名"]: r for r in rows if r["姓名"] in ("导入甲", "导入乙")}
    assert mine["导入甲"]["公民身份号码"] == jia.id_number
    assert "孙明" in workbook.properties.description  # the approver named in the file
    event = AccessEvent.objects.filter(kind="export", username="city_admin").latest("id")
    assert "完整" in event.detail
    filled = fill(response.content, {"导入甲": (15, "2026-03-20"), "导入乙": (75, "2026-03-21")})
    validation = imported(filled, username="city_admin")
    assert validation.counts()[SHEET]["changed"] == 2
    assert (entries(jia)["2026-03"].paid, entries(yi)["2026-03"].paid_on) == (Y("15.00"), D("2026-03-21"))
    again, _ctx = check(filled, username="city_admin")
    assert again.counts()[SHEET] == {"new": 0, "changed": 0, "unchanged": 2}


def test_the_scope_workbook_exports_this_years_payments_and_reads_back_as_no_change(ledger):
    from redengine.dataio.exporting import export_workbook

    jia, _yi = ledger
    dues.record_payments(
        [dues.Payment(membership=jia, month="2026-01", amount="15", paid_on=D("2026-01-20"), method="cash")],
        by=user("city_admin"),
        today=D(TODAY),
    )
    content, _rows, revealed = export_workbook(user("city_admin"))
    assert revealed
    exported = openpyxl.load_workbook(io.BytesIO(content))[SHEET]
    rows = [list(r) for r in exported.iter_rows(values_only=True)]
    headers = rows[0]
    assert headers == [c.header for c in DUES_SHEET.columns]
    mine = [r for r in rows[1:] if r[0] == jia.id_number]
    assert [(r[2], r[headers.index("金额")], r[headers.index("缴纳方式")]) for r in mine] == [
        ("2026-01", "15.00", "现金")
    ]
    validation, _ctx = check(write_xlsx({SHEET: rows}), username="city_admin")
    assert not validation.has_errors, [format_issue(i) for i in validation.errors]
    assert validation.counts()[SHEET]["new"] == validation.counts()[SHEET]["changed"] == 0
