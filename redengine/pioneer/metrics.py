"""The figures of pioneer units (metrics.md): units filed within the period, those of them certified by the
period end, and the person-hours the volunteer teams served within the period.

Units lie in scope by their school at the period end (``orgs.metrics.school_in_scope_at``), like the other
figures; a service log by its unit's school. A unit counts as certified for a period when it was certified
(授牌认定) on or before the period end and was not revoked on or before it: a unit revoked after the period
end still counts for that period. Every figure is one aggregate query.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from redengine.core.metrics import Result, metric
from redengine.orgs.metrics import school_in_scope_at

from .models import PioneerUnit, ServiceLog


def units_in(scope, period):
    return PioneerUnit.objects.filter(school_in_scope_at(scope, period.end, school="school_id"))


def filed_in(scope, period):
    """The units in scope filed (申报备案) within the period."""
    return units_in(scope, period).filter(filed_on__range=(period.start, period.end))


def certified_by_end(period):
    end = period.end
    return Q(certified_on__lte=end) & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=end))


@metric(
    "pioneer.filed",
    _("Pioneer units filed"),
    _(
        "Model posts, model classes and volunteer teams of the schools in scope filed (申报备案) within the period."
    ),
)
def filed(scope, period):
    return Result(filed_in(scope, period).count())


@metric(
    "pioneer.certified",
    _("Pioneer units certified"),
    _(
        "Of the units filed within the period, those certified (授牌认定) by the period end and not revoked by "
        "then; share of the units filed within the period."
    ),
)
def certified(scope, period):
    counts = filed_in(scope, period).aggregate(
        every=Count("pk"), some=Count("pk", filter=certified_by_end(period))
    )
    return Result(counts["some"], counts["every"])


@metric(
    "pioneer.service_hours",
    _("Volunteer service hours"),
    _(
        "Person-hours of service (hours × people) logged by the volunteer teams of the schools in scope on days "
        "within the period."
    ),
)
def service_hours(scope, period):
    logs = ServiceLog.objects.filter(
        school_in_scope_at(scope, period.end, school="unit__school_id"),
        date__range=(period.start, period.end),
    )
    person_hours = Sum(F("hours") * F("people"), output_field=DecimalField(max_digits=16, decimal_places=1))
    found = logs.aggregate(total=person_hours, logs=Count("pk"))
    total = found["total"] or Decimal("0")
    return Result(Decimal(str(total)).quantize(Decimal("0.1")), extra={"logs": found["logs"]})


# name -> function(scope, period) -> (the units of the numerator, of the denominator or None)
def filed_units(scope, period):
    return filed_in(scope, period), None


def certified_units(scope, period):
    found = filed_in(scope, period)
    return found.filter(certified_by_end(period)), found


COUNTED = {"pioneer.filed": filed_units, "pioneer.certified": certified_units}
ORDER = ["pioneer.filed", "pioneer.certified", "pioneer.service_hours"]
