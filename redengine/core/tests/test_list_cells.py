"""A list's cells, written in Python (core/views.py ``Cell.td``, ``Cells``), are what the table's template
wrote cell by cell; a choice column reads its label from the labels looked up once (``choice_labels``)."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from redengine.core import views
from redengine.core.views import Cell, Cells, Column, choice_labels
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person

# The table's cell as core/object_list.html wrote it before the cells were written in Python.
TEMPLATE = Template(
    '{% load redengine %}<td data-label="{{ c.label }}">{% if c.url %}<a href="{{ c.url }}">'
    "{{ c.value|cell }}</a>{% else %}{{ c.value|cell }}{% endif %}</td>"
)

VALUES = [
    None,
    "",
    "plain text",
    '<b>"quoted" & tagged</b>',
    mark_safe("<i>already safe</i>"),  # noqa: S308 (a value a column may give: its own markup)
    True,
    False,
    0,
    12345,
    -7,
    2.5,
    Decimal("1234.50"),
    datetime.date(2026, 12, 3),
    timezone.make_aware(datetime.datetime(2026, 12, 3, 22, 30)),
    datetime.datetime(2026, 12, 3, 1, 2, tzinfo=datetime.UTC),
    ["党员", "<团员>"],
    (),
    gettext_lazy("Yes"),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("url", [None, "", "/people/people/7/?a=1&b=<2>"])
def test_a_cell_is_what_the_template_wrote(value, url, language):
    label = gettext_lazy("Full name")
    with translation.override(language):
        cell = Cell(value, url, label)
        assert cell.td() == TEMPLATE.render(Context({"c": cell}))


def test_a_row_joins_its_cells_with_their_attributes():
    cells = Cells([Cell("a", "/x/", "A"), Cell("<b>", None, "B")], [mark_safe(' class="k"'), ""])  # noqa: S308
    assert (
        str(cells) == '<td data-label="A" class="k"><a href="/x/">a</a></td><td data-label="B">&lt;b&gt;</td>'
    )
    assert Template("{{ cells }}").render(Context({"cells": cells})) == str(cells)
    assert [tuple(c) for c in cells] == [("a", "/x/"), ("<b>", None)]  # still the list of cells
    assert str(Cells([Cell(None, None, "C")])) == '<td data-label="C">—</td>'


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_choice_column_gives_the_label_django_gives(language):
    with translation.override(language):
        for school in School.objects.all():
            for name in ("get_district_display", "get_school_type_display", "get_ownership_display"):
                assert Column(name, "x").value(school) == getattr(school, name)()
                assert Column(name, "x").reader(School)(school) == getattr(school, name)()
        person = Person.objects.select_related("school").first()
        assert (
            Column("school.get_district_display", "x").value(person) == person.school.get_district_display()
        )
        odd = School(school_type="not-a-choice", district="")
        assert Column("get_school_type_display", "x").value(odd) == "not-a-choice"
        assert Column("get_school_type_display", "x").reader(School)(odd) == "not-a-choice"
        assert Column("get_district_display", "x").value(odd) == ""


def test_the_labels_follow_the_language_and_only_stand_for_django_s_own_method(monkeypatch):
    with translation.override("en"):
        english = choice_labels(School, "get_school_type_display")
    with translation.override("zh-hans"):
        chinese = choice_labels(School, "get_school_type_display")
    assert english[0] == chinese[0] == "school_type"
    assert english[1]["primary"] != chinese[1]["primary"]
    assert choice_labels(School, "get_name_display") is None  # not a field with choices
    assert choice_labels(PartyOrganization, "get_nothing_display") is None

    # A model that writes the method itself is asked, not shortcut.
    monkeypatch.setattr(views, "_LABELS", {})
    monkeypatch.setattr(School, "get_school_type_display", lambda self: "written by the model", raising=False)
    assert choice_labels(School, "get_school_type_display") is None
    assert (
        Column("get_school_type_display", "x").value(School(school_type="primary")) == "written by the model"
    )
