"""The coverage page (应建尽建): counted per district, each count linking to its items; the items filtered,
sorted by district then code, paged to the last one, exported, scoped to the user, in a bounded number of
queries whatever the number of rows."""

import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from redengine.core.metrics import Period
from redengine.core.models import AccessEvent
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization
from redengine.orgs.services import save_schools
from redengine.reports import coverage as analysis

pytestmark = pytest.mark.django_db
URL = "/reports/coverage/"


def private_schools(n, district="430104", start=0):
    """``n`` private schools without members, organization or instructor: each a coverage gap."""
    save_schools(
        [
            Item(
                {
                    "code": f"99{district[-2:]}{start + i:06d}",
                    "name": f"覆盖测试民办学校{district}{start + i:03d}",
                    "district": district,
                    "ownership": "private",
                    "school_type": "primary",
                    "urban_rural": "urban",
                }
            )
            for i in range(n)
        ],
        by=SYSTEM,
    )


def rows_of(page):
    """(kind, code) of the item rows of a page."""
    return re.findall(
        r'<tr data-kind="(\w+)"><td[^>]*>[^<]*</td><td[^>]*>[^<]*</td><td[^>]*>([^<]*)</td>', page
    )


def expected(code, **only):
    scope = PartyOrganization.objects.get(code=code)
    rows = analysis.items(scope, Period.of())
    return [(r["kind"], r["code"]) for r in rows if all(r[k] == v for k, v in only.items())]


def all_pages(client, query):
    first = client.get(URL, query)
    found = rows_of(first.content.decode())
    for number in range(2, first.context["paginator"].num_pages + 1):
        found += rows_of(client.get(URL, {**query, "page": number}).content.decode())
    return first, found


def test_counts_match_the_items_and_the_pages_reach_the_last(client_for):
    private_schools(30)
    private_schools(4, district="430102")
    client = client_for("city_admin")
    first, found = all_pages(client, {})
    items = expected("CS0001")
    assert len(items) > 34  # more than one page
    assert first.context["paginator"].num_pages == -(-len(items) // 25)
    assert found == items  # every item once, in the order of district then code
    page = first.content.decode()
    assert f'id="coverage-total">{len(items)}<' in page
    table = {name: counts for name, counts, _t, _u in first.context["districts"]}
    assert [n for n, _q, _l in table["岳麓区"]][0] == len(expected("CS0001", kind="gap", district="430104"))
    assert sum(total for _n, _c, total, _u in first.context["districts"]) == len(items)
    # Each count links to exactly its items.
    n, link, _label = table["岳麓区"][0]
    linked = client.get(URL + "?" + link)
    assert linked.context["shown_total"] == n
    assert {kind for kind, _code in rows_of(linked.content.decode())} == {"gap"}
    last = client.get(URL, {"page": 999}).content.decode()  # past the end: the last page
    assert rows_of(last)[-1] == items[-1]


def test_filters_by_district_kind_and_name(client_for):
    private_schools(30)
    private_schools(4, district="430102")
    client = client_for("city_admin")
    _first, found = all_pages(client, {"district": "430102"})
    assert found == expected("CS0001", district="430102")
    assert ("gap", "9902000003") in found
    response = client.get(URL, {"kind": "gap", "q": "民办学校430104029"})
    assert rows_of(response.content.decode()) == [("gap", "9904000029")]
    bad = client.get(URL, {"kind": "nonsense"})
    assert bad.status_code == 200
    assert bad.context["shown_total"] == 0
    assert "kind" in bad.context["form"].errors


def test_a_district_administrator_sees_only_the_district(client_for):
    private_schools(3)
    private_schools(4, district="430102")
    client = client_for("yuelu_admin")
    response = client.get(URL)
    page = response.content.decode()
    assert [name for name, *_rest in response.context["districts"]] == ["岳麓区"]
    assert "芙蓉区" not in page
    assert rows_of(page) == expected("CS430104")
    # Not even counts of another district: its filter finds nothing, its scope is not found.
    other = client.get(URL, {"district": "430102"})
    assert rows_of(other.content.decode()) == []
    assert "覆盖测试民办学校430102" not in other.content.decode()
    assert client.get(URL, {"scope": "CS430102"}).status_code == 404
    exported = client.get(URL, {"district": "430102", "export": "xlsx"})
    assert not any("430102" in str(v) for v in sheet_rows(exported) for v in v)


def test_a_school_secretary_has_no_district_tables(client_for):
    response = client_for("school_secretary").get(URL)
    assert response.status_code == 200
    assert 'id="coverage-summary"' not in response.content.decode()


def sheet_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return list(book.active.iter_rows(min_row=3, values_only=True))


def test_the_export_is_the_filtered_items_and_is_logged(client_for):
    private_schools(30)
    client = client_for("city_admin")
    response = client.get(URL, {"district": "430104", "kind": "gap", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response)
    assert [(r[2]) for r in rows] == [
        code for _kind, code in expected("CS0001", district="430104", kind="gap")
    ]
    assert all(r[0] == "岳麓区" and r[1] == "应建尽建缺口" for r in rows)
    event = AccessEvent.objects.filter(kind=AccessEvent.Kind.EXPORT).latest("pk")
    assert event.row_count == len(rows) >= 30


def queries_of(client, query=None):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, query or {}).status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_rows(client_for):
    client = client_for("city_admin")
    private_schools(3)
    client.get(URL)  # caches warmed
    few = queries_of(client), queries_of(client, {"district": "430104", "page": 2})
    private_schools(60, start=100)
    many = queries_of(client), queries_of(client, {"district": "430104", "page": 2})
    assert few == many
    assert many[0] <= 25
