"""Filter sets of pairing: the list pages, their exports and the API share them."""

import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.filters import ContainsFilter, RecordNumberFilter, YearFilter, YesNoFilter
from redengine.orgs.filters import SchoolCodeFilter, SubtreeFilter

from .models import PairActivity, SchoolPair, active_within
from .rules import ActivityKind
from .services import idle_pairs


class EitherSchoolFilter(SchoolCodeFilter):
    """A school by its code, on either side of the pair (``prefix``: the pair's path from the row)."""

    def __init__(self, *args, prefix="", **kwargs):
        self.prefix = prefix
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        return qs.filter(
            Q(**{f"{self.prefix}urban__code": value}) | Q(**{f"{self.prefix}rural__code": value})
        )


class PairFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    school = EitherSchoolFilter()
    active_on = django_filters.DateFilter(method="by_active_on", label=_("Active on"))
    year = YearFilter(method="by_year", label=_("Active in the year"))
    idle = YesNoFilter(method="by_idle", label=_("Idle (no recent activity)"))
    within = SubtreeFilter()

    class Meta:
        model = SchoolPair
        fields = ["q", "school", "active_on", "year", "idle", "within"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(urban__name__contains=value) | Q(rural__name__contains=value))

    def by_active_on(self, queryset, name, value):
        return queryset if value is None else queryset.filter(active_within(value, value))

    def by_year(self, queryset, name, value):
        if value is None:
            return queryset
        year = int(value)
        return queryset.filter(active_within(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))

    def by_idle(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        idle = idle_pairs(SchoolPair.objects.all(), timezone.localdate()).values("pk")
        return queryset.filter(pk__in=idle) if value == "true" else queryset.exclude(pk__in=idle)


class ActivityFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="title", label=_("Activity title"))
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("Kind"))
    year = YearFilter(field_name="date__year", label=_("Year"))
    school = EitherSchoolFilter(prefix="pair__")
    pair = RecordNumberFilter(field_name="pair_id", label=_("Pair (its number)"))
    within = SubtreeFilter()

    class Meta:
        model = PairActivity
        fields = ["q", "kind", "year", "pair", "school", "within"]
