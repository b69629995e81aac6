"""The API: token login (with two-factor where needed), conventions, filters, scoped writes, schema."""

import datetime
import re

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from redengine.accounts.models import ApiToken
from redengine.core.models import ObjectChange
from redengine.demo.data import DEMO_PASSWORD
from redengine.orgs.models import PartyOrganization, School

pytestmark = pytest.mark.django_db
TOKEN = "/api/auth/token/"


def token_for(client, username, **extra):
    response = client.post(
        TOKEN, {"username": username, "password": DEMO_PASSWORD, **extra}, content_type="application/json"
    )
    return response


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_token_login_and_use(client):
    response = token_for(client, "yuelu_admin")
    assert response.status_code == 200
    key = response.json()["token"]
    assert not ApiToken.objects.filter(digest=key).exists()  # only a keyed digest is stored
    schools = client.get("/api/orgs/schools/", **auth(key))
    assert schools.status_code == 200
    codes = {row["code"] for row in schools.json()["results"]}
    assert codes == set(School.objects.filter(district="430104").values_list("code", flat=True))


def test_wrong_password_is_refused_in_chinese(client):
    response = client.post(
        TOKEN, {"username": "yuelu_admin", "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.json()["detail"]


def test_two_factor_accounts_need_the_code(client):
    assert token_for(client, "city_admin").status_code == 401
    device = TOTPDevice.objects.get(user__username="city_admin")
    response = token_for(client, "city_admin", otp=f"{totp(device.bin_key):06d}")
    assert response.status_code == 200


def test_expired_or_unknown_tokens_are_refused(client, example_user):
    key, token = ApiToken.issue(example_user("yuelu_admin"))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/orgs/schools/", **auth(key)).status_code == 401
    assert client.get("/api/orgs/schools/", **auth("made-up")).status_code == 401
    assert client.get("/api/orgs/schools/").status_code in {401, 403}


def test_filters_and_pagination(client, example_user):
    key, _ = ApiToken.issue(example_user("city_admin"), otp_verified=True)
    private = client.get("/api/orgs/schools/", {"ownership": "private", "page_size": 2}, **auth(key)).json()
    assert private["count"] == School.objects.filter(ownership="private").count()
    assert len(private["results"]) == 2
    assert private["next"]
    subtree = client.get(
        "/api/orgs/organizations/", {"within": "CS430104", "page_size": 500}, **auth(key)
    ).json()
    assert {r["code"] for r in subtree["results"]} == set(
        PartyOrganization.objects.filter(code__startswith="CS430104").values_list("code", flat=True)
    )
    row = next(r for r in subtree["results"] if r["code"] == "CS430104-02-01")
    assert row["parent"] == "CS430104-02"


def test_list_queries_do_not_grow_with_rows(client, example_user, django_assert_max_num_queries):
    key, _ = ApiToken.issue(example_user("city_admin"), otp_verified=True)
    with django_assert_max_num_queries(8):
        response = client.get("/api/orgs/organizations/", {"page_size": 500}, **auth(key))
    assert len(response.json()["results"]) == PartyOrganization.objects.count()


def test_create_inside_the_scope_is_audited(client, example_user):
    key, _ = ApiToken.issue(example_user("yuelu_admin"))
    response = client.post(
        "/api/orgs/organizations/",
        {
            "code": "CS430104-08",
            "name": "岳麓区新建党支部",
            "org_type": "branch",
            "parent": "CS430104",
            "schools": ["4301040003"],
        },
        content_type="application/json",
        **auth(key),
    )
    assert response.status_code == 201, response.content
    org = PartyOrganization.objects.get(code="CS430104-08")
    assert org.path.startswith(PartyOrganization.objects.get(code="CS430104").path)
    assert ObjectChange.objects.filter(
        object_id=str(org.pk), action="create", username="yuelu_admin"
    ).exists()


def test_create_outside_the_scope_writes_nothing(client, example_user):
    key, _ = ApiToken.issue(example_user("yuelu_admin"))
    before = ObjectChange.objects.count()
    response = client.post(
        "/api/orgs/organizations/",
        {"code": "CS430102-08", "name": "越权党支部", "org_type": "branch", "parent": "CS430102"},
        content_type="application/json",
        **auth(key),
    )
    assert response.status_code == 400
    assert not PartyOrganization.objects.filter(code="CS430102-08").exists()
    assert ObjectChange.objects.count() == before


def test_schema_and_docs_are_served_locally(client, example_user):
    key, _ = ApiToken.issue(example_user("yuelu_admin"))
    schema = client.get("/api/schema/", {"format": "json"}, **auth(key))
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/orgs/schools/",
        "/api/orgs/schools/{id}/",
        "/api/orgs/organizations/",
        "/api/auth/token/",
    ]:
        assert path in paths
    assert schema.json()["openapi"].startswith("3.")
    client.force_login(example_user("yuelu_admin"))
    docs = client.get("/api/docs/").content.decode()
    assert "swagger" in docs.lower()
    assert not re.search(r'(src|href)="https?://', docs)


def test_createorg_builds_the_first_organizations(capsys):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("createorg", "--code", "X1", "--name", "第二个根", "--type", "working_committee")
    call_command(
        "createorg", "--code", "CS430104-77", "--name", "新建支部", "--type", "branch", "--parent", "CS430104"
    )
    org = PartyOrganization.objects.get(code="CS430104-77")
    assert org.path.startswith(PartyOrganization.objects.get(code="CS430104").path)
    created = ObjectChange.objects.get(
        object_id=str(org.pk), action="create", content_type__model="partyorganization"
    )
    assert created.actor == "manage.py createorg"
    with pytest.raises(CommandError):
        call_command(
            "createorg", "--code", "CS430104-77", "--name", "重复", "--type", "branch", "--parent", "CS0001"
        )


def test_invalid_form_keeps_input_and_marks_the_wrong_field(client_for):
    from django.urls import reverse

    school = School.objects.get(code="4301040001")
    response = client_for("yuelu_admin").post(
        reverse("orgs:school_edit", args=[school.pk]),
        {
            "code": "43010",
            "name": "改了名字",
            "district": "430104",
            "ownership": "public",
            "school_type": "primary",
            "urban_rural": "urban",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="改了名字"' in html
    assert 'value="43010"' in html
    assert "学校代码应为 10 位数字。" in html
    assert 'aria-invalid="true"' in html
    school.refresh_from_db()
    assert school.name == "岳麓区麓山实验小学"


def test_tree_outline_starts_at_the_scope_and_opens_within_it(client_for):
    from django.urls import reverse

    client = client_for("yuelu_admin")
    page = client.get(reverse("orgs:tree"))
    assert [n.code for n in page.context["nodes"]] == ["CS430104"]
    yuelu = PartyOrganization.objects.get(code="CS430104")
    children = client.get(reverse("orgs:tree_children", args=[yuelu.pk]))
    assert {n.code for n in children.context["nodes"]} == set(
        PartyOrganization.objects.filter(path__startswith=yuelu.path, depth=yuelu.depth + 1).values_list(
            "code", flat=True
        )
    )
    root = PartyOrganization.objects.get(code="CS0001")
    assert client.get(reverse("orgs:tree_children", args=[root.pk])).status_code == 404
    assert [n.code for n in client_for("city_admin").get(reverse("orgs:tree")).context["nodes"]] == ["CS0001"]


def test_receive_an_organization_from_outside(client_for):
    from django.urls import reverse

    from redengine.orgs.models import AffiliationChange

    client = client_for("yuelu_admin")
    response = client.post(
        reverse("orgs:receive"),
        {
            "code": "CS430104-55",
            "name": "岳麓区接收党支部",
            "org_type": "branch",
            "parent": "CS430104",
            "old_parent_name": "中共岳麓区某街道工作委员会",
            "changed_on": "2019-05-01",
            "document_number": "岳组〔2019〕5号",
        },
    )
    assert response.status_code == 302
    change = AffiliationChange.objects.get(organization__code="CS430104-55")
    assert change.received
    assert change.old_parent_name == "中共岳麓区某街道工作委员会"
    refused = client.post(
        reverse("orgs:receive"),
        {
            "code": "CS430102-55",
            "name": "越权",
            "org_type": "branch",
            "parent": "CS430102",
            "old_parent_name": "外单位",
            "changed_on": "2019-05-01",
        },
    )
    assert refused.status_code == 200
    assert not PartyOrganization.objects.filter(code="CS430102-55").exists()


def test_grant_standards_are_edited_by_the_city_only(client_for):
    from django.urls import reverse

    from redengine.orgs.models import GrantStandard

    standard = GrantStandard.objects.get(org_type="branch")
    data = {"org_type": "branch", "valid_from": standard.valid_from, "amount": "6000.00"}
    assert (
        client_for("yuelu_admin").post(reverse("orgs:standard_edit", args=[standard.pk]), data).status_code
        == 403
    )
    assert client_for("yuelu_admin").get(reverse("orgs:standard_list")).status_code == 200
    assert (
        client_for("city_admin").post(reverse("orgs:standard_edit", args=[standard.pk]), data).status_code
        == 302
    )
    standard.refresh_from_db()
    assert str(standard.amount) == "6000.00"
