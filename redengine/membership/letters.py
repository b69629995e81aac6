"""The introduction letter (中国共产党党员组织关系介绍信) of a transfer out of the system, as a Word document
(python-docx), laid out like the official form (组通字〔2006〕45号: one letter in three parts, each with the
same number): the stub kept by the sending organization (存根联), the letter the member carries (介绍信联),
and the return slip (回执联) that the receiving committee sends back — the tear-off part whose receipt ends
the membership here.

Where the form wants "大写" numerals (the month the dues are paid to, the validity: so that they cannot be
altered) they are written in Chinese numerals. The ID number is masked (``Person.id_number_masked``); the age
is printed only for a user who may reveal the person (``people.privacy``: beside the mask, no part of the
birth date is shown to anyone else), else left for the secretary to fill in by hand.
"""

import io

from django.db.models import F, Max
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from redengine.people.privacy import personal_view

from .models import DuesEntry

FONT = "宋体"
TITLE_FONT = "黑体"
DIGITS = "〇一二三四五六七八九"
CAPITALS = "零壹贰叁肆伍陆柒捌玖"
BLANK = "＿＿＿＿"
CUT = "－ － － － － － － － － 沿此线剪开（加盖骑缝章） － － － － － － － －"


def chinese_year(year):
    """2025 → 二〇二五."""
    return "".join(DIGITS[int(d)] for d in str(year))


def capital(number):
    """1 → 壹, 10 → 拾, 12 → 拾贰, 24 → 贰拾肆 (up to 99)."""
    tens, units = divmod(int(number), 10)
    if tens == 0:
        return CAPITALS[units]
    text = ("" if tens == 1 else CAPITALS[tens]) + "拾"
    return text + (CAPITALS[units] if units else "")


def chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日" if day else BLANK


def age_on(birth, day):
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def dues_paid_to(membership):
    """The last month whose dues the member has paid in full (``DuesEntry``), or None."""
    if membership is None:
        return None
    return DuesEntry.objects.filter(
        membership=membership, paid_on__isnull=False, paid__gte=F("due")
    ).aggregate(last=Max("month"))["last"]


def letter_facts(transfer, user):
    """What the letter says, as text: {name: value}."""
    person, membership = transfer.person, transfer.membership
    issued = transfer.started_on
    paid = dues_paid_to(membership)
    full = membership is not None and membership.full_on is not None and membership.full_on <= issued
    may_reveal = personal_view(user).may_reveal(person) if user is not None else False
    months = months_valid(transfer)
    return {
        "number": transfer.letter_number,
        "name": person.name,
        "sex": "男" if person.sex == "male" else "女",
        "age": str(age_on(person.birth_date, issued)) if may_reveal and person.birth_date else BLANK,
        "ethnic_group": person.get_ethnic_group_display() if person.ethnic_group else BLANK,
        "id_number": person.id_number_masked,
        "kind": "正式" if full else "预备",
        "admitted_on": chinese_date(membership.admitted_on) if membership else BLANK,
        "full_on": chinese_date(membership.full_on) if membership and membership.full_on else "—",
        "from": transfer.from_organization.name if transfer.from_organization_id else BLANK,
        "to": transfer.outside_organization or BLANK,
        "dues": f"{chinese_year(paid.year)}年{capital(paid.month)}月" if paid else f"{BLANK}年{BLANK}月",
        "validity": f"{capital(months)}个月" if months else BLANK,
        "valid_until": chinese_date(transfer.letter_valid_until),
        "issued_on": chinese_date(issued),
    }


def months_valid(transfer):
    start, end = transfer.started_on, transfer.letter_valid_until
    if not (start and end):
        return None
    return (end.year - start.year) * 12 + end.month - start.month


def letter_document(transfer, user):
    """The letter of ``transfer`` (out of the system) as the bytes of a .docx file."""
    facts = letter_facts(transfer, user)
    document = Document()
    style_document(document)
    stub(document, facts)
    cut(document)
    letter(document, facts)
    cut(document)
    return_slip(document, facts)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def filename(transfer):
    return f"组织关系介绍信-{transfer.letter_number or transfer.pk}.docx"


# Layout --------------------------------------------------------------------------------------------------
def style_document(document):
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin = section.right_margin = Cm(2.4)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.4


def paragraph(document, text="", *, bold=False, size=None, align=None, font=None, indent=False):
    p = document.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(24)
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if font:
        run.font.name = font
        run.element.rPr.rFonts.set(qn("w:eastAsia"), font)
    return p


def title(document, text, number, part):
    paragraph(document, part, size=10, align=WD_ALIGN_PARAGRAPH.LEFT)
    paragraph(document, text, bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT)
    paragraph(document, f"第 {number} 号", align=WD_ALIGN_PARAGRAPH.RIGHT)


def cut(document):
    paragraph(document, CUT, size=9, align=WD_ALIGN_PARAGRAPH.CENTER)


def stub(document, f):
    title(document, "中国共产党党员组织关系介绍信（存根）", f["number"], "第一联")
    paragraph(
        document,
        f"{f['name']}同志系中共{f['kind']}党员，组织关系由{f['from']}转到{f['to']}。",
        indent=True,
    )
    paragraph(document, f"入党日期：{f['admitted_on']}　　转正日期：{f['full_on']}", indent=True)
    paragraph(document, f"有效期{f['validity']}，至{f['valid_until']}。", indent=True)
    paragraph(document, f["issued_on"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(document, "（贴回执联处）", size=10, align=WD_ALIGN_PARAGRAPH.CENTER)


def letter(document, f):
    title(document, "中国共产党党员组织关系介绍信", f["number"], "第二联")
    paragraph(document, f"{f['to']}：")
    paragraph(
        document,
        f"{f['name']}同志（{f['sex']}），{f['age']}岁，{f['ethnic_group']}，系中共{f['kind']}党员，"
        f"身份证号码{f['id_number']}，由{f['from']}去{f['to']}，请接转组织关系。"
        f"该同志党费已交到{f['dues']}。",
        indent=True,
    )
    paragraph(document, f"入党日期：{f['admitted_on']}　　转正日期：{f['full_on']}", indent=True)
    paragraph(document, f"（有效期{f['validity']}，至{f['valid_until']}）", indent=True)
    paragraph(document, "（盖章）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(document, f["issued_on"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(document, f"党员联系电话或其他联系方式：{BLANK}{BLANK}", size=10)
    paragraph(document, f"党员原所在基层党委通讯地址：{BLANK}{BLANK}", size=10)
    paragraph(document, f"联系电话：{BLANK}　　传真：{BLANK}　　邮编：{BLANK}", size=10)


def return_slip(document, f):
    title(document, "中国共产党党员组织关系介绍信回执联", f["number"], "第三联")
    paragraph(document, f"{f['from']}：")
    paragraph(document, f"{f['name']}同志的党员组织关系已转达我处，特此回复。", indent=True)
    paragraph(document, "（盖章）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(document, "　　年　　月　　日", align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(document, f"经办人：{BLANK}　　联系电话：{BLANK}")
    paragraph(
        document,
        "注：回执联由接收党员组织关系的基层党委在接收党员后一个月内邮寄或传真至党员原所在基层党委。",
        size=9,
    )
