"""Reading declared sheets: exact values, and every problem located by sheet, row and column."""

import datetime
import io
import time

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from redengine.dataio.errors import CellIssue, format_issues
from redengine.dataio.reader import read_workbook

from .workbooks import (
    GOOD_ROW,
    GOOD_VALUES,
    HEADERS,
    PEOPLE,
    SCHOOLS,
    openpyxl_workbook,
    package_parts,
    write_package,
    zip_bytes,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def row(**changes):
    values = dict(zip([c.key for c in SCHOOLS.columns], GOOD_ROW, strict=True))
    values.update(changes)
    return [values[c.key] for c in SCHOOLS.columns]


def located(data):
    """(row, column header, value, reason) of every issue, for compact assertions."""
    return [(i.row, i.column_header, i.value, i.reason) for i in data.issues]


def test_valid_file_parses_exactly(tmp_path):
    second = row(
        code="4301040002", name="岳麓区实验小学", ownership="民办", city_managed=None, founded_on="2001/9/1"
    )
    path = openpyxl_workbook(tmp_path / "schools.xlsx", {"学校": [HEADERS, GOOD_ROW, second]})
    data = read_workbook(path, [SCHOOLS])
    assert data.issues == []
    assert not data.has_errors
    schools = data["学校"]
    assert schools.present
    assert [r.number for r in schools.rows] == [2, 3]
    assert schools.rows[0].values == GOOD_VALUES
    assert schools.rows[1].values == GOOD_VALUES | {
        "code": "4301040002",
        "name": "岳麓区实验小学",
        "ownership": "private",
        "city_managed": False,
        "founded_on": datetime.date(2001, 9, 1),
    }
    assert schools.rows[0].raw["founded_on"] == "2019-03-05"
    assert schools.rows[0].raw["staff"] == "120"
    assert schools.rows[1].raw["ownership"] == "民办"


def test_every_source_kind(tmp_path):
    """A path, a Path, bytes, a file object and an upload all read the same."""
    path = openpyxl_workbook(tmp_path / "schools.xlsx", {"学校": [HEADERS, GOOD_ROW]})
    upload = SimpleUploadedFile("学校.xlsx", path.read_bytes())
    for source in (path, str(path), path.read_bytes(), io.BytesIO(path.read_bytes()), upload):
        assert read_workbook(source, [SCHOOLS])["学校"].rows[0].values == GOOD_VALUES


def test_column_order_is_free_and_headers_are_normalised(tmp_path):
    order = list(reversed(range(len(HEADERS))))
    headers = [HEADERS[i] for i in order]
    headers[0] = " 所在 区县 "  # spaces around and inside
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"学校": [headers, [GOOD_ROW[i] for i in order]]})
    data = read_workbook(path, [SCHOOLS])
    assert data.issues == []
    assert data["学校"].rows[0].values == GOOD_VALUES


def test_every_cell_error_is_located_and_the_row_left_out(tmp_path):
    bad = row(
        code="43010400",
        name="长" * 31,
        ownership="公立",
        city_managed="对",
        founded_on="2019.3.5",
        staff=-3,
        principal_id=430104199003071230,
    )
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"学校": [HEADERS, GOOD_ROW, bad]})
    data = read_workbook(path, [SCHOOLS])
    assert [r.number for r in data["学校"].rows] == [2]
    issues = located(data)
    assert [(r, c) for r, c, _v, _m in issues] == [(3, header) for header in HEADERS[:7]]
    assert issues[0][2:] == ("43010400", "The school code has 10 digits.")
    assert issues[2][2:] == ("公立", "Not an accepted value. Accepted values: 公办, 民办.")
    assert issues[4][2:] == (
        "2019.3.5",
        "Not a date. Use an Excel date or text such as 2019-03-05, 2019/3/5 or 2019年3月5日.",
    )
    assert issues[6][2].startswith("4.30104199003071E+17")
    assert "lost its last digits" in issues[6][3]
    assert all(i.level == "error" for i in data.issues)


def test_required_cells(tmp_path):
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"学校": [HEADERS, row(name=None, ownership="  ")]})
    data = read_workbook(path, [SCHOOLS])
    assert located(data) == [
        (2, "学校名称", "", "This cell is required."),
        (2, "办学性质", "", "This cell is required."),
    ]
    assert data["学校"].rows == []


def test_extra_column_is_a_warning_and_ignored(tmp_path):
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"学校": [[*HEADERS, "备注"], [*GOOD_ROW, "新建校区"]]})
    data = read_workbook(path, [SCHOOLS])
    assert not data.has_errors
    assert [(i.row, i.column_header, i.level) for i in data.issues] == [(1, "备注", "warning")]
    assert data.warnings[0].reason == "This column is not in the template and is ignored."
    assert data["学校"].rows[0].values == GOOD_VALUES


def test_missing_required_header_names_sheet_and_header(tmp_path):
    headers = [h for h in HEADERS if h != "学校名称"]
    path = openpyxl_workbook(
        tmp_path / "s.xlsx", {"学校": [headers, [v for v in GOOD_ROW if v != "长沙市第一中学"]]}
    )
    data = read_workbook(path, [SCHOOLS])
    assert [(i.sheet, i.row, i.column_header, i.reason) for i in data.errors] == [
        ("学校", 1, "学校名称", "This required column is missing from the header row.")
    ]


def test_missing_optional_column_gives_its_default(tmp_path):
    keep = [i for i, h in enumerate(HEADERS) if h not in ("市管", "教职工数")]
    path = openpyxl_workbook(
        tmp_path / "s.xlsx", {"学校": [[HEADERS[i] for i in keep], [GOOD_ROW[i] for i in keep]]}
    )
    data = read_workbook(path, [SCHOOLS])
    assert data.issues == []
    assert data["学校"].rows[0].values == GOOD_VALUES | {"city_managed": False, "staff": None}
    assert "city_managed" not in data["学校"].columns


def test_header_given_twice(tmp_path):
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"学校": [[*HEADERS, "学校名称"], [*GOOD_ROW, "又一个"]]})
    data = read_workbook(path, [SCHOOLS])
    assert located(data) == [(1, "学校名称", "", "This column appears more than once in the header row.")]


def test_duplicate_keys_name_the_first_row(tmp_path):
    rows = [HEADERS, GOOD_ROW, row(code="4301040002"), row(name="另一所"), row(code=4301040002.0)]
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"学校": rows})
    data = read_workbook(path, [SCHOOLS])
    assert located(data) == [
        (4, "学校代码", "4301040001", "Duplicate of row 2."),
        (5, "学校代码", "4301040002", "Duplicate of row 3."),
    ]
    assert [r.number for r in data["学校"].rows] == [2, 3]


def test_blank_rows_are_skipped_and_numbers_kept(tmp_path):
    blank = [None] * len(HEADERS)
    spaces = ["  ", None, "\u3000"]
    path = openpyxl_workbook(
        tmp_path / "s.xlsx", {"学校": [HEADERS, blank, GOOD_ROW, spaces, blank, row(code="4301040002")]}
    )
    data = read_workbook(path, [SCHOOLS])
    assert data.issues == []
    assert [r.number for r in data["学校"].rows] == [3, 6]


def test_absent_sheet_is_skipped_and_other_sheets_ignored(tmp_path):
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"说明": [["随便写"]], "学校": [HEADERS, GOOD_ROW]})
    data = read_workbook(path, [PEOPLE, SCHOOLS])
    assert data.issues == []
    assert not data["人员"].present
    assert data["人员"].rows == []
    assert data["学校"].rows[0].values == GOOD_VALUES


def test_sheet_name_is_matched_after_normalisation(tmp_path):
    path = openpyxl_workbook(tmp_path / "s.xlsx", {" 学校 ": [HEADERS, GOOD_ROW]})
    assert read_workbook(path, [SCHOOLS])["学校"].rows[0].values == GOOD_VALUES


def test_empty_sheet_reports_its_missing_headers(tmp_path):
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"人员": []})
    data = read_workbook(path, [PEOPLE])
    assert [(i.row, i.column_header) for i in data.errors] == [(1, "姓名"), (1, "公民身份号码")]


def test_formula_cells_are_refused_with_their_address(tmp_path):
    formula_row = row(code="4301040002", name='=B2&"分校"', staff="=F2+1")
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"学校": [[*HEADERS, "备注"], GOOD_ROW, formula_row]})
    book = openpyxl.load_workbook(path)
    book["学校"]["I3"] = "=1+1"  # in a column the template does not have
    book.save(path)
    data = read_workbook(path, [SCHOOLS])
    formulas = [(i.row, i.column_header) for i in data.errors if "formula" in i.reason]
    assert formulas == [(3, "学校名称"), (3, "教职工数"), (3, "备注")]
    assert [r.number for r in data["学校"].rows] == [2]


def test_prefixed_xml_and_shared_layout_read_the_same(tmp_path):
    """Some generators write every element with a prefix (<x:c>); the checks must see those too."""
    path = write_package(tmp_path / "p.xlsx", {"学校": [HEADERS, GOOD_ROW]}, prefix="x:")
    data = read_workbook(path, [SCHOOLS])
    assert data.issues == []
    assert data["学校"].rows[0].values == GOOD_VALUES


def test_app_adds_its_own_issues(tmp_path):
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"学校": [HEADERS, GOOD_ROW]})
    data = read_workbook(path, [SCHOOLS])
    schools = data["学校"]
    issue = schools.issue(schools.rows[0], "district", "No such district.")
    assert issue == CellIssue("学校", 2, "所在区县", "岳麓区", "No such district.")
    assert data.errors == [issue]


def test_issue_lines_in_chinese(tmp_path):
    path = openpyxl_workbook(
        tmp_path / "s.xlsx",
        {"学校": [[*HEADERS, "备注"], row(principal_id=430104199003071230), row(name=None)]},
    )
    with translation.override("zh-hans"):
        data = read_workbook(path, [SCHOOLS])
        lines = format_issues(data.issues)
    assert lines[0].startswith("警告：学校 第 1 行「备注」")
    assert lines[1].startswith("学校 第 2 行「校长公民身份号码」：4.30104199003071E+17 —— ")
    assert "Excel" in lines[1]
    assert lines[2].startswith("学校 第 3 行「学校名称」：")
    assert "学校 第 3 行「学校代码」：4301040001 —— " in lines[3]  # duplicate of row 2
    with translation.override("en"):
        assert format_issues([CellIssue("人员", 12, "公民身份号码", "1", "Bad.")]) == [
            "人员 row 12, column 公民身份号码: 1 — Bad."
        ]
        assert format_issues([CellIssue("人员", None, None, "", "Bad.")]) == ["人员: Bad."]


def test_too_many_issues_stop_the_reading(tmp_path):
    rows = [HEADERS] + [row(code=f"bad{n}") for n in range(50)]
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"学校": rows})
    data = read_workbook(path, [SCHOOLS], max_issues=10)
    assert len(data.issues) == 11
    assert data.issues[-1].reason.startswith("Reading stopped after 10 problems")


def test_hundred_thousand_rows(tmp_path):
    """Correctness only: the time is printed (docs/performance.md), never asserted."""
    count = 100_000
    rows = [HEADERS]
    for n in range(count):
        founded = datetime.date(1950 + n % 70, 1 + n % 12, 1 + n % 28)
        rows.append(
            [
                f"43{n:08d}",
                f"学校{n}",
                "公办" if n % 2 else "民办",
                "是" if n % 3 else "否",
                founded,
                n % 500,
                f"4301041990{n:08d}",
                "岳麓区",
            ]
        )
    parts = package_parts({"学校": rows})
    path = tmp_path / "big.xlsx"
    path.write_bytes(zip_bytes(parts))
    started = time.perf_counter()
    data = read_workbook(path, [SCHOOLS])
    elapsed = time.perf_counter() - started
    print(f"\n{count} rows x {len(HEADERS)} columns read in {elapsed:.2f} s")
    assert data.issues == []
    schools = data["学校"].rows
    assert len(schools) == count
    assert schools[-1].number == count + 1
    assert schools[-1].values == {
        "code": "4300099999",
        "name": "学校99999",
        "ownership": "public",
        "city_managed": False,
        "founded_on": datetime.date(1950 + 99999 % 70, 1 + 99999 % 12, 1 + 99999 % 28),
        "staff": 99999 % 500,
        "principal_id": "430104199000099999",
        "district": "岳麓区",
    }
