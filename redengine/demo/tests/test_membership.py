"""Membership after admission in the demo (``demo/membership.py``), on a small generated city: transfers
accepted (the same membership row now at the receiving organization, the person at the new school), some
waiting and a letter past its validity; members by state with their decisions; this year's dues ledger,
paid but for a few members in arrears; awards and discipline — every record audited, loaded once."""

import pytest
from django.db.models import F
from django.utils import timezone

from redengine.core.context import command_actor
from redengine.core.models import ObjectChange
from redengine.demo import city, membership
from redengine.membership.models import Award, Discipline, DuesEntry, StatusChange, Transfer
from redengine.membership.rules import TransferKind, TransferStatus
from redengine.membership.services import dues

pytestmark = pytest.mark.django_db


def test_the_city_membership_records_through_the_services():
    assert city.generate(seed=7, scale=0.05) is not None
    before = ObjectChange.objects.count()
    with command_actor("seed_demo"):
        counts = membership.city(seed=7)
    assert ObjectChange.objects.count() - before >= sum(counts.values())
    assert membership.city(seed=7) == {}
    today = timezone.localdate()

    accepted = Transfer.objects.filter(
        kind=TransferKind.WITHIN, status=TransferStatus.ACCEPTED
    ).select_related("membership", "person")
    assert accepted.count() > 20
    for transfer in accepted[:20]:
        assert transfer.membership.organization_id == transfer.to_organization_id
        assert transfer.membership.ended_on is None
        assert transfer.person.school_id == transfer.to_school_id
    assert Transfer.objects.pending().exists()
    assert Transfer.objects.filter(moves__late=True).exists()  # some accepted after the time limit
    issued = Transfer.objects.filter(kind=TransferKind.OUT, status=TransferStatus.ISSUED)
    assert issued.filter(letter_valid_until__lt=today).count() == 2
    returned = Transfer.objects.filter(kind=TransferKind.OUT, status=TransferStatus.RECEIVED)
    assert returned.exists()
    assert all(t.membership.ended_on for t in returned.select_related("membership"))
    assert Transfer.objects.filter(kind=TransferKind.IN, status=TransferStatus.RECEIVED).exists()

    assert set(StatusChange.objects.values_list("to_status", flat=True)) >= {
        "floating",
        "out_of_contact",
        "suspended",
        "deceased",
    }
    suspended = StatusChange.objects.filter(to_status="suspended")
    assert all(c.resolution and c.approved_by and c.approved_on for c in suspended)

    months = set(DuesEntry.objects.values_list("month", flat=True))
    assert months == {today.replace(month=m, day=1) for m in range(1, today.month + 1)}
    entries = DuesEntry.objects.filter(month__lt=today.replace(day=1))
    assert entries.filter(paid=F("due")).count() > 0.95 * entries.count()
    owing = dues.arrears(DuesEntry.objects.values("membership_id").distinct(), today)
    assert any(a.months for a in owing.values())  # a few members stopped paying
    assert Award.objects.filter(person__isnull=True).exists()
    assert Award.objects.filter(person__isnull=False).exists()
    assert Discipline.objects.filter(kind="probation").exists()
