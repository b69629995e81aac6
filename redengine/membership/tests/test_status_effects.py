"""The effects of a membership's state in member development (domain-rules §3.3; 党章第七条、第九条): a
probationary member who is suspended or out of contact, or whose membership has ended (removed, left,
expelled…), is not converted to full membership — the approval of the conversion (S24) is refused, naming
the rule and its source, nothing written; a suspended member (停止党籍: no rights) is not among the voting
members who should attend a branch general meeting, nor an introducer. The states are recorded through
``record_status_changes``, as the pages do."""

import pytest

from redengine.core.models import ObjectChange
from redengine.core.writes import SYSTEM
from redengine.development.lookups import voting_members
from redengine.development.models import DevelopmentEvent
from redengine.development.services import StepRefusedError, open_case, record_step
from redengine.development.tests.helpers import (
    TODAY,
    assert_rule_said,
    branch,
    new_applicant,
    step_data,
    walk,
)
from redengine.people.models import Membership

from .status_helpers import D, change, membership_of, refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def converting():
    """A probationary member whose branch has voted the conversion (S23, 2024-06-26)."""
    case = open_case(new_applicant(name="转正待批老师"), branch(), by=SYSTEM)
    walk(case, "S23")
    return case


def approve(case):
    return record_step(
        case, "S24", D("2024-07-20"), data={"approval_number": "岳教党发〔2024〕30号"}, today=TODAY, by=SYSTEM
    )


def refused_conversion(case):
    events, changes = DevelopmentEvent.objects.count(), ObjectChange.objects.count()
    with pytest.raises(StepRefusedError) as info:
        approve(case)
    assert "PROB.STANDING" in {v.rule for v in info.value.violations}
    assert (DevelopmentEvent.objects.count(), ObjectChange.objects.count()) == (events, changes)
    text = " ".join(info.value.messages)
    assert_rule_said("PROB.STANDING", text)
    return text


def test_a_member_in_good_standing_is_converted(converting):
    approve(converting)
    membership = Membership.objects.get(person=converting.person)
    assert membership.full_on == D("2024-06-25")


@pytest.mark.parametrize("state", ["out_of_contact", "suspended"])
def test_a_member_not_in_good_standing_is_not_converted(converting, state):
    m = membership_of(converting.person.name)
    change(m, "out_of_contact", "2024-03-01")
    if state == "suspended":
        change(refresh(m), "suspended", "2024-07-01")
    text = refused_conversion(converting)
    assert "2024-0" in text
    assert "停止党籍" in text or "失联" in text
    assert Membership.objects.get(pk=m.pk).full_on is None


@pytest.mark.parametrize("state", ["removed", "left"])
def test_a_removed_member_is_not_converted(converting, state):
    m = membership_of(converting.person.name)
    change(m, state, "2024-07-01")
    text = refused_conversion(converting)
    assert "2024-07-01" in text
    assert not Membership.objects.filter(person=converting.person, ended_on__isnull=True).exists()


def test_a_state_that_began_after_the_approval_does_not_refuse_it(converting):
    """The approval is judged on its own day: out of contact only from the day after, it stands."""
    m = membership_of(converting.person.name)
    change(m, "out_of_contact", "2024-07-21")
    approve(converting)
    assert Membership.objects.get(pk=m.pk).full_on == D("2024-06-25")


def test_a_suspended_member_does_not_count_among_those_who_should_attend():
    m = membership_of("梅溪湖张老师")
    org, day = m.organization, D("2025-06-10")
    before = voting_members([(org, day)])[(org.pk, day)]
    change(m, "out_of_contact", "2024-10-01")
    assert voting_members([(org, day)])[(org.pk, day)] == before  # out of contact: still a member who votes
    change(refresh(m), "suspended", "2025-05-01")
    assert voting_members([(org, day)])[(org.pk, day)] == before - 1
    assert voting_members([(org, D("2025-04-30"))])[(org.pk, D("2025-04-30"))] == before  # not yet suspended


def test_a_suspended_member_is_no_introducer():
    case = open_case(new_applicant(name="介绍人停籍老师"), branch(), by=SYSTEM)
    walk(case, "S08")
    zhang = membership_of("梅溪湖张老师")
    change(zhang, "out_of_contact", "2022-05-01")
    change(refresh(zhang), "suspended", "2023-01-10")
    with pytest.raises(StepRefusedError) as info:
        record_step(
            case, "S09", D("2023-04-15"), data=step_data("S09", {"introducers": "x"}), today=TODAY, by=SYSTEM
        )
    assert "DEV.INTRODUCERS" in {v.rule for v in info.value.violations}
