"""The pages of pioneer units: the secretary applies through the form, the district files and reviews and
the city certifies through the confirm forms (a bad move is the form again with its Chinese message,
nothing written); the unit's page with its commitments, members, history and the buttons of the user's
role; a volunteer team's service logs added, changed and removed; the list's filters and export; the
overview and its links; the to-do items; and the same queries whatever the number of rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.pioneer import services
from redengine.pioneer.models import PioneerUnit, ServiceLog, UnitMove
from redengine.testing.matrix import exported_values

from .helpers import FURONG, LUSHAN, MEIXIHU, advance, days_ago, new_unit, person, school

pytestmark = pytest.mark.django_db


def post_move(client, unit, move, **data):
    return client.post(
        reverse(f"pioneer:unit_{move}", args=[unit.pk]), {"date": days_ago(1).isoformat(), **data}
    )


def test_a_secretary_applies_and_the_district_and_city_move_the_unit_through_its_pages(client_for):
    secretary = client_for("school_secretary")
    meixihu = school(MEIXIHU)
    form = secretary.get(reverse("pioneer:unit_add"))
    assert form.status_code == 200
    assert 'id="choose-school"' not in form.content.decode()  # the secretary's one school is given
    assert f'name="school" value="{meixihu.pk}"' in form.content.decode()
    zhang, li = person("梅溪湖张老师"), person("梅溪湖李老师")
    response = secretary.post(
        reverse("pioneer:unit_add"),
        {
            "school": meixihu.pk,
            "kind": "post",
            "name": "初二年级党员示范岗",
            "organization": "",
            "leader": zhang.pk,
            "members": [zhang.pk, li.pk],
            "standard": "师德标准",
            "identity": "佩戴党徽",
            "commitment": "每周辅导学困生",
            "applied_on": days_ago(5).isoformat(),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    unit = PioneerUnit.objects.get(name="初二年级党员示范岗")
    page = secretary.get(unit.get_absolute_url()).content.decode()
    assert "每周辅导学困生" in page
    assert "梅溪湖李老师" in page
    assert 'id="move-file"' not in page  # a school does not file
    assert post_move(secretary, unit, "file").status_code == 403

    district = client_for("yuelu_admin")
    page = district.get(unit.get_absolute_url()).content.decode()
    assert 'id="move-file"' in page
    assert 'id="move-certify"' not in page
    assert "申报备案" in district.get(reverse("pioneer:unit_file", args=[unit.pk])).content.decode()
    assert post_move(district, unit, "file").status_code == 302
    assert post_move(district, unit, "review").status_code == 302
    assert post_move(district, unit, "certify", plaque_number="X").status_code == 403

    city = client_for("city_admin")
    before = UnitMove.objects.count()
    refused = post_move(city, unit, "certify", plaque_number="")
    assert refused.status_code == 200
    assert refused.context["form"].errors["plaque_number"]
    assert UnitMove.objects.count() == before
    assert post_move(city, unit, "certify", plaque_number="CS-SFG-2024-01").status_code == 302
    page = city.get(unit.get_absolute_url()).content.decode()
    assert "CS-SFG-2024-01" in page
    assert "已授牌认定" in page
    assert 'id="move-revoke"' in page
    unit.refresh_from_db()
    assert [m.move for m in unit.moves.order_by("date", "recorded_at")] == [
        "apply",
        "file",
        "review",
        "certify",
    ]


def test_a_plaque_number_used_twice_is_refused_by_the_form_with_its_message(client_for):
    advance(new_unit("已授牌示范岗"), "certified", plaque="CS-DUP-1")
    unit = advance(new_unit("待授牌示范岗"), "reviewed")
    response = post_move(client_for("city_admin"), unit, "certify", plaque_number="CS-DUP-1")
    assert response.status_code == 200
    assert "已被其他单位使用" in str(response.context["form"].errors["plaque_number"])
    assert PioneerUnit.objects.get(pk=unit.pk).status == "reviewed"


def test_certifying_a_unit_never_filed_is_refused_by_the_form(client_for):
    unit = new_unit("未备案示范班", kind="class")
    response = post_move(client_for("city_admin"), unit, "certify", plaque_number="CS-NEVER")
    assert response.status_code == 200
    assert "未经备案" in str(response.context["form"].errors)
    assert PioneerUnit.objects.get(pk=unit.pk).status == "applied"


def test_a_move_outside_the_scope_answers_404(client_for):
    unit = new_unit("芙蓉区示范岗", code=FURONG)
    assert post_move(client_for("yuelu_admin"), unit, "file").status_code == 404
    assert client_for("yuelu_admin").get(unit.get_absolute_url()).status_code == 404
    assert PioneerUnit.objects.get(pk=unit.pk).status == "applied"


def test_a_volunteer_teams_service_is_logged_changed_and_removed_from_its_pages(client_for):
    team = new_unit("梅溪湖青年志愿服务队", kind="team")
    client = client_for("school_secretary")
    add = reverse("pioneer:servicelog_add") + f"?unit={team.pk}"
    data = {
        "unit": team.pk,
        "date": days_ago(2).isoformat(),
        "hours": "30",
        "people": 6,
        "activity": "社区宣讲",
    }
    refused = client.post(add, data)
    assert refused.status_code == 200
    assert "24" in str(refused.context["form"].errors["hours"])
    assert not ServiceLog.objects.exists()
    assert client.post(add, {**data, "hours": "2.5"}).status_code == 302
    log = ServiceLog.objects.get()
    page = client.get(team.get_absolute_url()).content.decode()
    assert "社区宣讲" in page
    edit = reverse("pioneer:servicelog_edit", args=[log.pk])
    assert client.post(edit, {**data, "hours": "3", "activity": "社区宣讲（二）"}).status_code == 302
    log.refresh_from_db()
    assert log.hours == 3
    assert client.post(reverse("pioneer:servicelog_delete", args=[log.pk])).status_code == 302
    assert not ServiceLog.objects.exists()
    post = new_unit("非服务队示范岗")
    refused = client.post(
        reverse("pioneer:servicelog_add") + f"?unit={post.pk}", {**data, "unit": post.pk, "hours": "2"}
    )
    assert "志愿服务队" in str(refused.context["form"].errors)


def test_the_list_filters_and_exports(client_for):
    certified = advance(new_unit("筛选已认定示范岗"), "certified", plaque="F-1")
    new_unit("筛选待备案志愿服务队", kind="team")
    new_unit("筛选麓山示范班", code=LUSHAN, kind="class")
    client = client_for("yuelu_admin")
    url = reverse("pioneer:pioneerunit_list")

    def names(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {obj.name for obj, _cells in response.context["rows"]}

    assert names(kind="team") == {"筛选待备案志愿服务队"}
    assert names(certified="true") == {"筛选已认定示范岗"}
    assert names(status="applied") == {"筛选待备案志愿服务队", "筛选麓山示范班"}
    assert names(within="CS430104-01") == {"筛选麓山示范班"}
    assert names(year=certified.filed_on.year) == {"筛选已认定示范岗"}
    export = client.get(url, {"export": "xlsx", "certified": "true"})
    assert export.status_code == 200
    assert {"筛选已认定示范岗", "F-1"} <= exported_values(export)


def test_the_overview_shows_the_three_figures_with_the_lists_behind_them(client_for):
    advance(new_unit("概览示范岗", applied=days_ago(30)), "certified", start=20)
    year = timezone.localdate().year
    response = client_for("yuelu_admin").get(reverse("pioneer:overview") + f"?org=CS430104&year={year}")
    page = response.content.decode()
    assert response.status_code == 200
    for name in ("pioneer-filed", "pioneer-certified", "pioneer-service-hours"):
        assert f'id="figure-{name}"' in page
    assert f"within=CS430104&amp;year={year}&amp;certified_by={year}" in page
    assert "示范创建申报备案数" in page


def test_the_to_do_list_names_the_units_waiting_for_the_users_move_and_the_checks_past_due(client_for):
    new_unit("待备案示范岗")
    reviewed = advance(new_unit("待认定示范岗"), "reviewed")
    advance(new_unit("久未复核示范岗", applied=days_ago(900)), "certified", start=800)
    district = client_for("yuelu_admin").get("/").content.decode()
    assert 'id="todo-pioneer-to-file"' in district
    assert "待备案示范岗" in district
    assert 'id="todo-pioneer-check-due"' in district
    assert "久未复核示范岗" in district
    assert 'id="todo-pioneer-to-certify"' not in district
    city = client_for("city_admin").get("/")
    assert 'id="todo-pioneer-to-certify"' in city.content.decode()
    waiting = next(
        t for _section, items in city.context["todo_sections"] for t in items if t.key == "pioneer.to_certify"
    )
    # one unit once, though its school lies at its committee and at its branch
    assert (waiting.count, [(row.label, row.count) for row in waiting.rows]) == (1, [("岳麓区", 1)])
    assert reviewed.name not in client_for("school_secretary").get("/").content.decode()


def units_and_logs(count, start):
    for n in range(count):
        unit = advance(new_unit(f"批量示范岗{start + n}", kind="team"), "certified", plaque=f"B-{start + n}")
        services.record_service_logs(
            [Item({"unit": unit, "date": days_ago(3), "hours": 2, "people": 3, "activity": "值守"})],
            by=SYSTEM,
        )


def test_pages_cost_the_same_queries_with_more_records(client_for):
    client = client_for("yuelu_admin")
    units_and_logs(1, 0)
    unit = PioneerUnit.objects.get(name="批量示范岗0")
    year = timezone.localdate().year
    addresses = {
        "overview": reverse("pioneer:overview") + f"?org=CS430104&year={year}",
        "list": reverse("pioneer:pioneerunit_list"),
        "export": reverse("pioneer:pioneerunit_list") + "?export=xlsx",
        "logs": reverse("pioneer:servicelog_list"),
        "log export": reverse("pioneer:servicelog_list") + "?export=xlsx",
        "detail": unit.get_absolute_url(),
    }
    for address in addresses.values():
        client.get(address)
    counts = {}
    for when in ("before", "after"):
        if when == "after":
            units_and_logs(8, 1)
            services.record_service_logs(
                [
                    Item({"unit": unit, "date": days_ago(4 + n), "hours": 1, "people": 2, "activity": "宣讲"})
                    for n in range(6)
                ],
                by=SYSTEM,
            )
        for name, address in addresses.items():
            with CaptureQueriesContext(connection) as counted:
                assert client.get(address).status_code == 200, name
            counts[(name, when)] = len(counted)
    for name in addresses:
        assert counts[(name, "after")] == counts[(name, "before")], (name, counts)


def test_dates_are_iso():
    assert datetime.date.fromisoformat(days_ago(1).isoformat()) == days_ago(1)
