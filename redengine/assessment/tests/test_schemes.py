"""Rating schemes: a copy of last year's scheme carried over whole, an edit that keeps the levels and items it
finds again (by level, by code), adds and removes the others, every change audited; each bad scheme of the
issue refused with a Chinese message located on its part and nothing written; only the city writes a scheme;
a scheme a campaign has used past self-assessment is never changed, and while a campaign's branches are all
still assessing themselves what their scores rest on stays as it is; the .xlsx round trip."""

import copy
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from redengine.assessment.models import Evaluation, Indicator, Level, Scheme
from redengine.assessment.rules import Status
from redengine.assessment.services import schemes
from redengine.core.audit import bulk_update_audited, remember
from redengine.core.models import ObjectChange
from redengine.core.writes import SYSTEM, RefusedError, writing

from .helpers import default_scheme, evaluation, new_campaign, user

pytestmark = pytest.mark.django_db


def counts():
    return (
        Scheme.objects.count(),
        Level.objects.count(),
        Indicator.objects.count(),
        ObjectChange.objects.count(),
    )


def refused(drafts, by=SYSTEM):
    """The problems of a refused batch (in Chinese), nothing written."""
    before = counts()
    with translation.override("zh-hans"), pytest.raises(RefusedError) as caught:
        schemes.record_schemes(drafts, by=by)
    assert counts() == before
    return [(p.field, str(p.message)) for p in caught.value.problems]


def fresh_draft(**values):
    """The shipped scheme's draft as a new scheme (another version)."""
    draft = schemes.draft_of(default_scheme(), version="测试版", effective_year=2024, **values)
    return draft


def row_of(draft, code):
    return next(n for n, row in enumerate(draft.indicators) if row["code"] == code)


def test_a_copy_carries_the_whole_tree_over_and_is_audited():
    original = default_scheme()
    before = ObjectChange.objects.count()
    copied = schemes.copy_scheme(original, by=user("city_admin"), version="2024", effective_year=2024)
    assert copied.pk != original.pk
    assert copied.based_on == original
    assert copied.name == original.name
    assert (copied.version, copied.effective_year) == ("2024", 2024)
    assert copied.total_points == original.total_points
    assert list(copied.levels.values_list("level", "name", "min_points", "quota_percent")) == list(
        original.levels.values_list("level", "name", "min_points", "quota_percent")
    )
    tree = (
        "code",
        "parent__code",
        "name",
        "max_points",
        "veto",
        "metric",
        "auto_mode",
        "auto_target",
        "source",
    )
    assert list(copied.indicators.order_by("position").values_list(*tree)) == list(
        original.indicators.order_by("position").values_list(*tree)
    )
    made = 1 + original.levels.count() + original.indicators.count()
    assert ObjectChange.objects.count() - before == made
    assert ObjectChange.objects.filter(username="city_admin", content_type__model="indicator").count() >= 24


def test_an_edit_keeps_what_it_finds_again_adds_and_removes_the_rest():
    scheme = schemes.copy_scheme(default_scheme(), by=SYSTEM, version="编辑", effective_year=2024)
    kept = {i.code: i.pk for i in scheme.indicators.all()}
    draft = schemes.draft_of(scheme, notes="按区县意见修改")
    draft.instance = scheme
    # F (15 points: F1 5 + F2 10) loses F2 and gains F3 and F4; a level of four stars from 85.
    draft.indicators = [row for row in draft.indicators if row["code"] != "F2"]
    new_items = [("F3", "教育教学质量提升", "6"), ("F4", "家校社协同育人", "4")]
    for code, name, points in new_items:
        draft.indicators.append(
            {
                **copy.deepcopy(draft.indicators[row_of(draft, "A3")]),
                "code": code,
                "parent": "F",
                "name": name,
                "max_points": points,
            }
        )
    for level in draft.levels:
        if level["level"] == 4:
            level["min_points"] = "85"
    (edited,) = schemes.record_schemes([draft], by=user("city_admin"))
    assert edited.pk == scheme.pk
    after = {i.code: i.pk for i in edited.indicators.all()}
    assert "F2" not in after
    assert after["A1"] == kept["A1"]  # found again by its code: changed in place
    assert {"F3", "F4"} <= set(after)
    assert Indicator.objects.get(scheme=edited, code="F4").parent.code == "F"
    assert edited.levels.get(level=4).min_points == Decimal("85")
    assert edited.notes == "按区县意见修改"
    deleted = ObjectChange.objects.filter(
        content_type__model="indicator", action="delete", object_id=kept["F2"]
    )
    assert deleted.exists()


def bad(change):
    draft = fresh_draft()
    change(draft)
    return draft


def set_level(draft, number, **values):
    next(row for row in draft.levels if row["level"] == number).update(values)


def set_row(draft, code, **values):
    draft.indicators[row_of(draft, code)].update(values)


BAD = {
    "thresholds-overlap": (
        lambda d: set_level(d, 4, min_points="90"),
        "levels.0.min_points",
        "门槛重叠",
    ),
    "level-twice": (lambda d: set_level(d, 3, level=4), "levels.2.level", "重复"),
    "level-above-five": (lambda d: set_level(d, 5, level=6), "levels.0.level", "1至5"),
    "threshold-above-total": (lambda d: set_level(d, 5, min_points="101"), "levels.0.min_points", "总分"),
    "dimensions-do-not-add-up": (lambda d: set_row(d, "A", max_points="20"), "total_points", "合计"),
    "items-do-not-add-up": (lambda d: set_row(d, "A2", max_points="4"), "indicators.0.max_points", "合计"),
    "unknown-metric": (
        lambda d: set_row(d, "B3", metric="activities.nothing", auto_mode="share"),
        None,
        "没有",
    ),
    "metric-without-mode": (lambda d: set_row(d, "B1", auto_mode=""), None, "计分方式"),
    "veto-with-points": (lambda d: set_row(d, "V1", max_points="2"), None, "一票否决"),
    "unknown-dimension": (lambda d: set_row(d, "A3", parent="Z"), None, "Z"),
    "item-under-an-item": (lambda d: set_row(d, "A3", parent="A2"), None, "A2"),
    "version-taken": (lambda d: d.values.update(version="2019"), "version", "版本"),
    "year": (lambda d: d.values.update(effective_year=24), "effective_year", "四位"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_bad_scheme_is_refused_on_its_part_in_chinese(case):
    change, where, words = BAD[case]
    draft = bad(change)
    problems = refused([draft])
    assert problems, case
    fields = [f for f, _m in problems]
    if where is None:
        code = {"unknown-metric": "B3", "metric-without-mode": "B1", "veto-with-points": "V1"}.get(case, "A3")
        assert any(f and f.startswith(f"indicators.{row_of(draft, code)}.") for f in fields), problems
    else:
        assert where in fields, problems
    assert any(words in m for _f, m in problems), problems
    assert all(any("\u4e00" <= c <= "\u9fff" for c in m) for _f, m in problems), problems


def test_only_the_city_writes_a_scheme():
    for username in ("yuelu_admin", "school_secretary", "inspector"):
        problems = refused([fresh_draft()], by=user(username))
        assert any("市级管理员" in m for _f, m in problems), (username, problems)
    scheme = default_scheme()
    with pytest.raises(RefusedError):
        schemes.copy_scheme(scheme, by=user("yuelu_admin"), version="区县版", effective_year=2024)


def test_a_scheme_used_past_self_assessment_is_kept_as_it_was():
    scheme = schemes.copy_scheme(default_scheme(), by=SYSTEM, version="在用", effective_year=2020)
    campaign = new_campaign(scheme=scheme, scope="CS430104")
    draft = schemes.draft_of(scheme)
    draft.instance = scheme
    # all the branches still assess themselves: texts and thresholds change, the items and points do not
    set_row(draft, "A3", guidance="制度上墙，阵地规范使用（修订）")
    set_level(draft, 4, min_points="82")
    schemes.record_schemes([draft], by=SYSTEM)
    assert Indicator.objects.get(scheme=scheme, code="A3").guidance.endswith("（修订）")
    draft = schemes.draft_of(scheme)
    draft.instance = scheme
    set_row(draft, "A2", max_points="4")
    set_row(draft, "A3", max_points="6")
    problems = refused([draft])
    assert any("复制" in m for _f, m in problems), problems
    # one branch has submitted (the state a submission leaves; its own rules are the workflow's tests)
    branch = evaluation(campaign)
    with writing(SYSTEM):
        remember([branch])
        branch.status = Status.SUBMITTED
        bulk_update_audited(Evaluation, [branch], ["status"])
    draft = schemes.draft_of(scheme, notes="再改")
    draft.instance = scheme
    problems = refused([draft])
    assert any("复制" in m for _f, m in problems), problems


def test_the_workbook_reads_back_the_same_scheme():
    scheme = default_scheme()
    content = schemes.scheme_workbook(scheme)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["方案", "等级", "指标"]
    assert [c.value for c in book["指标"][1]][:4] == ["代码", "所属维度", "名称", "分值"]
    assert book["方案"]["A2"].value == "学校党支部星级评定标准"
    draft = schemes.read_scheme_workbook(content)
    same = schemes.draft_of(scheme)
    assert draft.values["name"] == same.values["name"]
    assert [r["code"] for r in draft.indicators] == [r["code"] for r in same.indicators]
    assert [Decimal(r["max_points"]) for r in draft.indicators] == [r["max_points"] for r in same.indicators]
    assert [r["metric"] for r in draft.indicators] == [r["metric"] for r in same.indicators]
    # imported under another version: a new scheme of the same tree
    book["方案"]["B2"].value = "2025"
    buffer = io.BytesIO()
    book.save(buffer)
    imported = schemes.import_scheme_workbook(buffer.getvalue(), by=user("city_admin"))
    assert imported.pk != scheme.pk
    assert imported.indicators.count() == scheme.indicators.count()


def test_a_bad_workbook_is_told_by_sheet_row_and_column():
    book = openpyxl.load_workbook(io.BytesIO(schemes.scheme_workbook(default_scheme())))
    book["方案"]["B2"].value = "错误版"
    book["等级"]["C3"].value = 95  # four stars from 95: above five stars' 90
    book["指标"]["D3"].value = "五分"
    buffer = io.BytesIO()
    book.save(buffer)
    before = counts()
    with translation.override("zh-hans"), pytest.raises(RefusedError) as caught:
        schemes.import_scheme_workbook(buffer.getvalue(), by=user("city_admin"))
    lines = [str(m) for m in caught.value.messages]
    assert any(line.startswith("指标 第 3 行") and "分值" in line for line in lines), lines
    assert counts() == before
    book["指标"]["D3"].value = 5
    buffer = io.BytesIO()
    book.save(buffer)
    with translation.override("zh-hans"), pytest.raises(RefusedError) as caught:
        schemes.import_scheme_workbook(buffer.getvalue(), by=user("city_admin"))
    lines = [str(m) for m in caught.value.messages]
    # five stars (row 2) from 90 is not above four stars' 95 (row 3)
    assert any(line.startswith("等级 第 2 行「起评分」：90") and "门槛重叠" in line for line in lines), lines
    assert counts() == before
