"""The API of pairing: pairs and activities written through the app's services (refused with their Chinese
messages, located by field, writing nothing), scoped (a pair of two districts written by the city only; a
record outside the scope answers as one that does not exist), filtered by the lists' filter sets."""

import datetime

import pytest
from django.utils import timezone

from redengine.accounts.models import ApiToken
from redengine.core.models import ObjectChange
from redengine.pairing.models import PairActivity, SchoolPair
from redengine.people.models import Person

from .helpers import (
    CHAOYANG,
    LIANHUA,
    LUSHAN,
    MEIXIHU,
    WEISHAN,
    XINGCHEN,
    YUTAN,
    D,
    new_activity,
    new_pair,
    new_teacher,
)

pytestmark = pytest.mark.django_db
PAIRS = "/api/pairing/pairs/"
ACTIVITIES = "/api/pairing/activities/"


def auth(example_user, username):
    user = example_user(username)
    key, _token = ApiToken.issue(user, otp_verified=user.requires_2fa)
    return {"HTTP_AUTHORIZATION": f"Token {key}", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def counts():
    return (SchoolPair.objects.count(), PairActivity.objects.count(), ObjectChange.objects.count())


def test_pairs_through_the_api(client, example_user):
    admin = auth(example_user, "yuelu_admin")
    body = {"urban": MEIXIHU, "rural": LIANHUA, "agreed_on": "2024-03-01", "goals": "共建"}
    created = client.post(PAIRS, body, content_type="application/json", **admin)
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    before = counts()
    two_urban = client.post(PAIRS, {**body, "rural": LUSHAN}, content_type="application/json", **admin)
    assert two_urban.status_code == 400
    assert "不是乡村学校" in two_urban.json()["rural"][0]
    itself = client.post(PAIRS, {**body, "urban": LIANHUA}, content_type="application/json", **admin)
    assert "学校不能与自身结对。" in itself.json()["rural"]
    twice = client.post(PAIRS, {**body, "agreed_on": "2024-09-01"}, content_type="application/json", **admin)
    assert "已结对，日期重叠" in twice.json()["agreed_on"][0]
    backwards = client.post(
        PAIRS, {**body, "rural": XINGCHEN, "ended_on": "2024-01-01"}, content_type="application/json", **admin
    )
    assert backwards.json()["ended_on"] == ["终止日期须晚于结对日期（2024-03-01）。"]
    across = client.post(PAIRS, {**body, "urban": CHAOYANG}, content_type="application/json", **admin)
    assert across.status_code == 400
    assert "urban" in across.json()
    assert counts() == before
    # The city records the cross-district pair; the district administrator sees it, may not change it.
    city = auth(example_user, "city_admin")
    cross = client.post(PAIRS, {**body, "urban": CHAOYANG}, content_type="application/json", **city)
    assert cross.status_code == 201
    cross_url = f"{PAIRS}{cross.json()['id']}/"
    assert client.get(cross_url, **admin).status_code == 200
    assert (
        client.patch(cross_url, {"goals": "改"}, content_type="application/json", **admin).status_code == 404
    )
    assert client.delete(cross_url, **admin).status_code == 404
    patched = client.patch(
        f"{PAIRS}{pk}/", {"ended_on": "2025-06-30"}, content_type="application/json", **admin
    )
    assert patched.status_code == 200
    assert SchoolPair.objects.get(pk=pk).ended_on == D("2025-06-30")
    # The lists' filters.
    year = client.get(PAIRS, {"year": 2026, "within": "CS430104"}, **admin).json()["results"]
    assert [row["urban"] for row in year] == [CHAOYANG]
    by_school = client.get(PAIRS, {"school": MEIXIHU}, **admin).json()["results"]
    assert [row["id"] for row in by_school] == [pk]
    secretary = auth(example_user, "school_secretary")
    assert (
        client.patch(
            f"{PAIRS}{pk}/", {"goals": "改"}, content_type="application/json", **secretary
        ).status_code
        == 404
    )


def test_activities_through_the_api(client, example_user):
    pair = new_pair(MEIXIHU, LIANHUA, D("2024-03-01"), D("2025-12-31"))
    other = new_pair(YUTAN, WEISHAN, D("2024-03-01"))
    secretary = auth(example_user, "school_secretary")
    teacher = Person.objects.filter(school__code=MEIXIHU).first()
    stranger = new_teacher("莲花镇结对老师", LIANHUA, 611)  # the partner school's: not the secretary's
    body = {
        "pair": pair.pk,
        "kind": "joint_camp",
        "date": "2024-07-20",
        "title": "牵手夏令营",
        "students": 30,
        "teachers": [teacher.pk],
    }
    created = client.post(ACTIVITIES, body, content_type="application/json", **secretary)
    assert created.status_code == 201, created.json()
    assert created.json()["teachers"] == [teacher.pk]
    before = counts()
    unknown = client.post(
        ACTIVITIES, {**body, "kind": "picnic"}, content_type="application/json", **secretary
    )
    assert unknown.status_code == 400
    assert unknown.json()["kind"][0].startswith("没有这种结对活动类型：“picnic”")
    early = client.post(
        ACTIVITIES, {**body, "date": "2024-02-01"}, content_type="application/json", **secretary
    )
    assert early.json()["date"] == ["该结对于2024-03-01签订：活动日期不能早于结对日期。"]
    late = client.post(
        ACTIVITIES, {**body, "date": "2026-01-01"}, content_type="application/json", **secretary
    )
    assert late.json()["date"] == ["该结对已于2025-12-31终止：活动日期不能晚于终止日期。"]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    future = client.post(
        ACTIVITIES,
        {**body, "pair": other.pk, "date": tomorrow},
        content_type="application/json",
        **auth(example_user, "city_admin"),
    )
    assert future.json()["date"] == ["活动结束后方可登记：活动日期不能晚于今天。"]
    outside = client.post(
        ACTIVITIES, {**body, "pair": other.pk}, content_type="application/json", **secretary
    )
    assert outside.status_code == 400
    assert "pair" in outside.json()
    named = client.post(
        ACTIVITIES, {**body, "teachers": [stranger.pk]}, content_type="application/json", **secretary
    )
    assert named.status_code == 400
    assert "teachers" in named.json()
    assert counts() == before
    # The rural school's teacher is named by whoever sees them (the district administrator).
    admin = auth(example_user, "yuelu_admin")
    url = f"{ACTIVITIES}{created.json()['id']}/"
    both = client.patch(
        url, {"teachers": [teacher.pk, stranger.pk]}, content_type="application/json", **admin
    )
    assert both.status_code == 200, both.json()
    assert set(PairActivity.objects.get(pk=created.json()["id"]).teachers.values_list("pk", flat=True)) == {
        teacher.pk,
        stranger.pk,
    }
    # The secretary changes the title: the partner's teacher stays.
    retitled = client.patch(
        url, {"title": "牵手夏令营（第二期）"}, content_type="application/json", **secretary
    )
    assert retitled.status_code == 200
    listed = client.get(ACTIVITIES, {"kind": "joint_camp", "pair": pair.pk}, **secretary).json()["results"]
    assert [row["title"] for row in listed] == ["牵手夏令营（第二期）"]
    assert (
        client.get(f"{ACTIVITIES}{new_activity(other, D('2024-05-01')).pk}/", **secretary).status_code == 404
    )
    assert client.delete(url, **secretary).status_code == 403  # a secretary does not delete
    assert client.delete(url, **admin).status_code == 204
