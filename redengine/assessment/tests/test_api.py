"""The API of the campaigns and evaluations: a campaign opened by the city and read by every role; a branch's
evaluation scored, given its evidence and moved from self-assessment to publication through the same services
as the pages; bad input answered 400 with the Chinese message on its field (for scores, on its entry) and
nothing written; a role without the move 403, out of scope 404; the lists scoped, filtered, and costing the
same queries whatever their rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from redengine.accounts.models import ApiToken
from redengine.assessment.models import Campaign, Evaluation, EvaluationMove, EvidenceFile, Rating, Score
from redengine.core.models import ObjectChange

from .helpers import (
    BRANCH,
    CITY,
    FURONG,
    PDF,
    SIBLING,
    YUELU,
    advance,
    days_ago,
    default_scheme,
    evaluation,
    new_campaign,
    ready_to_submit,
)

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/api/assessment/campaigns/"
EVALUATIONS = "/api/assessment/evaluations/"


def auth(example_user, username):
    user = example_user(username)
    key, _token = ApiToken.issue(user, otp_verified=user.requires_2fa)
    return {"HTTP_AUTHORIZATION": f"Token {key}", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def post(client, headers, url, body):
    return client.post(url, body, content_type="application/json", **headers)


def written():
    return (
        Campaign.objects.count(),
        Evaluation.objects.count(),
        EvidenceFile.objects.count(),
        EvaluationMove.objects.count(),
        Rating.objects.count(),
        ObjectChange.objects.count(),
    )


def campaign_body(**values):
    return {
        "name": "接口星级评定",
        "scheme": default_scheme().pk,
        "year": days_ago(0).year - 1,
        "scope": YUELU,
        "starts_on": days_ago(60).isoformat(),
        "self_until": days_ago(-20).isoformat(),
        "district_until": days_ago(-30).isoformat(),
        "city_until": days_ago(-40).isoformat(),
        **values,
    }


def test_a_campaign_is_opened_by_the_city_and_read_by_every_role(client, example_user):
    city = auth(example_user, "city_admin")
    assert post(client, auth(example_user, "yuelu_admin"), CAMPAIGNS, campaign_body()).status_code == 403
    created = post(client, city, CAMPAIGNS, campaign_body())
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["scope"], body["evaluations"], body["publicity_from"]) == (YUELU, 5, None)
    for username in ("school_secretary", "instructor", "inspector", "furong_admin"):
        listed = client.get(CAMPAIGNS, **auth(example_user, username))
        assert [c["id"] for c in listed.json()["results"]] == [body["id"]]
    before = written()
    twice = post(client, city, CAMPAIGNS, campaign_body())
    assert twice.status_code == 400
    assert twice.json()["year"] == ["该范围本年度已有星级评定。"]
    nobody = post(client, city, CAMPAIGNS, campaign_body(scope="CS430181-01"))
    assert nobody.status_code == 400
    assert "没有党支部或联合党支部" in nobody.json()["scope"][0]
    assert written() == before


def test_an_evaluation_goes_from_self_assessment_to_publication(client, example_user):
    campaign = new_campaign()
    e = evaluation(campaign)
    secretary, district, city = (
        auth(example_user, u) for u in ("school_secretary", "yuelu_admin", "city_admin")
    )
    url = f"{EVALUATIONS}{e.pk}/"
    items = ("A2", "A3", "B2", "B3", "C3", "E2", "F2")
    scored = post(
        client,
        secretary,
        f"{url}scores/",
        [{"indicator": c, "points": "4", "comment": "自查"} for c in items],
    )
    assert scored.status_code == 200, scored.json()
    assert scored.json()["self_total"] == str(Evaluation.objects.get(pk=e.pk).self_total)
    for code in ("A2", "B2", "F2"):
        upload = SimpleUploadedFile(f"{code}.pdf", PDF, content_type="application/pdf")
        attached = client.post(f"{url}evidence/", {"indicator": code, "file": upload}, **secretary)
        assert attached.status_code == 201, attached.json()
    assert attached.json()["indicator"] == "F2"
    patched = client.patch(url, {"summary": "全年工作扎实"}, content_type="application/json", **secretary)
    assert patched.status_code == 200, patched.json()
    assert patched.json()["summary"] == "全年工作扎实"
    assert post(client, district, f"{url}submit/", {}).status_code == 403
    assert post(client, secretary, f"{url}submit/", {"date": days_ago(30).isoformat()}).status_code == 200
    assert post(client, secretary, f"{url}review/", {}).status_code == 403
    returned = post(client, district, f"{url}return/", {"date": days_ago(29).isoformat()})
    assert returned.status_code == 400
    assert returned.json()["note"] == ["请填写原因。"]
    done = post(client, district, f"{url}return/", {"date": days_ago(29).isoformat(), "note": "补充材料"})
    assert done.json()["status"] == "draft"
    assert post(client, secretary, f"{url}submit/", {"date": days_ago(28).isoformat()}).status_code == 200
    override = post(
        client,
        district,
        f"{url}scores/",
        [{"indicator": "B1", "points": "9", "override_reason": "会议记录补录"}],
    )
    assert override.status_code == 200, override.json()
    bonus = client.patch(
        url, {"bonus_points": "1", "bonus_reason": "区级表彰"}, content_type="application/json", **district
    )
    assert bonus.json()["bonus_points"] == "1.0"
    assert post(client, district, f"{url}review/", {"date": days_ago(27).isoformat()}).status_code == 200
    approved = post(client, city, f"{url}approve/", {"date": days_ago(26).isoformat()})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["level"] == approved.json()["computed_level"]
    early = post(client, city, f"{url}publish/", {})
    assert early.status_code == 400
    assert "公示" in early.json()["move"][0]
    publicity = post(client, city, f"{CAMPAIGNS}{campaign.pk}/publicity/", {"date": days_ago(25).isoformat()})
    assert publicity.status_code == 200, publicity.json()
    assert publicity.json()["publicity_until"] is not None
    published = post(client, city, f"{url}publish/", {})
    assert published.status_code == 200, published.json()
    detail = client.get(url, **secretary).json()
    assert detail["status"] == "published"
    assert [m["move"] for m in detail["moves"]] == [
        "submit",
        "return",
        "submit",
        "review",
        "approve",
        "publish",
    ]
    b1 = next(s for s in detail["scores"] if s["indicator"] == "B1")
    assert (b1["district_points"], b1["override_reason"]) == ("9.0", "会议记录补录")
    assert {f["indicator"] for f in detail["automatic"]} == {"A1", "B1", "C1", "C2", "D1", "D2", "E1", "F1"}
    assert not any(f["live"] for f in detail["automatic"])
    assert len(detail["files"]) == 3
    assert Rating.objects.get(evaluation=e).level == detail["level"]
    frozen = post(client, city, f"{url}scores/", [{"indicator": "A3", "points": "1"}])
    assert frozen.status_code == 400
    assert "已锁定" in frozen.json()[0]["non_field_errors"][0]


def test_bad_scores_are_refused_on_their_entry_with_nothing_written(client, example_user):
    e = evaluation(new_campaign())
    secretary = auth(example_user, "school_secretary")
    url = f"{EVALUATIONS}{e.pk}/scores/"
    before = written()
    response = post(
        client,
        secretary,
        url,
        [
            {"indicator": "A3", "points": "5"},
            {"indicator": "A2", "points": "7"},
            {"indicator": "B1", "points": "10"},
        ],
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors[0] == {}
    assert errors[1]["points"] == ["A2 支部书记选优配强 满分 5.0 分，7 超过了满分。"]
    assert "自动计分" in errors[2]["points"][0]
    unknown = post(client, secretary, url, [{"indicator": "Z9", "points": "1"}])
    assert unknown.status_code == 400
    assert "indicator" in unknown.json()[0]
    file = SimpleUploadedFile("假.pdf", b"MZ not a pdf", content_type="application/pdf")
    fake = client.post(f"{EVALUATIONS}{e.pk}/evidence/", {"indicator": "A2", "file": file}, **secretary)
    assert fake.status_code == 400
    assert fake.json()["file"] == ["假.pdf 不是真正的 .pdf 文件。"]
    assert written() == before
    assert not Score.objects.filter(evaluation=e, self_points__isnull=False).exists()


def test_an_evaluation_outside_the_scope_answers_as_one_that_does_not_exist(client, example_user):
    e = advance(ready_to_submit(evaluation(new_campaign())), "submitted")
    furong = auth(example_user, "furong_admin")
    url = f"{EVALUATIONS}{e.pk}/"
    assert client.get(url, **furong).status_code == 404
    assert post(client, furong, f"{url}review/", {}).status_code == 404
    assert post(client, furong, f"{url}scores/", [{"indicator": "A3", "points": "1"}]).status_code == 404
    assert post(client, furong, f"{EVALUATIONS}999999/review/", {}).status_code == 404
    assert post(client, auth(example_user, "inspector"), f"{url}scores/", []).status_code == 403
    assert (
        post(client, auth(example_user, "city_admin"), EVALUATIONS, {}).status_code == 405
    )  # made with campaigns
    assert Evaluation.objects.get(pk=e.pk).status == "submitted"


def test_the_lists_are_scoped_filtered_and_cost_the_same_queries_whatever_their_rows(client, example_user):
    campaign = new_campaign()
    secretary, city = auth(example_user, "school_secretary"), auth(example_user, "city_admin")
    mine = client.get(EVALUATIONS, **secretary).json()
    assert {r["organization"] for r in mine["results"]} == {BRANCH, SIBLING}
    yuelu = client.get(EVALUATIONS, {"campaign": campaign.pk}, **auth(example_user, "yuelu_admin")).json()
    assert yuelu["count"] == 5
    advance(ready_to_submit(evaluation(campaign)), "submitted")
    submitted = client.get(EVALUATIONS, {"status": "submitted"}, **city).json()
    assert [r["organization"] for r in submitted["results"]] == [BRANCH]
    one = client.get(EVALUATIONS, {"organization": SIBLING}, **city).json()
    assert [r["organization"] for r in one["results"]] == [SIBLING]

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"page_size": 100}, **city)
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    few = {url: count(url) for url in (CAMPAIGNS, EVALUATIONS)}
    new_campaign(year=campaign.year - 1, scope=CITY)
    new_campaign(year=campaign.year - 2, scope=FURONG)
    for url in (CAMPAIGNS, EVALUATIONS):
        queries, rows = count(url)
        assert rows > few[url][1]
        assert queries == few[url][0], (url, few[url][0], queries)
