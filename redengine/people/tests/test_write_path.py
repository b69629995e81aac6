"""Found by a penetration test: an account holding district_admin on one district and inspector on the
city created memberships and committee posts for people outside its change scope, because related fields
were scoped by "view". Refused now: a record named by a write must lie where the roles that allow the
write reach, whatever other roles the account holds."""

import pytest
from django.urls import reverse

from redengine.accounts import services as account_services
from redengine.accounts.models import ApiToken
from redengine.core.models import ObjectChange
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization
from redengine.people.models import CommitteePost, Membership, Person
from redengine.testing import login_client

pytestmark = pytest.mark.django_db
OUTSIDE = "芙蓉吴老师"  # of 芙蓉区, not a member


@pytest.fixture
def two_hats():
    user, _ = account_services.create_account(username="two_hats", password="TwoHats@2026x", by=SYSTEM)
    yuelu, city = PartyOrganization.objects.get(code="CS430104"), PartyOrganization.objects.get(code="CS0001")
    account_services.grant_role(user=user, role="district_admin", organization=yuelu, by=SYSTEM)
    account_services.grant_role(user=user, role="inspector", organization=city, by=SYSTEM)
    return user


def written():
    return Membership.objects.count(), CommitteePost.objects.count(), ObjectChange.objects.count()


def headers(user):
    key, _ = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Token {key}", "content_type": "application/json"}


def test_memberships_and_posts_for_people_outside_the_change_scope_are_refused(client, two_hats):
    person = Person.objects.get(name=OUTSIDE)
    before = written()
    membership = {"person": person.pk, "organization": "CS430104-02-01", "admitted_on": "2024-07-01"}
    response = client.post("/api/people/memberships/", membership, **headers(two_hats))
    assert response.status_code == 400
    assert "person" in response.json()
    post = {
        "organization": "CS430104-02",
        "person": person.pk,
        "post": "organizing",
        "start_on": "2025-01-01",
    }
    response = client.post("/api/people/committee-posts/", post, **headers(two_hats))
    assert response.status_code == 400
    assert "person" in response.json()
    assert written() == before
    assert not Membership.objects.filter(person=person).exists()
    # The account still sees the person, through its inspector role.
    assert client.get(f"/api/people/people/{person.pk}/", **headers(two_hats)).status_code == 200


def test_the_membership_page_refuses_them_too(client, two_hats):
    person = Person.objects.get(name=OUTSIDE)
    client = login_client(client, two_hats)
    before = written()
    assert client.get(reverse("people:membership_add"), {"person": person.pk}).status_code == 404
    data = {"person": person.pk, "organization": PartyOrganization.objects.get(code="CS430104-02-01").pk}
    response = client.post(
        reverse("people:membership_add") + f"?person={person.pk}", {**data, "admitted_on": "2024-07-01"}
    )
    assert response.status_code == 404
    assert written() == before
