"""Metrics that count people: coverage (应建尽建) and dispatches (metrics.md); the members among title holders
are dual cultivation's (``cultivation/metrics.py``)."""

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.metrics import Result, metric
from redengine.orgs import rules
from redengine.orgs.choices import OrgType, Ownership
from redengine.orgs.metrics import covering_at, school_in_scope_at
from redengine.orgs.models import School

from .choices import DispatchRole
from .models import Dispatch

# How a school is covered at a day (``coverage_annotated``'s ``level``): by no organization existing then, only by
# joint branches, or by an organization of its own (any other type).
UNCOVERED, JOINT_ONLY, OWN_ORGANIZATION = 0, 1, 2


class PerSchool(Coalesce):
    """``COALESCE`` of a subquery correlated to the school, in a query grouped by school: grouped by the school
    (what the subquery refers to), not by the expression, which PostgreSQL would then evaluate for every row
    grouped (each membership) instead of once per school."""

    def get_group_by_cols(self):
        return self.source_expressions[0].get_group_by_cols()


def coverage_level_at(day):
    """The school's (``pk``'s) coverage level at ``day``: a scalar subquery, run per school where it is read
    (an ``EXISTS`` read in ``HAVING`` is hashed by PostgreSQL over the coverage of every school)."""
    levels = (
        covering_at(day)
        .annotate(
            level=Case(
                When(partyorganization__org_type=OrgType.JOINT_BRANCH, then=Value(JOINT_ONLY)),
                default=Value(OWN_ORGANIZATION),
            )
        )
        .order_by("-level")
        .values("level")[:1]
    )
    return PerSchool(Subquery(levels, output_field=IntegerField()), Value(UNCOVERED))


def coverage_annotated(scope, day):
    """Schools in scope at ``day`` with their full members then and how they are covered then (``level``) and
    instructed.

    One GROUP BY over the scope's schools joined to their staff's memberships: members and full members
    counted in the same pass, each once (correlated counts per school were run again in every rule that
    used them, and grew faster than the data); the coverage level and the instructors looked up per school.
    The rows are grouped: count them as a subquery (``.count()``, ``aggregate``, ``pk__in``), never by grouping
    them again (``.values(...).annotate(...)`` would count per group what is counted per school)."""
    member = Q(staff__memberships__admitted_on__lte=day) & (
        Q(staff__memberships__ended_on__isnull=True) | Q(staff__memberships__ended_on__gte=day)
    )
    instructor = Dispatch.objects.filter(
        school_id=OuterRef("pk"), role=DispatchRole.INSTRUCTOR, start_on__lte=day
    ).filter(Q(end_on__isnull=True) | Q(end_on__gte=day))
    return School.objects.filter(school_in_scope_at(scope, day)).annotate(
        full=Count(
            "staff__memberships__person",
            distinct=True,
            filter=member & Q(staff__memberships__full_on__lte=day),
        ),
        members=Count("staff__memberships__person", distinct=True, filter=member),
        level=coverage_level_at(day),
        instructed=Exists(instructor),
    )


# The coverage rule (metrics.md; domain-rules ORG.MIN_FORMAL, SCH.MIN, SCH.JOINT, PRIV.SETUP), as Q objects
# over the annotations above: which schools have a requirement, and which of those meet it. A school whose
# members are all probationary needs an organization too: every member, probationary included, belongs to
# a branch (党章 art. 8; S19 of the 细则's 25 steps) — a gap of 应建尽建 when none covers the school.
# ``MEETS`` holds among the schools with a requirement: 3 full members or more need an organization of
# their own; fewer, but some member, any organization (a joint branch will do); a private school without
# members an organization or an instructor (``members=0`` there means a private school: it has a
# requirement). Each branch reads the coverage level once.
OWN = rules.OWN_ORGANIZATION_FROM
REQUIRED = Q(full__gte=1) | Q(members__gte=1) | Q(ownership=Ownership.PRIVATE)
MEETS = (
    Q(full__gte=OWN, level__gte=OWN_ORGANIZATION)
    | Q(full__lt=OWN, level__gte=JOINT_ONLY)
    | Q(members=0, instructed=True)
)


def gap_reason(row):
    n = row["full"]
    if n >= OWN and row["covered"]:
        return _(
            "%(n)s full members, covered only by a joint branch: %(min)s or more need an organization of "
            "its own"
        ) % {"n": n, "min": OWN}
    if n >= OWN:
        return _(
            "%(n)s full members and no party organization: %(min)s or more need an organization of its own"
        ) % {"n": n, "min": OWN}
    if n >= 1:
        return _("%(n)s full members and no party organization: join or form a joint branch") % {"n": n}
    if row.get("members"):
        return _(
            "%(n)s probationary members only and no party organization: every member belongs to a branch; "
            "join or form a joint branch"
        ) % {"n": row["members"]}
    return _("private school without members, with no party organization and no instructor dispatched")


def coverage_gaps_rows(scope, period):
    """The gaps of the coverage rule at the period end, by school code: dicts of the school (pk, code, name,
    district, ownership), its full members and members then, and whether an organization covered it then."""
    rows = coverage_annotated(scope, period.end).filter(REQUIRED).exclude(MEETS).order_by("code")
    fields = ("pk", "code", "name", "district", "full", "members", "level", "ownership")
    return [{**row, "covered": row.pop("level") >= JOINT_ONLY} for row in rows.values(*fields)]


@metric(
    "orgs.coverage",
    gettext_lazy("Coverage"),
    gettext_lazy(
        "Schools in scope with a requirement under the coverage rule that meet it; share of those with a "
        "requirement."
    ),
)
def coverage(scope, period):
    # Counted over the grouped schools (a subquery), each rule reading their columns: a filter on the
    # grouped query would repeat every count and subquery it reads in its HAVING, to build and to run.
    counts = coverage_annotated(scope, period.end).aggregate(
        required=Count("pk", filter=REQUIRED), met=Count("pk", filter=REQUIRED & MEETS)
    )
    return Result(counts["met"], counts["required"])


def coverage_gaps_count(scope, day):
    """The number of schools in scope that break the coverage rule at ``day`` (as ``coverage``, counted over
    the grouped schools)."""
    return coverage_annotated(scope, day).aggregate(n=Count("pk", filter=REQUIRED & ~MEETS))["n"]


@metric(
    "orgs.coverage_gaps",
    gettext_lazy("Coverage gaps"),
    gettext_lazy("Schools in scope that break the coverage rule, each listed with its reason."),
)
def coverage_gaps(scope, period):
    rows = list(coverage_gaps_rows(scope, period))
    return Result(len(rows), items=[{"school": r["code"], "reason": gap_reason(r)} for r in rows])


@metric(
    "private.dispatched",
    gettext_lazy("Dispatched to private schools"),
    gettext_lazy(
        "Secretaries and party-building instructors publicly dispatched to private schools within the period."
    ),
)
def dispatched(scope, period):
    rows = Dispatch.objects.filter(
        school_in_scope_at(scope, period.end, school="school_id"),
        public=True,
        start_on__range=(period.start, period.end),
        school__ownership=Ownership.PRIVATE,
    )
    return Result(rows.values("person").distinct().count())
