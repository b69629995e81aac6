"""One test per rule of the development table (rules.py), each citing its source, run through the service
that every page, the API and the import use: a refused step names its rule and writes nothing."""

import pytest
from django.core.exceptions import ValidationError

from redengine.core.models import ObjectChange
from redengine.core.writes import SYSTEM
from redengine.development import engine, rules
from redengine.development.models import CaseContact, DevelopmentCase, DevelopmentEvent
from redengine.development.services import StepRefusedError, close_case, open_case, record_step
from redengine.people.models import Person

from .helpers import (
    PATH,
    TODAY,
    D,
    assert_rule_said,
    branch,
    contacts,
    fill_roll,
    new_applicant,
    step_data,
    walk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    return open_case(new_applicant(), branch(), by=SYSTEM)


@pytest.fixture
def roll20():
    """The branch has 20 voting full members at the path's meetings (the 7b examples' branch)."""
    fill_roll(20)
    return 20


def recorded_late(case, code, day, data=None, *, rule, due, by=SYSTEM):
    """Record a step past its time limit: it is written as it happened and flagged late (never refused)."""
    event = record_step(case, code, D(day), data=step_data(code, data or {}), today=TODAY, by=by)
    assert (event.late, event.late_rules, event.late_due) == (True, rule, D(due))
    assert rules.RULES[rule].kind == rules.TIME_LIMIT
    case.refresh_from_db()
    assert case.has_late
    return event


def refused(case, code, day, data=None, *, rule, people=None, by=SYSTEM, **kwargs):
    """Record the step, expect a refusal naming ``rule``, and check that nothing was written."""
    events, contacts_before = DevelopmentEvent.objects.count(), CaseContact.objects.count()
    changes = ObjectChange.objects.count()
    with pytest.raises(StepRefusedError) as info:
        record_step(
            case, code, D(day), data=step_data(code, data or {}, people), today=TODAY, by=by, **kwargs
        )
    assert rule in {v.rule for v in info.value.violations}
    text = " ".join(info.value.messages)
    assert_rule_said(rule, text)  # the rule in plain words with its source, never its key
    assert DevelopmentEvent.objects.count() == events
    assert CaseContact.objects.count() == contacts_before
    assert ObjectChange.objects.count() == changes
    return info.value


def test_the_legal_path_is_accepted_to_the_end(case):
    walk(case)
    assert case.status == "completed"
    assert case.admitted_on == D("2023-06-25")
    assert case.converted_on == D("2024-06-25")  # probation ends a year after the branch meeting
    assert case.person.memberships.current().get().full_on == D("2024-06-25")
    case.person.refresh_from_db()
    assert case.person.political_status == "member"
    assert case.events.count() == len(PATH)


def test_dev_age_min(case):
    """DEV.AGE_MIN — Party Constitution art. 1; 细则 art. 5. 7b: born 2007-09-01, 2025-08-31 refused, 09-01 accepted."""
    young = open_case(new_applicant("年轻老师", birth="2007-09-01"), branch(), by=SYSTEM)
    refused(young, "S01", "2025-08-31", rule="DEV.AGE_MIN")
    record_step(young, "S01", D("2025-09-01"), today=TODAY, by=SYSTEM)


def test_dev_order_a_step_before_its_prerequisite(case):
    """DEV.ORDER — 细则, the 25 steps: S03 needs the talk S02."""
    record_step(case, "S01", D("2022-01-10"), today=TODAY, by=SYSTEM)
    refused(case, "S03", "2022-04-01", rule="DEV.ORDER")
    record_step(case, "S02", D("2022-01-25"), today=TODAY, by=SYSTEM)
    refused(case, "S03", "2022-01-20", rule="DEV.ORDER")  # dated before the talk


def test_dev_once_the_same_step_twice(case):
    """DEV.ONCE — 细则: a step is done once (a correction removes the step and records it again)."""
    walk(case, "S02")
    refused(case, "S02", "2022-01-26", rule="DEV.ONCE")


def test_dev_not_future(case):
    """DEV.NOT_FUTURE — a record states what was done."""
    refused(case, "S01", "2026-11-28", rule="DEV.NOT_FUTURE")


def test_dev_talk_deadline(case):
    """DEV.TALK_DEADLINE — 细则 art. 7: talk within one month. 7b: received 2025-03-10 → due 2025-04-10."""
    record_step(case, "S01", D("2025-03-10"), today=TODAY, by=SYSTEM)
    case.refresh_from_db()
    assert (case.next_step, case.next_due) == ("S02", D("2025-04-10"))
    # A time limit on the organization's work: a late talk is recorded as it happened, flagged late.
    recorded_late(case, "S02", "2025-04-11", rule="DEV.TALK_DEADLINE", due="2025-04-10")


def test_a_talk_on_its_last_day_is_not_late(case):
    """DEV.TALK_DEADLINE — 细则 art. 7: due 2025-04-10, recorded that day, not flagged."""
    record_step(case, "S01", D("2025-03-10"), today=TODAY, by=SYSTEM)
    event = record_step(case, "S02", D("2025-04-10"), today=TODAY, by=SYSTEM)
    assert not event.late
    assert not event.late_rules
    case.refresh_from_db()
    assert not case.has_late


def test_month_arithmetic_clamps_to_the_months_end():
    """7b: 2025-01-31 + 1 month = 2025-02-28 (the documented convention)."""
    assert rules.add_months(D("2025-01-31"), 1) == D("2025-02-28")
    assert rules.add_months(D("2024-01-31"), 1) == D("2024-02-29")
    assert rules.add_months(D("2025-03-10"), 1) == D("2025-04-10")


def test_dev_application_to_activist_is_a_parameter(case, monkeypatch):
    """DEV.APPLICATION_TO_ACTIVIST — LOCAL (6 months), off by default (domain-rules §7)."""
    walk(case, "S02")
    monkeypatch.setitem(rules.PARAMETERS, "dev.min_months_application_to_activist", 6)
    refused(case, "S03", "2022-04-01", rule="DEV.APPLICATION_TO_ACTIVIST")
    monkeypatch.setitem(rules.PARAMETERS, "dev.min_months_application_to_activist", 0)
    record_step(case, "S03", D("2022-04-01"), today=TODAY, by=SYSTEM)


def test_dev_contacts_must_be_full_members(case):
    """DEV.CONTACTS — 细则 art. 9: one or two contacts, each a full member (梅溪湖李老师 is probationary)."""
    walk(case, "S04")
    probationary = Person.objects.get(name="梅溪湖李老师")
    refused(case, "S05", "2022-04-10", {"contacts": "x"}, people=[probationary], rule="DEV.CONTACTS")
    three = [*contacts(), Person.objects.get(name="麓山赵老师")]
    refused(case, "S05", "2022-04-10", {"contacts": "x"}, people=three, rule="DEV.CONTACTS")
    refused(case, "S05", "2022-04-10", {"contacts": "x"}, people=[case.person], rule="DEV.CONTACTS")
    record_step(
        case, "S05", D("2022-04-10"), data=step_data("S05", {"contacts": "x"}), today=TODAY, by=SYSTEM
    )
    assert set(case.contacts.values_list("role", flat=True)) == {"contact"}


def test_dev_contact_load(case, monkeypatch):
    """DEV.CONTACT_LOAD — LOCAL, UNCONFIRMED: a contact guides at most so many open cases at a time."""
    monkeypatch.setitem(rules.PARAMETERS, "dev.contact_max_open_cases", 1)
    other = open_case(new_applicant("另一位老师", birth="1994-02-02"), branch(), by=SYSTEM)
    walk(other, "S05")
    walk(case, "S04")
    refused(case, "S05", "2022-04-10", {"contacts": "x"}, rule="DEV.CONTACT_LOAD")


def test_dev_assessment_interval(case):
    """DEV.ASSESSMENT_INTERVAL — 细则 art. 11 (每半年考察一次), read by calendar half-year (domain-rules §0.1):
    an activist of 2022-04-01 (January–June) is assessed in July–December 2022; an assessment in January
    2023 is recorded, flagged late; the next is then due by the end of the half-year after it."""
    walk(case, "S05")
    case.refresh_from_db()
    assert (case.due_step, case.next_due) == ("S06", D("2022-12-31"))
    recorded_late(
        case,
        "S06",
        "2023-01-02",
        {"assessment": "迟到的考察"},
        rule="DEV.ASSESSMENT_INTERVAL",
        due="2022-12-31",
    )
    case.refresh_from_db()
    assert (case.due_step, case.next_due) == ("S06", D("2023-12-31"))
    on_time = record_step(
        case, "S06", D("2023-12-31"), data={"assessment": "表现良好"}, today=TODAY, by=SYSTEM
    )
    assert not on_time.late


def test_the_half_year_reading_is_a_parameter(case, monkeypatch):
    """DEV.ASSESSMENT_INTERVAL — with the parameter off, six months after the previous one (domain-rules §7)."""
    monkeypatch.setitem(rules.PARAMETERS, "dev.assessment_by_calendar_half_year", 0)
    walk(case, "S05")
    case.refresh_from_db()
    assert (case.due_step, case.next_due) == ("S06", D("2022-10-01"))


def test_dev_min_activist_period_a_candidate_after_11_months(case):
    """DEV.MIN_ACTIVIST_PERIOD — 细则 art. 13: more than a year as activist. 7b: 2024-03-15 → from 2025-03-15."""
    walk(case, "S06")
    refused(case, "S07", "2023-03-01", rule="DEV.MIN_ACTIVIST_PERIOD")  # 11 months after S03 (2022-04-01)
    refused(case, "S07", "2023-03-31", rule="DEV.MIN_ACTIVIST_PERIOD")
    record_step(case, "S07", D("2023-04-01"), today=TODAY, by=SYSTEM)


def test_dev_introducers(case):
    """DEV.INTRODUCERS — 细则 art. 14: exactly two introducers, both full members."""
    walk(case, "S08")
    refused(case, "S09", "2023-04-15", {"introducers": "x"}, people=contacts()[:1], rule="DEV.INTRODUCERS")
    probationary = Person.objects.get(name="梅溪湖李老师")
    refused(
        case,
        "S09",
        "2023-04-15",
        {"introducers": "x"},
        people=[contacts()[0], probationary],
        rule="DEV.INTRODUCERS",
    )


def test_dev_introducers_not_under_observation(case):
    """DEV.INTRODUCERS — 细则 art. 14; 党章 art. 7: a full member under 留党察看 has no rights: cannot introduce."""
    walk(case, "S08")
    watched = contacts()[1]
    watched.memberships.current().update(observation_from=D("2023-01-01"), observation_until=D("2024-01-01"))
    refused(case, "S09", "2023-04-15", {"introducers": "x"}, rule="DEV.INTRODUCERS")
    walk_after = record_step(  # the 留党察看 is over in 2024: the same two may introduce
        case, "S09", D("2024-01-02"), data=step_data("S09", {"introducers": "x"}), today=TODAY, by=SYSTEM
    )
    assert walk_after.data["introducers"] == sorted(p.pk for p in contacts())


def test_dev_political_review(case):
    """DEV.POLITICAL_REVIEW — 细则 art. 16: no review that qualifies, no development."""
    walk(case, "S09")
    record_step(case, "S10", D("2023-05-10"), data={"conclusion": "not_qualified"}, today=TODAY, by=SYSTEM)
    record_step(case, "S11", D("2023-05-20"), data={"days": 3, "hours": 24}, today=TODAY, by=SYSTEM)
    refused(case, "S12", "2023-06-01", rule="DEV.POLITICAL_REVIEW")


def test_dev_political_review_without_a_conclusion_is_not_one_that_qualifies(case):
    """DEV.POLITICAL_REVIEW — 细则 art. 16 (凡未经政治审查或政治审查不合格的，不能发展入党): no conclusion, no S12."""
    walk(case, "S09")
    record_step(case, "S10", D("2023-05-10"), data={}, today=TODAY, by=SYSTEM)
    record_step(case, "S11", D("2023-05-20"), data={"days": 3, "hours": 24}, today=TODAY, by=SYSTEM)
    error = refused(case, "S12", "2023-06-01", rule="DEV.POLITICAL_REVIEW")
    assert "政治审查未记录结论" in " ".join(error.messages)


def test_dev_training_min(case):
    """DEV.TRAINING_MIN — 细则 art. 17: at least 3 days or 24 class hours."""
    walk(case, "S10")
    refused(case, "S11", "2023-05-20", {"days": 2, "hours": 16}, rule="DEV.TRAINING_MIN")
    record_step(case, "S11", D("2023-05-20"), data={"days": 2, "hours": 24}, today=TODAY, by=SYSTEM)


def test_dev_publicity_before_the_form(case):
    """DEV.PUBLICITY — LOCAL (no publicity, no form): the publicity ends before the form is issued."""
    walk(case, "S12")
    refused(
        case,
        "S13",
        "2023-06-15",
        {"publicity_from": "2023-06-10", "publicity_to": "2023-06-20"},
        rule="DEV.PUBLICITY",
    )


def test_dev_form_serial_is_used_once(case):
    """DEV.FORM_SERIAL — each 入党志愿书 number belongs to one person."""
    other = open_case(new_applicant("另一位老师", birth="1994-02-02"), branch(), by=SYSTEM)
    walk(other, "S13")
    serial = other.events.get(step="S13").form_serial
    walk(case, "S12")
    refused(case, "S13", "2023-06-15", {"form_serial": serial}, rule="DEV.FORM_SERIAL")


def test_vote_quorum_and_majority_7b_examples(case, roll20):
    """VOTE.QUORUM, VOTE.PASS — 细则 arts. 20–21; 支部工作条例 art. 11; worked examples of domain-rules §7b,
    counted over the branch's 20 voting full members (derived: what is typed is not used)."""
    walk(case, "S14")
    refused(case, "S15", "2023-06-25", {"should_attend": 8, "present": 10, "yes": 10}, rule="VOTE.QUORUM")
    refused(case, "S15", "2023-06-25", {"present": 12, "yes": 10}, rule="VOTE.PASS")
    refused(case, "S15", "2023-06-25", {"present": 12, "yes": 13}, rule="VOTE.FIGURES")
    event = record_step(
        case,
        "S15",
        D("2023-06-25"),
        data={"should_attend": 12, "present": 12, "yes": 10, "written_yes": 1},
        today=TODAY,
        by=SYSTEM,
    )
    assert event.data["should_attend"] == 20  # derived from the roll, not the 12 typed


def test_should_attend_is_the_roll_less_observation_and_excusals(case, roll20):
    """Domain-rules §0.1 "Should attend" (应到会有表决权的正式党员; 党章 art. 7; 选举条例 art. 5): full members
    of the branch on the meeting date, less those under 留党察看 and those recorded as excused."""
    from redengine.people.models import Membership

    walk(case, "S14")
    members = Membership.objects.filter(organization=branch(), full_on__lte=D("2023-06-25")).current()
    watched = members.order_by("pk")[0]
    Membership.objects.filter(pk=watched.pk).update(observation_from=D("2023-01-01"))
    excused = [m.person_id for m in members.exclude(pk=watched.pk).order_by("pk")[:2]]
    # 20 - 1 under 留党察看 - 2 excused = 17 should attend: 9 present is no quorum, 9 yes no majority.
    refused(case, "S15", "2023-06-25", {"present": 8, "yes": 8, "excused": excused}, rule="VOTE.QUORUM")
    event = record_step(
        case,
        "S15",
        D("2023-06-25"),
        data={"present": 10, "yes": 9, "no": 1, "excused": excused},
        today=TODAY,
        by=SYSTEM,
    )
    assert (event.data["should_attend"], event.data["excused"]) == (17, sorted(excused))


def test_a_probationary_member_does_not_count_among_those_who_should_attend(case, roll20):
    """DEV.VOTERS — 党章 art. 7: probationary members have no vote (梅溪湖李老师 is probationary)."""
    from redengine.development.lookups import voting_members

    probationary = Person.objects.get(name="梅溪湖李老师")
    org = probationary.memberships.current().get().organization
    day = D("2023-06-25")
    assert probationary.pk not in __import__(
        "redengine.development.lookups", fromlist=["BranchRolls"]
    ).BranchRolls([org]).voting(org, day)
    assert voting_members([(branch(), day)])[(branch().pk, day)] == 20


def test_dev_approval_deadline_is_flagged_late(case):
    """DEV.APPROVAL_DEADLINE — 细则 (审批时限): approval within 3 months of the branch resolution of 2023-06-25;
    one on 2023-09-26 is recorded as it happened and flagged late — the organization's own delay."""
    walk(case, "S16")
    recorded_late(
        case, "S17", "2023-09-26", {"approval_number": "1"}, rule="DEV.APPROVAL_DEADLINE", due="2023-09-25"
    )
    case.refresh_from_db()
    assert not case.has_exception


def test_dev_approval_limit_is_refused_for_everyone(case, example_user):
    """DEV.APPROVAL_LIMIT — 细则 (审批时限): no approval after 6 months, whatever the role and the reason."""
    walk(case, "S16")
    for by in [SYSTEM, example_user("yuelu_admin"), example_user("city_admin")]:
        error = refused(
            case,
            "S17",
            "2023-12-26",
            {"approval_number": "1"},
            rule="DEV.APPROVAL_LIMIT",
            by=by,
            exception_reason="党委换届推迟审批",
        )
        assert not error.violations[0].overridable
        assert "不能作为例外记录" in " ".join(error.messages)


def test_prob_length_converted_before_the_year_ends(case, roll20):
    """PROB.LENGTH — Constitution art. 7; 细则 art. 32: one year of probation (7b: 2025-06-20 → 2026-06-20)."""
    walk(case, "S22")
    data = {"should_attend": 20, "present": 16, "yes": 16, "outcome": "convert"}
    refused(case, "S23", "2024-06-24", data, rule="PROB.LENGTH")
    record_step(case, "S23", D("2024-06-25"), data=data, today=TODAY, by=SYSTEM)


def test_prob_extend_within_the_limit_and_once(case, roll20):
    """PROB.EXTEND — 细则 art. 32: extended once, 6 to 12 months (7b: 13 refused, 5 refused)."""
    walk(case, "S22")
    vote = {"should_attend": 20, "present": 16, "yes": 16, "outcome": "extend"}
    refused(case, "S23", "2024-06-26", {**vote, "extension_months": 13}, rule="PROB.EXTEND")
    refused(case, "S23", "2024-06-26", {**vote, "extension_months": 5}, rule="PROB.EXTEND")
    record_step(case, "S23", D("2024-06-26"), data={**vote, "extension_months": 6}, today=TODAY, by=SYSTEM)
    record_step(case, "S24", D("2024-07-20"), data={"approval_number": "2"}, today=TODAY, by=SYSTEM)
    case.refresh_from_db()
    assert case.probation_ends_on == D("2024-12-25")
    assert (case.next_step, case.next_earliest) == ("S23", D("2024-12-25"))
    refused(case, "S23", "2024-12-26", {**vote, "extension_months": 6}, rule="PROB.EXTEND")  # not twice
    convert = {**vote, "outcome": "convert"}
    refused(case, "S23", "2024-12-20", convert, rule="PROB.LENGTH")
    record_step(case, "S23", D("2024-12-26"), data=convert, today=TODAY, by=SYSTEM)
    record_step(case, "S24", D("2025-01-10"), data={"approval_number": "3"}, today=TODAY, by=SYSTEM)
    case.refresh_from_db()
    assert case.converted_on == D("2024-12-25")


def test_conv_approval_deadline(case, roll20):
    """CONV.APPROVAL_DEADLINE — the conversion (2024-06-26) is approved within three months: later, flagged."""
    walk(case, "S23")
    recorded_late(
        case, "S24", "2024-09-27", {"approval_number": "2"}, rule="CONV.APPROVAL_DEADLINE", due="2024-09-26"
    )


def test_conv_discussion_due_when_the_probation_ends(case, roll20):
    """CONV.DISCUSSION_DUE — 党章 art. 7; 细则 art. 32: once the admission is approved the conversion is due when
    the probation ends (2024-06-25) and the month to discuss it, even before the member's application; a
    conversion discussed later is recorded, flagged late."""
    walk(case, "S21")
    case.refresh_from_db()
    assert (case.due_step, case.next_due) == ("S23", D("2024-07-25"))
    assert case.is_overdue(D("2024-07-26"))
    record_step(case, "S22", D("2024-06-01"), today=TODAY, by=SYSTEM)
    vote = {"present": 16, "yes": 16, "outcome": "convert"}
    recorded_late(case, "S23", "2024-08-01", vote, rule="CONV.DISCUSSION_DUE", due="2024-07-25")


def test_cancelled_probation_closes_the_case_and_ends_the_membership(case, roll20):
    walk(case, "S22")
    record_step(
        case,
        "S23",
        D("2024-06-26"),
        data={"should_attend": 20, "present": 16, "yes": 11, "outcome": "cancel"},
        today=TODAY,
        by=SYSTEM,
    )
    record_step(case, "S24", D("2024-07-20"), data={"approval_number": "4"}, today=TODAY, by=SYSTEM)
    case.refresh_from_db()
    assert (case.status, case.close_reason) == ("closed", "probation_cancelled")
    case.person.refresh_from_db()
    assert case.person.political_status == "masses"
    assert not case.person.memberships.current().exists()


def test_prob_standing(case):
    """PROB.STANDING — 党章第七条、第九条；党员教育管理工作条例第二十四条: a probationary member out of contact (or
    suspended, or whose membership has ended) is not converted: the approval of the conversion (S24) is refused.
    The state is recorded by the membership app's service (more cases in membership/tests/test_status_effects.py)."""
    from redengine.core.services import Item
    from redengine.membership.services.statuses import record_status_changes

    walk(case, "S23")
    membership = case.person.memberships.current().get()
    values = {
        "membership": membership,
        "to_status": "out_of_contact",
        "date": D("2024-07-01"),
        "reason": "联系不上",
    }
    record_status_changes([Item(values)], by=SYSTEM)
    refused(case, "S24", "2024-07-20", {"approval_number": "岳教党发〔2024〕30号"}, rule="PROB.STANDING")


def test_every_rule_of_the_table_has_a_test_here():
    with open(__file__, encoding="utf-8") as source_file:
        source = source_file.read()
    for key in rules.RULES:
        assert f'"{key}"' in source or f"{key} —" in source, f"no test for {key}"


def test_refusals_are_in_chinese_with_the_rule_and_source(case):
    with pytest.raises(StepRefusedError) as info:
        record_step(case, "S03", D("2022-04-01"), today=TODAY, by=SYSTEM)
    text = info.value.messages[0]
    assert text.startswith(
        "S03 推荐和确定入党积极分子 须在以下步骤之后：S02 党组织派人谈话。步骤须在其前置步骤完成之后。"
    )
    assert "DEV." not in text  # no internal key in what users read
    assert "ORDER" not in text
    assert "《发展党员工作细则》" in text


def test_an_administrator_records_an_exception_the_text_allows_only_with_a_reason_and_scope(
    case, example_user
):
    """DEV.TRAINING_MIN — 细则 art. 17 "除个别特殊情况外": the one exception the texts allow is recorded by an
    administrator of the case's scope with a written reason, and marked as an exception."""
    walk(case, "S10")
    short = {"course": "发展对象培训班", "days": 2, "hours": 16}
    error = refused(case, "S11", "2023-05-20", short, rule="DEV.TRAINING_MIN", by=example_user("yuelu_admin"))
    assert "注明理由" in " ".join(error.messages)  # no reason given: says how to record it
    with pytest.raises(StepRefusedError) as outside:  # another district's: as if the case did not exist
        record_step(
            case,
            "S11",
            D("2023-05-20"),
            data=short,
            today=TODAY,
            by=example_user("furong_admin"),
            exception_reason="x",
        )
    assert outside.value.missing
    assert not outside.value.violations
    error = refused(
        case,
        "S11",
        "2023-05-20",
        short,
        rule="DEV.TRAINING_MIN",
        by=example_user("school_secretary"),
        exception_reason="x",
    )
    assert "区县或市级管理员" in " ".join(error.messages)  # who can help
    event = record_step(
        case,
        "S11",
        D("2023-05-20"),
        data=short,
        today=TODAY,
        by=example_user("yuelu_admin"),
        exception_reason="抗洪抢险缩短培训",
    )
    assert (event.exception_reason, event.exception_rules) == ("抗洪抢险缩短培训", "DEV.TRAINING_MIN")
    case.refresh_from_db()
    assert case.has_exception


VALIDITY_ATTEMPTS = {
    # rule: (step reached before, step, date, data) — each a condition of validity (domain-rules §0.1).
    "DEV.AGE_MIN": (None, "S01", "2025-08-31", {}),
    "DEV.ORDER": ("S01", "S03", "2022-04-01", {}),
    "DEV.MIN_ACTIVIST_PERIOD": ("S06", "S07", "2023-03-01", {}),
    "DEV.INTRODUCERS": ("S08", "S09", "2023-04-15", {"introducers": "one"}),
    "DEV.POLITICAL_REVIEW": ("S11", "S12", "2023-06-01", {}),
    "VOTE.QUORUM": ("S14", "S15", "2023-06-25", {"present": 10, "yes": 10}),
    "VOTE.PASS": ("S14", "S15", "2023-06-25", {"present": 20, "yes": 4, "no": 16}),
    "DEV.APPROVAL_LIMIT": ("S16", "S17", "2023-12-26", {"approval_number": "1"}),
    "PROB.EXTEND": (
        "S22",
        "S23",
        "2024-06-26",
        {"present": 16, "yes": 16, "outcome": "extend", "extension_months": 13},
    ),
}


@pytest.mark.parametrize("role", ["city_admin", "yuelu_admin", "school_secretary"])
@pytest.mark.parametrize("rule", sorted(VALIDITY_ATTEMPTS))
def test_no_role_overrides_a_condition_of_validity(rule, role, example_user, roll20):
    """Domain-rules §0.1: conditions of validity are refused with no override, whatever the role and reason
    (probe of the review: 4 yes votes of 20 recorded by a district administrator with a reason)."""
    before, code, day, data = VALIDITY_ATTEMPTS[rule]
    birth = "2007-09-01" if rule == "DEV.AGE_MIN" else "1996-05-20"
    case = open_case(new_applicant(birth=birth), branch(), by=SYSTEM)
    if before:
        walk(case, before)
    if rule == "DEV.POLITICAL_REVIEW":
        case.events.filter(step="S10").update(data={"conclusion": "not_qualified"})
    people = contacts()[:1] if rule == "DEV.INTRODUCERS" else None
    assert rules.RULES[rule].kind == rules.VALIDITY
    error = refused(
        case, code, day, data, rule=rule, people=people, by=example_user(role), exception_reason="特殊情况"
    )
    assert not any(v.overridable for v in error.violations)
    assert "不能作为例外记录" in " ".join(error.messages)


def test_a_structural_rule_is_never_lifted(case, example_user):
    refused(
        case, "S03", "2022-04-01", rule="DEV.ORDER", by=example_user("city_admin"), exception_reason="补录"
    )


def test_closing(case):
    walk(case, "S03")
    with pytest.raises(ValidationError):
        close_case(case, "withdrawn", D("2022-03-01"), by=SYSTEM)  # before the last step
    close_case(case, "withdrawn", D("2022-05-01"), by=SYSTEM)
    with pytest.raises(ValidationError):
        record_step(case, "S04", D("2022-05-02"), today=TODAY, by=SYSTEM)
    assert DevelopmentCase.objects.get(pk=case.pk).status == "closed"


def test_the_engine_alone_agrees_with_the_path():
    done = []
    for code, day, data in PATH:
        data = {k: ([1, 2] if k in ("contacts", "introducers") else v) for k, v in data.items()}
        assert engine.check(done, code, D(day), data, today=TODAY, lookups=AllFull()) == [], code
        done.append(engine.Done(code, D(day), data))
    assert engine.plan(done).finished


class AllFull(engine.Lookups):
    def full_members(self, person_ids, day):
        return set(person_ids)


def test_cancelling_the_probation_needs_a_passed_resolution(case, roll20):
    """VOTE.PASS — 细则第三十二条, 第二十一条; domain-rules §0.2: 0 yes votes of 20 do not cancel."""
    walk(case, upto="S22")
    vote = {"should_attend": 20, "present": 16, "yes": 0, "no": 16, "outcome": "cancel"}
    refused(case, "S23", "2024-06-26", vote, rule="VOTE.PASS")


def test_the_probation_is_cancelled_at_any_time_without_the_conversion_application(case, roll20):
    """细则第三十二条: a serious breach cancels the probation at any time of it, with no application (S22)."""
    walk(case, upto="S20")
    vote = {"should_attend": 20, "present": 16, "yes": 11, "no": 5, "outcome": "cancel"}
    record_step(case, "S23", D("2023-12-01"), data=vote, today=TODAY, by=SYSTEM)
    assert case.events.filter(step="S23").exists()
    assert not case.events.filter(step="S22").exists()
