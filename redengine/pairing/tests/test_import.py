"""The import sheet 城乡结对: pairs recorded in the importer's name, a re-import of the same pair (the same two
schools and date) updating it rather than adding a second, each rule of the sheet refused at its row and
column with nothing written, a cross-district pair refused to the district administrator, and a whole new
tree with its pairs imported into an empty installation with the 学校 and 党组织 sheets of the workbook."""

import pytest
from django.utils import translation

from redengine.accounts.models import User
from redengine.core.models import ObjectChange
from redengine.dataio import importer
from redengine.dataio.errors import format_issue
from redengine.dataio.importer import ImportContext
from redengine.imports.tests.generated import ORG_HEADERS, SCHOOL_HEADERS
from redengine.imports.tests.importing import run, workbook
from redengine.orgs.models import PartyOrganization, School
from redengine.pairing.models import SchoolPair
from redengine.testing import empty_installation

from .helpers import CHAOYANG, LIANHUA, LUSHAN, MEIXIHU, XINGCHEN, D, days_ago

pytestmark = pytest.mark.django_db

SHEET = "城乡结对"
HEADERS = ["城区学校代码", "乡村学校代码", "结对日期", "终止日期"]


def sheets(rows, **more):
    return {**more, SHEET: [HEADERS, *rows]}


def check(book, username=None):
    ctx = ImportContext(User.objects.get(username=username) if username else None)
    with translation.override("zh-hans"):
        return importer.validate(workbook(book), ctx), ctx


def imported(book, username=None):
    validation, ctx = check(book, username)
    assert not validation.has_errors, [format_issue(issue) for issue in validation.errors]
    importer.write(validation, ctx)
    return validation


def counts():
    return (SchoolPair.objects.count(), ObjectChange.objects.count())


def refused(rows, where, username="yuelu_admin"):
    before = counts()
    validation, ctx = check(sheets(rows), username)
    found = [(i.sheet, i.row, i.column_header) for i in validation.errors]
    assert found == [where], [format_issue(i) for i in validation.errors]
    with pytest.raises(ValueError, match="never written"):
        importer.write(validation, ctx)
    assert counts() == before
    return validation.errors[0].reason


def test_pairs_are_recorded_and_a_reimport_updates_them():
    rows = [[MEIXIHU, LIANHUA, D("2024-03-01"), None], [LUSHAN, XINGCHEN, D("2023-09-01"), D("2026-08-31")]]
    validation = imported(sheets(rows), "yuelu_admin")
    assert validation.counts()[SHEET] == {"new": 2, "changed": 0, "unchanged": 0}
    pair = SchoolPair.objects.get(urban__code=MEIXIHU)
    record = ObjectChange.objects.filter(content_type__model="schoolpair", object_id=str(pair.pk)).get()
    assert (record.action, record.username) == ("create", "yuelu_admin")
    again = imported(sheets(rows), "yuelu_admin")
    assert again.counts()[SHEET] == {"new": 0, "changed": 0, "unchanged": 2}
    rows[0][3] = D("2025-12-31")  # the pair ends
    changed = imported(sheets(rows), "yuelu_admin")
    assert changed.counts()[SHEET] == {"new": 0, "changed": 1, "unchanged": 1}
    assert SchoolPair.objects.count() == 2
    pair.refresh_from_db()
    assert pair.ended_on == D("2025-12-31")


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ([MEIXIHU, LUSHAN, D("2024-03-01"), None], "乡村学校代码", "不是乡村学校"),  # two urban schools
        ([LIANHUA, XINGCHEN, D("2024-03-01"), None], "城区学校代码", "不是城区学校"),  # two rural schools
        ([LIANHUA, LIANHUA, D("2024-03-01"), None], "乡村学校代码", "学校不能与自身结对"),
        ([MEIXIHU, LIANHUA, D("2024-03-01"), D("2024-02-01")], "终止日期", "终止日期须晚于结对日期"),
        ([MEIXIHU, LIANHUA, None, None], "结对日期", ""),
        ([MEIXIHU, LIANHUA, "future", None], "结对日期", "不能晚于今天"),
        ([MEIXIHU, "4301049999", D("2024-03-01"), None], "乡村学校代码", "没有该代码的学校"),
        ([CHAOYANG, LIANHUA, D("2024-03-01"), None], "城区学校代码", "没有该代码的学校"),  # outside the scope
    ],
)
def test_a_bad_row_is_an_error_of_its_row_and_column(row, column, words):
    row = [days_ago(-3) if value == "future" else value for value in row]
    reason = refused([row], (SHEET, 2, column))
    assert words in reason


def test_the_same_pair_twice_over_overlapping_days():
    rows = [[MEIXIHU, LIANHUA, D("2023-03-01"), D("2024-12-31")], [MEIXIHU, LIANHUA, D("2024-06-01"), None]]
    reason = refused(rows, (SHEET, 3, "结对日期"))
    assert "已结对，日期重叠" in reason


NEW_URBAN, NEW_RURAL = "4301049101", "4301049102"
NEW_TREE = {
    "学校": [
        SCHOOL_HEADERS,
        [NEW_URBAN, "空库结对城区中学", "岳麓区", "公办", "初中", "城区", "否", 60],
        [NEW_RURAL, "空库结对乡村小学", "岳麓区", "公办", "小学", "乡村", "否", 20],
    ],
    "党组织": [
        ORG_HEADERS,
        ["T-ROOT", "中共某市委教育工作委员会", "党工委", None, None, None, None],
        ["T-U", "中共空库结对城区中学支部委员会", "党支部", "T-ROOT", NEW_URBAN, D("2015-09-01"), None],
        ["T-R", "中共空库结对乡村小学支部委员会", "党支部", "T-ROOT", NEW_RURAL, D("2015-09-01"), None],
    ],
}


def test_a_new_tree_and_its_pairs_import_into_an_empty_installation(tmp_path):
    empty_installation()
    assert not School.objects.exists()
    path = workbook(sheets([[NEW_URBAN, NEW_RURAL, D("2020-09-01"), None]], **NEW_TREE), tmp_path)
    status, out, err = run(path)
    assert status == 0, err
    assert f"{SHEET}\t1\t0\t0" in out
    pair = SchoolPair.objects.select_related("urban", "rural").get()
    assert (pair.urban.code, pair.rural.code) == (NEW_URBAN, NEW_RURAL)
    assert pair.audit_scope_path() == PartyOrganization.objects.get(code="T-ROOT").path  # both schools' top
    status, out, err = run(path)
    assert status == 0, err
    assert f"{SHEET}\t0\t0\t1" in out
