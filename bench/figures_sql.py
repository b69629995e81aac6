"""The hand-written SQL of ``bench/figures.py``: every metric of the registry (``Metrics``, one query each,
from the definitions of metrics.md) and every figure of the dashboard (``Dashboard``), read with
``connection.cursor()`` from the same tables and stored placements (``orgs_schoolplace``) the application
reads, with the prefix range each database's index serves (``LIKE 'prefix%'`` on PostgreSQL, a range
elsewhere). Never part of the product.
"""

import datetime
from decimal import Decimal

from bench.sql import one, prefix_params, run, under

OWN_FROM = 3  # metrics.md, the coverage rule: 3 full members or more need an organization of their own
PERSONAL_ITEMS = ("ethnic_group", "education", "mobile_cipher", "post")  # people.completeness
BACKBONE = ("backbone_teacher", "excellent_teacher")
PRINCIPALS = ("chief_principal", "famous_principal")
STUDIO = ("studio_trainee",)


# SQL helpers --------------------------------------------------------------------------------------------
def json_text(column, key):
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"({column} ->> '{key}')"
    return f"CAST(json_extract({column}, '$.{key}') AS TEXT)"


def places_at(day="end"):
    """Schools lying under the prefix on ``%(day)s`` (the stored placements, ``SchoolPlace.at``)."""
    return (
        f"SELECT sp.school_id FROM orgs_schoolplace sp WHERE {under('sp.path')} "
        f"AND (sp.valid_from IS NULL OR sp.valid_from <= %({day})s) "
        f"AND (sp.valid_until IS NULL OR sp.valid_until > %({day})s)"
    )


PLACES_NOW = "SELECT sp.school_id FROM orgs_schoolplace sp WHERE {under} AND sp.valid_until IS NULL"


def places_now():
    """Schools lying under the prefix in today's registry (``SchoolPlace.current``)."""
    return PLACES_NOW.format(under=under("sp.path"))


def share(value, denominator):
    return {"value": value, "denominator": denominator, "share": value / denominator if denominator else None}


# The metrics by hand ------------------------------------------------------------------------------------
class Metrics:
    """Every metric of metrics.md that the registry holds, one query each, for a scope and a period."""

    def __init__(self, scope, period):
        self.scope, self.period = scope, period
        self.params = {
            **prefix_params(scope.path),
            "start": period.start,
            "end": period.end,
            "first": period.first_year,
            "last": period.last_year,
        }

    def all(self, names=None):
        return {name: getattr(self, NAMES[name])() for name in sorted(names or NAMES)}

    def q(self, sql, **extra):
        return run(sql, {**self.params, **extra})

    # orgs ---------------------------------------------------------------------------------------------
    def school_orgs(self):
        (n,) = self.q(
            f"""
            SELECT COUNT(*) FROM orgs_partyorganization o
            WHERE {under("o.path")} AND (o.founded_on IS NULL OR o.founded_on <= %(end)s)
              AND EXISTS (SELECT 1 FROM orgs_partyorganization_schools c WHERE c.partyorganization_id = o.id)
              AND NOT EXISTS (
                SELECT 1 FROM orgs_partyorganization_schools c
                JOIN orgs_partyorganization_schools pc ON pc.school_id = c.school_id
                JOIN orgs_partyorganization parent ON parent.id = pc.partyorganization_id
                WHERE c.partyorganization_id = o.id
                  AND parent.path = SUBSTR(o.path, 1, LENGTH(o.path) - 4))
            """
        )[0]
        return {"value": n}

    def received(self):
        (n,) = self.q(
            f"""
            SELECT COUNT(DISTINCT a.organization_id) FROM orgs_affiliationchange a
            JOIN orgs_partyorganization o ON o.id = a.organization_id
            WHERE {under("o.path")} AND a.old_parent_id IS NULL AND a.changed_on BETWEEN %(start)s AND %(end)s
            """
        )[0]
        return {"value": n}

    def elections_due(self):
        (n,) = self.q(
            f"""
            SELECT COUNT(*) FROM orgs_partyorganization o
            WHERE {under("o.path")} AND (o.founded_on IS NULL OR o.founded_on <= %(end)s)
              AND o.election_due_on <= %(end)s
            """
        )[0]
        return {"value": n}

    def new_orgs(self):
        (n,) = self.q(
            f"""
            SELECT COUNT(*) FROM orgs_partyorganization o
            WHERE {under("o.path")} AND o.founded_on BETWEEN %(start)s AND %(end)s
              AND EXISTS (SELECT 1 FROM orgs_partyorganization_schools c JOIN orgs_school s ON s.id = c.school_id
                          WHERE c.partyorganization_id = o.id AND s.ownership = 'private')
            """
        )[0]
        return {"value": n}

    def startup_funds(self):
        total, n = self.q(
            f"""
            SELECT SUM(g.amount), COUNT(*) FROM orgs_startupgrant g
            JOIN orgs_partyorganization o ON o.id = g.organization_id
            WHERE {under("o.path")} AND g.approved_on BETWEEN %(start)s AND %(end)s
            """
        )[0]
        total = Decimal(str(total or 0)).quantize(Decimal("0.01"))
        return {"value": str(total), "grants": n}

    # coverage -----------------------------------------------------------------------------------------
    def coverage_rows(self):
        """Per school in scope at the period end: code, ownership, full members, members, covered (by an
        organization existing then), covered by one of its own (not a joint branch), instructed."""
        return f"""
            WITH s AS ({places_at()}),
            m AS (
              SELECT p.school_id,
                     COUNT(DISTINCT m.person_id) AS members,
                     COUNT(DISTINCT CASE WHEN m.full_on <= %(end)s THEN m.person_id END) AS full_members
              FROM people_membership m JOIN people_person p ON p.id = m.person_id
              WHERE p.school_id IN (SELECT school_id FROM s) AND m.admitted_on <= %(end)s
                AND (m.ended_on IS NULL OR m.ended_on >= %(end)s)
              GROUP BY p.school_id),
            c AS (
              SELECT cs.school_id, MAX(CASE WHEN o.org_type <> 'joint_branch' THEN 1 ELSE 0 END) AS own
              FROM orgs_partyorganization_schools cs
              JOIN orgs_partyorganization o ON o.id = cs.partyorganization_id
              WHERE cs.school_id IN (SELECT school_id FROM s)
                AND (o.founded_on IS NULL OR o.founded_on <= %(end)s)
              GROUP BY cs.school_id),
            i AS (
              SELECT DISTINCT d.school_id FROM people_dispatch d
              WHERE d.role = 'instructor' AND d.start_on <= %(end)s
                AND (d.end_on IS NULL OR d.end_on >= %(end)s)),
            r AS (
              SELECT sc.code, sc.district, sc.ownership, COALESCE(m.full_members, 0) AS f, COALESCE(m.members, 0) AS n,
                     CASE WHEN c.school_id IS NULL THEN 0 ELSE 1 END AS covered,
                     COALESCE(c.own, 0) AS own,
                     CASE WHEN i.school_id IS NULL THEN 0 ELSE 1 END AS instructed
              FROM orgs_school sc
              LEFT JOIN m ON m.school_id = sc.id
              LEFT JOIN c ON c.school_id = sc.id
              LEFT JOIN i ON i.school_id = sc.id
              WHERE sc.id IN (SELECT school_id FROM s))
        """

    REQUIRED = "(r.f >= 1 OR r.n >= 1 OR r.ownership = 'private')"
    MEETS = (
        f"((r.f >= {OWN_FROM} AND r.own = 1) OR (r.f >= 1 AND r.f < {OWN_FROM} AND r.covered = 1)"
        " OR (r.f = 0 AND r.n >= 1 AND r.covered = 1)"
        " OR (r.f = 0 AND r.n = 0 AND r.ownership = 'private' AND (r.covered = 1 OR r.instructed = 1)))"
    )

    def coverage(self):
        required, met = self.q(
            self.coverage_rows()
            + f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {self.MEETS} THEN 1 ELSE 0 END), 0) FROM r"
            + f" WHERE {self.REQUIRED}"
        )[0]
        return share(met, required)

    def coverage_gap_rows(self):
        rows = self.q(
            self.coverage_rows()
            + f"SELECT r.code, r.f, r.n, r.covered, r.ownership FROM r WHERE {self.REQUIRED} AND NOT {self.MEETS}"
            + " ORDER BY r.code"
        )
        return [
            dict(zip(("code", "full", "members", "covered", "ownership"), row, strict=True)) for row in rows
        ]

    def coverage_gaps(self):
        from redengine.people.metrics import gap_reason  # the reason's words, from the figures found here

        rows = self.coverage_gap_rows()
        return {"value": len(rows), "items": [{"school": r["code"], "reason": gap_reason(r)} for r in rows]}

    # people -------------------------------------------------------------------------------------------
    def dispatched(self):
        (n,) = self.q(
            f"""
            SELECT COUNT(DISTINCT d.person_id) FROM people_dispatch d JOIN orgs_school s ON s.id = d.school_id
            WHERE d.school_id IN ({places_at()}) AND d.public = %(yes)s
              AND d.start_on BETWEEN %(start)s AND %(end)s AND s.ownership = 'private'
            """,
            yes=True,
        )[0]
        return {"value": n}

    def member_share(self, titles):
        marks = ", ".join(f"%(t{i})s" for i in range(len(titles)))
        holders, members = self.q(
            f"""
            SELECT COUNT(DISTINCT h.person_id),
                   COUNT(DISTINCT CASE WHEN EXISTS (
                       SELECT 1 FROM people_membership m WHERE m.person_id = h.person_id
                         AND m.admitted_on <= %(end)s AND (m.ended_on IS NULL OR m.ended_on >= %(end)s))
                     THEN h.person_id END)
            FROM people_honor h JOIN people_person p ON p.id = h.person_id
            WHERE p.school_id IN ({places_at()}) AND h.title IN ({marks})
              AND h.awarded_on <= %(end)s AND (h.lapsed_on IS NULL OR h.lapsed_on > %(end)s)
            """,
            **{f"t{i}": title for i, title in enumerate(titles)},
        )[0]
        return share(members, holders)

    def share_backbone(self):
        return self.member_share(BACKBONE)

    def share_principals(self):
        return self.member_share(PRINCIPALS)

    def share_studio(self):
        return self.member_share(STUDIO)

    # cultivation --------------------------------------------------------------------------------------
    def mentorships(self):
        """Mentoring pairs of the schools in scope at the period end running on some day of the period."""
        (n,) = self.q(
            f"""
            SELECT COUNT(*) FROM cultivation_mentorship ms
            WHERE ms.school_id IN ({places_at()}) AND ms.start_on <= %(end)s
              AND (ms.ended_on IS NULL OR ms.ended_on >= %(start)s)
            """
        )[0]
        return {"value": n}

    def apprentices_titled(self):
        """Apprentices of the pairs ended within the period, and those awarded a title from the pair's start to
        the end of its window (``titled_by``, two years after the start)."""
        apprentices, titled = self.q(
            f"""
            SELECT COUNT(DISTINCT ms.apprentice_id),
                   COUNT(DISTINCT CASE WHEN EXISTS (
                       SELECT 1 FROM people_honor h WHERE h.person_id = ms.apprentice_id
                         AND h.awarded_on >= ms.start_on AND h.awarded_on <= ms.titled_by)
                     THEN ms.apprentice_id END)
            FROM cultivation_mentorship ms
            WHERE ms.school_id IN ({places_at()}) AND ms.ended_on BETWEEN %(start)s AND %(end)s
            """
        )[0]
        return share(titled, apprentices)

    # pioneer units ------------------------------------------------------------------------------------
    def pioneer_filed(self):
        """Units of the schools in scope at the period end filed within the period."""
        (n,) = self.q(
            f"""
            SELECT COUNT(*) FROM pioneer_pioneerunit u
            WHERE u.school_id IN ({places_at()}) AND u.filed_on BETWEEN %(start)s AND %(end)s
            """
        )[0]
        return {"value": n}

    def pioneer_certified(self):
        """Of those, the ones certified by the period end and not revoked by then."""
        filed, certified = self.q(
            f"""
            SELECT COUNT(*), COALESCE(SUM(CASE WHEN u.certified_on <= %(end)s
                AND (u.revoked_on IS NULL OR u.revoked_on > %(end)s) THEN 1 ELSE 0 END), 0)
            FROM pioneer_pioneerunit u
            WHERE u.school_id IN ({places_at()}) AND u.filed_on BETWEEN %(start)s AND %(end)s
            """
        )[0]
        return share(certified, filed)

    def service_hours(self):
        """Person-hours (hours × people) of the service logs dated within the period, by the unit's school."""
        total, n = self.q(
            f"""
            SELECT SUM(l.hours * l.people), COUNT(*) FROM pioneer_servicelog l
            JOIN pioneer_pioneerunit u ON u.id = l.unit_id
            WHERE u.school_id IN ({places_at()}) AND l.date BETWEEN %(start)s AND %(end)s
            """
        )[0]
        return {"value": str(Decimal(str(total or 0)).quantize(Decimal("0.1"))), "logs": n}

    # showcase -----------------------------------------------------------------------------------------
    def published(self, table):
        (n,) = self.q(
            f"""
            SELECT COUNT(*) FROM {table} i
            WHERE i.school_id IN ({places_at()}) AND i.published_on <= %(end)s
              AND (i.withdrawn_on IS NULL OR i.withdrawn_on > %(end)s)
            """
        )[0]
        return {"value": n}

    def stories(self):
        return self.published("showcase_story")

    def lessons(self):
        return self.published("showcase_lesson")

    # pairing ------------------------------------------------------------------------------------------
    PAIR_IN_SCOPE = "(p.urban_id IN ({places}) OR p.rural_id IN ({places}))"

    def pairs(self):
        """Pairs one of whose schools lies in scope at the period end, agreed by its end, not ended before its start."""
        (n,) = self.q(
            f"""
            SELECT COUNT(*) FROM pairing_schoolpair p
            WHERE {self.PAIR_IN_SCOPE.format(places=places_at())}
              AND p.agreed_on <= %(end)s AND (p.ended_on IS NULL OR p.ended_on >= %(start)s)
            """
        )[0]
        return {"value": n}

    def pair_activities(self):
        """The activities of those pairs (in scope by their pair's schools) dated within the period, by kind."""
        from redengine.pairing.rules import ActivityKind

        counts = dict(
            self.q(
                f"""
                SELECT a.kind, COUNT(*) FROM pairing_pairactivity a
                JOIN pairing_schoolpair p ON p.id = a.pair_id
                WHERE {self.PAIR_IN_SCOPE.format(places=places_at())}
                  AND a.date BETWEEN %(start)s AND %(end)s
                GROUP BY a.kind
                """
            )
        )
        items = [
            {"kind": k.value, "label": str(k.label), "value": counts.get(k.value, 0)} for k in ActivityKind
        ]
        return {"value": sum(i["value"] for i in items), "items": items}

    # assessment -------------------------------------------------------------------------------------------
    def upgraded(self):
        """Branches whose published level of a year of the period rose over the year before's or stayed at
        five; of the branches rated in both years (a branch rated for the first time is in neither)."""
        rated, up = self.q(
            f"""
            SELECT COUNT(*), COALESCE(SUM(CASE WHEN r.level > p.level OR (r.level = 5 AND p.level = 5)
                THEN 1 ELSE 0 END), 0)
            FROM assessment_rating r
            JOIN assessment_rating p ON p.organization_id = r.organization_id AND p.year = r.year - 1
            JOIN orgs_partyorganization o ON o.id = r.organization_id
            WHERE {under("o.path")} AND r.year BETWEEN %(first)s AND %(last)s
            """
        )[0]
        return share(up, rated)

    def stars(self):
        """Branches rated in the period, by level."""
        counts = dict(
            self.q(
                f"""
                SELECT r.level, COUNT(*) FROM assessment_rating r
                JOIN orgs_partyorganization o ON o.id = r.organization_id
                WHERE {under("o.path")} AND r.year BETWEEN %(first)s AND %(last)s
                GROUP BY r.level
                """
            )
        )
        items = [{"level": level, "value": counts.get(level, 0)} for level in range(1, 6)]
        return {"value": sum(i["value"] for i in items), "items": items}

    def demonstration(self):
        """Branches designated demonstration branches in a year of the period."""
        (n,) = self.q(
            f"""
            SELECT COUNT(*) FROM assessment_designation d
            JOIN orgs_partyorganization o ON o.id = d.organization_id
            WHERE {under("o.path")} AND d.year BETWEEN %(first)s AND %(last)s
            """
        )[0]
        return {"value": n}

    # development --------------------------------------------------------------------------------------
    def admitted(self):
        (n,) = self.q(
            f"""
            SELECT COUNT(DISTINCT m.person_id) FROM people_membership m JOIN people_person p ON p.id = m.person_id
            WHERE p.school_id IN ({places_at()}) AND m.admitted_on BETWEEN %(start)s AND %(end)s
            """
        )[0]
        return {"value": n}

    def backbone_developed(self):
        admitted, backbone = self.q(
            f"""
            SELECT COUNT(DISTINCT m.person_id),
                   COUNT(DISTINCT CASE WHEN EXISTS (
                       SELECT 1 FROM people_honor h WHERE h.person_id = m.person_id
                         AND h.title = 'backbone_teacher' AND h.awarded_on <= m.admitted_on
                         AND (h.lapsed_on IS NULL OR h.lapsed_on > m.admitted_on)) THEN m.person_id END)
            FROM people_membership m JOIN people_person p ON p.id = m.person_id
            WHERE p.school_id IN ({places_at()}) AND m.admitted_on BETWEEN %(start)s AND %(end)s
            """
        )[0]
        return share(backbone, admitted)

    def late_steps(self):
        (n,) = self.q(
            f"""
            SELECT COUNT(*) FROM development_developmentevent e
            JOIN development_developmentcase c ON c.id = e.case_id
            JOIN orgs_partyorganization o ON o.id = c.organization_id
            WHERE {under("o.path")} AND e.late = %(yes)s AND e.date BETWEEN %(start)s AND %(end)s
            """,
            yes=True,
        )[0]
        return {"value": n}

    def overdue(self):
        from django.utils import timezone

        today = timezone.localdate()
        day = min(self.period.end, today)
        if day >= today:  # the period is not over: the stored plan of the open cases
            (n,) = self.q(
                f"""
                SELECT COUNT(*) FROM development_developmentcase c
                JOIN orgs_partyorganization o ON o.id = c.organization_id
                WHERE {under("o.path")} AND c.status = 'open' AND c.next_due < %(day)s
                """,
                day=day,
            )[0]
            return {"value": n}
        return {"value": self.late_on(day)}

    def late_on(self, day):
        """The cases with a pending step past its deadline on a past ``day``, from their steps dated up to it
        (metrics.md ``development.overdue``; the deadlines of the rules: S02, S06, S17, S23, S24)."""
        from redengine.development.metrics import assessment_base, deadline_months, extensions, last_base
        from redengine.development.rules import param

        base_months = param("prob.length_months") + param("conv.discussion_deadline_months")
        bounds = {
            "day": day,
            "talk": last_base(day, deadline_months("S02")),
            "assessment": assessment_base(day),
            "approval": last_base(day, deadline_months("S17")),
            "conversion": last_base(day, deadline_months("S24")),
        }
        outcome, months_of = json_text("e.data", "outcome"), json_text("e.data", "extension_months")

        def count(condition):
            return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

        columns = {
            "talked": "e.step = 'S02'",
            "applied": "e.step = 'S01' AND e.date <= %(talk)s",
            "candidate": "e.step = 'S07'",
            "activist": "e.step = 'S03' AND e.date <= %(assessment)s",
            "assessed": "e.step = 'S06' AND e.date > %(assessment)s",
            "approved": "e.step = 'S17'",
            "met": "e.step = 'S15' AND e.date <= %(approval)s",
            "votes": "e.step = 'S23'",
            "approvals": "e.step = 'S24'",
            "voted": "e.step = 'S23' AND e.date <= %(conversion)s",
            "voted_since": "e.step = 'S23' AND e.date > %(conversion)s",
            "extended": f"e.step = 'S23' AND {outcome} = 'extend'",
        }
        conversion_due = ["(k.extended = 0 AND k.met_0 > 0)"]
        for months in extensions():
            bounds[f"met_base_{months}"] = last_base(day, base_months + months)
            columns[f"met_{months}"] = f"e.step = 'S15' AND e.date <= %(met_base_{months})s"
            if months:
                columns[f"extended_{months}"] = (
                    f"e.step = 'S23' AND {outcome} = 'extend' AND {months_of} = '{months}'"
                )
                conversion_due.append(f"(k.extended_{months} > 0 AND k.met_{months} > 0)")
        selected = ",\n".join(f"{count(condition)} AS {name}" for name, condition in columns.items())
        (n,) = self.q(
            f"""
            SELECT COUNT(*) FROM (
              SELECT {selected}
              FROM development_developmentcase c
              JOIN orgs_partyorganization o ON o.id = c.organization_id
              JOIN development_developmentevent e ON e.case_id = c.id
              WHERE {under("o.path")} AND e.date <= %(day)s AND (c.closed_on IS NULL OR c.closed_on > %(day)s)
              GROUP BY c.id) k
            WHERE (k.talked = 0 AND k.applied > 0)
               OR (k.candidate = 0 AND k.activist > 0 AND k.assessed = 0)
               OR (k.approved = 0 AND k.met > 0)
               OR (k.votes > k.approvals AND k.voted > 0 AND k.voted_since = 0)
               OR (k.approved > 0 AND k.votes = k.approvals AND k.votes = k.extended
                   AND ({" OR ".join(conversion_due)}))
            """,
            **bounds,
        )[0]
        return n

    # activities -----------------------------------------------------------------------------------------
    def compliance(self):
        """activities.compliance by hand, for each year of the period (the same statement bench/activities.py
        checks the application against at the size of a city)."""
        from django.utils import timezone

        from bench.activities import compliance_baseline

        assert self.period.first_year == self.period.last_year, "the baseline is of one year"
        found = compliance_baseline(self.scope, self.period.first_year, timezone.localdate())
        return share(found["value"], found["denominator"])


NAMES = {
    "activities.compliance": "compliance",
    "assessment.demonstration": "demonstration",
    "assessment.stars": "stars",
    "assessment.upgraded": "upgraded",
    "cultivation.apprentices_titled": "apprentices_titled",
    "cultivation.backbone_developed": "backbone_developed",
    "cultivation.member_share.backbone": "share_backbone",
    "cultivation.member_share.principals": "share_principals",
    "cultivation.member_share.studio": "share_studio",
    "cultivation.mentorships": "mentorships",
    "development.admitted": "admitted",
    "development.late_steps": "late_steps",
    "development.overdue": "overdue",
    "orgs.coverage": "coverage",
    "orgs.coverage_gaps": "coverage_gaps",
    "orgs.elections_due": "elections_due",
    "orgs.received": "received",
    "orgs.school_orgs": "school_orgs",
    "pairing.activities": "pair_activities",
    "pairing.pairs": "pairs",
    "pioneer.certified": "pioneer_certified",
    "pioneer.filed": "pioneer_filed",
    "pioneer.service_hours": "service_hours",
    "private.dispatched": "dispatched",
    "private.new_orgs": "new_orgs",
    "private.startup_funds": "startup_funds",
    "showcase.lessons": "lessons",
    "showcase.stories": "stories",
}


# The dashboard by hand ----------------------------------------------------------------------------------
class Dashboard:
    """The figures of the dashboard of ``user`` (a city or a district administrator), by hand-written SQL."""

    def __init__(self, user):
        from redengine.accounts.models import AdminChangeRequest
        from redengine.core import todo
        from redengine.core.approvals import APPROVE
        from redengine.core.models import ExportRequest
        from redengine.development.models import DevelopmentCase
        from redengine.imports.models import ImportJob
        from redengine.orgs.models import PartyOrganization, School
        from redengine.people.models import GuidanceRecord, Person

        self.user = user
        self.level = todo.level_of(user)
        assert self.level in (todo.CITY, todo.DISTRICT), "the dashboard baseline is of an administrator"
        prefixes = {
            tuple(user.scope_prefixes(model, "view")) for model in (PartyOrganization, School, Person)
        }
        assert len(prefixes) == 1, "one scope for every record"
        assert len(next(iter(prefixes))) == 1, "one organization the roles are held at"
        self.path = next(iter(prefixes))[0]
        self.home = user.home_scope_path()
        # What the roles allow (no query: the assignments are loaded once), as the items ask it.
        self.sees = {
            "people": user.can(Person, "view"),
            "cases": user.can(DevelopmentCase, "view"),
            "exports": user.can(ExportRequest, APPROVE),
            "admin_changes": user.can(AdminChangeRequest, "view"),
            "imports": user.can(ImportJob, "view"),
            "guidance": user.can(GuidanceRecord, "add"),
        }
        self.export_prefixes = user.scope_prefixes(ExportRequest, APPROVE)
        self.import_prefixes = user.scope_prefixes(ImportJob, "view")

    def q(self, sql, **extra):
        return run(sql, {**prefix_params(self.path), **extra})

    def figures(self):
        from django.utils import timezone

        from redengine.core.codes import DISTRICTS

        today = timezone.localdate()
        week_end = today + datetime.timedelta(days=6 - today.weekday())
        month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(
            1
        )
        orgs = dict(
            self.q(
                f"SELECT o.org_type, COUNT(*) FROM orgs_partyorganization o WHERE {under('o.path')} "
                "GROUP BY o.org_type"
            )
        )
        schools = dict(
            self.q(
                f"SELECT s.district, COUNT(*) FROM orgs_school s WHERE s.id IN ({places_now()}) GROUP BY s.district"
            )
        )
        schools = {d: n for d, n in schools.items() if d in DISTRICTS}
        by_type = None
        if len(schools) <= 1:
            by_type = dict(
                self.q(
                    "SELECT s.school_type, COUNT(*) FROM orgs_school s "
                    f"WHERE s.id IN ({places_now()}) GROUP BY s.school_type"
                )
            )
        people = None
        if self.sees["people"]:
            staff, members = self.q(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN p.political_status IN ('member', 'probationary') "
                f"THEN 1 ELSE 0 END), 0) FROM people_person p WHERE p.school_id IN ({places_now()})"
            )[0]
            people = {"staff": staff, "members": members}
        todos = {}
        self.todo_core(todos)
        self.todo_elections(todos, today, month_end)
        self.todo_secretaries(todos, today)
        self.todo_incomplete(todos, today)
        self.todo_development(todos, today, week_end, month_end)
        self.todo_coverage(todos, today)
        self.todo_guidance(todos, today)
        self.todo_activities(todos, today)
        return {"orgs": orgs, "schools": schools, "schools_by_type": by_type, "people": people, "todo": todos}

    # the to-do list ---------------------------------------------------------------------------------------
    def todo_core(self, todos):
        uid = self.user.pk
        (unread,) = one(
            "SELECT COUNT(*) FROM core_notification WHERE user_id = %s AND read_at IS NULL", [uid]
        )
        if unread:
            todos["core.notifications"] = (unread, [])
        if self.sees["exports"]:
            where = " OR ".join(under("e.scope_path", f"x{i}") for i in range(len(self.export_prefixes)))
            params = {
                k: v for i, p in enumerate(self.export_prefixes) for k, v in prefix_params(p, f"x{i}").items()
            }
            (n,) = run(
                "SELECT COUNT(*) FROM core_exportrequest e WHERE e.state = 'pending' AND e.requested_by_id <> "
                f"%(uid)s AND ({where})",
                {**params, "uid": uid},
            )[0]
            todos["core.exports"] = (n, [])
        if self.sees["imports"]:
            where = " OR ".join(under("j.scope_path", f"x{i}") for i in range(len(self.import_prefixes)))
            params = {
                k: v for i, p in enumerate(self.import_prefixes) for k, v in prefix_params(p, f"x{i}").items()
            }
            (n,) = run(
                f"SELECT COUNT(*) FROM dataio_importjob j WHERE j.status = 'validated' AND ({where})", params
            )[0]
            if n:
                todos["imports.validated"] = (n, [])
        assert not self.sees["admin_changes"], "a business role sees no administrator change"

    def per_bureau(self, condition, **params):
        """[(label, n)] per subtree just under the root (orgs.todo.per_bureau), most first."""
        from redengine.core.codes import district_name

        rows = self.q(
            f"""
            SELECT t.district, t.name, k.n FROM (
              SELECT SUBSTR(o.path, 1, 8) AS top, COUNT(*) AS n FROM orgs_partyorganization o
              WHERE {under("o.path")} AND {condition} GROUP BY SUBSTR(o.path, 1, 8)) k
            JOIN orgs_partyorganization t ON t.path = k.top
            WHERE {under("t.path")}
            ORDER BY k.n DESC, t.path
            """,
            **params,
        )
        return [(district_name(district) if district else name, n, "") for district, name, n in rows]

    def listed(self, condition, order, note=None, **params):
        """The first ten organizations (and the total) of a district's item."""
        columns = "o.name" + (f", {note}" if note else "")
        rows = self.q(
            f"SELECT {columns} FROM orgs_partyorganization o WHERE {under('o.path')} AND {condition} "
            f"ORDER BY {order} LIMIT 11",
            **params,
        )
        total = len(rows)
        if total > 10:
            (total,) = self.q(
                f"SELECT COUNT(*) FROM orgs_partyorganization o WHERE {under('o.path')} AND {condition}",
                **params,
            )[0]
        shown = [(row[0], None, str(row[1])[:10] if note else "") for row in rows[:10]]
        return total, shown

    def todo_elections(self, todos, today, month_end):
        from redengine.core.todo import CITY

        condition = "o.election_due_on <= %(month_end)s"
        if self.level == CITY:
            rows = self.per_bureau(condition, month_end=month_end)
            todos["orgs.elections"] = (sum(n for _l, n, _n in rows), rows)
        else:
            todos["orgs.elections"] = self.listed(
                condition, "o.election_due_on, o.path", note="o.election_due_on", month_end=month_end
            )

    SECRETARY = (
        "SELECT 1 FROM people_committeepost cp WHERE cp.organization_id = o.id AND cp.post = 'secretary' "
        "AND cp.start_on <= %(today)s AND (cp.end_on IS NULL OR cp.end_on > %(today)s)"
    )

    def todo_secretaries(self, todos, today):
        from redengine.core.todo import CITY

        if not self.sees["people"]:
            return
        condition = f"NOT EXISTS ({self.SECRETARY})"
        if self.level == CITY:
            rows = self.per_bureau(condition, today=today)
            todos["people.secretaries"] = (sum(n for _l, n, _n in rows), rows)
        else:
            todos["people.secretaries"] = self.listed(condition, "o.path", today=today)

    def todo_incomplete(self, todos, today):
        from redengine.orgs import rules

        if not self.sees["people"]:
            return
        filled = " AND ".join(f"p.{column} <> ''" for column in PERSONAL_ITEMS)
        membership = (
            "(p.political_status NOT IN ('member', 'probationary')"
            " OR (p.political_status = 'probationary' AND EXISTS (SELECT 1 FROM people_membership m"
            " WHERE m.person_id = p.id AND m.ended_on IS NULL))"
            " OR (p.political_status = 'member' AND EXISTS (SELECT 1 FROM people_membership m"
            " WHERE m.person_id = p.id AND m.ended_on IS NULL AND m.full_on IS NOT NULL)))"
        )
        (people,) = self.q(
            f"SELECT COUNT(*) FROM people_person p WHERE p.school_id IN ({places_now()}) "
            f"AND NOT ({filled} AND {membership})"
        )[0]
        no_term = ", ".join(f"'{kind}'" for kind, years in rules.TERM_YEARS.items() if years is None)
        (orgs,) = self.q(
            f"""
            SELECT COUNT(*) FROM orgs_partyorganization o WHERE {under("o.path")} AND NOT (
              o.founded_on IS NOT NULL
              AND (o.last_election_on IS NOT NULL OR (o.org_type IN ({no_term}) AND o.term_years IS NULL))
              AND EXISTS ({self.SECRETARY}))
            """,
            today=today,
        )[0]
        todos["people.incomplete"] = (people, [])
        todos["orgs.incomplete"] = (orgs, [])

    def todo_development(self, todos, today, week_end, month_end):
        from redengine.core.codes import district_name
        from redengine.core.todo import CITY

        if not self.sees["cases"]:
            return
        group = "s.district" if self.level == CITY else "s.code, s.name"
        rows = self.q(
            f"""
            SELECT {group},
                   SUM(CASE WHEN c.next_due < %(today)s THEN 1 ELSE 0 END) AS late,
                   SUM(CASE WHEN c.next_due >= %(today)s AND c.next_due <= %(week_end)s THEN 1 ELSE 0 END) AS week,
                   SUM(CASE WHEN c.next_due >= %(today)s AND c.next_due <= %(month_end)s THEN 1 ELSE 0 END) AS month
            FROM development_developmentcase c
            JOIN orgs_partyorganization o ON o.id = c.organization_id
            JOIN people_person p ON p.id = c.person_id
            JOIN orgs_school s ON s.id = p.school_id
            WHERE {under("o.path")} AND c.status = 'open' AND c.next_due IS NOT NULL
              AND c.next_due <= %(month_end)s
            GROUP BY {group}
            ORDER BY late DESC, week DESC, {group}
            """,
            today=today,
            week_end=week_end,
            month_end=month_end,
        )
        for index, kind in enumerate(("late", "week", "month")):
            column = -3 + index
            shown = [
                (district_name(row[0]) if self.level == CITY else (row[1] or "—"), row[column], "")
                for row in rows
                if row[column]
            ]
            todos[f"development.{kind}"] = (sum(row[column] for row in rows), shown)

    def todo_coverage(self, todos, today):
        from redengine.core.codes import district_name
        from redengine.core.metrics import Period
        from redengine.core.todo import CITY

        metrics = Metrics(PathScope(self.home), Period.of(today.year))
        found = metrics.q(
            metrics.coverage_rows()
            + f"SELECT r.district, COUNT(*) FROM r WHERE {metrics.REQUIRED} AND NOT {metrics.MEETS}"
            + " GROUP BY r.district"
        )
        if self.level == CITY:
            found.sort(key=lambda row: (-row[1], row[0]))
            rows = [(district_name(district), n, "") for district, n in found]
            todos["reports.coverage"] = (sum(n for _d, n in found), rows)
        else:
            todos["reports.coverage"] = (sum(n for _d, n in found), [])

    def todo_activities(self, todos, today):
        """Organizational life's four items (activities/todo.py): branches without last month's themed
        party day or last quarter's general meeting, members without organizational life for six and for
        three months in organizations that list their attendance."""
        from django.utils import translation

        from redengine.activities.compliance import unit_of
        from redengine.core.dates import add_months
        from redengine.core.todo import CITY

        day = datetime.timedelta(days=1)
        for key, kind, unit_kind in (
            ("activities.themed_day", "themed_day", "month"),
            ("activities.general_meeting", "general_meeting", "quarter"),
        ):
            unit = unit_of(unit_kind, unit_of(unit_kind, today).start - day)
            condition = (
                "o.org_type IN ('branch', 'joint_branch') AND (o.founded_on IS NULL OR o.founded_on <= %(first)s) "
                "AND NOT EXISTS (SELECT 1 FROM activities_meeting m WHERE m.organization_id = o.id "
                f"AND m.meeting_type = '{kind}' AND m.date >= %(first)s AND m.date <= %(last)s)"
            )
            params = {"first": unit.start, "last": unit.end}
            if self.level == CITY:
                rows = self.per_bureau(condition, **params)
                total = sum(n for _l, n, _n in rows)
            else:
                total, shown = self.listed(condition, "o.path", **params)
                with translation.override("zh-hans"):
                    label = str(unit.label)
                rows = [(name, None, label) for name, _n, _note in shown]
            if total:
                todos[key] = (total, rows)
        for key, months in (("activities.lapse", 6), ("activities.lapse_alert", 3)):
            since = add_months(today, -months)
            where = f"""
                FROM people_membership ms JOIN orgs_partyorganization o ON o.id = ms.organization_id
                JOIN people_person p ON p.id = ms.person_id
                WHERE {under("o.path")} AND ms.ended_on IS NULL AND ms.admitted_on <= %(since)s
                AND EXISTS (SELECT 1 FROM activities_meeting m WHERE m.organization_id = ms.organization_id
                    AND m.from_list AND m.date >= %(since)s)
                AND NOT EXISTS (SELECT 1 FROM activities_attendance a WHERE a.person_id = ms.person_id
                    AND a.status = 'present' AND a.date >= %(since)s)"""
            if self.level == CITY:
                from redengine.core.codes import district_name

                found = self.q(
                    f"""
                    SELECT t.district, t.name, k.n FROM (SELECT SUBSTR(o.path, 1, 8) AS top, COUNT(*) AS n
                    {where} GROUP BY SUBSTR(o.path, 1, 8)) k
                    JOIN orgs_partyorganization t ON t.path = k.top
                    WHERE {under("t.path")} ORDER BY k.n DESC, t.path""",
                    since=since,
                )
                rows = [(district_name(d) if d else name, n, "") for d, name, n in found]
                total = sum(n for _l, n, _n in rows)
            else:
                found = self.q(
                    f"SELECT p.name, o.name {where} ORDER BY o.path, p.name_key, ms.id LIMIT 11", since=since
                )
                total = len(found)
                if total > 10:
                    (total,) = self.q(f"SELECT COUNT(*) {where}", since=since)[0]
                rows = [(person, None, org) for person, org in found[:10]]
            if total:
                todos[key] = (total, rows)

    def todo_guidance(self, todos, today):
        if not self.sees["guidance"]:
            return
        rows = run(
            """
            SELECT d.id FROM people_dispatch d
            WHERE d.account_id = %(uid)s AND d.role = 'instructor' AND d.start_on <= %(today)s
              AND (d.end_on IS NULL OR d.end_on >= %(today)s)
              AND NOT EXISTS (SELECT 1 FROM people_guidancerecord g WHERE g.dispatch_id = d.id
                              AND g.held_on >= %(first)s AND g.held_on <= %(today)s)
            LIMIT 11
            """,
            {"uid": self.user.pk, "today": today, "first": today.replace(day=1)},
        )
        assert not rows, "the bench's accounts are dispatched nowhere"


class PathScope:
    """A scope organization for ``Metrics``: its path is all the SQL needs."""

    def __init__(self, path):
        self.path = path
