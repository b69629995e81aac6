"""The pages of the membership states: the changes (list with filters — state, organization, year — and its
.xlsx export, the form that records a decision with the member picked among the scope's), the members by
state, the floating members (list, form, return), the member picker, and ``/api/people/status-changes/``;
every list and export at the same number of queries for 2 or 12 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from redengine.membership.models import FloatingRecord, StatusChange
from redengine.testing.matrix import exported_values

from .status_helpers import D, change, float_away, membership_of, new_member, refresh

pytestmark = pytest.mark.django_db


def post_change(client, m, to="out_of_contact", **values):
    data = {
        "membership": m.pk,
        "to_status": to,
        "date": "2025-03-01",
        "reason": "多次联系未果",
        "resolution": "",
        "resolution_on": "",
        "approved_by": "",
        "approved_on": "",
        "document": "",
        **values,
    }
    return client.post(reverse("membership:statuschange_add"), data)


def test_a_secretary_records_a_change_through_the_form(client_for):
    client = client_for("school_secretary")
    m = membership_of("梅溪湖张老师")
    form = client.get(reverse("membership:statuschange_add"))
    assert form.status_code == 200
    page = form.content.decode()
    assert 'data-picker-url="/membership/status/members/suggest/"' in page
    assert "status-moves" in page
    assert "停止党籍" in page
    assert post_change(client, m).status_code == 302
    assert refresh(m).status == "out_of_contact"
    refused = post_change(client, refresh(m), to="suspended", date="2025-09-01")
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert {"resolution", "resolution_on", "approved_by", "approved_on"} <= set(errors)
    assert "支部党员大会" in " ".join(errors["resolution"])
    assert StatusChange.objects.filter(membership=m).count() == 1
    other = membership_of("芙蓉周老师")
    outside = post_change(client, other)
    assert outside.status_code == 200
    assert outside.context["form"].errors["membership"]
    assert not StatusChange.objects.filter(membership=other).exists()


def test_the_member_picker_suggests_the_scopes_members_only(client_for):
    client = client_for("school_secretary")
    url = reverse("membership:member_suggest")
    found = client.get(url, {"q": "老师"}).content.decode()
    assert "梅溪湖张老师" in found
    assert "芙蓉周老师" not in found
    assert "麓山赵老师" not in found
    zhang = membership_of("梅溪湖张老师")
    assert f'data-code="{zhang.pk}"' in found
    by_number = client.get(url, {"q": str(membership_of("芙蓉周老师").pk)}).content.decode()
    assert "芙蓉周老师" not in by_number
    assert "梅溪湖张老师" in client.get(url, {"q": str(zhang.pk)}).content.decode()
    assert client_for("inspector").get(url, {"q": "老师"}).status_code == 403


def make_changes(count):
    for n in range(count):
        m = new_member(f"列表{count}-{n}老师")
        change(m, "out_of_contact", "2024-05-01")


def test_the_list_filters_by_state_organization_and_year(client_for):
    client = client_for("yuelu_admin")
    make_changes(2)
    old = new_member("往年变动老师")
    change(old, "out_of_contact", "2023-02-01")
    url = reverse("membership:statuschange_list")
    assert "往年变动老师" not in client.get(url, {"year": 2024}).content.decode()
    assert "往年变动老师" in client.get(url, {"year": 2023, "status": "out_of_contact"}).content.decode()
    assert "往年变动老师" not in client.get(url, {"status": "suspended"}).content.decode()
    assert "往年变动老师" in client.get(url, {"within": "CS430104-02-01"}).content.decode()
    assert "往年变动老师" not in client.get(url, {"within": "CS430104-01"}).content.decode()
    bad = client.get(url, {"year": 99999})
    assert bad.status_code == 200
    assert "往年变动老师" not in bad.content.decode()
    exported = exported_values(client.get(url, {"export": "xlsx", "year": 2023}))
    assert "往年变动老师" in exported
    assert "失联" in exported
    assert "列表2-0老师" not in exported


def test_lists_and_exports_cost_the_same_queries_for_more_rows(client_for):
    client = client_for("yuelu_admin")
    addresses = {
        "changes": reverse("membership:statuschange_list"),
        "changes-export": reverse("membership:statuschange_list") + "?export=xlsx",
        "states": reverse("membership:member_state_list"),
        "states-export": reverse("membership:member_state_list") + "?export=xlsx",
        "floating": reverse("membership:floating_list"),
        "floating-export": reverse("membership:floating_list") + "?export=xlsx",
    }
    counts = {}
    for when, many in (("before", 2), ("after", 12)):
        make_changes(many)
        for n in range(many // 2):
            float_away(new_member(f"流动列表{many}-{n}老师"), "2025-01-05")
        for name, address in addresses.items():
            with CaptureQueriesContext(connection) as counted:
                assert client.get(address).status_code == 200, name
            counts[(name, when)] = len(counted)
    for name in addresses:
        assert counts[(name, "after")] == counts[(name, "before")], (name, counts)
        assert counts[(name, "after")] <= 14, (name, counts)


def test_the_members_by_state_page(client_for):
    client = client_for("yuelu_admin")
    lost = new_member("状态页失联老师")
    change(lost, "out_of_contact", "2025-01-10")
    away = new_member("状态页流动老师")
    float_away(away, "2025-02-01", place="长沙县黄花镇", takes_part_in="黄花镇流动党员党支部")
    page = client.get(reverse("membership:member_state_list")).content.decode()
    assert "状态页失联老师" in page
    assert "状态页流动老师" in page
    assert "黄花镇流动党员党支部" in page
    assert "梅溪湖张老师" not in page  # active
    assert 'id="state-counts"' in page
    floating = client.get(reverse("membership:member_state_list"), {"status": "floating"}).content.decode()
    assert "状态页失联老师" not in floating
    assert "状态页流动老师" in floating
    assert (
        "状态页失联老师"
        not in client_for("furong_admin").get(reverse("membership:member_state_list")).content.decode()
    )


def test_floating_pages_record_change_and_return(client_for):
    client = client_for("school_secretary")
    m = membership_of("梅溪湖张老师")
    data = {
        "membership": m.pk,
        "place": "北京市海淀区",
        "reason": "study",
        "left_on": "2025-01-05",
        "takes_part_in": "",
        "note": "",
    }
    assert client.get(reverse("membership:floating_add")).status_code == 200
    response = client.post(reverse("membership:floating_add"), data)
    assert response.status_code == 302, response.context["form"].errors
    record = FloatingRecord.objects.get(membership=m)
    assert refresh(m).status == "floating"
    again = client.post(reverse("membership:floating_add"), {**data, "left_on": "2025-02-01"})
    assert again.status_code == 200
    assert again.context["form"].errors["membership"]
    listed = client.get(reverse("membership:floating_list")).content.decode()
    assert "北京市海淀区" in listed
    assert f'id="return-{record.pk}"' in listed
    edit = client.get(reverse("membership:floating_edit", args=[record.pk]))
    assert edit.status_code == 200
    assert 'id="transfer-advised"' in edit.content.decode()
    changed = client.post(
        reverse("membership:floating_edit", args=[record.pk]),
        {"place": "北京市海淀区", "reason": "study", "takes_part_in": "海淀区某高校党委", "note": ""},
    )
    assert changed.status_code == 302, changed.context["form"].errors
    record.refresh_from_db()
    assert record.takes_part_in == "海淀区某高校党委"
    assert record.left_on == D("2025-01-05")
    early = client.post(reverse("membership:floating_return", args=[record.pk]), {"date": "2024-12-01"})
    assert early.status_code == 200
    assert early.context["form"].errors["date"]
    back = client.post(
        reverse("membership:floating_return", args=[record.pk]), {"date": "2025-08-01", "note": "返校"}
    )
    assert back.status_code == 302
    record.refresh_from_db()
    assert record.returned_on == D("2025-08-01")
    assert refresh(m).status == "active"


def test_the_api_lists_and_creates_changes_and_refuses_a_forbidden_move(client, example_user):
    from redengine.accounts.models import ApiToken

    key, _token = ApiToken.issue(example_user("school_secretary"), otp_verified=False)
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    m = membership_of("梅溪湖张老师")
    url = reverse("statuschange-list")
    body = {"membership": m.pk, "to_status": "out_of_contact", "date": "2025-03-01", "reason": "联系不上"}
    created = client.post(url, body, content_type="application/json", **auth)
    assert created.status_code == 201, created.json()
    assert (created.json()["from_status"], created.json()["person_name"]) == ("active", "梅溪湖张老师")
    assert [row["id"] for row in client.get(url, **auth).json()["results"]] == [created.json()["id"]]
    forbidden = client.post(
        url, {**body, "to_status": "expelled", "date": "2025-04-01"}, content_type="application/json", **auth
    )
    assert forbidden.status_code == 400
    assert "党纪处分" in forbidden.json()["to_status"][0]
    missing = client.post(
        url, {**body, "to_status": "suspended", "date": "2025-09-01"}, content_type="application/json", **auth
    )
    assert missing.status_code == 400
    assert {"resolution", "approved_by"} <= set(missing.json())
    outside = client.post(
        url, {**body, "membership": membership_of("芙蓉周老师").pk}, content_type="application/json", **auth
    )
    assert outside.status_code == 400
    assert "membership" in outside.json()
    patched = client.patch(
        reverse("statuschange-detail", args=[created.json()["id"]]),
        {},
        content_type="application/json",
        **auth,
    )
    assert patched.status_code == 403  # a recorded change is not changed: no role may (no route either)
    assert StatusChange.objects.filter(membership=m).count() == 1
