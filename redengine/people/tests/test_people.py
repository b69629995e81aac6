"""People's records: encrypted personal data, reveal, memberships, titles, completeness, and the pages."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse

from redengine.accounts.models import ApiToken
from redengine.core.models import AccessEvent, ObjectChange
from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM, RefusedError
from redengine.orgs.models import AffiliationChange, GrantStandard, PartyOrganization, School
from redengine.people import services
from redengine.people.models import Membership, Person

pytestmark = pytest.mark.django_db
ID_LIKE = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")
MOBILE_LIKE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


def zhang():
    return Person.objects.get(name="梅溪湖张老师")


def test_id_numbers_and_mobiles_are_not_stored_in_clear():
    person = zhang()
    number = person.reveal_id_number()
    assert len(number) == 18
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person")
        dump = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert number not in dump
    assert person.reveal_mobile() not in dump
    assert person.id_number_masked == f"{number[:4]}{'*' * 12}{number[-2:]}"


@pytest.mark.parametrize("url", ["/people/people/", "/orgs/schools/", "/people/titles/", "/audit/changes/"])
def test_pages_show_no_full_id_number_or_mobile(client_for, url):
    html = client_for("city_admin").get(url).content.decode()
    assert not ID_LIKE.search(html)
    assert not MOBILE_LIKE.search(html)


def test_api_masks_and_the_reveal_is_logged(client, example_user):
    person = zhang()
    key, _ = ApiToken.issue(example_user("city_admin"), otp_verified=True)
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    listing = client.get("/api/people/people/", {"page_size": 500}, **auth).content.decode()
    assert not ID_LIKE.search(listing)
    revealed = client.post(f"/api/people/people/{person.pk}/reveal/", **auth)
    assert revealed.status_code == 200
    assert revealed.json()["id_number"] == person.reveal_id_number()
    assert AccessEvent.objects.filter(kind="reveal", username="city_admin", object_id=str(person.pk)).exists()


def test_reveal_needs_the_permission(client, client_for, example_user):
    person = zhang()
    assert (
        client_for("yuelu_admin").post(reverse("people:person_reveal", args=[person.pk])).status_code == 403
    )
    key, _ = ApiToken.issue(example_user("yuelu_admin"))
    assert (
        client.post(f"/api/people/people/{person.pk}/reveal/", HTTP_AUTHORIZATION=f"Token {key}").status_code
        == 403
    )
    page = client_for("city_admin").post(reverse("people:person_reveal", args=[person.pk]))
    assert person.reveal_id_number() in page.content.decode()


def test_reveal_outside_the_scope_is_404(client_for):
    from redengine.accounts import services as account_services

    user, _ = account_services.create_account(username="furong_revealer", password="Reveal@2026x", by=SYSTEM)
    account_services.grant_role(
        user=user,
        role="district_admin",
        organization=PartyOrganization.objects.get(code="CS430102"),
        can_reveal=True,
        by=SYSTEM,
    )
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from redengine.testing import login_client

    TOTPDevice.objects.create(user=user, name="test", confirmed=True)  # revealers log in with two factors
    user.must_change_password = False
    user.save()
    client = login_client(Client(), user)
    assert client.post(reverse("people:person_reveal", args=[zhang().pk])).status_code == 404
    zhou = Person.objects.get(name="芙蓉周老师")
    assert client.post(reverse("people:person_reveal", args=[zhou.pk])).status_code == 200


def test_create_person_through_the_ui(client_for):
    school = School.objects.get(code="4301040001")
    number = make_id_number("430104", datetime.date(1993, 5, 6), 12)
    response = client_for("yuelu_admin").post(
        reverse("people:person_add"),
        {
            "name": "新教师",
            "id_number": number,
            "school": school.pk,
            "post": "teacher",
            "political_status": "masses",
            "mobile": "13900001111",
            "ethnic_group": "15",
            "education": "master",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(name="新教师")
    assert person.birth_date == datetime.date(1993, 5, 6)
    assert person.sex == "female"  # sequence 012: even
    assert person.reveal_mobile() == "13900001111"
    record = ObjectChange.objects.get(object_id=str(person.pk), content_type__model="person", action="create")
    assert number not in str(record.after)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("430104199305060121", "校验码"),
        ("43010419930506012", "18"),
    ],
)
def test_bad_id_numbers_are_refused_with_the_reason(client_for, number, message):
    response = client_for("yuelu_admin").post(
        reverse("people:person_add"),
        {
            "name": "错号教师",
            "id_number": number,
            "school": School.objects.get(code="4301040001").pk,
            "political_status": "masses",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Person.objects.filter(name="错号教师").exists()


def test_duplicate_id_number_is_refused(client_for):
    response = client_for("city_admin").post(
        reverse("people:person_add"),
        {
            "name": "重复",
            "id_number": zhang().reveal_id_number(),
            "school": zhang().school_id,
            "political_status": "masses",
        },
    )
    assert response.status_code == 200
    assert not Person.objects.filter(name="重复").exists()


def test_membership_sets_the_political_status_and_its_rules(client_for):
    person = Person.objects.get(name="麓山钱老师")
    org = PartyOrganization.objects.get(code="CS430104-01")
    client = client_for("yuelu_admin")
    too_soon = client.post(
        reverse("people:membership_add") + f"?person={person.pk}",
        {"person": person.pk, "organization": org.pk, "admitted_on": "2022-07-01", "full_on": "2023-03-01"},
    )
    assert too_soon.status_code == 200
    assert not Membership.objects.filter(person=person).exists()
    ok = client.post(
        reverse("people:membership_add") + f"?person={person.pk}",
        {"person": person.pk, "organization": org.pk, "admitted_on": "2022-07-01", "full_on": "2023-07-01"},
    )
    assert ok.status_code == 302
    person.refresh_from_db()
    assert person.political_status == "member"


def test_under_18_admission_is_refused():
    person = zhang()
    membership = person.memberships.current().first()
    membership.admitted_on = person.birth_date.replace(year=person.birth_date.year + 17)
    with pytest.raises(Exception, match="18"):
        membership.full_clean()


def test_completeness_lists_the_least_complete(client_for):
    Person.objects.filter(name="芙蓉吴老师").update(post="", education="")
    page = client_for("city_admin").get(reverse("people:completeness"))
    rows = [p.name for p, _lacks in page.context["rows"]]
    assert rows[0] == "芙蓉吴老师"
    assert "芙蓉吴老师" not in [
        p.name for p, _l in client_for("yuelu_admin").get(reverse("people:completeness")).context["rows"]
    ]


def test_affiliation_change_moves_the_subtree_with_history(client_for):
    org = PartyOrganization.objects.get(code="CS430104-02")
    child = PartyOrganization.objects.get(code="CS430104-02-01")
    target = PartyOrganization.objects.get(code="CS430104-01")
    response = client_for("yuelu_admin").post(
        reverse("orgs:affiliation_change", args=[org.pk]),
        {"new_parent": target.code, "changed_on": "2024-09-01", "document_number": "岳教党〔2024〕3号"},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    child.refresh_from_db()
    assert org.path.startswith(target.path)
    assert child.path.startswith(org.path)
    change = AffiliationChange.objects.get(organization=org)
    assert change.old_parent.code == "CS430104"
    assert ObjectChange.objects.filter(object_id=str(child.pk), changed_fields=["path"]).exists()


def test_affiliation_change_outside_the_scope_is_refused(client_for):
    org = PartyOrganization.objects.get(code="CS430104-02")
    response = client_for("yuelu_admin").post(
        reverse("orgs:affiliation_change", args=[org.pk]),
        {"new_parent": "CS430102", "changed_on": "2024-09-01"},
    )
    assert response.status_code == 200
    org.refresh_from_db()
    assert org.path.startswith(PartyOrganization.objects.get(code="CS430104").path)
    assert not AffiliationChange.objects.filter(organization=org).exists()


def test_grant_form_offers_the_standard_amount(client_for):
    org = PartyOrganization.objects.get(code="CS430104-04")
    page = client_for("city_admin").get(reverse("orgs:grant_add"), {"organization": org.code})
    expected = GrantStandard.amount_for(org.org_type, org.founded_on.year)
    assert page.context["form"].initial["amount"] == expected


def test_school_and_organization_summaries(client_for):
    school = School.objects.get(code="4301040002")
    html = (
        client_for("yuelu_admin")
        .get(reverse("people:school_staff_summary", args=[school.pk]))
        .content.decode()
    )
    assert "中共党员" in html
    assert (
        client_for("furong_admin").get(reverse("people:school_staff_summary", args=[school.pk])).status_code
        == 404
    )
    org = PartyOrganization.objects.get(code="CS430104-02")
    html = (
        client_for("yuelu_admin").get(reverse("people:organization_members", args=[org.pk])).content.decode()
    )
    assert "梅溪湖王校长" in html


def test_save_people_checks_sex_against_the_id():
    values = {"name": "性别不符", "school": School.objects.get(code="4301040001"), "sex": "female"}
    values["id_number"] = make_id_number("430104", datetime.date(1990, 1, 1), 11)
    with pytest.raises(RefusedError) as refused:
        services.save_people([Item(values)], by=SYSTEM)
    assert refused.value.by_field(0) == {"sex": ["性别与公民身份号码不符。"]}
    assert not Person.objects.filter(name="性别不符").exists()


def test_completeness_score_on_the_pages(client_for):
    Person.objects.filter(name="芙蓉吴老师").update(post="", education="")
    wu = Person.objects.get(name="芙蓉吴老师")
    page = client_for("city_admin").get(wu.get_absolute_url())
    assert page.context["completeness"]["percent"] == 60  # 3 of the 5 items
    assert "学历" in page.content.decode()
    org = PartyOrganization.objects.get(code="CS430104-02")
    html = (
        client_for("yuelu_admin").get(reverse("people:organization_members", args=[org.pk])).content.decode()
    )
    assert 'id="org-completeness"' in html


def test_membership_through_the_api_keeps_the_political_status(client, example_user):
    key, _ = ApiToken.issue(example_user("yuelu_admin"))
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    person = Person.objects.get(name="麓山钱老师")
    created = client.post(
        "/api/people/memberships/",
        {
            "person": person.pk,
            "organization": "CS430104-01",
            "admitted_on": "2021-07-01",
            "full_on": "2022-07-01",
        },
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    person.refresh_from_db()
    assert person.political_status == "member"
    assert client.delete(f"/api/people/memberships/{created.json()['id']}/", **auth).status_code == 204
    person.refresh_from_db()
    assert person.political_status == "masses"


def test_the_audit_filter_offers_people_records(client_for):
    page = client_for("city_admin").get("/audit/changes/")
    field = page.context["filterset"].form.fields["content_type"]
    labels = [
        str(label)
        for _group, options in field.choices
        for _value, label in (options if isinstance(options, list | tuple) else [(_group, options)])
    ]
    assert any("人员" in label or "person" in label for label in labels)
