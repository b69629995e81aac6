"""An independent reading of metrics.md, for the metric tests: records built with the real services, and
every figure counted again by brute force in plain Python.

The brute force never uses a path prefix, an annotation or an aggregate: it walks the tree one node at
a time (``get_children``, ``get_parent``), reads every school, person, membership, title, dispatch,
grant and affiliation change with plain queries, and applies the definitions of metrics.md literally.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import translation

from redengine.core.metrics import Period, compute_all
from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM
from redengine.orgs import services as org_services
from redengine.orgs.models import AffiliationChange, PartyOrganization, School, StartupGrant
from redengine.people import services as people_services
from redengine.people.models import Dispatch, Honor, Membership, Person

ROOT = "CS0001"
D2019 = "2019-12-31"

# The metrics that this reading covers: every metric the orgs and people apps register.
BACKBONE = {"backbone_teacher", "excellent_teacher"}
PRINCIPALS = {"chief_principal", "famous_principal"}
STUDIO = {"studio_trainee"}
CHECKED = [
    "orgs.coverage",
    "orgs.coverage_gaps",
    "orgs.elections_due",
    "orgs.received",
    "orgs.school_orgs",
    "private.dispatched",
    "private.new_orgs",
    "private.startup_funds",
    "cultivation.member_share.backbone",
    "cultivation.member_share.principals",
    "cultivation.member_share.studio",
]

# Terms of office (《关于党的基层组织任期的意见》, 2018): committees 5 years, general branches and branches 3,
# temporary branches and working committees hold no election. Written out here rather than read from orgs.rules.
TERMS = {
    "working_committee": None,  # dispatched, not elected: no term (domain-rules §0.2)
    "committee": 5,
    "general_branch": 3,
    "branch": 3,
    "joint_branch": 3,
    "temporary_branch": None,
}
OWN_FROM = 3  # ORG.MIN_FORMAL / SCH.MIN: three full members need an organization of their own

# Words of each gap reason (English), by the kind of gap the coverage rule finds.
REASON_WORDS = {
    "joint_only": "covered only by a joint branch",
    "none_own": "no party organization: 3 or more need an organization of its own",
    "none_small": "no party organization: join or form a joint branch",
    "private": "no instructor dispatched",
    "probationary_only": "probationary members only and no party organization",
}


def day(text):
    return datetime.date.fromisoformat(text)


def plus_years(date, years):
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return date.replace(year=date.year + years, day=28)


class Records:
    """Builds organizations, schools, people and their records with the real services, acting for the whole
    tree. Codes carry a prefix and a 99… school code so that they never meet the demo's."""

    BIRTH = datetime.date(1960, 1, 1)

    def __init__(self, prefix="T"):
        self.prefix = prefix
        self.count = 0

    def next(self):
        self.count += 1
        return self.count

    def school(self, key, *, ownership="public", district="430121"):
        n = self.next()
        values = {
            "code": f"99{n:08d}",
            "name": f"测试学校{self.prefix}{key}",
            "district": district,
            "ownership": ownership,
            "school_type": "primary",
            "urban_rural": "urban",
        }
        return org_services.save_schools([Item(values)], by=SYSTEM)[0]

    def org(
        self,
        key,
        parent=None,
        *,
        org_type="branch",
        founded=None,
        schools=(),
        district="",
        last_election=None,
        term_years=None,
    ):
        parent = parent or PartyOrganization.objects.get(code=ROOT)
        if district:
            self.free_district(district)
        values = {
            "code": f"{self.prefix}-{key}",
            "name": f"测试党组织{self.prefix}{key}",
            "org_type": org_type,
            "founded_on": founded,
            "district": district,
            "last_election_on": last_election,
            "term_years": term_years,
            "parent": PartyOrganization.objects.get(pk=parent.pk),
            "schools": list(schools),
        }
        return org_services.save_organizations([Item(values)], by=SYSTEM)[0]

    def cover(self, org, schools):
        """``org`` covers ``schools`` (and no others) from now on."""
        org = PartyOrganization.objects.get(pk=org.pk)
        org_services.save_organizations([Item({"schools": list(schools)}, instance=org)], by=SYSTEM)

    def receive(self, key, parent, *, changed_on, founded=None, org_type="branch", schools=()):
        reception = org_services.Reception(
            parent=PartyOrganization.objects.get(pk=parent.pk),
            old_parent_name="某街道党工委",
            changed_on=changed_on,
            values={
                "code": f"{self.prefix}-{key}",
                "name": f"测试接收党组织{self.prefix}{key}",
                "org_type": org_type,
                "founded_on": founded,
                "schools": list(schools),
            },
        )
        return org_services.receive_organizations([reception], by=SYSTEM)[0]

    def move(self, org, new_parent, *, changed_on):
        move = org_services.Move(
            PartyOrganization.objects.get(pk=org.pk),
            PartyOrganization.objects.get(pk=new_parent.pk),
            changed_on,
        )
        return org_services.change_affiliation([move], by=SYSTEM)[0]

    @staticmethod
    def free_district(district):
        """The district's organization changes hands (one per district): the demo's gives it up."""
        for org in PartyOrganization.objects.filter(district=district):
            org_services.save_organizations([Item({"district": ""}, instance=org)], by=SYSTEM)

    def claim_district(self, org, district):
        self.free_district(district)
        org = PartyOrganization.objects.get(pk=org.pk)
        org_services.save_organizations([Item({"district": district}, instance=org)], by=SYSTEM)

    def person(self, school, *, memberships=(), titles=()):
        """``memberships``: (organization, admitted, full or None, ended or None), oldest first."""
        n = self.next()
        number = make_id_number("110101", self.BIRTH + datetime.timedelta(days=n), n % 1000)
        values = {"name": f"测试{self.prefix}{n}", "school": school, "post": "teacher", "id_number": number}
        person = people_services.save_people([Item(values)], by=SYSTEM)[0]
        for organization, admitted, full, ended in memberships:
            membership = {
                "person": person,
                "organization": organization,
                "admitted_on": admitted,
                "full_on": full,
            }
            people_services.set_memberships([Item(membership)], by=SYSTEM)
            if ended:
                people_services.MEMBERSHIPS.end([person], ended, by=SYSTEM)
        people_services.award_titles(
            [
                Item({"person": person, "title": title, "awarded_on": awarded, "lapsed_on": lapsed})
                for title, awarded, lapsed in titles
            ],
            by=SYSTEM,
        )
        person.refresh_from_db()
        return person

    def dispatch(self, person, school, *, start, end=None, role="instructor", public=True):
        values = {
            "person": person,
            "school": school,
            "role": role,
            "public": public,
            "dispatching_body": "测试教育局",
            "start_on": start,
            "end_on": end,
        }
        return people_services.save_dispatches([Item(values)], by=SYSTEM)[0]

    def grant(self, org, amount, approved):
        values = {"organization": org, "amount": Decimal(amount), "approved_on": approved}
        return org_services.save_grants([Item(values)], by=SYSTEM)[0]


def hand_made_tree():
    """A small hand-made district (test bureau TX, holding 430121) with every edge case metrics.md names.

    Founding dates put TF and TZ after the end of 2019; TZ hangs outside TX, under the root.
    """
    r = Records("T")
    root = PartyOrganization.objects.get(code=ROOT)
    s = {}
    for key, ownership in [
        ("A", "public"),  # committee TA with branches TA1, TA2: 5 full members
        ("B", "public"),  # joint branch only, 3 full members: a gap
        ("C", "public"),  # joint branch, 2 full members and one probationary: no gap
        ("E", "public"),  # uncovered, 1 full member: a gap
        ("N", "public"),  # uncovered, 3 full members: a gap
        ("D", "private"),  # covered only by TF, founded 2020: a gap in 2019
        ("Z", "private"),  # covered only by TZ (outside TX), founded 2020: TX's by district in 2019
        ("G", "private"),  # uncovered, an instructor dispatched until 31 December 2019: meets
        ("H", "private"),  # uncovered, the instructor left in June 2019, a secretary only: a gap
        ("Q", "public"),  # uncovered, no members: no requirement
        ("P", "private"),  # covered by TP, no members: meets
        ("L", "public"),  # covered by branch TA3 (its parent covers other schools): the title holders
    ]:
        s[key] = r.school(key, ownership=ownership)
    o = {}
    o["X"] = r.org("X", root, org_type="committee", district="430121")
    o["A"] = r.org(
        "A", o["X"], org_type="committee", founded=day("2010-09-01"), last_election=day("2016-06-01")
    )
    r.cover(o["A"], [s["A"]])
    o["A1"] = r.org(
        "A1", o["A"], founded=day("2010-09-01"), last_election=day("2015-06-01"), schools=[s["A"]]
    )
    o["A2"] = r.org("A2", o["A"], founded=day("2012-03-01"), schools=[s["A"]])
    o["A3"] = r.org(
        "A3", o["A"], founded=day("2013-03-01"), last_election=day("2019-03-01"), schools=[s["L"]]
    )
    o["J"] = r.org(
        "J",
        o["X"],
        org_type="joint_branch",
        founded=day("2015-06-01"),
        term_years=5,
        schools=[s["B"], s["C"]],
    )
    o["F"] = r.org("F", o["X"], founded=day("2020-03-01"), schools=[s["D"]])
    o["P"] = r.org("P", o["X"], founded=day("2018-05-01"), schools=[s["P"]])
    o["T"] = r.org("T", o["X"], org_type="temporary_branch", founded=day("2010-01-01"))
    o["R"] = r.receive("R", o["X"], changed_on=day("2018-04-01"), founded=day("2009-01-01"))
    o["M"] = r.org("M", o["A"], founded=day("2016-09-01"))
    r.move(o["M"], o["X"], changed_on=day("2018-09-01"))  # inside the system: not "received"
    o["Z"] = r.org("Z", root, founded=day("2020-03-01"), schools=[s["Z"]])
    o["Y"] = r.receive("Y", root, changed_on=day("2019-05-01"))  # received, outside TX

    full = (o["A1"], day("2010-07-01"), day("2011-07-01"), None)
    for _ in range(4):
        r.person(s["A"], memberships=[full])
    r.person(s["A"], memberships=[(o["A1"], day("2019-03-01"), None, None)])  # probationary
    r.person(s["A"], memberships=[(o["A2"], day("2010-07-01"), day("2011-07-01"), day("2019-06-30"))])
    r.person(s["A"], memberships=[(o["A2"], day("2010-07-01"), day("2011-07-01"), day(D2019))])  # ends on D
    for _ in range(3):
        r.person(s["B"], memberships=[(o["J"], day("2016-07-01"), day("2017-07-01"), None)])
    for _ in range(2):
        r.person(s["C"], memberships=[(o["J"], day("2016-07-01"), day("2017-07-01"), None)])
    r.person(s["C"], memberships=[(o["J"], day("2019-05-01"), day("2020-05-01"), None)])  # full only in 2020
    r.person(s["E"], memberships=[(o["X"], day("2014-07-01"), day("2015-07-01"), None)])
    for _ in range(3):
        r.person(s["N"], memberships=[(o["X"], day("2014-07-01"), day("2015-07-01"), None)])

    # Title holders at L (covered by TA3, a branch of its own: they never make a gap).
    member = (o["A3"], day("2010-07-01"), day("2011-07-01"), None)
    h = {}
    h[1] = r.person(s["L"], memberships=[member], titles=[("backbone_teacher", day("2018-09-01"), None)])
    h[2] = r.person(
        s["L"], memberships=[member], titles=[("excellent_teacher", day("2017-09-01"), day(D2019))]
    )  # lapsed on D: not held
    h[3] = r.person(
        s["L"], titles=[("backbone_teacher", day("2018-01-01"), day("2020-01-01"))]
    )  # not a member
    h[4] = r.person(
        s["L"],
        memberships=[(o["A3"], day("2019-07-01"), None, None)],  # probationary: a member
        titles=[("backbone_teacher", day("2019-01-01"), None)],
    )
    h[5] = r.person(
        s["L"],
        memberships=[(o["A3"], day("2005-07-01"), day("2006-07-01"), day("2019-06-30"))],  # ended before D
        titles=[("excellent_teacher", day("2016-01-01"), None)],
    )
    h[6] = r.person(
        s["L"],
        memberships=[member],
        titles=[
            ("backbone_teacher", day("2015-01-01"), None),
            ("excellent_teacher", day("2016-01-01"), None),
        ],
    )
    h[7] = r.person(s["L"], memberships=[member], titles=[("famous_principal", day("2017-01-01"), None)])
    h[8] = r.person(s["L"], titles=[("chief_principal", day("2018-01-01"), None)])
    h[9] = r.person(s["L"], memberships=[member], titles=[("studio_trainee", day("2020-03-01"), None)])
    h[10] = r.person(
        s["L"],
        memberships=[(o["A3"], day(D2019), None, None)],  # admitted on D
        titles=[("studio_trainee", day("2019-03-01"), None)],
    )

    # Dispatches; the people dispatched work at Q (no memberships, so Q keeps no requirement).
    i = [r.person(s["Q"]) for _ in range(4)]
    r.dispatch(i[0], s["G"], start=day("2019-03-01"), end=day(D2019))
    r.dispatch(i[0], s["H"], start=day("2018-03-01"), end=day("2019-06-30"))
    r.dispatch(i[1], s["H"], start=day("2019-01-01"), role="secretary")
    r.dispatch(i[2], s["G"], start=day("2019-05-01"), end=day("2019-08-31"), public=False)
    r.dispatch(i[0], s["P"], start=day("2019-09-01"))
    r.dispatch(i[3], s["Z"], start=day("2017-05-01"), end=day("2017-12-31"))

    r.grant(o["P"], "5000.00", day("2018-07-01"))
    r.grant(o["J"], "8000.50", day("2019-02-01"))
    r.grant(o["R"], "3000.00", day("2016-12-31"))
    return {"orgs": o, "schools": s, "holders": h, "records": r}


class BruteForce:
    """metrics.md applied literally, record by record, for one scope organization and one period."""

    def __init__(self, scope_code, first, last=None):
        last = first if last is None else last
        self.start = datetime.date(first, 1, 1)
        self.end = datetime.date(last, 12, 31)  # "Period end": 31 December of the (last) year
        self.scope = PartyOrganization.objects.get(code=scope_code)
        self.subtree = self.walk(self.scope)
        self.ids = {o.pk for o in self.subtree}
        self.orgs = {o.pk: o for o in PartyOrganization.objects.all()}
        self.schools = list(School.objects.order_by("code"))
        self.school_by_id = {s.pk: s for s in self.schools}
        self.covering = {s.pk: [self.orgs[o.pk] for o in s.organizations.all()] for s in self.schools}
        self.covered_by = {o.pk: {s.pk for s in o.schools.all()} for o in self.orgs.values()}
        self.people = {p.pk: p for p in Person.objects.all()}
        self.memberships = defaultdict(list)
        for m in Membership.objects.all():
            self.memberships[m.person_id].append(m)
        self.honors = list(Honor.objects.all())
        self.dispatches = list(Dispatch.objects.all())
        self.grants = list(StartupGrant.objects.all())
        self.changes = list(AffiliationChange.objects.all())

    @staticmethod
    def walk(node):
        """The organization and everything under it, one level at a time through ``get_children``."""
        found, frontier = [], [node]
        while frontier:
            found.extend(frontier)
            frontier = [c for n in frontier for c in PartyOrganization.objects.get_children(n)]
        return found

    # Definitions shared by all metrics ---------------------------------------------------------------
    @staticmethod
    def exists(org, day):
        """An organization founded after ``day`` does not exist yet (undated ones always have)."""
        return org.founded_on is None or org.founded_on <= day

    def covering_at(self, school, day):
        return [o for o in self.covering[school.pk] if self.exists(o, day)]

    def school_in_scope(self, school, day):
        """In scope: by the organizations that cover it or, when none covers it, by its district's organization,
        or by the root when no organization serves its district."""
        covering = self.covering_at(school, day)
        if covering:
            return any(o.pk in self.ids for o in covering)
        served = [o for o in self.orgs.values() if o.district and o.district == school.district]
        if served:
            return any(o.pk in self.ids for o in served)
        return any(o.depth == 1 and o.pk in self.ids for o in self.orgs.values())  # the root holds it

    def member(self, person_id, day):
        """Member at D: admitted on or before D and not ended before D (probationary members count)."""
        return any(
            m.admitted_on <= day and not (m.ended_on is not None and m.ended_on < day)
            for m in self.memberships[person_id]
        )

    def full_member(self, person_id, day):
        """Full member at D: a member at D, admitted and converted on or before D."""
        return any(
            m.admitted_on <= day
            and not (m.ended_on is not None and m.ended_on < day)
            and m.full_on is not None
            and m.full_on <= day
            for m in self.memberships[person_id]
        )

    @staticmethod
    def held(honor, day):
        """Title held at D: awarded on or before D and no lapse before or on D."""
        return honor.awarded_on <= day and not (honor.lapsed_on is not None and honor.lapsed_on <= day)

    def in_period(self, date):
        return date is not None and self.start <= date <= self.end

    # The metrics ---------------------------------------------------------------------------------------
    def school_orgs(self):
        count = 0
        for org in self.subtree:
            if not self.exists(org, self.end):
                continue
            own = self.covered_by[org.pk]
            parent = PartyOrganization.objects.get_parent(org, update=True)
            parents = self.covered_by[parent.pk] if parent is not None else set()
            if own and not own & parents:
                count += 1
        return count

    def received(self):
        return len(
            {
                c.organization_id
                for c in self.changes
                if c.old_parent_id is None and self.in_period(c.changed_on) and c.organization_id in self.ids
            }
        )

    def elections_due(self):
        count = 0
        for org in self.subtree:
            if not self.exists(org, self.end):
                continue
            years = org.term_years or TERMS[org.org_type]
            began = org.last_election_on or org.founded_on
            if years and began and plus_years(began, years) <= self.end:
                count += 1
        return count

    def new_orgs(self):
        return sum(
            1
            for org in self.subtree
            if self.in_period(org.founded_on)
            and any(self.school_by_id[s].ownership == "private" for s in self.covered_by[org.pk])
        )

    def startup_funds(self):
        grants = [g for g in self.grants if g.organization_id in self.ids and self.in_period(g.approved_on)]
        return sum((g.amount for g in grants), Decimal("0")), len(grants)

    def full_members_of(self, school, day):
        return sum(
            1 for p in self.people.values() if p.school_id == school.pk and self.full_member(p.pk, day)
        )

    def members_of(self, school, day):
        return sum(1 for p in self.people.values() if p.school_id == school.pk and self.member(p.pk, day))

    def instructor_on(self, school, day):
        return any(
            d.school_id == school.pk
            and d.role == "instructor"
            and d.start_on <= day
            and (d.end_on is None or d.end_on >= day)
            for d in self.dispatches
        )

    def coverage_rows(self):
        """(school, full members, required, meets, kind of gap) for each school in scope at period end."""
        rows = []
        for school in self.schools:
            if not self.school_in_scope(school, self.end):
                continue
            n = self.full_members_of(school, self.end)
            covering = self.covering_at(school, self.end)
            own = any(o.org_type != "joint_branch" for o in covering)
            if n >= OWN_FROM:
                required, meets = True, own
                kind = "joint_only" if covering else "none_own"
            elif n >= 1:
                required, meets, kind = True, bool(covering), "none_small"
            elif self.members_of(school, self.end):  # every member belongs to a branch (党章 art. 8)
                required, meets, kind = True, bool(covering), "probationary_only"
            elif school.ownership == "private":
                required, meets = True, bool(covering) or self.instructor_on(school, self.end)
                kind = "private"
            else:
                required, meets, kind = False, True, None
            rows.append((school, n, required, meets, kind))
        return rows

    def dispatched(self):
        return len(
            {
                d.person_id
                for d in self.dispatches
                if d.public
                and self.in_period(d.start_on)
                and self.school_by_id[d.school_id].ownership == "private"
                and self.school_in_scope(self.school_by_id[d.school_id], self.end)
            }
        )

    def member_share(self, titles):
        holders = {
            h.person_id
            for h in self.honors
            if h.title in titles
            and self.held(h, self.end)
            and self.school_in_scope(self.school_by_id[self.people[h.person_id].school_id], self.end)
        }
        members = {p for p in holders if self.member(p, self.end)}
        return len(members), len(holders)

    def figures(self):
        """Every checked metric, in the shape of the JSON form (gaps as (code, full members, kind))."""
        rows = self.coverage_rows()
        required = [r for r in rows if r[2]]
        gaps = [(s.code, n, kind) for s, n, req, meets, kind in required if not meets]
        total, grants = self.startup_funds()
        shares = {
            "cultivation.member_share.backbone": self.member_share(BACKBONE),
            "cultivation.member_share.principals": self.member_share(PRINCIPALS),
            "cultivation.member_share.studio": self.member_share(STUDIO),
        }
        figures = {
            "orgs.school_orgs": {"value": self.school_orgs()},
            "orgs.received": {"value": self.received()},
            "orgs.elections_due": {"value": self.elections_due()},
            "orgs.coverage": share(sum(1 for r in required if r[3]), len(required)),
            "orgs.coverage_gaps": {"value": len(gaps), "gaps": gaps},
            "private.dispatched": {"value": self.dispatched()},
            "private.new_orgs": {"value": self.new_orgs()},
            "private.startup_funds": {"value": total, "grants": grants},
        }
        figures.update({name: share(*pair) for name, pair in shares.items()})
        return figures


def share(numerator, denominator):
    return {
        "value": numerator,
        "denominator": denominator,
        "share": numerator / denominator if denominator else None,
    }


def computed(scope_code, first, last=None):
    """The registry's figures (in English, so that the reasons can be read) for a scope and years."""
    scope = PartyOrganization.objects.get(code=scope_code)
    with translation.override("en"):
        return compute_all(scope, Period.of(first=first, last=last if last is not None else first))


def assert_matches(scope_code, first, last=None):
    """Every checked metric equals the brute force; returns the brute-force figures."""
    expected = BruteForce(scope_code, first, last).figures()
    actual = computed(scope_code, first, last)
    where = f"scope {scope_code}, {first}–{last or first}"
    for name in CHECKED:
        want, got = expected[name], actual[name]
        if name == "private.startup_funds":
            assert Decimal(got["value"]) == want["value"], (name, where, got, want)
            assert got["grants"] == want["grants"], (name, where, got, want)
        elif name == "orgs.coverage_gaps":
            assert got["value"] == want["value"], (name, where, got, want)
            assert [i["school"] for i in got["items"]] == [g[0] for g in want["gaps"]], (name, where)
            for item, (_code, n, kind) in zip(got["items"], want["gaps"], strict=True):
                assert REASON_WORDS[kind] in item["reason"], (name, where, item, kind)
                if n:
                    assert str(n) in item["reason"], (name, where, item, n)
        else:
            assert got == want, (name, where, got, want)
    return expected
