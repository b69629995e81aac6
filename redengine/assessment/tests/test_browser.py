"""In a real browser, one branch from its self-assessment to publication: the school secretary scores every
item on a phone and attaches the evidence the items require, and submits; the district administrator reviews
it beside the branch's own points; the city administrator approves its level, starts the publicity and,
the publicity over, publishes; the branch's page then shows its level. Screenshots at 1366 and 390 px go to
``/tmp/assess-shots/``."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from redengine.testing.browser import log_in

from .helpers import BRANCH, evaluation, new_campaign

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/assess-shots")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def ago(days):
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def confirm_move(page, button, date, note=None):
    page.click(button)
    page.fill("#id_date", date)
    if note is not None:
        page.fill("#id_note", note)
    page.click("#confirm-move")


def ship_default_scheme():
    """The shipped scheme again (its data migration's rows went with the live server's flush), through the
    schemes' service."""
    from redengine.assessment import default_scheme
    from redengine.assessment.services import schemes
    from redengine.core.writes import SYSTEM

    header = {k: v for k, v in default_scheme.SCHEME.items() if k not in ("levels", "indicators")}
    draft = schemes.SchemeDraft(header, list(default_scheme.SCHEME["levels"]), default_scheme.indicators())
    schemes.record_schemes([draft], by=SYSTEM)


def past_rating(org, year, level):
    """The branch's rating of the year before, as the 星级评定结果 sheet brings it in."""
    from redengine.assessment.services import ratings
    from redengine.core.services import Item
    from redengine.core.writes import SYSTEM

    item = {"organization": org, "year": year, "level": level, "total": "58", "imported": True}
    ratings.record_ratings([Item(item)], by=SYSTEM)


def test_one_branch_from_its_self_assessment_to_publication(live_demo, new_page, tmp_path):
    base = live_demo.url
    ship_default_scheme()
    # Started 60 days ago; the moves are dated so that the publicity (5 working days from 15 days ago) is over.
    campaign = new_campaign(start=60)
    e = evaluation(campaign, BRANCH)
    past_rating(e.organization, campaign.year - 1, level=1)
    url = f"{base}{e.get_absolute_url()}"
    evidence = tmp_path / "会议记录.pdf"
    evidence.write_bytes(PDF)

    phone = new_page("phone")
    log_in(phone, base, "school_secretary")
    phone.goto(f"{base}/assessment/")
    shoot(phone, "overview-390")
    phone.locator("#my-evaluations a", has_text=e.organization.name).first.click()
    expect(phone.locator("#evaluation-status")).to_have_attribute("data-status", "draft")
    for box in phone.locator("input[name^=points_]").all():
        box.fill(box.get_attribute("max"))
    for code in ("A2", "B2", "F2"):  # the items that require their evidence
        phone.locator(f"#item-{code} input[type=file]").set_input_files(str(evidence))
    phone.fill("#id_summary", "本年度支部按标准开展组织生活，党员发挥先锋作用。")
    shoot(phone, "self-assessment-390")
    phone.click("#save-scores")
    expect(phone.locator("#item-A2 .evidence-link")).to_have_text("会议记录.pdf")
    expect(phone.locator("#self-total")).not_to_have_text("—")
    confirm_move(phone, "#move-submit", ago(20))
    expect(phone.locator("#evaluation-status")).to_have_attribute("data-status", "submitted")
    shoot(phone, "submitted-390")

    district = new_page()
    log_in(district, base, "yuelu_admin")
    district.goto(url)
    expect(district.locator("#item-A2 .side-self")).to_contain_text("5")
    district.fill("#item-A3 input[name^=points_]", "4")
    district.fill("#item-A3 textarea[name^=comment_]", "阵地照片不够清晰")
    # A1 is scored from the records (an election overdue): the district overrides it, with the reason.
    district.fill("#item-A1 input[name^=points_]", "5")
    district.click("#save-scores")
    expect(district.locator("#item-A1 .invalid-feedback")).to_be_visible()  # no reason: nothing saved
    district.fill("#item-A1 input[name^=points_]", "5")
    district.fill("#item-A3 input[name^=points_]", "4")
    district.fill("#item-A1 textarea[name^=override_]", "上级已批准延期换届")
    district.click("#save-scores")
    expect(district.locator("#item-A1 .override-reason")).to_contain_text("上级已批准延期换届")
    expect(district.locator("#item-A3 .side-self")).to_be_visible()
    shoot(district, "district-review-1366")
    confirm_move(district, "#move-review", ago(18))
    expect(district.locator("#evaluation-status")).to_have_attribute("data-status", "district_reviewed")
    expect(district.locator("#move-approve")).to_have_count(0)

    city = new_page()
    log_in(city, base, "city_admin")
    city.goto(url)
    city.click("#move-approve")
    expect(city.locator("#quota")).to_be_visible()
    shoot(city, "approve-1366")
    city.fill("#id_date", ago(16))
    city.click("#confirm-move")
    expect(city.locator("#evaluation-status")).to_have_attribute("data-status", "city_approved")
    level = city.inner_text("#evaluation-level").strip()
    city.goto(f"{base}/assessment/campaigns/{campaign.pk}/publicity/")
    city.click("#start-publicity")
    city.fill("#id_date", ago(15))
    city.click("#confirm-action")
    expect(city.locator("#publicity-list")).to_contain_text(e.organization.name)
    shoot(city, "publicity-1366")
    city.click("#publish")
    city.click("#confirm-action")
    expect(city.locator("#published-count")).to_have_text("1")
    expect(city.locator("#upgraded-count")).to_have_text("1")  # from one star the year before
    shoot(city, "results-1366")

    phone.goto(url)
    expect(phone.locator("#evaluation-status")).to_have_attribute("data-status", "published")
    expect(phone.locator("#evaluation-level")).to_have_text(level)
    expect(phone.locator("#scores-form")).to_have_count(0)
    shoot(phone, "published-390")
    district.set_viewport_size({"width": 1366, "height": 900})
    district.goto(url)
    shoot(district, "published-1366")
    phone.goto(f"{base}/assessment/campaigns/{campaign.pk}/results/")
    shoot(phone, "results-390")
    phone.goto(f"{base}/assessment/campaigns/{campaign.pk}/")
    shoot(phone, "board-390")
