"""Helpers of the transfer tests: places and people of the demo tree, a second school secretary (the demo has
one), and transfers made with the real services."""

import datetime

from django.utils import timezone

from redengine.accounts.models import User
from redengine.accounts.services import create_account, grant_role
from redengine.core.models import ObjectChange
from redengine.core.writes import SYSTEM
from redengine.development.models import DevelopmentCase
from redengine.membership.models import Transfer, TransferMove
from redengine.membership.services import transfers as services
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Membership, Person

D = datetime.date.fromisoformat
MEIXIHU = "4301040002"  # 岳麓区梅溪湖中学: the demo secretary's school (committee CS430104-02)
LUSHAN = "4301040001"  # 岳麓区麓山实验小学: a sibling school (branch CS430104-01)
LIANHUA = "4301040003"  # 岳麓区莲花镇中心小学 (branch CS430104-03)
FURONG = "4301020001"  # 芙蓉区朝阳路小学: another district (branch CS430102-01)
YUYING = "4301020002"  # 芙蓉区育英初级中学 (general branch CS430102-02, its branches -01, -02)
MEIXIHU_JUNIOR = "CS430104-02-01"  # 梅溪湖中学初中部党支部
MEIXIHU_SENIOR = "CS430104-02-02"  # 梅溪湖中学高中部党支部
MEIXIHU_COMMITTEE = "CS430104-02"
LUSHAN_BRANCH = "CS430104-01"
LUSHAN_SECRETARY = "lushan_secretary"
PASSWORD = "Hongse@2026"


def user(username):
    return User.objects.get(username=username)


def org(code):
    return PartyOrganization.objects.get(code=code)


def school(code):
    return School.objects.get(code=code)


def person(name):
    return Person.objects.get(name=name)


def membership(name):
    return Membership.objects.current().get(person__name=name)


def open_case(name):
    return DevelopmentCase.objects.open().filter(person__name=name).first()


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def lushan_secretary():
    """The secretary of 麓山实验小学's branch: an account made with the real services (the demo has one
    school secretary, at 梅溪湖中学)."""
    found = User.objects.filter(username=LUSHAN_SECRETARY).first()
    if found is not None:
        return found
    account, _password = create_account(
        username=LUSHAN_SECRETARY, full_name="钱丽", by=SYSTEM, password=PASSWORD
    )
    grant_role(user=account, role="school_secretary", organization=org(LUSHAN_BRANCH), by=SYSTEM)
    return account


def send(name, to_code, by=SYSTEM, started=None, to_school=None, **extra):
    """A transfer of ``name`` to ``to_code`` started by the sending side (by the system: the sending side)."""
    (transfer,) = services.start_transfers(
        [
            services.Start(
                person(name),
                org(to_code),
                started or days_ago(5),
                to_school=school(to_school) if to_school else None,
                side=extra.pop("side", "sending"),
                **extra,
            )
        ],
        by=by,
    )
    return transfer


def issue(name, by=SYSTEM, issued=None, **extra):
    (letter,) = services.issue_letters(
        [
            services.LetterOut(
                person(name),
                extra.pop("to", "中共北京市海淀区教育工作委员会"),
                issued or days_ago(5),
                **extra,
            )
        ],
        by=by,
    )
    return letter


def reloaded(transfer):
    return Transfer.objects.get(pk=transfer.pk)


def counts():
    """What a refused write must leave unchanged."""
    return (
        Transfer.objects.count(),
        TransferMove.objects.count(),
        ObjectChange.objects.count(),
        list(Membership.objects.order_by("pk").values_list("pk", "organization_id", "ended_on")),
        list(Person.objects.order_by("pk").values_list("pk", "school_id", "political_status")),
        list(DevelopmentCase.objects.order_by("pk").values_list("pk", "organization_id", "status")),
    )
