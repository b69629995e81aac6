"""The figures of urban-rural pairing (metrics.md): the pairs active within the period and their activities
by kind.

A pair lies in a scope when either of its schools lies in the scope's subtree at the period end
(``orgs.metrics.school_in_scope_at``: by the organizations covering the school then, else its district's):
a pair across two districts counts in both districts (and once in the city). An activity counts where its
pair counts. Each figure is one query.
"""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from redengine.core.metrics import Result, metric
from redengine.orgs.metrics import school_in_scope_at

from .models import PairActivity, SchoolPair, active_within
from .rules import ActivityKind


def pairs_in(scope, day, prefix=""):
    """Pairs (or, with ``prefix`` "pair__", activities) one of whose schools lies in ``scope`` at ``day``."""
    return school_in_scope_at(scope, day, school=f"{prefix}urban_id") | school_in_scope_at(
        scope, day, school=f"{prefix}rural_id"
    )


def active_pairs(scope, period):
    return SchoolPair.objects.filter(pairs_in(scope, period.end)).filter(
        active_within(period.start, period.end)
    )


def activities_in(scope, period):
    return PairActivity.objects.filter(pairs_in(scope, period.end, "pair__")).filter(
        date__gte=period.start, date__lte=period.end
    )


@metric(
    "pairing.pairs",
    _("Urban-rural school pairs"),
    _(
        "Urban-rural school pairs (城乡学校结对共建) active within the period: agreed on or before its end and not "
        "ended before its start; a pair counts in a scope where either of its schools lies at the period end."
    ),
)
def pairs(scope, period):
    return Result(active_pairs(scope, period).count())


def kind_counts(queryset):
    """[{"kind", "label", "value"}] of ``queryset``'s activities, every kind in order (0 for none): one query."""
    counts = dict(queryset.order_by().values_list("kind").annotate(n=Count("pk")))
    return [{"kind": k.value, "label": str(k.label), "value": counts.get(k.value, 0)} for k in ActivityKind]


@metric(
    "pairing.activities",
    _("Pairing activities"),
    _(
        "Activities of the urban-rural pairs (送教下乡, 跟岗学习, 牵手夏令营, 爱心义卖, 联合主题党日) dated within the "
        "period, of the pairs either of whose schools lies in scope at the period end; by kind."
    ),
)
def activities(scope, period):
    items = kind_counts(activities_in(scope, period))
    return Result(sum(i["value"] for i in items), items=items)
