"""Filter sets of dual cultivation: the list pages, their exports and the API share them."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.filters import ContainsFilter, YearFilter, YesNoFilter
from redengine.orgs.filters import SchoolCodeFilter, SubtreeFilter
from redengine.people.models import Person

from .ages import aged_at_least, aged_at_most
from .models import Contest, ContestEntry, Engagement, Mentorship, running_on
from .rules import ContestKind, ContestLevel, EngagementKind, MentorshipKind, Prize


class AgeFilter(django_filters.NumberFilter):
    """An age in whole years today (0–150): a date of birth beyond it cannot be reached."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 150)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


class WatchFilterSet(django_filters.FilterSet):
    """The filters of the lists of people of dual cultivation (the watch lists, the people a figure counts):
    a school, front-line teachers or not, an age range in whole years today."""

    q = ContainsFilter(field_name="name", label=_("Full name"))
    school = SchoolCodeFilter(field_name="school__code")
    front_line = YesNoFilter(label=_("Front-line teacher"))
    age_min = AgeFilter(method="at_least", label=_("Aged at least"))
    age_max = AgeFilter(method="at_most", label=_("Aged at most"))
    within = SubtreeFilter()

    class Meta:
        model = Person
        fields = ["q", "school", "front_line", "age_min", "age_max", "within"]

    def at_least(self, queryset, name, value):
        return queryset if value is None else queryset.filter(aged_at_least(timezone.localdate(), int(value)))

    def at_most(self, queryset, name, value):
        return queryset if value is None else queryset.filter(aged_at_most(timezone.localdate(), int(value)))


class MemberWatchFilterSet(WatchFilterSet):
    """The young members' list: with "no cultivation for two years" (the ``active`` of ``watch.member_watch``)."""

    quiet = YesNoFilter(method="by_quiet", label=_("No cultivation for two years"))

    class Meta(WatchFilterSet.Meta):
        fields = [*WatchFilterSet.Meta.fields, "quiet"]

    def by_quiet(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        return queryset.filter(active=value != "true")


class MentorshipFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    school = SchoolCodeFilter(field_name="school__code")
    kind = django_filters.ChoiceFilter(choices=MentorshipKind.choices, label=_("kind"))
    running = YesNoFilter(method="running_today", label=_("Running today"))
    within = SubtreeFilter()

    class Meta:
        model = Mentorship
        fields = ["q", "school", "kind", "running", "apprentice", "within"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(mentor__name__contains=value) | Q(apprentice__name__contains=value))

    def running_today(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        running = running_on(timezone.localdate())
        return queryset.filter(running) if value == "true" else queryset.exclude(running)


class ContestFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="name", label=_("contest"))
    kind = django_filters.ChoiceFilter(choices=ContestKind.choices, label=_("kind"))
    level = django_filters.ChoiceFilter(choices=ContestLevel.choices, label=_("level"))
    year = YearFilter(field_name="held_on__year", label=_("Year"))
    within = SubtreeFilter()

    class Meta:
        model = Contest
        fields = ["q", "kind", "level", "year", "within"]


class EntryFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="person__name", label=_("Full name"))
    prize = django_filters.ChoiceFilter(choices=Prize.choices, label=_("prize"))
    level = django_filters.ChoiceFilter(
        field_name="contest__level", choices=ContestLevel.choices, label=_("level")
    )
    year = YearFilter(field_name="contest__held_on__year", label=_("Year"))
    within = SubtreeFilter()

    class Meta:
        model = ContestEntry
        fields = ["q", "contest", "person", "prize", "level", "year", "within"]


class EngagementFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="person__name", label=_("Full name"))
    kind = django_filters.ChoiceFilter(choices=EngagementKind.choices, label=_("occasion"))
    year = YearFilter(field_name="date__year", label=_("Year"))
    within = SubtreeFilter()

    class Meta:
        model = Engagement
        fields = ["q", "kind", "person", "year", "within"]
