"""Filter sets of pioneer units and service logs: the list pages, their exports and the API share them."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from redengine.core.filters import ContainsFilter, RecordNumberFilter, YearFilter, YesNoFilter
from redengine.orgs.filters import SchoolCodeFilter, SubtreeFilter

from .models import PioneerUnit, ServiceLog
from .rules import UnitKind, UnitStatus


class UnitFilterSet(django_filters.FilterSet):
    """Units by kind, state, school or organization subtree, year filed, certified or not; ``certified_by``
    (a year) keeps those certified by its end and not revoked by then (the figure ``pioneer.certified``)."""

    q = ContainsFilter(field_name="name", label=_("Name"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=UnitStatus.choices, label=_("Status"))
    school = SchoolCodeFilter(field_name="school__code")
    within = SubtreeFilter()
    year = YearFilter(method="filed_in", label=_("Year filed"))
    certified = YesNoFilter(method="by_certified", label=_("Certified"))
    certified_by = YearFilter(method="certified_by_end", label=_("Certified by the end of"))

    class Meta:
        model = PioneerUnit
        fields = ["q", "kind", "status", "school", "within", "year", "certified", "certified_by"]

    def filed_in(self, queryset, name, value):
        if value is None:
            return queryset
        year = int(value)
        return queryset.filter(filed_on__gte=f"{year:04d}-01-01", filed_on__lte=f"{year:04d}-12-31")

    def by_certified(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        certified = Q(status=UnitStatus.CERTIFIED)
        return queryset.filter(certified) if value == "true" else queryset.exclude(certified)

    def certified_by_end(self, queryset, name, value):
        if value is None:
            return queryset
        end = f"{int(value):04d}-12-31"
        return queryset.filter(certified_on__lte=end).filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=end)
        )


class ServiceLogFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="activity", label=_("What they did"))
    # a number, not a choice of every unit: one outside the scope answers as one that does not exist
    unit = RecordNumberFilter(field_name="unit_id", label=_("Pioneer unit"))
    school = SchoolCodeFilter(field_name="unit__school__code")
    within = SubtreeFilter()
    year = YearFilter(method="in_year", label=_("Year"))

    class Meta:
        model = ServiceLog
        fields = ["q", "unit", "school", "within", "year"]

    def in_year(self, queryset, name, value):
        if value is None:
            return queryset
        year = int(value)
        return queryset.filter(date__gte=f"{year:04d}-01-01", date__lte=f"{year:04d}-12-31")
