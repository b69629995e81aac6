"""Coverage analysis (应建尽建): the gaps of the coverage rule, and advice on organizations' form and terms."""

from collections import defaultdict

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.orgs import rules
from redengine.orgs.choices import OrgType
from redengine.orgs.metrics import existing_at
from redengine.orgs.models import PartyOrganization
from redengine.people.metrics import coverage_gaps_rows, gap_reason
from redengine.people.models import Membership

BRANCHES = [OrgType.BRANCH, OrgType.JOINT_BRANCH]


def gaps(scope, period):
    return [{**row, "reason": gap_reason(row)} for row in coverage_gaps_rows(scope, period)]


def members_by_subtree(scope, day, full_only=False):
    """Members at ``day`` (probationary included, or only the full ones) of every organization's whole
    subtree, as {path: count}.

    One grouped query (members per organization), then each count is added to the organization's
    ancestors by cutting its path: no query per organization, whatever the size of the tree.
    """
    members = Membership.objects.full_members_at(day) if full_only else Membership.objects.members_at(day)
    per_org = (
        members.filter(organization__path__startswith=scope.path)
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


def full_members_by_subtree(scope, day):
    """Full members at ``day`` of every organization's whole subtree, as {path: count}."""
    return members_by_subtree(scope, day, full_only=True)


def form_advice(scope, period):
    """Organizations whose size calls for another form (domain-rules §2.2–2.3, §0.2); advice, never a refusal.

    The size of a branch, and the thresholds of a general branch and a committee, count every member,
    probationary included (支部工作条例 art. 4: 党员 — domain-rules §0.2); the branch committee counts full
    members (正式党员, ch. 6). A joint branch covering more units than the parameter allows is advised too.
    """
    advice = []
    day = period.end
    members = members_by_subtree(scope, day)
    full = full_members_by_subtree(scope, day)
    units = dict(
        existing_at(day, scope)
        .filter(org_type=OrgType.JOINT_BRANCH)
        .annotate(n=Count("schools", distinct=True))
        .filter(n__gt=rules.JOINT_BRANCH_MAX_UNITS)
        .values_list("path", "n")
    )
    wanted = {path for path, n in members.items() if n >= rules.GENERAL_BRANCH_FROM}
    wanted |= {path for path, n in full.items() if n >= rules.BRANCH_COMMITTEE_FROM}
    wanted |= set(units)
    for org in existing_at(day, scope).filter(path__in=wanted).order_by("path"):
        texts = []
        n, f = members[org.path], full[org.path]
        if org.org_type in BRANCHES and n > rules.BRANCH_MAX_MEMBERS:
            texts.append(
                _(
                    "%(n)s members, probationary included: a branch normally has at most %(max)s; split it "
                    "or form a general branch (Branch Regulations art. 4)."
                )
                % {"n": n, "max": rules.BRANCH_MAX_MEMBERS}
            )
        elif org.org_type not in (OrgType.COMMITTEE, OrgType.WORKING_COMMITTEE) and n >= rules.COMMITTEE_FROM:
            texts.append(
                _(
                    "%(n)s members, probationary included: %(min)s or more call for a primary committee "
                    "(Regulations on party organizations in state organs, art. 5)."
                )
                % {"n": n, "min": rules.COMMITTEE_FROM}
            )
        elif org.org_type in BRANCHES and n >= rules.GENERAL_BRANCH_FROM:
            texts.append(
                _(
                    "%(n)s members, probationary included: %(min)s or more call for a general branch "
                    "(Regulations on party organizations in state organs, art. 6)."
                )
                % {"n": n, "min": rules.GENERAL_BRANCH_FROM}
            )
        elif org.org_type in BRANCHES and f >= rules.BRANCH_COMMITTEE_FROM:
            texts.append(
                _(
                    "%(n)s full members: a branch with %(min)s or more elects a branch committee of 3 to 5 "
                    "members (Branch Regulations, chapter 6)."
                )
                % {"n": f, "min": rules.BRANCH_COMMITTEE_FROM}
            )
        if org.path in units:
            texts.append(
                _(
                    "It covers %(n)s units: a joint branch normally covers at most %(max)s; form another "
                    "joint branch or a branch of its own for some of them (Branch Regulations art. 5)."
                )
                % {"n": units[org.path], "max": rules.JOINT_BRANCH_MAX_UNITS}
            )
        for text in texts:
            advice.append({"organization": org, "full": f, "members": n, "advice": text})
    return advice


def elections_due(scope, period):
    return existing_at(period.end, scope).filter(election_due_on__lte=period.end).order_by("election_due_on")


# The coverage page's items: one list of every kind, each row naming its district, so that the page can
# count them per district, filter, sort (district, then school or organization) and page them.
GAP, ADVICE, ELECTION = "gap", "advice", "election"
KINDS = [
    (GAP, gettext_lazy("Coverage gaps")),
    (ADVICE, gettext_lazy("Advice on form")),
    (ELECTION, gettext_lazy("Elections due")),
]


def district_of_paths(paths):
    """{path: district code} for organizations: the district of the bureau organization above each (one
    query); an organization under no district bureau is the city's own (市直)."""
    step = PartyOrganization.steplen
    bureaus = dict(PartyOrganization.objects.exclude(district="").values_list("path", "district"))
    root_district = next((d for p, d in bureaus.items() if len(p) == step), CITY_DISTRICT)
    return {p: bureaus.get(p[: 2 * step], root_district) for p in paths}


CITY_DISTRICT = "430100"


def items(scope, period):
    """Every item of the coverage analysis of ``scope`` for ``period``, sorted by district, then code: dicts
    of kind, district, code, name, text and url. A bounded number of queries, whatever the number of rows."""
    rows = [
        {
            "kind": GAP,
            "district": g["district"],
            "code": g["code"],
            "name": g["name"],
            "text": g["reason"],
            "url": reverse("orgs:school_detail", args=[g["pk"]]),
        }
        for g in gaps(scope, period)
    ]
    organizations = [(ADVICE, a["organization"], a["advice"]) for a in form_advice(scope, period)]
    organizations += [
        (ELECTION, o, _("term ended %(day)s") % {"day": o.election_due_on.isoformat()})
        for o in elections_due(scope, period)
    ]
    districts = district_of_paths({o.path for _kind, o, _text in organizations})
    rows += [
        {
            "kind": kind,
            "district": districts[o.path],
            "code": o.code,
            "name": o.name,
            "text": text,
            "url": o.get_absolute_url(),
        }
        for kind, o, text in organizations
    ]
    order = {kind: i for i, (kind, _label) in enumerate(KINDS)}
    rows.sort(key=lambda r: (r["district"], r["code"], order[r["kind"]]))
    return rows


def by_district(rows):
    """[(district, {kind: n}, total)] in the order of the district codes, and the totals per kind."""
    counts = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[row["district"]][row["kind"]] += 1
    table = [
        (district, [counts[district][kind] for kind, _l in KINDS], sum(counts[district].values()))
        for district in sorted(counts)
    ]
    totals = [sum(c[kind] for c in counts.values()) for kind, _l in KINDS]
    return table, totals
