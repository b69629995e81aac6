"""The import sheet 发展环节: historical cases imported step by step and checked by the same rules engine as a
typed step; every bad row refused with its place and rule, nothing written; re-import and round trip as
"no change"; scope; a query count that does not grow with the rows."""

import datetime
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from redengine.core.models import ObjectChange
from redengine.core.validators import make_id_number
from redengine.dataio import importer
from redengine.dataio.errors import format_issue
from redengine.dataio.exporting import export_workbook
from redengine.dataio.importer import ImportContext
from redengine.dataio.template import build_template
from redengine.development.imports import STEPS_SHEET, StepParser
from redengine.development.models import DevelopmentCase, DevelopmentEvent
from redengine.imports.tests.generated import PEOPLE_HEADERS, workbook_rows
from redengine.imports.tests.importing import BRANCH, OTHER_ID, run, small_sheets, workbook
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Membership, Person

from .helpers import PATH, TODAY, D, assert_rule_said, new_applicant, rule_said

pytestmark = pytest.mark.django_db

SHEET = "发展环节"
HEADERS = ["公民身份号码", "环节", "日期", "说明"]
INCOMPLETE = {"S05", "S09", "S11", "S13", "S15", "S17", "S23", "S24"}  # data the sheet cannot carry


def history(number, upto=None, path=PATH):
    """The legal path's rows for ``number``, up to and including the last ``upto``."""
    rows = [[number, code, D(day), None] for code, day, _data in path]
    if upto is not None:
        last = max(n for n, row in enumerate(rows) if row[1] == upto)
        rows = rows[: last + 1]
    return rows


def line_of(code):
    """The Excel row of step ``code`` (its last) in a sheet of the whole legal path."""
    return max(n for n, (step, _day, _data) in enumerate(PATH, start=2) if step == code)


def steps(rows, **sheets):
    return {**sheets, SHEET: [HEADERS, *rows]}


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (DevelopmentCase, DevelopmentEvent, Membership, Person, ObjectChange)
    }


def check(sheets, user=None, today=TODAY):
    ctx = ImportContext(user, today=today)
    with translation.override("zh-hans"):
        return importer.validate(workbook(sheets), ctx), ctx


def imported(sheets, user=None, today=TODAY):
    validation, ctx = check(sheets, user, today)
    assert not validation.has_errors, [format_issue(issue) for issue in validation.errors]
    importer.write(validation, ctx)
    return validation


def errors(validation):
    return [(issue.sheet, issue.row, issue.column_header, issue.reason) for issue in validation.errors]


def person_row(name, number, birth, school, status="群众", admitted=None, full=None, org=None):
    row = dict.fromkeys(PEOPLE_HEADERS)
    row.update(
        {"姓名": name, "公民身份号码": number, "出生日期": birth, "学校代码": school, "政治面貌": status}
    )
    row.update({"入党日期": admitted, "转正日期": full, "党组织代码": org, "岗位": "专任教师"})
    return [row[header] for header in PEOPLE_HEADERS]


# A whole history ----------------------------------------------------------------------------------
def test_a_whole_legal_history_imports_as_a_completed_case():
    person = new_applicant()
    before = counts()
    validation = imported(steps(history(person.reveal_id_number())))
    assert validation.counts()[SHEET] == {"new": len(PATH), "changed": 0, "unchanged": 0}
    after = counts()
    assert {name: after[name] - before[name] for name in after} == {
        "DevelopmentCase": 1,
        "DevelopmentEvent": len(PATH),
        "Membership": 1,
        "Person": 0,
        "ObjectChange": 1 + len(PATH) + 1 + 1,  # the case, its steps, the membership, the person's status
    }
    case = DevelopmentCase.objects.get(person=person)
    assert case.status == "completed"
    assert (case.opened_on, case.admitted_on, case.converted_on) == (
        D("2022-01-10"),
        D("2023-06-25"),
        D("2024-06-25"),  # a year after the branch general meeting
    )
    assert case.closed_on == D("2024-08-01")
    assert (case.stage, case.last_step, case.next_step) == (5, "S25", "")
    # No membership: the first branch covering the school takes the case — admission passes through a
    # branch (党章 art. 5; 细则 art. 21), not the school's committee — and the committee above approves.
    assert case.organization.code == "CS430104-02-01"
    assert case.approver.code == "CS430104-02"
    membership = person.memberships.current().get()
    assert (membership.organization, membership.admitted_on, membership.full_on) == (
        case.organization,
        D("2023-06-25"),
        D("2024-06-25"),
    )
    person.refresh_from_db()
    assert person.political_status == "member"
    assert case.incomplete
    flagged = set(case.events.filter(incomplete=True).values_list("step", flat=True))
    assert flagged == INCOMPLETE
    record = ObjectChange.objects.filter(content_type__model="developmentevent").latest("id")
    assert (record.action, record.scope_path) == ("create", case.organization.path)


def test_reimporting_the_same_file_is_no_change(tmp_path):
    person = new_applicant()
    path = workbook(steps(history(person.reveal_id_number())), tmp_path)
    status, _out, err = run(path)
    assert status == 0, err
    before = counts()
    status, out, err = run(path)
    assert status == 0, err
    assert f"{SHEET}\t0\t0\t{len(PATH)}" in out
    assert "无需写入" in out
    assert counts() == before


def test_steps_missing_their_data_are_imported_and_flagged_incomplete():
    person = new_applicant()
    imported(steps(history(person.reveal_id_number(), upto="S05")))
    case = DevelopmentCase.objects.get(person=person)
    assert (case.status, case.stage, case.last_step, case.next_step) == ("open", 2, "S05", "S06")
    assert case.incomplete
    events = dict(case.events.values_list("step", "incomplete"))
    assert events == {"S01": False, "S02": False, "S03": False, "S04": False, "S05": True}
    assert not case.contacts.exists()  # the sheet names no contacts
    # Activist on 2022-04-01: assessed in the half-year after (July–December 2022), by its end.
    assert (case.due_step, case.next_due) == ("S06", D("2022-12-31"))


def test_steps_go_to_the_open_case_and_a_recorded_step_on_another_date_is_refused():
    person = new_applicant()
    number = person.reveal_id_number()
    imported(steps(history(number, upto="S05")))
    validation = imported(steps(history(number, upto="S10")))
    assert validation.counts()[SHEET] == {"new": 6, "changed": 0, "unchanged": 5}
    case = DevelopmentCase.objects.get(person=person)
    assert (case.last_step, case.events.count()) == ("S10", 11)
    moved = history(number, upto="S10")
    moved[1][2] = D("2022-01-26")  # S02 is recorded on 2022-01-25
    before = counts()
    validation, _ctx = check(steps(moved))
    assert [(row, column) for _s, row, column, _r in errors(validation)] == [(3, "环节")]
    assert_rule_said("DEV.ONCE", errors(validation)[0][3])
    assert counts() == before


def test_a_remark_is_imported_and_changed():
    person = new_applicant()
    rows = history(person.reveal_id_number(), upto="S02")
    rows[0][3] = "书面申请"
    imported(steps(rows))
    assert DevelopmentEvent.objects.get(case__person=person, step="S01").remarks == "书面申请"
    rows[0][3] = "书面申请（补录）"
    validation = imported(steps(rows))
    assert validation.counts()[SHEET] == {"new": 0, "changed": 1, "unchanged": 1}
    assert DevelopmentEvent.objects.get(case__person=person, step="S01").remarks == "书面申请（补录）"


# Bad rows: an error of that row, nothing written ----------------------------------------------------
def without(code):
    return lambda rows: [row for row in rows if row[1] != code]


def dated(code, day):
    def change(rows):
        for row in rows:
            if row[1] == code:
                row[2] = D(day)
        return rows

    return change


def named(code, text):
    def change(rows):
        for row in rows:
            if row[1] == code:
                row[1] = text
        return rows

    return change


BAD_ROWS = [
    pytest.param(without("S02"), ("S03", "2022-04-01"), "环节", "DEV.ORDER", id="before-its-prerequisite"),
    pytest.param(
        dated("S07", "2023-03-01"),
        ("S07", "2023-03-01"),
        "日期",
        "DEV.MIN_ACTIVIST_PERIOD",
        id="candidate-at-11-months",
    ),
    pytest.param(
        dated("S23", "2024-06-20"),
        ("S23", "2024-06-20"),
        "日期",
        "PROB.LENGTH",
        id="converted-before-the-year",
    ),
    pytest.param(
        lambda rows: [*rows, [rows[0][0], "S02", D("2022-01-26"), None]],
        ("S02", "2022-01-26"),
        "环节",
        "DEV.ONCE",
        id="same-step-twice",
    ),
    pytest.param(
        dated("S25", "2026-11-28"), ("S25", "2026-11-28"), "日期", "DEV.NOT_FUTURE", id="in-the-future"
    ),
    pytest.param(
        named("S04", "积极分子备案了"),
        ("积极分子备案了", "2022-04-10"),
        "环节",
        "不是 25 个步骤之一",
        id="unknown-step",
    ),
]


@pytest.mark.parametrize(("mutate", "where", "column", "reason"), BAD_ROWS)
def test_a_bad_row_is_an_error_of_that_row(mutate, where, column, reason):
    person = new_applicant()
    rows = mutate(history(person.reveal_id_number()))
    before = counts()
    validation, ctx = check(steps(rows))
    line = next(n for n, row in enumerate(rows, start=2) if (row[1], row[2]) == (where[0], D(where[1])))
    found = errors(validation)
    assert [(sheet, row, header) for sheet, row, header, _reason in found] == [(SHEET, line, column)], found
    assert rule_said(reason) in found[0][3]
    assert reason.split(".")[0] not in ("DEV", "PROB", "VOTE") or reason not in found[0][3]
    with pytest.raises(ValueError, match="never written"):
        importer.write(validation, ctx)
    assert counts() == before


def test_a_refusal_quotes_the_rule_and_its_source_in_chinese(tmp_path):
    person = new_applicant()
    rows = without("S02")(history(person.reveal_id_number(), upto="S03"))
    before = counts()
    status, _out, err = run(workbook(steps(rows), tmp_path))
    assert status == 1
    assert (
        f"{SHEET} 第 3 行「环节」：S03 —— S03 推荐和确定入党积极分子 须在以下步骤之后：S02 党组织派人谈话。"
        in err
    )
    assert "《发展党员工作细则》" in err
    assert "未写入任何数据" in err
    assert counts() == before


def test_an_applicant_under_18_is_refused():
    young = new_applicant("年轻老师", birth="2009-05-20")
    validation, _ctx = check(steps([[young.reveal_id_number(), "S01", D("2025-01-10"), None]]))
    assert [(row, column) for _s, row, column, _r in errors(validation)] == [(2, "日期")]
    assert_rule_said("DEV.AGE_MIN", errors(validation)[0][3])
    assert "党章第一条" in errors(validation)[0][3]


def test_an_unknown_id_number_is_refused():
    stranger = make_id_number("430104", datetime.date(1991, 1, 1), 777)
    validation, _ctx = check(steps(history(stranger, upto="S02")))
    found = errors(validation)
    assert [(row, column) for _s, row, column, _r in found] == [(2, "公民身份号码"), (3, "公民身份号码")]
    assert "没有该公民身份号码的人员" in found[0][3]


# Membership -----------------------------------------------------------------------------------------
def test_a_member_of_the_same_workbook_must_be_admitted_on_the_s15_date():
    number = make_id_number("430104", datetime.date(1993, 4, 4), 51)
    member = person_row(
        "导入发展老师",
        number,
        None,
        "4301040002",
        "中共党员",
        D("2023-06-25"),
        D("2024-06-25"),
        "CS430104-02-01",
    )
    sheets = steps(history(number), 人员=[PEOPLE_HEADERS, member])
    imported(sheets)
    person = Person.objects.with_id_number(number).get()
    case = DevelopmentCase.objects.get(person=person)
    assert case.status == "completed"
    assert case.organization.code == "CS430104-02-01"  # the membership's organization
    assert person.memberships.get().admitted_on == D("2023-06-25")
    assert person.political_status == "member"
    # The same person, the 入党日期 a day off: an error on the S15 row.
    other = make_id_number("430104", datetime.date(1993, 4, 4), 53)
    member = person_row(
        "导入发展老师二",
        other,
        None,
        "4301040002",
        "中共党员",
        D("2023-06-26"),
        D("2024-06-26"),
        "CS430104-02-01",
    )
    before = counts()
    validation, _ctx = check(steps(history(other), 人员=[PEOPLE_HEADERS, member]))
    found = errors(validation)
    assert [(sheet, row, column) for sheet, row, column, _r in found] == [(SHEET, line_of("S15"), "日期")]
    assert "“人员”工作表中此人的入党日期为 2023-06-26" in found[0][3]
    assert counts() == before


@pytest.mark.parametrize(
    ("status", "full", "reason"),
    [
        pytest.param(
            "中共党员",
            D("2024-12-25"),  # the end of a 6-month extension: a date the registry accepts
            "转正日期为 2024-12-25，但按这些步骤预备期于 2024-06-25 届满",
            id="full-on",
        ),
        pytest.param(
            "中共预备党员",
            None,
            "此人为中共预备党员，但按这些步骤其已于 2024-06-25 转为正式党员",
            id="not-full",
        ),
    ],
)
def test_a_member_of_the_same_workbook_must_be_full_at_the_end_of_the_probation(status, full, reason):
    number = make_id_number("430104", datetime.date(1993, 4, 4), 55)
    member = person_row(
        "导入发展老师", number, None, "4301040002", status, D("2023-06-25"), full, "CS430104-02-01"
    )
    validation, _ctx = check(steps(history(number), 人员=[PEOPLE_HEADERS, member]))
    found = errors(validation)
    assert [(sheet, row, column) for sheet, row, column, _r in found] == [(SHEET, line_of("S24"), "日期")]
    assert rule_said(reason) in found[0][3]
    assert reason.split(".")[0] not in ("DEV", "PROB", "VOTE") or reason not in found[0][3]


def test_a_recorded_member_must_be_admitted_on_the_s15_date():
    member = Person.objects.get(name="梅溪湖张老师")  # admitted 2012-06-20
    validation, _ctx = check(steps(history(member.reveal_id_number(), upto="S17")))
    assert [(row, column) for _s, row, column, _r in errors(validation)] == [(line_of("S15"), "日期")]
    assert "此人已登记的入党日期为 2012-06-20" in errors(validation)[0][3]


def test_a_recorded_persons_membership_follows_the_steps_imported_later():
    person = new_applicant()
    number = person.reveal_id_number()
    imported(steps(history(number, upto="S17")))
    person.refresh_from_db()
    membership = person.memberships.current().get()
    assert (membership.admitted_on, membership.full_on, person.political_status) == (
        D("2023-06-25"),
        None,
        "probationary",
    )
    validation = imported(steps(history(number)))
    assert validation.counts()[SHEET] == {"new": len(PATH) - 18, "changed": 0, "unchanged": 18}
    person.refresh_from_db()
    membership.refresh_from_db()
    assert (membership.full_on, person.political_status) == (D("2024-06-25"), "member")
    record = ObjectChange.objects.filter(
        content_type__model="membership", object_id=str(membership.pk)
    ).latest("id")
    assert (record.action, record.changed_fields) == ("update", ["full_on"])
    case = DevelopmentCase.objects.get(person=person)
    assert (case.status, case.converted_on) == ("completed", D("2024-06-25"))
    # The case is completed: a further step is refused.
    validation, _ctx = check(steps([[number, "S21", D("2024-08-10"), None]]))
    assert [(row, column) for _s, row, column, _r in errors(validation)] == [(2, "环节")]
    assert "发展党员工作已完成" in errors(validation)[0][3]


def test_steps_are_read_by_their_names_too():
    person = new_applicant()
    rows = history(person.reveal_id_number(), upto="S03")
    rows[0][1], rows[1][1], rows[2][1] = "递交入党申请书", "S02 党组织派人谈话", "s03"
    imported(steps(rows))
    case = DevelopmentCase.objects.get(person=person)
    assert list(case.events.values_list("step", flat=True)) == ["S01", "S02", "S03"]


def test_a_non_member_of_the_same_workbook_cannot_be_admitted_by_the_steps():
    sheets = small_sheets()
    sheets[SHEET] = [HEADERS, *history(OTHER_ID, upto="S17")]  # 导入李老师 is 群众 in the 人员 sheet
    validation, _ctx = check(sheets)
    s17 = len(history(OTHER_ID, upto="S17")) + 1
    assert [(sheet, row, column) for sheet, row, column, _r in errors(validation)] == [(SHEET, s17, "环节")]
    assert "群众" in errors(validation)[0][3]


def test_a_person_of_the_same_workbook_gets_a_case_in_the_new_branch_covering_the_new_school():
    sheets = small_sheets()
    sheets[SHEET] = [HEADERS, *history(OTHER_ID, upto="S03")]
    imported(sheets)
    case = DevelopmentCase.objects.get(person=Person.objects.with_id_number(OTHER_ID).get())
    assert case.organization == PartyOrganization.objects.get(code=BRANCH)
    assert (case.status, case.last_step, case.events.count()) == ("open", "S03", 3)


# Scope ----------------------------------------------------------------------------------------------
def test_a_district_administrator_imports_steps_of_their_district_only(example_user):
    furong = Person.objects.get(name="芙蓉吴老师")  # school 4301020001 (芙蓉区), no membership
    yuelu = new_applicant()
    rows = history(furong.reveal_id_number(), upto="S02") + history(yuelu.reveal_id_number(), upto="S02")
    before = counts()
    with translation.override("zh-hans"):
        validation, _ctx = check(steps(rows), user=example_user("yuelu_admin"))
    found = errors(validation)
    assert [(row, column) for _s, row, column, _r in found] == [(2, "公民身份号码"), (3, "公民身份号码")]
    # Outside the scope, answered word for word as a person recorded nowhere (nothing tells it exists).
    assert {reason for *_place, reason in found} == {
        "没有该公民身份号码的人员：既不在“人员”工作表中，也未在系统中登记。"
    }
    assert counts() == before
    imported(steps(rows), user=example_user("city_admin"))
    assert DevelopmentCase.objects.get(person=furong).organization.code == "CS430102-01"


# The query count does not grow with the rows --------------------------------------------------------
# A bulk statement (executemany as one), or on PostgreSQL the keys drawn for one COPY of a batch (the COPY
# itself goes by the driver's own cursor, which the capture does not see).
BATCH = re.compile(r"(\d+ times: )?(INSERT|UPDATE) |SELECT nextval\(pg_get_serial_sequence")


def count_queries(rows):
    """(queries checking, queries writing other than bulk statements, bulk statements) of ``rows``."""
    ctx = ImportContext(None, today=TODAY)
    content = workbook(steps(rows))
    with CaptureQueriesContext(connection) as checking:
        validation = importer.validate(content, ctx)
    assert not validation.has_errors, [format_issue(issue) for issue in validation.errors[:5]]
    with CaptureQueriesContext(connection) as writing:
        importer.write(validation, ctx)
    batches = [q for q in writing.captured_queries if BATCH.match(q["sql"])]
    return len(checking), len(writing) - len(batches), len(batches)


def test_query_count_does_not_grow_with_rows():
    """2,000 cases (31,323 rows) are checked in as many queries as 20 cases (9), and written with as many
    other queries, plus the bulk statements: their batches (Django's SQLite backend puts at most 999
    parameters in one statement, about 80 steps), never a statement per row."""
    sheets = workbook_rows(people=4600, seed=31, today=TODAY)
    del sheets["称号"]
    imported(sheets)
    header = sheets["人员"][0]
    status, number = header.index("政治面貌"), header.index("公民身份号码")
    numbers = [row[number] for row in sheets["人员"][1:] if row[status] not in ("中共党员", "中共预备党员")]
    schools = [row[0] for row in sheets["学校"][1:]]
    assert len(numbers) >= 2020

    def rows_for(people):
        lengths = ("S03", "S17", None)  # open, admitted (a membership), converted and filed (completed)
        return [row for n, number in enumerate(people) for row in history(number, upto=lengths[n % 3])]

    small_rows, large_rows = rows_for(numbers[:20]), rows_for(numbers[20:2020])
    small = count_queries(small_rows)
    large = count_queries(large_rows)
    # One of them finds the approving committees, one the memberships of those whose conversion is approved
    # (PROB.STANDING: a member suspended, out of contact or whose membership ended is not converted).
    assert large[0] == small[0] == 9, (small, large)
    assert large[1] <= small[1], (small, large)  # the small run also looked up the content types
    assert small[2] <= 15, (small, large)
    assert large[2] <= len(large_rows) / 40, (small, large)  # each INSERT or UPDATE holds 40 rows or more
    imported_cases = DevelopmentCase.objects.filter(person__school__code__in=schools)
    assert imported_cases.count() == 2020
    assert imported_cases.filter(status="completed").count() == 6 + 666  # every third case
    assert Membership.objects.filter(person__development_cases__in=imported_cases).count() == 13 + 1333


# Round trip -----------------------------------------------------------------------------------------
def test_export_then_reimport_is_no_change(example_user):
    first, second = new_applicant(), new_applicant("梅溪湖另一位老师", birth="1994-02-02")
    rows = history(first.reveal_id_number()) + history(second.reveal_id_number(), upto="S05")
    rows[0][3] = "书面申请"
    imported(steps(rows))
    admin = example_user("city_admin")
    with translation.override("zh-hans"):
        content, _count, full = export_workbook(admin)
    assert full
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book[SHEET].max_row - 1 == DevelopmentEvent.objects.count()  # the demo's steps too
    numbers = {first.reveal_id_number(), second.reveal_id_number()}
    exported = [row for row in book[SHEET].iter_rows(min_row=2, values_only=True) if row[0] in numbers]
    assert len(exported) == len(rows)
    assert (
        first.reveal_id_number(),
        "S01 递交入党申请书",
        datetime.datetime(2022, 1, 10),
        "书面申请",
    ) in exported
    before = counts()
    ctx = ImportContext(admin, today=TODAY)
    with translation.override("zh-hans"):
        validation = importer.validate(content, ctx)
    assert not validation.has_errors, [format_issue(issue) for issue in validation.errors[:5]]
    everything = DevelopmentEvent.objects.count()
    assert validation.counts()[SHEET] == {"new": 0, "changed": 0, "unchanged": everything}
    assert not validation.has_changes, validation.counts()
    assert counts() == before


# The sheet ------------------------------------------------------------------------------------------
def test_a_step_is_read_by_its_code_its_name_or_both():
    parser = StepParser()
    with translation.override("zh-hans"):
        for text, code in [
            ("S01", "S01"),
            ("s01", "S01"),
            ("递交入党申请书", "S01"),
            ("S01 递交入党申请书", "S01"),
            ("Ｓ１５", "S15"),
            ("支部大会讨论接收", "S15"),
            ("培养教育考察(每半年一次)", "S06"),
            ("Submit the written application", "S01"),
        ]:
            assert parser(text) == code, text
        with pytest.raises(Exception, match="不是 25 个步骤之一"):
            parser("递交申请")
        assert parser.choices()[0] == "S01 递交入党申请书"
        assert len(parser.choices()) == 25


def test_the_template_has_the_sheet_with_the_id_number_as_text():
    with translation.override("zh-hans"):
        book = openpyxl.load_workbook(io.BytesIO(build_template([STEPS_SHEET])))
    sheet = book[SHEET]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet["A2"].number_format == "@"
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    names = [importer_.sheet.name for importer_ in importer.importers()]
    assert names.index(SHEET) > max(names.index("人员"), names.index("党组织"))  # after the people it names


def test_an_imported_history_with_late_steps_imports_flagged_and_counted():
    """Domain-rules §0.1: the import applies the same policy as the form. A talk two months after the
    application and an assessment that skipped a half-year are the organization's delays: the rows import,
    flagged late, and ``development.late_steps`` counts them; nothing is refused."""
    from redengine.core.metrics import Period, compute_all
    from redengine.orgs.models import PartyOrganization

    person = new_applicant()
    rows = dated("S02", "2022-03-15")(history(person.reveal_id_number(), upto="S06"))
    rows = [
        row for row in rows if not (row[1] == "S06" and row[2] == D("2022-09-30"))
    ]  # no July–December 2022
    validation = imported(steps(rows))
    assert not validation.has_errors
    case = DevelopmentCase.objects.get(person=person)
    late = dict(case.events.filter(late=True).values_list("step", "late_rules"))
    assert late == {"S02": "DEV.TALK_DEADLINE", "S06": "DEV.ASSESSMENT_INTERVAL"}
    assert case.has_late
    root = PartyOrganization.objects.get(depth=1)
    figures = compute_all(root, Period.of(first=2022, last=2023), ["development.late_steps"])
    recorded = DevelopmentEvent.objects.filter(late=True, date__year__in=(2022, 2023)).count()
    assert figures["development.late_steps"]["value"] == recorded >= 2


def test_an_imported_invalid_step_is_refused_at_its_row_and_nothing_is_written():
    """Domain-rules §0.1: a condition of validity (a candidate before a year as an activist) is refused at its
    row, naming the rule in plain words, whatever the importer's role; nothing of the file is written."""
    from redengine.accounts.models import User

    person = new_applicant()
    rows = dated("S07", "2023-02-01")(history(person.reveal_id_number(), upto="S08"))
    before = counts()
    admin = User.objects.get(username="city_admin")
    validation, ctx = check(steps(rows), user=admin)
    found = errors(validation)
    assert [(sheet, row, column) for sheet, row, column, _r in found][:1] == [(SHEET, line_of("S07"), "日期")]
    assert_rule_said("DEV.MIN_ACTIVIST_PERIOD", found[0][3])
    with pytest.raises(ValueError, match="never written"):
        importer.write(validation, ctx)
    assert counts() == before
