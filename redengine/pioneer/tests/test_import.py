"""The import sheet 示范创建: units landing in the state their dates say with their moves recorded as
imported, a recorded unit found again (no change; a different description refused), every rule of the
sheet refused at its row and column with nothing written, a plaque number given once within the file too,
and a whole new tree with its units imported into an empty installation."""

import datetime

import pytest
from django.utils import translation

from redengine.core.models import ObjectChange
from redengine.dataio import importer
from redengine.dataio.errors import format_issue
from redengine.dataio.importer import ImportContext
from redengine.imports.tests.generated import ORG_HEADERS, SCHOOL_HEADERS
from redengine.imports.tests.importing import run, workbook
from redengine.orgs.models import PartyOrganization, School
from redengine.pioneer.imports import UNITS_SHEET
from redengine.pioneer.models import PioneerUnit, UnitMove
from redengine.testing import empty_installation

from .helpers import FURONG, MEIXIHU, advance, days_ago, new_unit, user

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
SHEET = "示范创建"
HEADERS = ["名称", "类型", "学校代码", "申报日期", "认定日期", "牌匾编号", "撤销日期"]


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
    return (PioneerUnit.objects.count(), UnitMove.objects.count(), ObjectChange.objects.count())


def refused(book, where, username="yuelu_admin"):
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
    ["初三党员示范岗", "示范岗", MEIXIHU, D("2021-03-01"), None, None, None],
    ["党员示范班", "示范班", MEIXIHU, D("2020-03-01"), D("2020-09-01"), "YL-2020-01", None],
    ["青年志愿服务队", "team", MEIXIHU, D("2019-03-01"), D("2019-10-01"), "YL-2019-07", D("2022-06-30")],
]


def test_units_land_in_the_state_their_dates_say_with_their_moves_imported():
    imported(sheets(ROWS), "yuelu_admin")
    found = {u.name: u for u in PioneerUnit.objects.filter(school__code=MEIXIHU)}
    assert found["初三党员示范岗"].status == "filed"
    assert found["党员示范班"].status == "certified"
    assert found["党员示范班"].plaque_number == "YL-2020-01"
    assert found["青年志愿服务队"].status == "revoked"
    assert found["青年志愿服务队"].kind == "team"
    assert found["初三党员示范岗"].organization.code == "CS430104-02"
    moves = list(found["青年志愿服务队"].moves.values_list("move", "date", "imported", "by__username"))
    assert moves == [
        ("file", D("2019-03-01"), True, "yuelu_admin"),
        ("certify", D("2019-10-01"), True, "yuelu_admin"),
        ("revoke", D("2022-06-30"), True, "yuelu_admin"),
    ]
    assert ObjectChange.objects.filter(content_type__model="pioneerunit", action="create").count() == 3
    again, _ctx = check(sheets(ROWS), "yuelu_admin")  # the same rows again: nothing changes
    assert again.counts()[SHEET] == {"new": 0, "changed": 0, "unchanged": 3}


def test_a_recorded_unit_described_otherwise_is_refused():
    imported(sheets(ROWS[:1]), "yuelu_admin")
    row = [*ROWS[0][:4], D("2021-09-01"), "YL-X", None]
    assert "已登记" in refused(sheets([row]), (2, "申报日期"))


def future(days):
    return days_ago(-days)


@pytest.mark.parametrize(
    ("row", "where", "words"),
    [
        (["甲", "示范队", MEIXIHU, D("2021-03-01"), None, None, None], (2, "类型"), "示范岗"),
        (["甲", "示范岗", MEIXIHU, future(3), None, None, None], (2, "申报日期"), "晚于今天"),
        (["甲", "示范岗", MEIXIHU, D("2021-03-01"), future(3), "P-1", None], (2, "认定日期"), "晚于今天"),
        (
            ["甲", "示范岗", MEIXIHU, D("2021-03-01"), D("2021-02-01"), "P-1", None],
            (2, "认定日期"),
            "不能早于",
        ),
        (["甲", "示范岗", MEIXIHU, D("2021-03-01"), None, "P-1", None], (2, "牌匾编号"), "认定日期"),
        (
            ["甲", "示范岗", MEIXIHU, D("2021-03-01"), D("2021-04-01"), None, None],
            (2, "牌匾编号"),
            "牌匾编号",
        ),
        (["甲", "示范岗", MEIXIHU, D("2021-03-01"), None, None, D("2021-05-01")], (2, "撤销日期"), "认定"),
        (
            ["甲", "示范岗", MEIXIHU, D("2021-03-01"), D("2021-04-01"), "P-1", D("2021-03-15")],
            (2, "撤销日期"),
            "晚于认定日期",
        ),
        (["甲", "示范岗", "4309999999", D("2021-03-01"), None, None, None], (2, "学校代码"), "没有该代码"),
        (["甲", "示范岗", FURONG, D("2021-03-01"), None, None, None], (2, "学校代码"), "没有该代码"),
    ],
    ids=[
        "kind",
        "filed-future",
        "certified-future",
        "certified-before-filed",
        "plaque-without-date",
        "date-without-plaque",
        "revoked-uncertified",
        "revoked-before-certified",
        "school-unknown",
        "school-outside-scope",
    ],
)
def test_a_bad_row_is_refused_at_its_row_and_column(row, where, words):
    assert words in refused(sheets([row]), where)


def test_a_plaque_number_is_given_once_within_the_file_and_against_the_records():
    rows = [
        ["甲示范岗", "示范岗", MEIXIHU, D("2021-03-01"), D("2021-04-01"), "P-TWICE", None],
        ["乙示范岗", "示范岗", MEIXIHU, D("2021-03-01"), D("2021-04-01"), "P-TWICE", None],
    ]
    assert "牌匾编号" in refused(sheets(rows), (3, "牌匾编号"))
    advance(new_unit("已有牌匾示范岗"), "certified", plaque="P-TAKEN")
    rows = [["丙示范岗", "示范岗", MEIXIHU, D("2021-03-01"), D("2021-04-01"), "P-TAKEN", None]]
    assert "牌匾编号" in refused(sheets(rows), (2, "牌匾编号"))


def test_the_sheet_reads_as_import_templates_md_fixes_it():
    assert [c.header for c in UNITS_SHEET.columns] == HEADERS
    assert UNITS_SHEET.name == SHEET


NEW_SCHOOL = "4301049002"
NEW_TREE = {
    "学校": [
        SCHOOL_HEADERS,
        [NEW_SCHOOL, "空库示范创建测试中学", "岳麓区", "公办", "初中", "城区", "否", 60],
    ],
    "党组织": [
        ORG_HEADERS,
        ["T-ROOT", "中共某市委教育工作委员会", "党工委", None, None, None, None],
        ["T-COM", "中共空库示范创建测试中学委员会", "党委", "T-ROOT", NEW_SCHOOL, D("2015-09-01"), None],
        ["T-BR", "空库示范创建测试中学第一党支部", "党支部", "T-COM", NEW_SCHOOL, D("2016-03-01"), None],
    ],
}


def test_a_new_tree_and_its_units_import_into_an_empty_installation(tmp_path):
    empty_installation()
    assert not PartyOrganization.objects.exists()
    rows = [
        ["空库示范岗", "示范岗", NEW_SCHOOL, D("2021-03-01"), D("2021-09-01"), "T-001", None],
        ["空库志愿服务队", "志愿服务队", NEW_SCHOOL, D("2022-03-01"), None, None, None],
    ]
    path = workbook(sheets(rows, **NEW_TREE), tmp_path)
    status, out, err = run(path)
    assert status == 0, err
    assert f"{SHEET}\t2\t0\t0" in out
    school = School.objects.get()
    units = {u.name: u for u in PioneerUnit.objects.select_related("organization")}
    assert units["空库示范岗"].school == school
    assert units["空库示范岗"].organization.code == "T-COM"  # the school's own organization
    assert units["空库示范岗"].status == "certified"
    assert units["空库志愿服务队"].status == "filed"
    status, out, err = run(path)
    assert status == 0, err
    assert f"{SHEET}\t0\t0\t2" in out
