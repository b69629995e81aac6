"""Helpers of the dues tests: members of the demo tree made with the people's services, and their bases,
months and payments made with the dues services. Dates are explicit (a calendar), never today's."""

import datetime
from decimal import Decimal

from redengine.accounts.models import User
from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization, School
from redengine.people import services as people
from redengine.people.models import Membership, Person

from ..services import dues

D = datetime.date.fromisoformat
MEIXIHU_JUNIOR = "CS430104-02-01"  # 梅溪湖中学初中部党支部: under the secretary's committee
MEIXIHU_SENIOR = "CS430104-02-02"  # 梅溪湖中学高中部党支部
MEIXIHU = "CS430104-02"  # 中共岳麓区梅溪湖中学委员会: the secretary's scope
LUSHAN = "CS430104-01"  # 麓山实验小学: a sibling of the same district
FURONG = "CS430102-01"  # another district
CITY_SCHOOL = "CS430100-01-01"  # a city-direct school's branch
SCHOOL_OF = {
    MEIXIHU_JUNIOR: "4301040002",
    MEIXIHU_SENIOR: "4301040002",
    MEIXIHU: "4301040002",
    LUSHAN: "4301040001",
    FURONG: "4301020001",
    CITY_SCHOOL: "4301000001",
}
_sequence = [500]


def user(username):
    return User.objects.get(username=username)


def org(code):
    return PartyOrganization.objects.get(code=code)


def Y(value):  # noqa: N802 (an amount as the tables write it)
    return Decimal(value)


def new_member(name, code=MEIXIHU_JUNIOR, admitted="2020-07-01", full=None, born="1985-05-05"):
    """A new teacher of the organization's school with a membership in it, made by the people's services."""
    _sequence[0] += 2
    number = make_id_number("430104", D(born), _sequence[0] % 1000)
    (person,) = people.save_people(
        [
            Item(
                {
                    "name": name,
                    "id_number": number,
                    "school": School.objects.get(code=SCHOOL_OF[code]),
                    "post": "teacher",
                }
            )
        ],
        by=SYSTEM,
    )
    admitted = D(admitted)
    full = D(full) if full else (admitted.replace(year=admitted.year + 1) if admitted.year < 2025 else None)
    people.set_memberships(
        [Item({"person": person, "organization": org(code), "admitted_on": admitted, "full_on": full})],
        by=SYSTEM,
    )
    member = Membership.objects.select_related("person", "organization").get(person=person, ended_on=None)
    member.id_number = number
    return member


def membership(name):
    return Membership.objects.select_related("person", "organization").get(person__name=name, ended_on=None)


def person(name):
    return Person.objects.get(name=name)


def set_status(member, status, since):
    """Put a membership in a state as the statuses part's decision would leave it (the state is that part's
    to write; here it is the fixture of a test of dues, not the thing tested)."""
    Membership.objects.filter(pk=member.pk).update(status=status, status_since=D(since))
    member.refresh_from_db()
    return member


def declare(
    member, base, category="in_service", month="2026-01", today="2026-01-10", by=SYSTEM, declared=None
):
    values = {"membership": member, "base": base, "category": category, "from_month": month}
    if declared:
        values["declared_on"] = D(declared)
    (found,) = dues.record_dues_bases([Item(values)], by=by, today=D(today))
    return found


def open_months(code, months, today, by=SYSTEM):
    return [dues.open_month(D(m + "-01"), [org(code)], by=by, today=D(today)) for m in months]


def pay(member, month, amount, paid_on, today=None, method="cash", by=SYSTEM):
    payment = dues.Payment(membership=member, month=month, amount=amount, paid_on=D(paid_on), method=method)
    (entry,) = dues.record_payments([payment], by=by, today=D(today or paid_on))
    return entry


def entries(member):
    return {f"{e.month:%Y-%m}": e for e in member.dues_entries.order_by("month")}
