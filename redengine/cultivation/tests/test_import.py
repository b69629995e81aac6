"""The import sheets 师徒结对 and 竞赛获奖: mentorships and contest prizes recorded through the cultivation
services with their change records, a recorded mentorship or contest found again (no change, or a change
of it, never a second one), the organization of a contest worked out from its level, every bad row refused
at its row and column with nothing written, people outside the importer's scope answered as people not
found, the template and the round trip of an export."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from redengine.accounts.models import User
from redengine.core.models import ObjectChange
from redengine.core.validators import make_id_number
from redengine.cultivation import rules
from redengine.cultivation.imports import (
    CONTEST_KINDS,
    CONTEST_LEVELS,
    CONTESTS_SHEET,
    MENTORSHIP_KINDS,
    MENTORSHIPS_SHEET,
    PRIZES,
)
from redengine.cultivation.models import Contest, ContestEntry, Mentorship
from redengine.dataio import importer
from redengine.dataio.errors import format_issue
from redengine.dataio.exporting import export_workbook
from redengine.dataio.importer import ImportContext
from redengine.imports.tests.importing import run, workbook
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Person

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
MENTORSHIPS = "师徒结对"
CONTESTS = "竞赛获奖"
MENTORSHIP_HEADERS = [
    "导师身份证号",
    "徒弟身份证号",
    "学校代码",
    "开始日期",
    "计划结束日期",
    "结束日期",
    "类型",
    "培养目标",
]
CONTEST_HEADERS = [
    "竞赛名称",
    "竞赛级别",
    "竞赛日期",
    "身份证号",
    "获奖等次",
    "竞赛类别",
    "主办党组织代码",
    "获奖日期",
    "作品名称",
]
MEIXIHU = "4301040002"  # 岳麓区梅溪湖中学: 梅溪湖张老师, 梅溪湖李老师, 梅溪湖王校长
LUSHAN = "4301040001"  # 岳麓区麓山实验小学: 麓山赵老师, 麓山钱老师
COMMITTEE = "CS430104-02"  # 中共岳麓区梅溪湖中学委员会: the school-level organization of 梅溪湖中学
BRANCH = "CS430104-02-01"  # 梅溪湖中学初中部党支部
LUSHAN_ORG = "CS430104-01"  # 中共岳麓区麓山实验小学支部委员会
YUELU = "CS430104"  # 中共长沙市岳麓区教育局委员会: the district bureau's
ROOT = "CS0001"  # 中共长沙市委教育工作委员会
NOBODY = make_id_number("430104", datetime.date(1991, 1, 1), 37)  # valid, registered to no one
UNKNOWN_PERSON = "No person with this ID number, neither in the 人员 sheet nor recorded."
UNKNOWN_ORG = "没有该代码的党组织：既不在“党组织”工作表中，也未在系统中登记。"
UNKNOWN_SCHOOL = "没有该代码的学校：既不在“学校”工作表中，也未在系统中登记。"


def id_of(name):
    return Person.objects.get(name=name).reveal_id_number()


def person(name):
    return Person.objects.get(name=name)


def org(code):
    return PartyOrganization.objects.get(code=code)


def user(username):
    return User.objects.get(username=username)


def sheets(mentorships=None, contests=None):
    found = {}
    if mentorships is not None:
        found[MENTORSHIPS] = [MENTORSHIP_HEADERS, *mentorships]
    if contests is not None:
        found[CONTESTS] = [CONTEST_HEADERS, *contests]
    return found


def counts():
    models = (Mentorship, Contest, ContestEntry, ObjectChange)
    return {model.__name__: model.objects.count() for model in models}


def check(book, user=None):
    ctx = ImportContext(user)
    with translation.override("zh-hans"):
        return importer.validate(workbook(book), ctx), ctx


def imported(book, user=None):
    validation, ctx = check(book, user)
    assert not validation.has_errors, [format_issue(issue) for issue in validation.errors]
    importer.write(validation, ctx)
    return validation


def errors(validation):
    return [(issue.sheet, issue.row, issue.column_header, issue.reason) for issue in validation.errors]


def places(validation):
    return [(sheet, line, column) for sheet, line, column, _reason in errors(validation)]


def said(msgid, **values):
    """The message as the workbook's user reads it (Chinese once the catalogue has it)."""
    with translation.override("zh-hans"):
        text = gettext(msgid)
        return text % {k: str(v) for k, v in values.items()} if values else text


def refused(book, where, username="yuelu_admin"):
    """Check ``book`` as ``username``: exactly one error, at ``where`` (sheet, row, column), told in a line
    that names its row and column; nothing written, and writing refused. The reason."""
    before = counts()
    validation, ctx = check(book, user(username))
    assert places(validation) == [where], errors(validation)
    with translation.override("zh-hans"):
        line = format_issue(validation.errors[0])
    assert line.startswith(f"{where[0]} 第 {where[1]} 行「{where[2]}」："), line
    with pytest.raises(ValueError, match="never written"):
        importer.write(validation, ctx)
    assert counts() == before
    return validation.errors[0].reason


def test_the_chinese_names_cover_the_codes():
    assert [code for code, _name in MENTORSHIP_KINDS] == rules.MentorshipKind.values
    assert [code for code, _name in CONTEST_LEVELS] == rules.ContestLevel.values
    assert [code for code, _name in PRIZES] == rules.Prize.values
    assert [code for code, _name in CONTEST_KINDS] == rules.ContestKind.values
    assert [c.header for c in MENTORSHIPS_SHEET.columns] == MENTORSHIP_HEADERS
    assert [c.header for c in CONTESTS_SHEET.columns] == CONTEST_HEADERS
    names = [i.sheet.name for i in importer.importers()]
    assert names.index("组织生活") < names.index(MENTORSHIPS) < names.index(CONTESTS)


# 师徒结对 ----------------------------------------------------------------------------------------------
def mentorship_rows():
    return [
        [
            id_of("梅溪湖张老师"),
            id_of("梅溪湖李老师"),
            MEIXIHU,
            D("2024-09-01"),
            D("2026-08-31"),
            None,
            "教学师徒",
            "站稳讲台，成长为骨干教师",
        ],
        [id_of("麓山赵老师"), id_of("麓山钱老师"), LUSHAN, D("2025-03-01"), None, None, "political", None],
        [id_of("梅溪湖王校长"), id_of("梅溪湖张老师"), MEIXIHU, D("2023-02-01"), None, None, None, None],
    ]


def test_mentorships_are_recorded_with_change_records_in_the_importers_name():
    before = counts()
    validation = imported(sheets(mentorship_rows()), user("yuelu_admin"))
    assert validation.counts()[MENTORSHIPS] == {"new": 3, "changed": 0, "unchanged": 0}
    after = counts()
    assert {name: after[name] - before[name] for name in after} == {
        "Mentorship": 3,
        "Contest": 0,
        "ContestEntry": 0,
        "ObjectChange": 3,
    }
    first = Mentorship.objects.get(apprentice=person("梅溪湖李老师"))
    assert (first.mentor, first.school.code, first.kind) == (person("梅溪湖张老师"), MEIXIHU, "teaching")
    assert (first.start_on, first.planned_end_on, first.ended_on) == (D("2024-09-01"), D("2026-08-31"), None)
    assert first.goals == "站稳讲台，成长为骨干教师"
    assert first.titled_by == D("2026-09-01")  # derived by the service: two years from the start
    political = Mentorship.objects.get(apprentice=person("麓山钱老师"))
    assert (political.kind, political.school.code) == ("political", LUSHAN)  # a type by its code
    blank = Mentorship.objects.get(apprentice=person("梅溪湖张老师"))
    assert blank.kind == "teaching"  # an empty 类型 is a teaching mentorship
    records = ObjectChange.objects.filter(content_type__model="mentorship").order_by("-id")[:3]
    assert {(r.action, r.username) for r in records} == {("create", "yuelu_admin")}
    by_object = {r.object_id: r for r in records}
    assert by_object[str(first.pk)].scope_path == org(COMMITTEE).path


def test_reimporting_a_mentorship_changes_it_never_adds_a_second_one(tmp_path):
    path = workbook(sheets(mentorship_rows()), tmp_path)
    status, _out, err = run(path)
    assert status == 0, err
    before = counts()
    status, out, err = run(path)
    assert status == 0, err
    assert f"{MENTORSHIPS}\t0\t0\t3" in out
    assert counts() == before
    rows = mentorship_rows()
    rows[0][5] = D("2025-06-30")  # the pair ends
    validation = imported(sheets(rows), user("yuelu_admin"))
    assert validation.counts()[MENTORSHIPS] == {"new": 0, "changed": 1, "unchanged": 2}
    assert counts()["Mentorship"] == before["Mentorship"]
    mentorship = Mentorship.objects.get(apprentice=person("梅溪湖李老师"))
    assert mentorship.ended_on == D("2025-06-30")
    record = ObjectChange.objects.filter(
        content_type__model="mentorship", object_id=str(mentorship.pk)
    ).latest("id")
    assert (record.action, sorted(record.changed_fields), record.username) == (
        "update",
        ["ended_on"],
        "yuelu_admin",
    )


def cell(line, index, value):
    """Set the cell ``index`` of Excel row ``line`` to ``value``."""

    def change(rows):
        rows[line - 2][index] = value
        return rows

    return change


def mentor_is_apprentice(rows):
    rows[1][0] = rows[1][1]
    return rows


def second_running(rows):
    """梅溪湖李老师 a second time, with another mentor, while the first pair runs."""
    return [
        *rows,
        [id_of("梅溪湖王校长"), rows[0][1], MEIXIHU, D("2025-09-01"), None, None, "教学师徒", None],
    ]


def same_pair_twice(rows):
    return [*rows, [*rows[0][:6], None, "另一行"]]


BAD_MENTORSHIPS = [
    pytest.param(
        mentor_is_apprentice,
        (3, "徒弟身份证号"),
        lambda: said("The mentor and the apprentice must be two different people."),
        (),
        id="mentor-is-the-apprentice",
    ),
    pytest.param(
        cell(2, 5, D("2024-08-31")),
        (2, "结束日期"),
        lambda: said("A mentorship cannot end before it starts (%(start)s).", start="2024-09-01"),
        ("2024-09-01",),
        id="end-before-start",
    ),
    pytest.param(
        cell(2, 4, D("2024-08-01")),
        (2, "计划结束日期"),
        lambda: said("The planned end must come after the start (%(start)s).", start="2024-09-01"),
        ("2024-09-01",),
        id="planned-end-before-start",
    ),
    pytest.param(
        cell(2, 5, timezone.localdate() + datetime.timedelta(days=1)),
        (2, "结束日期"),
        lambda: said("The end of a mentorship is recorded once it has ended: the date is in the future."),
        (),
        id="end-in-the-future",
    ),
    pytest.param(
        second_running,
        (5, "徒弟身份证号"),
        None,
        ("梅溪湖李老师", "2024-09-01"),
        id="apprentice-twice-in-the-sheet",
    ),
    pytest.param(
        same_pair_twice,
        (5, "徒弟身份证号"),
        lambda: "与第 2 行重复。",
        (),
        id="same-apprentice-type-and-start",
    ),
    pytest.param(cell(2, 2, "4301049999"), (2, "学校代码"), lambda: UNKNOWN_SCHOOL, (), id="unknown-school"),
    pytest.param(
        cell(2, 0, NOBODY), (2, "导师身份证号"), lambda: said(UNKNOWN_PERSON), (), id="unknown-mentor"
    ),
    pytest.param(cell(2, 6, "师徒"), (2, "类型"), None, ("教学师徒", "政治导师"), id="unknown-type"),
    pytest.param(cell(2, 3, None), (2, "开始日期"), lambda: "必填。", (), id="no-start"),
]


@pytest.mark.parametrize(("mutate", "where", "reason", "words"), BAD_MENTORSHIPS)
def test_a_bad_mentorship_row_is_an_error_of_its_row_and_column_and_nothing_is_written(
    mutate, where, reason, words
):
    rows = mutate(mentorship_rows())
    found = refused(sheets(rows), (MENTORSHIPS, *where))
    if reason is not None:
        assert found == reason()
    for word in words:
        assert word in found


def test_an_apprentice_in_a_recorded_running_mentorship_is_refused_another_of_the_same_type():
    imported(sheets(mentorship_rows()), user("yuelu_admin"))
    apprentice = id_of("梅溪湖李老师")
    row = [id_of("梅溪湖王校长"), apprentice, MEIXIHU, D("2025-09-01"), None, None, "教学师徒", None]
    found = refused(sheets([row]), (MENTORSHIPS, 2, "徒弟身份证号"))
    message = (
        "%(name)s is already the apprentice of a %(kind)s from %(start)s: an apprentice is in one mentorship "
        "of a kind at a time (end that one first)."
    )
    with translation.override("zh-hans"):
        kind = str(rules.kind_label("teaching"))
    assert found == said(message, name="梅溪湖李老师", kind=kind, start="2024-09-01")
    # A mentorship of the other type runs beside it; once the first has ended, another may start.
    political = [id_of("梅溪湖王校长"), apprentice, MEIXIHU, D("2025-09-01"), None, None, "政治导师", None]
    ended = mentorship_rows()[0]
    ended[5] = D("2025-06-30")
    imported(sheets([political, ended, row]), user("yuelu_admin"))
    assert Mentorship.objects.filter(apprentice=person("梅溪湖李老师")).count() == 3


@pytest.mark.parametrize("column", [0, 1])
def test_a_person_outside_the_scope_answers_as_a_person_not_found(column):
    header = MENTORSHIP_HEADERS[column]
    rows = mentorship_rows()[:1]
    rows[0][column] = id_of("芙蓉周老师")  # another district: outside the school secretary's scope
    outside = refused(sheets(rows), (MENTORSHIPS, 2, header), "school_secretary")
    rows[0][column] = NOBODY
    nobody = refused(sheets(rows), (MENTORSHIPS, 2, header), "school_secretary")
    assert outside == nobody == said(UNKNOWN_PERSON)


def test_the_school_secretary_records_the_mentorships_of_their_school_only():
    rows = mentorship_rows()
    validation, _ctx = check(sheets(rows), user("school_secretary"))
    # The Lushan pair lies outside: its people and its school answer as not recorded.
    assert places(validation) == [
        (MENTORSHIPS, 3, "导师身份证号"),
        (MENTORSHIPS, 3, "徒弟身份证号"),
        (MENTORSHIPS, 3, "学校代码"),
    ]
    assert errors(validation)[2][3] == UNKNOWN_SCHOOL
    validation = imported(sheets([rows[0], rows[2]]), user("school_secretary"))
    assert validation.counts()[MENTORSHIPS] == {"new": 2, "changed": 0, "unchanged": 0}


# 竞赛获奖 ----------------------------------------------------------------------------------------------
def contest_rows():
    return [
        [
            "微党课大赛",
            "区县级",
            D("2025-05-20"),
            id_of("梅溪湖张老师"),
            "一等奖",
            "微党课",
            None,
            None,
            "《红色记忆》",
        ],
        ["微党课大赛", "区县级", D("2025-05-20"), id_of("麓山赵老师"), None, "微党课", None, None, None],
        [
            "教案设计比赛",
            "校级",
            D("2025-04-10"),
            id_of("梅溪湖李老师"),
            "二等奖",
            "教案设计",
            None,
            D("2025-04-15"),
            "《岳麓书院》教案",
        ],
        [
            "教案设计比赛",
            "school",
            D("2025-04-10"),
            id_of("麓山赵老师"),
            "third",
            "lesson_plan",
            None,
            None,
            None,
        ],
        ["课堂展示", "校级", D("2025-06-01"), id_of("梅溪湖张老师"), "特等奖", None, BRANCH, None, None],
    ]


def entry(name, contest):
    return ContestEntry.objects.select_related("contest__organization").get(
        person=person(name), contest__name=contest
    )


def test_contest_prizes_are_recorded_with_their_contests_and_change_records():
    before = counts()
    validation = imported(sheets(contests=contest_rows()), user("yuelu_admin"))
    assert validation.counts()[CONTESTS] == {"new": 5, "changed": 0, "unchanged": 0}
    after = counts()
    assert {name: after[name] - before[name] for name in after} == {
        "Mentorship": 0,
        "Contest": 4,
        "ContestEntry": 5,
        "ObjectChange": 9,
    }
    found = {
        (c.organization.code, c.name, c.level, c.held_on, c.kind)
        for c in Contest.objects.filter(name__in=["微党课大赛", "教案设计比赛", "课堂展示"])
    }
    assert found == {
        # 区县级: the bureau of the schools' district, one contest for both schools
        (YUELU, "微党课大赛", "district", D("2025-05-20"), "micro_class"),
        # 校级: the school-level organization of each person's school, a contest each
        (COMMITTEE, "教案设计比赛", "school", D("2025-04-10"), "lesson_plan"),
        (LUSHAN_ORG, "教案设计比赛", "school", D("2025-04-10"), "lesson_plan"),
        # typed: the branch; no type given: 其他
        (BRANCH, "课堂展示", "school", D("2025-06-01"), "other"),
    }
    first = entry("梅溪湖张老师", "微党课大赛")
    assert (first.prize, first.awarded_on, first.work) == ("first", D("2025-05-20"), "《红色记忆》")
    took_part = entry("麓山赵老师", "微党课大赛")
    assert (took_part.prize, took_part.awarded_on, took_part.work) == ("none", None, "")
    assert took_part.contest == first.contest
    second = entry("梅溪湖李老师", "教案设计比赛")
    assert (second.prize, second.awarded_on) == ("second", D("2025-04-15"))
    assert entry("麓山赵老师", "教案设计比赛").prize == "third"
    records = ObjectChange.objects.filter(content_type__model__in=["contest", "contestentry"]).order_by(
        "-id"
    )[:9]
    assert {(r.action, r.username) for r in records} == {("create", "yuelu_admin")}
    by_object = {(r.content_type.model, r.object_id): r for r in records}
    assert by_object[("contest", str(first.contest.pk))].scope_path == org(YUELU).path
    assert by_object[("contestentry", str(second.pk))].scope_path == org(COMMITTEE).path


def test_reimporting_contest_prizes_reuses_the_contests_and_changes_the_entries(tmp_path):
    path = workbook(sheets(contests=contest_rows()), tmp_path)
    status, _out, err = run(path)
    assert status == 0, err
    before = counts()
    status, out, err = run(path)
    assert status == 0, err
    assert f"{CONTESTS}\t0\t0\t5" in out
    assert counts() == before
    rows = contest_rows()
    rows[1][4] = "优秀奖"  # 麓山赵老师's entry now has a prize, dated as the contest
    rows.append(
        ["微党课大赛", "区县级", D("2025-05-20"), id_of("梅溪湖李老师"), "二等奖", None, None, None, None]
    )
    validation = imported(sheets(contests=rows), user("yuelu_admin"))
    assert validation.counts()[CONTESTS] == {"new": 1, "changed": 1, "unchanged": 4}
    after = counts()
    assert (after["Contest"], after["ContestEntry"]) == (before["Contest"], before["ContestEntry"] + 1)
    merit = entry("麓山赵老师", "微党课大赛")
    assert (merit.prize, merit.awarded_on) == ("merit", D("2025-05-20"))
    assert entry("梅溪湖李老师", "微党课大赛").contest == merit.contest  # the recorded contest
    record = ObjectChange.objects.filter(content_type__model="contestentry", object_id=str(merit.pk)).latest(
        "id"
    )
    assert (record.action, sorted(record.changed_fields)) == ("update", ["awarded_on", "prize"])


def test_a_city_level_contest_is_held_by_the_root():
    rows = [
        [
            "全市微故事比赛",
            "市级",
            D("2025-07-01"),
            id_of("芙蓉周老师"),
            "一等奖",
            "微故事",
            None,
            None,
            None,
        ],
        ["全市微故事比赛", "city", D("2025-07-01"), id_of("梅溪湖张老师"), "优秀奖", None, None, None, None],
    ]
    imported(sheets(contests=rows), user("city_admin"))
    contest = Contest.objects.get(name="全市微故事比赛")
    assert (contest.organization.code, contest.kind, contest.entries.count()) == (ROOT, "micro_story", 2)


def recorded_contests():
    imported(sheets(contests=contest_rows()), user("yuelu_admin"))


def future_contest(rows):
    rows[4][2] = timezone.localdate() + datetime.timedelta(days=1)
    return rows


def two_types(rows):
    rows[1][5] = "微访谈"
    return rows


BAD_CONTESTS = [
    pytest.param(
        [["教案设计比赛", "校级", D("2025-04-10"), "麓山赵老师", "一等奖", None, COMMITTEE, None, None]],
        (2, "身份证号"),
        ("麓山赵老师", "中共岳麓区梅溪湖中学委员会"),
        id="person-outside-the-contests-subtree",
    ),
    pytest.param(
        [
            [
                "教案设计比赛",
                "校级",
                D("2025-04-10"),
                "梅溪湖李老师",
                "二等奖",
                None,
                None,
                D("2025-04-01"),
                None,
            ]
        ],
        (2, "获奖日期"),
        ("2025-04-01", "2025-04-10"),
        id="prize-before-the-contest",
    ),
    pytest.param(
        [["微党课大赛", "区县级", D("2025-05-20"), "梅溪湖张老师", "一等奖", None, None, None, None]] * 2,
        (3, "身份证号"),
        ("与第 2 行重复。",),
        id="a-person-twice-in-a-contest",
    ),
]


@pytest.mark.parametrize(("rows", "where", "words"), BAD_CONTESTS)
def test_a_bad_entry_of_a_recorded_contest_is_an_error_of_its_row_and_column(rows, where, words):
    recorded_contests()
    rows = [[*row[:3], id_of(row[3]), *row[4:]] for row in rows]
    found = refused(sheets(contests=rows), (CONTESTS, *where))
    for word in words:
        assert word in found


BAD_CONTEST_ROWS = [
    pytest.param(cell(2, 1, "市区级"), (2, "竞赛级别"), ("校级", "区县级", "国家级"), id="unknown-level"),
    pytest.param(
        future_contest,
        (6, "竞赛日期"),
        (said("A contest is recorded once it is held: the date is in the future."),),
        id="contest-in-the-future",
    ),
    pytest.param(two_types, (3, "竞赛类别"), ("2", "微党课"), id="a-contest-of-two-types"),
    pytest.param(cell(6, 6, "CS430104-99"), (6, "主办党组织代码"), (UNKNOWN_ORG,), id="unknown-organization"),
    pytest.param(cell(3, 3, NOBODY), (3, "身份证号"), (said(UNKNOWN_PERSON),), id="unknown-person"),
    pytest.param(cell(2, 4, "金奖"), (2, "获奖等次"), ("一等奖", "参与"), id="unknown-prize"),
    pytest.param(
        cell(2, 1, "市级"),
        (2, "主办党组织代码"),
        ("中共长沙市委教育工作委员会",),
        id="a-city-contest-by-a-district-administrator",
    ),
]


@pytest.mark.parametrize(("mutate", "where", "words"), BAD_CONTEST_ROWS)
def test_a_bad_contest_row_is_an_error_of_its_row_and_column_and_nothing_is_written(mutate, where, words):
    found = refused(sheets(contests=mutate(contest_rows())), (CONTESTS, *where))
    for word in words:
        assert word in found


def test_a_person_outside_the_scope_answers_as_a_person_not_found_in_a_contest():
    rows = [["教案设计比赛", "校级", D("2025-04-10"), id_of("麓山赵老师"), "一等奖", None, None, None, None]]
    outside = refused(sheets(contests=rows), (CONTESTS, 2, "身份证号"), "school_secretary")
    rows[0][3] = NOBODY
    nobody = refused(sheets(contests=rows), (CONTESTS, 2, "身份证号"), "school_secretary")
    assert outside == nobody == said(UNKNOWN_PERSON)


def test_the_school_secretary_records_the_school_contests_of_their_school():
    rows = [
        ["教案设计比赛", "校级", D("2025-04-10"), id_of("梅溪湖李老师"), "二等奖", None, None, None, None],
        ["微党课大赛", "区县级", D("2025-05-20"), id_of("梅溪湖张老师"), "一等奖", None, None, None, None],
    ]
    found = refused(sheets(contests=rows), (CONTESTS, 3, "主办党组织代码"), "school_secretary")
    assert "中共长沙市岳麓区教育局委员会" in found  # the district bureau's: not the secretary's to record
    imported(sheets(contests=rows[:1]), user("school_secretary"))
    assert entry("梅溪湖李老师", "教案设计比赛").contest.organization.code == COMMITTEE


NEW_CONTEST_OUTSIDE = [
    ["新教师汇报课", "校级", D("2025-03-15"), "麓山赵老师", "一等奖", None, COMMITTEE, None, None]
]


def new_contest_outside():
    return [[*row[:3], id_of(row[3]), *row[4:]] for row in NEW_CONTEST_OUTSIDE]


def test_a_bad_entry_of_a_new_contest_is_an_error_of_its_row_before_anything_is_written():
    before = counts()
    found = refused(sheets(contests=new_contest_outside()), (CONTESTS, 2, "身份证号"))
    assert "麓山赵老师" in found
    assert counts() == before


# Export and template --------------------------------------------------------------------------------
def test_export_then_reimport_is_no_change():
    admin = user("city_admin")
    imported(sheets(mentorship_rows(), contest_rows()), admin)
    with translation.override("zh-hans"):
        content, _count, _full = export_workbook(admin)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert [c.value for c in book[MENTORSHIPS][1]] == MENTORSHIP_HEADERS
    assert [c.value for c in book[CONTESTS][1]] == CONTEST_HEADERS
    mentorships = list(book[MENTORSHIPS].iter_rows(min_row=2, values_only=True))
    assert len(mentorships) == Mentorship.objects.count() >= 3
    assert (
        id_of("梅溪湖张老师"),
        id_of("梅溪湖李老师"),
        MEIXIHU,
        datetime.datetime(2024, 9, 1),
        datetime.datetime(2026, 8, 31),
        None,
        "教学师徒",
        "站稳讲台，成长为骨干教师",
    ) in mentorships
    prizes = list(book[CONTESTS].iter_rows(min_row=2, values_only=True))
    assert len(prizes) == ContestEntry.objects.count() >= 5
    assert (
        "微党课大赛",
        "区县级",
        datetime.datetime(2025, 5, 20),
        id_of("麓山赵老师"),
        "参与",
        "微党课",
        YUELU,
        None,
        None,
    ) in prizes
    before = counts()
    ctx = ImportContext(admin)
    with translation.override("zh-hans"):
        validation = importer.validate(content, ctx)
    assert not validation.has_errors, [format_issue(issue) for issue in validation.errors[:5]]
    assert validation.counts()[MENTORSHIPS] == {"new": 0, "changed": 0, "unchanged": len(mentorships)}
    assert validation.counts()[CONTESTS] == {"new": 0, "changed": 0, "unchanged": len(prizes)}
    assert not validation.has_changes, validation.counts()
    assert counts() == before


def test_the_export_holds_the_records_of_the_users_scope_only():
    imported(sheets(mentorship_rows(), contest_rows()), user("yuelu_admin"))
    secretary = ImportContext(user("school_secretary"))
    by_name = {i.sheet.name: i for i in importer.importers()}
    mentorships = list(by_name[MENTORSHIPS].export_rows(secretary))
    assert {row["school_code"] for row in mentorships} == {MEIXIHU}
    at_meixihu = Mentorship.objects.filter(school__code=MEIXIHU).count()
    assert by_name[MENTORSHIPS].export_count(secretary) == len(mentorships) == at_meixihu >= 2
    assert all("*" in row["mentor_id"] for row in mentorships)  # the secretary may not reveal: masked
    prizes = list(by_name[CONTESTS].export_rows(secretary))
    of_meixihu = ContestEntry.objects.filter(person__school__code=MEIXIHU).count()  # its people's entries
    assert by_name[CONTESTS].export_count(secretary) == len(prizes) == of_meixihu >= 3
    assert ContestEntry.objects.exclude(person__school__code=MEIXIHU).exists()  # the Lushan ones are not


def drop_down(book, sheet, letter):
    """The values of the drop-down list of column ``letter`` (the range of 代码表 it points to)."""
    validation = next(
        v for v in book[sheet].data_validations.dataValidation if str(v.sqref).startswith(f"{letter}2:")
    )
    reference = validation.formula1.split("!")[1].replace("$", "")
    return [cell.value for (cell,) in book["代码表"][reference]]


def test_the_downloaded_template_has_both_sheets(client_for):
    response = client_for("yuelu_admin").get(reverse("imports:template"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [*(i.sheet.name for i in importer.importers()), "代码表"]
    assert book.sheetnames.index(MENTORSHIPS) + 1 == book.sheetnames.index(CONTESTS)
    sheet = book[MENTORSHIPS]
    assert [c.value for c in sheet[1]] == MENTORSHIP_HEADERS
    assert (sheet["A2"].number_format, sheet["B2"].number_format, sheet["D2"].number_format) == (
        "@",
        "@",
        "yyyy-mm-dd",
    )
    assert drop_down(book, MENTORSHIPS, "G") == ["教学师徒", "政治导师"]
    schools = drop_down(book, MENTORSHIPS, "C")
    assert {MEIXIHU, LUSHAN} <= set(schools)
    assert "4301020001" not in schools  # a Furong school
    sheet = book[CONTESTS]
    assert [c.value for c in sheet[1]] == CONTEST_HEADERS
    assert (sheet["C2"].number_format, sheet["D2"].number_format) == ("yyyy-mm-dd", "@")
    assert drop_down(book, CONTESTS, "B") == ["校级", "区县级", "市级", "省级", "国家级"]
    assert drop_down(book, CONTESTS, "E") == ["特等奖", "一等奖", "二等奖", "三等奖", "优秀奖", "参与"]
    assert drop_down(book, CONTESTS, "F") == [name for _code, name in CONTEST_KINDS]
    organizations = drop_down(book, CONTESTS, "G")
    assert {YUELU, COMMITTEE, BRANCH} <= set(organizations)
    assert "CS430102-01" not in organizations


# The query count does not grow with the rows --------------------------------------------------------
def many_mentorships(count, first):
    """``count`` pairs of the same two people, each ended ten days after it began, a month apart."""
    mentor, apprentice = id_of("梅溪湖张老师"), id_of("梅溪湖李老师")
    rows = []
    for n in range(count):
        start = first + datetime.timedelta(days=30 * n)
        rows.append(
            [mentor, apprentice, MEIXIHU, start, None, start + datetime.timedelta(days=10), None, None]
        )
    return sheets(mentorships=rows)


def many_contests(count, first):
    """``count`` school contests, each on its own day, each with the entries of two people."""
    people = [id_of("梅溪湖张老师"), id_of("梅溪湖李老师")]
    return sheets(
        contests=[
            [
                f"技能竞赛 {n}",
                "校级",
                first + datetime.timedelta(days=n),
                number,
                "三等奖",
                None,
                None,
                None,
                None,
            ]
            for n in range(count)
            for number in people
        ]
    )


def checking_queries(book):
    ctx = ImportContext(user("yuelu_admin"))
    content = workbook(book)
    with CaptureQueriesContext(connection) as checking:
        validation = importer.validate(content, ctx)
    assert not validation.has_errors, [format_issue(issue) for issue in validation.errors[:5]]
    return len(checking)


@pytest.mark.parametrize("rows", [many_mentorships, many_contests], ids=["mentorships", "contests"])
def test_checking_queries_do_not_grow_with_the_rows(rows):
    small = checking_queries(rows(10, D("2010-01-01")))
    large = checking_queries(rows(150, D("2010-01-01")))
    assert large == small, (small, large)
