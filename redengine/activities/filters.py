"""Filter sets of the meeting pages; the list, its export and the API share them."""

import django_filters
from django.utils.translation import gettext_lazy as _

from redengine.core.filters import YearFilter, YesNoFilter
from redengine.orgs.filters import SubtreeFilter

from .models import Meeting
from .rules import MeetingType


class MeetingFilterSet(django_filters.FilterSet):
    within = SubtreeFilter()
    meeting_type = django_filters.ChoiceFilter(choices=MeetingType.choices, label=_("Meeting type"))
    year = YearFilter(field_name="date__year", label=_("Year"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    from_list = YesNoFilter(label=_("Attendance listed"))

    class Meta:
        model = Meeting
        fields = ["within", "meeting_type", "year", "date_from", "date_to", "from_list"]
