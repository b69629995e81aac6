"""Committee posts from the organization's page: 添加委员 (a picker of full members, the service's rules) and
离任 (a confirmation page with the date left); record completeness and its "缺少 书记" follow the current
posts. Who may use the pages, role by role and position by position, is in test_permissions.py."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from redengine.accounts.models import ApiToken
from redengine.core.models import ObjectChange
from redengine.orgs.models import PartyOrganization
from redengine.people.models import CommitteePost, Person

pytestmark = pytest.mark.django_db

NO_SECRETARY = "CS430104-02-01"  # 梅溪湖中学初中部党支部: no post recorded
WITH_SECRETARY = "CS430104-02"  # 梅溪湖王校长 is its secretary since 2021-09-01


def org(code):
    return PartyOrganization.objects.get(code=code)


def person(name):
    return Person.objects.get(name=name)


def written():
    return CommitteePost.objects.count(), ObjectChange.objects.count()


def org_completeness(client, code):
    """The completeness line of the organization's page (its members fragment)."""
    page = client.get(reverse("people:organization_members", args=[org(code).pk])).content.decode()
    return re.search(r'<p class="mb-2" id="org-completeness">(.*?)</p>', page, re.S).group(1)


def completeness_row(client, code):
    """The organization's row on the record completeness page ("" when it is complete)."""
    page = client.get(reverse("people:completeness"), {"kind": "organizations", "q": code}).content.decode()
    name = org(code).name
    rows = [row for row in re.findall(r"<tr><td data-label.*?</tr>", page, re.S) if name in row]
    return rows[0] if rows else ""


def same_page(response, pk):
    """The page without what differs from one request to the next (its token, its own address)."""
    text = re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', "", response.content.decode())
    return text.replace(f"/organizations/{pk}/", "/organizations/N/")


def add_post(client, code, name, post, start_on):
    return client.post(
        reverse("people:post_add", args=[org(code).pk]),
        {"person": person(name).pk, "post": post, "start_on": start_on},
    )


def test_the_picker_offers_the_full_members_of_the_subtree(client_for):
    client = client_for("school_secretary")
    response = client.get(reverse("people:post_add", args=[org(WITH_SECRETARY).pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<select name="person"' in page  # picked, never typed
    offered = set(response.context["form"].fields["person"].queryset.values_list("name", flat=True))
    assert {"梅溪湖张老师", "梅溪湖王校长"} <= offered
    assert "梅溪湖李老师" not in offered  # a probationary member
    assert "芙蓉周老师" not in offered  # another district
    assert "麓山赵老师" not in offered  # a member of another organization
    assert "中共岳麓区梅溪湖中学委员会" in page
    assert Person.objects.get(name="梅溪湖张老师").reveal_id_number() not in page


def test_recording_a_secretary_ends_the_missing_secretary(client_for):
    client = client_for("school_secretary")
    assert "书记" in org_completeness(client, NO_SECRETARY)
    assert "书记" in completeness_row(client, NO_SECRETARY)
    before = written()
    response = add_post(client, NO_SECRETARY, "梅溪湖张老师", "secretary", "2024-09-01")
    assert response.status_code == 302
    assert response["Location"] == org(NO_SECRETARY).get_absolute_url()
    assert written() == (before[0] + 1, before[1] + 1)
    post = CommitteePost.objects.get(organization__code=NO_SECRETARY)
    assert (post.person.name, post.post, post.start_on, post.end_on) == (
        "梅溪湖张老师",
        "secretary",
        datetime.date(2024, 9, 1),
        None,
    )
    line = org_completeness(client, NO_SECRETARY)
    assert "书记" not in line
    assert "书记" not in completeness_row(client, NO_SECRETARY)
    fragment = client.get(reverse("people:organization_members", args=[org(NO_SECRETARY).pk])).content
    assert "书记：<a" in fragment.decode()


def test_a_secretary_who_left_is_missing_again_but_one_leaving_later_is_not(client_for):
    client = client_for("yuelu_admin")
    post = CommitteePost.objects.get(organization__code=WITH_SECRETARY, post="secretary")
    assert "书记" not in org_completeness(client, WITH_SECRETARY)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(reverse("people:post_end", args=[post.pk]), {"end_on": tomorrow})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.end_on == tomorrow
    assert "书记" not in org_completeness(client, WITH_SECRETARY)  # still held today
    fragment = client.get(reverse("people:organization_members", args=[org(WITH_SECRETARY).pk])).content
    assert "梅溪湖王校长" in fragment.decode()
    today = timezone.localdate()
    response = client.post(reverse("people:post_end", args=[post.pk]), {"end_on": today})
    assert response.status_code == 302
    assert "书记" in org_completeness(client, WITH_SECRETARY)
    fragment = client.get(reverse("people:organization_members", args=[org(WITH_SECRETARY).pk])).content
    assert "梅溪湖王校长" not in fragment.decode()  # no longer a current post
    assert client.get(reverse("people:post_end", args=[post.pk])).status_code == 404  # ended already


def test_the_end_page_says_what_will_happen(client_for):
    client = client_for("school_secretary")
    post = CommitteePost.objects.get(organization__code=WITH_SECRETARY, post="secretary")
    before = written()
    page = client.get(reverse("people:post_end", args=[post.pk])).content.decode()
    assert "离任" in page
    assert "梅溪湖王校长 不再担任中共岳麓区梅溪湖中学委员会的书记" in page
    assert "2021-09-01" in page
    assert 'name="end_on"' in page
    assert written() == before
    response = client.post(reverse("people:post_end", args=[post.pk]), {"end_on": "2020-01-01"})
    assert response.status_code == 200
    assert "离任日期必须晚于任职日期" in response.content.decode()
    assert written() == before
    response = client.post(reverse("people:post_end", args=[post.pk]), {"end_on": "2025-06-30"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.end_on == datetime.date(2025, 6, 30)
    change = ObjectChange.objects.filter(object_id=str(post.pk), action="update").latest("id")
    assert change.before["end_on"] is None
    assert change.after["end_on"] == "2025-06-30"


def test_a_second_secretary_is_refused_on_the_page(client_for):
    client = client_for("school_secretary")
    before = written()
    response = add_post(client, WITH_SECRETARY, "梅溪湖张老师", "secretary", "2024-09-01")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "一个党组织同一时间只有一名书记" in errors["post"][0]
    assert "梅溪湖王校长" in errors["post"][0]
    assert written() == before


def test_a_second_post_of_the_same_person_and_a_future_date_are_refused(client_for):
    client = client_for("school_secretary")
    before = written()
    response = add_post(client, WITH_SECRETARY, "梅溪湖王校长", "organizing", "2024-09-01")
    assert "同一时间在一个党组织只担任一个职务" in response.context["form"].errors["person"][0]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = add_post(client, WITH_SECRETARY, "梅溪湖张老师", "organizing", tomorrow)
    assert "任职日期不能晚于今天" in response.context["form"].errors["start_on"][0]
    response = add_post(client, WITH_SECRETARY, "梅溪湖李老师", "organizing", "2025-09-01")
    assert "person" in response.context["form"].errors  # a probationary member is not offered
    assert written() == before


def test_an_organization_outside_the_scope_answers_as_a_missing_one(client_for):
    client = client_for("yuelu_admin")
    before = written()
    outside = org("CS430102-01")  # 芙蓉区
    for method in ("get", "post"):
        response = getattr(client, method)(reverse("people:post_add", args=[outside.pk]))
        missing = getattr(client, method)(reverse("people:post_add", args=[999999]))
        assert response.status_code == missing.status_code == 404
        assert outside.name not in response.content.decode()
        assert same_page(response, outside.pk) == same_page(missing, 999999)
    post = CommitteePost.objects.get(organization=outside)
    assert client.get(reverse("people:post_end", args=[post.pk])).status_code == 404
    assert (
        client.post(reverse("people:post_end", args=[post.pk]), {"end_on": "2025-01-01"}).status_code == 404
    )
    assert written() == before


@pytest.mark.parametrize(
    ("username", "shown"),
    [
        ("city_admin", True),
        ("yuelu_admin", True),
        ("school_secretary", True),
        ("inspector", False),
    ],
)
def test_the_page_offers_the_actions_to_those_who_may(client_for, username, shown):
    client = client_for(username)
    page = client.get(reverse("people:organization_members", args=[org(WITH_SECRETARY).pk])).content.decode()
    assert ("添加委员" in page) == shown
    assert ('href="' + reverse("people:post_add", args=[org(WITH_SECRETARY).pk])) in page or not shown
    post = CommitteePost.objects.get(organization__code=WITH_SECRETARY)
    assert (reverse("people:post_end", args=[post.pk]) in page) == shown


def test_the_instructor_reads_the_posts_without_the_actions(client_for):
    client = client_for("instructor")  # 民办学校联合支部 (CS430104-04)
    joint = org("CS430104-04")
    page = client.get(reverse("people:organization_members", args=[joint.pk])).content.decode()
    assert "添加委员" not in page
    assert client.get(reverse("people:post_add", args=[joint.pk])).status_code == 403


def test_the_api_goes_through_the_same_rules(client, example_user):
    key, _token = ApiToken.issue(example_user("yuelu_admin"))
    headers = {"HTTP_AUTHORIZATION": f"Token {key}", "content_type": "application/json"}
    before = written()
    body = {"organization": WITH_SECRETARY, "person": person("梅溪湖李老师").pk, "post": "member"}
    response = client.post("/api/people/committee-posts/", {**body, "start_on": "2025-09-01"}, **headers)
    assert response.status_code == 400
    assert "预备党员不能担任委员职务" in response.json()["person"][0]
    body = {"organization": WITH_SECRETARY, "person": person("梅溪湖张老师").pk, "post": "secretary"}
    response = client.post("/api/people/committee-posts/", {**body, "start_on": "2025-09-01"}, **headers)
    assert response.status_code == 400
    assert "一个党组织同一时间只有一名书记" in response.json()["post"][0]
    post = CommitteePost.objects.get(organization__code=WITH_SECRETARY)
    response = client.patch(f"/api/people/committee-posts/{post.pk}/", {"end_on": "2021-01-01"}, **headers)
    assert response.status_code == 400
    assert "离任日期必须晚于任职日期" in response.json()["end_on"][0]
    assert written() == before
