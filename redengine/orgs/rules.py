"""Rules of organization set-up, as data (domain-rules.md §2). Each row cites its source.

The code reads these tables; tests walk them. Values marked LOCAL or UNCONFIRMED in the fact sheet
are defaults a deployment may change here.
"""

from .choices import OrgType

# ORG.TERM_DEFAULT — 《关于党的基层组织任期的意见》(2018): primary committees 5 years; general-branch and
# branch committees 3 years (Party Constitution art. 31 allows 3 to 5). Temporary branches hold no election.
TERM_YEARS = {
    OrgType.WORKING_COMMITTEE: 5,
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
# BR.SETUP (支部工作条例 art. 4): a branch normally has at most 50 members.
BRANCH_MAX_MEMBERS = 50
# BR.JOINT (art. 5) says a joint branch covers at most 5 units; a Hunan private-school rule says 6
# (PRIV.JOINT_CAP, conflict noted in domain-rules §2.5): default 5.
JOINT_BRANCH_MAX_UNITS = 5


def term_years(org_type, override=None):
    """The term of an organization of this type, in years (None: no elections)."""
    return override or TERM_YEARS.get(org_type)


def election_due(org_type, last_election_on, founded_on, override=None):
    """The date the current term ends: the last election (or, before any, the founding) plus the term."""
    years = term_years(org_type, override)
    start = last_election_on or founded_on
    if years is None or start is None:
        return None
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)
