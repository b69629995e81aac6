"""Workbooks for the tests: real ones from openpyxl, and hand-made packages for the hostile cases.

``package_parts`` writes the XML of a minimal .xlsx directly (inline strings, numbers, dates as
serial numbers in a date style): fast enough for 100,000 rows, and open to every kind of tampering.
"""

import datetime
import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl

from redengine.dataio import parsers
from redengine.dataio.sheets import Column, Sheet

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EXCEL_EPOCH = datetime.date(1899, 12, 30)

SCHOOLS = Sheet(
    "学校",
    [
        Column("学校代码", "code", parsers.code(r"\d{10}", "The school code has 10 digits."), required=True),
        Column("学校名称", "name", parsers.text(max_length=30), required=True),
        Column(
            "办学性质", "ownership", parsers.choice([("public", "公办"), ("private", "民办")]), required=True
        ),
        Column("市管", "city_managed", parsers.yes_no()),
        Column("成立日期", "founded_on", parsers.date(), help="The date the school was founded."),
        Column("教职工数", "staff", parsers.whole_number()),
        Column("校长公民身份号码", "principal_id", parsers.id_number_text()),
        Column("所在区县", "district", parsers.text()),
    ],
    key="code",
)
PEOPLE = Sheet(
    "人员",
    [
        Column("姓名", "name", parsers.text(), required=True),
        Column("公民身份号码", "id_number", parsers.id_number_text(), required=True),
    ],
    key="id_number",
)
HEADERS = [column.header for column in SCHOOLS.columns]
ID = "43010419900307123X"
GOOD_ROW = ["4301040001", "长沙市第一中学", "公办", "是", datetime.date(2019, 3, 5), 120, ID, "岳麓区"]
GOOD_VALUES = {
    "code": "4301040001",
    "name": "长沙市第一中学",
    "ownership": "public",
    "city_managed": True,
    "founded_on": datetime.date(2019, 3, 5),
    "staff": 120,
    "principal_id": ID,
    "district": "岳麓区",
}


def openpyxl_workbook(path, sheets):
    """``sheets``: {title: [row, ...]}, the first row being the header. Rows of None are left empty."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(number, column, value)
    book.save(path)
    return path


def cell_xml(ref, value, prefix=""):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return f'<{prefix}c r="{ref}" s="1"><{prefix}v>{(value - EXCEL_EPOCH).days}</{prefix}v></{prefix}c>'
    if isinstance(value, int | float):
        return f'<{prefix}c r="{ref}"><{prefix}v>{value}</{prefix}v></{prefix}c>'
    text = escape(str(value))
    return f'<{prefix}c r="{ref}" t="inlineStr"><{prefix}is><{prefix}t>{text}</{prefix}t></{prefix}is></{prefix}c>'


def sheet_xml(rows, prefix=""):
    """A worksheet part for ``rows``; ``prefix`` ('x:') writes every element with a namespace prefix."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    body = []
    for number, row in enumerate(rows, start=1):
        cells = "".join(cell_xml(f"{letters[i]}{number}", value, prefix) for i, value in enumerate(row))
        body.append(f'<{prefix}row r="{number}">{cells}</{prefix}row>')
    xmlns = f'xmlns:{prefix[:-1]}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{prefix}worksheet {xmlns}>'
        f"<{prefix}sheetData>{''.join(body)}</{prefix}sheetData></{prefix}worksheet>"
    ).encode()


def package_parts(sheets, prefix=""):
    """{member name: bytes} of a minimal .xlsx with ``sheets`` ({title: rows}) in order."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    sheet_entries = "".join(
        f'<sheet name="{escape(title)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, title in enumerate(sheets, start=1)
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{n}" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
            f"<sheets>{sheet_entries}</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">{sheet_rels}'
            f'<Relationship Id="rIdStyles" Type="{DOC_RELS}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts>'
            '<fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1">'
            '<xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
            "</cellXfs></styleSheet>"
        ),
    }
    parts = {name: text.encode() for name, text in parts.items()}
    for n, rows in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{n}.xml"] = rows if isinstance(rows, bytes) else sheet_xml(rows, prefix)
    return parts


def zip_bytes(parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write_package(path, sheets, prefix=""):
    path.write_bytes(zip_bytes(package_parts(sheets, prefix)))
    return path
