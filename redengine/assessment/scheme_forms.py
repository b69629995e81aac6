"""The forms and filter sets of the scheme, rating and designation pages. A scheme's page edits its header
(``SchemeForm``), its levels and its indicators (two formsets, one row each) and hands them to
``schemes.record_schemes`` as one draft; the types are the forms', every rule the service's."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.forms import formset_factory
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from redengine.core.codes import district_name
from redengine.core.filters import ContainsFilter, YearFilter, YesNoFilter
from redengine.core.forms import ScopedModelForm, StyledFormMixin
from redengine.core.metrics import REGISTRY
from redengine.orgs.filters import SubtreeFilter
from redengine.orgs.models import PartyOrganization
from redengine.people.forms import DATE

from .models import Designation, Indicator, Level, Rating, Scheme
from .rules import MAX_LEVEL, RATED_TYPES, star_name
from .services.ratings import TOP_LEVEL
from .services.schemes import HEADER_FIELDS, INDICATOR_FIELDS, LEVEL_FIELDS

LEVEL_CHOICES = [(str(n), star_name(n)) for n in range(MAX_LEVEL, 0, -1)]


def metric_choices():
    """The figures an item may be scored from: the registry's, but the rating's own."""
    names = sorted(name for name in REGISTRY if not name.startswith("assessment."))
    return [("", "—"), *[(name, f"{REGISTRY[name].label}（{name}）") for name in names]]


def small(widget):
    if isinstance(widget, forms.CheckboxInput):
        return widget
    widget.attrs["class"] = (widget.attrs.get("class", "") + " form-control-sm").strip()
    return widget


SchemeForm = type(
    "SchemeForm",
    (StyledFormMixin, forms.Form),
    fields_for_model(
        Scheme,
        fields=HEADER_FIELDS,
        widgets={"source": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 2})},
    ),
)
SchemeForm.__doc__ = "The header of a scheme: name, version, year, total, bonus, levels, veto cap, publicity."


class LevelForm(StyledFormMixin, forms.Form):
    """One level: its number, name, threshold and quota."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Level, fields=LEVEL_FIELDS))
        for field in self.fields.values():
            field.required = False  # an empty row is no level; a level's rules are the service's
            field.validators = []
            small(field.widget)
        self.fields["level"].widget.attrs.pop("max", None)


class IndicatorForm(StyledFormMixin, forms.Form):
    """One dimension or item: its code, its dimension's code (empty for a dimension), name, points, guidance,
    evidence, veto flag and automatic rule."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = [name for name in INDICATOR_FIELDS if name != "parent"]
        self.fields.update(
            fields_for_model(
                Indicator,
                fields=fields,
                widgets={
                    "guidance": forms.Textarea(attrs={"rows": 2}),
                    "evidence": forms.Textarea(attrs={"rows": 1}),
                    "source": forms.Textarea(attrs={"rows": 1}),
                },
            )
        )
        self.fields["parent"] = forms.CharField(
            label=_("dimension (its code)"),
            max_length=12,
            required=False,
            help_text=_("Empty for a dimension."),
        )
        self.fields["metric"] = forms.ChoiceField(
            label=Indicator._meta.get_field("metric").verbose_name, choices=metric_choices(), required=False
        )
        for field in self.fields.values():
            field.required = False
            field.validators = []
            small(field.widget)


LevelFormSet = formset_factory(LevelForm, extra=1, can_delete=True, max_num=MAX_LEVEL + 5)
MAX_INDICATORS = 400


def indicator_formset(extra):
    """The indicators' formset with ``extra`` empty rows (the page asks for more: ``?extra=``)."""
    return formset_factory(IndicatorForm, extra=extra, can_delete=True, max_num=MAX_INDICATORS)


class CopyForm(StyledFormMixin, forms.Form):
    version = forms.CharField(label=_("version of the copy"), max_length=20)
    effective_year = forms.IntegerField(label=_("effective from year"), min_value=1000, max_value=9999)
    name = forms.CharField(
        label=_("name of the copy"), max_length=100, required=False, help_text=_("Empty: the same name.")
    )


class WorkbookForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"), help_text=_("Sheets 方案, 等级 and 指标, as a scheme exports.")
    )


class DesignationForm(ScopedModelForm):
    """A demonstration branch of a year, chosen among the branches rated five stars that year and not named
    yet (the choices of the year given; the service checks it again)."""

    class Meta:
        model = Designation
        fields = ["year", "organization", "document_number", "designated_on"]
        widgets = {"designated_on": DATE}

    def __init__(self, *args, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = year
        self.fields[
            "year"
        ].widget = forms.HiddenInput()  # chosen above the form: the choices are its branches
        top = Rating.objects.filter(organization_id=OuterRef("pk"), year=year, level=TOP_LEVEL)
        named = Designation.objects.filter(organization_id=OuterRef("pk"), year=year)
        self.fields["organization"].queryset = (
            self.fields["organization"]
            .queryset.filter(org_type__in=sorted(RATED_TYPES))
            .filter(Exists(top))
            .exclude(Exists(named))
            .order_by("path")
        )
        self.fields["organization"].label_from_instance = lambda o: f"{o.name}（{o.code}）"
        self.fields["organization"].help_text = _("The branches rated 五星 in the year, not named yet.")
        self.fields["document_number"].required = True


# Filters ----------------------------------------------------------------------------------------------
def district_bureaus(user):
    """The district bureaus' organizations the user sees (the choices of the district filter)."""
    return PartyOrganization.objects.visible_to(user).exclude(district="").order_by("path")


class DistrictFilter(django_filters.ChoiceFilter):
    """A district bureau's organization (its code): the records of its subtree."""

    def filter(self, qs, value):
        if not value:
            return qs
        user = getattr(getattr(self.parent, "request", None), "user", None)
        org = district_bureaus(user).filter(code=value).first()
        return qs.in_subtree(org.path) if org is not None else qs.none()


class DistrictChoices:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        self.filters["district"].extra["choices"] = [
            (code, district_name(district))
            for code, district in district_bureaus(user).values_list("code", "district")
        ]


class SchemeFilterSet(django_filters.FilterSet):
    q = ContainsFilter(field_name="name", label=_("Name"))
    year = YearFilter(field_name="effective_year", label=_("Effective from year"))

    class Meta:
        model = Scheme
        fields = ["q", "year"]


class RatingFilterSet(DistrictChoices, django_filters.FilterSet):
    q = ContainsFilter(field_name="organization__name", label=_("Branch"))
    year = YearFilter(field_name="year", label=_("Year rated"))
    level = django_filters.ChoiceFilter(choices=LEVEL_CHOICES, field_name="level", label=_("Level"))
    district = DistrictFilter(choices=[], label=_("District or county"))
    within = SubtreeFilter()
    imported = YesNoFilter(field_name="imported", label=_("Imported"))

    class Meta:
        model = Rating
        fields = ["q", "year", "level", "district", "within", "imported"]


class DesignationFilterSet(DistrictChoices, django_filters.FilterSet):
    q = ContainsFilter(field_name="organization__name", label=_("Branch"))
    year = YearFilter(field_name="year", label=_("Year"))
    district = DistrictFilter(choices=[], label=_("District or county"))
    within = SubtreeFilter()

    class Meta:
        model = Designation
        fields = ["q", "year", "district", "within"]
