"""Filter sets of people's records: the list pages, the API and the exports share them."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from redengine.core import codes
from redengine.core.crypto import get_provider
from redengine.core.filters import YesNoFilter
from redengine.core.validators import parse_id_number
from redengine.orgs.filters import SubtreeFilter

from .choices import DispatchRole, Title
from .models import Dispatch, Honor, Person


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or full ID number"))
    school = django_filters.CharFilter(field_name="school__code", label=_("School code"))
    district = django_filters.ChoiceFilter(
        field_name="school__district", choices=codes.DISTRICT_CHOICES, label=_("District or county")
    )
    political_status = django_filters.ChoiceFilter(
        choices=codes.POLITICAL_STATUS_CHOICES, label=_("Political status")
    )
    post = django_filters.ChoiceFilter(choices=codes.POST_CHOICES, label=_("Post"))
    front_line = YesNoFilter(label=_("Front-line teacher"))
    title = django_filters.ChoiceFilter(choices=Title.choices, method="with_title", label=_("Title held"))
    within = SubtreeFilter(label=_("Within organization (code)"))

    class Meta:
        model = Person
        fields = ["q", "school", "district", "political_status", "post", "front_line", "title", "within"]

    def search(self, queryset, name, value):
        value = value.strip()
        try:
            number = parse_id_number(value).number
        except Exception:  # noqa: BLE001 — not an ID number: search by name
            return queryset.filter(name__icontains=value)
        return queryset.filter(id_number_index=get_provider().blind_index(number))

    def with_title(self, queryset, name, value):
        return queryset.filter(
            Exists(Honor.objects.filter(person=OuterRef("pk"), title=value, lapsed_on__isnull=True))
        )


class HonorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="person__name", lookup_expr="icontains", label=_("Name"))
    title = django_filters.ChoiceFilter(choices=Title.choices, label=_("Title"))
    current = YesNoFilter(field_name="lapsed_on__isnull", label=_("Current"))
    within = SubtreeFilter(label=_("Within organization (code)"))

    class Meta:
        model = Honor
        fields = ["q", "title", "current", "within"]


class DispatchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    role = django_filters.ChoiceFilter(choices=DispatchRole.choices, label=_("Role"))
    public = YesNoFilter(label=_("Public dispatch"))
    within = SubtreeFilter(label=_("Within organization (code)"))

    class Meta:
        model = Dispatch
        fields = ["q", "role", "public", "within"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(person__name__icontains=value) | Q(school__name__icontains=value))
