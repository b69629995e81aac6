"""Rules of organization set-up, as data (domain-rules.md §2). Each row cites its source.

The code reads these tables; tests walk them. Values marked LOCAL or UNCONFIRMED in the fact sheet
are defaults a deployment may change here.
"""

from .choices import OrgType

# ORG.TERM_DEFAULT — 《关于党的基层组织任期的意见》(2018): primary committees 5 years; general-branch and
# branch committees 3 years (Party Constitution art. 31 allows 3 to 5). Temporary branches hold no election;
# nor does a working committee (党工委): a body the party committee dispatches, not one its members elect
# (domain-rules §0.2), so it has no term and is never "election due".
TERM_YEARS = {
    OrgType.WORKING_COMMITTEE: None,
    OrgType.COMMITTEE: 5,
    OrgType.GENERAL_BRANCH: 3,
    OrgType.BRANCH: 3,
    OrgType.JOINT_BRANCH: 3,
    OrgType.TEMPORARY_BRANCH: None,
}

# ORG.MIN_FORMAL (Constitution art. 30) and SCH.MIN (中组部、教育部党组 2016): a school with 3 or more full
# members sets up an organization of its own.
OWN_ORGANIZATION_FROM = 3
# BR.COMMITTEE (支部工作条例 2018, ch. 6): a branch with 7 or more full members elects a branch committee.
BRANCH_COMMITTEE_FROM = 7
# ORG.GENERAL_BRANCH: 50–100 members → general branch (机关基层组织工作条例 art. 6; school standard, LOCAL).
GENERAL_BRANCH_FROM = 50
# ORG.COMMITTEE: 100 or more members → primary committee (机关基层组织工作条例 art. 5).
COMMITTEE_FROM = 100
# BR.SETUP (支部工作条例 art. 4): a branch normally has at most 50 members, probationary members included
# (domain-rules §0.2): the advice counts every member, not only the full ones.
BRANCH_MAX_MEMBERS = 50
# BR.JOINT (art. 5) says a joint branch covers at most 5 units; a Hunan private-school rule says 6
# (PRIV.JOINT_CAP, conflict noted in domain-rules §2.5): default 5.
JOINT_BRANCH_MAX_UNITS = 5
# ORG.TERM_CHANGE (《关于党的基层组织任期的意见》2018; 基层组织选举工作条例 2020 art. 3): an election may be
# postponed with the superior organization's approval, normally by at most one year.
POSTPONE_MAX_YEARS = 1

# DEV.INDIVIDUAL (党章 art. 5; 细则 art. 21): admission passes through a branch. Only a branch or a joint
# branch opens a development case; a temporary branch (临时党支部) does not admit members, nor does a
# general branch or a committee.
ADMITTING_TYPES = (OrgType.BRANCH, OrgType.JOINT_BRANCH)
# DEV.APPROVER ([S12], 12371.cn citing 细则): a primary-level committee (基层党委) with approval authority
# approves; a general branch never does. Committees hold the authority unless an administrator marks one
# that does not (``approves_admissions``). The working committee (党工委) approves for the branches placed
# directly under it — LOCAL practice of education work committees, not in the central text: remove it here
# where it does not apply.
APPROVER_TYPES = (OrgType.COMMITTEE, OrgType.WORKING_COMMITTEE)


def term_years(org_type, override=None):
    """The term of an organization of this type, in years (None: no elections)."""
    return override or TERM_YEARS.get(org_type)


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term_end(org_type, last_election_on, founded_on, override=None):
    """The date the current term ends: the last election (or, before any, the founding) plus the term."""
    years = term_years(org_type, override)
    start = last_election_on or founded_on
    if years is None or start is None:
        return None
    return add_years(start, years)


def postponement_limit(term_ends_on):
    """The latest date an approved postponement may move the election to (ORG.TERM_CHANGE)."""
    return add_years(term_ends_on, POSTPONE_MAX_YEARS)


def election_due(org_type, last_election_on, founded_on, override=None, postponed_to=None):
    """When the next election is due: the end of the term or, when a postponement of this term's election
    was approved, the date it was postponed to (at most a year later; the model refuses more)."""
    due = term_end(org_type, last_election_on, founded_on, override)
    if due is not None and postponed_to is not None and postponed_to > due:
        return postponed_to
    return due
