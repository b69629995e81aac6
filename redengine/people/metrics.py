"""Metrics that count people: coverage (应建尽建), dispatches, and members among title holders (metrics.md)."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.metrics import Result, metric
from redengine.orgs import rules
from redengine.orgs.choices import OrgType, Ownership
from redengine.orgs.metrics import covering_at, school_in_scope_at
from redengine.orgs.models import School

from .choices import DispatchRole, Title
from .models import Dispatch, Honor, Membership


def coverage_annotated(scope, day):
    """Schools in scope at ``day`` with their full members then and how they are covered then."""
    full = (
        Membership.objects.full_members_at(day)
        .filter(person__school=OuterRef("pk"))
        .order_by()
        .values("person__school")
        .annotate(n=Count("person", distinct=True))
        .values("n")
    )
    members = (
        Membership.objects.members_at(day)
        .filter(person__school=OuterRef("pk"))
        .order_by()
        .values("person__school")
        .annotate(n=Count("person", distinct=True))
        .values("n")
    )
    covering = covering_at(day)
    instructor = Dispatch.objects.filter(
        school_id=OuterRef("pk"), role=DispatchRole.INSTRUCTOR, start_on__lte=day
    ).filter(Q(end_on__isnull=True) | Q(end_on__gte=day))
    return School.objects.filter(school_in_scope_at(scope, day)).annotate(
        full=Coalesce(Subquery(full, output_field=IntegerField()), Value(0)),
        members=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
        covered=Exists(covering),
        own=Exists(covering.exclude(partyorganization__org_type=OrgType.JOINT_BRANCH)),
        instructed=Exists(instructor),
    )


# The coverage rule (metrics.md; domain-rules ORG.MIN_FORMAL, SCH.MIN, SCH.JOINT, PRIV.SETUP), as Q objects
# over the annotations above: which schools have a requirement, and which of those meet it. A school whose
# members are all probationary needs an organization too: every member, probationary included, belongs to
# a branch (党章 art. 8; S19 of the 细则's 25 steps) — a gap of 应建尽建 when none covers the school.
OWN = rules.OWN_ORGANIZATION_FROM
REQUIRED = Q(full__gte=1) | Q(members__gte=1) | Q(ownership=Ownership.PRIVATE)
MEETS = (
    Q(full__gte=OWN, own=True)
    | Q(full__gte=1, full__lt=OWN, covered=True)
    | Q(full=0, members__gte=1, covered=True)
    | Q(full=0, members=0, ownership=Ownership.PRIVATE) & (Q(covered=True) | Q(instructed=True))
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
    rows = coverage_annotated(scope, period.end).filter(REQUIRED).exclude(MEETS)
    return rows.order_by("code").values(
        "pk", "code", "name", "district", "full", "members", "covered", "ownership"
    )


@metric(
    "orgs.coverage",
    gettext_lazy("Coverage"),
    gettext_lazy(
        "Schools in scope with a requirement under the coverage rule that meet it; share of those with a "
        "requirement."
    ),
)
def coverage(scope, period):
    counts = (
        coverage_annotated(scope, period.end)
        .filter(REQUIRED)
        .aggregate(required=Count("pk"), met=Count("pk", filter=MEETS))
    )
    return Result(counts["met"], counts["required"])


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


def member_share(scope, period, titles):
    in_scope = school_in_scope_at(scope, period.end, school="person__school_id")
    holders = Honor.objects.filter(in_scope).held_at(period.end).filter(title__in=titles)
    member = Membership.objects.members_at(period.end).filter(person=OuterRef("person"))
    counts = holders.aggregate(
        holders=Count("person", distinct=True), members=Count("person", distinct=True, filter=Exists(member))
    )
    return Result(counts["members"], counts["holders"])


@metric(
    "cultivation.member_share.backbone",
    gettext_lazy("Members among backbone and excellent teachers"),
    gettext_lazy("Holders of 骨干教师 or 卓越教师 at the period end who are party members."),
)
def share_backbone(scope, period):
    return member_share(scope, period, [Title.BACKBONE_TEACHER, Title.EXCELLENT_TEACHER])


@metric(
    "cultivation.member_share.principals",
    gettext_lazy("Members among famous principals"),
    gettext_lazy("Holders of 首席名校长 or 名校长 at the period end who are party members."),
)
def share_principals(scope, period):
    return member_share(scope, period, [Title.CHIEF_PRINCIPAL, Title.FAMOUS_PRINCIPAL])


@metric(
    "cultivation.member_share.studio",
    gettext_lazy("Members among studio trainees"),
    gettext_lazy("名校长工作室学员 at the period end who are party members."),
)
def share_studio(scope, period):
    return member_share(scope, period, [Title.STUDIO_TRAINEE])
