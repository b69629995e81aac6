"""The API of pioneer units: a unit created, changed, listed, moved through its workflow by the actions of
the roles that own them, and deleted; bad input answered 400 with the Chinese message on its field and
nothing written; out of scope 404, a role without the move 403; service logs; and the lists' queries do not
grow with their rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from redengine.accounts.models import ApiToken
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.pioneer import services
from redengine.pioneer.models import PioneerUnit, ServiceLog, UnitMove

from .helpers import FURONG, MEIXIHU, advance, days_ago, new_unit, person

pytestmark = pytest.mark.django_db

UNITS = "/api/pioneer/units/"
LOGS = "/api/pioneer/service-logs/"


def auth(example_user, username):
    user = example_user(username)
    key, _token = ApiToken.issue(user, otp_verified=user.requires_2fa)
    return {"HTTP_AUTHORIZATION": f"Token {key}", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def post(client, headers, url, body):
    return client.post(url, body, content_type="application/json", **headers)


def written():
    return (
        PioneerUnit.objects.count(),
        UnitMove.objects.count(),
        ServiceLog.objects.count(),
        ObjectChange.objects.count(),
    )


def test_a_unit_is_created_moved_through_its_workflow_and_listed(client, example_user):
    secretary = auth(example_user, "school_secretary")
    zhang = person("梅溪湖张老师")
    created = post(
        client,
        secretary,
        UNITS,
        {
            "kind": "team",
            "name": "接口志愿服务队",
            "school": MEIXIHU,
            "leader": zhang.pk,
            "members": [zhang.pk],
            "commitment": "每月一次社区服务",
            "applied_on": days_ago(30).isoformat(),
        },
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["status"] == "applied"
    assert created.json()["organization"] == "CS430104-02"
    changed = client.patch(
        f"{UNITS}{pk}/", {"identity": "佩戴党徽"}, content_type="application/json", **secretary
    )
    assert changed.status_code == 200
    assert post(client, secretary, f"{UNITS}{pk}/file/", {}).status_code == 403
    district = auth(example_user, "yuelu_admin")
    assert post(client, district, f"{UNITS}{pk}/file/", {"date": days_ago(20).isoformat()}).status_code == 200
    assert (
        post(client, district, f"{UNITS}{pk}/review/", {"date": days_ago(10).isoformat()}).status_code == 200
    )
    assert post(client, district, f"{UNITS}{pk}/certify/", {"plaque_number": "API-1"}).status_code == 403
    city = auth(example_user, "city_admin")
    done = post(client, city, f"{UNITS}{pk}/certify/", {"plaque_number": "API-1"})
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["plaque_number"]) == ("certified", "API-1")
    assert [m["move"] for m in done.json()["moves"]] == ["apply", "file", "review", "certify"]
    assert done.json()["moves"][-1]["by"] == "city_admin"
    listed = client.get(UNITS, {"certified": "true", "kind": "team"}, **district).json()
    assert [row["id"] for row in listed["results"]] == [pk]
    log = post(
        client,
        secretary,
        LOGS,
        {"unit": pk, "date": days_ago(2).isoformat(), "hours": "3", "people": 4, "activity": "宣讲"},
    )
    assert log.status_code == 201, log.json()
    assert log.json()["person_hours"] == "12.0"
    deleted = client.delete(f"{UNITS}{pk}/", **district)
    assert deleted.status_code == 400
    assert "撤销" in deleted.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"kind": "club"}, "kind", "示范岗"),
        ({"applied_on": days_ago(-3).isoformat()}, "applied_on", "晚于今天"),
        ({"leader": "stranger"}, "leader", "不是本校人员"),
    ],
    ids=["kind", "future", "leader"],
)
def test_a_bad_unit_is_refused_on_its_field_with_nothing_written(client, example_user, body, field, words):
    if body.get("leader") == "stranger":
        body = {"leader": person("麓山赵老师").pk}
    before = written()
    response = post(
        client,
        auth(example_user, "yuelu_admin"),
        UNITS,
        {
            "kind": "post",
            "name": "错误示范岗",
            "school": MEIXIHU,
            "applied_on": days_ago(3).isoformat(),
            **body,
        },
    )
    assert response.status_code == 400
    assert words in str(response.json()[field]), response.json()
    assert written() == before


def test_bad_moves_are_refused_with_their_message(client, example_user):
    city = auth(example_user, "city_admin")
    unit = new_unit("接口未备案示范岗")
    before = written()
    response = post(client, city, f"{UNITS}{unit.pk}/certify/", {"plaque_number": "API-X"})
    assert response.status_code == 400
    assert "未经备案" in str(response.json()["move"])
    reviewed = advance(new_unit("接口待认定示范岗"), "reviewed")
    response = post(client, city, f"{UNITS}{reviewed.pk}/certify/", {})
    assert "牌匾编号" in str(response.json()["plaque_number"])
    response = post(client, city, f"{UNITS}{reviewed.pk}/revoke/", {"note": "原因"})
    assert "未经授牌认定" in str(response.json()["move"])
    assert written()[:3] == (before[0] + 1, before[1] + 3, before[2])  # only the second unit and its moves


def test_a_unit_outside_the_scope_answers_as_one_that_does_not_exist(client, example_user):
    unit = new_unit("接口外区示范岗", code=FURONG)
    district = auth(example_user, "yuelu_admin")
    assert client.get(f"{UNITS}{unit.pk}/", **district).status_code == 404
    assert post(client, district, f"{UNITS}{unit.pk}/file/", {}).status_code == 404
    assert post(client, district, f"{UNITS}999999/file/", {}).status_code == 404
    assert PioneerUnit.objects.get(pk=unit.pk).status == "applied"


def test_a_service_log_of_a_unit_that_is_not_a_team_or_of_bad_hours_is_refused(client, example_user):
    headers = auth(example_user, "school_secretary")
    post_unit = new_unit("接口非服务队")
    body = {
        "unit": post_unit.pk,
        "date": days_ago(2).isoformat(),
        "hours": "2",
        "people": 4,
        "activity": "宣讲",
    }
    response = post(client, headers, LOGS, body)
    assert response.status_code == 400
    assert "志愿服务队" in str(response.json()["unit"])
    team = new_unit("接口服务队", kind="team")
    for hours in ("0", "24.5"):
        response = post(client, headers, LOGS, {**body, "unit": team.pk, "hours": hours})
        assert response.status_code == 400
        assert "小时" in str(response.json()["hours"])
    assert not ServiceLog.objects.exists()


def count_queries(client, url, headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100}, **headers)
    assert response.status_code == 200
    return len(captured), response.json()["count"]


def test_the_lists_cost_the_same_queries_whatever_their_rows(client, example_user):
    headers = auth(example_user, "yuelu_admin")

    def more(count, first):
        for n in range(count):
            unit = advance(
                new_unit(f"接口批量{first + n}", kind="team"), "certified", plaque=f"AB-{first + n}"
            )
            services.record_service_logs(
                [Item({"unit": unit, "date": days_ago(3), "hours": 2, "people": 3, "activity": "值守"})],
                by=SYSTEM,
            )

    more(1, 0)
    for url in (UNITS, LOGS):
        client.get(url, **headers)
    few = {url: count_queries(client, url, headers) for url in (UNITS, LOGS)}
    more(6, 1)
    for url in (UNITS, LOGS):
        queries, rows = count_queries(client, url, headers)
        assert rows > few[url][1]
        assert queries == few[url][0], (url, few[url][0], queries)
