"""Awards (表彰) through ``record_awards`` and their pages and API: 优秀共产党员 to a party member on the day,
优秀党务工作者 to a person, 先进基层党组织 to a grassroots organization; title, level, day (not in the future) and
awarding body; recorded once; the writer's scope; the list's filters and .xlsx export at a fixed number of
queries; add, edit and delete through the pages; ``/api/people/awards/``."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.membership.models import Award
from redengine.membership.services.records import delete_awards, record_awards
from redengine.people.models import Person
from redengine.testing.matrix import exported_values

from .status_helpers import D, org, refused, user

pytestmark = pytest.mark.django_db


def person(name):
    return Person.objects.get(name=name)


def award(title="excellent_member", level="district", **values):
    return Item(
        {
            "title": title,
            "level": level,
            "awarded_on": D("2025-06-28"),
            "awarded_by": "中共岳麓区教育局委员会",
            **values,
        }
    )


def to_person(name, title="excellent_member", **values):
    return award(title, person=person(name), **values)


def test_an_excellent_member_is_a_party_member_on_the_day():
    (done,) = record_awards([to_person("梅溪湖张老师", document="岳教党〔2025〕8号")], by=SYSTEM)
    assert (done.title, done.person.name, done.organization) == ("excellent_member", "梅溪湖张老师", None)
    problems = refused(record_awards, [to_person("麓山钱老师")], by=SYSTEM)  # not a party member
    assert [(f, "麓山钱老师" in message and "党员" in message) for _i, f, message in problems] == [
        ("person", True)
    ]
    problems = refused(record_awards, [to_person("梅溪湖张老师", awarded_on=D("2011-07-01"))], by=SYSTEM)
    assert [f for _i, f, _m in problems] == ["person"]  # admitted in 2012


def test_an_excellent_party_worker_is_a_person_an_advanced_organization_a_grassroots_one():
    record_awards([to_person("麓山钱老师", title="excellent_worker")], by=SYSTEM)
    (branch_award,) = record_awards(
        [award("advanced_organization", organization=org("CS430104-02-01"))], by=SYSTEM
    )
    assert branch_award.organization.code == "CS430104-02-01"
    for code in ("CS430104", "CS0001"):  # a district bureau's committee, the working committee
        problems = refused(record_awards, [award("advanced_organization", organization=org(code))], by=SYSTEM)
        assert [(f, "基层党组织" in message) for _i, f, message in problems] == [("organization", True)]
    problems = refused(record_awards, [award("advanced_organization")], by=SYSTEM)
    assert [f for _i, f, _m in problems] == ["organization"]
    problems = refused(
        record_awards,
        [award("advanced_organization", organization=org("CS430104-02-01"), person=person("梅溪湖张老师"))],
        by=SYSTEM,
    )
    assert [f for _i, f, _m in problems] == ["person"]
    problems = refused(record_awards, [award("excellent_worker")], by=SYSTEM)
    assert [f for _i, f, _m in problems] == ["person"]


def test_bad_input_is_refused_on_its_field():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    problems = refused(record_awards, [to_person("梅溪湖张老师", awarded_on=tomorrow)], by=SYSTEM)
    assert [(f, "将来" in message) for _i, f, message in problems] == [("awarded_on", True)]
    problems = refused(
        record_awards,
        [to_person("梅溪湖张老师", title="best_teacher", level="galaxy", awarded_by="")],
        by=SYSTEM,
    )
    assert {f for _i, f, _m in problems} >= {"title", "level", "awarded_by"}


def test_an_award_is_recorded_once():
    record_awards([to_person("梅溪湖张老师")], by=SYSTEM)
    problems = refused(record_awards, [to_person("梅溪湖张老师")], by=SYSTEM)
    assert [(f, message) for _i, f, message in problems] == [("title", "该表彰已登记。")]
    problems = refused(record_awards, [to_person("麓山赵老师"), to_person("麓山赵老师")], by=SYSTEM)
    assert [(i, f) for i, f, _m in problems] == [(1, "title")]


def test_a_secretary_awards_the_schools_people_only():
    secretary = user("school_secretary")
    (done,) = record_awards(
        [to_person("梅溪湖王校长", title="excellent_worker", level="school")], by=secretary
    )
    assert done.pk
    problems = refused(record_awards, [to_person("芙蓉周老师")], by=secretary)
    assert [f for _i, f, _m in problems] == ["person"]


def make_awards(count, level="school"):
    people = list(Person.objects.filter(school__code="4301040002").order_by("pk"))[:1]
    return record_awards(
        [
            award(
                "excellent_worker",
                level,
                person=people[0],
                awarded_on=D("2024-01-01") + datetime.timedelta(days=n),
            )
            for n in range(count)
        ],
        by=SYSTEM,
    )


def test_the_list_and_its_export_filter_and_cost_the_same_queries(client_for):
    client = client_for("yuelu_admin")
    record_awards([to_person("梅溪湖张老师"), to_person("芙蓉周老师", level="city")], by=SYSTEM)
    page = client.get(reverse("membership:award_list"), {"title": "excellent_member"})
    text = page.content.decode()
    assert "梅溪湖张老师" in text
    assert "芙蓉周老师" not in text
    exported = exported_values(client.get(reverse("membership:award_list"), {"export": "xlsx"}))
    assert "梅溪湖张老师" in exported
    assert "优秀共产党员" in exported
    counts = {}
    for when, many in (("few", 2), ("many", 20)):
        make_awards(many)
        for name, query in (("list", {}), ("export", {"export": "xlsx"})):
            with CaptureQueriesContext(connection) as counted:
                assert client.get(reverse("membership:award_list"), query).status_code == 200
            counts[(name, when)] = len(counted)
        delete_awards(
            list(Award.objects.filter(person__school__code="4301040002", title="excellent_worker")), by=SYSTEM
        )
    assert counts[("list", "few")] == counts[("list", "many")], counts
    assert counts[("export", "few")] == counts[("export", "many")], counts
    assert counts[("list", "many")] <= 16, counts


def test_the_pages_add_change_and_delete(client_for):
    client = client_for("yuelu_admin")
    zhang = person("梅溪湖张老师")
    data = {
        "title": "excellent_member",
        "level": "district",
        "person": zhang.pk,
        "organization": "",
        "awarded_on": "2025-06-28",
        "awarded_by": "中共岳麓区教育局委员会",
        "document": "岳教党〔2025〕8号",
    }
    assert client.get(reverse("membership:award_add")).status_code == 200
    response = client.post(reverse("membership:award_add"), data)
    assert response.status_code == 302, response.context["form"].errors
    done = Award.objects.get(person=zhang)
    response = client.post(reverse("membership:award_edit", args=[done.pk]), {**data, "level": "city"})
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.level == "city"
    refused_form = client.post(reverse("membership:award_add"), {**data, "person": person("麓山钱老师").pk})
    assert refused_form.status_code == 200
    assert refused_form.context["form"].errors["person"]
    assert client.post(reverse("membership:award_delete", args=[done.pk])).status_code == 302
    assert not Award.objects.filter(pk=done.pk).exists()


def test_the_api_lists_creates_changes_and_refuses(client, example_user):
    from redengine.accounts.models import ApiToken

    key, _token = ApiToken.issue(example_user("yuelu_admin"), otp_verified=True)
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    url = reverse("award-list")
    body = {
        "title": "excellent_member",
        "level": "district",
        "person": person("梅溪湖张老师").pk,
        "awarded_on": "2025-06-28",
        "awarded_by": "区委",
    }
    created = client.post(url, body, content_type="application/json", **auth)
    assert created.status_code == 201, created.json()
    listed = client.get(url, **auth).json()["results"]
    assert [row["person_name"] for row in listed] == ["梅溪湖张老师"]
    bad = client.post(
        url, {**body, "person": person("麓山钱老师").pk}, content_type="application/json", **auth
    )
    assert bad.status_code == 400
    assert "党员" in bad.json()["person"][0]
    changed = client.patch(
        reverse("award-detail", args=[created.json()["id"]]),
        {"level": "city"},
        content_type="application/json",
        **auth,
    )
    assert changed.status_code == 200
    assert changed.json()["level"] == "city"
