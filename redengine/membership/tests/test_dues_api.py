"""The API of party dues: the calculator ``/api/people/dues-quote/`` on every worked example of domain-rules §7b
(and a wrong parameter named in Chinese), the ledger's months with their filters and masked ID numbers, a
payment by PATCH through the service (too much, a suspended member: 400 naming the field, nothing written),
and the same queries for a list of more months."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.accounts.models import ApiToken
from redengine.core.models import ObjectChange
from redengine.core.writes import SYSTEM
from redengine.membership.models import DuesEntry
from redengine.membership.services import dues

from .dues_helpers import MEIXIHU_SENIOR, Y, declare, new_member, set_status, user
from .test_dues_rules import WORKED

pytestmark = pytest.mark.django_db


def api(client, username, method, path, body=None, **query):
    who = user(username)
    key, _token = ApiToken.issue(who, otp_verified=who.requires_2fa)
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    if method == "get":
        return client.get(path, query, **headers)
    return getattr(client, method)(path, body or {}, content_type="application/json", **headers)


def quote_of(client, username="school_secretary", **query):
    return api(client, username, "get", reverse("dues_quote"), **query)


@pytest.mark.parametrize(("category", "base", "monthly", "rate", "rule"), WORKED)
def test_the_quote_answers_every_worked_example(client, category, base, monthly, rate, rule):
    answer = quote_of(client, base=base, category=category)
    assert answer.status_code == 200
    data = answer.json()
    assert (data["monthly"], data["rate"], data["rule_code"]) == (monthly, rate, rule)
    assert data["source"].startswith(("《关于中国共产党党费收缴", "中组发〔2008〕3号"))
    assert data["rule"]
    assert "DUES" not in data["rule"]


def test_the_quote_of_the_issue():
    from django.test import Client

    data = quote_of(Client(), "instructor", base="5000.01", category="in_service").json()
    assert {k: data[k] for k in ("monthly", "rate")} == {"monthly": "75.00", "rate": "0.015"}
    assert "在职" in data["rule"]
    assert "第二条" in data["source"]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"base": "abc", "category": "in_service"}, "base", "金额"),
        ({"base": "-1", "category": "in_service"}, "base", "负数"),
        ({"category": "in_service"}, "base", "基数"),
        ({"base": "3000", "category": "farmer"}, "category", "farmer"),
        ({"base": "3000"}, "category", "in_service"),
    ],
    ids=["base-text", "base-negative", "base-missing", "category-unknown", "category-missing"],
)
def test_a_wrong_parameter_is_a_400_naming_it(client, query, field, words):
    answer = quote_of(client, **query)
    assert answer.status_code == 400
    (message,) = answer.json()[field]
    assert message.startswith(f"参数 {field}：")
    assert words in message


def test_the_quote_is_refused_to_the_technical_roles(client):
    assert quote_of(client, "sys_admin", base="3000", category="in_service").status_code == 403


def months_of(names):
    today = timezone.localdate()
    members = []
    for name in names:
        member = new_member(name, code=MEIXIHU_SENIOR)
        declare(member, "5000.01", month=f"{today:%Y-%m}", today=today.isoformat())
        members.append(member)
    dues.open_month(today.replace(day=1), [members[0].organization], by=SYSTEM)
    return members


def test_the_months_with_their_filters_and_masked_ids(client):
    jia, yi = months_of(["接口甲", "接口乙"])
    today = timezone.localdate()
    dues.record_payments([dues.Payment(membership=jia, month=today, amount="75", paid_on=today)], by=SYSTEM)
    path = reverse("duesentry-list")
    found = api(client, "school_secretary", "get", path, organization=MEIXIHU_SENIOR, month=f"{today:%Y-%m}")
    rows = {r["name"]: r for r in found.json()["results"]}
    assert {"接口甲", "接口乙"} <= set(rows)
    assert rows["接口甲"]["id_number"] == jia.person.id_number_masked
    assert jia.id_number not in found.content.decode()
    assert (rows["接口乙"]["due"], rows["接口乙"]["owed"], rows["接口乙"]["month"]) == (
        "75.00",
        "75.00",
        f"{today:%Y-%m}",
    )
    owed = api(client, "school_secretary", "get", path, organization=MEIXIHU_SENIOR, owed="true")
    assert "接口乙" in owed.content.decode()
    assert "接口甲" not in owed.content.decode()
    assert api(client, "school_secretary", "get", path, year=today.year - 5).json()["results"] == []
    bad = api(client, "school_secretary", "get", path, month="2026-13")
    assert bad.status_code == 400
    elsewhere = api(client, "furong_admin", "get", path, organization=MEIXIHU_SENIOR)
    assert elsewhere.json()["results"] == []


def test_a_payment_by_patch_goes_through_the_service(client):
    jia, yi = months_of(["缴费甲", "缴费乙"])
    today = timezone.localdate()
    entry = DuesEntry.objects.get(membership=jia)
    path = reverse("duesentry-detail", args=[entry.pk])
    answer = api(
        client,
        "school_secretary",
        "patch",
        path,
        {"paid": "75", "paid_on": today.isoformat(), "method": "online"},
    )
    assert answer.status_code == 200, answer.content
    assert (answer.json()["paid"], answer.json()["owed"], answer.json()["method"]) == (
        "75.00",
        "0.00",
        "online",
    )
    change = ObjectChange.objects.filter(content_type__model="duesentry", object_id=str(entry.pk)).latest(
        "id"
    )
    assert (change.username, change.actor) == ("school_secretary", "api")
    other = DuesEntry.objects.get(membership=yi)
    before = ObjectChange.objects.count()
    too_much = api(
        client,
        "school_secretary",
        "patch",
        reverse("duesentry-detail", args=[other.pk]),
        {"paid": "100", "paid_on": today.isoformat()},
    )
    assert too_much.status_code == 400
    assert "自愿多交" in too_much.json()["paid"][0]
    set_status(yi, "suspended", today.isoformat())
    suspended = api(
        client,
        "school_secretary",
        "patch",
        reverse("duesentry-detail", args=[other.pk]),
        {"paid": "75", "paid_on": today.isoformat()},
    )
    assert suspended.status_code == 400
    assert "停止党籍" in suspended.json()["membership"][0]
    assert ObjectChange.objects.count() == before
    assert DuesEntry.objects.get(pk=other.pk).paid == Y("0.00")
    put = api(client, "school_secretary", "put", path, {"paid": "75"})
    assert put.status_code == 405


def test_the_list_costs_the_same_queries_with_more_months(client):
    months_of(["查询甲"])
    path = reverse("duesentry-list")

    def counted():
        with CaptureQueriesContext(connection) as queries:
            assert api(client, "yuelu_admin", "get", path).status_code == 200
        return len(queries)

    counted()
    before = counted()
    months_of([f"查询批量{n}" for n in range(8)])
    assert counted() == before
