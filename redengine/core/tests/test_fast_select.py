"""``FastSelect`` (core/forms.py) writes exactly what Django's select templates write, for every plain select
of the styled and filter forms."""

import pytest
from django import forms
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from redengine.core.forms import FastSelect, bootstrapify
from redengine.development.filters import CaseFilterSet
from redengine.orgs.filters import OrganizationFilterSet, SchoolFilterSet
from redengine.people.filters import PersonFilterSet


def both(widget, name, value, attrs=None):
    fast = widget.render(name, value, attrs)
    django = forms.Select.render(widget, name, value, attrs)
    return fast, django


CHOICES = [
    ("", "---------"),
    ("a", "Plain"),
    ("b&c", '<b>"tagged" & quoted</b>'),
    (3, 12345),
    ("lazy", gettext_lazy("Yes")),
    ("Group", [("g1", "In a group"), ("g2", gettext_lazy("No"))]),
    (gettext_lazy("Another group"), [("g3", "Three")]),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("value", [None, "", "a", "b&c", 3, "3", "g2", "g3", "not a choice"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"class": "form-select", "required": True, "disabled": False}, {"data-x": mark_safe("<ok>")}],  # noqa: S308
)
def test_a_select_writes_what_django_writes(value, attrs, language):
    widget = FastSelect(attrs={"id": "id_x", "aria-describedby": "x_error"}, choices=CHOICES)
    with translation.override(language):
        fast, django = both(widget, "x", value, attrs)
    assert fast == django


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filterset", [PersonFilterSet, SchoolFilterSet, OrganizationFilterSet, CaseFilterSet]
)
def test_the_filter_forms_selects_are_fast_and_the_same(filterset, example_user):
    request = RequestFactory().get(
        "/", {"political_status": "member", "status": "open", "org_type": "branch"}
    )
    request.user = example_user("city_admin")
    form = filterset(request.GET, queryset=filterset._meta.model.objects.all(), request=request).form
    bootstrapify(form)
    selects = [f for f in form.visible_fields() if isinstance(f.field.widget, FastSelect)]
    assert len(selects) >= 2
    for field in selects:
        fast = field.as_widget()
        field.field.widget.__class__ = forms.Select
        assert fast == field.as_widget(), field.name


def test_only_the_plain_select_is_replaced():
    class Own(forms.Select):
        template_name = "core/widgets/chips.html"

    form = forms.Form()
    form.fields["a"] = forms.ChoiceField(choices=[("1", "one")])
    form.fields["b"] = forms.ChoiceField(choices=[("1", "one")], widget=Own)
    form.fields["c"] = forms.MultipleChoiceField(choices=[("1", "one")])
    form.fields["d"] = forms.NullBooleanField()
    bootstrapify(form)
    assert type(form.fields["a"].widget) is FastSelect
    assert type(form.fields["b"].widget) is Own
    assert type(form.fields["c"].widget) is forms.SelectMultiple
    assert type(form.fields["d"].widget) is forms.NullBooleanSelect
