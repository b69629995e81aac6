"""Bad input to dual cultivation: each a clear Chinese message on its field, nothing written — a mentor who
is the apprentice, a mentorship ending before it starts, an apprentice already in a running mentorship of
the same kind, an entry for a person outside the contest's organization, a prize dated before the
contest; through the service and through the forms as a secretary uses them. A late review is recorded and
flagged, never refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError
from redengine.cultivation import services
from redengine.cultivation.models import Contest, ContestEntry, Mentorship, MentorshipReview
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat


def people(*names):
    return [Person.objects.get(name=n) for n in names]


def school(code="4301040002"):
    return School.objects.get(code=code)


def counts():
    return (
        Mentorship.objects.count(),
        MentorshipReview.objects.count(),
        Contest.objects.count(),
        ContestEntry.objects.count(),
        ObjectChange.objects.count(),
    )


def refused(write, items, by=SYSTEM):
    before = counts()
    with translation.override("zh-hans"), pytest.raises(RefusedError) as caught:
        write(items, by=by)
    assert counts() == before
    with translation.override("zh-hans"):
        return {(p.field, str(p.message)) for p in caught.value.problems}


def pair(mentor, apprentice, **values):
    return Item(
        {
            "mentor": mentor,
            "apprentice": apprentice,
            "school": school(),
            "start_on": D("2024-09-01"),
            **values,
        }
    )


def district_contest():
    return services.record_contests(
        [
            Item(
                {
                    "name": "岳麓区微党课大赛",
                    "kind": "micro_class",
                    "level": "district",
                    "held_on": D("2025-05-10"),
                    "organization": PartyOrganization.objects.get(code="CS430104"),
                }
            )
        ],
        by=SYSTEM,
    )[0]


def test_a_mentor_who_is_the_apprentice_is_refused():
    (zhang,) = people("梅溪湖张老师")
    problems = refused(services.record_mentorships, [pair(zhang, zhang)])
    assert ("apprentice", "导师和徒弟不能是同一个人。") in problems


def test_a_mentorship_ending_before_it_starts_is_refused():
    zhang, li = people("梅溪湖张老师", "梅溪湖李老师")
    problems = refused(services.record_mentorships, [pair(zhang, li, ended_on=D("2024-08-31"))])
    assert ("ended_on", "师徒结对的结束日期不能早于开始日期（2024-09-01）。") in problems
    problems = refused(services.record_mentorships, [pair(zhang, li, planned_end_on=D("2024-09-01"))])
    assert ("planned_end_on", "计划结束日期必须晚于开始日期（2024-09-01）。") in problems


def test_an_apprentice_already_in_a_running_mentorship_of_the_same_kind_is_refused():
    zhang, li, wang = people("梅溪湖张老师", "梅溪湖李老师", "梅溪湖王校长")
    services.record_mentorships([pair(zhang, li)], by=SYSTEM)
    problems = refused(services.record_mentorships, [pair(wang, li, start_on=D("2025-03-01"))])
    assert (
        "apprentice",
        "梅溪湖李老师 自 2024-09-01 起已是一项“教学师徒（党员培养成骨干）”结对的徒弟：同一类结对一人同时只能"
        "参加一项（请先登记那项结对的结束）。",
    ) in problems
    # Twice in one batch is refused alike; another kind, or after the first has ended, is not.
    both = refused(
        services.record_mentorships,
        [
            pair(wang, Person.objects.get(name="梅溪湖黄老师")),
            pair(zhang, Person.objects.get(name="梅溪湖黄老师")),
        ],
    )
    assert {field for field, _m in both} == {"apprentice"}
    services.record_mentorships([pair(wang, li, kind="political", start_on=D("2025-03-01"))], by=SYSTEM)
    first = Mentorship.objects.get(apprentice=li, kind="teaching")
    services.record_mentorships([Item({"ended_on": D("2025-02-28")}, instance=first)], by=SYSTEM)
    services.record_mentorships([pair(wang, li, start_on=D("2025-03-01"))], by=SYSTEM)
    assert Mentorship.objects.filter(apprentice=li).count() == 3


def test_a_running_mentorship_outside_the_scope_is_not_described(example_user):
    """The clash is told (the apprentice cannot be paired) without its mentor, school or dates."""
    zhao, qian = people("麓山赵老师", "麓山钱老师")
    services.record_mentorships(
        [
            Item(
                {
                    "mentor": zhao,
                    "apprentice": qian,
                    "school": school("4301040001"),
                    "start_on": D("2024-09-01"),
                }
            )
        ],
        by=SYSTEM,
    )
    qian.school = school()  # moved to the secretary's school since
    from redengine.people.services import save_people

    save_people([Item({"school": school()}, instance=Person.objects.get(pk=qian.pk))], by=SYSTEM)
    (zhang,) = people("梅溪湖张老师")
    problems = refused(
        services.record_mentorships,
        [pair(zhang, Person.objects.get(pk=qian.pk), start_on=D("2025-03-01"))],
        by=example_user("school_secretary"),
    )
    assert (
        "apprentice",
        "麓山钱老师 已是一项进行中的“教学师徒（党员培养成骨干）”结对的徒弟，请联系上级管理员。",
    ) in problems
    assert not any("2024-09-01" in m or "赵" in m for _f, m in problems)


def test_an_entry_for_a_person_outside_the_contests_organization_is_refused():
    contest = district_contest()
    (zhou,) = people("芙蓉周老师")  # a teacher of another district
    problems = refused(
        services.record_entries, [Item({"contest": contest, "person": zhou, "prize": "first"})]
    )
    assert (
        "person",
        "芙蓉周老师 不属于主办该竞赛的中共长沙市岳麓区教育局委员会所辖学校：只有其所属人员可以参赛。",
    ) in problems


def test_a_prize_dated_before_the_contest_is_refused():
    contest = district_contest()
    (li,) = people("梅溪湖李老师")
    problems = refused(
        services.record_entries,
        [Item({"contest": contest, "person": li, "prize": "first", "awarded_on": D("2025-05-09")})],
    )
    assert ("awarded_on", "获奖日期 2025-05-09 早于竞赛举办日期（2025-05-10）。") in problems
    # Without a date the prize takes the contest's.
    entry = services.record_entries([Item({"contest": contest, "person": li, "prize": "first"})], by=SYSTEM)[
        0
    ]
    assert entry.awarded_on == contest.held_on


def test_a_late_review_is_recorded_and_flagged():
    zhang, li = people("梅溪湖张老师", "梅溪湖李老师")
    mentorship = services.record_mentorships([pair(zhang, li)], by=SYSTEM)[0]
    on_time, late = services.record_reviews(
        [
            Item({"mentorship": mentorship, "held_on": D("2025-02-20"), "progress": "按计划听课"}),
            Item({"mentorship": mentorship, "held_on": D("2025-09-01"), "progress": "公开课"}),
        ],
        by=SYSTEM,
    )
    assert (on_time.due_on, on_time.late) == (D("2025-03-01"), False)
    assert (late.due_on, late.late) == (D("2025-08-20"), True)
    # A review added before the others dates them again.
    services.record_reviews(
        [Item({"mentorship": mentorship, "held_on": D("2024-12-01"), "progress": "拜师"})], by=SYSTEM
    )
    on_time.refresh_from_db()
    assert on_time.due_on == D("2025-06-01")
    problems = refused(
        services.record_reviews,
        [Item({"mentorship": mentorship, "held_on": D("2024-08-01"), "progress": "x"})],
    )
    assert ("held_on", "该师徒结对开始于 2024-09-01：考核不能早于此日。") in problems


def test_the_forms_show_the_messages_on_their_fields(client_for):
    client = client_for("school_secretary")
    zhang, li = people("梅溪湖张老师", "梅溪湖李老师")
    before = counts()
    with translation.override("zh-hans"):
        response = client.post(
            reverse("cultivation:mentorship_add"),
            {
                "kind": "teaching",
                "school": school().pk,
                "mentor": zhang.pk,
                "apprentice": zhang.pk,
                "start_on": "2024-09-01",
                "ended_on": "2024-08-01",
            },
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "导师和徒弟不能是同一个人。" in page
    assert "师徒结对的结束日期不能早于开始日期（2024-09-01）。" in page
    assert counts() == before
    response = client.post(
        reverse("cultivation:mentorship_add"),
        {
            "kind": "teaching",
            "school": school().pk,
            "mentor": zhang.pk,
            "apprentice": li.pk,
            "start_on": "2024-09-01",
        },
    )
    assert response.status_code == 302
    assert Mentorship.objects.filter(apprentice=li, mentor=zhang).exists()


def test_a_mentorship_whose_days_change_keeps_its_reviews_within_them(example_user):
    zhang, li = people("梅溪湖张老师", "梅溪湖李老师")
    mentorship = services.record_mentorships([pair(zhang, li)], by=SYSTEM)[0]
    (review,) = services.record_reviews(
        [Item({"mentorship": mentorship, "held_on": D("2025-02-20"), "progress": "听课"})],
        by=example_user("school_secretary"),
    )
    assert review.recorded_by == example_user("school_secretary")

    def fresh():  # a refused change leaves its object as it was built
        return Mentorship.objects.get(pk=mentorship.pk)

    problems = refused(services.record_mentorships, [Item({"start_on": D("2025-03-01")}, instance=fresh())])
    assert ("start_on", "该师徒结对已有 2025-02-20 的考核，早于新的开始日期。") in problems
    problems = refused(services.record_mentorships, [Item({"ended_on": D("2025-01-31")}, instance=fresh())])
    assert ("ended_on", "该师徒结对已有 2025-02-20 的考核，晚于新的结束日期。") in problems
    # An earlier start dates the review again (due half a year after the new start: late now).
    services.record_mentorships([Item({"start_on": D("2024-06-01")}, instance=fresh())], by=SYSTEM)
    review.refresh_from_db()
    assert (review.due_on, review.late) == (D("2024-12-01"), True)


def test_a_contest_whose_date_or_organization_changes_keeps_its_entries_valid():
    contest = district_contest()
    (li,) = people("梅溪湖李老师")
    services.record_entries([Item({"contest": contest, "person": li, "prize": "first"})], by=SYSTEM)
    problems = refused(services.record_contests, [Item({"held_on": D("2025-05-20")}, instance=contest)])
    assert ("held_on", "该竞赛已有早于此日期的获奖记录：请先修改获奖信息。") in problems
    furong = PartyOrganization.objects.get(code="CS430102")
    contest = Contest.objects.get(pk=contest.pk)
    problems = refused(services.record_contests, [Item({"organization": furong}, instance=contest)])
    assert ("organization", "该竞赛已登记的参赛人员不属于该党组织所辖学校。") in problems
