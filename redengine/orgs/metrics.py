"""Metrics of the organization tree (metrics.md). Each is aggregate queries over the scope's subtree."""

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _

from redengine.core.metrics import Result, metric

from .models import AffiliationChange, PartyOrganization, SchoolPlace, StartupGrant, holds_root

Coverage = PartyOrganization.schools.through
CENT = Decimal("0.01")


def existing_at(day, scope):
    """Organizations of the scope's subtree that exist at ``day`` (founded on or before it, or undated)."""
    return PartyOrganization.objects.in_subtree(scope.path).filter(
        Q(founded_on__isnull=True) | Q(founded_on__lte=day)
    )


def covering_at(day, school="pk"):
    """Coverage rows of the row's school by organizations that exist at ``day``."""
    return Coverage.objects.filter(school_id=OuterRef(school)).filter(
        Q(partyorganization__founded_on__isnull=True) | Q(partyorganization__founded_on__lte=day)
    )


def school_in_scope_at(scope, day, school="pk"):
    """Rows whose school lies in the scope's subtree at ``day`` (metrics.md, "In scope"): by the organizations
    that cover it then or, when none does, by its district's organization, else by the root.

    An organization founded after ``day`` does not exist yet, so it covers nothing then: a school covered
    only by it falls to its district (the registry's ``school_scope_q`` reads the coverage of today).
    ``school`` names the row's school id, so that people, titles and dispatches are placed by their school
    with the same rule. Read from the schools' placements with their days (``SchoolPlace``): one index range.
    """
    if holds_root([scope.path]):  # the root's subtree holds every school
        return Q(pk__isnull=False)
    places = SchoolPlace.objects.at(day).under([scope.path]).values("school_id")
    return Q(**{f"{school}__in": places})


def school_level(queryset):
    """Organizations covering at least one school whose parent covers none of the same schools.

    "The parent covers one of the same schools" is one ``EXISTS`` over the organization's coverage joined to
    its schools' other coverage (not an ``EXISTS`` inside another, which PostgreSQL cannot turn into a join
    and hashes over the coverage of every school)."""
    queryset = queryset.annotate(parent_path=Substr("path", 1, Length("path") - PartyOrganization.steplen))
    own = Coverage.objects.filter(partyorganization_id=OuterRef("pk"))
    shared_with_parent = own.filter(school__organizations__path=OuterRef("parent_path"))
    return queryset.filter(Exists(own)).exclude(Exists(shared_with_parent))


@metric(
    "orgs.school_orgs",
    _("School-level organizations"),
    _(
        "School-level organizations in scope at the period end: they cover at least one school and their "
        "parent covers none of the same schools."
    ),
)
def school_orgs(scope, period):
    return Result(school_level(existing_at(period.end, scope)).count())


@metric(
    "orgs.received",
    _("Organizations received"),
    _("Grassroots organizations moved into the education system by an affiliation change within the period."),
)
def received(scope, period):
    changes = AffiliationChange.objects.in_subtree(scope.path).filter(
        old_parent__isnull=True, changed_on__range=(period.start, period.end)
    )
    return Result(changes.values("organization").distinct().count())


@metric(
    "orgs.elections_due",
    _("Elections due"),
    _("Organizations in scope whose term has run out without an election, at the period end."),
)
def elections_due(scope, period):
    return Result(existing_at(period.end, scope).filter(election_due_on__lte=period.end).count())


@metric(
    "private.new_orgs",
    _("New organizations in private schools"),
    _("Party organizations founded in private schools within the period."),
)
def private_new_orgs(scope, period):
    private = Coverage.objects.filter(partyorganization_id=OuterRef("pk"), school__ownership="private")
    founded = (
        PartyOrganization.objects.in_subtree(scope.path)
        .filter(founded_on__range=(period.start, period.end))
        .filter(Exists(private))
    )
    return Result(founded.count())


@metric(
    "private.startup_funds",
    _("Start-up funds"),
    _("Start-up funds granted within the period (yuan), and the number of grants."),
)
def startup_funds(scope, period):
    grants = StartupGrant.objects.in_subtree(scope.path).filter(approved_on__range=(period.start, period.end))
    totals = grants.aggregate(total=Sum("amount"), n=Count("pk"))
    # In yuan and fen, whatever the database: SQLite's sum comes back unquantized (8000.5, not 8000.50).
    total = (totals["total"] or Decimal("0")).quantize(CENT)
    return Result(total, extra={"grants": totals["n"]})
