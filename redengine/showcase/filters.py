"""Filter sets of the showcase: the list pages, their exports and the API share them. ``q`` is the full-text
search (``search.py``): the bigram index, then the substring check on the candidates."""

import django_filters
from django.utils.translation import gettext_lazy as _

from redengine.core.filters import ContainsFilter, YearFilter
from redengine.orgs.filters import SchoolCodeFilter, SubtreeFilter

from . import search
from .models import Lesson, RoleModel, Story
from .rules import Status


class ItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="by_text", label=_("Search the titles and texts"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("status"))
    school = SchoolCodeFilter(field_name="school__code")
    within = SubtreeFilter()
    year = YearFilter(field_name="published_on__year", label=_("Year published"))

    def by_text(self, queryset, name, value):
        return search.matching(queryset, value)


class StoryFilterSet(ItemFilterSet):
    tag = ContainsFilter(field_name="tags", label=_("tags"))

    class Meta:
        model = Story
        fields = ["q", "status", "school", "within", "tag", "year"]


class LessonFilterSet(ItemFilterSet):
    subject = ContainsFilter(field_name="subject", label=_("subject"))
    grade = ContainsFilter(field_name="grade", label=_("grade"))
    theme = ContainsFilter(field_name="theme", label=_("theme"))

    class Meta:
        model = Lesson
        fields = ["q", "status", "school", "within", "subject", "grade", "theme", "year"]


class RoleModelFilterSet(ItemFilterSet):
    grade = ContainsFilter(field_name="grade", label=_("grade"))
    honour = ContainsFilter(field_name="honour", label=_("honour"))

    class Meta:
        model = RoleModel
        fields = ["q", "status", "school", "within", "grade", "honour", "year"]
