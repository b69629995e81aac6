"""Found by a penetration test: a step naming contacts or introducers outside the caller's scope was
accepted through the API, their names then showed on the case page, and the refusal for a non-member
told whether an out-of-scope person is a full member. Refused now, through the API and the step form:
nothing written, and the same answer whoever the person outside is."""

import pytest
from django.urls import reverse

from redengine.accounts.models import ApiToken
from redengine.core.models import ObjectChange
from redengine.core.writes import SYSTEM
from redengine.development.models import CaseContact, DevelopmentEvent
from redengine.development.services import open_case
from redengine.people.models import Person

from .helpers import branch, new_applicant, walk

pytestmark = pytest.mark.django_db
FULL_MEMBER, NOT_A_MEMBER = "芙蓉周老师", "芙蓉吴老师"  # of 芙蓉区: outside 岳麓区's scope


@pytest.fixture
def case():
    """A case of 梅溪湖中学 whose training contacts are chosen next (S05)."""
    return walk(open_case(new_applicant(), branch(), by=SYSTEM), "S04", by=SYSTEM)


def written():
    return DevelopmentEvent.objects.count(), CaseContact.objects.count(), ObjectChange.objects.count()


def post_step(client, example_user, case, code, key, name):
    token, _ = ApiToken.issue(example_user("yuelu_admin"))
    data = {key: [Person.objects.get(name=name).pk]}
    body = {"case": case.pk, "step": code, "date": "2022-04-10", "data": data}
    return client.post(
        "/api/development/events/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )


@pytest.mark.parametrize(("code", "key"), [("S05", "contacts")])
def test_a_contact_outside_the_scope_is_refused_through_the_api(client, example_user, case, code, key):
    before = written()
    answers = []
    for name in (FULL_MEMBER, NOT_A_MEMBER):
        response = post_step(client, example_user, case, code, key, name)
        assert response.status_code == 400
        assert list(response.json()) == [key]
        assert name not in response.content.decode()
        answers.append(response.json())
    assert answers[0] == answers[1]  # nothing told of who the person is
    assert written() == before
    page = client.get(case.get_absolute_url())
    assert FULL_MEMBER not in page.content.decode()


def test_an_introducer_outside_the_scope_is_refused_through_the_api(client, example_user, case):
    walk(case, "S08", by=SYSTEM)
    before = written()
    token, _ = ApiToken.issue(example_user("yuelu_admin"))
    inside = Person.objects.get(name="梅溪湖张老师")
    answers = []
    for name in (FULL_MEMBER, NOT_A_MEMBER):
        body = {
            "case": case.pk,
            "step": "S09",
            "date": "2023-04-15",
            "data": {"introducers": [inside.pk, Person.objects.get(name=name).pk]},
        }
        response = client.post(
            "/api/development/events/",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        assert response.status_code == 400
        assert list(response.json()) == ["introducers"]
        answers.append(response.json())
    assert answers[0] == answers[1]
    assert written() == before


def test_the_step_form_offers_and_accepts_no_one_outside_the_scope(client_for, case):
    client = client_for("yuelu_admin")
    url = reverse("development:step_add", args=[case.pk])
    page = client.get(url, {"step": "S05"})
    offered = page.context["form"].fields["contacts"].queryset
    assert not offered.filter(name__in=[FULL_MEMBER, NOT_A_MEMBER]).exists()
    before = written()
    answers = []
    for name in (FULL_MEMBER, NOT_A_MEMBER):
        pk = Person.objects.get(name=name).pk
        response = client.post(url, {"step": "S05", "date": "2022-04-10", "contacts": [pk]})
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "contacts" in errors
        answers.append(
            [message.replace(str(pk), "…") for message in errors["contacts"]]
        )  # echoes the id typed
        assert name not in response.content.decode()
    assert answers[0] == answers[1]
    assert written() == before
