"""The name search: case-blind where the words typed have a case, a plain match for a Chinese name (the
same rows, without an ``UPPER()`` of every name the scope holds)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from redengine.core.filters import uncased
from redengine.people.models import Person

pytestmark = pytest.mark.django_db
ROW = 'data-pk="{}"'


def lookups(data):
    """The lookups of the name filter's conditions in the filtered queryset's WHERE."""
    from redengine.people.filters import PersonFilterSet

    where = PersonFilterSet(data=data, queryset=Person.objects.all()).qs.query.where
    found, stack = set(), [where]
    while stack:
        node = stack.pop()
        if hasattr(node, "children"):
            stack.extend(node.children)
        elif (
            getattr(getattr(node, "lhs", None), "target", None) is not None and node.lhs.target.name == "name"
        ):
            found.add(node.lookup_name)
    return found


def search(client, words):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("people:person_list"), {"q": words})
    assert response.status_code == 200
    counts = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)") and "people_person" in q["sql"]
    ]
    assert counts, "the list counted no people"
    return response.content.decode(), counts[0]


def test_a_chinese_name_is_matched_without_folding_the_case_of_every_row(client_for, example_user):
    client = client_for("yuelu_admin")
    person = Person.objects.visible_to(example_user("yuelu_admin")).order_by("pk").first()
    page, count_sql = search(client, person.name)
    assert ROW.format(person.pk) in page
    if connection.vendor == "postgresql":
        assert "UPPER(" not in count_sql  # no case folding in the query
    assert lookups({"q": person.name}) == {"contains"}


def test_words_with_a_case_are_matched_whatever_the_case(client_for, example_user):
    client = client_for("yuelu_admin")
    person = Person.objects.visible_to(example_user("yuelu_admin")).order_by("pk").first()
    Person.objects.filter(pk=person.pk).update(name=f"Anna{person.name}")
    page, count_sql = search(client, "aNNA")
    assert ROW.format(person.pk) in page
    if connection.vendor == "postgresql":
        assert "UPPER(" in count_sql  # case-blind there
    assert lookups({"q": "aNNA"}) == {"icontains"}
    page, _sql = search(client, person.name)  # the Chinese part alone, matched as it is
    assert ROW.format(person.pk) in page


@pytest.mark.parametrize(
    ("words", "expected"), [("张三", True), ("2024", True), ("Anna", False), ("ß", False), ("", True)]
)
def test_uncased(words, expected):
    assert uncased(words) is expected
