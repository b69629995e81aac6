"""Filter sets of party dues: the ledger, its export and the API share the entries'; the list of voluntary
payments its own. An organization filter means its whole subtree; a month is typed as 2026-03."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from redengine.core.filters import ContainsFilter, RecordNumberFilter, YearFilter, YesNoFilter
from redengine.orgs.filters import SubtreeFilter

from .models import DuesEntry, VoluntaryPayment
from .services.dues import parse_month


class MonthField(forms.CharField):
    """A month typed as 2026-03 (a ``<input type="month">``): its first day."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            month = parse_month(value)
        except ValueError:
            raise ValidationError(_("Enter a month such as 2026-03."), code="invalid") from None
        if not 1900 <= month.year <= 2100:
            raise ValidationError(_("Enter a month such as 2026-03."), code="invalid")
        return month


class MonthFilter(django_filters.Filter):
    field_class = MonthField

    def filter(self, qs, value):
        return qs if value is None else qs.filter(**{self.field_name: value})


def in_year(field):
    def filter_year(self, queryset, name, value):
        if value is None:
            return queryset
        year = int(value)
        return queryset.filter(
            **{f"{field}__gte": datetime.date(year, 1, 1), f"{field}__lte": datetime.date(year, 12, 31)}
        )

    return filter_year


class DuesEntryFilterSet(django_filters.FilterSet):
    """Entries by organization (its subtree), month or year, owed or not, member name or membership."""

    organization = SubtreeFilter(
        field_name="organization__code", label=_("Organization (type a name or code)")
    )
    month = MonthFilter(field_name="month", label=_("Month"))
    year = YearFilter(method="by_year", label=_("Year"))
    owed = YesNoFilter(method="by_owed", label=_("Owed"))
    q = ContainsFilter(field_name="membership__person__name", label=_("Full name"))
    membership = RecordNumberFilter(field_name="membership_id", label=_("Membership"))

    class Meta:
        model = DuesEntry
        fields = ["organization", "month", "year", "owed", "q", "membership"]

    by_year = in_year("month")

    def by_owed(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        owed = queryset.filter(due__gt=F("paid"))
        return owed if value == "true" else queryset.exclude(due__gt=F("paid"))


class VoluntaryFilterSet(django_filters.FilterSet):
    organization = SubtreeFilter(
        field_name="organization__code", label=_("Organization (type a name or code)")
    )
    year = YearFilter(method="by_year", label=_("Year"))
    to_pass_up = YesNoFilter(method="by_to_pass_up", label=_("To be passed up"))
    q = ContainsFilter(field_name="membership__person__name", label=_("Full name"))

    class Meta:
        model = VoluntaryPayment
        fields = ["organization", "year", "to_pass_up", "q"]

    by_year = in_year("paid_on")

    def by_to_pass_up(self, queryset, name, value):
        if value == "true":
            return queryset.filter(passed_up=True, passed_up_on__isnull=True)
        if value == "false":
            return queryset.exclude(passed_up=True, passed_up_on__isnull=True)
        return queryset
