"""One filter set per model: the list page, the API and the export all use it."""

import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.codes import DISTRICT_CHOICES
from redengine.core.filters import DaysFilter, YearFilter, YesNoFilter
from redengine.core.pickers import PickerInput

from .choices import OrgType, Ownership, SchoolType, UrbanRural
from .models import AffiliationChange, GrantStandard, PartyOrganization, School, StartupGrant


class SubtreeFilter(django_filters.CharFilter):
    """An organization code; matches everything in that organization's subtree (visible to the user).

    Picked by name or code (a picker); the address carries the code, so a bookmarked filter keeps working.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Within organization (type a name or code)"))
        kwargs.setdefault("widget", PickerInput("orgs:organization_suggest"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        request = getattr(self.parent, "request", None)
        user = getattr(request, "user", None)
        org = PartyOrganization.objects.visible_to(user).filter(code=value.strip()).first()
        if org is None:
            return qs.none()
        return qs.in_subtree(org.path)


class OrganizationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    org_type = django_filters.ChoiceFilter(choices=OrgType.choices, label=_("Type"))
    within = SubtreeFilter()
    district = django_filters.ChoiceFilter(choices=DISTRICT_CHOICES, label=_("District or county"))
    election_within = DaysFilter(method="filter_election_within", label=_("Election due within (days)"))

    class Meta:
        model = PartyOrganization
        fields = ["q", "org_type", "within"]

    def filter_election_within(self, queryset, name, value):
        """Organizations whose election falls due within ``value`` days, or is overdue."""
        return queryset.filter(
            election_due_on__lte=timezone.localdate() + datetime.timedelta(days=int(value))
        )

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class SchoolFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    district = django_filters.ChoiceFilter(choices=DISTRICT_CHOICES, label=_("District or county"))
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices, label=_("Ownership"))
    school_type = django_filters.ChoiceFilter(choices=SchoolType.choices, label=_("School type"))
    urban_rural = django_filters.ChoiceFilter(choices=UrbanRural.choices, label=_("Urban or rural"))
    city_managed = YesNoFilter(label=_("City-managed"))
    within = SubtreeFilter()

    class Meta:
        model = School
        fields = ["q", "district", "ownership", "school_type", "urban_rural", "city_managed", "within"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None:
            # Offer only the districts the user has schools in (choices are scoped too).
            present = set(
                School.objects.visible_to(user).order_by().values_list("district", flat=True).distinct()
            )
            self.filters["district"].extra["choices"] = [c for c in DISTRICT_CHOICES if c[0] in present]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class StartupGrantFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="organization__name", lookup_expr="icontains", label=_("Organization")
    )
    year = YearFilter(field_name="approved_on__year", label=_("Year approved"))
    within = SubtreeFilter()

    class Meta:
        model = StartupGrant
        fields = ["q", "year", "within"]


class AffiliationChangeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="organization__name", lookup_expr="icontains", label=_("Organization")
    )
    received = YesNoFilter(field_name="old_parent__isnull", label=_("Received from outside the system"))
    year = YearFilter(field_name="changed_on__year", label=_("Year"))

    class Meta:
        model = AffiliationChange
        fields = ["q", "received", "year"]


class GrantStandardFilterSet(django_filters.FilterSet):
    org_type = django_filters.ChoiceFilter(choices=OrgType.choices, label=_("Organization type"))

    class Meta:
        model = GrantStandard
        fields = ["org_type"]


class SchoolCodeFilter(django_filters.CharFilter):
    """A school by its code (``field_name`` leads to it), picked by name or code."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("School (type a name or code)"))
        kwargs.setdefault("widget", PickerInput("orgs:school_suggest"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, value.strip() if value else value)
