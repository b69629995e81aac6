"""Forms and filter sets of awards and party discipline; every write is made by ``services/records.py``."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.filters import ContainsFilter, YearFilter
from redengine.core.forms import ScopedModelForm, StyledFormMixin
from redengine.core.pickers import PickerInput
from redengine.orgs.filters import SubtreeFilter
from redengine.orgs.models import PartyOrganization
from redengine.people.forms import DATE
from redengine.people.models import Membership, Person

from .models import Award, Discipline
from .rules import PROBATION_MONTHS, AwardLevel, AwardTitle, DisciplineKind
from .status_forms import member_field


def in_year(field):
    def run(self, queryset, name, value):
        if value is None:
            return queryset
        year = int(value)
        return queryset.filter(**{f"{field}__gte": f"{year:04d}-01-01", f"{field}__lte": f"{year:04d}-12-31"})

    return run


# Awards -------------------------------------------------------------------------------------------------
class AwardFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="by_name", label=_("Name"))
    title = django_filters.ChoiceFilter(choices=AwardTitle.choices, label=_("Title"))
    level = django_filters.ChoiceFilter(choices=AwardLevel.choices, label=_("Level"))
    within = SubtreeFilter()
    year = YearFilter(method="awarded_in", label=_("Year"))

    class Meta:
        model = Award
        fields = ["q", "title", "level", "within", "year"]

    awarded_in = in_year("awarded_on")

    def by_name(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(person__name__contains=value) | Q(organization__name__contains=value))


class AwardForm(ScopedModelForm):
    """An award: the title and level, the person (优秀共产党员, 优秀党务工作者) or the organization (先进基层党组织),
    the day, the awarding body and the document."""

    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.all(),
        required=False,
        widget=PickerInput("membership:person_suggest"),
        error_messages={
            "invalid_choice": _("Choose the person among the suggestions: type part of the name.")
        },
        help_text=_("For 优秀共产党员 and 优秀党务工作者."),
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=PartyOrganization.objects.all(),
        to_field_name="code",
        required=False,
        widget=PickerInput("orgs:organization_suggest"),
        error_messages={"invalid_choice": _("No such organization in your scope.")},
        help_text=_("For 先进基层党组织: type a name or code."),
    )

    class Meta:
        model = Award
        fields = ["title", "level", "person", "organization", "awarded_on", "awarded_by", "document"]
        widgets = {"awarded_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["awarded_on"].initial = timezone.localdate()
        self.fields["awarded_by"].required = False  # the service says what is missing, with the rest


# Discipline ---------------------------------------------------------------------------------------------
class DisciplineFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="membership__person__name", label=_("Full name"))
    kind = django_filters.ChoiceFilter(choices=DisciplineKind.choices, label=_("Measure"))
    open = django_filters.ChoiceFilter(
        method="by_open",
        choices=[("true", _("Rights not restored yet")), ("false", _("Rights restored"))],
        label=_("留党察看"),
        empty_label=_("All"),
    )
    within = SubtreeFilter()
    year = YearFilter(method="decided_in", label=_("Year"))

    class Meta:
        model = Discipline
        fields = ["q", "kind", "open", "within", "year"]

    decided_in = in_year("decided_on")

    def by_open(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        return queryset.filter(kind=DisciplineKind.PROBATION, lifted_on__isnull=value == "true")


class DisciplineForm(ScopedModelForm):
    """A disciplinary measure (党章第四十条): the member, the measure, the day, the deciding body, the document
    and the reason; for 留党察看 its period (12 or 24 months) and the day the rights are restored."""

    membership = member_field()
    period_months = forms.TypedChoiceField(
        label=_("Period (months)"),
        choices=[("", "---------"), *[(m, m) for m in PROBATION_MONTHS]],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("留党察看 only: 12 months, or 24 (also when extended by a year)."),
    )

    class Meta:
        model = Discipline
        fields = [
            "membership",
            "kind",
            "decided_on",
            "decided_by",
            "document",
            "reason",
            "period_months",
            "lifted_on",
        ]
        widgets = {"decided_on": DATE, "lifted_on": DATE, "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("decided_by", "document", "reason", "decided_on"):
            self.fields[name].required = False  # the service says what is missing, with the rest
        if self.instance.pk:
            for name in ("membership", "kind"):
                self.fields[name].disabled = True
                self.fields[name].required = False
            self.fields["membership"].widget = forms.HiddenInput()
            self.fields["membership"].queryset = Membership.objects.filter(pk=self.instance.membership_id)
        else:
            self.fields["decided_on"].initial = timezone.localdate()


class LiftForm(StyledFormMixin, forms.Form):
    lifted_on = forms.DateField(label=_("Rights restored on"), widget=DATE, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lifted_on"].initial = timezone.localdate()
