"""Party dues on the to-do list (core/todo.py): members owing ``lapse.alert_months`` months or more (the early
alert before the six months of 党章 art. 9, so that the branch talks with them first), members in good
standing without a base (they get no month in the ledger), members whose current month is not opened yet,
and voluntary payments of 1,000 yuan or more still to be passed up to the Centre.

A school's secretary and a district administrator see the members (at most ``SHOWN``) with a link to each; a
city administrator the counts per district bureau. Each item costs at most two queries whatever the scope,
none for a role without the action."""

from urllib.parse import urlencode

from django.db.models import Count, F, Window
from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.activities.todo import SHOWN
from redengine.core.todo import CITY, Row, Todo, todo
from redengine.orgs.todo import bureau_label, per_bureau
from redengine.people.models import Membership

from ..models import DuesBase, DuesEntry, VoluntaryPayment
from ..rules import param
from ..services.dues import members_not_opened, members_without_base, month_of


def member_rows(reach, key, label, members, url, note, level="due"):
    """The item of a queryset of memberships: per bureau for the city, else the first members with links."""
    if reach.level == CITY:
        grouped = per_bureau(members, reach.user, path="organization__path")
        rows = [Row(bureau_label(org), n, url_within(url, org)) for org, n in grouped]
        total = sum(n for _org, n in grouped)
    else:
        shown = list(
            members.select_related("person", "organization")
            .annotate(total=Window(Count("pk")))
            .order_by("organization__path", "person__name_key", "pk")[:SHOWN]
        )
        total = shown[0].total if shown else 0
        rows = [
            Row(
                m.person.name,
                url=reverse("membership:dues_member", args=[m.pk]),
                note=note(m),
                action_label=_("Open"),
                action_url=reverse("membership:dues_member", args=[m.pk]),
            )
            for m in shown
        ]
    if not total:
        return []
    return [Todo(key, label, total, url, rows, level=level)]


def url_within(url, org):
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'org': org.code})}"


def ledger_url(**params):
    return reverse("membership:dues_ledger") + ("?" + urlencode(params) if params else "")


@todo("membership.dues_arrears", "due", 64)
def arrears(reach):
    """Members owing dues for ``lapse.alert_months`` months or more (up to this month)."""
    user = reach.user
    if not user.can(DuesEntry, "change"):
        return []
    months = param("lapse.alert_months", on=reach.today)
    owing = (
        DuesEntry.objects.visible_to(user, "change")
        .filter(month__lte=month_of(reach.today), due__gt=F("paid"))
        .order_by()
        .values("membership_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=months)
    )
    # (members still in the scope: one transferred out owes in the old ledger, shown there)
    members = Membership.objects.visible_to(user).filter(pk__in=owing.values("membership_id"))
    return member_rows(
        reach,
        "membership.dues_arrears",
        _("Members owing dues for %(months)s months or more") % {"months": months},
        members,
        ledger_url(owing=months),
        lambda m: m.organization.name,
        level="late",
    )


@todo("membership.dues_no_base", "due", 65)
def without_base(reach):
    """Members in good standing with no base in force this month (nor a relief): no month in the ledger.
    Only in the organizations that keep their ledger here (a member of theirs has declared a base): a bureau
    whose branches keep their dues elsewhere is not told that every member lacks one."""
    user = reach.user
    if not user.can(DuesBase, "add"):
        return []
    keeping = DuesBase.objects.order_by().values("membership__organization_id")
    members = members_without_base(
        Membership.objects.visible_to(user, "view", through=(DuesBase, "add")).filter(
            organization_id__in=keeping
        ),
        month_of(reach.today),
    )
    return member_rows(
        reach,
        "membership.dues_no_base",
        _("Members without a dues base"),
        members,
        ledger_url(),
        lambda m: m.organization.name,
    )


@todo("membership.dues_not_opened", "due", 66)
def not_opened(reach):
    """Members due this month whose month is not in the ledger yet (the daily job opens it on the first)."""
    user = reach.user
    if not user.can(DuesEntry, "add"):
        return []
    month = month_of(reach.today)
    members = members_not_opened(
        Membership.objects.visible_to(user, "view", through=(DuesEntry, "add")), month
    )
    return member_rows(
        reach,
        "membership.dues_not_opened",
        _("Members whose dues of %(month)s are not opened yet") % {"month": f"{month:%Y-%m}"},
        members,
        ledger_url(),
        lambda m: m.organization.name,
    )


@todo("membership.dues_pass_up", "waiting", 64)
def to_pass_up(reach):
    """Voluntary payments of 1,000 yuan or more not passed up to the Centre yet (DUES.VOLUNTARY)."""
    user = reach.user
    if not user.can(VoluntaryPayment, "change"):
        return []
    found = VoluntaryPayment.objects.visible_to(user, "change").filter(
        passed_up=True, passed_up_on__isnull=True
    )
    url = reverse("membership:voluntarypayment_list") + "?to_pass_up=true"
    if reach.level == CITY:
        grouped = per_bureau(found, user, path="organization__path")
        rows = [Row(bureau_label(org), n, f"{url}&organization={org.code}") for org, n in grouped]
        total = sum(n for _org, n in grouped)
    else:
        shown = list(
            found.select_related("membership__person", "organization")
            .annotate(total=Window(Count("pk")))
            .order_by("paid_on", "pk")[:SHOWN]
        )
        total = shown[0].total if shown else 0
        rows = [
            Row(
                f"{p.membership.person.name} · {p.amount}",
                url=p.get_absolute_url(),
                note=f"{p.paid_on:%Y-%m-%d} · {p.organization.name}",
                action_label=_("Record passed up"),
                action_url=reverse("membership:dues_passed_up", args=[p.pk]),
            )
            for p in shown
        ]
    if not total:
        return []
    return [
        Todo("membership.dues_pass_up", _("Voluntary payments to pass up to the Centre"), total, url, rows)
    ]
