"""The dashboard's figures equal brute-force counts over the user's subtree, in a fixed number of queries."""

from collections import Counter

import pytest

from redengine.core.codes import DISTRICTS
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization, School
from redengine.orgs.services import save_organizations, save_schools

pytestmark = pytest.mark.django_db
# session, user, TOTP device, roles, grouped counts of organizations and schools (and school types
# within one district), staff and members, session save; plus the request's savepoints; plus the to-do
# items (core/todo.py, a fixed number each: see test_todo.py)
DASHBOARD_QUERIES = 51  # (dual cultivation: two items, a grouped count and its bureaus each; pioneer units,
# the showcase and pairing: their items, one query each when nothing waits; star rating: at most 4 for the city;
# membership: 11 for the city, one per item when nothing waits — transfers 4, states 4, dues 3)


def subtree(code):
    """Every organization under ``code``, by walking children one level at a time (no path prefixes)."""
    found, frontier = [], [PartyOrganization.objects.get(code=code)]
    while frontier:
        found.extend(frontier)
        frontier = [c for node in frontier for c in PartyOrganization.objects.get_children(node)]
    return found


def brute_force(code):
    orgs = subtree(code)
    ids = {o.pk for o in orgs}
    schools = [
        s
        for s in School.objects.all()
        if ids & {o.pk for o in s.organizations.all()}
        or (
            not s.organizations.exists()
            and PartyOrganization.objects.filter(district=s.district, pk__in=ids).exists()
        )
    ]
    types = Counter(o.get_org_type_display() for o in orgs)
    districts = Counter(DISTRICTS[s.district] for s in schools)
    return types, districts


@pytest.mark.parametrize(
    ("username", "scope"),
    [
        ("city_admin", "CS0001"),
        ("yuelu_admin", "CS430104"),
        ("school_secretary", "CS430104-02"),
        ("instructor", "CS430104-04"),
    ],
)
def test_counts_match_a_brute_force_count(client_for, username, scope, django_assert_max_num_queries):
    client = client_for(username)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get("/")
    types, districts = brute_force(scope)
    assert {str(k): v for k, v in response.context["org_rows"]} == {str(k): v for k, v in types.items()}
    assert dict(response.context["school_rows"]) == dict(districts)
    assert response.context["org_total"] == sum(types.values())
    html = response.content.decode()
    assert f'id="org-total">{sum(types.values())}<' in html
    assert f'id="school-total">{sum(districts.values())}<' in html


def test_uncovered_school_counts_in_its_district(client_for):
    values = {
        "code": "4301040099",
        "name": "岳麓区未建党组织学校",
        "district": "430104",
        "ownership": "private",
        "school_type": "kindergarten",
        "urban_rural": "urban",
    }
    save_schools([Item(values)], by=SYSTEM)
    response = client_for("yuelu_admin").get("/")
    assert dict(response.context["school_rows"])["岳麓区"] == School.objects.filter(district="430104").count()
    assert "岳麓区" not in dict(client_for("furong_admin").get("/").context["school_rows"])


def test_query_count_does_not_grow_with_data(client_for, django_assert_max_num_queries):
    parent = PartyOrganization.objects.get(code="CS430104")
    items = [
        Item({"code": f"CS430104-X{i:02d}", "name": f"测试支部{i}", "org_type": "branch", "parent": parent})
        for i in range(30)
    ]
    save_organizations(items, by=SYSTEM)
    client = client_for("city_admin")
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        client.get("/")


def test_list_pages_query_count(client_for, django_assert_max_num_queries):
    client = client_for("city_admin")
    # 12, and the unread notifications of the bell; the change records add one query per kind of record
    # their values name (people, organizations, cases, and the guidance records' dispatches: the names shown
    # for ids) and one for the import jobs.
    bounds = {"/orgs/schools/": 13, "/orgs/organizations/": 13, "/audit/changes/": 18, "/audit/access/": 13}
    for url, bound in bounds.items():
        client.get(url)  # content types are cached after their first use
        with django_assert_max_num_queries(bound):
            assert client.get(url).status_code == 200


def test_bad_years_get_a_clear_message(client_for):
    client = client_for("city_admin")
    page = client.get("/reports/coverage/", {"year": "99999"})
    assert page.status_code == 200
    assert "四位数" in page.content.decode()
    api = client.get("/api/metrics/", {"year": "99999"})
    assert api.status_code == 400
    assert "四位数" in str(api.json())


def test_coverage_advice_query_count_does_not_grow(client_for, django_assert_max_num_queries):
    client = client_for("city_admin")
    client.get("/reports/coverage/")
    with django_assert_max_num_queries(20):
        client.get("/reports/coverage/")
