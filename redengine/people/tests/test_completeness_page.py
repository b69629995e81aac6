"""Record completeness: counted by district and school (what is missing most), every incomplete record
listed (the total shown, the pages reaching the last), filtered, exported, scoped to the user, in a bounded
number of queries whatever the number of records."""

import datetime
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from redengine.core.models import AccessEvent
from redengine.core.validators import make_id_number
from redengine.orgs.models import School
from redengine.people.completeness import people_by_completeness
from redengine.people.models import Person

pytestmark = pytest.mark.django_db


def url():
    return reverse("people:completeness")


def incomplete_people(n, school_code="4301040002", start=0):
    """``n`` staff of a school without an education recorded (masses: no membership needed)."""
    school = School.objects.get(code=school_code)
    people = []
    for i in range(start, start + n):
        born = datetime.date(1980, 1, 1) + datetime.timedelta(days=i)
        person = Person(
            name=f"完整度测试{school_code[-4:]}{i:03d}",
            school=school,
            sex="female",
            birth_date=born,
            political_status="masses",
            ethnic_group="01",
            post="teacher",
        )
        person.set_id_number(make_id_number(school_code[:6], born, i % 400 * 2 + 1))
        person.set_mobile(f"139{i:08d}")
        people.append(person)
    Person.objects.bulk_create(people)


def names_of(page):
    return re.findall(r'<td data-label="姓名"><a href="[^"]+">([^<]+)</a>', page)


def expected_incomplete(user, **filters):
    people, items = people_by_completeness(Person.objects.visible_to(user).filter(**filters))
    return list(people.filter(filled__lt=len(items)).values_list("name", flat=True))


def test_every_incomplete_record_is_reached_and_the_total_shown(client_for, example_user):
    incomplete_people(60)
    client = client_for("city_admin")
    first = client.get(url())
    expected = expected_incomplete(example_user("city_admin"))
    assert len(expected) >= 60
    page = first.content.decode()
    assert re.search(rf'id="records-count">[^<]*\b{len(expected)}\b', page)
    assert first.context["paginator"].count == len(expected) == first.context["people_incomplete"]
    found = names_of(page)
    for number in range(2, first.context["paginator"].num_pages + 1):
        found += names_of(client.get(url(), {"page": number}).content.decode())
    assert found == expected  # least complete first, every one once
    district = {r["name"]: r for r in first.context["district_rows"]}["岳麓区"]
    assert district["people"]["incomplete"] == len(
        expected_incomplete(example_user("city_admin"), school__district="430104")
    )
    assert district["people"]["lacks"][0][0] == "学历"  # missing most
    school = first.context["school_rows"][0]
    assert school["school__code"] == "4301040002"
    assert school["incomplete"] == len(
        expected_incomplete(example_user("city_admin"), school__code="4301040002")
    )


def test_filters_by_district_school_and_missing_item(client_for, example_user):
    incomplete_people(5)
    incomplete_people(4, school_code="4301020001")
    client = client_for("city_admin")
    admin = example_user("city_admin")
    assert names_of(client.get(url(), {"district": "430102"}).content.decode()) == expected_incomplete(
        admin, school__district="430102"
    )
    by_school = names_of(client.get(url(), {"school": "4301020001", "missing": "education"}).content.decode())
    assert set(by_school) >= {f"完整度测试0001{i:03d}" for i in range(4)}
    assert all(not n.startswith("完整度测试0002") for n in by_school)
    named = names_of(client.get(url(), {"q": "完整度测试0002004"}).content.decode())
    assert named == ["完整度测试0002004"]
    assert names_of(client.get(url(), {"missing": "mobile", "q": "完整度测试"}).content.decode()) == []
    orgs = client.get(url(), {"kind": "organizations", "district": "430104"})
    assert orgs.status_code == 200
    codes = re.findall(r'<td data-label="党组织代码">([^<]+)</td>', orgs.content.decode())
    assert codes
    assert all(code.startswith("CS430104") for code in codes)


def test_a_district_administrator_sees_only_the_district(client_for):
    incomplete_people(3)
    incomplete_people(4, school_code="4301020001")
    client = client_for("yuelu_admin")
    response = client.get(url())
    page = response.content.decode()
    assert [r["name"] for r in response.context["district_rows"]] == ["岳麓区"]
    assert "芙蓉区" not in page
    assert "完整度测试0001" not in page
    other = client.get(url(), {"district": "430102"})
    assert names_of(other.content.decode()) == []
    assert other.context["paginator"].count == 0
    exported = client.get(url(), {"school": "4301020001", "export": "xlsx"})
    assert sheet_rows(exported) == []


def test_a_school_secretary_has_no_district_tables(client_for):
    response = client_for("school_secretary").get(url())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="completeness-districts"' not in page
    assert 'id="completeness-schools"' not in page


def sheet_rows(response):
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return list(book.active.iter_rows(min_row=3, values_only=True))


def test_the_export_is_the_filtered_records_and_is_logged(client_for, example_user):
    incomplete_people(30)
    client = client_for("city_admin")
    rows = sheet_rows(client.get(url(), {"school": "4301040002", "export": "xlsx"}))
    expected = expected_incomplete(example_user("city_admin"), school__code="4301040002")
    assert [r[0] for r in rows] == expected
    assert rows[-1][1:4] == ("4301040002", "梅溪湖中学", "岳麓区") or rows[-1][1] == "4301040002"
    assert "学历" in rows[-1][4]
    event = AccessEvent.objects.filter(kind=AccessEvent.Kind.EXPORT).latest("pk")
    assert event.row_count == len(rows)
    orgs = sheet_rows(client.get(url(), {"kind": "organizations", "export": "xlsx"}))
    assert orgs
    assert all(r[3] for r in orgs)


def queries_of(client, query=None):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(), query or {}).status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_records(client_for):
    client = client_for("city_admin")
    incomplete_people(3)
    client.get(url())
    few = queries_of(client), queries_of(client, {"kind": "organizations"})
    incomplete_people(80, start=100)
    incomplete_people(20, school_code="4301020001", start=300)
    many = queries_of(client), queries_of(client, {"kind": "organizations"})
    assert few == many
    assert many[0] <= 30
