"""Deep pages read by their keys first (core/pagination.py): the same rows as ORDER BY … OFFSET, in two
queries, with the list's joins and prefetches; what cannot be read so is sliced as before."""

import re

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Prefetch
from django.test.utils import CaptureQueriesContext

from redengine.core.pagination import DeferredJoinPaginator, deferrable
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Membership, Person

ROW = re.compile(r'<tr data-pk="(\d+)"')


class EveryPageDeferred(DeferredJoinPaginator):
    deferred_from = 0


def querysets(user):
    return [
        Person.objects.visible_to(user).select_related("school").order_by("school__code", "name", "pk"),
        Person.objects.visible_to(user).order_by("-political_status", "pk"),  # ties broken by the key
        PartyOrganization.objects.visible_to(user).order_by("name_key", "pk"),
        School.objects.visible_to(user).filter(school_type__in=["primary", "junior"]).order_by("-code"),
    ]


@pytest.mark.parametrize(("per_page", "orphans"), [(3, 0), (4, 1), (5, 2)])
def test_every_page_read_by_its_keys_is_the_plain_offset_page(example_user, per_page, orphans):
    user = example_user("city_admin")
    for queryset in querysets(user):
        plain = Paginator(queryset, per_page, orphans=orphans)
        deferred = EveryPageDeferred(queryset, per_page, orphans=orphans)
        assert plain.num_pages > 1, "a list of several pages"
        assert deferred.num_pages == plain.num_pages
        for number in plain.page_range:
            expected = list(plain.page(number))
            found = list(deferred.page(number))
            assert [o.pk for o in found] == [o.pk for o in expected], (queryset.query, number)
            assert [type(o) for o in found] == [type(o) for o in expected]


def test_a_deep_page_is_two_queries_with_the_joins_and_prefetches_of_the_list(
    example_user, django_assert_num_queries
):
    user = example_user("city_admin")
    queryset = (
        Person.objects.visible_to(user)
        .select_related("school")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("organization")))
        .order_by("name_key", "pk")
    )
    expected = [
        (p.pk, p.school.name, [m.organization.code for m in p.memberships.all()]) for p in queryset[4:8]
    ]
    paginator = EveryPageDeferred(queryset, 4)
    assert paginator.count > 8  # counted apart, as the list does
    with django_assert_num_queries(3):  # the keys, the rows with their schools, the memberships
        page = paginator.page(2)
        found = [(p.pk, p.school.name, [m.organization.code for m in p.memberships.all()]) for p in page]
    assert found == expected
    plain = DeferredJoinPaginator(queryset, 4)  # below its threshold: one query, and the prefetch
    assert plain.count == paginator.count
    with django_assert_num_queries(2):
        assert [p.pk for p in plain.page(2)] == [p for p, _school, _codes in expected]


def test_what_cannot_be_read_by_its_keys_is_sliced_as_before(example_user, django_assert_num_queries):
    user = example_user("city_admin")
    people = Person.objects.visible_to(user)
    grouped = (
        PartyOrganization.objects.visible_to(user)
        .annotate(people=Count("memberships"))
        .order_by("-people", "pk")
    )
    for queryset in (
        people.order_by("political_status").distinct(),
        grouped,
        people.values("pk", "name").order_by("pk"),
        people.order_by("pk")[:6],
        list(people.order_by("pk")),
    ):
        assert not deferrable(queryset)
        paginator = EveryPageDeferred(queryset, 2)
        assert paginator.count > 2
        with django_assert_num_queries(0 if isinstance(queryset, list) else 1):
            found = list(paginator.page(2))
        assert found == list(Paginator(queryset, 2).page(2))


@pytest.mark.parametrize(
    "url",
    [
        "/orgs/organizations/?sort=name_key&page=2",
        "/orgs/organizations/?page=2",
        "/orgs/organizations/?sort=-founded_on&page=2",  # (undated ones among them: ties broken by the key)
    ],
)
def test_a_list_page_past_the_threshold_shows_the_same_rows_for_one_query_more(client_for, monkeypatch, url):
    client = client_for("city_admin")
    client.get(url)  # the session's renewal and the read window made
    with CaptureQueriesContext(connection) as plain_queries:
        plain = ROW.findall(client.get(url).content.decode())
    monkeypatch.setattr(DeferredJoinPaginator, "deferred_from", 0)
    with CaptureQueriesContext(connection) as deferred_queries:
        deferred = ROW.findall(client.get(url).content.decode())
    assert plain, "the second page has rows"
    assert deferred == plain
    assert len(deferred_queries) == len(plain_queries) + 1  # the page's keys, then its rows


def test_an_api_page_past_the_threshold_shows_the_same_rows(client_for, monkeypatch):
    client = client_for("city_admin")
    url = "/api/people/people/?page_size=4&page=3&ordering=name"
    plain = client.get(url, HTTP_ACCEPT="application/json").json()
    monkeypatch.setattr(DeferredJoinPaginator, "deferred_from", 0)
    deferred = client.get(url, HTTP_ACCEPT="application/json").json()
    assert plain["results"], "the third page has people"
    assert deferred == plain


def test_the_change_records_page_past_the_threshold_shows_the_same_records(client_for, monkeypatch):
    client = client_for("audit_admin")
    url = "/audit/changes/?page=3"
    plain = client.get(url)
    monkeypatch.setattr(DeferredJoinPaginator, "deferred_from", 0)
    deferred = client.get(url)
    shown = [change.pk for change in plain.context["page_obj"].object_list]
    assert len(shown) == 25
    assert [change.pk for change in deferred.context["page_obj"].object_list] == shown
    assert deferred.status_code == plain.status_code == 200
