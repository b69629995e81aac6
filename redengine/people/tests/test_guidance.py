"""Guidance records (指导记录): the instructor writes them for the schools they are dispatched to, on a day the
dispatch lasts, and changes only their own; the administrators, the school's secretary and the inspectors
read them within their scope (domain-rules PRIV.INSTRUCTOR_ROLE, §0.1)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.accounts.models import User
from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.todo import todos_for
from redengine.core.writes import SYSTEM, RefusedError
from redengine.people import services
from redengine.people.models import Dispatch, GuidanceRecord

pytestmark = pytest.mark.django_db
# The guidance list as the city administrator (session, account, roles, menu, the page and its count, the
# access-log row of a personal model's read): one more than the dispatch list, whatever the rows.
GUIDANCE_LIST_QUERIES = 17


def dispatch(name, school):
    return Dispatch.objects.get(person__name=name, school__code=school, role="instructor")


def record(dispatch_, day, content="检查“三会一课”记录", **more):
    return Item({"dispatch": dispatch_, "held_on": day, "kind": "guidance", "content": content, **more})


def today():
    return timezone.localdate()


def test_the_instructor_records_guidance_with_its_audit_record(example_user):
    instructor = example_user("instructor")
    own = dispatch("刘卫东", "4301040004")
    before = ObjectChange.objects.count()
    (made,) = services.record_guidance([record(own, today(), issues="签到缺失")], by=instructor)
    assert made.school.code == "4301040004"  # the dispatch's school
    change = ObjectChange.objects.get(object_id=str(made.pk), content_type__model="guidancerecord")
    assert (change.username, change.action) == ("instructor", "create")
    assert change.scope_path == made.school.audit_scope_path()
    assert change.after["issues"] == "签到缺失"
    assert ObjectChange.objects.count() == before + 1


def test_a_day_outside_the_dispatch_is_refused_naming_the_school(example_user):
    instructor = example_user("instructor")
    own = dispatch("刘卫东", "4301040004")  # from 2021-11-01
    count = GuidanceRecord.objects.count()
    with pytest.raises(RefusedError) as refused:
        services.record_guidance([record(own, datetime.date(2021, 10, 31))], by=instructor)
    (problem,) = refused.value.problems
    assert (problem.item, problem.field) == (0, "held_on")
    assert "岳麓区明德民办学校" in str(problem.message)
    assert "2021-11-01" in str(problem.message)
    assert GuidanceRecord.objects.count() == count


def test_a_dispatch_of_another_instructor_is_refused_even_in_scope(example_user):
    """麓山赵老师's dispatch to the same school lies in the instructor's scope but does not name his account."""
    instructor = example_user("instructor")
    theirs = dispatch("麓山赵老师", "4301040004")
    with pytest.raises(RefusedError) as refused:
        services.record_guidance([record(theirs, datetime.date(2020, 5, 6))], by=instructor)
    (problem,) = refused.value.problems
    assert problem.field == "dispatch"
    assert "岳麓区明德民办学校" in str(problem.message)
    assert not problem.missing


def test_a_batch_is_refused_whole_with_each_problem_located(example_user):
    instructor = example_user("instructor")
    school, kindergarten = dispatch("刘卫东", "4301040004"), dispatch("刘卫东", "4301040005")
    count, changes = GuidanceRecord.objects.count(), ObjectChange.objects.count()
    items = [
        record(school, today()),  # fine
        record(kindergarten, datetime.date(2022, 2, 28)),  # the day before the dispatch began
        record(school, today() + datetime.timedelta(days=1)),  # the future
        Item({"dispatch": school, "held_on": today(), "kind": "", "content": ""}),
    ]
    with pytest.raises(RefusedError) as refused:
        services.record_guidance(items, by=instructor)
    located = {(p.item, p.field) for p in refused.value.problems}
    assert located == {(1, "held_on"), (2, "held_on"), (3, "kind"), (3, "content")}
    assert "岳麓区星辰幼儿园" in " ".join(refused.value.messages)
    assert (GuidanceRecord.objects.count(), ObjectChange.objects.count()) == (count, changes)


def test_a_secretary_dispatch_takes_no_guidance_record():
    secretary = Dispatch.objects.get(role="secretary", person__name="一中郑老师")
    with pytest.raises(RefusedError) as refused:
        services.record_guidance([record(secretary, today())], by=SYSTEM)
    assert refused.value.problems[0].field == "dispatch"


def test_the_instructor_changes_only_their_own_records(example_user, client_for):
    instructor = example_user("instructor")
    predecessor = GuidanceRecord.objects.get(dispatch=dispatch("麓山赵老师", "4301040004"))
    with pytest.raises(RefusedError) as refused:
        services.record_guidance([Item({"content": "改别人的记录"}, instance=predecessor)], by=instructor)
    assert "其他指导员的选派" in str(refused.value.problems[0].message)
    client = client_for("instructor")
    assert client.get(reverse("people:guidance_edit", args=[predecessor.pk])).status_code == 404
    own = GuidanceRecord.objects.filter(dispatch__account=instructor).first()
    assert client.get(reverse("people:guidance_edit", args=[own.pk])).status_code == 200
    # The list shows the predecessor's record (it is the school's) but links only his own.
    page = client.get(reverse("people:guidance_list"), {"school": "4301040004"}).content.decode()
    assert reverse("people:guidance_edit", args=[own.pk]) in page
    assert reverse("people:guidance_edit", args=[predecessor.pk]) not in page
    assert "检查学校招生简章" in page


def test_another_districts_records_are_out_of_sight(client_for):
    furong = GuidanceRecord.objects.get(school__code="4301020003")
    for username in ("instructor", "yuelu_admin", "school_secretary"):
        client = client_for(username)
        listed = client.get(reverse("people:guidance_list")).content.decode()
        assert "与园长商议党组织组建" not in listed, username
        assert client.get(reverse("people:school_guidance", args=[furong.school_id])).status_code == 404
    assert client_for("instructor").get(reverse("people:guidance_edit", args=[furong.pk])).status_code == 404
    assert (
        "与园长商议党组织组建"
        in client_for("city_admin").get(reverse("people:guidance_list")).content.decode()
    )


def test_the_school_page_panel_shows_the_records_and_the_instructors(client_for):
    school = Dispatch.objects.get(person__name="刘卫东", school__code="4301040004").school
    page = client_for("instructor").get(reverse("people:school_guidance", args=[school.pk])).content.decode()
    assert "刘卫东" in page
    assert "列席支部委员会会议" in page
    assert 'id="guidance-add"' in page  # he is dispatched there now
    admin = (
        client_for("yuelu_admin").get(reverse("people:school_guidance", args=[school.pk])).content.decode()
    )
    assert "列席支部委员会会议" in admin
    assert 'id="guidance-add"' not in admin


def test_the_to_do_names_the_schools_without_a_record_this_month(example_user):
    instructor = example_user("instructor")
    found = {t.key: t for _section, items in todos_for(instructor) for t in items}
    due = found["people.guidance"]
    assert due.count == 1
    assert [r.label for r in due.rows] == ["岳麓区星辰幼儿园"]
    assert due.rows[0].action_url == reverse("people:guidance_add")
    services.record_guidance([record(dispatch("刘卫东", "4301040005"), today())], by=instructor)
    found = {t.key for _section, items in todos_for(instructor) for t in items}
    assert "people.guidance" not in found
    assert not [
        t for _s, items in todos_for(example_user("yuelu_admin")) for t in items if t.key == "people.guidance"
    ]


def test_the_list_costs_the_same_queries_whatever_the_number_of_records(client_for, example_user):
    client = client_for("city_admin")
    url = reverse("people:guidance_list")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    first = queries()
    assert first <= GUIDANCE_LIST_QUERIES
    own = dispatch("刘卫东", "4301040004")
    days = [own.start_on + datetime.timedelta(days=n) for n in range(20)]
    services.record_guidance([record(own, day, content=f"第{n}次") for n, day in enumerate(days)], by=SYSTEM)
    assert queries() == first


def test_an_account_is_named_on_an_instructors_dispatch_only_if_it_holds_the_role(example_user):
    yuelu = example_user("yuelu_admin")
    old = dispatch("麓山赵老师", "4301040004")
    with pytest.raises(RefusedError) as refused:
        services.save_dispatches(
            [Item({"account": example_user("school_secretary")}, instance=old)], by=yuelu
        )
    assert refused.value.problems[0].field == "account"
    services.save_dispatches([Item({"account": example_user("instructor")}, instance=old)], by=yuelu)
    assert Dispatch.objects.get(pk=old.pk).account == User.objects.get(username="instructor")
