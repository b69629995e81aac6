"""Admission passes through a branch and is approved by a committee with the authority (DEV.APPROVER).

Sources: 党章 art. 5 and 细则 art. 21 (admission is individual and passes through a branch); [S12], the
12371.cn answer citing the 细则: only a primary-level committee with approval authority approves, a
general branch never does (domain-rules §1.1, DEV.APPROVER).
"""

import re

import pytest

from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError
from redengine.development import services
from redengine.development.models import DevelopmentCase
from redengine.orgs import services as org_services
from redengine.orgs.models import PartyOrganization

from .helpers import BRANCH, TODAY, new_applicant, walk

RULE_KEY = re.compile(r"\b[A-Z]{2,}\.[A-Z_]{2,}\b")


def org(code):
    return PartyOrganization.objects.get(code=code)


def new_org(code, org_type, parent, **values):
    values = {"code": code, "name": f"测试{code}", "org_type": org_type, "parent": org(parent), **values}
    return org_services.save_organizations([Item(values)], by=SYSTEM)[0]


def mark(code, approves):
    return org_services.save_organizations(
        [Item({"approves_admissions": approves}, instance=org(code))], by=SYSTEM
    )[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("org_type", "words"),
    [
        ("temporary_branch", "临时党支部，不发展党员"),
        ("general_branch", "党总支：发展党员必须经过党的支部"),
        ("committee", "党委：发展党员必须经过党的支部"),
    ],
)
def test_a_case_opens_only_in_a_branch_or_a_joint_branch(org_type, words):
    """党章 art. 5; 细则 art. 21: admission passes through a branch. A temporary branch does not admit
    members; a general branch or a committee is not where a case opens. Refused with a plain message
    naming the organization and citing the text, no internal key; nothing written."""
    place = new_org(f"T-{org_type}", org_type, "CS430104-02")
    person = new_applicant()
    before = DevelopmentCase.objects.count()
    with pytest.raises(RefusedError) as refused:
        services.open_case(person, place, by=SYSTEM)
    message = refused.value.by_field()["organization"][0]
    assert words in message
    assert place.name in message
    if org_type != "temporary_branch":
        assert "《中国共产党章程》第五条" in message
        assert "《中国共产党发展党员工作细则》第二十一条" in message
    assert not RULE_KEY.search(message)
    assert DevelopmentCase.objects.count() == before


@pytest.mark.django_db
def test_a_case_in_a_branch_records_the_nearest_committee_above_it():
    """DEV.APPROVER: by default the nearest committee above the branch approves (梅溪湖中学's committee
    above its branch); a joint branch opens cases too."""
    case = services.open_case(new_applicant(), org(BRANCH), by=SYSTEM)
    assert DevelopmentCase.objects.get(pk=case.pk).approver.code == "CS430104-02"
    joint = new_org("T-JOINT", "joint_branch", "CS430104")
    other = services.open_case(new_applicant(name="联合支部申请人"), joint, by=SYSTEM)
    assert other.approver.code == "CS430104"


@pytest.mark.django_db
def test_a_general_branch_never_approves_and_a_committee_marked_without_authority_is_passed_over():
    """[S12]: a general branch (党总支) only reviews; a committee without approval authority (e.g. one under a
    township committee) does not approve: the committee above it does."""
    general = new_org("T-GEN", "general_branch", "CS430104-02")
    branch = new_org("T-GEN-1", "branch", "T-GEN")
    case = services.open_case(new_applicant(), branch, by=SYSTEM)
    assert general.approves_admissions  # the field's default, without effect on a general branch
    assert case.approver.code == "CS430104-02"
    mark("CS430104-02", False)
    later = services.open_case(new_applicant(name="另一申请人"), org(BRANCH), by=SYSTEM)
    assert later.approver.code == "CS430104"  # 岳麓区's bureau committee


@pytest.mark.django_db
def test_the_approval_is_refused_when_no_committee_above_has_the_authority():
    """DEV.APPROVER is a condition of validity: with no committee above the branch holding the authority the
    approval (S17) is refused, saying who can help; with one marked again, it is recorded and the case
    records that committee."""
    case = walk(services.open_case(new_applicant(), org(BRANCH), by=SYSTEM), upto="S16")
    for code in ("CS430104-02", "CS430104", "CS0001"):
        mark(code, False)
    with pytest.raises(RefusedError) as refused:
        walk_s17(case)
    message = " ".join(str(p.message) for p in refused.value.problems)
    assert "上级中没有具有发展党员审批权的党委" in message
    assert "市级或区县管理员" in message
    assert not RULE_KEY.search(message)
    assert not case.events.filter(step="S17").exists()
    mark("CS430104", True)
    walk_s17(case)
    case.refresh_from_db()
    assert case.last_step == "S17"
    assert case.approver.code == "CS430104"


def walk_s17(case):
    from .helpers import PATH, D, step_data

    code, day, data = next(step for step in PATH if step[0] == "S17")
    services.record_step(case, code, D(day), data=step_data(code, data), today=TODAY, by=SYSTEM)


@pytest.mark.django_db
def test_the_case_page_shows_the_approving_committee(client_for):
    case = services.open_case(new_applicant(), org(BRANCH), by=SYSTEM)
    page = client_for("school_secretary").get(case.get_absolute_url()).content.decode()
    shown = re.search(r'id="case-approver">([^<]*)<', page).group(1)
    assert shown == "审批党委：中共岳麓区梅溪湖中学委员会"
