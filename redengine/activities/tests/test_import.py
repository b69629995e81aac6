"""The import sheet 组织生活: meetings recorded by their counts through the meeting service, every bad row
refused at its row and column with nothing written, a recorded meeting found again (no change, or a change
of it), a whole new tree with its meetings in one workbook, the round trip of an export, the template, and
a query count that does not grow with the rows."""

import datetime
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from redengine.accounts.models import User
from redengine.activities import rules
from redengine.activities.imports import MEETINGS_SHEET
from redengine.activities.models import Attendance, Meeting
from redengine.activities.services import Listed, record_meeting
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.dataio import importer
from redengine.dataio.errors import format_issue
from redengine.dataio.exporting import export_workbook
from redengine.dataio.importer import ImportContext
from redengine.imports.tests.generated import ORG_HEADERS, SCHOOL_HEADERS
from redengine.imports.tests.importing import run, workbook
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person
from redengine.people.services import POSTS
from redengine.testing import empty_installation

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
SHEET = "组织生活"
HEADERS = ["党组织代码", "类型", "日期", "主题", "应到人数", "实到人数"]
COMMITTEE = "CS430104-02"  # 中共岳麓区梅溪湖中学委员会: a committee (党委)
BRANCH = "CS430104-02-01"  # 梅溪湖中学初中部党支部: a branch without a committee, founded 2012-09-01
OTHER_BRANCH = "CS430104-01"  # 中共岳麓区麓山实验小学支部委员会 (岳麓区)
FURONG = "CS430102-01"  # 中共芙蓉区朝阳路小学支部委员会 (芙蓉区)
ROWS = [
    [COMMITTEE, "党课", D("2025-03-05"), "学习贯彻党的二十届三中全会精神", 30, 28],
    [BRANCH, "主题党日", D("2025-03-20"), "重温入党誓词", 12, 11],
    [BRANCH, "general_meeting", D("2025-04-01"), "讨论发展对象", 12, 12],  # a type by its code
]


def meetings(rows, **sheets):
    return {**sheets, SHEET: [HEADERS, *rows]}


def counts():
    return {model.__name__: model.objects.count() for model in (Meeting, Attendance, ObjectChange)}


def check(sheets, user=None):
    ctx = ImportContext(user)
    with translation.override("zh-hans"):
        return importer.validate(workbook(sheets), ctx), ctx


def imported(sheets, user=None):
    validation, ctx = check(sheets, user)
    assert not validation.has_errors, [format_issue(issue) for issue in validation.errors]
    importer.write(validation, ctx)
    return validation


def errors(validation):
    return [(issue.sheet, issue.row, issue.column_header, issue.reason) for issue in validation.errors]


def said(msgid, **values):
    """The message as the workbook's user reads it (Chinese once the catalogue has it)."""
    with translation.override("zh-hans"):
        text = gettext(msgid)
        return text % {k: str(v) for k, v in values.items()} if values else text


def org(code):
    return PartyOrganization.objects.get(code=code)


def user(username):
    return User.objects.get(username=username)


# Rows recorded --------------------------------------------------------------------------------------
def test_rows_are_recorded_by_their_counts_with_change_records_in_the_importers_name():
    admin = user("yuelu_admin")
    before = counts()
    validation = imported(meetings(ROWS), admin)
    assert validation.counts()[SHEET] == {"new": 3, "changed": 0, "unchanged": 0}
    after = counts()
    assert {name: after[name] - before[name] for name in after} == {
        "Meeting": 3,
        "Attendance": 0,  # recorded by its counts: no list
        "ObjectChange": 3,
    }
    recorded = {
        (m.organization.code, m.meeting_type, m.date): m
        for m in Meeting.objects.filter(
            organization__code__in=[COMMITTEE, BRANCH], date__in=[r[2] for r in ROWS]
        )
    }
    assert set(recorded) == {
        (COMMITTEE, "party_class", D("2025-03-05")),
        (BRANCH, "themed_day", D("2025-03-20")),
        (BRANCH, "general_meeting", D("2025-04-01")),
    }
    themed = recorded[(BRANCH, "themed_day", D("2025-03-20"))]
    assert (themed.topic, themed.expected, themed.actual) == ("重温入党誓词", 12, 11)
    assert (themed.from_list, themed.by_secretary, themed.recorded_by) == (False, False, admin)
    assert themed.rate == 11 / 12
    records = ObjectChange.objects.filter(content_type__model="meeting").order_by("-id")[:3]
    assert {(r.action, r.username, r.object_id) for r in records} == {
        ("create", "yuelu_admin", str(m.pk)) for m in recorded.values()
    }
    by_object = {r.object_id: r for r in records}
    assert by_object[str(themed.pk)].scope_path == org(BRANCH).path
    assert by_object[str(themed.pk)].after["topic"] == "重温入党誓词"


def test_reimporting_the_same_rows_is_no_change_and_other_values_change_that_meeting(tmp_path):
    path = workbook(meetings(ROWS), tmp_path)
    status, _out, err = run(path)
    assert status == 0, err
    before = counts()
    status, out, err = run(path)
    assert status == 0, err
    assert f"{SHEET}\t0\t0\t3" in out
    assert counts() == before
    changed = [row[:] for row in ROWS]
    changed[1][3], changed[1][5] = "重温入党誓词（补记）", 10
    validation = imported(meetings(changed), user("yuelu_admin"))
    assert validation.counts()[SHEET] == {"new": 0, "changed": 1, "unchanged": 2}
    meeting = Meeting.objects.get(organization__code=BRANCH, meeting_type="themed_day", date=D("2025-03-20"))
    assert (meeting.topic, meeting.expected, meeting.actual) == ("重温入党誓词（补记）", 12, 10)
    assert Meeting.objects.filter(organization__code=BRANCH, date=D("2025-03-20")).count() == 1
    record = ObjectChange.objects.filter(content_type__model="meeting", object_id=str(meeting.pk)).latest(
        "id"
    )
    assert (record.action, sorted(record.changed_fields), record.username) == (
        "update",
        ["actual", "topic"],
        "yuelu_admin",
    )
    assert counts()["Meeting"] == before["Meeting"]


def test_a_branch_with_a_committee_holds_a_committee_meeting():
    person = Person.objects.get(name="梅溪湖张老师")  # a full member of the branch since 2013
    POSTS.save(
        [
            Item(
                {
                    "organization": org(BRANCH),
                    "person": person,
                    "post": "organizing",
                    "start_on": D("2020-01-01"),
                }
            )
        ],
        by=SYSTEM,
    )
    row = [BRANCH, "支委会", D("2025-03-10"), "研究发展党员工作", 5, 5]
    validation, _ctx = check(meetings([row, [*row[:2], D("2019-12-31"), *row[3:]]]))
    found = errors(validation)  # on 2019-12-31 the branch had no committee yet
    assert [(sheet, line, column) for sheet, line, column, _reason in found] == [(SHEET, 3, "类型")]
    imported(meetings([row]))
    assert Meeting.objects.get(organization__code=BRANCH, meeting_type="committee").date == D("2025-03-10")


# Bad rows: an error at its row and column, nothing written -------------------------------------------
def future(rows):
    rows[1][2] = timezone.localdate() + datetime.timedelta(days=1)
    return rows


def cell(line, index, value, *more):
    """Set the cell ``index`` of Excel row ``line`` to ``value`` (and more pairs of index and value)."""

    def change(rows):
        pairs = [index, value, *more]
        for at in range(0, len(pairs), 2):
            rows[line - 2][pairs[at]] = pairs[at + 1]
        return rows

    return change


def held(code, meeting_type):
    def reason():
        organization = org(code)
        with translation.override("zh-hans"):
            label = str(rules.type_label(meeting_type))
            kind = organization.get_org_type_display()
        if meeting_type == "committee":
            msgid = (
                "%(org)s has no committee (no committee member besides the secretary is recorded), so it holds "
                "no %(meeting)s: a branch of fewer than seven full members elects a secretary, not a committee."
            )
            return said(msgid, org=organization.name, meeting=label)
        return said("A %(type)s does not hold a %(meeting)s.", type=kind, meeting=label)

    return reason


UNKNOWN_ORG = "没有该代码的党组织：既不在“党组织”工作表中，也未在系统中登记。"
BAD_ROWS = [
    pytest.param(
        future,
        (3, "日期"),
        lambda: said("A meeting cannot be recorded before it is held: the date is in the future."),
        id="in-the-future",
    ),
    pytest.param(
        cell(3, 5, 13),
        (3, "实到人数"),
        lambda: said(
            "The actual attendance (%(actual)s) cannot be above the expected attendance (%(expected)s).",
            actual=13,
            expected=12,
        ),
        id="actual-above-expected",
    ),
    pytest.param(
        cell(3, 4, 0, 5, 0),
        (3, "应到人数"),
        lambda: said("The expected attendance is at least 1."),
        id="expected-zero",
    ),
    pytest.param(cell(3, 4, "十二人"), (3, "应到人数"), lambda: "请输入整数。", id="expected-not-a-number"),
    pytest.param(
        cell(3, 0, "CS430104-99"), (3, "党组织代码"), lambda: UNKNOWN_ORG, id="unknown-organization"
    ),
    pytest.param(
        cell(3, 0, COMMITTEE),
        (3, "类型"),
        held(COMMITTEE, "themed_day"),
        id="themed-day-of-a-committee",
    ),
    pytest.param(
        cell(4, 0, COMMITTEE),
        (4, "类型"),
        held(COMMITTEE, "general_meeting"),
        id="general-meeting-of-a-committee",
    ),
    pytest.param(
        cell(3, 1, "支委会"),
        (3, "类型"),
        held(BRANCH, "committee"),
        id="committee-meeting-of-a-branch-without-a-committee",
    ),
    pytest.param(
        lambda rows: [*rows, rows[1][:3] + ["另一个主题", 12, 10]],
        (5, "党组织代码"),
        lambda: "与第 3 行重复。",
        id="same-organization-type-and-date-twice",
    ),
    pytest.param(cell(3, 3, None), (3, "主题"), lambda: "必填。", id="no-topic"),
    pytest.param(cell(3, 2, None), (3, "日期"), lambda: "必填。", id="no-date"),
    pytest.param(cell(3, 1, "党委会"), (3, "类型"), None, id="unknown-type"),
    pytest.param(
        cell(3, 2, D("2010-05-01")),
        (3, "日期"),
        lambda: said(
            "%(org)s was founded on %(founded)s: a meeting cannot be before it.",
            org=org(BRANCH).name,
            founded="2012-09-01",
        ),
        id="before-the-founding",
    ),
]


@pytest.mark.parametrize(("mutate", "where", "reason"), BAD_ROWS)
def test_a_bad_row_is_an_error_of_its_row_and_column_and_nothing_is_written(mutate, where, reason):
    rows = mutate([row[:] for row in ROWS])
    before = counts()
    validation, ctx = check(meetings(rows), user("yuelu_admin"))
    found = errors(validation)
    assert [(sheet, line, column) for sheet, line, column, _reason in found] == [(SHEET, *where)], found
    if reason is None:  # the accepted names are listed
        assert "支部党员大会" in found[0][3]
        assert "谈心谈话" in found[0][3]
    else:
        assert found[0][3] == reason()
    with translation.override("zh-hans"):
        line = format_issue(validation.errors[0])
    assert line.startswith(f"{SHEET} 第 {where[0]} 行「{where[1]}」："), line
    with pytest.raises(ValueError, match="never written"):
        importer.write(validation, ctx)
    assert counts() == before


def test_the_command_prints_the_problems_in_chinese_and_writes_nothing(tmp_path):
    rows = future([row[:] for row in ROWS])
    before = counts()
    status, _out, err = run(workbook(meetings(rows), tmp_path))
    assert status == 1
    day = rows[1][2].isoformat()
    reason = said("A meeting cannot be recorded before it is held: the date is in the future.")
    assert f"{SHEET} 第 3 行「日期」：{day} —— {reason}" in err
    assert "未写入任何数据" in err
    assert counts() == before


def test_a_row_naming_a_recorded_meeting_is_that_meeting_never_a_second_one():
    imported(meetings(ROWS))
    before = counts()
    again = [BRANCH, "主题党日", D("2025-03-20"), "重温入党誓词", 12, 11]
    validation, _ctx = check(meetings([again]))
    assert validation.counts()[SHEET] == {"new": 0, "changed": 0, "unchanged": 1}
    assert not validation.has_changes
    assert counts() == before


def test_other_counts_for_a_meeting_recorded_with_its_list_are_refused():
    branch = org(BRANCH)
    member = Person.objects.get(name="梅溪湖张老师")
    listed = record_meeting(
        {
            "organization": branch,
            "meeting_type": "themed_day",
            "date": D("2025-05-20"),
            "topic": "参观纪念馆",
        },
        by=SYSTEM,
        attendance=[Listed(member)],
    )
    assert listed.from_list
    expected, actual = listed.expected, listed.actual
    assert actual == 1
    before = counts()
    same = [BRANCH, "主题党日", D("2025-05-20"), "参观纪念馆", expected, actual]
    validation, _ctx = check(meetings([same]))
    assert validation.counts()[SHEET] == {"new": 0, "changed": 0, "unchanged": 1}
    other = [BRANCH, "主题党日", D("2025-05-20"), "参观纪念馆", expected + 5, actual]
    validation, ctx = check(meetings([other]))
    found = errors(validation)
    assert [(sheet, line, column) for sheet, line, column, _reason in found] == [(SHEET, 2, "应到人数")]
    message = (
        "This meeting was recorded with its attendance list, which gives its counts (%(expected)s expected, "
        "%(actual)s present): change the list on the meeting's page, not the counts."
    )
    assert found[0][3] == said(message, expected=expected, actual=actual)
    with pytest.raises(ValueError, match="never written"):
        importer.write(validation, ctx)
    assert counts() == before
    listed.refresh_from_db()
    assert (listed.expected, listed.actual, listed.from_list) == (expected, actual, True)


# Scope ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("username", "code"), [("yuelu_admin", FURONG), ("school_secretary", OTHER_BRANCH)])
def test_an_organization_outside_the_scope_answers_as_one_not_recorded(username, code):
    before = counts()
    validation, _ctx = check(
        meetings([[code, "主题党日", D("2025-03-20"), "重温入党誓词", 12, 11]]), user(username)
    )
    assert errors(validation) == [(SHEET, 2, "党组织代码", UNKNOWN_ORG)]
    assert counts() == before


def test_a_read_only_account_may_not_record_a_meeting():
    before = counts()
    validation, _ctx = check(meetings(ROWS[1:2]), user("inspector"))
    found = errors(validation)
    assert [(sheet, line, column) for sheet, line, column, _reason in found] == [(SHEET, 2, "党组织代码")]
    message = "You may not record a meeting of this organization: it lies outside your scope."
    assert found[0][3] == said(message)
    assert counts() == before


# A new tree and its meetings in one workbook --------------------------------------------------------
NEW_SCHOOL = "4301049001"
NEW_TREE = {
    "学校": [SCHOOL_HEADERS, [NEW_SCHOOL, "空库导入测试中学", "岳麓区", "公办", "初中", "城区", "否", 60]],
    "党组织": [
        ORG_HEADERS,
        ["T-ROOT", "中共某市委教育工作委员会", "党工委", None, None, None, None],
        ["T-COM", "中共空库导入测试中学委员会", "党委", "T-ROOT", NEW_SCHOOL, D("2015-09-01"), None],
        ["T-BR", "空库导入测试中学第一党支部", "党支部", "T-COM", NEW_SCHOOL, D("2016-03-01"), None],
    ],
}
NEW_MEETINGS = [
    ["T-COM", "党课", D("2025-03-05"), "学习党章", 40, 38],
    ["T-BR", "主题党日", D("2025-03-20"), "重温入党誓词", 15, 14],
    ["T-BR", "组织生活会", D("2025-01-10"), "年度组织生活会", 15, 15],
]


def test_a_new_tree_and_its_meetings_import_into_an_empty_installation(tmp_path):
    empty_installation()
    assert not PartyOrganization.objects.exists()
    assert not Meeting.objects.exists()
    path = workbook(meetings(NEW_MEETINGS, **NEW_TREE), tmp_path)
    status, out, err = run(path)
    assert status == 0, err
    assert f"{SHEET}\t3\t0\t0" in out
    assert School.objects.get().code == NEW_SCHOOL
    found = {
        (m.organization.code, m.meeting_type, m.date, m.expected, m.actual) for m in Meeting.objects.all()
    }
    assert found == {
        ("T-COM", "party_class", D("2025-03-05"), 40, 38),
        ("T-BR", "themed_day", D("2025-03-20"), 15, 14),
        ("T-BR", "life_meeting", D("2025-01-10"), 15, 15),
    }
    assert ObjectChange.objects.filter(content_type__model="meeting", action="create").count() == 3
    status, out, err = run(path)
    assert status == 0, err
    assert f"{SHEET}\t0\t0\t3" in out


def test_a_new_organization_of_the_workbook_is_checked_at_its_row_before_anything_is_written():
    empty_installation()
    rows = [
        *NEW_MEETINGS,
        ["T-COM", "支部党员大会", D("2025-04-01"), "讨论发展对象", 40, 40],  # a committee holds none
        ["T-BR", "党课", D("2016-01-05"), "建支部前", 10, 10],  # before the branch was founded
    ]
    validation, ctx = check(meetings(rows, **NEW_TREE))
    found = errors(validation)
    assert [(sheet, line, column) for sheet, line, column, _reason in found] == [
        (SHEET, 5, "类型"),
        (SHEET, 6, "日期"),
    ]
    with translation.override("zh-hans"):
        label = str(rules.type_label("general_meeting"))
        kind = str(dict(PartyOrganization._meta.get_field("org_type").flatchoices)["committee"])
    assert found[0][3] == said("A %(type)s does not hold a %(meeting)s.", type=kind, meeting=label)
    assert found[1][3] == said(
        "%(org)s was founded on %(founded)s: a meeting cannot be before it.",
        org="空库导入测试中学第一党支部",
        founded="2016-03-01",
    )
    with pytest.raises(ValueError, match="never written"):
        importer.write(validation, ctx)
    assert not PartyOrganization.objects.exists()
    assert not Meeting.objects.exists()


def test_an_organization_whose_row_failed_is_not_reported_again():
    empty_installation()
    tree = {**NEW_TREE, "党组织": [row[:] for row in NEW_TREE["党组织"]]}
    tree["党组织"][3][2] = "党小组"  # not an organization type: the branch's row fails
    validation, _ctx = check(meetings(NEW_MEETINGS, **tree))
    assert [(sheet, line, column) for sheet, line, column, _reason in errors(validation)] == [
        ("党组织", 4, "组织类别")
    ]


# Export and template --------------------------------------------------------------------------------
def test_export_then_reimport_is_no_change():
    admin = user("city_admin")
    imported(meetings([*ROWS, [FURONG, "党课", D("2025-06-01"), "党史学习", 20, 19]]), admin)
    member = Person.objects.get(name="梅溪湖张老师")
    record_meeting(
        {
            "organization": org(BRANCH),
            "meeting_type": "themed_day",
            "date": D("2025-05-20"),
            "topic": "参观纪念馆",
        },
        by=SYSTEM,
        attendance=[Listed(member)],
    )
    with translation.override("zh-hans"):
        content, count, _full = export_workbook(admin)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert [cell.value for cell in book[SHEET][1]] == HEADERS
    exported = list(book[SHEET].iter_rows(min_row=2, values_only=True))
    everything = Meeting.objects.count()
    assert len(exported) == everything >= 5
    assert (BRANCH, "主题党日", datetime.datetime(2025, 3, 20), "重温入党誓词", 12, 11) in exported
    assert (BRANCH, "主题党日", datetime.datetime(2025, 5, 20), "参观纪念馆", 1, 1) in exported
    assert (FURONG, "党课", datetime.datetime(2025, 6, 1), "党史学习", 20, 19) in exported
    assert count >= len(exported)
    before = counts()
    ctx = ImportContext(admin)
    with translation.override("zh-hans"):
        validation = importer.validate(content, ctx)
    assert not validation.has_errors, [format_issue(issue) for issue in validation.errors[:5]]
    assert validation.counts()[SHEET] == {"new": 0, "changed": 0, "unchanged": everything}
    assert not validation.has_changes, validation.counts()
    assert counts() == before


def test_the_export_holds_the_meetings_of_the_users_scope_only():
    imported(meetings([*ROWS, [FURONG, "党课", D("2025-06-01"), "党史学习", 20, 19]]))
    yuelu = user("yuelu_admin")
    sheet = next(i for i in importer.importers() if i.sheet.name == SHEET)
    ctx = ImportContext(yuelu)
    rows = list(sheet.export_rows(ctx))
    yuelu_orgs = set(
        PartyOrganization.objects.filter(code__startswith="CS430104").values_list("code", flat=True)
    )
    assert {COMMITTEE, BRANCH} <= {row["org_code"] for row in rows} <= yuelu_orgs
    assert (
        sheet.export_count(ctx)
        == len(rows)
        == Meeting.objects.filter(organization__code__in=yuelu_orgs).count()
    )
    with translation.override("zh-hans"):
        content, _count, _full = export_workbook(yuelu)
    exported = list(openpyxl.load_workbook(io.BytesIO(content))[SHEET].iter_rows(min_row=2, values_only=True))
    assert len(exported) == len(rows)
    assert FURONG not in {row[0] for row in exported}


def drop_down(book, sheet, letter):
    """The values of the drop-down list of column ``letter`` (the range of 代码表 it points to)."""
    validation = next(
        v for v in book[sheet].data_validations.dataValidation if str(v.sqref).startswith(f"{letter}2:")
    )
    reference = validation.formula1.split("!")[1].replace("$", "")
    return [cell.value for (cell,) in book["代码表"][reference]]


def test_the_downloaded_template_has_the_sheet(client_for):
    response = client_for("yuelu_admin").get(reverse("imports:template"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [*(i.sheet.name for i in importer.importers()), "代码表"]
    assert SHEET in book.sheetnames
    sheet = book[SHEET]
    assert [cell.value for cell in sheet[1]] == HEADERS == [c.header for c in MEETINGS_SHEET.columns]
    assert (sheet["A2"].number_format, sheet["C2"].number_format, sheet["E2"].number_format) == (
        "@",
        "yyyy-mm-dd",
        "0",
    )
    assert drop_down(book, SHEET, "B") == list(rules.CHINESE.values())
    codes = drop_down(book, SHEET, "A")  # the organizations of the user's scope
    assert {COMMITTEE, BRANCH} <= set(codes)
    assert FURONG not in codes


# The query count does not grow with the rows --------------------------------------------------------
BATCH = re.compile(r"(\d+ times: )?(INSERT|UPDATE) |SELECT nextval\(pg_get_serial_sequence")
BRANCHES = ["CS430104-01", "CS430104-02-01", "CS430104-02-02", "CS430104-03", "CS430104-04"]


def many(count, first):
    """``count`` themed party days of the Yuelu branches, each on its own day from ``first``."""
    return [
        [BRANCHES[n % len(BRANCHES)], "主题党日", first + datetime.timedelta(days=n), f"主题党日 {n}", 12, 10]
        for n in range(count)
    ]


def count_queries(rows):
    """(queries checking, queries writing other than bulk statements, bulk statements) of ``rows``."""
    ctx = ImportContext(user("yuelu_admin"))
    content = workbook(meetings(rows))
    with CaptureQueriesContext(connection) as checking:
        validation = importer.validate(content, ctx)
    assert not validation.has_errors, [format_issue(issue) for issue in validation.errors[:5]]
    with CaptureQueriesContext(connection) as writing:
        importer.write(validation, ctx)
    batches = [q for q in writing.captured_queries if BATCH.match(q["sql"])]
    return len(checking), len(writing) - len(batches), len(batches)


def test_query_count_does_not_grow_with_rows():
    """Ten meetings and 400 (each on another day) are checked in as many queries, and written with as many
    other queries plus their bulk statements, never a statement per row."""
    before = Meeting.objects.count()
    small = count_queries(many(10, D("2023-01-01")))
    large = count_queries(many(400, D("2024-01-01")))
    assert large[0] == small[0] <= 8, (small, large)
    assert large[1] <= small[1], (small, large)
    assert large[2] <= 400 / 20, (small, large)
    assert Meeting.objects.count() - before == 410
