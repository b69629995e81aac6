"""Helpers of the tests of membership states, floating members, lapse alerts, awards and discipline: members
of the demo tree and new ones made with the real services, meetings with their attendance through the
activities service, and ledger months (the dues part writes them through its own service; here they are
written as that service would, inside the write path, so that the alerts read the model directly)."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from redengine.accounts.models import User
from redengine.activities.services import Listed, record_meeting
from redengine.core.audit import bulk_create_audited
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM, RefusedError, writing
from redengine.membership.models import Discipline, DuesEntry, FloatingRecord, StatusChange
from redengine.membership.services import records, statuses
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Membership, Person
from redengine.people.services import save_people, set_memberships

D = datetime.date.fromisoformat
BRANCH = "CS430104-02-01"  # 梅溪湖中学初中部党支部: in the secretary's school
MEIXIHU = "4301040002"
PLACES = {  # position -> a full member of the demo tree
    "own": "梅溪湖张老师",
    "sibling": "麓山赵老师",
    "other_district": "芙蓉周老师",
    "city": "一中郑老师",
}
_serial = itertools.count()


def id_number(birth):
    """A fresh ID number (valid check character) for a person born about ``birth``: the county 430121 (长沙县,
    which the other helpers do not use), a sequence, and the birth day moved on once the sequences run out."""
    n = next(_serial)
    return make_id_number("430121", D(birth) + datetime.timedelta(days=n // 1000), n % 1000)


def user(username):
    return User.objects.get(username=username)


def org(code):
    return PartyOrganization.objects.get(code=code)


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def membership_of(name):
    return Membership.objects.current().select_related("person", "organization").get(person__name=name)


def new_member(
    name, admitted="2015-06-20", full="2016-06-20", code=BRANCH, school=MEIXIHU, birth="1985-05-20"
):
    """A new teacher of the school with a membership of ``code`` (admitted, full), made by the registry's services."""
    number = id_number(birth)
    values = {"name": name, "school": School.objects.get(code=school), "post": "teacher", "id_number": number}
    (person,) = save_people([Item(values)], by=SYSTEM)
    set_memberships(
        [
            Item(
                {
                    "person": person,
                    "organization": org(code),
                    "admitted_on": D(admitted),
                    "full_on": D(full) if full else None,
                }
            )
        ],
        by=SYSTEM,
    )
    return membership_of(name)


APPROVAL_NEEDED = {"suspended", "left", "removed", "withdrawn"}


def decision(day, **values):
    """The resolution and approval of a change that needs them, on ``day``."""
    return {
        "resolution": "支部党员大会决议",
        "resolution_on": day,
        "approved_by": "中共岳麓区梅溪湖中学委员会",
        "approved_on": day,
        "document": "梅中党〔2025〕1号",
        **values,
    }


def change(m, to, day, *, by=SYSTEM, reason="按规定处理", **values):
    """Record one change of state (with a resolution and approval where ``to`` needs them, unless given)."""
    day = D(day) if isinstance(day, str) else day
    extra = decision(day) if to in APPROVAL_NEEDED or (to == "active" and m.status == "suspended") else {}
    item = Item({"membership": m, "to_status": to, "date": day, "reason": reason, **extra, **values})
    (done,) = statuses.record_status_changes([item], by=by)
    return done


def refresh(m):
    return Membership.objects.select_related("person", "organization").get(pk=m.pk)


def float_away(m, day, place="深圳市南山区", takes_part_in="", *, by=SYSTEM, reason="away"):
    day = D(day) if isinstance(day, str) else day
    item = Item(
        {"membership": m, "place": place, "reason": reason, "left_on": day, "takes_part_in": takes_part_in}
    )
    (record,) = statuses.record_floating([item], by=by)
    return record


def discipline(m, kind, day, *, by=SYSTEM, **values):
    day = D(day) if isinstance(day, str) else day
    item = Item(
        {
            "membership": m,
            "kind": kind,
            "decided_on": day,
            "decided_by": "中共岳麓区教育局纪律检查委员会",
            "document": "岳教纪〔2025〕3号",
            "reason": "违反工作纪律",
            **values,
        }
    )
    (record,) = records.record_discipline([item], by=by)
    return record


def meeting(m, day, status="present", reason="", meeting_type="themed_day"):
    """A meeting of the member's organization on ``day`` with the member listed as ``status`` (the others of
    the roster absent, as the service lists them)."""
    day = D(day) if isinstance(day, str) else day
    values = {"organization": m.organization, "meeting_type": meeting_type, "date": day, "topic": "学习"}
    return record_meeting(values, by=SYSTEM, attendance=[Listed(m.person, status, reason)])


def ledger(m, months, due="30.00", paid=None):
    """Ledger months of ``m`` (``months``: first days), each due ``due`` and paid ``paid`` (default: in full)."""
    entries = [
        DuesEntry(
            membership=m,
            organization=m.organization,
            month=D(month) if isinstance(month, str) else month,
            due=Decimal(due),
            paid=Decimal(due if paid is None else paid),
        )
        for month in months
    ]
    with writing(SYSTEM):
        bulk_create_audited(DuesEntry, entries, scope_paths=[m.organization.path for _e in entries])
    return entries


def counts():
    return (
        StatusChange.objects.count(),
        FloatingRecord.objects.count(),
        Discipline.objects.count(),
        ObjectChange.objects.count(),
        tuple(
            Membership.objects.order_by("pk").values_list(
                "status", "ended_on", "observation_from", "observation_until"
            )
        ),
        tuple(Person.objects.order_by("pk").values_list("political_status", flat=True)),
    )


def refused(call, *args, **kwargs):
    """``call`` refused, nothing written: {(item, field, message in Chinese)}."""
    before = counts()
    with translation.override("zh-hans"), pytest.raises(RefusedError) as caught:
        call(*args, **kwargs)
    assert counts() == before
    with translation.override("zh-hans"):
        return {(p.item, p.field, str(p.message)) for p in caught.value.problems}


def messages(problems):
    return " ".join(message for _item, _field, message in problems)


def has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
