"""Filter sets of people's records: the list pages, the API and the exports share them."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.forms import DateInput
from django.utils.translation import gettext_lazy as _

from redengine.core import codes
from redengine.core.filters import ContainsFilter, YesNoFilter
from redengine.orgs.filters import SchoolCodeFilter, SubtreeFilter

from .choices import DispatchRole, GuidanceKind, Title
from .models import Dispatch, GuidanceRecord, Honor, Person
from .search import no_identifier_in_query


class PersonFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="name", label=_("Full name"))
    school = SchoolCodeFilter(field_name="school__code")
    district = django_filters.ChoiceFilter(
        field_name="school__district", choices=codes.DISTRICT_CHOICES, label=_("District or county")
    )
    political_status = django_filters.ChoiceFilter(
        choices=codes.POLITICAL_STATUS_CHOICES, label=_("Political status")
    )
    post = django_filters.ChoiceFilter(choices=codes.POST_CHOICES, label=_("Post"))
    front_line = YesNoFilter(label=_("Front-line teacher"))
    title = django_filters.ChoiceFilter(choices=Title.choices, method="with_title", label=_("Title held"))
    within = SubtreeFilter()

    class Meta:
        model = Person
        fields = ["q", "school", "district", "political_status", "post", "front_line", "title", "within"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # By name only: a whole ID number or mobile is searched by POST (``search.py``), never in the address.
        user = getattr(self.request, "user", None)
        self.filters["q"].extra["validators"] = [no_identifier_in_query(user)]

    def with_title(self, queryset, name, value):
        return queryset.filter(
            Exists(Honor.objects.filter(person=OuterRef("pk"), title=value, lapsed_on__isnull=True))
        )


class HonorFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="person__name", label=_("Full name"))
    title = django_filters.ChoiceFilter(choices=Title.choices, label=_("Title"))
    current = YesNoFilter(field_name="lapsed_on__isnull", label=_("Current"))
    within = SubtreeFilter()

    class Meta:
        model = Honor
        fields = ["q", "title", "current", "within"]


class DispatchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    role = django_filters.ChoiceFilter(choices=DispatchRole.choices, label=_("Role"))
    public = YesNoFilter(label=_("Public dispatch"))
    within = SubtreeFilter()

    class Meta:
        model = Dispatch
        fields = ["q", "role", "public", "within"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(person__name__icontains=value) | Q(school__name__icontains=value))


class GuidanceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    school = django_filters.CharFilter(field_name="school__code", label=_("School code"))
    kind = django_filters.ChoiceFilter(choices=GuidanceKind.choices, label=_("Kind of guidance"))
    since = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label=_("From"), widget=DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", label=_("To"), widget=DateInput(attrs={"type": "date"})
    )
    mine = YesNoFilter(method="of_mine", label=_("My own records"))
    within = SubtreeFilter(label=_("Within organization (code)"))

    class Meta:
        model = GuidanceRecord
        fields = ["q", "school", "kind", "since", "until", "mine", "within"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(school__name__icontains=value) | Q(dispatch__person__name__icontains=value))

    def of_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value not in ("true", "false") or not getattr(user, "pk", None):
            return queryset
        mine = Q(dispatch__account=user)
        return queryset.filter(mine) if value == "true" else queryset.exclude(mine)
