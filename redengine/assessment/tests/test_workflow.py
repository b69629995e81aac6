"""The review chain of an evaluation through the services: the branch scores itself, attaches its evidence and
submits; the district returns it for revision or reviews it with its own points; the city sends it back or
approves it with its points and the level awarded, within the quota of that level; the results are
publicised, then published, which writes the branch's rating of the year and freezes the evaluation. Every
move is recorded with who and when and audited, a move after its phase ended is flagged late, the totals
follow every write, and each move belongs to the role that owns it."""

import datetime
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from redengine.assessment import services
from redengine.assessment.models import Campaign, Evaluation, EvaluationMove, Indicator, Rating, Score
from redengine.assessment.services import ScoreEntry, Step
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError

from .helpers import (
    BRANCH,
    FURONG_BRANCH,
    SIBLING,
    YUELU,
    advance,
    days_ago,
    evaluation,
    indicator,
    new_campaign,
    ready_to_submit,
    user,
)

pytestmark = pytest.mark.django_db
D = Decimal


def refused(call, field=None):
    """``call`` refused with nothing written; its first message (in Chinese)."""
    before = (EvaluationMove.objects.count(), Rating.objects.count(), ObjectChange.objects.count())
    with translation.override("zh-hans"), pytest.raises(RefusedError) as caught:
        call()
    assert (EvaluationMove.objects.count(), Rating.objects.count(), ObjectChange.objects.count()) == before
    problem = caught.value.problems[0]
    if field is not None:
        assert problem.field == field, caught.value.problems
    with translation.override("zh-hans"):
        return str(problem.message)


def automatic_points(e):
    return sum(
        (s.auto_points or D(0)) for s in Score.objects.filter(evaluation=e).exclude(indicator__metric="")
    )


def full_marks(e, side, by=SYSTEM):
    """A reviewer's maximum on every item, overriding the automatic ones with a reason."""
    items = Indicator.objects.filter(scheme=e.campaign.scheme, parent__isnull=False, veto=False)
    services.record_scores(
        [
            ScoreEntry(e, i, side, points=i.max_points, override_reason="材料证明已达标" if i.metric else "")
            for i in items
        ],
        by=by,
    )


def test_opening_a_campaign_rates_the_branches_of_its_scope_in_a_handful_of_queries():
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        campaign = new_campaign()
        seconds = time.perf_counter() - started
    evaluations = Evaluation.objects.filter(campaign=campaign)
    codes = set(evaluations.values_list("organization__code", flat=True))
    assert BRANCH in codes
    assert FURONG_BRANCH in codes
    assert "CS430104-02" not in codes  # a committee is not rated
    assert "CS430102-02" not in codes  # nor a general branch
    items = Indicator.objects.filter(scheme=campaign.scheme, parent__isnull=False)
    assert Score.objects.filter(evaluation__campaign=campaign).count() == len(codes) * items.count()
    automatic = items.exclude(metric="").count()
    metric_queries = [q for q in captured.captured_queries if "assessment_" not in q["sql"]]
    writes = [q for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    # The figures are the registry's (a few queries each, per branch); the rest does not grow with the branches.
    assert len(captured) - len(metric_queries) <= 16, [q["sql"][:80] for q in captured.captured_queries]
    assert len(writes) <= 8
    assert len(metric_queries) <= len(codes) * automatic * 2 + 12
    assert seconds < 10
    first = evaluation(campaign)
    assert first.status == "draft"
    assert first.self_total == automatic_points(first)  # the records' points before the branch types any
    assert first.computed_level is not None
    assert Score.objects.filter(evaluation=first, auto_on__isnull=False).count() == automatic


def test_the_review_chain_with_a_return_at_each_review_is_recorded_with_who_and_when():
    secretary, district, city = user("school_secretary"), user("yuelu_admin"), user("city_admin")
    campaign = new_campaign()
    e = ready_to_submit(evaluation(campaign), by=secretary)
    services.record_evaluations([Item({"summary": "支部工作扎实。"}, instance=e)], by=secretary)
    e.refresh_from_db()
    auto = automatic_points(e)
    assert e.self_total == D(47) + auto  # the branch's 47 points of its own items, and the records'
    assert e.summary == "支部工作扎实。"
    services.move_evaluation(e, "submit", by=secretary, date=days_ago(30))
    services.move_evaluation(e, "return", by=district, date=days_ago(29), note="佐证材料不清晰")
    e.refresh_from_db()
    assert e.status == "draft"
    services.record_scores(
        [ScoreEntry(e, indicator("A3"), "self", points=4, comment="阵地待完善")], by=secretary
    )
    services.move_evaluation(e, "submit", by=secretary, date=days_ago(28))
    services.record_scores(
        [ScoreEntry(e, indicator("B3"), "district", points=D("5.5"), comment="少交一月")], by=district
    )
    services.record_evaluations(
        [Item({"bonus_points": 2, "bonus_reason": "市级表彰"}, instance=e)], by=district
    )
    e.refresh_from_db()
    assert e.self_total == D(46) + auto
    assert e.district_total == D("46") + auto - D("1.5") + 2
    services.move_evaluation(e, "review", by=district, date=days_ago(27))
    services.move_evaluation(e, "send_back", by=city, date=days_ago(26), note="请核实党费收缴")
    e.refresh_from_db()
    assert e.status == "submitted"
    services.move_evaluation(e, "review", by=district, date=days_ago(25), note="已核实")
    services.record_scores([ScoreEntry(e, indicator("F2"), "city", points=8, comment="")], by=city)
    e.refresh_from_db()
    assert e.total == e.district_total - 2
    services.move_evaluation(e, "approve", by=city, date=days_ago(24))
    e.refresh_from_db()
    assert (e.status, e.level, e.approved_on) == ("city_approved", e.computed_level, days_ago(24))
    services.start_publicity(campaign, days_ago(23), by=city)
    services.move_evaluation(e, "publish", by=city)
    e.refresh_from_db()
    assert e.status == "published"
    rating = Rating.objects.get(organization=e.organization, year=campaign.year)
    assert (rating.level, rating.total, rating.evaluation_id) == (e.level, e.total, e.pk)
    assert Campaign.objects.get(pk=campaign.pk).published_on == e.published_on
    moves = list(e.moves.order_by("date", "recorded_at").values_list("move", "by__username", "late", "note"))
    assert moves == [
        ("submit", "school_secretary", False, ""),
        ("return", "yuelu_admin", False, "佐证材料不清晰"),
        ("submit", "school_secretary", False, ""),
        ("review", "yuelu_admin", False, ""),
        ("send_back", "city_admin", False, "请核实党费收缴"),
        ("review", "yuelu_admin", False, "已核实"),
        ("approve", "city_admin", False, ""),
        ("publish", "city_admin", False, ""),
    ]
    changes = ObjectChange.objects.filter(content_type__model="evaluation", object_id=str(e.pk))
    assert set(changes.values_list("username", flat=True)) >= {
        "school_secretary",
        "yuelu_admin",
        "city_admin",
    }
    assert ObjectChange.objects.filter(
        content_type__model="rating", action="create", username="city_admin"
    ).exists()
    assert ObjectChange.objects.filter(
        content_type__model="score", action="update", username="yuelu_admin"
    ).exists()
    # frozen once published: nothing of it changes
    said = refused(
        lambda: services.record_scores([ScoreEntry(e, indicator("A3"), "city", points=1)], by=city)
    )
    assert "已发布" in said
    said = refused(lambda: services.move_evaluation(e, "send_back", by=city, note="重评"), "move")
    assert "已发布" in said


def test_a_move_after_its_phase_ended_is_recorded_and_flagged_late():
    campaign = new_campaign(self_until=days_ago(40), district_until=days_ago(35))
    e = ready_to_submit(evaluation(campaign))
    late = services.move_evaluation(e, "submit", by=user("school_secretary"), date=days_ago(30))
    assert late.late
    review = services.move_evaluation(e, "review", by=user("yuelu_admin"), date=days_ago(30))
    assert review.late
    approval = services.move_evaluation(e, "approve", by=user("city_admin"), date=days_ago(29))
    assert not approval.late  # the city review ends in 40 days
    assert Evaluation.objects.get(pk=e.pk).submitted_on == days_ago(30)


def test_a_return_and_a_sending_back_need_their_reason():
    campaign = new_campaign()
    e = advance(ready_to_submit(evaluation(campaign)), "submitted")
    assert (
        refused(lambda: services.move_evaluation(e, "return", by=user("yuelu_admin")), "note")
        == "请填写原因。"
    )
    services.move_evaluation(e, "review", by=user("yuelu_admin"))
    refused(lambda: services.move_evaluation(e, "send_back", by=user("city_admin"), note="  "), "note")


@pytest.mark.parametrize(
    ("username", "move", "status"),
    [
        ("school_secretary", "review", "submitted"),
        ("school_secretary", "return", "submitted"),
        ("school_secretary", "approve", "district_reviewed"),
        ("yuelu_admin", "submit", "draft"),
        ("yuelu_admin", "approve", "district_reviewed"),
        ("yuelu_admin", "send_back", "district_reviewed"),
        ("yuelu_admin", "publish", "city_approved"),
        ("inspector", "submit", "draft"),
    ],
)
def test_a_role_does_only_the_moves_it_owns(username, move, status):
    campaign = new_campaign()
    e = ready_to_submit(evaluation(campaign))
    if status != "draft":
        e = advance(e, status)
    said = refused(lambda: services.move_evaluation(e, move, by=user(username), note="原因"), "move")
    assert "您的角色不能" in said
    assert Evaluation.objects.get(pk=e.pk).status == status


def test_each_side_is_scored_by_its_role_in_its_phase():
    campaign = new_campaign()
    e = evaluation(campaign)
    b3 = indicator("B3")
    said = refused(
        lambda: services.record_scores([ScoreEntry(e, b3, "district", points=5)], by=user("school_secretary"))
    )
    assert "您的角色不能" in said
    said = refused(
        lambda: services.record_scores([ScoreEntry(e, b3, "district", points=5)], by=user("yuelu_admin"))
    )
    assert "自评" in said  # the district's points are given once the branch has submitted
    said = refused(
        lambda: services.record_scores([ScoreEntry(e, b3, "self", points=5)], by=user("yuelu_admin"))
    )
    assert "您的角色不能" in said
    services.record_scores([ScoreEntry(e, b3, "self", points=5)], by=user("school_secretary"))
    assert Score.objects.get(evaluation=e, indicator=b3).self_points == 5


def test_the_city_awards_at_most_the_level_of_the_points_within_the_quota():
    campaign = new_campaign(scope=YUELU)
    assert campaign.evaluations.count() == 5  # 30 % of five branches: one five-star branch at most
    city = user("city_admin")
    top, second, low = (
        advance(ready_to_submit(evaluation(campaign, code)), "submitted")
        for code in (BRANCH, SIBLING, "CS430104-03")
    )
    for e in (top, second):
        full_marks(e, "district")
        services.move_evaluation(e, "review", by=SYSTEM, date=days_ago(28))
    services.record_scores([ScoreEntry(low, indicator("F2"), "district", points=0)], by=SYSTEM)
    services.move_evaluation(low, "review", by=SYSTEM, date=days_ago(28))
    top.refresh_from_db()
    second.refresh_from_db()
    low.refresh_from_db()
    assert (top.total, top.computed_level, second.computed_level) == (D(100), 5, 5)
    services.move_evaluation(top, "approve", by=city, date=days_ago(26))
    assert Evaluation.objects.get(pk=top.pk).level == 5
    said = refused(lambda: services.move_evaluation(second, "approve", by=city, date=days_ago(26)), "level")
    assert "30%" in said
    assert "1" in said
    services.move_evaluation(second, "approve", by=city, date=days_ago(26), level=4)
    assert Evaluation.objects.get(pk=second.pk).level == 4
    above = low.computed_level + 1
    said = refused(lambda: services.move_evaluation(low, "approve", by=city, level=above), "level")
    assert "至多" in said
    # sending the five-star branch back frees its place
    services.move_evaluation(top, "send_back", by=city, date=days_ago(25), note="复核")
    assert Evaluation.objects.get(pk=top.pk).level is None
    services.move_evaluation(second, "send_back", by=city, date=days_ago(25), note="复核")
    services.move_evaluation(second, "review", by=SYSTEM, date=days_ago(24))
    services.move_evaluation(second, "approve", by=city, date=days_ago(24))
    assert Evaluation.objects.get(pk=second.pk).level == 5


def test_a_failed_veto_item_caps_the_level_and_only_a_reviewer_records_it():
    campaign = new_campaign()
    e = advance(ready_to_submit(evaluation(campaign)), "submitted")
    full_marks(e, "district")
    v1 = indicator("V1")
    services.record_scores(
        [ScoreEntry(e, v1, "district", veto_failed=True, comment="发生安全事故")], by=user("yuelu_admin")
    )
    e.refresh_from_db()
    assert (e.total, e.veto_failed, e.computed_level) == (D(100), True, 2)
    services.move_evaluation(e, "review", by=user("yuelu_admin"))
    said = refused(lambda: services.move_evaluation(e, "approve", by=user("city_admin"), level=3), "level")
    assert "二星" in said


def test_publication_comes_after_the_publicity_and_writes_the_rating_once():
    campaign = new_campaign()
    city = user("city_admin")
    e = advance(ready_to_submit(evaluation(campaign)), "city_approved")
    said = refused(lambda: services.move_evaluation(e, "publish", by=city), "move")
    assert "公示" in said
    said = refused(lambda: services.start_publicity(campaign, days_ago(3), by=user("yuelu_admin")))
    assert "您的角色不能" in said
    services.start_publicity(campaign, days_ago(3), by=city)
    campaign.refresh_from_db()
    assert campaign.publicity_until > days_ago(3)
    said = refused(lambda: services.move_evaluation(e, "publish", by=city), "date")
    assert campaign.publicity_until.isoformat() in said
    services.start_publicity(campaign, days_ago(25), by=city)  # the publicity is started again, earlier
    services.move_evaluation(e, "publish", by=city)
    assert Rating.objects.filter(evaluation=e).count() == 1


def test_a_batch_of_moves_costs_the_same_queries_whatever_its_size():
    campaign = new_campaign()
    evaluations = list(Evaluation.objects.filter(campaign=campaign).order_by("pk"))
    for e in evaluations:
        ready_to_submit(e)

    def submit(batch):
        with CaptureQueriesContext(connection) as captured:
            services.move_evaluations([Step(e, "submit", days_ago(30)) for e in batch], by=SYSTEM)
        return [q for q in captured.captured_queries if "assessment_" in q["sql"] or "SAVEPOINT" in q["sql"]]

    few = submit(evaluations[:2])
    many = submit(evaluations[2:])
    assert len(many) == len(few), [q["sql"][:70] for q in many]
    assert Evaluation.objects.filter(campaign=campaign, status="submitted").count() == len(evaluations)


def test_the_city_changes_a_campaign_s_phases_but_not_what_it_rates():
    """Once open, a campaign's scheme, year, scope and start are fixed (its branches were taken on its start);
    its name and the ends of its phases change, by the city only, audited."""
    campaign = new_campaign()
    later = campaign.self_until + datetime.timedelta(days=7)
    (changed,) = services.change_campaigns(
        [Item({"self_until": later, "name": "改期的星级评定"}, instance=campaign)], by=user("city_admin")
    )
    recorded = Campaign.objects.get(pk=campaign.pk)
    assert (recorded.self_until, recorded.name) == (later, "改期的星级评定")
    assert ObjectChange.objects.filter(object_id=campaign.pk, action="update").exists()
    before = (Campaign.objects.get(pk=campaign.pk).year, ObjectChange.objects.count())
    with translation.override("zh-hans"), pytest.raises(RefusedError) as refused:
        services.change_campaigns(
            [Item({"year": campaign.year - 1}, instance=recorded)], by=user("city_admin")
        )
    (problem,) = refused.value.problems
    assert problem.field == "year"
    assert "开始日期不再改变" in str(problem.message)
    with pytest.raises(RefusedError):
        services.change_campaigns(
            [Item({"name": "区县改名"}, instance=Campaign.objects.get(pk=campaign.pk))],
            by=user("yuelu_admin"),
        )
    assert (Campaign.objects.get(pk=campaign.pk).year, ObjectChange.objects.count()) == before
