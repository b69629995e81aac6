"""Forms and filter sets of the membership states, floating members and the lapse alerts; every write is
made by ``services/statuses.py``."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.filters import ContainsFilter, YearFilter
from redengine.core.forms import ScopedModelForm, StyledFormMixin
from redengine.core.pickers import PickerInput
from redengine.orgs.filters import SubtreeFilter
from redengine.people.choices import MembershipStatus
from redengine.people.forms import DATE
from redengine.people.models import Membership

from .models import FloatingRecord, StatusChange
from .rules import TransferReason
from .services.statuses import KINDS

S = MembershipStatus
# The states a bare change of state leads to: not 开除党籍 (a discipline), nor floating (a floating record).
DECIDED = [(value, label) for value, label in S.choices if value not in (S.EXPELLED, S.FLOATING)]
NOT_ACTIVE = [(value, label) for value, label in S.choices if value != S.ACTIVE]
KIND_LABELS = {
    "life": _("No organizational life"),
    "dues": _("Dues unpaid"),
    "suspend": _("Suspension proposed"),
    "remove": _("Removal proposed"),
    "transfer": _("Transfer to consider"),
}


def member_field(label=None):
    """A current membership, picked by the member's name (the box keeps the membership's number)."""
    return forms.ModelChoiceField(
        label=label or _("Member"),
        queryset=Membership.objects.current().select_related("person", "organization"),
        widget=PickerInput("membership:member_suggest"),
        error_messages={
            "invalid_choice": _("Choose the member among the suggestions: type part of the name."),
        },
        help_text=_("Type part of the member's name and choose among the members of your scope."),
    )


# Changes of state --------------------------------------------------------------------------------------
class StatusChangeFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="membership__person__name", label=_("Full name"))
    status = django_filters.ChoiceFilter(field_name="to_status", choices=S.choices, label=_("New state"))
    within = SubtreeFilter()
    year = YearFilter(method="in_year", label=_("Year"))

    class Meta:
        model = StatusChange
        fields = ["q", "status", "within", "year"]

    def in_year(self, queryset, name, value):
        if value is None:
            return queryset
        year = int(value)
        return queryset.filter(date__gte=f"{year:04d}-01-01", date__lte=f"{year:04d}-12-31")


class StatusChangeForm(ScopedModelForm):
    """A decision on a member's state: the member, the new state, the day and the reason, and where the rules
    require them the branch general meeting's resolution and the higher organization's approval."""

    membership = member_field()
    to_status = forms.ChoiceField(label=_("New state"), choices=[("", "---------"), *DECIDED])

    class Meta:
        model = StatusChange
        fields = [
            "membership",
            "to_status",
            "date",
            "reason",
            "resolution",
            "resolution_on",
            "approved_by",
            "approved_on",
            "document",
        ]
        widgets = {
            "date": DATE,
            "resolution_on": DATE,
            "approved_on": DATE,
            "reason": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "resolution": _(
                "The branch general meeting (or committee) and its resolution, e.g. 支部党员大会决议."
            ),
            "approved_by": _(
                "The higher organization that approved it (required for suspension, restoration, removal)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        for name in ("date", "reason"):
            self.fields[name].required = False  # the service says what is missing, with the rest


# Floating members --------------------------------------------------------------------------------------
class FloatingFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="membership__person__name", label=_("Full name"))
    away = django_filters.ChoiceFilter(
        method="by_away",
        choices=[("true", _("Away now")), ("false", _("Back"))],
        label=_("Away"),
        empty_label=_("All"),
    )
    reason = django_filters.ChoiceFilter(choices=TransferReason.choices, label=_("Reason"))
    within = SubtreeFilter()

    class Meta:
        model = FloatingRecord
        fields = ["q", "away", "reason", "within"]

    def by_away(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        return queryset.filter(returned_on__isnull=value == "true")


class FloatingForm(ScopedModelForm):
    """A floating member: where they are and why, since when, and where they take part in organizational
    life. The member and the day away are fixed once recorded (they are the change of state's)."""

    membership = member_field()

    class Meta:
        model = FloatingRecord
        fields = ["membership", "place", "reason", "left_on", "takes_part_in", "note"]
        widgets = {"left_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "takes_part_in": _(
                "The party organization where they take part in organizational life meanwhile."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("membership", "left_on"):
                self.fields[name].disabled = True
                self.fields[name].required = False
            self.fields["membership"].widget = forms.HiddenInput()
            self.fields["membership"].queryset = Membership.objects.filter(pk=self.instance.membership_id)
        else:
            self.fields["left_on"].initial = timezone.localdate()


class ReturnForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("Back on"), widget=DATE, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


# Members by state and alerts ---------------------------------------------------------------------------
class MemberStateFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="person__name", label=_("Full name"))
    status = django_filters.ChoiceFilter(choices=NOT_ACTIVE, label=_("State"))
    within = SubtreeFilter()

    class Meta:
        model = Membership
        fields = ["q", "status", "within"]


class AlertFilterForm(StyledFormMixin, forms.Form):
    within = forms.CharField(
        label=_("Within organization (type a name or code)"),
        required=False,
        widget=PickerInput("orgs:organization_suggest"),
    )
    kind = forms.ChoiceField(
        label=_("Alert"), required=False, choices=[("", _("All")), *[(k, KIND_LABELS[k]) for k in KINDS]]
    )
