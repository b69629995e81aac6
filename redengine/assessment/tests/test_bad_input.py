"""Bad input on the evaluations (issue 16, "Bad input"): each refused with a clear Chinese message naming what is
wrong and where (its field), and nothing written — a score above the item's maximum or below zero, points
typed for an item scored from the records or for a veto item, an override without its reason; a submission
with required evidence missing or items not scored; a review outside the reviewer's scope (as for a record
that does not exist) or by a role that does not own it; any change of a published evaluation (scores,
evidence, report, moves); a campaign or an evaluation for an organization that is not a branch."""

import pytest
from django.utils import translation

from redengine.assessment import services
from redengine.assessment.models import Campaign, Evaluation, EvaluationMove, EvidenceFile, Rating, Score
from redengine.assessment.services import ScoreEntry, Upload
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError

from .helpers import (
    BRANCH,
    FURONG,
    MEIXIHU,
    PDF,
    PNG,
    YUELU,
    advance,
    attach_evidence,
    days_ago,
    default_scheme,
    evaluation,
    indicator,
    new_campaign,
    org,
    ready_to_submit,
    score_all,
    user,
)

pytestmark = pytest.mark.django_db


def counts():
    return (
        Campaign.objects.count(),
        Evaluation.objects.count(),
        Score.objects.count(),
        EvidenceFile.objects.count(),
        EvaluationMove.objects.count(),
        Rating.objects.count(),
        ObjectChange.objects.count(),
    )


def refused(call):
    """``call`` refused with nothing written; its problems as {(field, message in Chinese)}."""
    before = counts()
    with translation.override("zh-hans"), pytest.raises(RefusedError) as caught:
        call()
    assert counts() == before
    with translation.override("zh-hans"):
        return caught.value.problems, {(p.field, str(p.message)) for p in caught.value.problems}


def scores(entries, by=SYSTEM):
    return lambda: services.record_scores(entries, by=by)


@pytest.fixture
def campaign():
    return new_campaign()


@pytest.mark.parametrize(
    ("code", "side", "values", "field", "words"),
    [
        ("A2", "self", {"points": 6}, "points", "A2 支部书记选优配强 满分 5.0 分，6 超过了满分"),
        ("A2", "self", {"points": -1}, "points", "分数不能小于0"),
        ("A2", "self", {"points": "4.25"}, "points", "最多保留一位小数"),
        ("A2", "self", {"points": "很好"}, "points", "请输入数字"),
        ("B1", "self", {"points": 10}, "points", "B1 “三会一课”按规定开展 根据平台记录自动计分"),
        ("V1", "self", {"veto_failed": True}, "veto_failed", "由区县或市级认定"),
        ("V1", "district", {"points": 0}, "points", "一票否决项，不计分数"),
        ("B1", "district", {"points": 8}, "override_reason", "修改其分数须填写理由"),
        ("C2", "district", {"points": 6}, "points", "满分 5.0 分"),
    ],
    ids=[
        "above",
        "below",
        "decimals",
        "text",
        "automatic",
        "veto-self",
        "veto-points",
        "override",
        "district",
    ],
)
def test_a_bad_score_is_refused_on_its_field(campaign, code, side, values, field, words):
    e = evaluation(campaign)
    if side == "district":
        e = advance(ready_to_submit(e), "submitted")
    good = ScoreEntry(e, indicator("A3"), side, points=3)
    problems, said = refused(scores([good, ScoreEntry(e, indicator(code), side, **values)]))
    assert [(p.item, p.field) for p in problems] == [(1, field)]
    assert any(words in message for _field, message in said), said


def test_a_submission_without_its_evidence_or_scores_names_the_items(campaign):
    e = evaluation(campaign)
    secretary = user("school_secretary")
    _problems, said = refused(lambda: services.move_evaluation(e, "submit", by=secretary))
    messages = " ".join(m for _f, m in said)
    assert "尚未打分" in messages
    assert "A2 支部书记选优配强" in messages
    assert "B2 组织生活会和民主评议党员" in messages  # an item requiring evidence
    assert "B1" not in messages  # scored from the records: not the branch's to score
    score_all(e, by=secretary)
    _problems, said = refused(lambda: services.move_evaluation(e, "submit", by=secretary))
    assert said == {
        (
            "move",
            "报送前请上传以下项目要求的佐证材料：A2 支部书记选优配强、B2 组织生活会和民主评议党员、F2 师德师风与办学成效。",
        )
    }
    attach_evidence(e, by=secretary)
    f2 = EvidenceFile.objects.get(evaluation=e, indicator__code="F2")
    services.remove_evidence([f2], by=secretary)  # removed in self-assessment, audited
    assert ObjectChange.objects.filter(
        content_type__model="evidencefile", action="delete", object_id=str(f2.pk)
    ).exists()
    _problems, said = refused(lambda: services.move_evaluation(e, "submit", by=secretary))
    assert said == {("move", "报送前请上传以下项目要求的佐证材料：F2 师德师风与办学成效。")}
    services.add_evidence([Upload(e, indicator("F2"), "师德.png", PNG)], by=secretary)
    services.move_evaluation(e, "submit", by=secretary)


def test_a_review_outside_the_scope_answers_as_a_record_that_does_not_exist(campaign):
    e = advance(ready_to_submit(evaluation(campaign)), "submitted")
    for username in ("furong_admin", "instructor"):
        problems, said = refused(lambda u=username: services.move_evaluation(e, "review", by=user(u)))
        assert problems[0].missing
        assert said == {(None, "该记录不存在，或不在您的权限范围内。")}
        problems, _said = refused(
            scores([ScoreEntry(e, indicator("A3"), "district", points=1)], by=user(username))
        )
        assert problems[0].missing
    _problems, said = refused(lambda: services.move_evaluation(e, "review", by=user("school_secretary")))
    assert said == {("move", "您的角色不能对该评定进行这一操作（区县初评）。")}
    assert Evaluation.objects.get(pk=e.pk).status == "submitted"


def test_a_published_evaluation_is_frozen(campaign):
    e = advance(ready_to_submit(evaluation(campaign)), "published")
    city = user("city_admin")
    frozen = "该评定结果已发布，已锁定，不能再作任何修改。"
    attempts = [
        scores([ScoreEntry(e, indicator("A3"), "city", points=1)], by=city),
        scores([ScoreEntry(e, indicator("A3"), "self", points=1)]),
        lambda: services.add_evidence([Upload(e, indicator("A2"), "补充.pdf", PDF)], by=SYSTEM),
        lambda: services.remove_evidence(list(EvidenceFile.objects.filter(evaluation=e)[:1]), by=SYSTEM),
        lambda: services.record_evaluations([Item({"summary": "改写"}, instance=e)], by=SYSTEM),
        lambda: services.record_evaluations(
            [Item({"bonus_points": 1, "bonus_reason": "x"}, instance=e)], by=city
        ),
        lambda: services.move_evaluation(e, "send_back", by=city, note="重评"),
        lambda: services.move_evaluation(e, "publish", by=city),
    ]
    for attempt in attempts:
        _problems, said = refused(attempt)
        assert {m for _f, m in said} == {frozen}


def test_evidence_is_a_real_file_of_an_accepted_kind_added_in_self_assessment(campaign):
    e = evaluation(campaign)
    a2 = indicator("A2")
    _problems, said = refused(
        lambda: services.add_evidence([Upload(e, a2, "任职文件.pdf", b"not a pdf")], by=SYSTEM)
    )
    assert said == {("file", "任职文件.pdf 不是真正的 .pdf 文件。")}
    _problems, said = refused(lambda: services.add_evidence([Upload(e, a2, "任职.exe", b"MZ")], by=SYSTEM))
    assert {f for f, _m in said} == {"file"}
    assert "只接受 PDF、Word" in next(iter(said))[1]
    _problems, said = refused(
        lambda: services.add_evidence([Upload(e, a2, "任职.pdf", PDF)], by=user("yuelu_admin"))
    )
    assert said == {("file", "您的角色不能修改党支部的佐证材料。")}
    ready = advance(ready_to_submit(evaluation(campaign, "CS430104-02-02")), "submitted")
    _problems, said = refused(lambda: services.add_evidence([Upload(ready, a2, "补.pdf", PDF)], by=SYSTEM))
    assert "自评阶段上传" in next(iter(said))[1]


def test_a_bad_bonus_or_report_is_refused(campaign):
    e = advance(ready_to_submit(evaluation(campaign)), "submitted")
    district = user("yuelu_admin")

    def bonus(values, by=district):
        return lambda: services.record_evaluations([Item(values, instance=e)], by=by)

    assert refused(bonus({"bonus_points": 6, "bonus_reason": "表彰"}))[1] == {
        ("bonus_points", "该评定标准最多加 5.0 分。")
    }
    assert refused(bonus({"bonus_points": 2}))[1] == {("bonus_reason", "请填写加分理由。")}
    assert refused(bonus({"bonus_points": 2, "bonus_reason": "表彰"}, by=user("school_secretary")))[1] == {
        ("bonus_points", "您的角色不能在这一阶段加分。")
    }
    assert refused(bonus({"summary": "补写"}))[1] == {("summary", "自评报告在党支部报送前填写。")}


def test_an_evaluation_of_an_organization_that_is_not_a_branch_is_refused(campaign):
    district = new_campaign(scope=YUELU, year=campaign.year - 1)

    def add(code, target=district):
        return lambda: services.add_evaluations(
            [Item({"campaign": target, "organization": org(code)})], by=SYSTEM
        )

    _problems, said = refused(add(MEIXIHU))
    ((field, message),) = said
    assert field == "organization"
    assert message.startswith("中共岳麓区梅溪湖中学委员会")
    assert "只有党支部和联合党支部参加星级评定" in message
    _problems, said = refused(add("CS430102-01"))
    assert said == {
        (
            "organization",
            "中共芙蓉区朝阳路小学支部委员会 不在本次评定的范围（中共长沙市岳麓区教育局委员会）内。",
        )
    }
    _problems, said = refused(add(BRANCH))
    assert said == {("organization", "该党支部已在本次评定中。")}
    _problems, said = refused(
        lambda: services.add_evaluations(
            [Item({"campaign": district, "organization": org("CS430104-03")})], by=user("yuelu_admin")
        )
    )
    assert ("organization", "该党支部不在您的管理范围内，不能为其添加评定。") in said


def test_a_campaign_without_branches_or_with_bad_phases_is_refused():
    def campaign_of(by=SYSTEM, **values):
        base = {
            "name": "2024年度党支部星级评定",
            "scheme": default_scheme(),
            "year": 2024,
            "scope": org(FURONG),
            "starts_on": days_ago(30),
            "self_until": days_ago(10),
            "district_until": days_ago(5),
            "city_until": days_ago(1),
        }
        return lambda: services.open_campaigns([Item({**base, **values})], by=by)

    _problems, said = refused(campaign_of(scope=org("CS430181-01")))  # 浏阳市集里中学: a committee alone
    assert said == {
        (
            "scope",
            f"中共浏阳市集里中学委员会 在 {days_ago(30).isoformat()} 没有党支部或联合党支部，星级评定的对象是党支部。",
        )
    }
    _problems, said = refused(campaign_of(district_until=days_ago(20)))
    assert [f for f, _m in said] == ["district_until"]
    assert f"截止日期不能早于 {days_ago(10).isoformat()}" in next(iter(said))[1]
    _problems, said = refused(campaign_of(year=2018))
    assert said == {("scheme", "该评定标准自 2019 年起施行，不能用于更早的年度。")}
    _problems, said = refused(campaign_of(by=user("yuelu_admin")))
    assert said == {(None, "您的角色不能发起星级评定。")}
