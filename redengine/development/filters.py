"""Filter sets of the development pages; the lists, the API and the exports share them."""

import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core import codes
from redengine.core.filters import DaysFilter, YearFilter, YesNoFilter
from redengine.orgs.filters import SchoolCodeFilter, SubtreeFilter

from . import rules
from .models import CaseStatus, DevelopmentCase, DevelopmentPlan

STAGE_CHOICES = list(rules.STAGES.items())


class LateFilter(YesNoFilter):
    """Open cases past a deadline today (yes), or not (no)."""

    def filter(self, qs, value):
        if value not in ("true", "false"):
            return qs
        late = Q(status=CaseStatus.OPEN, next_due__lt=timezone.localdate())
        return qs.filter(late) if value == "true" else qs.exclude(late)


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Full name"))
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("Status"))
    stage = django_filters.ChoiceFilter(choices=STAGE_CHOICES, label=_("Stage"))
    next_step = django_filters.ChoiceFilter(choices=rules.STEP_CHOICES, label=_("Next step"))
    district = django_filters.ChoiceFilter(
        field_name="person__school__district", choices=codes.DISTRICT_CHOICES, label=_("District or county")
    )
    school = SchoolCodeFilter(field_name="person__school__code")
    within = SubtreeFilter()
    late = LateFilter(label=_("Past a deadline"))
    due_within = DaysFilter(method="filter_due_within", label=_("Deadline within (days)"))
    incomplete = YesNoFilter(label=_("Incomplete"))
    has_exception = YesNoFilter(label=_("Has an exception"))
    has_late = YesNoFilter(label=_("Has a late step"))

    class Meta:
        model = DevelopmentCase
        fields = ["q", "status", "stage", "next_step", "district", "within", "late", "due_within"]

    def search(self, queryset, name, value):
        return queryset.filter(person__name__icontains=value.strip())

    def filter_due_within(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(
            status=CaseStatus.OPEN,
            next_due__gte=today,
            next_due__lte=today + datetime.timedelta(days=int(value)),
        )


class PlanFilterSet(django_filters.FilterSet):
    year = YearFilter(label=_("Year"))
    within = SubtreeFilter()

    class Meta:
        model = DevelopmentPlan
        fields = ["year", "within"]
