"""Found by a penetration test: a district administrator changed a school's district, then its
organization's schools, and the school with its staff moved into another district's scope. Refused now,
through the API and the pages alike: nothing written, no change record, nothing told of the other district."""

import pytest
from django.urls import reverse

from redengine.accounts.models import ApiToken
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization, School
from redengine.orgs.services import save_schools
from redengine.people.models import Person

pytestmark = pytest.mark.django_db
SCHOOL, ORG = "4301040001", "CS430104-01"  # 岳麓区麓山实验小学, covered by its branch only


def api(example_user, username):
    key, _ = ApiToken.issue(example_user(username))
    return {"HTTP_AUTHORIZATION": f"Token {key}", "content_type": "application/json"}


def trail():
    return ObjectChange.objects.count()


def moved_by_the_city():
    """The city administrator puts the school in 芙蓉区 (its branch still covers it: still 岳麓区's)."""
    school = School.objects.get(code=SCHOOL)
    save_schools([Item({"district": "430102"}, instance=school)], by=SYSTEM)


def coverage():
    return list(PartyOrganization.objects.get(code=ORG).schools.values_list("code", flat=True))


def test_the_school_cannot_be_given_another_district_through_the_api(client, example_user):
    school = School.objects.get(code=SCHOOL)
    before = trail()
    response = client.patch(
        f"/api/orgs/schools/{school.pk}/", {"district": "430102"}, **api(example_user, "yuelu_admin")
    )
    assert response.status_code == 400
    assert "district" in response.json()
    school.refresh_from_db()
    assert school.district == "430104"
    assert trail() == before


def test_its_organization_cannot_let_it_go_to_another_district_through_the_api(client, example_user):
    moved_by_the_city()
    staff = set(Person.objects.visible_to(example_user("yuelu_admin")).filter(school__code=SCHOOL))
    org = PartyOrganization.objects.get(code=ORG)
    before = trail()
    response = client.patch(
        f"/api/orgs/organizations/{org.pk}/", {"schools": []}, **api(example_user, "yuelu_admin")
    )
    assert response.status_code == 400
    assert list(response.json()) == ["schools"]
    assert "芙蓉" not in response.content.decode()
    assert coverage() == [SCHOOL]
    assert trail() == before
    assert staff == set(Person.objects.visible_to(example_user("yuelu_admin")).filter(school__code=SCHOOL))


def test_the_same_two_changes_through_the_pages(client_for):
    client = client_for("yuelu_admin")
    school = School.objects.get(code=SCHOOL)
    before = trail()
    data = {
        name: getattr(school, name) for name in ["code", "name", "ownership", "school_type", "urban_rural"]
    }
    response = client.post(reverse("orgs:school_edit", args=[school.pk]), {**data, "district": "430102"})
    assert response.status_code == 200
    assert "district" in response.context["form"].errors
    assert School.objects.get(code=SCHOOL).district == "430104"
    moved_by_the_city()
    org = PartyOrganization.objects.get(code=ORG)
    fields = {
        "code": org.code,
        "name": org.name,
        "org_type": org.org_type,
        "founded_on": org.founded_on or "",
    }
    before = trail()
    response = client.post(reverse("orgs:organization_edit", args=[org.pk]), {**fields, "schools": []})
    assert response.status_code == 200
    assert "schools" in response.context["form"].errors
    assert coverage() == [SCHOOL]
    assert trail() == before
