"""Pickers: a text box that wants a code, and a multiple choice, searched by name or code.

``PickerInput`` is a text input that still submits the code typed in it (a bookmarked filter address keeps
working, and without JavaScript it is the plain text box it was); ``redengine/picker.js`` turns it into a
combobox whose suggestions an app's endpoint answers (``suggestions``). ``ChipsSelect`` is a multiple
choice rendered with only its chosen options: the script shows them as removable chips and a search adds
one, so the form receives the same values as from a ``SelectMultiple``, without listing every record.

The endpoints are the owning app's, and answer only from ``visible_to(user, action)``: a suggestion never
shows a record outside the user's scope.
"""

from django import forms
from django.db.models import Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse

LIMIT = 20  # suggestions shown at most: narrow the search to see others


class PickerInput(forms.TextInput):
    """A code typed, or picked from the suggestions of the endpoint ``source`` (a URL name)."""

    template_name = "core/widgets/picker.html"

    def __init__(self, source, params=None, attrs=None):
        super().__init__(attrs)
        self.source, self.params = source, params or {}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["url"] = picker_url(self.source, self.params)
        context["widget"]["attrs"].setdefault("autocomplete", "off")
        return context


class ChipsSelect(forms.SelectMultiple):
    """A multiple model choice shown as chips: only the chosen records are rendered as options."""

    template_name = "core/widgets/chips.html"

    def __init__(self, source, params=None, attrs=None):
        super().__init__(attrs)
        self.source, self.params = source, params or {}

    def optgroups(self, name, value, attrs=None):
        chosen = [v for v in value if str(v).isdigit()]
        rows = self.choices.queryset.filter(pk__in=chosen) if chosen else []
        options = [
            self.create_option(name, str(obj.pk), name_and_code(obj), True, i, attrs=attrs)
            for i, obj in enumerate(rows)
        ]
        return [(None, options, 0)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["url"] = picker_url(self.source, self.params)
        return context


def picker_url(source, params):
    url = reverse(source)
    if params:
        from urllib.parse import urlencode

        url = f"{url}?{urlencode(params)}"
    return url


def search(queryset, text, name="name", code="code"):
    """Rows whose name contains ``text`` or whose code starts with it (the code's index serves it)."""
    text = (text or "").strip()[:100]
    if not text:
        return queryset.none()
    prefix = Q(**{f"{code}__startswith": text}) | Q(**{f"{code}__startswith": text.upper()})
    return queryset.filter(Q(**{f"{name}__icontains": text}) | prefix)


def name_and_code(row):
    return f"{row.name}（{row.code}）"


def suggestions(request, queryset, label=name_and_code, name="name", code="code"):
    """The options of a picker's list: at most ``LIMIT`` rows of ``queryset`` matching ``?q=``, by code."""
    found = search(queryset, request.GET.get("q"), name, code).only("pk", name, code)
    rows = list(found.order_by(code)[: LIMIT + 1])
    options = [{"pk": row.pk, "code": getattr(row, code), "label": label(row)} for row in rows[:LIMIT]]
    context = {"options": options, "more": len(rows) > LIMIT, "asked": bool(request.GET.get("q", "").strip())}
    # Rendered without the request: a fragment needs none of the page's context (nor its queries).
    return HttpResponse(render_to_string("core/widgets/picker_options.html", context))
