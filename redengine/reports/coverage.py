"""Coverage analysis (应建尽建): the gaps of the coverage rule, and advice on organizations' form and terms."""

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext as _

from redengine.orgs import rules
from redengine.orgs.choices import OrgType
from redengine.orgs.metrics import existing_at
from redengine.orgs.models import PartyOrganization
from redengine.people.metrics import coverage_gaps_rows, gap_reason
from redengine.people.models import Membership

BRANCHES = [OrgType.BRANCH, OrgType.JOINT_BRANCH]


def gaps(scope, period):
    return [{**row, "reason": gap_reason(row)} for row in coverage_gaps_rows(scope, period)]


def full_members_by_subtree(scope, day):
    """Full members at ``day`` of every organization's whole subtree, as {path: count}.

    One grouped query (full members per organization), then each count is added to the organization's
    ancestors by cutting its path: no query per organization, whatever the size of the tree.
    """
    per_org = (
        Membership.objects.full_members_at(day)
        .filter(organization__path__startswith=scope.path)
        .order_by()
        .values_list("organization__path")
        .annotate(n=Count("person", distinct=True))
    )
    step = PartyOrganization.steplen
    totals = defaultdict(int)
    for path, n in per_org:
        for end in range(len(scope.path), len(path) + 1, step):
            totals[path[:end]] += n
    return totals


def form_advice(scope, period):
    """Organizations whose size calls for another form (domain-rules §2.2–2.3); advice, not gaps."""
    advice = []
    totals = full_members_by_subtree(scope, period.end)
    large = [path for path, n in totals.items() if n >= rules.BRANCH_COMMITTEE_FROM]
    for org in existing_at(period.end, scope).filter(path__in=large).order_by("path"):
        n = totals[org.path]
        if org.org_type in BRANCHES and n > rules.BRANCH_MAX_MEMBERS:
            text = _(
                "%(n)s full members: a branch normally has at most %(max)s; split it or form a general "
                "branch (BR.SETUP, ORG.GENERAL_BRANCH)."
            ) % {"n": n, "max": rules.BRANCH_MAX_MEMBERS}
        elif (
            org.org_type != OrgType.COMMITTEE
            and org.org_type != OrgType.WORKING_COMMITTEE
            and n >= rules.COMMITTEE_FROM
        ):
            text = _("%(n)s full members: %(min)s or more call for a primary committee (ORG.COMMITTEE).") % {
                "n": n,
                "min": rules.COMMITTEE_FROM,
            }
        elif org.org_type in BRANCHES and n >= rules.GENERAL_BRANCH_FROM:
            text = _(
                "%(n)s full members: %(min)s or more call for a general branch (ORG.GENERAL_BRANCH)."
            ) % {"n": n, "min": rules.GENERAL_BRANCH_FROM}
        elif org.org_type in BRANCHES:
            text = _(
                "%(n)s full members: a branch with %(min)s or more elects a branch committee of 3 to 5 "
                "members (BR.COMMITTEE)."
            ) % {"n": n, "min": rules.BRANCH_COMMITTEE_FROM}
        else:
            continue
        advice.append({"organization": org, "full": n, "advice": text})
    return advice


def elections_due(scope, period):
    return existing_at(period.end, scope).filter(election_due_on__lte=period.end).order_by("election_due_on")
