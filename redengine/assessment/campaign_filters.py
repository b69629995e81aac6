"""The filters of a campaign's evaluations (the list page and its export share them): the branch's name, the
status, the district (the district bureau's subtree), any subtree, the level awarded and whether the
evaluation is late at its phase (not submitted after the self-assessment ended, not reviewed after the
district review ended, not approved after the city review ended: flagged, never refused)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.codes import district_name
from redengine.core.filters import ContainsFilter, YesNoFilter
from redengine.orgs.filters import SubtreeFilter
from redengine.orgs.models import PartyOrganization

from .models import Campaign, Evaluation
from .rules import MAX_LEVEL, Status, star_name

LEVEL_CHOICES = [(str(n), star_name(n)) for n in range(MAX_LEVEL, 0, -1)]


def late_q(today):
    """Evaluations late at their phase on ``today`` (its campaign's date passed, the move not made)."""
    return (
        Q(status=Status.DRAFT, campaign__self_until__lt=today)
        | Q(status=Status.SUBMITTED, campaign__district_until__lt=today)
        | Q(status=Status.DISTRICT_REVIEWED, campaign__city_until__lt=today)
    )


def district_bureaus(user):
    """The district bureaus' organizations the user sees, by path (their choices of the district filter)."""
    return PartyOrganization.objects.visible_to(user).exclude(district="").order_by("path")


class DistrictFilter(django_filters.ChoiceFilter):
    """A district bureau's organization (its code): the evaluations of its subtree."""

    def filter(self, qs, value):
        if not value:
            return qs
        user = getattr(getattr(self.parent, "request", None), "user", None)
        org = district_bureaus(user).filter(code=value).first()
        return qs.in_subtree(org.path) if org is not None else qs.none()


class EvaluationFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="organization__name", label=_("Branch"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    district = DistrictFilter(choices=[], label=_("District or county"))
    within = SubtreeFilter()
    level = django_filters.ChoiceFilter(choices=LEVEL_CHOICES, label=_("Level awarded"), field_name="level")
    late = YesNoFilter(method="by_late", label=_("Late at its phase"))

    class Meta:
        model = Evaluation
        fields = ["q", "status", "district", "within", "level", "late"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        self.filters["district"].extra["choices"] = [
            (code, district_name(district))
            for code, district in district_bureaus(user).values_list("code", "district")
        ]

    def by_late(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        late = late_q(timezone.localdate())
        return queryset.filter(late) if value == "true" else queryset.exclude(late)


class CampaignFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="name", label=_("Name"))
    year = django_filters.NumberFilter(
        field_name="year", label=_("Year rated"), min_value=2000, max_value=2100
    )

    class Meta:
        model = Campaign
        fields = ["q", "year"]
