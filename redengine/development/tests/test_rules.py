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

from .helpers import PATH, TODAY, D, branch, contacts, new_applicant, step_data, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    return open_case(new_applicant(), branch(), by=SYSTEM)


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
    assert rules.RULES[rule].source in text  # the refusal quotes the rule's source
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
    refused(case, "S02", "2025-04-11", rule="DEV.TALK_DEADLINE")
    record_step(case, "S02", D("2025-04-10"), today=TODAY, by=SYSTEM)


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
    """DEV.ASSESSMENT_INTERVAL — 细则 art. 11: the branch assesses an activist at least every half year."""
    walk(case, "S05")
    case.refresh_from_db()
    assert (case.due_step, case.next_due) == ("S06", D("2022-10-01"))
    refused(case, "S06", "2022-10-02", {"assessment": "迟到的考察"}, rule="DEV.ASSESSMENT_INTERVAL")


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


def test_dev_political_review(case):
    """DEV.POLITICAL_REVIEW — 细则 art. 16: no review that qualifies, no development."""
    walk(case, "S09")
    record_step(case, "S10", D("2023-05-10"), data={"conclusion": "not_qualified"}, today=TODAY, by=SYSTEM)
    record_step(case, "S11", D("2023-05-20"), data={"days": 3, "hours": 24}, today=TODAY, by=SYSTEM)
    refused(case, "S12", "2023-06-01", rule="DEV.POLITICAL_REVIEW")


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


def test_vote_quorum_and_majority_7b_examples(case):
    """VOTE.QUORUM, VOTE.PASS — 细则 arts. 20–21; 支部工作条例 art. 11; worked examples of domain-rules §7b."""
    walk(case, "S14")
    refused(case, "S15", "2023-06-25", {"should_attend": 20, "present": 10, "yes": 10}, rule="VOTE.QUORUM")
    refused(case, "S15", "2023-06-25", {"should_attend": 20, "present": 12, "yes": 10}, rule="VOTE.PASS")
    refused(case, "S15", "2023-06-25", {"should_attend": 20, "present": 12, "yes": 13}, rule="VOTE.FIGURES")
    record_step(
        case,
        "S15",
        D("2023-06-25"),
        data={"should_attend": 20, "present": 12, "yes": 10, "written_yes": 1},
        today=TODAY,
        by=SYSTEM,
    )


def test_dev_approval_deadline_and_its_hard_limit(case, example_user):
    """DEV.APPROVAL_DEADLINE — approval within 3 months of the branch resolution, never after 6."""
    walk(case, "S16")
    refused(case, "S17", "2023-09-26", {"approval_number": "1"}, rule="DEV.APPROVAL_DEADLINE")  # > 3 months
    admin = example_user("yuelu_admin")
    violation = refused(
        case,
        "S17",
        "2023-12-26",
        {"approval_number": "1"},
        rule="DEV.APPROVAL_DEADLINE",
        by=admin,
        exception_reason="党委换届推迟审批",
    )
    assert not violation.violations[0].overridable  # past six months no reason lifts it
    event = record_step(
        case,
        "S17",
        D("2023-10-20"),
        data={"approval_number": "1"},
        today=TODAY,
        by=admin,
        exception_reason="党委换届推迟审批",
    )
    assert event.exception_rules == "DEV.APPROVAL_DEADLINE"
    case.refresh_from_db()
    assert case.has_exception


def test_prob_length_converted_before_the_year_ends(case):
    """PROB.LENGTH — Constitution art. 7; 细则 art. 32: one year of probation (7b: 2025-06-20 → 2026-06-20)."""
    walk(case, "S22")
    data = {"should_attend": 20, "present": 16, "yes": 16, "outcome": "convert"}
    refused(case, "S23", "2024-06-24", data, rule="PROB.LENGTH")
    record_step(case, "S23", D("2024-06-25"), data=data, today=TODAY, by=SYSTEM)


def test_prob_extend_within_the_limit_and_once(case):
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


def test_conv_approval_deadline(case):
    """CONV.APPROVAL_DEADLINE — the conversion is approved within three months."""
    walk(case, "S23")
    refused(case, "S24", "2024-09-27", {"approval_number": "2"}, rule="CONV.APPROVAL_DEADLINE")


def test_cancelled_probation_closes_the_case_and_ends_the_membership(case):
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


def test_every_rule_of_the_table_has_a_test_here():
    with open(__file__, encoding="utf-8") as source_file:
        source = source_file.read()
    for key in rules.RULES:
        assert f'"{key}"' in source or f"{key} —" in source, f"no test for {key}"


def test_refusals_are_in_chinese_with_the_rule_and_source(case):
    with pytest.raises(StepRefusedError) as info:
        record_step(case, "S03", D("2022-04-01"), today=TODAY, by=SYSTEM)
    text = info.value.messages[0]
    assert text.startswith("S03 须在以下步骤之后：S02 党组织派人谈话。步骤须在其前置步骤完成之后。")
    assert "DEV.ORDER" in text
    assert "《发展党员工作细则》" in text


def test_an_administrator_lifts_a_rule_only_with_a_reason_and_scope(case, example_user):
    walk(case, "S01")
    late = "2022-02-20"
    refused(case, "S02", late, rule="DEV.TALK_DEADLINE", by=example_user("yuelu_admin"))  # no reason
    with pytest.raises(StepRefusedError) as outside:  # another district's: as if the case did not exist
        record_step(case, "S02", D(late), today=TODAY, by=example_user("furong_admin"), exception_reason="x")
    assert outside.value.missing
    assert not outside.value.violations
    refused(
        case, "S02", late, rule="DEV.TALK_DEADLINE", by=example_user("school_secretary"), exception_reason="x"
    )
    event = record_step(
        case, "S02", D(late), today=TODAY, by=example_user("yuelu_admin"), exception_reason="书记病假"
    )
    assert (event.exception_reason, event.exception_rules) == ("书记病假", "DEV.TALK_DEADLINE")


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


def test_cancelling_the_probation_needs_a_passed_resolution(case):
    """VOTE.PASS — 细则第三十二条, 第二十一条; domain-rules §0.2: 0 yes votes of 20 do not cancel."""
    walk(case, upto="S22")
    vote = {"should_attend": 20, "present": 16, "yes": 0, "no": 16, "outcome": "cancel"}
    refused(case, "S23", "2024-06-26", vote, rule="VOTE.PASS")


def test_the_probation_is_cancelled_at_any_time_without_the_conversion_application(case):
    """细则第三十二条: a serious breach cancels the probation at any time of it, with no application (S22)."""
    walk(case, upto="S20")
    vote = {"should_attend": 20, "present": 16, "yes": 11, "no": 5, "outcome": "cancel"}
    record_step(case, "S23", D("2023-12-01"), data=vote, today=TODAY, by=SYSTEM)
    assert case.events.filter(step="S23").exists()
    assert not case.events.filter(step="S22").exists()
