"""The membership dates the registry accepts follow the engine's calendar (PROB.LENGTH, PROB.EXTEND —
党章第七条; 《发展党员工作细则》第三十二条): full membership exactly when the one-year probation ends, or when
one extension of 6 to 12 months ends, by ``add_months`` (clamped to the month's end) — not any date
between one and two years after admission. Forms, the API and the 人员 sheet go through the same service."""

import datetime

import pytest
from django.urls import reverse

from redengine.accounts.models import ApiToken
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError
from redengine.development import engine, rules
from redengine.orgs.models import PartyOrganization
from redengine.people import services
from redengine.people.models import Membership, Person, full_membership_dates

pytestmark = pytest.mark.django_db
D = datetime.date.fromisoformat


def qian():
    return Person.objects.get(name="麓山钱老师")  # no membership in the demo data


def membership(admitted, full):
    org = PartyOrganization.objects.get(code="CS430104-01")
    return Item({"person": qian(), "organization": org, "admitted_on": D(admitted), "full_on": D(full)})


def test_full_membership_dates_are_the_engines_probation_ends():
    """The registry's dates are those ``engine.probation_end`` gives after an S15 and an extension."""
    for admitted in (D("2023-06-25"), D("2024-08-31"), D("2024-02-29"), D("2023-01-31")):
        done = [engine.Done("S15", admitted)]
        expected = [engine.probation_end(done)]
        for months in range(
            rules.param("prob.extension_min_months"), rules.param("prob.extension_max_months") + 1
        ):
            extended = done + [
                engine.Done("S23", admitted, {"outcome": "extend", "extension_months": months})
            ]
            expected.append(engine.probation_end(extended))
        assert full_membership_dates(admitted) == expected
    # Month-end clamping: admitted 2024-08-31, extended 6 months -> 2026-02-28.
    assert D("2026-02-28") in full_membership_dates(D("2024-08-31"))


@pytest.mark.parametrize("full", ["2023-07-01", "2024-01-01", "2024-06-01", "2024-07-01"])
def test_full_membership_at_the_end_of_the_probation_or_an_extension_is_accepted(full):
    services.set_memberships([membership("2022-07-01", full)], by=SYSTEM)
    assert qian().memberships.get().full_on == D(full)


@pytest.mark.parametrize("full", ["2023-07-02", "2023-09-15", "2023-12-31", "2024-06-30", "2023-06-30"])
def test_a_date_between_one_and_two_years_is_refused_naming_the_expected_dates(full):
    with pytest.raises(RefusedError) as info:
        services.set_memberships([membership("2022-07-01", full)], by=SYSTEM)
    text = " ".join(info.value.messages)
    for expected in ("2023-07-01", "2024-01-01", "2024-07-01"):
        assert expected in text
    assert not Membership.objects.filter(person=qian()).exists()


def test_the_form_refuses_a_date_inside_the_window_of_the_old_rule(client_for):
    person = qian()
    org = PartyOrganization.objects.get(code="CS430104-01")
    client = client_for("yuelu_admin")
    url = reverse("people:membership_add") + f"?person={person.pk}"
    values = {"person": person.pk, "organization": org.pk, "admitted_on": "2022-07-01"}
    page = client.post(url, {**values, "full_on": "2023-09-15"})
    assert page.status_code == 200
    assert "2023-07-01" in page.content.decode()
    assert not Membership.objects.filter(person=person).exists()
    assert client.post(url, {**values, "full_on": "2024-03-01"}).status_code == 302  # extended 8 months


def test_the_api_refuses_a_date_inside_the_window_of_the_old_rule(client, example_user):
    key, _ = ApiToken.issue(example_user("yuelu_admin"))
    body = {"person": qian().pk, "organization": "CS430104-01", "admitted_on": "2021-07-01"}
    refused = client.post(
        "/api/people/memberships/",
        {**body, "full_on": "2022-08-15"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert refused.status_code == 400
    assert "2022-07-01" in refused.content.decode()
    assert not Membership.objects.filter(person=qian()).exists()


def test_under_observation_is_recorded_on_the_membership():
    """留党察看 (党章第四十条) is recorded on the membership with its start and the day rights return."""
    from redengine.people.models import under_observation

    item = membership("2018-07-01", "2019-07-01")
    item.values.update(observation_from=D("2024-03-01"), observation_until=D("2025-03-01"))
    services.set_memberships([item], by=SYSTEM)
    recorded = qian().memberships.get()
    assert under_observation(recorded, D("2024-03-01"))
    assert not under_observation(recorded, D("2025-03-01"))
    assert not under_observation(recorded, D("2024-02-29"))
    wrong = Item({"observation_until": D("2024-01-01")}, instance=recorded)
    with pytest.raises(RefusedError):
        services.set_memberships([wrong], by=SYSTEM)
