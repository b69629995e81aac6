from django import forms
from django.utils.translation import gettext_lazy as _

from redengine.core.forms import ScopedModelForm

from .models import PartyOrganization, School


class SchoolForm(ScopedModelForm):
    class Meta:
        model = School
        fields = ["code", "name", "district", "ownership", "school_type", "urban_rural", "city_managed"]


class OrganizationForm(ScopedModelForm):
    scope_actions = {"parent": "add"}
    parent = forms.ModelChoiceField(
        PartyOrganization.objects.all(), label=_("Parent organization"), required=True, to_field_name="code"
    )

    class Meta:
        model = PartyOrganization
        fields = ["code", "name", "org_type", "parent", "founded_on", "schools"]
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "schools": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = self.fields["schools"].queryset.order_by("code")
        if self.instance.pk:
            # Moving an organization to another parent is an affiliation change, recorded as such.
            del self.fields["parent"]

    def save(self, commit=True):
        org = super().save(commit=False)
        parent = self.cleaned_data.get("parent")
        if org.pk is None:
            org = PartyOrganization.objects.add_child(parent, instance=org)
        else:
            org.save()
        self.instance = org
        self.save_m2m()
        return org
