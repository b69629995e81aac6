import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "username",
    [
        "city_admin",
        "yuelu_admin",
        "school_secretary",
        "instructor",
        "inspector",
        "sys_admin",
        "sec_admin",
        "audit_admin",
    ],
)
def test_every_menu_page_opens(client_for, username):
    client = client_for(username)
    response = client.get("/")
    assert response.status_code == 200
    for area in response.context["nav_areas"]:
        for link in area["links"]:
            page = client.get(link["url"])
            assert page.status_code == 200, link["url"]
