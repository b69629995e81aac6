"""Helpers of the pioneer tests: units of the demo tree made with the real services."""

import datetime

from django.utils import timezone

from redengine.accounts.models import User
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person
from redengine.pioneer import services
from redengine.pioneer.models import PioneerUnit

D = datetime.date.fromisoformat
MEIXIHU = "4301040002"  # 岳麓区梅溪湖中学: the secretary's school
LUSHAN = "4301040001"  # 岳麓区麓山实验小学: a sibling school of the same district
FURONG = "4301020001"  # a school of another district
CITY_SCHOOL = "4301000001"  # a city-direct school


def user(username):
    return User.objects.get(username=username)


def school(code):
    return School.objects.get(code=code)


def org(code):
    return PartyOrganization.objects.get(code=code)


def person(name):
    return Person.objects.get(name=name)


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def new_unit(name, code=MEIXIHU, kind="post", by=SYSTEM, applied=None, **values):
    staff = list(Person.objects.filter(school__code=code).order_by("pk")[:2])
    (unit,) = services.record_units(
        [
            Item(
                {
                    "kind": kind,
                    "name": name,
                    "school": school(code),
                    "leader": staff[0] if staff else None,
                    "members": staff,
                    "standard": "标准" + name,
                    "identity": "身份" + name,
                    "commitment": "承诺" + name,
                    "applied_on": applied or days_ago(400),
                    **values,
                }
            )
        ],
        by=by,
    )
    return unit


def advance(unit, upto, plaque=None, by=SYSTEM, start=390):
    """Move ``unit`` through the workflow up to ``upto`` (filed, reviewed, certified, revoked), a day apart."""
    order = ["file", "review", "certify", "revoke"]
    target = {"filed": 1, "reviewed": 2, "certified": 3, "revoked": 4}[upto]
    for n, move in enumerate(order[:target]):
        services.move_unit(
            unit,
            move,
            by=by,
            date=days_ago(start - n),
            note="撤销原因" if move == "revoke" else "",
            plaque_number=(plaque or f"CS-{unit.pk:04d}") if move == "certify" else "",
        )
    return PioneerUnit.objects.get(pk=unit.pk)
