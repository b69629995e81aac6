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
