"""``/api/assessment/schemes/``: every business role reads the schemes with their levels and indicators; the
city makes a scheme, changes one, copies one, each through ``record_schemes``; a bad scheme answered 400 with
the Chinese message where it lies and nothing written; the other roles 403 on every write; the list's queries
do not grow with its schemes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from redengine.accounts.models import ApiToken
from redengine.assessment.models import Indicator, Level, Scheme
from redengine.assessment.services import schemes
from redengine.core.models import ObjectChange
from redengine.core.writes import SYSTEM

from .helpers import default_scheme

pytestmark = pytest.mark.django_db

SCHEMES = "/api/assessment/schemes/"
LIST_QUERIES = (
    8  # the savepoint and its release, the token, the roles, the count, the page, its levels and indicators
)


def auth(example_user, username):
    user = example_user(username)
    key, _token = ApiToken.issue(user, otp_verified=user.requires_2fa)
    return {"HTTP_AUTHORIZATION": f"Token {key}", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def written():
    return (
        Scheme.objects.count(),
        Level.objects.count(),
        Indicator.objects.count(),
        ObjectChange.objects.count(),
    )


def body_of(scheme, **values):
    draft = schemes.draft_of(scheme, **values)
    jsonable = {
        k: (str(v) if v is not None and not isinstance(v, int | str | bool) else v)
        for k, v in draft.values.items()
    }

    def plain(row):
        return {
            k: (str(v) if v is not None and not isinstance(v, int | str | bool) else v)
            for k, v in row.items()
        }

    return {
        **jsonable,
        "levels": [plain(r) for r in draft.levels],
        "indicators": [plain(r) for r in draft.indicators],
    }


@pytest.mark.parametrize(
    "username", ["city_admin", "yuelu_admin", "school_secretary", "instructor", "inspector"]
)
def test_every_business_role_reads_the_schemes(client, example_user, username):
    answer = client.get(SCHEMES, **auth(example_user, username))
    assert answer.status_code == 200
    (shipped,) = [s for s in answer.json()["results"] if s["version"] == "2019"]
    assert shipped["total_points"] == "100.0"
    assert [lv["level"] for lv in shipped["levels"]] == [5, 4, 3, 2, 1]
    b1 = next(i for i in shipped["indicators"] if i["code"] == "B1")
    assert (b1["parent"], b1["metric"], b1["auto_mode"]) == ("B", "activities.compliance", "share")
    assert shipped["in_use"] is False


def test_the_city_makes_changes_and_copies_a_scheme(client, example_user):
    city = auth(example_user, "city_admin")
    body = body_of(default_scheme(), version="接口版", effective_year=2025)
    made = client.post(SCHEMES, body, content_type="application/json", **city)
    assert made.status_code == 201, made.json()
    data = made.json()
    assert data["version"] == "接口版"
    assert len(data["indicators"]) == default_scheme().indicators.count()
    url = f"{SCHEMES}{data['id']}/"
    changed = client.patch(
        url, {"notes": "接口修改", "publicity_days": 7}, content_type="application/json", **city
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["publicity_days"] == 7
    assert changed.json()["levels"] == data["levels"]  # left out: kept
    copied = client.post(
        f"{url}copy/",
        {"version": "接口版二", "effective_year": 2026},
        content_type="application/json",
        **city,
    )
    assert copied.status_code == 201, copied.json()
    assert copied.json()["based_on"] == data["id"]
    assert ObjectChange.objects.filter(content_type__model="scheme", username="city_admin").count() == 3


def test_a_bad_scheme_answers_400_where_it_lies_and_writes_nothing(client, example_user):
    city = auth(example_user, "city_admin")
    body = body_of(default_scheme(), version="坏版本", effective_year=2025)
    body["levels"][1]["min_points"] = "95"  # four stars from 95: not below five stars' 90
    body["indicators"][1]["max_points"] = "abc"
    before = written()
    answer = client.post(SCHEMES, body, content_type="application/json", **city)
    assert answer.status_code == 400
    errors = answer.json()
    assert "门槛重叠" in errors["levels"]["0"]["min_points"][0]
    assert "一位小数" in errors["indicators"]["1"]["max_points"][0]
    assert written() == before
    answer = client.post(
        SCHEMES, {"name": "缺等级", "levels": "五星"}, content_type="application/json", **city
    )
    assert answer.status_code == 400
    assert written() == before


@pytest.mark.parametrize("username", ["yuelu_admin", "school_secretary", "instructor", "inspector"])
def test_the_other_roles_may_not_write(client, example_user, username):
    headers = auth(example_user, username)
    scheme = default_scheme()
    before = written()
    body = body_of(scheme, version="越权", effective_year=2025)
    assert client.post(SCHEMES, body, content_type="application/json", **headers).status_code == 403
    url = f"{SCHEMES}{scheme.pk}/"
    assert client.patch(url, {"notes": "x"}, content_type="application/json", **headers).status_code == 403
    copy = {"version": "越权", "effective_year": 2025}
    assert client.post(f"{url}copy/", copy, content_type="application/json", **headers).status_code == 403
    assert client.delete(url, **headers).status_code == 403
    assert written() == before


def test_a_scheme_is_never_deleted(client, example_user):
    before = written()
    answer = client.delete(f"{SCHEMES}{default_scheme().pk}/", **auth(example_user, "city_admin"))
    assert answer.status_code == 405
    assert written() == before


def test_the_list_does_not_query_per_scheme(client, example_user):
    headers = auth(example_user, "inspector")
    client.get(SCHEMES, **headers)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as one:
        assert client.get(SCHEMES, **headers).status_code == 200
    for n in range(3):
        schemes.copy_scheme(default_scheme(), by=SYSTEM, version=f"查询{n}", effective_year=2020 + n)
    with CaptureQueriesContext(connection) as four:
        answer = client.get(SCHEMES, **headers)
    assert answer.json()["count"] == 4
    assert len(four) == len(one)
    assert len(four) <= LIST_QUERIES, [q["sql"] for q in four.captured_queries]
