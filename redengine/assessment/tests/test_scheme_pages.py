"""The scheme, rating and designation pages: each renders for every business role; the city edits a scheme
(header, levels and tree on one page; a bad scheme shown on its row, nothing written), copies, exports and
imports one, and names a demonstration branch; the other roles get 403 on every write; the lists filter and
export, and their queries do not grow with their rows."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from redengine.assessment.models import Designation, Indicator, Level, Rating, Scheme
from redengine.assessment.services import schemes
from redengine.core.models import AccessEvent, ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM

from .helpers import BRANCH, FURONG_BRANCH, SIBLING, default_scheme, org

pytestmark = pytest.mark.django_db

ROLES = ["city_admin", "yuelu_admin", "school_secretary", "instructor", "inspector"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def written():
    return (
        Scheme.objects.count(),
        Level.objects.count(),
        Indicator.objects.count(),
        Rating.objects.count(),
        Designation.objects.count(),
        ObjectChange.objects.count(),
    )


def rate(code, year, level):
    item = Item({"organization": org(code), "year": year, "level": level, "imported": True})
    return schemes.record_ratings([item], by=SYSTEM)[0]


def fields_of(response):
    """The POST data of the scheme form as the page shows it: every field's value, the formsets' management."""
    data = {}
    for form in [response.context["form"], *response.context["levels"], *response.context["indicators"]]:
        for field in form:
            value = field.value()
            if field.widget_type == "checkbox":
                if value:
                    data[field.html_name] = "on"
            elif value is not None:
                data[field.html_name] = str(value)
    for formset in (response.context["levels"], response.context["indicators"]):
        for field in formset.management_form:
            data[field.html_name] = str(field.value())
    return data


def row(data, prefix, code):
    """The form prefix of the indicator row of ``code``."""
    for key, value in data.items():
        if key.startswith(prefix) and key.endswith("-code") and value == code:
            return key[: -len("-code")]
    raise KeyError(code)


@pytest.mark.parametrize("username", ROLES)
def test_the_pages_render_for_every_role(client_for, username):
    rate(BRANCH, 2018, 5)
    schemes.record_designations(
        [Item({"organization": org(BRANCH), "year": 2018, "document_number": "示范1号"})], by=SYSTEM
    )
    client = client_for(username)
    scheme = default_scheme()
    page = client.get(reverse("assessment:scheme_list"))
    assert page.status_code == 200
    assert scheme.name in page.content.decode()
    page = client.get(scheme.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "三会一课" in text  # the tree
    assert ("edit-scheme" in text) == (username == "city_admin")
    ratings = client.get(reverse("assessment:rating_list"))
    assert ratings.status_code == 200
    shown = BRANCH in ratings.content.decode()
    assert shown == (username in ("city_admin", "yuelu_admin", "school_secretary", "inspector")), username
    named = client.get(reverse("assessment:designation_list"))
    assert named.status_code == 200
    assert ("示范1号" in named.content.decode()) == shown


def test_the_city_edits_a_scheme_on_one_page(client_for):
    scheme = schemes.copy_scheme(default_scheme(), by=SYSTEM, version="页面版", effective_year=2024)
    client = client_for("city_admin")
    url = reverse("assessment:scheme_edit", args=[scheme.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = fields_of(page)
    data["scheme-notes"] = "页面修改"
    a3 = row(data, "indicators-", "A3")
    data[f"{a3}-guidance"] = "制度上墙（页面修改）"
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.context and answer.context["form"].errors
    scheme.refresh_from_db()
    assert scheme.notes == "页面修改"
    assert Indicator.objects.get(scheme=scheme, code="A3").guidance == "制度上墙（页面修改）"
    # thresholds that overlap: the page again, the problem on the level's row, nothing written
    before = written()
    data["levels-1-min_points"] = "95"  # four stars from 95: not below five stars' 90
    answer = client.post(url, data)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "门槛重叠" in text
    assert answer.context["levels"].forms[0].errors["min_points"]
    assert written() == before
    # an item's points that no longer add up: told on its dimension's row
    data["levels-1-min_points"] = "80"
    data[f"{a3}-max_points"] = "4"
    answer = client.post(url, data)
    assert answer.status_code == 200
    a = int(row(data, "indicators-", "A").split("-")[1])
    assert "合计" in str(answer.context["indicators"].forms[a].errors["max_points"])
    assert written() == before


def test_the_city_adds_copies_exports_and_imports_a_scheme(client_for):
    client = client_for("city_admin")
    assert client.get(reverse("assessment:scheme_add")).status_code == 200
    scheme = default_scheme()
    answer = client.post(
        reverse("assessment:scheme_copy", args=[scheme.pk]), {"version": "2025", "effective_year": 2025}
    )
    copy = Scheme.objects.get(version="2025")
    assert answer.status_code == 302
    assert answer["Location"] == reverse("assessment:scheme_edit", args=[copy.pk])
    assert copy.based_on == scheme
    exported = client.get(reverse("assessment:scheme_export", args=[copy.pk]))
    assert exported.status_code == 200
    assert exported["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    assert book.sheetnames == ["方案", "等级", "指标"]
    assert AccessEvent.objects.filter(
        kind="export", username="city_admin", object_type="assessment.scheme"
    ).exists()
    book["方案"]["B2"].value = "导入版"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "标准.xlsx"
    answer = client.post(reverse("assessment:scheme_import"), {"file": buffer})
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    imported = Scheme.objects.get(version="导入版")
    assert answer.status_code == 302
    assert imported.indicators.count() == scheme.indicators.count()
    # a bad workbook: every problem by sheet, row and column, nothing written
    book["方案"]["B2"].value = "坏导入"
    book["指标"]["D3"].value = "五分"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "坏.xlsx"
    before = written()
    answer = client.post(reverse("assessment:scheme_import"), {"file": buffer})
    assert answer.status_code == 200
    assert "指标 第 3 行" in answer.content.decode()
    assert written() == before


def test_the_city_names_a_demonstration_branch(client_for):
    rate(BRANCH, 2018, 5)
    rate(SIBLING, 2018, 4)
    client = client_for("city_admin")
    page = client.get(reverse("assessment:designation_add") + "?year=2018")
    assert page.status_code == 200
    choices = [str(c[1]) for c in page.context["form"].fields["organization"].choices]
    assert any(BRANCH in c for c in choices)
    assert not any(SIBLING in c for c in choices)  # four stars: not a choice
    answer = client.post(
        reverse("assessment:designation_add") + "?year=2018",
        {
            "year": 2018,
            "organization": org(BRANCH).pk,
            "document_number": "长教工委〔2019〕8号",
            "designated_on": "2019-03-01",
        },
    )
    assert answer.status_code == 302
    assert Designation.objects.get().document_number == "长教工委〔2019〕8号"
    before = written()
    answer = client.post(
        reverse("assessment:designation_add") + "?year=2018",
        {"year": 2018, "organization": org(BRANCH).pk, "document_number": ""},
    )
    assert answer.status_code == 200
    assert written() == before


@pytest.mark.parametrize("username", ["yuelu_admin", "school_secretary", "instructor", "inspector"])
def test_the_other_roles_get_403_on_every_write(client_for, username):
    client = client_for(username)
    scheme = default_scheme()
    before = written()
    writes = [
        reverse("assessment:scheme_add"),
        reverse("assessment:scheme_edit", args=[scheme.pk]),
        reverse("assessment:scheme_copy", args=[scheme.pk]),
        reverse("assessment:scheme_import"),
        reverse("assessment:designation_add"),
    ]
    for url in writes:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"version": "x", "effective_year": 2025}).status_code == 403, url
    assert written() == before
    export = client.get(reverse("assessment:scheme_export", args=[scheme.pk])).status_code
    assert export == (200 if username in ("yuelu_admin", "inspector") else 403)


def test_the_rating_list_filters_and_exports(client_for):
    rate(BRANCH, 2018, 5)
    rate(SIBLING, 2018, 3)
    rate(FURONG_BRANCH, 2018, 5)
    rate(BRANCH, 2017, 4)
    client = client_for("city_admin")
    url = reverse("assessment:rating_list")

    def listed(query):
        page = client.get(url + query)
        assert page.status_code == 200
        return sorted((obj.organization.code, obj.year) for obj, _cells in page.context["rows"])

    assert listed("?year=2018&level=5") == sorted([(BRANCH, 2018), (FURONG_BRANCH, 2018)])
    assert listed("?district=CS430102") == [(FURONG_BRANCH, 2018)]
    assert listed("?within=CS430104-02&year=2017") == [(BRANCH, 2017)]
    exported = client.get(url + "?year=2018&export=xlsx")
    assert exported["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert sorted((r[0], r[2], r[3]) for r in rows) == sorted(
        [(BRANCH, 2018, "五星"), (SIBLING, 2018, "三星"), (FURONG_BRANCH, 2018, "五星")]
    )


def test_the_lists_do_not_query_per_row(client_for):
    client = client_for("yuelu_admin")
    addresses = {
        "schemes": reverse("assessment:scheme_list"),
        "ratings": reverse("assessment:rating_list"),
        "rating export": reverse("assessment:rating_list") + "?export=xlsx",
        "designations": reverse("assessment:designation_list"),
        "scheme": default_scheme().get_absolute_url(),
    }
    rate(BRANCH, 2015, 5)
    schemes.record_designations(
        [Item({"organization": org(BRANCH), "year": 2015, "document_number": "1号"})], by=SYSTEM
    )
    for address in addresses.values():
        client.get(address)
    counts = {}
    for when in ("before", "after"):
        if when == "after":
            for year in (2016, 2017, 2018):
                rate(BRANCH, year, 5)
                rate(SIBLING, year, 4)
                schemes.record_designations(
                    [Item({"organization": org(BRANCH), "year": year, "document_number": f"{year}号"})],
                    by=SYSTEM,
                )
            schemes.copy_scheme(default_scheme(), by=SYSTEM, version="查询", effective_year=2021)
        for name, address in addresses.items():
            with CaptureQueriesContext(connection) as counted:
                assert client.get(address).status_code == 200, name
            counts[(name, when)] = len(counted)
    for name in addresses:
        assert counts[(name, "after")] == counts[(name, "before")], (name, counts)


def test_the_city_makes_a_scheme_from_an_empty_page(client_for):
    client = client_for("city_admin")
    url = reverse("assessment:scheme_add")
    data = fields_of(client.get(url))
    data.update(
        {
            "scheme-name": "合格优秀样板定级标准",
            "scheme-version": "2024",
            "scheme-effective_year": "2024",
            "scheme-total_points": "100",
            "scheme-level_kind": "grades",
            "scheme-veto_cap": "1",
        }
    )
    for n in range(6):  # three grades only: 样板 ≥ 90, 优秀 ≥ 75, 合格 ≥ 0
        for field in ("level", "name", "min_points", "quota_percent"):
            data.pop(f"levels-{n}-{field}", None)
    grades = [("3", "样板", "90"), ("2", "优秀", "75"), ("1", "合格", "0")]
    for n, (level, name, points) in enumerate(grades):
        data.update({f"levels-{n}-level": level, f"levels-{n}-name": name, f"levels-{n}-min_points": points})
    tree = [("A", "", "班子建设", "60"), ("A1", "A", "书记履职", "60"), ("B", "", "组织生活", "40")]
    tree += [("B1", "B", "三会一课", "30"), ("B2", "B", "主题党日", "10")]
    for n, (code, parent, name, points) in enumerate(tree):
        data.update(
            {
                f"indicators-{n}-code": code,
                f"indicators-{n}-parent": parent,
                f"indicators-{n}-name": name,
                f"indicators-{n}-max_points": points,
            }
        )
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.context and [f.errors for f in answer.context["levels"]]
    made = Scheme.objects.get(name="合格优秀样板定级标准")
    assert made.level_kind == "grades"
    assert list(made.levels.order_by("level").values_list("name", flat=True)) == ["合格", "优秀", "样板"]
    assert Indicator.objects.get(scheme=made, code="B2").parent.code == "B"
