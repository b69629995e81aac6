"""The showcase's API: the writes through the services (a clear message by field, nothing written), the moves as
actions, the lists' ``q`` search, published items read across the system with a role model's consent shown only
within the caller's scope."""

import datetime

import pytest

from redengine.accounts.models import ApiToken
from redengine.core.models import ObjectChange
from redengine.showcase.models import RoleModel, Story

from .helpers import make, school

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, example_user):
    def call(username, method, path, body=None):
        user = example_user(username)
        key, _token = ApiToken.issue(user, otp_verified=user.requires_2fa)
        send = getattr(client, method)
        headers = {"HTTP_AUTHORIZATION": f"Token {key}", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}
        if method == "get":
            return send(path, body or {}, **headers)
        return send(path, body or {}, content_type="application/json", **headers)

    return call


def test_a_story_written_moved_and_found_through_the_api(api):
    body = {"school": school("own").code, "title": "接口故事", "text": "他们把课堂搬进了田间地头。"}
    response = api("school_secretary", "post", "/api/showcase/stories/", body)
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert (
        api("school_secretary", "post", f"/api/showcase/stories/{pk}/submit/").json()["status"] == "submitted"
    )
    assert api("school_secretary", "post", f"/api/showcase/stories/{pk}/publish/").status_code == 403
    assert api("furong_admin", "post", f"/api/showcase/stories/{pk}/publish/").status_code == 404
    refused = api("yuelu_admin", "post", f"/api/showcase/stories/{pk}/return/")
    assert refused.status_code == 400
    assert "原因" in str(refused.json())
    assert api("yuelu_admin", "post", f"/api/showcase/stories/{pk}/publish/").json()["status"] == "published"
    found = api("furong_admin", "get", "/api/showcase/stories/", {"q": "田间"}).json()["results"]
    assert [row["id"] for row in found] == [pk]
    patched = api("yuelu_admin", "patch", f"/api/showcase/stories/{pk}/", {"title": "改"})
    assert patched.status_code == 400
    assert "撤回" in str(patched.json())


def test_bad_input_is_refused_by_field_with_nothing_written(api):
    before = ObjectChange.objects.count()
    body = {
        "school": school("own").code,
        "name": "王小红",
        "grade": "五年级",
        "deed": "她的身份证号是430104201401010023。",
        "honour": "区级道德模范",
        "named_on": "2024-05-04",
    }
    response = api("school_secretary", "post", "/api/showcase/role-models/", body)
    assert response.status_code == 400
    assert "身份证" in " ".join(response.json()["deed"])
    empty = api(
        "school_secretary",
        "post",
        "/api/showcase/stories/",
        {"school": school("own").code, "title": " ", "text": "x"},
    )
    assert empty.status_code == 400
    assert "title" in empty.json()
    assert ObjectChange.objects.count() == before
    assert not RoleModel.objects.exists()
    assert not Story.objects.exists()


def test_a_published_role_model_read_elsewhere_shows_no_consent(api):
    pupil = make(
        RoleModel,
        "own",
        "published",
        consent_by="李父",
        consent_relation="父亲",
        consent_on=datetime.date(2024, 5, 1),
    )
    mine = api("school_secretary", "get", f"/api/showcase/role-models/{pupil.pk}/").json()
    assert mine["consent_by"] == "李父"
    theirs = api("furong_admin", "get", f"/api/showcase/role-models/{pupil.pk}/").json()
    assert theirs["name"] == pupil.name
    assert "consent_by" not in theirs
    listed = api("furong_admin", "get", "/api/showcase/role-models/").json()["results"]
    assert [("consent_by" in row) for row in listed] == [False]
