"""The pages of the campaigns and evaluations: a branch scored, given its evidence and submitted through its
page, reviewed by the district and approved by the city through theirs (a bad score or move is the page or
the form again with its Chinese message, nothing written), publicised and published; the board, the list
with its filters and export, the publicity list and the results; 404 outside the scope exactly as for a
missing id, 403 for a role without the move; and the same queries whatever the number of rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.assessment import services
from redengine.assessment.models import Campaign, Evaluation, EvaluationMove, EvidenceFile, Rating, Score
from redengine.core.models import AccessEvent, ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs import services as org_services
from redengine.orgs.models import PartyOrganization
from redengine.testing.matrix import exported_values

from .helpers import BRANCH, FURONG_BRANCH, SIBLING, days_ago, evaluation, indicator, new_campaign, org

pytestmark = pytest.mark.django_db

YUELU_BRANCHES = {"CS430104-01", BRANCH, SIBLING, "CS430104-03", "CS430104-04"}  # branches and a joint branch
PDF = b"%PDF-1.4 evidence\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def page_of(e):
    return reverse("assessment:evaluation_detail", args=[e.pk])


def scores_url(e, side):
    return reverse("assessment:evaluation_scores", args=[e.pk, side])


def move_url(e, move):
    return reverse(f"assessment:evaluation_{move}", args=[e.pk])


def items_of(e):
    return list(
        Score.objects.filter(evaluation=e).select_related("indicator").order_by("indicator__position")
    )


def self_data(e, points=None, **extra):
    """Every item the branch types, at its maximum (or ``points``), with a comment."""
    data = {"summary": "本年度支部工作总结"}
    for score in items_of(e):
        item = score.indicator
        if item.veto:
            continue
        if not item.is_automatic:
            data[f"points_{item.pk}"] = str(item.max_points if points is None else points)
        data[f"comment_{item.pk}"] = f"自评说明{item.code}"
    data.update(extra)
    return data


def evidence_files(e):
    """A file for every item that requires its evidence (the upload fields of the self-assessment form)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        f"file_{s.indicator.pk}": SimpleUploadedFile(f"{s.indicator.code}.pdf", PDF, "application/pdf")
        for s in items_of(e)
        if s.indicator.evidence_required
    }


def reviewer_data(e, **extra):
    data = {"bonus_points": "", "bonus_reason": ""}
    data.update(extra)
    return data


def submitted(e, when=20):
    """``e`` scored at its maximum, its evidence attached and submitted ``when`` days ago, by the system."""
    services.record_scores(
        [
            services.ScoreEntry(e, s.indicator, "self", points=s.indicator.max_points)
            for s in items_of(e)
            if not s.indicator.veto and not s.indicator.is_automatic
        ],
        by=SYSTEM,
    )
    services.add_evidence(
        [
            services.Upload(e, s.indicator, "证明.pdf", PDF)
            for s in items_of(e)
            if s.indicator.evidence_required
        ],
        by=SYSTEM,
    )
    services.move_evaluations([services.Step(e, "submit", days_ago(when))], by=SYSTEM)
    return Evaluation.objects.get(pk=e.pk)


def advanced(e, status):
    """``e`` moved by the system up to ``status`` (submitted 20 days ago, reviewed 18, approved 16)."""
    e = submitted(e)
    if status == "submitted":
        return e
    services.move_evaluations([services.Step(e, "review", days_ago(18))], by=SYSTEM)
    if status == "district_reviewed":
        return Evaluation.objects.get(pk=e.pk)
    services.move_evaluations([services.Step(e, "approve", days_ago(16))], by=SYSTEM)
    return Evaluation.objects.get(pk=e.pk)


def test_a_branch_goes_from_its_self_assessment_to_publication_through_its_pages(client_for):
    campaign = new_campaign()
    e = evaluation(campaign)
    secretary = client_for("school_secretary")
    page = secretary.get(page_of(e)).content.decode()
    b1, a2 = indicator("B1"), indicator("A2")
    assert f'name="points_{a2.pk}"' in page
    assert f'name="file_{a2.pk}"' in page
    assert f'name="points_{b1.pk}"' not in page  # scored from the records: not typed by the branch
    assert 'id="auto-B1"' in page
    assert reverse("activities:compliance") in page  # the records behind the figure
    assert 'id="move-review"' not in page

    # A score above the item's maximum: the page again with the message on that item, nothing written.
    before = ObjectChange.objects.count()
    refused = secretary.post(
        scores_url(e, "self"), {**self_data(e), f"points_{a2.pk}": "6", **evidence_files(e)}
    )
    assert refused.status_code == 200
    assert "5.0" in str(refused.context["form"].errors[f"points_{a2.pk}"])  # the item's maximum
    assert ObjectChange.objects.count() == before
    assert not EvidenceFile.objects.exists()
    # A file that is not what it says: refused too, with the scores.
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = {f"file_{a2.pk}": SimpleUploadedFile("A2.pdf", b"not a pdf", "application/pdf")}
    refused = secretary.post(scores_url(e, "self"), {**self_data(e), **fake})
    assert refused.status_code == 200
    assert refused.context["form"].errors[f"file_{a2.pk}"]
    assert ObjectChange.objects.count() == before

    # Submitting before the required evidence: the form again, naming the items.
    assert secretary.post(scores_url(e, "self"), self_data(e)).status_code == 302
    response = secretary.post(move_url(e, "submit"), {"date": days_ago(20).isoformat()})
    assert response.status_code == 200
    assert "A2" in str(response.context["form"].errors)
    assert Evaluation.objects.get(pk=e.pk).status == "draft"
    response = secretary.post(scores_url(e, "self"), {**self_data(e), **evidence_files(e)})
    assert response.status_code == 302
    assert EvidenceFile.objects.filter(evaluation=e).count() == 3
    assert Score.objects.get(evaluation=e, indicator=a2).self_points == 5
    page = secretary.get(page_of(e)).content.decode()
    assert "A2.pdf" in page
    assert secretary.post(move_url(e, "submit"), {"date": days_ago(20).isoformat()}).status_code == 302
    assert Evaluation.objects.get(pk=e.pk).status == "submitted"
    assert secretary.post(move_url(e, "review"), {"date": days_ago(18).isoformat()}).status_code == 403

    # The district: the side-by-side view, an override of an automatic item needs its reason.
    district = client_for("yuelu_admin")
    page = district.get(page_of(e)).content.decode()
    assert "自评说明A2" in page
    assert f'name="override_{b1.pk}"' in page
    assert f'name="veto_{indicator("V1").pk}"' in page
    refused = district.post(scores_url(e, "district"), reviewer_data(e, **{f"points_{b1.pk}": "3"}))
    assert refused.status_code == 200
    assert refused.context["form"].errors[f"override_{b1.pk}"]
    response = district.post(
        scores_url(e, "district"),
        reviewer_data(
            e, **{f"points_{b1.pk}": "3", f"override_{b1.pk}": "会议记录不全", f"points_{a2.pk}": "4"}
        ),
    )
    assert response.status_code == 302
    score = Score.objects.get(evaluation=e, indicator=b1)
    assert (score.district_points, score.override_reason) == (3, "会议记录不全")
    file = EvidenceFile.objects.filter(evaluation=e).first()
    download = district.get(reverse("assessment:file", args=[file.pk]))
    assert download.status_code == 200
    assert download.content == PDF
    assert AccessEvent.objects.filter(kind="export", username="yuelu_admin").exists()
    refused = district.post(move_url(e, "return"), {"date": days_ago(18).isoformat(), "note": ""})
    assert refused.context["form"].errors["note"]
    assert district.post(move_url(e, "review"), {"date": days_ago(18).isoformat()}).status_code == 302

    # The city approves within the quota, then publicises and publishes.
    city = client_for("city_admin")
    e = Evaluation.objects.get(pk=e.pk)
    form = city.get(move_url(e, "approve")).content.decode()
    assert 'id="quota"' in form
    assert city.post(
        move_url(e, "approve"), {"date": days_ago(16).isoformat(), "level": "5"}
    ).status_code == (200 if e.computed_level < 5 else 302)
    e = Evaluation.objects.get(pk=e.pk)
    if e.status != "city_approved":
        assert city.post(move_url(e, "approve"), {"date": days_ago(16).isoformat()}).status_code == 302
    start = reverse("assessment:start_publicity", args=[campaign.pk])
    assert city.post(start, {"date": days_ago(15).isoformat()}).status_code == 302
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.publicity_until < timezone.localdate()
    page = city.get(reverse("assessment:publicity", args=[campaign.pk])).content.decode()
    assert 'id="publish"' in page
    assert e.organization.name in page
    assert (
        city.post(
            reverse("assessment:publish", args=[campaign.pk]), {"date": days_ago(0).isoformat()}
        ).status_code
        == 302
    )
    e = Evaluation.objects.get(pk=e.pk)
    assert e.status == "published"
    assert Rating.objects.get(organization=e.organization, year=campaign.year).level == e.level
    panel = secretary.get(reverse("assessment:organization_panel", args=[e.organization_id])).content.decode()
    assert f"<span>{campaign.year}</span>" in panel  # its rating of the year
    results = city.get(reverse("assessment:results", args=[campaign.pk])).content.decode()
    assert 'id="star-distribution"' in results
    assert "vendor/echarts/echarts.min.js" in results
    assert 'id="published-count">1<' in results
    # Frozen: the branch's page has no form, a score posted is refused.
    assert 'id="scores-form"' not in secretary.get(page_of(e)).content.decode()
    assert [m.move for m in EvaluationMove.objects.filter(evaluation=e).order_by("date", "recorded_at")] == [
        "submit",
        "review",
        "approve",
        "publish",
    ]


def test_outside_the_scope_answers_404_as_a_missing_id_and_a_role_without_the_move_403(client_for):
    campaign = new_campaign()
    furong = evaluation(campaign, FURONG_BRANCH)
    district = client_for("yuelu_admin")
    for url in (page_of(furong), move_url(furong, "return"), scores_url(furong, "district")):
        assert district.get(url).status_code == 404
    missing = Evaluation.objects.order_by("-pk").first().pk + 1000
    assert district.get(reverse("assessment:evaluation_detail", args=[missing])).status_code == 404
    own = evaluation(campaign)
    assert client_for("instructor").post(scores_url(own, "self"), self_data(own)).status_code == 403
    assert (
        client_for("yuelu_admin").post(move_url(own, "submit"), {"date": days_ago(1).isoformat()}).status_code
        == 403
    )
    assert client_for("school_secretary").get(reverse("assessment:campaign_add")).status_code == 403
    assert client_for("sys_admin").get(reverse("assessment:overview")).status_code == 403
    assert Evaluation.objects.get(pk=own.pk).status == "draft"


def test_the_city_opens_a_campaign_and_its_board_counts_and_names_the_late(client_for):
    city = client_for("city_admin")
    today = timezone.localdate()
    year = today.year - 1
    data = {
        "name": f"{year}年度星级评定（岳麓区）",
        "scheme": str(indicator("A1").scheme_id),
        "year": year,
        "scope": "CS430104",
        "starts_on": (today - datetime.timedelta(days=40)).isoformat(),
        "self_until": (today - datetime.timedelta(days=10)).isoformat(),
        "district_until": (today - datetime.timedelta(days=20)).isoformat(),
        "city_until": (today + datetime.timedelta(days=10)).isoformat(),
    }
    refused = city.post(reverse("assessment:campaign_add"), data)
    assert refused.status_code == 200
    assert refused.context["form"].errors["district_until"]
    assert not Campaign.objects.exists()
    data["district_until"] = (today - datetime.timedelta(days=5)).isoformat()
    response = city.post(reverse("assessment:campaign_add"), data)
    assert response.status_code == 302, response.context["form"].errors
    campaign = Campaign.objects.get()
    assert set(campaign.evaluations.values_list("organization__code", flat=True)) == YUELU_BRANCHES
    advanced(evaluation(campaign, SIBLING), "submitted")
    board = client_for("yuelu_admin").get(campaign.get_absolute_url())
    page = board.content.decode()
    assert board.status_code == 200
    assert [n for _label, n, _s in board.context["statuses"]][:2] == [4, 1]
    assert board.context["late"] == {"draft": 4, "submitted": 1, "reviewed": 0}
    assert org(BRANCH).name in page  # late: not submitted after the self-assessment ended
    assert "未提交" in page
    secretary = client_for("school_secretary")
    home = secretary.get("/").content.decode()
    assert 'id="todo-assessment-to-submit"' in home
    assert 'id="todo-assessment-late"' in home
    assert reverse("assessment:campaign_list") in home  # the menu's entries
    assert reverse("assessment:scheme_list") in home
    # Submitted after the self-assessment ended: recorded, and flagged late on the page.
    late = submitted(evaluation(campaign, BRANCH), when=0)
    assert late.status == "submitted"
    moves = secretary.get(page_of(late)).content.decode().split('id="move-list"')[1]
    assert "逾期" in moves.split("</ul>")[0]
    panel = secretary.get(
        reverse("assessment:organization_panel", args=[late.organization_id])
    ).content.decode()
    assert campaign.name in panel  # its evaluation of the running campaign


def test_the_list_filters_and_exports(client_for):
    campaign = new_campaign()
    advanced(evaluation(campaign, SIBLING), "submitted")
    client = client_for("yuelu_admin")
    url = reverse("assessment:evaluation_list", args=[campaign.pk])

    def names(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {obj.organization.code for obj, _cells in response.context["rows"]}

    assert names() == YUELU_BRANCHES  # the district's own branches, not 芙蓉区's
    assert names(status="submitted") == {SIBLING}
    assert names(district="CS430104") == YUELU_BRANCHES
    assert (
        client_for("city_admin")
        .get(url, {"district": "CS430102"})
        .context["rows"][0][0]
        .organization.code.startswith("CS430102")
    )
    assert names(within="CS430104-02") == {BRANCH, SIBLING}
    assert names(late="true") == set()
    export = client.get(url, {"export": "xlsx", "status": "draft"})
    assert export.status_code == 200
    values = exported_values(export)
    assert org(BRANCH).name in values
    assert org(SIBLING).name not in values


def test_a_large_export_of_a_campaigns_evaluations_is_written_in_the_background(client_for, settings):
    from redengine.core.models import ExportJob

    settings.EXPORT_BACKGROUND_ROWS = 2
    campaign = new_campaign()
    client = client_for("yuelu_admin")
    asked = client.get(
        reverse("assessment:evaluation_list", args=[campaign.pk]), {"export": "xlsx", "status": "draft"}
    )
    assert asked.status_code == 302
    job = ExportJob.objects.get()
    assert (job.status, job.rows_written) == ("done", len(YUELU_BRANCHES))
    book = client.get(reverse("export_job_download", args=[job.pk]))
    assert org(SIBLING).name in exported_values(book)
    assert org(FURONG_BRANCH).name not in exported_values(book)


def more_branches(count, start):
    """``count`` new branches under 梅溪湖中学's committee, founded long ago."""
    made = []
    for n in range(count):
        values = {
            "code": f"CS430104-02-{start + n:02d}",
            "name": f"测试党支部{start + n}",
            "org_type": "branch",
            "parent": PartyOrganization.objects.get(code="CS430104-02"),
            "founded_on": datetime.date(2010, 1, 1),
        }
        made += org_services.save_organizations([Item(values)], by=SYSTEM)
    return made


# The queries of each page for a district administrator, session and roles included (measured: 8, 14, 13, 13,
# 9, 13, 22; the evaluation page computes its seven automatic figures live).
QUERY_LIMITS = {
    "overview": 8,
    "board": 14,
    "list": 13,
    "export": 13,
    "publicity": 9,
    "results": 13,
    "evaluation": 22,
}


def test_pages_cost_the_same_queries_with_more_records(client_for, settings):
    campaign = new_campaign()
    e = evaluation(campaign)
    client = client_for("yuelu_admin")
    addresses = {
        "overview": reverse("assessment:overview"),
        "board": campaign.get_absolute_url(),
        "list": reverse("assessment:evaluation_list", args=[campaign.pk]),
        "export": reverse("assessment:evaluation_list", args=[campaign.pk]) + "?export=xlsx",
        "publicity": reverse("assessment:publicity", args=[campaign.pk]),
        "results": reverse("assessment:results", args=[campaign.pk]),
        "evaluation": page_of(e),
    }
    e = submitted(e)
    for address in addresses.values():
        client.get(address)
    counts = {}
    for when in ("before", "after"):
        if when == "after":
            orgs = more_branches(6, 10)
            added = services.add_evaluations(
                [Item({"campaign": campaign, "organization": o}) for o in orgs], by=SYSTEM
            )
            submitted(added[0])
            services.move_evaluations([services.Step(e, "return", days_ago(19), "补充材料")], by=SYSTEM)
            services.add_evidence([services.Upload(e, indicator("A3"), "照片.png", PNG)], by=SYSTEM)
            services.move_evaluations([services.Step(e, "submit", days_ago(19))], by=SYSTEM)
        for name, address in addresses.items():
            with CaptureQueriesContext(connection) as counted:
                assert client.get(address).status_code == 200, name
            counts[(name, when)] = len(counted)
    for name, limit in QUERY_LIMITS.items():
        assert counts[(name, "after")] == counts[(name, "before")], (name, counts)
        assert counts[(name, "after")] <= limit, (name, counts)
