"""Forms of pioneer units; every one is written by the app's services (``services.py``)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.forms import ScopedModelForm, StyledFormMixin
from redengine.people.forms import DATE

from .models import PioneerUnit, ServiceLog
from .rules import CERTIFY, NEEDS_REASON


class UnitForm(ScopedModelForm):
    """A unit of a school: its organization among the school's, its leader and members among its people."""

    class Meta:
        model = PioneerUnit
        fields = [
            "kind",
            "name",
            "school",
            "organization",
            "leader",
            "members",
            "standard",
            "identity",
            "commitment",
            "applied_on",
        ]
        widgets = {
            "applied_on": DATE,
            "members": forms.SelectMultiple(attrs={"size": 8}),
            "standard": forms.Textarea(attrs={"rows": 2}),
            "identity": forms.Textarea(attrs={"rows": 2}),
            "commitment": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        school = school or (self.instance.school if self.instance.school_id else None)
        self.fields["school"].widget = forms.HiddenInput()
        if self.instance.pk is None:
            self.fields["applied_on"].initial = timezone.localdate()
        if school is not None:
            self.fields["school"].initial = school.pk
            staff = self.fields["leader"].queryset.filter(school=school).order_by("name_key", "pk")
            recorded = [self.instance.leader_id] if self.instance.leader_id else []
            if self.instance.pk:
                recorded += list(self.instance.members.values_list("pk", flat=True))
            if recorded:  # a person who has moved school since stays on a recorded unit
                staff = self.fields["leader"].queryset.filter(pk__in=recorded) | staff
            self.fields["leader"].queryset = staff
            self.fields["members"].queryset = staff
            self.fields["organization"].queryset = (
                self.fields["organization"].queryset.filter(schools=school).order_by("path")
            )
        self.fields["members"].label_from_instance = lambda p: p.name
        self.fields["leader"].label_from_instance = lambda p: p.name


class MoveForm(StyledFormMixin, forms.Form):
    """A move of the workflow: its date, and what the move needs (the plaque number, the reason)."""

    date = forms.DateField(label=_("Date"), widget=DATE)
    plaque_number = forms.CharField(label=_("Plaque number"), max_length=40, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, move, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        if move != CERTIFY:
            del self.fields["plaque_number"]
        else:
            self.fields["plaque_number"].required = True
        if move in NEEDS_REASON:
            self.fields["note"].label = _("Reason")
            self.fields["note"].required = True


class ServiceLogForm(ScopedModelForm):
    class Meta:
        model = ServiceLog
        fields = ["unit", "date", "hours", "people", "activity"]
        widgets = {"date": DATE}

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget = forms.HiddenInput()
        if unit is not None:
            self.fields["unit"].initial = unit.pk
        self.fields["hours"].validators = []  # the service says what is wrong, with the day's other logs
        self.fields["hours"].widget.attrs.pop("min", None)
        self.fields["hours"].widget.attrs.pop("max", None)
