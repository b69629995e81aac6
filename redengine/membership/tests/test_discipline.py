"""Party discipline (党章第四十条) through ``record_discipline``, on a calendar: 警告 and 严重警告 recorded with no
effect; 撤销党内职务 ends the committee posts held that day; 留党察看 with its period (only 12 or 24 months)
gives the membership its dates, its rights restored only once the period has ended, one open at a time and
extended from 12 to 24 months on its own record; 开除党籍 ends the membership (state expelled, political status
follows). A 留党察看 recorded here makes its member no introducer and no voter who should attend (development).
Readable only with ``view_discipline``: a secretary's pages and API answer 403, the person page shows the
effect only. Every refusal in Chinese, nothing written."""

import datetime

import pytest
from django.urls import reverse

from redengine.core.models import ObjectChange
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.development.lookups import BranchRolls, voting_members
from redengine.development.services import StepRefusedError, open_case, record_step
from redengine.development.tests.helpers import TODAY, branch, new_applicant, step_data, walk
from redengine.membership.models import Discipline, StatusChange
from redengine.membership.services.records import (
    delete_discipline,
    lift_discipline,
    observation_note,
    probation_due,
    record_discipline,
)
from redengine.people.models import CommitteePost, Membership

from .status_helpers import D, discipline, membership_of, messages, new_member, refresh, refused, user

pytestmark = pytest.mark.django_db


def item(m, kind, day, **values):
    return Item(
        {
            "membership": m,
            "kind": kind,
            "decided_on": D(day),
            "decided_by": "区纪委",
            "document": "岳纪〔2025〕1号",
            "reason": "违纪",
            **values,
        }
    )


def test_a_warning_is_recorded_and_audited_with_no_effect_on_the_membership():
    m = new_member("处分甲老师")
    before = ObjectChange.objects.count()
    record = discipline(m, "warning", "2025-03-01", by=user("yuelu_admin"))
    assert (record.kind, record.decided_on, record.period_months) == ("warning", D("2025-03-01"), None)
    changes = list(
        ObjectChange.objects.filter(pk__gt=0).order_by("-pk")[: ObjectChange.objects.count() - before]
    )
    assert [(c.content_type.model, c.action, c.username) for c in changes] == [
        ("discipline", "create", "yuelu_admin")
    ]
    assert changes[0].after["document"] == "岳教纪〔2025〕3号"
    m = refresh(m)
    assert (m.status, m.observation_from, m.ended_on) == ("active", None, None)


def test_a_decision_needs_its_day_body_document_and_reason_not_in_the_future():
    m = new_member("处分乙老师", admitted="2015-06-20")
    problems = refused(
        record_discipline,
        [item(m, "warning", "2025-03-01", decided_by=" ", document="", reason="")],
        by=SYSTEM,
    )
    assert {f for _i, f, _m in problems} == {"decided_by", "document", "reason"}
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    problems = refused(record_discipline, [item(m, "warning", tomorrow)], by=SYSTEM)
    assert [(f, "将来" in message) for _i, f, message in problems] == [("decided_on", True)]
    problems = refused(record_discipline, [item(m, "warning", "2015-01-01")], by=SYSTEM)
    assert [(f, "2015-06-20" in message) for _i, f, message in problems] == [("decided_on", True)]
    problems = refused(record_discipline, [item(m, "reprimand", "2025-03-01")], by=SYSTEM)
    assert [f for _i, f, _m in problems] == ["kind"]


@pytest.mark.parametrize("period", [None, 6, 18, 36])
def test_probation_needs_a_period_of_twelve_or_twenty_four_months(period):
    m = new_member(f"察看期{period}老师")
    problems = refused(
        record_discipline, [item(m, "probation", "2025-03-01", period_months=period)], by=SYSTEM
    )
    assert [
        (f, "12" in message and "24" in message and "党章第四十条" in message) for _i, f, message in problems
    ] == [("period_months", True)]


def test_only_probation_has_a_period_and_a_restoration():
    m = new_member("察看期外老师")
    problems = refused(
        record_discipline,
        [item(m, "serious_warning", "2025-03-01", period_months=12, lifted_on=D("2025-04-01"))],
        by=SYSTEM,
    )
    assert {f for _i, f, _m in problems} == {"period_months", "lifted_on"}


def test_probation_gives_the_membership_its_dates_until_the_rights_are_restored():
    m = new_member("察看甲老师")
    record = discipline(m, "probation", "2024-03-01", period_months=12)
    m = refresh(m)
    assert (m.observation_from, m.observation_until) == (D("2024-03-01"), None)
    with_dates = refused(lift_discipline, record, D("2025-02-28"), by=SYSTEM)  # before the period ends
    assert [(f, "2025-03-01" in message) for _i, f, message in with_dates] == [("lifted_on", True)]
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    problems = refused(lift_discipline, Discipline.objects.get(pk=record.pk), tomorrow, by=SYSTEM)
    assert [f for _i, f, _m in problems] == ["lifted_on"]
    lift_discipline(Discipline.objects.get(pk=record.pk), D("2025-03-01"), by=user("yuelu_admin"))
    m = refresh(m)
    assert (m.observation_from, m.observation_until) == (D("2024-03-01"), D("2025-03-01"))
    assert Discipline.objects.get(pk=record.pk).lifted_on == D("2025-03-01")


def test_a_second_probation_while_one_is_open_is_refused_an_extension_changes_the_period():
    m = new_member("察看乙老师")
    record = discipline(m, "probation", "2024-03-01", period_months=12)
    problems = refused(
        record_discipline, [item(refresh(m), "probation", "2024-06-01", period_months=12)], by=SYSTEM
    )
    assert [(f, "2024-03-01" in message and "24" in message) for _i, f, message in problems] == [
        ("kind", True)
    ]
    (extended,) = record_discipline([Item({"period_months": 24}, instance=record)], by=SYSTEM)
    assert extended.period_months == 24
    problems = refused(
        record_discipline,
        [Item({"period_months": 12}, instance=Discipline.objects.get(pk=record.pk))],
        by=SYSTEM,
    )
    assert [f for _i, f, _m in problems] == ["period_months"]  # not shortened
    refused(
        lift_discipline, Discipline.objects.get(pk=record.pk), D("2025-03-01"), by=SYSTEM
    )  # 24 months now
    lift_discipline(Discipline.objects.get(pk=record.pk), D("2026-03-01"), by=SYSTEM)
    problems = refused(
        record_discipline,
        [Item({"period_months": 12}, instance=Discipline.objects.get(pk=record.pk))],
        by=SYSTEM,
    )
    assert "2026-03-01" in messages(problems)
    again = discipline(
        refresh(m), "probation", "2026-06-01", period_months=12
    )  # restored: a new one may come
    assert refresh(m).observation_from == again.decided_on


def test_a_probation_deleted_takes_its_dates_off_the_membership():
    m = new_member("察看丙老师")
    record = discipline(m, "probation", "2025-03-01", period_months=12)
    delete_discipline([record], by=user("city_admin"))
    m = refresh(m)
    assert (m.observation_from, m.observation_until) == (None, None)


def test_removal_from_posts_ends_the_committee_posts_held_that_day():
    m = membership_of("梅溪湖王校长")
    post = CommitteePost.objects.get(person=m.person, post="secretary", end_on__isnull=True)
    before = ObjectChange.objects.count()
    discipline(m, "dismissal", "2025-04-01", by=user("yuelu_admin"))
    post.refresh_from_db()
    assert post.end_on == D("2025-04-01")
    changes = ObjectChange.objects.filter(pk__gt=0).order_by("-pk")[: ObjectChange.objects.count() - before]
    assert sorted((c.content_type.model, c.action) for c in changes) == [
        ("committeepost", "update"),
        ("discipline", "create"),
    ]
    assert refresh(m).ended_on is None  # still a member


def test_expulsion_ends_the_membership_and_the_political_status_follows():
    m = new_member("开除甲老师")
    before = ObjectChange.objects.count()
    record = discipline(m, "expulsion", "2025-04-01", by=user("yuelu_admin"))
    changes = ObjectChange.objects.filter(pk__gt=0).order_by("-pk")[: ObjectChange.objects.count() - before]
    assert sorted((c.content_type.model, c.action, c.username) for c in changes) == [
        ("discipline", "create", "yuelu_admin"),
        ("membership", "update", "yuelu_admin"),
        ("person", "update", "yuelu_admin"),  # the political status follows
        ("statuschange", "create", "yuelu_admin"),
    ]
    m = refresh(m)
    assert (m.status, m.status_since, m.ended_on) == ("expelled", D("2025-04-01"), D("2025-04-01"))
    assert m.person.political_status == "masses"
    change = StatusChange.objects.get(membership=m)
    assert (change.from_status, change.to_status) == ("active", "expelled")
    assert "违反工作纪律" not in change.reason
    assert "岳教纪" not in change.document
    problems = refused(record_discipline, [item(m, "warning", "2025-05-01")], by=SYSTEM)
    assert [f for _i, f, _m in problems] == ["membership"]
    problems = refused(delete_discipline, [record], by=user("city_admin"))
    assert "不能删除" in messages(problems)
    problems = refused(
        record_discipline,
        [Item({"decided_on": D("2025-03-01")}, instance=Discipline.objects.get(pk=record.pk))],
        by=SYSTEM,
    )
    assert [f for _i, f, _m in problems] == ["decided_on"]


def test_the_member_and_the_measure_are_not_changed():
    m = new_member("改种类老师")
    record = discipline(m, "warning", "2025-03-01")
    problems = refused(record_discipline, [Item({"kind": "serious_warning"}, instance=record)], by=SYSTEM)
    assert [f for _i, f, _m in problems] == ["kind"]


def test_only_the_district_and_city_record_discipline():
    m = membership_of("梅溪湖张老师")
    assert refused(record_discipline, [item(m, "warning", "2025-03-01")], by=user("school_secretary"))
    assert refused(record_discipline, [item(m, "warning", "2025-03-01")], by=user("inspector"))
    other = membership_of("芙蓉周老师")
    problems = refused(record_discipline, [item(other, "warning", "2025-03-01")], by=user("yuelu_admin"))
    assert [f for _i, f, _m in problems] == ["membership"]


def test_a_probation_recorded_here_makes_its_member_no_introducer():
    """细则第十四条; 党章第七条: the development rules read the membership's dates that the record gives."""
    case = open_case(new_applicant(name="介绍人察看老师"), branch(), by=SYSTEM)
    walk(case, "S08")
    discipline(membership_of("梅溪湖王校长"), "probation", "2023-01-10", period_months=12)
    with pytest.raises(StepRefusedError) as info:
        record_step(
            case, "S09", D("2023-04-15"), data=step_data("S09", {"introducers": "x"}), today=TODAY, by=SYSTEM
        )
    assert "DEV.INTRODUCERS" in {v.rule for v in info.value.violations}
    assert "留党察看" in " ".join(info.value.messages)


def test_a_probation_recorded_here_takes_its_member_off_those_who_should_attend():
    m = membership_of("梅溪湖张老师")
    org = m.organization
    day, later = D("2025-06-10"), D("2026-05-02")
    before = voting_members([(org, day)])[(org.pk, day)]
    assert m.person_id in BranchRolls([org]).voting(org, day)
    record = discipline(m, "probation", "2025-05-01", period_months=12)
    assert voting_members([(org, day)])[(org.pk, day)] == before - 1
    assert m.person_id not in BranchRolls([org]).voting(org, day)
    assert m.person_id not in BranchRolls([org]).voting(org, later)  # still under 留党察看
    lift_discipline(Discipline.objects.get(pk=record.pk), D("2026-05-01"), by=SYSTEM)
    assert m.person_id in BranchRolls([org]).voting(org, later)  # the rights restored
    assert m.person_id not in BranchRolls([org]).voting(org, day)
    assert Membership.objects.get(pk=m.pk).observation_until == D("2026-05-01")


def test_a_probation_past_its_period_without_a_restoration_is_due():
    m = new_member("察看到期老师")
    record = discipline(m, "probation", "2024-01-10", period_months=12)
    assert not probation_due(Discipline.objects.filter(pk=record.pk), D("2025-01-09")).exists()
    assert probation_due(Discipline.objects.filter(pk=record.pk), D("2025-01-10")).exists()


def test_a_secretary_reads_the_effect_never_the_record(client_for):
    m = membership_of("梅溪湖张老师")
    discipline(m, "probation", "2025-05-01", period_months=12, reason="严重违反工作纪律之具体事实")
    note = observation_note(refresh(m), D("2025-06-01"))
    assert "2025-05-01" in note
    assert "留党察看" in note
    assert observation_note(refresh(m), D("2025-04-30")) is None
    secretary = client_for("school_secretary")
    assert secretary.get(reverse("membership:discipline_list")).status_code == 403
    record = Discipline.objects.get(membership=m)
    assert secretary.get(reverse("membership:discipline_detail", args=[record.pk])).status_code == 403


def test_the_person_panel_shows_a_secretary_the_effect_never_the_record(client_for):
    m = membership_of("梅溪湖张老师")
    discipline(m, "probation", "2025-05-01", period_months=12, reason="严重违反工作纪律之具体事实")
    secretary = client_for("school_secretary")
    panel = secretary.get(reverse("membership:person_panel", args=[m.person_id]))
    assert panel.status_code == 200
    text = panel.content.decode()
    assert "留党察看" in text  # the effect on the membership
    assert "严重违反工作纪律之具体事实" not in text
    assert "岳教纪〔2025〕3号" not in text
    inspector = client_for("inspector")
    assert (
        "岳教纪〔2025〕3号"
        in inspector.get(reverse("membership:person_panel", args=[m.person_id])).content.decode()
    )


def test_within_a_batch_a_measure_after_an_expulsion_is_refused():
    m = new_member("同批开除老师")
    problems = refused(
        record_discipline, [item(m, "expulsion", "2025-04-01"), item(m, "warning", "2025-04-02")], by=SYSTEM
    )
    assert [(i, f) for i, f, _m in problems] == [(1, "membership")]
    assert "开除党籍" in messages(problems)
