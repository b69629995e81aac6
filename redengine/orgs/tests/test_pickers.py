"""The pickers' suggestions (organizations, schools, the role grant's scope) and the fields they fill."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from redengine.core.pickers import LIMIT
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization, School
from redengine.orgs.services import save_schools

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'role="option" aria-selected="false" data-pk="(\d+)" data-code="([^"]+)"')


def suggested(client, url_name, q, **params):
    response = client.get(reverse(url_name), {"q": q, **params})
    assert response.status_code == 200
    return [code for _pk, code in OPTION.findall(response.content.decode())]


def test_by_name_or_code_prefix(client_for, example_user):
    client = client_for("yuelu_admin")
    assert suggested(client, "orgs:organization_suggest", "梅溪湖") == [
        "CS430104-02",
        "CS430104-02-01",
        "CS430104-02-02",
    ]
    assert suggested(client, "orgs:organization_suggest", "cs430104-02-0") == [
        "CS430104-02-01",
        "CS430104-02-02",
    ]
    assert suggested(client, "orgs:organization_suggest", "430104-02") == []  # a code only by its start
    assert suggested(client, "orgs:school_suggest", "梅溪湖") == ["4301040002"]
    schools = School.objects.visible_to(example_user("yuelu_admin")).filter(code__startswith="43010400")
    assert suggested(client, "orgs:school_suggest", "43010400") == sorted(s.code for s in schools)
    assert len(schools) > 1


@pytest.mark.parametrize(
    ("username", "q"),
    [("yuelu_admin", "中"), ("yuelu_admin", "CS"), ("school_secretary", "中"), ("furong_admin", "CS4301")],
)
def test_nothing_outside_the_scope_is_suggested(client_for, example_user, username, q):
    """Every organization or school suggested is one the user may view; one outside never shows, even
    asked by its exact name or code."""
    user, client = example_user(username), client_for(username)
    visible = set(PartyOrganization.objects.visible_to(user).values_list("code", flat=True))
    codes = suggested(client, "orgs:organization_suggest", q)
    assert codes
    assert set(codes) <= visible
    for outside in PartyOrganization.objects.exclude(code__in=visible)[:5]:
        assert outside.code not in suggested(client, "orgs:organization_suggest", outside.code)
        assert outside.code not in suggested(client, "orgs:organization_suggest", outside.name)
    schools = set(School.objects.visible_to(user).values_list("code", flat=True))
    for outside in School.objects.exclude(code__in=schools)[:5]:
        assert suggested(client, "orgs:school_suggest", outside.code) == []
        assert outside.code not in suggested(client, "orgs:school_suggest", outside.name)


def test_for_add_offers_only_where_a_new_organization_may_go(client_for, example_user):
    user, client = example_user("yuelu_admin"), client_for("yuelu_admin")
    allowed = set(PartyOrganization.objects.visible_to(user, "add").values_list("code", flat=True))
    codes = suggested(client, "orgs:organization_suggest", "CS", **{"for": "add"})
    assert codes
    assert set(codes) <= allowed
    # An unknown action is read as "view", never as something wider.
    assert set(suggested(client, "orgs:organization_suggest", "CS", **{"for": "delete"})) <= set(
        PartyOrganization.objects.visible_to(user).values_list("code", flat=True)
    )


def test_at_most_the_limit_and_a_hint_to_narrow(client_for):
    save_schools(
        [
            Item(
                {
                    "code": f"43010498{i:02d}",
                    "name": f"岳麓区测试学校{i}",
                    "district": "430104",
                    "ownership": "public",
                    "school_type": "primary",
                    "urban_rural": "urban",
                }
            )
            for i in range(LIMIT + 5)
        ],
        by=SYSTEM,
    )
    response = client_for("yuelu_admin").get(reverse("orgs:school_suggest"), {"q": "测试学校"})
    page = response.content.decode()
    assert len(OPTION.findall(page)) == LIMIT
    assert "picker-none" in page  # the "type more" line, not an option one can pick


def test_an_empty_search_suggests_nothing(client_for):
    response = client_for("city_admin").get(reverse("orgs:organization_suggest"), {"q": "  "})
    assert response.status_code == 200
    assert not OPTION.findall(response.content.decode())


def test_queries_do_not_grow_with_the_suggestions(client_for, django_assert_max_num_queries):
    client = client_for("city_admin")
    client.get(reverse("orgs:organization_suggest"), {"q": "x"})  # the session warmed
    counts = []
    for q in ("梅溪湖中学初中部", "CS"):  # one match, then every organization
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("orgs:organization_suggest"), {"q": q})
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The session, the account, its device and its roles; the one search; the session's expiry renewed
    # (with the request's two savepoints).
    with django_assert_max_num_queries(10):
        client.get(reverse("orgs:school_suggest"), {"q": "43"})


def test_a_role_without_view_is_refused(client_for):
    assert client_for("sec_admin").get(reverse("orgs:organization_suggest"), {"q": "CS"}).status_code == 403


def test_the_security_administrator_picks_any_scope(client_for):
    client = client_for("sec_admin")
    assert "CS430102" in suggested(client, "accounts:scope_suggest", "CS4301")
    assert "CS430104" in suggested(client, "accounts:scope_suggest", "CS4301")
    assert client_for("city_admin").get(reverse("accounts:scope_suggest"), {"q": "CS"}).status_code == 403


# The fields --------------------------------------------------------------------------------------------
def test_a_bookmarked_filter_with_a_code_still_works(client_for):
    client = client_for("yuelu_admin")
    page = client.get(reverse("people:person_list"), {"within": "CS430104-02"}).content.decode()
    assert "梅溪湖张老师" in page
    assert 'name="within" value="CS430104-02"' in page  # the picker keeps the code: no JavaScript needed
    assert 'data-picker="one"' in page
    assert (
        "梅溪湖张老师" in client.get(reverse("people:person_list"), {"school": "4301040002"}).content.decode()
    )
    other = client.get(reverse("people:person_list"), {"school": "4301040001"}).content.decode()
    assert "梅溪湖张老师" not in other
    # An organization outside the scope filters to nothing, as one that does not exist.
    assert (
        "芙蓉周老师" not in client.get(reverse("people:person_list"), {"within": "CS430102"}).content.decode()
    )
    cases = client.get(reverse("development:case_list"), {"within": "CS430104", "school": "4301040002"})
    assert cases.status_code == 200


def test_the_covered_schools_render_only_the_chosen(client_for):
    org = PartyOrganization.objects.get(code="CS430104-02")
    page = client_for("yuelu_admin").get(reverse("orgs:organization_edit", args=[org.pk])).content.decode()
    chips = page[page.index('data-picker="many"') :]
    chips = chips[: chips.index("</select>")]
    assert re.findall(r"<option value=\"(\d+)\"", chips) == [str(s.pk) for s in org.schools.order_by("code")]
    assert "selected" in chips
    assert "4301040001" not in chips  # another school of the district: searched, not listed


def test_parent_by_code_outside_the_scope_is_a_clear_error(client_for):
    page = client_for("yuelu_admin").post(
        reverse("orgs:organization_add"),
        {"code": "NEW-1", "name": "新支部", "org_type": "branch", "parent": "CS430102"},
    )
    assert page.status_code == 200
    assert "parent" in page.context["form"].errors
    assert not PartyOrganization.objects.filter(code="NEW-1").exists()


def test_the_coverage_scope_is_a_picker(client_for):
    page = (
        client_for("yuelu_admin").get(reverse("reports:coverage"), {"scope": "CS430104-02"}).content.decode()
    )
    assert 'data-picker="one"' in page
    assert 'name="scope" value="CS430104-02"' in page
