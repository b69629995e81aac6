"""The pages of pairing as their users use them: the district administrator records a pair through the form
(the urban side among urban schools, the rural among rural ones), a secretary records an activity with a
photo and a teacher, the pair's page shows it with its file (downloaded within scope, logged like an
export), the lists filter and export, the overview counts by kind and month and names the idle pairs, the
to-do list names them too, and the school page's panel lists the school's pairs; bad input through the
forms; and the lists, exports, overview and pair page cost the same number of queries with more records."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.accounts.models import User
from redengine.core.dates import add_months
from redengine.core.models import AccessEvent
from redengine.pairing.models import PairActivity, SchoolPair
from redengine.people.models import Person
from redengine.testing import login_client

from .helpers import (
    CHAOYANG,
    LIANHUA,
    LUSHAN,
    MEIXIHU,
    PNG,
    WEISHAN,
    XINGCHEN,
    YUTAN,
    D,
    new_activity,
    new_pair,
    school,
)

pytestmark = pytest.mark.django_db


def client_of(username):
    return login_client(Client(), User.objects.get(username=username))


def test_recording_a_pair_and_its_activity():
    admin = client_of("yuelu_admin")
    form = admin.get(reverse("pairing:pair_add")).context["form"]
    assert set(form.fields["urban"].queryset.values_list("urban_rural", flat=True)) == {"urban"}
    assert set(form.fields["rural"].queryset.values_list("urban_rural", flat=True)) <= {"town", "rural"}
    assert not form.fields["urban"].queryset.filter(code=CHAOYANG).exists()  # another district's
    data = {
        "urban": school(MEIXIHU).pk,
        "rural": school(LIANHUA).pk,
        "agreed_on": "2024-03-01",
        "goals": "共建",
    }
    response = admin.post(reverse("pairing:pair_add"), data)
    assert response.status_code == 302
    pair = SchoolPair.objects.get(urban__code=MEIXIHU, rural__code=LIANHUA)
    # The same pair twice: the form again with the message, nothing written.
    again = admin.post(reverse("pairing:pair_add"), {**data, "agreed_on": "2024-05-01"})
    assert "这两所学校自2024-03-01起已结对" in again.content.decode()
    assert SchoolPair.objects.count() == 1
    backwards = admin.post(
        reverse("pairing:pair_add"), {**data, "rural": school(XINGCHEN).pk, "ended_on": "2024-01-01"}
    )
    assert "终止日期须晚于结对日期（2024-03-01）" in backwards.content.decode()
    # The secretary sees the pair, may not change it, records an activity with a photo.
    secretary = client_of("school_secretary")
    page = secretary.get(pair.get_absolute_url()).content.decode()
    assert 'id="edit-pair"' not in page
    assert 'id="add-activity"' in page
    assert secretary.get(reverse("pairing:pair_edit", args=[pair.pk])).status_code == 404
    teacher = Person.objects.filter(school__code=MEIXIHU).order_by("pk").first()
    form = secretary.get(reverse("pairing:activity_add") + f"?pair={pair.pk}").context["form"]
    assert set(form.fields["teachers"].queryset.values_list("school__code", flat=True)) == {MEIXIHU}
    activity = {
        "pair": pair.pk,
        "kind": "teaching_visit",
        "date": "2024-04-10",
        "title": "数学送教",
        "summary": "示范课两节",
        "teachers": [teacher.pk],
        "students": 40,
    }
    fake = secretary.post(
        reverse("pairing:activity_add") + f"?pair={pair.pk}",
        {**activity, "files": SimpleUploadedFile("合影.jpg", b"just text", "image/jpeg")},
    )
    assert "合影.jpg 不是真正的 .jpg 文件。" in fake.content.decode()
    early = secretary.post(
        reverse("pairing:activity_add") + f"?pair={pair.pk}", {**activity, "date": "2024-02-01"}
    )
    assert "该结对于2024-03-01签订：活动日期不能早于结对日期。" in early.content.decode()
    assert not PairActivity.objects.exists()
    response = secretary.post(
        reverse("pairing:activity_add") + f"?pair={pair.pk}",
        {**activity, "files": SimpleUploadedFile("合影.png", PNG, "image/png")},
    )
    assert response.status_code == 302
    recorded = PairActivity.objects.get()
    page = secretary.get(pair.get_absolute_url()).content.decode()
    assert "数学送教" in page
    assert teacher.name in page
    assert "合影.png" in page
    file = recorded.files.get()
    downloaded = secretary.get(reverse("pairing:file", args=[file.pk]))
    assert downloaded.content == PNG
    assert AccessEvent.objects.filter(kind="export", detail="合影.png").exists()
    assert client_of("furong_admin").get(reverse("pairing:file", args=[file.pk])).status_code == 404
    # The lists, the export and the overview.
    assert "数学送教" in secretary.get(reverse("pairing:pairactivity_list")).content.decode()
    listing = admin.get(
        reverse("pairing:schoolpair_list"), {"school": LIANHUA, "year": 2024}
    ).content.decode()
    assert "岳麓区梅溪湖中学" in listing
    assert (
        "岳麓区梅溪湖中学"
        not in admin.get(reverse("pairing:schoolpair_list"), {"year": 2023}).content.decode()
    )
    export = admin.get(reverse("pairing:schoolpair_list"), {"export": "xlsx"})
    assert export.status_code == 200
    overview = admin.get(reverse("pairing:overview"), {"org": "CS430104", "year": 2024}).content.decode()
    assert 'id="count-pairs">1<' in overview
    assert 'id="count-activities">1<' in overview
    panel = admin.get(reverse("pairing:school_panel", args=[school(LIANHUA).pk])).content.decode()
    assert "岳麓区梅溪湖中学" in panel
    # registered: the panel on the school's page, the menu's area
    page = admin.get(school(LIANHUA).get_absolute_url()).content.decode()
    assert 'id="pairing-school-area"' in page
    assert reverse("pairing:school_panel", args=[school(LIANHUA).pk]) in page
    assert f'href="{reverse("pairing:overview")}"' in page


def test_idle_pairs_on_the_overview_and_the_to_do_list(client_for):
    today = timezone.localdate()
    idle = new_pair(MEIXIHU, LIANHUA, add_months(today, -8))
    new_activity(idle, add_months(today, -7))
    busy = new_pair(LUSHAN, XINGCHEN, add_months(today, -8))
    new_activity(busy, add_months(today, -1))
    admin = client_for("yuelu_admin")
    overview = admin.get(reverse("pairing:overview")).content.decode()
    assert str(idle) in overview
    assert str(busy) not in overview
    listing = admin.get(reverse("pairing:schoolpair_list"), {"idle": "true"}).content.decode()
    assert "岳麓区梅溪湖中学" in listing
    assert "岳麓区麓山实验小学" not in listing
    home = client_for("school_secretary").get("/").content.decode()
    assert 'id="todo-pairing-idle"' in home
    assert str(idle) in home
    city = client_for("city_admin").get("/").content.decode()
    assert 'id="todo-pairing-idle"' in city
    assert "岳麓区" in city


def test_pages_cost_the_same_queries_with_more_records(client_for):
    client = client_for("city_admin")
    first = new_pair(MEIXIHU, LIANHUA, D("2023-03-01"))
    new_activity(
        first,
        D("2024-03-01"),
        files=[("a.png", PNG)],
        teachers=Person.objects.filter(school__code=MEIXIHU)[:1],
    )
    year = 2024
    addresses = {
        "pairs": reverse("pairing:schoolpair_list"),
        "pair export": reverse("pairing:schoolpair_list") + "?export=xlsx",
        "idle pairs": reverse("pairing:schoolpair_list") + "?idle=true",
        "activities": reverse("pairing:pairactivity_list"),
        "activity export": reverse("pairing:pairactivity_list") + "?export=xlsx",
        "overview": reverse("pairing:overview") + f"?org=CS430104&year={year}",
        "city overview": reverse("pairing:overview"),
        "pair page": first.get_absolute_url(),
        "panel": reverse("pairing:school_panel", args=[school(MEIXIHU).pk]),
        "api pairs": reverse("schoolpair-list"),
        "api activities": reverse("pairactivity-list"),
    }
    for address in addresses.values():
        client.get(address)
    counts = {}
    for when in ("before", "after"):
        if when == "after":
            more = [new_pair(LUSHAN, XINGCHEN, D("2023-01-01")), new_pair(YUTAN, WEISHAN, D("2022-01-01"))]
            more.append(new_pair(CHAOYANG, LIANHUA, D("2021-01-01")))
            for pair in [first, *more]:
                for month in range(1, 5):
                    teachers = Person.objects.filter(school=pair.urban)[:2]
                    new_activity(
                        pair,
                        datetime.date(2024, month, 15),
                        kind="joint_camp",
                        teachers=teachers,
                        files=[("b.png", PNG)],
                    )
        for name, address in addresses.items():
            with CaptureQueriesContext(connection) as counted:
                assert client.get(address).status_code == 200, name
            counts[(name, when)] = len(counted)
    for name in addresses:
        assert counts[(name, "after")] == counts[(name, "before")], (
            name,
            counts[(name, "before")],
            counts[(name, "after")],
        )


@pytest.mark.parametrize(
    ("username", "queries"), [("school_secretary", 1), ("yuelu_admin", 1), ("city_admin", 2)]
)
def test_the_to_do_item_costs_the_same_queries_whatever_the_pairs(username, queries):
    from redengine.core.todo import Reach, level_of
    from redengine.pairing.todo import idle as idle_item

    user = User.objects.get(username=username)
    user.active_assignments()  # the roles, loaded once per request by the dashboard
    today = timezone.localdate()
    reach = Reach(user, level_of(user), today)
    found = []
    for more in range(2):
        for urban, rural in [(MEIXIHU, LIANHUA), (MEIXIHU, XINGCHEN)][more : more + 1]:
            new_pair(urban, rural, add_months(today, -9))
        with CaptureQueriesContext(connection) as counted:
            items = idle_item(reach)
        found.append((len(counted), items[0].count))
    assert found == [(queries, 1), (queries, 2)]
