"""The pages of dual cultivation as their users use them: the overview drills down from the city to a
district to its schools; a figure's page gives numerator, denominator, five years and the people counted;
the watch lists filter by age, front line and school; a person's timeline holds both directions, the
guest invitations read from organizational life included; the to-do list names the mentorships whose
review is past due. The lists, the overview, the figure pages, the timeline and the exports cost the same
number of queries with more records."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM
from redengine.cultivation import services
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person
from redengine.people.services import HONORS, save_people

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
MEIXIHU, LUSHAN = "4301040002", "4301040001"
_sequence = iter(range(100, 999))


def org(code):
    return PartyOrganization.objects.get(code=code)


def young_members(n, school_code=MEIXIHU, branch="CS430104-02-01", birth="1998-03-01", titled=False):
    school = School.objects.get(code=school_code)
    people = save_people(
        [
            Item(
                {
                    "name": f"青年{i:03d}",
                    "school": school,
                    "post": "teacher",
                    "front_line": True,
                    "id_number": make_id_number("430104", D(birth), next(_sequence)),
                    "political_status": "member",
                    "membership": {
                        "organization": org(branch),
                        "admitted_on": D("2021-06-01"),
                        "full_on": D("2022-06-01"),
                    },
                }
            )
            for i in range(n)
        ],
        by=SYSTEM,
    )
    if titled:
        HONORS.save(
            [
                Item(
                    {
                        "person": p,
                        "title": "backbone_teacher",
                        "level": "school",
                        "awarded_on": D("2023-09-10"),
                    }
                )
                for p in people
            ],
            by=SYSTEM,
        )
    return people


def backbone_non_members(n, school_code=LUSHAN):
    school = School.objects.get(code=school_code)
    people = save_people(
        [
            Item(
                {
                    "name": f"骨干{i:03d}",
                    "school": school,
                    "post": "teacher",
                    "front_line": i % 2 == 0,
                    "id_number": make_id_number("430104", D("1988-04-01"), next(_sequence)),
                }
            )
            for i in range(n)
        ],
        by=SYSTEM,
    )
    HONORS.save(
        [
            Item(
                {"person": p, "title": "backbone_teacher", "level": "district", "awarded_on": D("2022-09-10")}
            )
            for p in people
        ],
        by=SYSTEM,
    )
    return people


def mentor_all(apprentices, start="2024-03-01"):
    mentor = Person.objects.get(name="梅溪湖张老师")
    return services.record_mentorships(
        [
            Item({"mentor": mentor, "apprentice": p, "school": p.school, "start_on": D(start)})
            for p in apprentices
        ],
        by=SYSTEM,
    )


def contest_with(people, name="岳麓区课堂展示", held="2025-05-10"):
    contest = services.record_contests(
        [
            Item(
                {
                    "name": name,
                    "kind": "classroom",
                    "level": "district",
                    "held_on": D(held),
                    "organization": org("CS430104"),
                }
            )
        ],
        by=SYSTEM,
    )[0]
    services.record_entries(
        [
            Item({"contest": contest, "person": p, "prize": "second" if i % 2 else "none"})
            for i, p in enumerate(people)
        ],
        by=SYSTEM,
    )
    return contest


def test_the_overview_drills_down_from_the_city_to_a_district_to_its_schools(client_for):
    client = client_for("city_admin")
    year = timezone.localdate().year

    def rows():
        response = client.get(reverse("cultivation:overview") + f"?org=CS430104&year={year}")
        return {r["organization"].code: r for r in response.context["rows"] if r["organization"]}

    before = rows()["CS430104-02"]
    mentor_all(young_members(2))
    page = client.get(reverse("cultivation:overview")).content.decode()
    assert 'id="figure-cultivationmember_sharebackbone"' in page
    assert "中共长沙市岳麓区教育局委员会" in page  # a row for each district bureau below the root
    page = client.get(reverse("cultivation:overview") + f"?org=CS430104&year={year}").content.decode()
    assert "中共岳麓区梅溪湖中学委员会" in page
    assert "中共长沙市委教育工作委员会" in page
    after = rows()["CS430104-02"]
    assert after["running"] == before["running"] + 2
    assert after["young"] == before["young"] + 2
    # A district administrator of another district cannot open 岳麓's overview.
    assert (
        client_for("furong_admin").get(reverse("cultivation:overview") + "?org=CS430104").status_code == 404
    )


def test_a_figures_page_gives_its_parts_its_five_years_and_the_people_counted(client_for):
    backbone_non_members(3)
    client = client_for("yuelu_admin")
    year = timezone.localdate().year
    url = (
        reverse("cultivation:figure", args=["cultivation.member_share.backbone"])
        + f"?org=CS430104&year={year}"
    )
    response = client.get(url)
    assert response.status_code == 200
    figure = response.context["figure"]
    assert [t["year"] for t in response.context["trend"]] == list(range(year - 4, year + 1))
    page = response.content.decode()
    assert 'id="figure-trend"' in page
    assert 'id="figure-denominator"' in page
    people_url = reverse("cultivation:figure_people", args=["cultivation.member_share.backbone"])
    listed = client.get(people_url + f"?org=CS430104&year={year}&part=all")
    assert listed.context["paginator"].count == figure.denominator
    assert "骨干000" in listed.content.decode()
    members = client.get(people_url + f"?org=CS430104&year={year}")
    assert members.context["paginator"].count == figure.value
    assert "骨干000" not in members.content.decode()
    assert client.get(reverse("cultivation:figure", args=["orgs.coverage"])).status_code == 404


def test_the_backbone_watch_list_filters_by_age_front_line_and_school(client_for):
    backbone_non_members(4)
    client = client_for("yuelu_admin")
    url = reverse("cultivation:watch_backbone")
    names = lambda r: {o.name for o, _c in r.context["rows"]}  # noqa: E731
    everyone = names(client.get(url))
    assert {"骨干000", "骨干001", "麓山钱老师"} <= everyone
    assert "梅溪湖张老师" not in everyone  # a member
    assert names(client.get(url + "?front_line=true")) & {"骨干001", "骨干003"} == set()
    assert "麓山钱老师" not in names(client.get(url + "?age_min=35"))  # born 1995
    assert "骨干000" in names(client.get(url + "?age_min=35&age_max=40"))
    assert names(client.get(url + f"?school={MEIXIHU}")) & {"骨干000", "麓山钱老师"} == set()
    assert "骨干000" not in names(client_for("furong_admin").get(url))


def test_the_member_watch_list_shows_who_had_no_cultivation_for_two_years(client_for):
    quiet, busy = young_members(2)
    contest_with([busy])
    client = client_for("school_secretary")
    url = reverse("cultivation:watch_members")
    rows = {o.name: o for o, _c in client.get(url).context["rows"]}
    assert rows[busy.name].entry_count == 1
    assert rows[busy.name].active
    assert not rows[quiet.name].active
    quiet_names = {o.name for o, _c in client.get(url + "?quiet=true").context["rows"]}
    assert quiet.name in quiet_names
    assert busy.name not in quiet_names


def test_a_persons_timeline_holds_both_directions(client_for):
    (young,) = young_members(1, titled=True)
    (pair,) = mentor_all([young], start="2022-03-01")
    services.record_reviews(
        [Item({"mentorship": pair, "held_on": D("2022-08-20"), "progress": "听课十节"})], by=SYSTEM
    )
    contest_with([young])
    services.record_engagements(
        [Item({"person": young, "kind": "forum", "date": D("2025-04-01"), "topic": "班主任工作交流"})],
        by=SYSTEM,
    )
    client = client_for("school_secretary")
    page = client.get(reverse("cultivation:person", args=[young.pk])).content.decode()
    for text in (
        "获评骨干教师",
        "被接收为预备党员",
        "与导师梅溪湖张老师开始",
        "结对考核",
        "岳麓区课堂展示",
        "班主任工作交流",
    ):
        assert text in page, text
    mentor_page = client.get(reverse("cultivation:person", args=[pair.mentor_id])).content.decode()
    assert f"带徒{young.name}" in mentor_page
    panel = client.get(reverse("cultivation:person_panel", args=[young.pk])).content.decode()
    assert "作为徒弟结对 1 次" in panel
    assert "参赛 1 次" in panel
    assert client_for("furong_admin").get(reverse("cultivation:person", args=[young.pk])).status_code == 404


def test_the_to_do_list_names_a_mentorship_whose_review_is_past_due(client_for):
    (young,) = young_members(1)
    mentor_all([young], start="2023-01-10")
    page = client_for("school_secretary").get("/").content.decode()
    assert 'id="todo-cultivation-review-due"' in page
    assert f"梅溪湖张老师 → {young.name}" in page
    city = client_for("city_admin").get("/").content.decode()
    assert 'id="todo-cultivation-review-due"' in city
    assert "岳麓区" in city


def test_the_city_counts_a_mentorship_once_however_many_places_its_school_has():
    """梅溪湖中学 lies under its committee and its branch: the district's row counts the mentorship once."""
    from redengine.accounts.models import User
    from redengine.core.todo import todos_for
    from redengine.orgs.models import SchoolPlace

    (young,) = young_members(1)
    (pair,) = mentor_all([young], start="2023-01-10")
    assert SchoolPlace.objects.filter(school_id=pair.school_id, valid_until__isnull=True).count() > 1
    items = {
        item.key: item
        for _section, found in todos_for(User.objects.get(username="city_admin"))
        for item in found
    }
    due = items["cultivation.review_due"]
    assert due.count == 1
    assert [row.count for row in due.rows] == [1]


def test_pages_cost_the_same_queries_with_more_records(client_for):
    client = client_for("yuelu_admin")
    year = timezone.localdate().year
    young = young_members(2)
    contest_with(young[:1])
    mentor_all(young[:1])
    backbone_non_members(1)
    person = young[0]
    addresses = {
        "overview": reverse("cultivation:overview") + f"?org=CS430104&year={year}",
        "city overview": reverse("cultivation:overview"),
        "figure": reverse("cultivation:figure", args=["cultivation.apprentices_titled"])
        + f"?org=CS430104&year={year}",
        "figure people": reverse("cultivation:figure_people", args=["cultivation.member_share.backbone"])
        + "?part=all",
        "backbone watch": reverse("cultivation:watch_backbone"),
        "backbone export": reverse("cultivation:watch_backbone") + "?export=xlsx",
        "member watch": reverse("cultivation:watch_members"),
        "member export": reverse("cultivation:watch_members") + "?export=xlsx",
        "mentorships": reverse("cultivation:mentorship_list"),
        "mentorship export": reverse("cultivation:mentorship_list") + "?export=xlsx",
        "contests": reverse("cultivation:contest_list"),
        "entries": reverse("cultivation:contestentry_list"),
        "timeline": reverse("cultivation:person", args=[person.pk]),
    }
    for address in addresses.values():
        client.get(address)  # warm the caches of the first request
    counts = {}
    for when in ("before", "after"):
        if when == "after":
            more = young_members(12, birth="1999-05-05")
            mentor_all(more)
            contest_with([person, *more], name="岳麓区教案设计", held="2025-06-01")
            backbone_non_members(12)
            services.record_engagements(
                [
                    Item(
                        {
                            "person": person,
                            "kind": "training",
                            "date": D(f"2025-0{m}-01"),
                            "topic": "学科培训",
                        }
                    )
                    for m in range(1, 7)
                ],
                by=SYSTEM,
            )
        for name, address in addresses.items():
            with CaptureQueriesContext(connection) as counted:
                assert client.get(address).status_code == 200, name
            counts[(name, when)] = len(counted)
    for name in addresses:
        assert counts[(name, "after")] == counts[(name, "before")], (
            name,
            counts[(name, "before")],
            counts[(name, "after")],
        )


def test_a_mentorship_outside_the_scope_tells_nothing_on_the_watch_lists(client_for):
    """A mentorship held at a sibling school whose apprentice now teaches at the secretary's school: the
    secretary's lists count neither it nor its date (it lies at its school, outside the secretary's scope)."""
    (young,) = young_members(1, school_code=LUSHAN, branch="CS430104-01")
    mentor = Person.objects.get(name="麓山赵老师")
    services.record_mentorships(
        [Item({"mentor": mentor, "apprentice": young, "school": young.school, "start_on": D("2025-09-01")})],
        by=SYSTEM,
    )
    save_people(
        [Item({"school": School.objects.get(code=MEIXIHU)}, instance=Person.objects.get(pk=young.pk))],
        by=SYSTEM,
    )
    secretary = client_for("school_secretary")
    rows = {o.name: o for o, _c in secretary.get(reverse("cultivation:watch_members")).context["rows"]}
    assert rows[young.name].mentorship_count == 0
    assert not rows[young.name].active
    quiet = {
        o.name
        for o, _c in secretary.get(reverse("cultivation:watch_members") + "?quiet=true").context["rows"]
    }
    assert young.name in quiet
    # The district administrator, who sees both schools, sees it.
    district = client_for("yuelu_admin")
    rows = {o.name: o for o, _c in district.get(reverse("cultivation:watch_members")).context["rows"]}
    assert rows[young.name].mentorship_count == 1


def test_speaking_and_entries_are_changed_and_removed_from_their_pages(client_for):
    (young,) = young_members(1)
    (speaking,) = services.record_engagements(
        [
            Item(
                {"person": young, "kind": "grade_meeting", "date": D("2025-04-01"), "topic": "年级组经验交流"}
            )
        ],
        by=SYSTEM,
    )
    contest = contest_with([young])
    entry = contest.entries.get()
    district = client_for("yuelu_admin")
    timeline = district.get(reverse("cultivation:person", args=[young.pk])).content.decode()
    assert reverse("cultivation:engagement_edit", args=[speaking.pk]) in timeline
    edit = district.get(reverse("cultivation:engagement_edit", args=[speaking.pk])).content.decode()
    assert reverse("cultivation:engagement_delete", args=[speaking.pk]) in edit
    entry_page = district.get(reverse("cultivation:entry_edit", args=[entry.pk])).content.decode()
    assert reverse("cultivation:entry_delete", args=[entry.pk]) in entry_page
    # The inspector reads the timeline, with no link to change.
    inspector = client_for("inspector").get(reverse("cultivation:person", args=[young.pk])).content.decode()
    assert "年级组经验交流" in inspector
    assert reverse("cultivation:engagement_edit", args=[speaking.pk]) not in inspector


def test_the_backbone_watch_list_shows_the_development_stage_and_the_training_contact(client_for):
    """A backbone teacher who applied: the list gives the stage of the open case and its training contact."""
    from redengine.development.services import open_case
    from redengine.development.tests.helpers import walk

    (teacher,) = backbone_non_members(1, school_code=MEIXIHU)
    case = walk(open_case(teacher, org("CS430104-02-01"), by=SYSTEM), upto="S05")
    client = client_for("school_secretary")
    rows = {o.name: o for o, _c in client.get(reverse("cultivation:watch_backbone")).context["rows"]}
    row = rows[teacher.name]
    assert row.case_stage == case.stage
    assert row.contact_name in {"梅溪湖张老师", "梅溪湖王校长"}  # the two contacts of the legal path
    page = client.get(reverse("cultivation:watch_backbone")).content.decode()
    assert str(case.stage_label) in page
