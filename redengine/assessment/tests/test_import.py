"""The import sheet 星级评定结果, on real .xlsx files made with openpyxl: past results landing as imported
ratings (and 示范支部 是 as imported demonstration branches), the same rows again changing nothing, every rule
of the sheet refused at its row and column with nothing written, a branch new in the 党组织 sheet of the same
file rated and named with it, and the sheet's export reading back unchanged."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone, translation

from redengine.assessment.imports import RATINGS_SHEET, RatingSheet
from redengine.assessment.models import Designation, Rating
from redengine.assessment.services import schemes
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.dataio import importer
from redengine.dataio.errors import format_issue
from redengine.dataio.importer import ImportContext
from redengine.imports.tests.generated import ORG_HEADERS

from .helpers import BRANCH, FURONG_BRANCH, MEIXIHU, SIBLING, org, user

pytestmark = pytest.mark.django_db

SHEET = "星级评定结果"
HEADERS = ["党组织代码", "年度", "总分", "等级", "示范支部"]


def workbook(sheets):
    """An .xlsx of {title: rows} written with openpyxl (codes as text, numbers as numbers)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheets(rows, **more):
    return {**more, SHEET: [HEADERS, *rows]}


def check(book, username=None):
    ctx = ImportContext(user(username) if username else None)
    with translation.override("zh-hans"):
        return importer.validate(workbook(book), ctx), ctx


def imported(book, username=None):
    validation, ctx = check(book, username)
    assert not validation.has_errors, [format_issue(issue) for issue in validation.errors]
    importer.write(validation, ctx)
    return validation


def counts():
    return (Rating.objects.count(), Designation.objects.count(), ObjectChange.objects.count())


def refused(book, where, username="city_admin"):
    """Exactly one error, at ``where`` (row, column), nothing written; its reason."""
    before = counts()
    validation, ctx = check(book, username)
    found = [(i.sheet, i.row, i.column_header) for i in validation.errors]
    assert found == [(SHEET, *where)], [format_issue(i) for i in validation.errors]
    with pytest.raises(ValueError, match="never written"):
        importer.write(validation, ctx)
    assert counts() == before
    return validation.errors[0].reason


ROWS = [
    [BRANCH, 2017, 78.5, "三星", None],
    [BRANCH, 2018, 93, 5, "是"],
    [SIBLING, 2018, None, "四星", "否"],
]


def test_past_results_land_as_imported_ratings_and_designations():
    imported(sheets(ROWS), "city_admin")
    found = {(r.organization.code, r.year): r for r in Rating.objects.select_related("organization")}
    assert found[(BRANCH, 2017)].level == 3
    assert found[(BRANCH, 2017)].total == Decimal("78.5")
    assert found[(BRANCH, 2018)].level == 5
    assert found[(SIBLING, 2018)].total is None
    assert all(r.imported for r in found.values())
    (named,) = Designation.objects.all()
    assert (named.organization.code, named.year, named.imported, named.document_number) == (
        BRANCH,
        2018,
        True,
        "",
    )
    assert ObjectChange.objects.filter(content_type__model="rating", username="city_admin").count() == 3
    again, _ctx = check(sheets(ROWS), "city_admin")  # the same rows again: nothing changes
    assert again.counts()[SHEET] == {"new": 0, "changed": 0, "unchanged": 4}


def this_year_plus(years):
    return timezone.localdate().year + years


@pytest.mark.parametrize(
    ("row", "where", "words"),
    [
        ([MEIXIHU, 2018, None, "三星", None], (2, "党组织代码"), "不是支部"),
        (["CS-NOWHERE", 2018, None, "三星", None], (2, "党组织代码"), "没有该代码"),
        ([BRANCH, this_year_plus(1), None, "三星", None], (2, "年度"), "尚未到来"),
        ([BRANCH, 2018, None, "六星", None], (2, "等级"), "五星"),
        ([BRANCH, 2018, None, 6, None], (2, "等级"), "五星"),
        ([BRANCH, 2018, 101, "五星", None], (2, "总分"), "100 分"),
        ([BRANCH, 2018, -3, "二星", None], (2, "总分"), "不能小于 0"),
        ([BRANCH, 2018, 85, "四星", "是"], (2, "示范支部"), "五星"),
        ([BRANCH, 2018, 85, "四星", "也许"], (2, "示范支部"), "是"),
    ],
    ids=[
        "not-a-branch",
        "unknown",
        "future",
        "level-name",
        "level-digit",
        "total",
        "negative",
        "not-five-stars",
        "yes-no",
    ],
)
def test_a_bad_row_is_refused_at_its_row_and_column(row, where, words):
    assert words in refused(sheets([row]), where)


def test_a_result_twice_is_refused_in_the_sheet_and_against_the_recorded():
    rows = [[BRANCH, 2018, None, "三星", None], [BRANCH, 2018, None, "四星", None]]
    assert "第 2 行" in refused(sheets(rows), (3, "党组织代码"))
    schemes.record_ratings(
        [Item({"organization": org(BRANCH), "year": 2018, "level": 4, "imported": True})], by=SYSTEM
    )
    assert "已有 2018 年度的评定结果（四星）" in refused(
        sheets([[BRANCH, 2018, None, "五星", None]]), (2, "年度")
    )
    # the same result again is no second one: it changes nothing
    validation, _ctx = check(sheets([[BRANCH, 2018, None, 4, None]]), "city_admin")
    assert not validation.errors
    assert validation.counts()[SHEET]["unchanged"] == 1


def test_the_sheet_names_demonstration_branches_and_never_withdraws_them():
    imported(sheets([[BRANCH, 2018, None, "五星", "是"]]))
    reason = refused(sheets([[BRANCH, 2018, None, "五星", "否"]]), (2, "示范支部"))
    assert "不撤销" in reason


def test_each_writer_within_scope_and_role():
    # a Furong branch is no branch the Yuelu administrator knows of
    assert "没有该代码" in refused(
        sheets([[FURONG_BRANCH, 2018, None, "三星", None]]), (2, "党组织代码"), "yuelu_admin"
    )
    # the district records its results; only the city names demonstration branches
    assert "市级管理员" in refused(
        sheets([[BRANCH, 2018, None, "五星", "是"]]), (2, "示范支部"), "yuelu_admin"
    )
    imported(sheets([[BRANCH, 2018, None, "五星", None]]), "yuelu_admin")
    assert Rating.objects.get(organization__code=BRANCH, year=2018).level == 5


def test_a_branch_new_in_the_same_file_is_rated_and_named():
    book = sheets(
        [["T-NEW-BR", 2019, 91, "五星", "是"]],
        党组织=[
            ORG_HEADERS,
            [
                "T-NEW-BR",
                "梅溪湖中学新设党支部",
                "党支部",
                MEIXIHU,
                "4301040002",
                datetime.date(2015, 9, 1),
                None,
            ],
        ],
    )
    imported(book, "city_admin")
    rating = Rating.objects.get(organization__code="T-NEW-BR")
    assert (rating.year, rating.level, rating.total) == (2019, 5, Decimal("91"))
    assert Designation.objects.filter(organization__code="T-NEW-BR", year=2019, imported=True).exists()


def test_the_export_reads_back_unchanged():
    imported(sheets(ROWS), "city_admin")
    ctx = ImportContext(user("city_admin"))
    exported = list(RatingSheet().export_rows(ctx))
    assert {(r["org_code"], r["year"], r["level"], r["demonstration"]) for r in exported} == {
        (BRANCH, 2017, 3, False),
        (BRANCH, 2018, 5, True),
        (SIBLING, 2018, 4, False),
    }
    columns = [c.key for c in RATINGS_SHEET.columns]
    rows = [[RATINGS_SHEET.column(k).parser.cell(r[k]) for k in columns] for r in exported]
    again, _ctx = check(sheets(rows), "city_admin")
    assert not again.errors, [format_issue(i) for i in again.errors]
    assert again.counts()[SHEET] == {"new": 0, "changed": 0, "unchanged": 4}


def test_the_sheet_reads_as_import_templates_md_fixes_it():
    assert RATINGS_SHEET.name == SHEET
    assert [c.header for c in RATINGS_SHEET.columns] == HEADERS
    assert [c.header for c in RATINGS_SHEET.columns if c.required] == ["党组织代码", "年度", "等级"]
