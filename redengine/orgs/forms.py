from django import forms
from django.utils.translation import gettext_lazy as _

from redengine.core.forms import ScopedModelForm, bootstrapify
from redengine.core.pickers import ChipsSelect, PickerInput

from .choices import OrgType
from .models import GrantStandard, PartyOrganization, School, StartupGrant


class SchoolForm(ScopedModelForm):
    class Meta:
        model = School
        fields = [
            "code",
            "name",
            "district",
            "ownership",
            "school_type",
            "urban_rural",
            "city_managed",
            "staff_headcount",
        ]


class OrganizationForm(ScopedModelForm):
    scope_actions = {"parent": "add"}
    parent = forms.ModelChoiceField(
        PartyOrganization.objects.all(),
        label=_("Parent organization (type a name or code)"),
        required=True,
        to_field_name="code",
        widget=PickerInput("orgs:organization_suggest", {"for": "add"}),
        error_messages={"invalid_choice": _("No organization in your scope has this code.")},
    )

    class Meta:
        model = PartyOrganization
        fields = [
            "code",
            "name",
            "org_type",
            "parent",
            "founded_on",
            "last_election_on",
            "term_years",
            "schools",
            "district",
            "election_postponed_to",
            "postponement_approved_on",
            "postponement_approved_by",
            "approves_admissions",
            "party_groups",
        ]
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "last_election_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "election_postponed_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "postponement_approved_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "schools": ChipsSelect("orgs:school_suggest"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = self.fields["schools"].queryset.order_by("code")
        self.fields["party_groups"].required = False  # left empty: not divided into groups
        if self.instance.pk:
            # Moving an organization to another parent is an affiliation change, recorded as such.
            del self.fields["parent"]
        if not (self.instance.pk and self.instance.approver_type):
            # The approval authority is a committee's (DEV.APPROVER): a new one holds it by default, and an
            # administrator clears it on the committee's own form.
            del self.fields["approves_admissions"]

    def clean_party_groups(self):
        return self.cleaned_data.get("party_groups") or 0


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StartupGrantForm(ScopedModelForm):
    class Meta:
        model = StartupGrant
        fields = ["organization", "amount", "approved_on", "paid_on"]
        widgets = {"approved_on": DATE, "paid_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = self.fields["organization"].queryset.order_by("path")
        if not self.instance.pk:
            self.fields["amount"].help_text = _(
                "Leave the standard amount for the organization's type unless the approval says otherwise."
            )


class AffiliationChangeForm(forms.Form):
    """Move an organization (and its subtree) under another parent: 隶属关系调整."""

    new_parent = forms.ModelChoiceField(
        PartyOrganization.objects.all(),
        label=_("New parent (type a name or code)"),
        to_field_name="code",
        widget=PickerInput("orgs:organization_suggest", {"for": "add"}),
        error_messages={"invalid_choice": _("No organization in your scope has this code.")},
    )
    changed_on = forms.DateField(label=_("Date"), widget=DATE)
    document_number = forms.CharField(label=_("Document number"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = PartyOrganization.objects.visible_to(user, "add")
        bootstrapify(self)

    def full_clean(self):
        super().full_clean()
        bootstrapify(self)


class GrantStandardForm(ScopedModelForm):
    class Meta:
        model = GrantStandard
        fields = ["org_type", "valid_from", "amount"]


class ReceiveOrganizationForm(forms.Form):
    """Take an organization into the education system from outside it (接收基层党组织)."""

    code = forms.CharField(label=_("Organization code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    org_type = forms.ChoiceField(label=_("Type"), choices=OrgType.choices)
    founded_on = forms.DateField(label=_("Founding date"), required=False, widget=DATE)
    parent = forms.ModelChoiceField(
        PartyOrganization.objects.all(),
        label=_("New parent (type a name or code)"),
        to_field_name="code",
        widget=PickerInput("orgs:organization_suggest", {"for": "add"}),
        error_messages={"invalid_choice": _("No organization in your scope has this code.")},
    )
    old_parent_name = forms.CharField(label=_("Previous parent (outside the system)"), max_length=100)
    changed_on = forms.DateField(label=_("Date"), widget=DATE)
    document_number = forms.CharField(label=_("Document number"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = PartyOrganization.objects.visible_to(user, "add")
        bootstrapify(self)

    def full_clean(self):
        super().full_clean()
        bootstrapify(self)
