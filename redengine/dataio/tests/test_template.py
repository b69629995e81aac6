"""The blank template: headers with notes, drop-downs on a hidden 代码表, text and date formats; and a
filled-in template reads back exactly."""

import datetime
import io

import openpyxl
import pytest
from django.utils import translation

from redengine.dataio.reader import read_workbook
from redengine.dataio.template import CODE_SHEET, TEMPLATE_ROWS, build_template

from .workbooks import GOOD_ROW, GOOD_VALUES, HEADERS, PEOPLE, SCHOOLS

DISTRICTS = ["市直", "芙蓉区", "岳麓区", '=HYPERLINK("http://x")']


@pytest.fixture(scope="module")
def template():
    with translation.override("zh-hans"):
        return build_template([SCHOOLS, PEOPLE], {"district": DISTRICTS})


@pytest.fixture(scope="module")
def book(template):
    return openpyxl.load_workbook(io.BytesIO(template))


def listed_values(book, reference):
    """The values of a ``'代码表'!$A$2:$A$3`` reference."""
    sheet_name, cells = reference.split("!")
    assert sheet_name == f"'{CODE_SHEET}'"
    return [cell.value for (cell,) in book[CODE_SHEET][cells.replace("$", "")]]


def test_sheets_and_headers(book):
    assert book.sheetnames == ["学校", "人员", CODE_SHEET]
    assert book[CODE_SHEET].sheet_state == "hidden"
    schools = book["学校"]
    assert [cell.value for cell in schools[1]] == HEADERS
    assert schools.freeze_panes == "A2"
    assert schools["A1"].font.bold
    assert "必填" in schools["A1"].comment.text
    assert "The date the school was founded." in schools["E1"].comment.text
    assert [cell.value for cell in book["人员"][1]] == ["姓名", "公民身份号码"]


def test_text_and_date_formats(book):
    schools = book["学校"]
    for row in (2, 100, TEMPLATE_ROWS + 1):
        assert schools.cell(row, 7).number_format == "@"  # the ID number
        assert schools.cell(row, 1).number_format == "@"  # the code
        assert schools.cell(row, 5).number_format == "yyyy-mm-dd"
    assert book["人员"]["B2"].number_format == "@"
    assert schools["B2"].number_format == "General"


def test_drop_downs_point_to_the_hidden_sheet(book):
    validations = {str(v.sqref): v for v in book["学校"].data_validations.dataValidation}
    last = TEMPLATE_ROWS + 1
    assert set(validations) == {f"C2:C{last}", f"D2:D{last}", f"H2:H{last}"}
    for validation in validations.values():
        assert validation.type == "list"
        assert CODE_SHEET in validation.formula1
    assert listed_values(book, validations[f"C2:C{last}"].formula1) == ["公办", "民办"]
    assert listed_values(book, validations[f"D2:D{last}"].formula1) == ["是", "否"]
    assert listed_values(book, validations[f"H2:H{last}"].formula1) == DISTRICTS
    assert book[CODE_SHEET]["A4"].data_type != "f"


def test_filled_template_reads_back(template, tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(template))
    schools = book["学校"]
    second = ["4301040002", "岳麓区实验小学", "民办", "否", "2001/9/1", 35, "430104200001011234", "市直"]
    for column, (first, other) in enumerate(zip(GOOD_ROW, second, strict=True), start=1):
        schools.cell(2, column, first)
        schools.cell(3, column, other)
    book["人员"]["A2"] = "张三"
    book["人员"]["B2"] = GOOD_ROW[6]
    path = tmp_path / "filled.xlsx"
    book.save(path)
    data = read_workbook(path, [SCHOOLS, PEOPLE])
    assert data.issues == []
    assert [r.values for r in data["学校"].rows] == [
        GOOD_VALUES,
        {
            "code": "4301040002",
            "name": "岳麓区实验小学",
            "ownership": "private",
            "city_managed": False,
            "founded_on": datetime.date(2001, 9, 1),
            "staff": 35,
            "principal_id": "430104200001011234",
            "district": "市直",
        },
    ]
    assert [r.values for r in data["人员"].rows] == [{"name": "张三", "id_number": GOOD_ROW[6]}]


def test_blank_template_reads_as_no_rows(template):
    data = read_workbook(template, [SCHOOLS, PEOPLE])
    assert data.issues == []
    assert data["学校"].rows == []
    assert data["学校"].present
