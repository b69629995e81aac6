"""The API of dual cultivation: mentorships with their reviews, contests with their entries, written through
the app's services (refused with their messages, located by field, writing nothing), scoped (a record
outside the scope answers as one that does not exist); the two watch lists, paginated and accounted as
reads of people; every list in a number of queries that does not grow with its rows."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext

from redengine.accounts.models import ApiToken
from redengine.core.models import AccessEvent, ObjectChange, PersonalReadWindow
from redengine.core.reads import window_start
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.cultivation import services
from redengine.cultivation.models import Contest, ContestEntry, Mentorship, MentorshipReview
from redengine.development.tests.helpers import new_applicant
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person, add_years
from redengine.people.services import award_titles, save_people, set_memberships

pytestmark = pytest.mark.django_db
API = "/api/cultivation/"
MENTORSHIPS = f"{API}mentorships/"
REVIEWS = f"{API}reviews/"
CONTESTS = f"{API}contests/"
ENTRIES = f"{API}entries/"
BACKBONE = f"{API}watch/backbone/"
MEMBERS = f"{API}watch/members/"
MEIXIHU = "4301040002"  # 岳麓区梅溪湖中学: school_secretary's (organization CS430104-02)
LUSHAN = "4301040001"  # 岳麓区麓山中学
FURONG = "4301020001"  # 芙蓉区: another district
YOUNG = "梅溪湖青年试用老师"  # a young full member with no cultivation (``_young_member``)


@pytest.fixture(autouse=True)
def _young_member(db):
    """A young full member of 梅溪湖中学 whom no demo record cultivates yet."""
    from redengine.core.services import Item
    from redengine.core.validators import make_id_number
    from redengine.core.writes import SYSTEM
    from redengine.people.services import save_people

    values = {
        "name": YOUNG,
        "school": School.objects.get(code=MEIXIHU),
        "post": "teacher",
        "front_line": True,
        "id_number": make_id_number("430104", datetime.date(1997, 3, 8), 517),
        "political_status": "member",
        "membership": {
            "organization": PartyOrganization.objects.get(code="CS430104-02-01"),
            "admitted_on": datetime.date(2021, 6, 1),
            "full_on": datetime.date(2022, 6, 1),
        },
    }
    return save_people([Item(values)], by=SYSTEM)[0]


def today():
    return timezone.localdate()


def day(days_ago):
    return today() - datetime.timedelta(days=days_ago)


def person(name):
    return Person.objects.get(name=name)


def school(code):
    return School.objects.get(code=code)


def org(code):
    return PartyOrganization.objects.get(code=code)


def auth(example_user, username):
    user = example_user(username)
    key, _token = ApiToken.issue(user, otp_verified=user.requires_2fa)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def post(client, headers, url, body):
    return client.post(url, body, content_type="application/json", **headers)


def patch(client, headers, url, body):
    return client.patch(url, body, content_type="application/json", **headers)


def written():
    return (
        Mentorship.objects.count(),
        MentorshipReview.objects.count(),
        Contest.objects.count(),
        ContestEntry.objects.count(),
        ObjectChange.objects.count(),
    )


def changes(model, pk, action):
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(pk), action=action
    )


def mentorship(apprentice=YOUNG, mentor="梅溪湖张老师", at=MEIXIHU, start=300, **values):
    """A mentorship recorded for the test through the write path (as the demo records its own)."""
    values = {
        "kind": "teaching",
        "mentor": person(mentor),
        "apprentice": person(apprentice),
        "school": school(at),
        "start_on": day(start),
        **values,
    }
    (found,) = services.record_mentorships([Item(values)], by=SYSTEM)
    return found


def contest(code="CS430104", name="岳麓区微党课比赛", level="district", held=90):
    values = {
        "name": name,
        "kind": "micro_class",
        "level": level,
        "held_on": day(held),
        "organization": org(code),
    }
    (found,) = services.record_contests([Item(values)], by=SYSTEM)
    return found


def entry(held_in, name, prize="first", **values):
    (found,) = services.record_entries(
        [Item({"contest": held_in, "person": person(name), "prize": prize, **values})], by=SYSTEM
    )
    return found


def mentorship_body(**values):
    return {
        "kind": "teaching",
        "mentor": person("梅溪湖张老师").pk,
        "apprentice": person(YOUNG).pk,
        "school": MEIXIHU,
        "start_on": day(200).isoformat(),
        "planned_end_on": add_years(day(200), 2).isoformat(),
        "goals": "两年内成长为区级骨干教师",
        **values,
    }


def ids(client, headers, url, **params):
    response = client.get(url, {"page_size": 500, **params}, **headers)
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def reads(username, object_type):
    return AccessEvent.objects.filter(kind=AccessEvent.Kind.READ, username=username, object_type=object_type)


# Mentorships ----------------------------------------------------------------------------------------
def test_a_mentorship_is_created_changed_listed_and_deleted(client, example_user):
    zhang, young = person("梅溪湖张老师"), person(YOUNG)
    secretary = auth(example_user, "school_secretary")
    response = post(client, secretary, MENTORSHIPS, mentorship_body())
    assert response.status_code == 201, response.json()
    data = response.json()
    pk = data["id"]
    assert data["mentor"] == zhang.pk
    assert data["mentor_name"] == "梅溪湖张老师"
    assert data["apprentice"] == young.pk
    assert data["apprentice_name"] == YOUNG
    assert (data["school"], data["school_name"]) == (MEIXIHU, school(MEIXIHU).name)
    assert data["titled_by"] == add_years(day(200), 2).isoformat()  # derived: cult.titled_years
    assert data["reviews"] == []
    assert data["ended_on"] is None
    assert changes(Mentorship, pk, "create").get().username == "school_secretary"
    # Its end and summary, changed alone.
    response = patch(
        client,
        secretary,
        f"{MENTORSHIPS}{pk}/",
        {"ended_on": day(10).isoformat(), "summary": "已评为校级骨干"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["ended_on"] == day(10).isoformat()
    assert response.json()["goals"] == "两年内成长为区级骨干教师"
    found = Mentorship.objects.get(pk=pk)
    assert (found.ended_on, found.summary) == (day(10), "已评为校级骨干")
    assert changes(Mentorship, pk, "update").get().username == "school_secretary"
    # Listed and filtered.
    running = mentorship(apprentice="梅溪湖李老师", start=30, kind="political")
    assert {pk, running.pk} <= set(ids(client, secretary, MENTORSHIPS))
    assert pk in ids(client, secretary, MENTORSHIPS, school=MEIXIHU)
    assert not ids(client, secretary, MENTORSHIPS, school=LUSHAN)
    assert ids(client, secretary, MENTORSHIPS, kind="political") == [running.pk]
    assert running.pk in ids(client, secretary, MENTORSHIPS, running="true")
    assert pk not in ids(client, secretary, MENTORSHIPS, running="true")  # ended 10 days ago
    assert pk in ids(client, secretary, MENTORSHIPS, running="false")
    assert running.pk not in ids(client, secretary, MENTORSHIPS, running="false")
    assert ids(client, secretary, MENTORSHIPS, apprentice=young.pk) == [pk]
    detail = client.get(f"{MENTORSHIPS}{pk}/", **secretary)
    assert detail.status_code == 200
    assert detail.json()["summary"] == "已评为校级骨干"
    # The secretary records and changes, never deletes; the district's administrator does.
    assert client.delete(f"{MENTORSHIPS}{pk}/", **secretary).status_code == 403
    assert Mentorship.objects.filter(pk=pk).exists()
    assert client.delete(f"{MENTORSHIPS}{pk}/", **auth(example_user, "yuelu_admin")).status_code == 204
    assert not Mentorship.objects.filter(pk=pk).exists()
    assert changes(Mentorship, pk, "delete").get().username == "yuelu_admin"


def test_a_review_is_added_and_flagged_late_when_held_after_it_was_due(client, example_user):
    pair = mentorship(start=400)
    secretary = auth(example_user, "school_secretary")
    held = day(150)  # more than six months after the start: late, recorded all the same
    response = post(
        client,
        secretary,
        REVIEWS,
        {"mentorship": pair.pk, "held_on": held.isoformat(), "progress": "听课20节"},
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["late"] is True
    assert data["due_on"] == services.review_due(pair.start_on, None).isoformat()
    shown = client.get(f"{MENTORSHIPS}{pair.pk}/", **secretary).json()["reviews"]
    assert shown == [
        {"held_on": held.isoformat(), "progress": "听课20节", "due_on": data["due_on"], "late": True}
    ]
    assert ids(client, secretary, REVIEWS, mentorship=pair.pk) == [data["id"]]
    # A second review on the same day is refused on the date, writing nothing.
    before = written()
    again = post(
        client, secretary, REVIEWS, {"mentorship": pair.pk, "held_on": held.isoformat(), "progress": "又一次"}
    )
    assert again.status_code == 400
    assert again.json() == {"held_on": [gettext("This mentorship already has a review on that day.")]}
    # Before the mentorship started: refused on the date, naming the start.
    early = post(
        client, secretary, REVIEWS, {"mentorship": pair.pk, "held_on": day(401).isoformat(), "progress": "早"}
    )
    assert early.status_code == 400
    (message,) = early.json()["held_on"]
    assert pair.start_on.isoformat() in message
    assert written() == before
    # Corrected and removed.
    response = patch(client, secretary, f"{REVIEWS}{data['id']}/", {"progress": "听课24节"})
    assert response.status_code == 200, response.json()
    assert MentorshipReview.objects.get(pk=data["id"]).progress == "听课24节"
    admin = auth(example_user, "yuelu_admin")
    assert client.delete(f"{REVIEWS}{data['id']}/", **admin).status_code == 204
    assert not pair.reviews.exists()


# Contests and their entries -----------------------------------------------------------------------
def test_a_contest_with_its_entries_is_created_changed_listed_and_deleted(client, example_user):
    admin = auth(example_user, "yuelu_admin")
    body = {
        "name": "岳麓区青年教师微党课比赛",
        "kind": "micro_class",
        "level": "district",
        "held_on": day(60).isoformat(),
        "organization": "CS430104",
    }
    response = post(client, admin, CONTESTS, body)
    assert response.status_code == 201, response.json()
    data = response.json()
    pk = data["id"]
    assert (data["organization"], data["entries"]) == ("CS430104", [])
    assert changes(Contest, pk, "create").get().username == "yuelu_admin"
    young, qian = person(YOUNG), person("麓山钱老师")
    first = post(
        client, admin, ENTRIES, {"contest": pk, "person": young.pk, "prize": "first", "work": "红船精神"}
    )
    assert first.status_code == 201, first.json()
    assert first.json()["awarded_on"] == day(60).isoformat()  # a prize without a date takes the contest's
    second = post(client, admin, ENTRIES, {"contest": pk, "person": qian.pk, "prize": "none"})
    assert second.status_code == 201, second.json()
    assert second.json()["awarded_on"] is None
    shown = client.get(f"{CONTESTS}{pk}/", **admin).json()["entries"]
    assert {(e["person"], e["person_name"], e["prize"]) for e in shown} == {
        (young.pk, YOUNG, "first"),
        (qian.pk, "麓山钱老师", "none"),
    }
    assert (
        reads("yuelu_admin", "cultivation.contestentry").order_by("pk").last().row_count == 2
    )  # a read of the entries
    # Changed; listed and filtered.
    response = patch(client, admin, f"{CONTESTS}{pk}/", {"name": "岳麓区青年教师微党课大赛"})
    assert response.status_code == 200, response.json()
    assert Contest.objects.get(pk=pk).name == "岳麓区青年教师微党课大赛"
    assert len(response.json()["entries"]) == 2
    assert pk in ids(client, admin, CONTESTS, level="district")
    assert pk not in ids(client, admin, CONTESTS, level="city")
    changed = patch(client, admin, f"{ENTRIES}{second.json()['id']}/", {"prize": "third"})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["awarded_on"] == day(60).isoformat()
    assert ids(client, admin, ENTRIES, contest=pk, prize="first") == [first.json()["id"]]
    assert ids(client, admin, ENTRIES, person=qian.pk) == [second.json()["id"]]
    # The secretary sees the entries of the school's people, not the district's contest itself.
    secretary = auth(example_user, "school_secretary")
    mine = ids(client, secretary, ENTRIES)  # the entries of the secretary's people (the demo's too)
    assert first.json()["id"] in mine
    assert second.json()["id"] not in mine
    assert client.get(f"{CONTESTS}{pk}/", **secretary).status_code == 404
    assert client.get(ENTRIES, {"contest": pk}, **secretary).status_code == 400  # as a contest not recorded
    # An entry is removed alone; the contest with the others.
    assert client.delete(f"{ENTRIES}{first.json()['id']}/", **admin).status_code == 204
    assert client.delete(f"{CONTESTS}{pk}/", **admin).status_code == 204
    assert not Contest.objects.filter(pk=pk).exists()
    assert not ContestEntry.objects.filter(contest_id=pk).exists()


def test_a_contest_shows_only_the_entries_whose_person_the_caller_sees(client, example_user):
    held = contest()
    entry(held, YOUNG)
    moved = entry(held, "麓山钱老师", prize="second")
    qian = person("麓山钱老师")
    save_people([Item({"school": school(FURONG)}, instance=qian)], by=SYSTEM)  # moved to 芙蓉区 since
    yuelu = client.get(f"{CONTESTS}{held.pk}/", **auth(example_user, "yuelu_admin")).json()
    assert [e["person_name"] for e in yuelu["entries"]] == [YOUNG]
    city = client.get(f"{CONTESTS}{held.pk}/", **auth(example_user, "city_admin")).json()
    assert {e["person_name"] for e in city["entries"]} == {YOUNG, "麓山钱老师"}
    furong = auth(example_user, "furong_admin")
    assert ids(client, furong, ENTRIES) == [moved.pk]
    assert client.get(f"{CONTESTS}{held.pk}/", **furong).status_code == 404  # 岳麓区's contest
    listed = client.get(CONTESTS, **auth(example_user, "yuelu_admin")).json()["results"]
    (row,) = [r for r in listed if r["id"] == held.pk]
    assert [e["person_name"] for e in row["entries"]] == [YOUNG]


# Scope ---------------------------------------------------------------------------------------------
def test_records_outside_the_scope_answer_as_ones_that_do_not_exist(client, example_user):
    pair = mentorship()
    held = contest()
    done = entry(held, YOUNG)
    furong = auth(example_user, "furong_admin")
    assert not ids(client, furong, MENTORSHIPS)
    assert not ids(client, furong, CONTESTS)
    assert not ids(client, furong, ENTRIES)
    assert not ids(client, furong, REVIEWS)
    before = written()
    for url, model in ((MENTORSHIPS, Mentorship), (CONTESTS, Contest), (ENTRIES, ContestEntry)):
        record = {Mentorship: pair, Contest: held, ContestEntry: done}[model]
        missing = model.objects.order_by("-pk").first().pk + 1000
        answers = []
        for target in (f"{url}{record.pk}/", f"{url}{missing}/"):
            assert client.get(target, **furong).status_code == 404
            assert patch(client, furong, target, {"work": "改"}).status_code == 404
            assert client.delete(target, **furong).status_code == 404
            answers.append(client.get(target, **furong).json())
        assert answers[0] == answers[1]
    assert written() == before


def test_a_person_outside_the_scope_is_refused_without_telling_anything_of_them(client, example_user):
    secretary = auth(example_user, "school_secretary")  # 梅溪湖中学 only
    qian = person("麓山钱老师")
    missing = Person.objects.order_by("-pk").first().pk + 1000
    held = contest(code="CS430104-02", name="梅溪湖中学课堂展示", level="school")
    before = written()
    outside = post(client, secretary, MENTORSHIPS, mentorship_body(apprentice=qian.pk))
    nobody = post(client, secretary, MENTORSHIPS, mentorship_body(apprentice=missing))
    assert outside.status_code == nobody.status_code == 400
    assert set(outside.json()) == {"apprentice"}
    assert outside.content.decode().replace(str(qian.pk), "#") == nobody.content.decode().replace(
        str(missing), "#"
    )
    assert "麓山钱老师" not in outside.content.decode()
    # A school outside the scope, and an entry for a person outside it, the same way.
    furong = auth(example_user, "furong_admin")
    other = post(
        client, furong, MENTORSHIPS, mentorship_body(mentor=person("芙蓉周老师").pk, apprentice=qian.pk)
    )
    assert other.status_code == 400
    assert set(other.json()) == {"apprentice", "school"}
    refused = post(client, furong, ENTRIES, {"contest": held.pk, "person": qian.pk, "prize": "first"})
    assert refused.status_code == 400
    assert set(refused.json()) == {"contest", "person"}
    assert "麓山钱老师" not in refused.content.decode()
    assert written() == before


def test_writes_need_the_role(client, example_user):
    pair = mentorship()
    inspector = auth(example_user, "inspector")  # reads the whole city, writes nothing
    before = written()
    assert (
        post(
            client, inspector, MENTORSHIPS, mentorship_body(apprentice=person("梅溪湖李老师").pk)
        ).status_code
        == 403
    )
    assert patch(client, inspector, f"{MENTORSHIPS}{pair.pk}/", {"goals": "改"}).status_code == 403
    assert client.delete(f"{MENTORSHIPS}{pair.pk}/", **inspector).status_code == 403
    assert written() == before
    assert pair.pk in ids(client, inspector, MENTORSHIPS)


# Bad input: 400 with the service's message on its field, nothing written ----------------------------
def refused(client, headers, url, body, field, method=post):
    before = written()
    response = method(client, headers, url, body)
    assert response.status_code == 400, response.json()
    assert written() == before
    errors = response.json()
    assert field in errors, errors
    return " ".join(errors[field])


def test_the_mentor_and_the_apprentice_must_be_two_people(client, example_user):
    body = mentorship_body(mentor=person(YOUNG).pk)
    message = refused(client, auth(example_user, "school_secretary"), MENTORSHIPS, body, "apprentice")
    assert message == gettext("The mentor and the apprentice must be two different people.")


def test_a_mentorship_cannot_end_before_it_starts(client, example_user):
    headers = auth(example_user, "school_secretary")
    body = mentorship_body(ended_on=day(201).isoformat(), planned_end_on=None)
    assert day(200).isoformat() in refused(client, headers, MENTORSHIPS, body, "ended_on")
    pair = mentorship(start=100)
    url = f"{MENTORSHIPS}{pair.pk}/"
    assert day(100).isoformat() in refused(
        client, headers, url, {"ended_on": day(150).isoformat()}, "ended_on", patch
    )
    assert Mentorship.objects.get(pk=pair.pk).ended_on is None


def test_an_apprentice_is_in_one_running_mentorship_of_a_kind(client, example_user):
    first = mentorship(start=400)
    headers = auth(example_user, "yuelu_admin")
    body = mentorship_body(mentor=person("梅溪湖王校长").pk)
    message = refused(client, headers, MENTORSHIPS, body, "apprentice")
    assert YOUNG in message
    assert first.start_on.isoformat() in message
    # Of the other kind it may run beside it.
    response = post(client, headers, MENTORSHIPS, {**body, "kind": "political"})
    assert response.status_code == 201, response.json()


def test_an_entry_names_a_person_of_the_organization_holding_the_contest(client, example_user):
    held = contest(code="CS430104-02", name="梅溪湖中学课堂展示", level="school")
    headers = auth(example_user, "yuelu_admin")
    body = {"contest": held.pk, "person": person("麓山钱老师").pk, "prize": "first"}
    assert "麓山钱老师" in refused(client, headers, ENTRIES, body, "person")
    response = post(client, headers, ENTRIES, {**body, "person": person(YOUNG).pk})
    assert response.status_code == 201, response.json()


def test_a_prize_is_not_dated_before_the_contest(client, example_user):
    held = contest(held=30)
    headers = auth(example_user, "yuelu_admin")
    body = {
        "contest": held.pk,
        "person": person(YOUNG).pk,
        "prize": "first",
        "awarded_on": day(31).isoformat(),
    }
    message = refused(client, headers, ENTRIES, body, "awarded_on")
    assert day(31).isoformat() in message
    assert day(30).isoformat() in message


def test_a_contest_in_the_future_is_refused(client, example_user):
    body = {
        "name": "明年的比赛",
        "kind": "classroom",
        "level": "district",
        "held_on": (today() + datetime.timedelta(days=3)).isoformat(),
        "organization": "CS430104",
    }
    refused(client, auth(example_user, "yuelu_admin"), CONTESTS, body, "held_on")


# The watch lists -----------------------------------------------------------------------------------
def rows(client, headers, url, **params):
    response = client.get(url, {"page_size": 500, **params}, **headers)
    assert response.status_code == 200, response.json()
    return {row["name"]: row for row in response.json()["results"]}


def test_the_backbone_list_shows_title_holders_who_are_not_members_within_the_scope(client, example_user):
    qian = person("麓山钱老师")  # 骨干教师 (school level) since 2021, not a party member
    yuelu = auth(example_user, "yuelu_admin")
    shown = rows(client, yuelu, BACKBONE)
    assert "麓山钱老师" in shown
    assert "梅溪湖张老师" not in shown  # a backbone teacher, but a member
    row = shown["麓山钱老师"]
    assert row == {
        "id": qian.pk,
        "name": "麓山钱老师",
        "school": LUSHAN,
        "school_name": school(LUSHAN).name,
        "title": "backbone_teacher",
        "title_level": "school",
        "case_stage": None,
        "contact_name": None,
        "mentored": False,
    }
    assert qian.id_number_masked not in client.get(BACKBONE, **yuelu).content.decode()
    assert "麓山钱老师" not in rows(client, auth(example_user, "furong_admin"), BACKBONE)
    # The read is accounted as a read of people.
    read = reads("yuelu_admin", "people.person").order_by("pk").last()
    assert read.row_count == len(rows(client, yuelu, BACKBONE))
    window = PersonalReadWindow.objects.get(user=example_user("yuelu_admin"), window_start=window_start())
    assert qian.pk in window.people
    # Filtered; a political mentorship running for them shows.
    age = today().year - qian.birth_date.year - ((today().month, today().day) < (5, 5))
    assert "麓山钱老师" in rows(
        client, yuelu, BACKBONE, school=LUSHAN, front_line="true", age_min=age, age_max=age
    )
    assert "麓山钱老师" not in rows(client, yuelu, BACKBONE, school=MEIXIHU)
    assert "麓山钱老师" not in rows(client, yuelu, BACKBONE, front_line="false")
    assert "麓山钱老师" not in rows(client, yuelu, BACKBONE, age_min=age + 1)
    assert "麓山钱老师" not in rows(client, yuelu, BACKBONE, age_max=age - 1)
    assert not rows(client, yuelu, BACKBONE, school="4309999999")
    mentorship(apprentice="麓山钱老师", mentor="麓山赵老师", at=LUSHAN, start=20, kind="political")
    assert rows(client, yuelu, BACKBONE)["麓山钱老师"]["mentored"] is True
    bad = client.get(BACKBONE, {"age_min": "abc", "age_max": "1000"}, **yuelu)
    assert bad.status_code == 400
    assert set(bad.json()) == {"age_min", "age_max"}


def test_a_young_member_leaves_the_quiet_list_once_cultivated(client, example_user):
    young = person(YOUNG)
    headers = auth(example_user, "yuelu_admin")
    row = rows(client, headers, MEMBERS)[YOUNG]
    assert row["id"] == young.pk
    assert (row["school"], row["active"], row["last_cultivation"]) == (MEIXIHU, False, None)
    assert row["entry_count"] == row["prize_count"] == row["mentorship_count"] == 0
    assert not {"id_number", "id_number_masked", "mobile", "mobile_masked", "birth_date"} & set(row)
    assert YOUNG in rows(client, headers, MEMBERS, quiet="true")
    assert YOUNG not in rows(client, headers, MEMBERS, quiet="false")
    assert "梅溪湖张老师" not in rows(client, headers, MEMBERS)  # a member, but not young
    assert YOUNG not in rows(client, auth(example_user, "furong_admin"), MEMBERS)
    # A prize at a contest: cultivated within two years.
    held = contest(held=40)
    response = post(client, headers, ENTRIES, {"contest": held.pk, "person": young.pk, "prize": "second"})
    assert response.status_code == 201, response.json()
    assert YOUNG not in rows(client, headers, MEMBERS, quiet="true")
    row = rows(client, headers, MEMBERS, quiet="false")[YOUNG]
    assert (row["active"], row["last_cultivation"]) == (True, day(40).isoformat())
    assert (row["entry_count"], row["prize_count"]) == (1, 1)
    assert YOUNG in rows(client, headers, MEMBERS, school=MEIXIHU, front_line="true")
    assert YOUNG not in rows(client, headers, MEMBERS, school=LUSHAN)
    assert reads("yuelu_admin", "people.person").exists()


# Queries -------------------------------------------------------------------------------------------
def count_queries(client, url, params, headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params, **headers)
    assert response.status_code == 200, response.json()
    return len(captured), response.json()


def more_people(count):
    """Young teachers of 梅溪湖中学: the first half members, the others backbone teachers who are not."""
    made = [
        new_applicant(f"双培养新老师{n}", birth="1996-05-20", sequence=700 + n, school=MEIXIHU)
        for n in range(count)
    ]
    members, others = made[: count // 2], made[count // 2 :]
    award_titles(
        [
            Item({"person": p, "title": "backbone_teacher", "level": "school", "awarded_on": day(500)})
            for p in others
        ],
        by=SYSTEM,
    )
    set_memberships(
        [
            Item(
                {
                    "person": p,
                    "organization": org("CS430104-02-01"),
                    "admitted_on": datetime.date(2020, 6, 1),
                    "full_on": datetime.date(2021, 6, 1),
                }
            )
            for p in members
        ],
        by=SYSTEM,
    )
    return made


def test_the_lists_cost_the_same_queries_whatever_their_rows(
    client, example_user, django_assert_max_num_queries
):
    headers = auth(example_user, "yuelu_admin")
    urls = [MENTORSHIPS, REVIEWS, CONTESTS, ENTRIES, BACKBONE, MEMBERS]
    params = {"page_size": 100}
    first = mentorship(start=400)
    held = contest()
    entry(held, YOUNG)
    services.record_reviews([Item({"mentorship": first, "held_on": day(200), "progress": "听课"})], by=SYSTEM)
    for url in urls:
        client.get(url, params, **headers)  # the token's use and the read window are recorded
    few = {url: count_queries(client, url, params, headers) for url in urls}
    people = more_people(4)
    for n, someone in enumerate(people):
        pair = mentorship(apprentice=someone.name, start=300 + n)
        services.record_reviews(
            [Item({"mentorship": pair, "held_on": day(100), "progress": "听课"})], by=SYSTEM
        )
        entry(held, someone.name, prize="third")
        other = contest(name=f"岳麓区课堂展示{n}", held=50 + n)
        entry(other, someone.name)
    for url in urls:
        queries, found = few[url]
        with django_assert_max_num_queries(queries):
            response = client.get(url, params, **headers)
        assert response.status_code == 200
        assert response.json()["count"] > found["count"], url


def test_the_schema_describes_every_endpoint(client, example_user):
    schema = client.get("/api/schema/", {"format": "json"}, **auth(example_user, "yuelu_admin"))
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for url in (MENTORSHIPS, REVIEWS, CONTESTS, ENTRIES):
        assert {"get", "post"} <= set(paths[url])
        assert {"get", "patch", "delete"} <= set(paths[url + "{id}/"])
        assert "put" not in paths[url + "{id}/"]
    listed = {p["name"] for p in paths[MENTORSHIPS]["get"]["parameters"]}
    assert {"school", "kind", "running", "apprentice"} <= listed
    assert {"contest", "person", "prize"} <= {p["name"] for p in paths[ENTRIES]["get"]["parameters"]}
    for url in (BACKBONE, MEMBERS):
        assert set(paths[url]) == {"get"}
        assert url + "{id}/" not in paths
    watched = {"school", "front_line", "age_min", "age_max", "page", "page_size"}
    assert {p["name"] for p in paths[BACKBONE]["get"]["parameters"]} == watched
    assert {p["name"] for p in paths[MEMBERS]["get"]["parameters"]} == watched | {"quiet"}
