"""The overview of membership after admission and the panel on the person page: the member's timeline —
admission and full membership, transfers and their moves, changes of state, floating, awards, dues and (for
the roles that may read it) discipline — each part read by one query, whatever the length of the history."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, Sum
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.views import guard
from redengine.people.choices import MembershipStatus
from redengine.people.models import Membership, Person

from .models import (
    VIEW_DISCIPLINE,
    Award,
    Discipline,
    DuesEntry,
    FloatingRecord,
    StatusChange,
    Transfer,
    TransferMove,
)
from .rules import PENDING, TransferStatus


@dataclass
class Event:
    date: datetime.date
    kind: str
    text: str
    url: str = ""
    level: str = ""  # "warning" / "danger": shown so


def overview(request):
    """What the user's scope holds: transfers waiting, letters past validity, members by state, the year's
    dues, awards. A fixed number of queries."""
    refused = guard(request, Transfer)
    if refused:
        return refused
    user = request.user
    today = timezone.localdate()
    transfers = Transfer.objects.visible_to(user)
    waiting = transfers.aggregate(
        pending=Count("pk", filter=Q(status__in=PENDING)),
        issued=Count("pk", filter=Q(status=TransferStatus.ISSUED)),
        expired=Count("pk", filter=Q(status=TransferStatus.ISSUED, letter_valid_until__lt=today)),
        accepted=Count("pk", filter=Q(status=TransferStatus.ACCEPTED, decided_on__year=today.year)),
    )
    states = []
    if user.can(Membership, "view"):
        counts = dict(
            Membership.objects.visible_to(user)
            .current()
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        states = [(label, counts.get(code, 0)) for code, label in MembershipStatus.choices if code in counts]
    dues = None
    if user.can(DuesEntry, "view"):
        dues = (
            DuesEntry.objects.visible_to(user)
            .filter(month__year=today.year)
            .aggregate(due=Sum("due"), paid=Sum("paid"))
        )
    awards = (
        Award.objects.visible_to(user).filter(awarded_on__year=today.year).count()
        if user.can(Award, "view")
        else None
    )
    context = {
        "waiting": waiting,
        "states": states,
        "dues": dues,
        "awards": awards,
        "year": today.year,
        "links": {
            "transfers": reverse("membership:transfer_list"),
            "status": reverse("membership:statuschange_list"),
            "alerts": reverse("membership:alerts"),
            "dues": reverse("membership:dues_ledger"),
            "calculator": reverse("membership:dues_calculator"),
            "awards": reverse("membership:award_list"),
        },
    }
    return render(request, "membership/overview.html", context)


def person_panel(request, pk):
    """The member's timeline on the person page (newest first)."""
    refused = guard(request, Person)
    if refused:
        return refused
    user = request.user
    person = get_object_or_404(Person.objects.visible_to(user), pk=pk)
    events = []
    memberships = list(Membership.objects.filter(person=person).select_related("organization"))
    for m in memberships:
        events.append(
            Event(
                m.admitted_on,
                _("Admitted to the party"),
                _("Probationary member of %(org)s") % {"org": m.organization.name},
            )
        )
        if m.full_on:
            events.append(Event(m.full_on, _("Full member"), m.organization.name))
        if m.observation_from:
            until = m.observation_until.isoformat() if m.observation_until else _("now")
            events.append(
                Event(
                    m.observation_from,
                    _("Under 留党察看"),
                    _("No vote, may not introduce, until %(until)s") % {"until": until},
                    level="warning",
                )
            )
        if m.ended_on:
            events.append(Event(m.ended_on, _("Membership ended"), m.get_status_display(), level="danger"))
    ids = [m.pk for m in memberships]
    if user.can(Transfer, "view"):
        moves = (
            TransferMove.objects.filter(transfer__in=Transfer.objects.visible_to(user).filter(person=person))
            .select_related("transfer__from_organization", "transfer__to_organization")
            .order_by("date", "pk")
        )
        for move in moves:
            t = move.transfer
            where = "→".join(
                name
                for name in (
                    t.from_organization.name if t.from_organization_id else t.outside_organization,
                    t.to_organization.name if t.to_organization_id else t.outside_organization,
                )
                if name
            )
            events.append(
                Event(
                    move.date,
                    _("Transfer"),
                    f"{t.get_kind_display()}：{where}（{move_label(move.move)}）",
                    reverse("membership:transfer_detail", args=[t.pk]),
                    "warning" if move.late else "",
                )
            )
    if ids and user.can(StatusChange, "view"):
        for change in StatusChange.objects.visible_to(user).filter(membership_id__in=ids):
            events.append(
                Event(
                    change.date,
                    _("Status"),
                    f"{change.get_from_status_display()} → {change.get_to_status_display()}：{change.reason}",
                )
            )
    if ids and user.can(FloatingRecord, "view"):
        for record in FloatingRecord.objects.visible_to(user).filter(membership_id__in=ids):
            events.append(
                Event(record.left_on, _("Floating member"), _("Away at %(place)s") % {"place": record.place})
            )
            if record.returned_on:
                events.append(Event(record.returned_on, _("Returned"), record.place))
    if user.can(Award, "view"):
        for award in Award.objects.visible_to(user).filter(person=person):
            events.append(
                Event(
                    award.awarded_on,
                    _("Award"),
                    f"{award.get_title_display()}（{award.get_level_display()}，{award.awarded_by}）",
                )
            )
    if ids and user.can(Discipline, VIEW_DISCIPLINE):
        for record in Discipline.objects.visible_to(user, VIEW_DISCIPLINE).filter(membership_id__in=ids):
            events.append(
                Event(
                    record.decided_on,
                    _("Discipline"),
                    f"{record.get_kind_display()}（{record.document}）",
                    level="danger",
                )
            )
            if record.lifted_on:
                events.append(Event(record.lifted_on, _("Rights restored"), record.get_kind_display()))
    dues = None
    if ids and user.can(DuesEntry, "view"):
        this_month = timezone.localdate().replace(day=1)
        dues = (
            DuesEntry.objects.visible_to(user)
            .filter(membership_id__in=ids)
            .aggregate(
                total_due=Sum("due"),
                total_paid=Sum("paid"),
                last=Max("month", filter=Q(paid__gt=0)),
                owed_months=Count("pk", filter=Q(paid__lt=F("due"), month__lte=this_month)),
            )
        )
    events.sort(key=lambda e: e.date, reverse=True)
    current = next((m for m in memberships if m.ended_on is None), None)
    return render(
        request,
        "membership/person_panel.html",
        {"person": person, "events": events, "current": current, "dues": dues},
    )


MOVE_LABELS = {
    "start": gettext_lazy("started"),
    "send": gettext_lazy("sent"),
    "request": gettext_lazy("requested"),
    "accept": gettext_lazy("accepted"),
    "reject": gettext_lazy("refused"),
    "cancel": gettext_lazy("cancelled"),
    "issue": gettext_lazy("letter issued"),
    "receipt": gettext_lazy("return slip received"),
    "propose": gettext_lazy("proposed"),
}


def move_label(code):
    return str(MOVE_LABELS.get(code, code))
