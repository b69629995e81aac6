"""``/api/people/transfers/``: the list and a detail within the scope, a transfer started (within the system, a
letter out, a letter in) and moved (``…/{id}/accept/`` and the others) by the side it belongs to: 403 for a role
without the move, 404 for a transfer the caller's side may not move, 400 naming the field for a bad body; and
the OpenAPI schema still builds and validates."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from redengine.accounts.models import ApiToken
from redengine.membership.models import Transfer

from .transfer_helpers import (
    LUSHAN,
    LUSHAN_BRANCH,
    LUSHAN_SECRETARY,
    MEIXIHU_SENIOR,
    counts,
    days_ago,
    lushan_secretary,
    membership,
    person,
    reloaded,
    send,
    user,
)

pytestmark = pytest.mark.django_db


def call(client, username, method, url, body=None):
    account = user(username)
    key, _token = ApiToken.issue(account, otp_verified=account.requires_2fa)
    headers = {"HTTP_AUTHORIZATION": f"Token {key}", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    if method == "get":
        return client.get(url, body or {}, **headers)
    return client.post(url, body or {}, content_type="application/json", **headers)


def test_the_list_and_the_detail_are_scoped(client):
    mine = send("梅溪湖张老师", MEIXIHU_SENIOR)
    other = send("芙蓉周老师", "CS430102-02-01", to_school="4301020002")
    listed = call(client, "school_secretary", "get", reverse("transfer-list"))
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["results"]}
    assert mine.pk in ids
    assert other.pk not in ids
    row = next(r for r in listed.json()["results"] if r["id"] == mine.pk)
    assert row["person_id_number"] == person("梅溪湖张老师").id_number_masked
    assert row["to_organization"] == MEIXIHU_SENIOR
    assert [m["move"] for m in row["moves"]] == ["send"]
    assert (
        call(client, "school_secretary", "get", reverse("transfer-detail", args=[other.pk])).status_code
        == 404
    )
    assert call(client, "furong_admin", "get", reverse("transfer-detail", args=[other.pk])).status_code == 200


def test_a_transfer_started_and_accepted_through_the_api(client):
    created = call(
        client,
        "school_secretary",
        "post",
        reverse("transfer-list"),
        {
            "person": person("梅溪湖黄老师").pk,
            "to_organization": LUSHAN_BRANCH,
            "to_school": LUSHAN,
            "reason": "rotation",
            "date": days_ago(3).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "sent"
    before = counts()
    # The sending side cannot accept (404: not a move of its side), the receiving side can.
    assert call(client, "school_secretary", "post", reverse("transfer-accept", args=[pk])).status_code == 404
    assert call(client, "instructor", "post", reverse("transfer-accept", args=[pk])).status_code == 403
    assert counts() == before
    lushan_secretary()
    refused = call(client, LUSHAN_SECRETARY, "post", reverse("transfer-reject", args=[pk]), {"note": ""})
    assert refused.status_code == 400
    assert "无正当理由" in str(refused.json()["note"])
    accepted = call(client, LUSHAN_SECRETARY, "post", reverse("transfer-accept", args=[pk]), {"note": "欢迎"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert membership("梅溪湖黄老师").organization.code == LUSHAN_BRANCH


def test_a_request_and_its_release_through_the_api(client):
    transfer = send("梅溪湖张老师", MEIXIHU_SENIOR)
    cancelled = call(
        client, "school_secretary", "post", reverse("transfer-cancel", args=[transfer.pk]), {"note": "改派"}
    )
    assert cancelled.status_code == 200
    assert reloaded(transfer).status == "cancelled"
    released = call(client, "school_secretary", "post", reverse("transfer-send", args=[transfer.pk]))
    assert released.status_code == 400  # a cancelled transfer is not sent again
    assert "move" in released.json() or "non_field_errors" in released.json()


def test_bad_bodies_name_their_field(client):
    url = reverse("transfer-list")
    zhang = person("梅溪湖张老师").pk
    same = call(
        client, "school_secretary", "post", url, {"person": zhang, "to_organization": "CS430104-02-01"}
    )
    assert same.status_code == 400
    assert "已在" in str(same.json()["to_organization"])
    unknown = call(client, "school_secretary", "post", url, {"person": zhang, "to_organization": "NOPE"})
    assert "to_organization" in unknown.json()
    stranger = call(
        client,
        "school_secretary",
        "post",
        url,
        {"person": person("芙蓉周老师").pk, "to_organization": LUSHAN_BRANCH},
    )
    assert stranger.status_code == 400
    assert "person" in stranger.json()
    future = call(
        client,
        "school_secretary",
        "post",
        url,
        {"person": zhang, "to_organization": MEIXIHU_SENIOR, "date": days_ago(-2).isoformat()},
    )
    assert "started_on" in future.json()
    assert not Transfer.objects.exists()


def test_letters_out_and_in_through_the_api(client):
    out = call(
        client,
        "school_secretary",
        "post",
        reverse("transfer-list"),
        {
            "kind": "out",
            "person": person("梅溪湖张老师").pk,
            "outside_organization": "中共广州市教育局委员会",
        },
    )
    assert out.status_code == 201, out.content
    assert out.json()["letter_number"].startswith("转字〔")
    receipt = call(client, "school_secretary", "post", reverse("transfer-receipt", args=[out.json()["id"]]))
    assert receipt.status_code == 200, receipt.content
    assert receipt.json()["status"] == "received"
    inward = call(
        client,
        "yuelu_admin",
        "post",
        reverse("transfer-list"),
        {
            "kind": "in",
            "person": person("麓山钱老师").pk,
            "to_organization": LUSHAN_BRANCH,
            "outside_organization": "中共株洲市教育局委员会",
            "letter_number": "株教转〔2025〕3号",
            "admitted_on": datetime.date(2018, 6, 1).isoformat(),
        },
    )
    assert inward.status_code == 201, inward.content
    assert membership("麓山钱老师").organization.code == LUSHAN_BRANCH
    assert (
        call(client, "inspector", "post", reverse("transfer-list"), {"kind": "out", "person": 1}).status_code
        == 403
    )


def test_the_openapi_schema_builds_and_validates(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/people/transfers/",
        "/api/people/transfers/{id}/accept/",
        "/api/people/transfers/{id}/request/",
    ):
        assert path in text
