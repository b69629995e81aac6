"""The showcase's pages as their users use them: a secretary writes a story and submits it, the district
publishes it, a user of another district finds it by search and reads it (drafts of elsewhere answer 404);
files are uploaded and served to who may read the item (logged); the lists, the search, the exports, the
overview, the API lists and the to-do items cost the same number of queries with more records."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from redengine.accounts.models import ApiToken
from redengine.core.models import AccessEvent
from redengine.core.todo import Reach, level_of
from redengine.core.writes import SYSTEM
from redengine.showcase import todo
from redengine.showcase.models import Lesson, LessonFile, RoleModel, Story
from redengine.showcase.services import move_items

from .helpers import MP4, PDF, make, school

pytestmark = pytest.mark.django_db


def test_a_story_from_writing_to_being_found_in_another_district(client_for):
    client = client_for("school_secretary")
    response = client.post(
        reverse("showcase:story_add"),
        {
            "school": school("own").pk,
            "title": "山村里的红烛",
            "text": "三十年来，张老师扎根山村，用粉笔书写青春，把党的温暖送到每个孩子心里。",
            "tags": "扎根山村，教书育人",
            "uses": "2024-05-04 红色故事朗诵会",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    story = Story.objects.get(title="山村里的红烛")
    assert [u.event for u in story.uses.all()] == ["红色故事朗诵会"]
    assert client.post(reverse("showcase:story_submit", args=[story.pk])).status_code == 302
    # The secretary has no publish action.
    assert client.post(reverse("showcase:story_publish", args=[story.pk])).status_code == 403
    # Another district's reviewer does not reach it; nor does its search find it.
    client = client_for("furong_admin")
    assert client.get(story.get_absolute_url()).status_code == 404
    assert client.post(reverse("showcase:story_publish", args=[story.pk])).status_code == 404
    assert "山村里的红烛" not in client.get(reverse("showcase:search"), {"q": "温暖"}).content.decode()
    client = client_for("yuelu_admin")
    assert (
        "山村里的红烛" in client.get(reverse("showcase:story_list"), {"status": "submitted"}).content.decode()
    )
    assert client.post(reverse("showcase:story_publish", args=[story.pk])).status_code == 302
    story.refresh_from_db()
    assert story.status == "published"
    client = client_for("furong_admin")
    page = client.get(reverse("showcase:search"), {"q": "温暖"}).content.decode()
    assert "山村里的红烛" in page
    assert "<mark>温暖</mark>" in page
    detail = client.get(story.get_absolute_url())
    assert detail.status_code == 200
    assert reverse("showcase:story_edit", args=[story.pk]) not in detail.content.decode()
    listed = client.get(reverse("showcase:story_list"), {"q": "温暖"}).content.decode()
    assert "山村里的红烛" in listed


def test_a_published_item_is_not_edited_until_withdrawn(client_for):
    story = make(Story, "own", "published", title="已发布的故事")
    client = client_for("yuelu_admin")
    response = client.post(
        reverse("showcase:story_edit", args=[story.pk]),
        {"school": story.school_id, "title": "改过的标题", "text": story.text, "tags": "", "uses": ""},
    )
    assert response.status_code == 200
    assert "撤回" in str(response.context["form"].non_field_errors())
    response = client.post(reverse("showcase:story_withdraw", args=[story.pk]), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert (
        client.post(reverse("showcase:story_withdraw", args=[story.pk]), {"reason": "修改"}).status_code
        == 302
    )
    story.refresh_from_db()
    assert story.status == "draft"


def test_files_are_uploaded_and_served_to_who_may_read_the_lesson(client_for):
    lesson = make(Lesson, "own", title="红色家风课")
    client = client_for("school_secretary")
    url = reverse("showcase:lesson_upload", args=[lesson.pk])
    bad = client.post(url, {"role": "video", "file": SimpleUploadedFile("v.mp4", PDF)})
    assert bad.status_code == 200
    assert "不是真正的" in str(bad.context["form"].errors)
    assert client.post(url, {"role": "video", "file": SimpleUploadedFile("v.mp4", MP4)}).status_code == 302
    assert client.post(url, {"role": "plan", "file": SimpleUploadedFile("p.pdf", PDF)}).status_code == 302
    video = LessonFile.objects.get(role="video")
    address = reverse("showcase:lessonfile", args=[video.pk])
    client = client_for("furong_admin")
    assert client.get(address).status_code == 404  # a draft's file, of another district
    move_items(Lesson, [lesson], "submit", by=SYSTEM)
    move_items(Lesson, [lesson], "publish", by=SYSTEM)
    before = AccessEvent.objects.filter(kind="export").count()
    response = client.get(address)
    assert response.status_code == 200
    assert response.content == MP4
    assert AccessEvent.objects.filter(kind="export").count() == before + 1


def test_a_photo_upload_without_consent_is_refused(client_for):
    pupil = make(RoleModel, "own")
    client = client_for("school_secretary")
    response = client.post(
        reverse("showcase:rolemodel_upload", args=[pupil.pk]),
        {"file": SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0")},
    )
    assert response.status_code == 200
    assert "同意" in str(response.context["form"].errors)
    assert not pupil.photos.exists()


def counts(client, addresses):
    found = {}
    for name, address in addresses.items():
        with CaptureQueriesContext(connection) as counted:
            response = client.get(address)
        assert response.status_code == 200, (name, response.content[:300])
        found[name] = len(counted)
    return found


def more_items(n):
    for index in range(n):
        for position in ("own", "other_district"):
            make(
                Story,
                position,
                "published",
                title=f"故事{position}{index}",
                text=f"温暖的故事，第{index}篇。",
            )
            make(Lesson, position, "submitted", title=f"课例{position}{index}")
            make(RoleModel, position, "published", name=f"学生{index}")


def test_the_pages_cost_the_same_queries_with_more_records(client_for, example_user):
    more_items(1)
    addresses = {
        "stories": reverse("showcase:story_list"),
        "stories searched": reverse("showcase:story_list") + "?q=温暖",
        "lessons": reverse("showcase:lesson_list"),
        "role models": reverse("showcase:rolemodel_list"),
        "search": reverse("showcase:search") + "?q=温暖",
        "overview": reverse("showcase:overview"),
        "export": reverse("showcase:story_list") + "?export=xlsx",
        "role model export": reverse("showcase:rolemodel_list") + "?export=xlsx",
    }
    client = client_for("yuelu_admin")
    before = counts(client, addresses)
    more_items(3)
    after = counts(client, addresses)
    assert after == before
    # The API lists.
    user = example_user("yuelu_admin")
    key, _token = ApiToken.issue(user, otp_verified=user.requires_2fa)
    api = {kind: f"/api/showcase/{kind}/" for kind in ("stories", "lessons", "role-models")}
    for address in api.values():  # the first call makes the account's rows (the read window)
        client.get(address, HTTP_AUTHORIZATION=f"Token {key}")
    found = []
    for _round in range(2):
        row = {}
        for kind, address in api.items():
            with CaptureQueriesContext(connection) as counted:
                response = client.get(address, HTTP_AUTHORIZATION=f"Token {key}")
            assert response.status_code == 200
            row[kind] = len(counted)
        found.append(row)
        more_items(2)
    assert found[0] == found[1]


def test_the_reviewer_is_told_what_waits_for_publication(example_user):
    make(Story, "own", "submitted", title="待发布的故事")
    make(Story, "other_district", "submitted", title="外区待发布")
    user = example_user("yuelu_admin")
    reach = Reach(user, level_of(user), datetime.date.today())
    with CaptureQueriesContext(connection) as counted:
        (item,) = todo.stories_waiting(reach)
    assert len(counted) == 1
    assert item.count == 1
    assert [r.label for r in item.rows] == ["待发布的故事"]
    assert todo.stories_waiting(Reach(example_user("school_secretary"), "school", reach.today)) == []
