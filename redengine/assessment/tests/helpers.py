"""Helpers of the assessment tests: campaigns of the demo tree on the shipped scheme, made with the real services.

The demo tree (conftest: ``seed_demo``): the city ``CS0001``; 岳麓区 ``CS430104`` (its administrator
``yuelu_admin``) with the committee ``CS430104-02`` of 梅溪湖中学 (the ``school_secretary``'s scope) and its two
branches ``CS430104-02-01`` and ``CS430104-02-02``; 芙蓉区 ``CS430102`` (``furong_admin``) with its branch
``CS430102-01``; committees and general branches (``CS430104-02``, ``CS430102-02``) are not rated.
"""

import datetime

from django.utils import timezone

from redengine.accounts.models import User
from redengine.assessment.models import Evaluation, Indicator, Scheme
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization

D = datetime.date.fromisoformat
CITY = "CS0001"
YUELU = "CS430104"
FURONG = "CS430102"
MEIXIHU = "CS430104-02"  # a committee: not rated
BRANCH = "CS430104-02-01"  # 梅溪湖中学初中部党支部: the secretary's branch
SIBLING = "CS430104-02-02"  # 梅溪湖中学高中部党支部
FURONG_BRANCH = "CS430102-01"  # 芙蓉区朝阳路小学: outside yuelu_admin's and the secretary's scope


def user(username):
    return User.objects.get(username=username)


def org(code):
    return PartyOrganization.objects.get(code=code)


def default_scheme():
    return Scheme.objects.get(name="学校党支部星级评定标准", version="2019")


def indicator(code, scheme=None):
    return Indicator.objects.get(scheme=scheme or default_scheme(), code=code)


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def new_campaign(year=None, scope=CITY, by=SYSTEM, scheme=None, start=60, **values):
    """A campaign of ``year`` (last year by default) over ``scope``, started ``start`` days ago, its phases
    ending 20, 10 and 5 days from now."""
    from redengine.assessment import services

    today = timezone.localdate()
    year = year or today.year - 1
    (campaign,) = services.open_campaigns(
        [
            Item(
                {
                    "name": f"{year}年度党支部星级评定",
                    "scheme": scheme or default_scheme(),
                    "year": year,
                    "scope": org(scope),
                    "starts_on": today - datetime.timedelta(days=start),
                    "self_until": today + datetime.timedelta(days=20),
                    "district_until": today + datetime.timedelta(days=30),
                    "city_until": today + datetime.timedelta(days=40),
                    **values,
                }
            )
        ],
        by=by,
    )
    return campaign


def evaluation(campaign, code=BRANCH):
    return Evaluation.objects.get(campaign=campaign, organization__code=code)


# Helper A: evaluations made ready and moved through the real services ---------------------------------
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def branch_items(evaluation):
    """The items the branch scores itself: neither scored from the records nor veto items."""
    return list(
        Indicator.objects.filter(
            scheme=evaluation.campaign.scheme, parent__isnull=False, veto=False, metric=""
        )
    )


def score_all(evaluation, points=None, by=SYSTEM, side="self", comment="按标准自查"):
    """Give every item the branch scores ``points`` (its maximum when None) on ``side``."""
    from redengine.assessment import services

    entries = [
        services.ScoreEntry(
            evaluation, item, side, points=item.max_points if points is None else points, comment=comment
        )
        for item in branch_items(evaluation)
    ]
    services.record_scores(entries, by=by)
    return entries


def attach_evidence(evaluation, by=SYSTEM):
    """A PDF for every item that requires evidence."""
    from redengine.assessment import services

    required = Indicator.objects.filter(scheme=evaluation.campaign.scheme, evidence_required=True)
    return services.add_evidence(
        [services.Upload(evaluation, item, f"{item.code}佐证.pdf", PDF) for item in required], by=by
    )


def ready_to_submit(evaluation, points=None, by=SYSTEM):
    score_all(evaluation, points, by=by)
    attach_evidence(evaluation, by=by)
    return evaluation


ORDER = ("submitted", "district_reviewed", "city_approved", "published")


def advance(evaluation, upto, by=SYSTEM, level=None):
    """Move a ready evaluation from its status up to ``upto``, a few days apart from 30 days ago; a publication
    publicises the campaign first (25 days ago) when it has not been."""
    from redengine.assessment import services
    from redengine.assessment.models import Campaign

    moves = {
        "submitted": "submit",
        "district_reviewed": "review",
        "city_approved": "approve",
        "published": "publish",
    }
    days = {"submitted": 30, "district_reviewed": 28, "city_approved": 26, "published": 0}
    current = Evaluation.objects.get(pk=evaluation.pk).status
    first = ORDER.index(current) + 1 if current in ORDER else 0
    for status in ORDER[first : ORDER.index(upto) + 1]:
        campaign = Campaign.objects.get(pk=evaluation.campaign_id)
        if status == "published" and campaign.publicity_from is None:
            services.start_publicity(campaign, days_ago(25), by=by)
        services.move_evaluation(
            evaluation,
            moves[status],
            by=by,
            date=days_ago(days[status]),
            level=level if status == "city_approved" else None,
        )
    return Evaluation.objects.get(pk=evaluation.pk)
