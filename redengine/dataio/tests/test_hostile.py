"""Malformed and hostile files (security-goals.md, "Bad input"): each refused with its own message,
before python-calamine reads it, in bounded time and memory."""

import struct
import zipfile

import openpyxl
import pytest
from django.utils import translation

from redengine.dataio.errors import WorkbookRejected
from redengine.dataio.package import MB
from redengine.dataio.reader import read_workbook

from .workbooks import (
    GOOD_ROW,
    GOOD_VALUES,
    HEADERS,
    MAIN,
    SCHOOLS,
    openpyxl_workbook,
    package_parts,
    zip_bytes,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def good_parts():
    return package_parts({"学校": [HEADERS, GOOD_ROW]})


def rejection(source, **limits):
    with pytest.raises(WorkbookRejected) as caught:
        read_workbook(source, [SCHOOLS], **limits)
    return caught.value.message


def test_the_hand_made_package_is_itself_valid(good_parts):
    assert read_workbook(zip_bytes(good_parts), [SCHOOLS])["学校"].rows[0].values == GOOD_VALUES


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert rejection(path) == "The file is empty."


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_renamed(tmp_path, encoding):
    path = tmp_path / "schools.xlsx"
    path.write_bytes("学校代码,学校名称\r\n4301040001,长沙市第一中学\r\n".encode(encoding))
    assert rejection(path).startswith("The file is a text file (such as CSV) under an Excel name")


def test_not_a_zip(tmp_path):
    path = tmp_path / "picture.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert rejection(path) == "The file is not an Excel workbook (.xlsx)."


def test_truncated_zip(tmp_path):
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"学校": [HEADERS, GOOD_ROW]})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert rejection(path).startswith("The file is damaged or incomplete")


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(zip_bytes({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"}))
    assert rejection(path).startswith("The file is a ZIP archive but not an Excel workbook")


def ole2_file(path, stream_names):
    """An OLE2 compound file as far as the checks look: the signature, then directory entry names."""
    names = b"".join(name.encode("utf-16-le") + b"\0" * 10 for name in stream_names)
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + names + b"\0" * 1024)
    return path


def test_legacy_xls(tmp_path):
    path = ole2_file(tmp_path / "old.xlsx", ["Root Entry", "Workbook", "\x05SummaryInformation"])
    assert rejection(path).startswith("The file is in the old Excel 97-2003 format (.xls)")


def test_password_protected_workbook(tmp_path):
    path = ole2_file(tmp_path / "secret.xlsx", ["Root Entry", "EncryptionInfo", "EncryptedPackage"])
    assert rejection(path).startswith("The workbook is protected by a password")


def test_macro_workbook(tmp_path, good_parts):
    path = tmp_path / "macro.xlsx"
    path.write_bytes(zip_bytes(good_parts | {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 vba"}))
    assert rejection(path).startswith("The workbook contains macros")


def test_excel4_macro_sheet(tmp_path, good_parts):
    path = tmp_path / "xlm.xlsx"
    path.write_bytes(zip_bytes(good_parts | {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}))
    assert rejection(path).startswith("The workbook contains macros")


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as sparse:
        sparse.write(b"PK\x03\x04")
        sparse.truncate(50 * MB)  # sparse: no 50 MB on disk or in memory
    assert rejection(path) == "The file is larger than 20 MB. Split it into several workbooks."


def test_endless_stream_is_refused_after_the_limit(tmp_path):
    class Endless:
        """An upload that never ends and cannot seek."""

        read_so_far = 0

        def seekable(self):
            return False

        def read(self, size=-1):
            size = MB if size is None or size < 0 else size
            self.read_so_far += size
            return b"PK\x03\x04" + b"\0" * (size - 4)

    stream = Endless()
    assert rejection(stream).startswith("The file is larger than 20 MB")
    assert stream.read_so_far <= 22 * MB


def test_size_limit_is_configurable(tmp_path, good_parts):
    data = zip_bytes(good_parts)
    assert rejection(data, max_bytes=len(data) - 1).startswith("The file is larger than")


def spaces_bomb(path, megabytes):
    """A valid package whose sheet is ``megabytes`` MB of spaces: it compresses about a thousandfold."""
    parts = package_parts({"学校": [HEADERS, GOOD_ROW]})
    sheet = parts.pop("xl/worksheets/sheet1.xml")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            member.write(sheet[: sheet.index(b"<sheetData>")])
            block = b" " * MB
            for _ in range(megabytes):
                member.write(block)
            member.write(sheet[sheet.index(b"<sheetData>") :])
    return path


def test_zip_bomb_by_total_size(tmp_path):
    path = spaces_bomb(tmp_path / "bomb.xlsx", 300)
    assert path.stat().st_size < 2 * MB
    message = rejection(path)
    assert message == (
        "The file would unpack to more than 200 MB. The file is refused as a possible zip bomb."
    )


def test_zip_bomb_by_ratio(tmp_path):
    path = spaces_bomb(tmp_path / "bomb.xlsx", 20)
    assert rejection(path) == (
        "Its part xl/worksheets/sheet1.xml is compressed more than 100 to 1. "
        "The file is refused as a possible zip bomb."
    )


def test_zip_whose_directory_lies_about_a_size(tmp_path, good_parts):
    """The directory says 600 bytes; the data inflates to more: refused while inflating, not after."""
    sheet = good_parts["xl/worksheets/sheet1.xml"]
    data = bytearray(zip_bytes(good_parts | {"xl/worksheets/sheet1.xml": sheet + b" " * 5000}))
    name = b"xl/worksheets/sheet1.xml"
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 600)
    local = struct.unpack_from("<I", data, central + 42)[0]
    struct.pack_into("<I", data, local + 22, 600)
    assert rejection(bytes(data)) == "The file is damaged: its part xl/worksheets/sheet1.xml cannot be read."


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


@pytest.mark.parametrize(
    "part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml", "xl/styles.xml"]
)
def test_doctype_and_entities_are_refused(part, good_parts):
    xml = good_parts[part]
    good_parts[part] = BILLION_LAUGHS + xml[xml.index(b"?>") + 2 :]
    message = rejection(zip_bytes(good_parts))
    assert message == (
        f"The part {part} declares a document type or entities (<!DOCTYPE> or <!ENTITY>), which Excel never "
        "writes. The file is refused."
    )


def test_sheet_part_under_another_name_is_checked_too(good_parts):
    sheet = good_parts.pop("xl/worksheets/sheet1.xml")
    good_parts["xl/worksheets/sheet1.bin"] = BILLION_LAUGHS + sheet[sheet.index(b"?>") + 2 :]
    rels = good_parts["xl/_rels/workbook.xml.rels"]
    good_parts["xl/_rels/workbook.xml.rels"] = rels.replace(b"sheet1.xml", b"sheet1.bin")
    assert rejection(zip_bytes(good_parts)).startswith(
        "The part xl/worksheets/sheet1.bin declares a document"
    )


def test_part_in_another_encoding_is_refused(good_parts):
    xml = good_parts["xl/styles.xml"].decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    good_parts["xl/styles.xml"] = b"\xff\xfe" + xml.encode("utf-16-le")
    assert rejection(zip_bytes(good_parts)).startswith("The part xl/styles.xml is not XML encoded in UTF-8")


def test_a_value_at_the_last_cell_of_excel_is_refused_not_allocated(tmp_path):
    """calamine would ask for 512 GB for this file and abort the process."""
    path = openpyxl_workbook(tmp_path / "far.xlsx", {"学校": [HEADERS, GOOD_ROW]})
    book = openpyxl.load_workbook(path)
    book["学校"]["XFD1048576"] = "x"
    book.save(path)
    assert rejection(path).startswith("Sheet 学校 uses rows down to row 1048576; at most 1000000 rows")
    assert rejection(path, max_rows=2_000_000).startswith(
        "Sheet 学校 uses cells down to row 1048576 and across to column XFD, more than 10000000 cells."
    )


def test_too_many_rows(good_parts):
    assert rejection(zip_bytes(good_parts), max_rows=1) == (
        "Sheet 学校 uses rows down to row 2; at most 1 rows can be read. Delete the rows below your data, "
        "or split the data into several workbooks."
    )


def test_huge_blank_used_range_is_not_materialised(tmp_path):
    """Formatted but empty cells far down (a user formatted whole rows) are not rows to read."""
    path = openpyxl_workbook(tmp_path / "s.xlsx", {"学校": [HEADERS, GOOD_ROW]})
    book = openpyxl.load_workbook(path)
    for number in range(3, 20_003):
        book["学校"].cell(number, 1).number_format = "@"
    book["学校"]["XFD1048576"].number_format = "@"  # the last cell of Excel, formatted but empty
    book.save(path)
    data = read_workbook(path, [SCHOOLS])
    assert data.issues == []
    assert [r.number for r in data["学校"].rows] == [2]


def test_cells_without_address_are_refused(good_parts):
    good_parts["xl/worksheets/sheet1.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData><row>'
        '<c t="inlineStr"><is><t>学校代码</t></is></c></row></sheetData></worksheet>'
    ).encode()
    assert rejection(zip_bytes(good_parts)).startswith("Sheet 学校 has cells without an address")


def test_formula_with_a_cached_value_is_refused(good_parts):
    """calamine gives a formula's last computed value; a formula must not pass as that value."""
    sheet = good_parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace(
        '<c r="B2" t="inlineStr"><is><t>长沙市第一中学</t></is></c>',
        '<c r="B2" t="str"><f>HYPERLINK("http://example.com","长沙市第一中学")</f><v>长沙市第一中学</v></c>',
    )
    good_parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    data = read_workbook(zip_bytes(good_parts), [SCHOOLS])
    assert [(i.row, i.column_header) for i in data.errors] == [(2, "学校名称")]
    assert data.errors[0].reason.startswith("The cell holds a formula")
    assert data["学校"].rows == []


def test_messages_are_in_chinese(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    with translation.override("zh-hans"), pytest.raises(WorkbookRejected) as caught:
        read_workbook(path, [SCHOOLS])
    assert caught.value.message == "文件为空。"
