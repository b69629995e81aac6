"""``scope_covers`` (core/scoping.py) answers, from the roles alone, what the query would: whether a record
reached with one action may be acted on with another (a detail page's edit and delete buttons)."""

import pytest

from redengine.accounts.models import User
from redengine.accounts.services import grant_role
from redengine.core.scoping import scope_covers
from redengine.core.writes import SYSTEM
from redengine.development.models import DevelopmentCase
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Honor, Person

MODELS = [Person, School, PartyOrganization, DevelopmentCase, Honor]


@pytest.mark.django_db
def test_what_it_tells_is_what_the_query_finds():
    # An account that reads the whole city but changes one district only: the answer depends on the row.
    both = User.objects.get(username="furong_admin")
    grant_role(
        user=both, role="inspector", organization=PartyOrganization.objects.get(code="CS0001"), by=SYSTEM
    )
    told = asked = 0
    for user in User.objects.filter(role_assignments__isnull=False).distinct():
        user = User.objects.get(pk=user.pk)  # its roles as granted now
        for model in MODELS:
            reached = list(model.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)[:15])
            for action in ("change", "delete", "export", "reveal"):
                known = scope_covers(user, model, action)
                allowed = set(
                    model.objects.visible_to(user, action).filter(pk__in=reached).values_list("pk", flat=True)
                )
                if known is None:
                    asked += 1
                    continue
                told += 1
                assert allowed == (set(reached) if known else set()), (user.username, model.__name__, action)
    assert told > asked > 0  # most answers come from the roles; the two-role account's need the query


@pytest.mark.django_db
def test_a_detail_page_asks_no_query_for_its_buttons_when_the_roles_tell(
    client_for, django_assert_max_num_queries
):
    client = client_for("furong_admin")
    person = Person.objects.visible_to(User.objects.get(username="furong_admin")).order_by("pk").first()
    html = client.get(f"/people/people/{person.pk}/").content.decode()
    assert f"/people/people/{person.pk}/edit/" in html
    assert f"/people/people/{person.pk}/delete/" in html
