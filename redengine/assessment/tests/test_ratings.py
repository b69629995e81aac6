"""Past results and demonstration branches: recorded through ``record_ratings`` / ``record_designations`` with
their audit records; each bad input of the issue refused with a clear Chinese message on its field and
nothing written — an organization that is not a branch, a result twice for a branch and year (in one batch,
against an imported one, against one a campaign published), a year in the future, a level above 5 or below 1,
a total above the maximum of the year's scheme (100 without a campaign) —; a demonstration branch only among
the branches rated five stars that year, by its document; each writer within their scope and role."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from redengine.assessment.models import Designation, Rating
from redengine.assessment.services import schemes
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError

from .helpers import (
    BRANCH,
    FURONG_BRANCH,
    MEIXIHU,
    SIBLING,
    advance,
    default_scheme,
    evaluation,
    new_campaign,
    org,
    ready_to_submit,
    user,
)

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1
JOINT = "CS430104-04"  # 岳麓区民办学校联合支部, founded 2019-07-01


def counts():
    return (Rating.objects.count(), Designation.objects.count(), ObjectChange.objects.count())


def rating(code=BRANCH, year=2018, level=3, total=None, imported=True):
    values = {"organization": org(code), "year": year, "level": level, "imported": imported}
    if total is not None:
        values["total"] = total
    return Item(values)


def designation(
    code=BRANCH, year=2018, number="长教工委〔2019〕8号", day=datetime.date(2019, 3, 1), imported=False
):
    values = {"organization": org(code), "year": year, "document_number": number, "imported": imported}
    if day is not None:
        values["designated_on"] = day
    return Item(values)


def refused(write, items, by=SYSTEM):
    """(field, Chinese message) of each problem of a refused batch; nothing written."""
    before = counts()
    with translation.override("zh-hans"), pytest.raises(RefusedError) as caught:
        write(items, by=by)
    assert counts() == before
    return [(p.field, str(p.message)) for p in caught.value.problems]


def test_past_results_are_recorded_and_audited():
    made = schemes.record_ratings(
        [rating(level=4, total="86.5"), rating(SIBLING, level=5), rating(BRANCH, 2017, 2)],
        by=user("yuelu_admin"),
    )
    assert [(r.organization.code, r.year, r.level, r.total) for r in made] == [
        (BRANCH, 2018, 4, Decimal("86.5")),
        (SIBLING, 2018, 5, None),
        (BRANCH, 2017, 2, None),
    ]
    assert all(r.imported for r in made)
    audited = ObjectChange.objects.filter(
        content_type__model="rating", action="create", username="yuelu_admin"
    )
    assert audited.count() == 3


def published_rating(code=BRANCH):
    """The rating a campaign's publication leaves for last year (the evaluation taken through every move)."""
    campaign = new_campaign(scope="CS430104")
    published = advance(ready_to_submit(evaluation(campaign, code)), "published")
    return Rating.objects.get(evaluation=published)


def scheme_of(total):
    """A copy of the shipped scheme out of ``total`` points (dimension A carries the difference)."""
    draft = schemes.draft_of(default_scheme(), version=f"满分{total}", effective_year=2019)
    draft.values["total_points"] = str(total)
    extra = Decimal(total) - Decimal(100)
    for row in draft.indicators:
        if row["code"] in ("A", "A2"):
            row["max_points"] = row["max_points"] + extra
    (scheme,) = schemes.record_schemes([draft], by=SYSTEM)
    return scheme


@pytest.mark.parametrize(
    ("items", "field", "words"),
    [
        (lambda: [rating(MEIXIHU)], "organization", "不是支部"),
        (lambda: [rating(level=4), rating(level=3)], "year", "另有一行"),
        (lambda: [rating(year=timezone.localdate().year + 1)], "year", "尚未到来"),
        (lambda: [rating(year=218)], "year", "四位"),
        (lambda: [rating(level=6)], "level", "1（一星）至 5（五星）"),
        (lambda: [rating(level=0)], "level", "不能为 0"),
        (lambda: [rating(total="100.5")], "total", "100 分"),
        (lambda: [rating(total="-1")], "total", "不能小于 0"),
        (lambda: [rating(total="88.25")], "total", "一位小数"),
    ],
    ids=[
        "not-a-branch",
        "twice-in-a-batch",
        "future",
        "year-digits",
        "level-6",
        "level-0",
        "total-100",
        "total-negative",
        "total-decimals",
    ],
)
def test_a_bad_past_result_is_refused(items, field, words):
    problems = refused(schemes.record_ratings, items())
    assert [f for f, _m in problems] == [field], problems
    assert words in problems[0][1], problems


def test_a_past_result_twice_is_refused_against_the_recorded_and_the_published():
    schemes.record_ratings([rating(level=4)], by=SYSTEM)
    ((field, message),) = refused(schemes.record_ratings, [rating(level=5)])
    assert field == "year"
    assert "已有 2018 年度的评定结果（四星）" in message
    published_rating()
    ((field, message),) = refused(schemes.record_ratings, [rating(year=LAST_YEAR, level=5)])
    assert field == "year"
    assert "已由评定活动公布" in message


def test_the_total_is_checked_against_the_scheme_of_its_year():
    """A branch of a campaign's scope that was not in it (founded after its start: the joint branch of 岳麓区's
    private schools, 2019-07-01) is out of that campaign's scheme; a branch of no campaign, out of 100."""
    start = (timezone.localdate() - datetime.date(2019, 1, 10)).days
    new_campaign(year=2019, scope="CS430104", scheme=scheme_of(120), start=start)
    ((field, message),) = refused(schemes.record_ratings, [rating(JOINT, year=2019, total="121")])
    assert field == "total"
    assert "满分 120 分" in message
    (made,) = schemes.record_ratings([rating(JOINT, year=2019, level=5, total="118")], by=SYSTEM)
    assert made.total == Decimal("118")
    # Furong was not in that campaign: out of 100
    ((field, message),) = refused(schemes.record_ratings, [rating(FURONG_BRANCH, year=2019, total="101")])
    assert "当年没有评定活动" in message


def test_a_district_records_the_results_of_its_own_branches_only():
    problems = refused(schemes.record_ratings, [rating(FURONG_BRANCH)], by=user("yuelu_admin"))
    assert [f for f, _m in problems] == ["organization"]
    assert "管理范围" in problems[0][1]
    problems = refused(schemes.record_ratings, [rating()], by=user("school_secretary"))
    assert problems


def test_a_demonstration_branch_is_chosen_among_the_five_star_branches_by_its_document():
    schemes.record_ratings([rating(level=5), rating(SIBLING, level=4)], by=SYSTEM)
    (named,) = schemes.record_designations([designation()], by=user("city_admin"))
    assert (named.organization.code, named.year, named.document_number) == (
        BRANCH,
        2018,
        "长教工委〔2019〕8号",
    )
    assert ObjectChange.objects.filter(content_type__model="designation", username="city_admin").count() == 1
    ((field, message),) = refused(schemes.record_designations, [designation(SIBLING)])
    assert field == "organization"
    assert "评为四星" in message
    assert "五星" in message
    ((field, message),) = refused(schemes.record_designations, [designation(FURONG_BRANCH)])
    assert "没有 2018 年度的评定结果" in message
    ((field, message),) = refused(schemes.record_designations, [designation()])
    assert "已是 2018 年度示范支部" in message


def test_a_bad_designation_is_refused():
    schemes.record_ratings([rating(level=5), rating(SIBLING, level=5)], by=SYSTEM)
    ((field, message),) = refused(schemes.record_designations, [designation(number="")])
    assert field == "document_number"
    assert "文号" in message
    future = timezone.localdate() + datetime.timedelta(days=3)
    ((field, message),) = refused(schemes.record_designations, [designation(day=future)])
    assert field == "designated_on"
    assert "晚于今天" in message
    ((field, message),) = refused(schemes.record_designations, [designation(day=datetime.date(2017, 12, 1))])
    assert field == "designated_on"
    problems = refused(schemes.record_designations, [designation(), designation()])
    assert [f for f, _m in problems] == ["year"]
    problems = refused(schemes.record_designations, [designation(MEIXIHU)])
    assert problems[0][0] == "organization"
    assert "不是支部" in problems[0][1]
    # only the city names them
    problems = refused(schemes.record_designations, [designation()], by=user("yuelu_admin"))
    assert "市级管理员" in problems[0][1]
    # a past year's sheet may leave the document out
    (named,) = schemes.record_designations([designation(number="", imported=True)], by=SYSTEM)
    assert named.imported


def test_a_past_result_is_refused_for_a_branch_its_campaign_is_rating():
    """The result of a year a campaign is rating comes from its publication, never from the sheet."""
    from redengine.assessment.services import ratings

    from .helpers import BRANCH, new_campaign, org

    campaign = new_campaign()
    before = Rating.objects.count()
    with pytest.raises(RefusedError) as refused:
        ratings.record_ratings(
            [Item({"organization": org(BRANCH), "year": campaign.year, "level": 3, "imported": True})],
            by=SYSTEM,
        )
    (problem,) = refused.value.problems
    assert problem.field == "year"
    assert campaign.name in str(problem.message)
    assert Rating.objects.count() == before
