"""Membership states on the to-do list (core/todo.py): the lapse alerts (members at ``lapse.alert_months`` or
more without organizational life or dues), the suspensions and removals the rules propose, the floating
members away ``transfer.away_months`` or more without a transfer, and the 留党察看 periods ended without a
recorded restoration of rights (for those who may record it: district and city administrators).

A secretary or a district administrator sees the members (at most ``SHOWN``) with a link to act on each; a
city administrator the counts per district bureau. Each item costs at most two queries whatever the scope,
none for a role without the action."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.activities.todo import SHOWN, first_rows
from redengine.core.todo import CITY, Row, Todo, todo
from redengine.orgs.todo import bureau_label, per_bureau
from redengine.people.models import Membership

from ..models import Discipline, StatusChange
from ..services.records import probation_due, probation_end
from ..services.statuses import DUES, LIFE, REMOVE, SUSPEND, TRANSFER, alert_rows, decision_url, findings


def alerts_url(**params):
    return reverse("membership:alerts") + ("?" + urlencode(params) if params else "")


def member_item(reach, key, label, kinds, query, level="due"):
    user = reach.user
    if not user.can(StatusChange, "view"):
        return []
    found = alert_rows(Membership.objects.visible_to(user), reach.today, kinds)
    if reach.level == CITY:
        grouped = per_bureau(found, user, path="organization__path")
        rows = [Row(bureau_label(org), n, alerts_url(within=org.code, **query)) for org, n in grouped]
        total = sum(n for _org, n in grouped)
    else:
        shown, total = first_rows(found.select_related("person", "organization"), "organization__path", "pk")
        may_record = user.can(StatusChange, "add")
        rows = []
        for m in shown[:SHOWN]:
            found_here = findings(m, reach.today, kinds)
            first = found_here[0] if found_here else None
            url = decision_url(m, first) if may_record and first is not None and first.to_status else ""
            rows.append(
                Row(
                    m.person.name,
                    url=m.person.get_absolute_url(),
                    note=f"{m.organization.name} · {first.text if first else ''}",
                    action_label=_("Record the decision") if url else "",
                    action_url=url,
                )
            )
    if not total:
        return []
    return [Todo(key, label, total, alerts_url(**query), rows, level=level)]


@todo("membership.lapse", "due", 60)
def lapse_alerts(reach):
    """Members without organizational life or dues for three months or more (the early alert of LIFE.LAPSE)."""
    return member_item(
        reach,
        "membership.lapse",
        _("Members without organizational life or dues for months"),
        (LIFE, DUES),
        {},
    )


@todo("membership.status_proposals", "due", 61)
def status_proposals(reach):
    """Out of contact long enough for a suspension, suspended long enough for a removal (STATUS.SUSPEND)."""
    return member_item(
        reach,
        "membership.status_proposals",
        _("Suspensions and removals the rules propose"),
        (SUSPEND, REMOVE),
        {},
    )


@todo("membership.floating_transfer", "due", 62)
def floating_transfers(reach):
    """Floating members away six months or more at a fixed place, without a transfer (REL.WHEN)."""
    return member_item(
        reach,
        "membership.floating_transfer",
        _("Floating members away long enough for a transfer"),
        (TRANSFER,),
        {"kind": TRANSFER},
        level="",
    )


@todo("membership.probation_ended", "due", 63)
def probation_ended(reach):
    """留党察看 periods ended with no restoration of rights recorded (for those who may record it)."""
    user = reach.user
    if not user.can(Discipline, "change"):
        return []
    found = probation_due(Discipline.objects.visible_to(user, "change"), reach.today)
    url = reverse("membership:discipline_list") + "?" + urlencode({"kind": "probation", "open": "true"})
    if reach.level == CITY:
        grouped = per_bureau(found, user, path="membership__organization__path")
        rows = [Row(bureau_label(org), n, url + "&" + urlencode({"within": org.code})) for org, n in grouped]
        total = sum(n for _org, n in grouped)
    else:
        shown, total = first_rows(found.select_related("membership__person"), "decided_on", "pk")
        rows = [
            Row(
                d.membership.person.name,
                url=d.get_absolute_url(),
                note=_("Period ended on %(date)s") % {"date": probation_end(d).isoformat()},
                action_label=_("Restore the rights"),
                action_url=reverse("membership:discipline_lift", args=[d.pk]),
            )
            for d in shown[:SHOWN]
        ]
    if not total:
        return []
    return [
        Todo(
            "membership.probation_ended", _("留党察看 periods ended without a restoration"), total, url, rows
        )
    ]
