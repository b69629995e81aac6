"""Record completeness (信息完整度): which required items a person's or an organization's record lacks.

Computed in the database (one expression per item), so that "the least complete records in scope"
is one ordered query, whatever the number of records.
"""

from functools import reduce
from operator import and_

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.orgs import rules

from .models import CommitteePost, Membership, current_posts

PERSON_ITEMS = [
    ("ethnic_group", _("ethnic group"), ~Q(ethnic_group="")),
    ("education", _("education"), ~Q(education="")),
    ("mobile", _("mobile"), ~Q(mobile_cipher="")),
    ("post", _("post"), ~Q(post="")),
]


def _person_membership_ok():
    # A party member's record is complete only with the current membership's organization and dates.
    current = Membership.objects.filter(person=OuterRef("pk"), ended_on__isnull=True)
    full = current.filter(full_on__isnull=False)
    return (
        ~Q(political_status__in=["member", "probationary"])
        | (Q(political_status="probationary") & Exists(current))
        | (Q(political_status="member") & Exists(full))
    )


def org_items():
    # A secretary today: the post taken up and not yet left (no date left, or one still to come).
    secretary = current_posts(
        CommitteePost.objects.filter(organization=OuterRef("pk"), post="secretary"), timezone.localdate()
    )
    no_term = Q(
        org_type__in=[kind for kind, years in rules.TERM_YEARS.items() if years is None], term_years=None
    )
    return [
        ("founded_on", _("founding date"), Q(founded_on__isnull=False)),
        # An organization with no term (a working committee, a temporary branch) holds no election.
        ("last_election_on", _("date of the last election"), Q(last_election_on__isnull=False) | no_term),
        ("secretary", _("secretary"), Exists(secretary)),
    ]


def _score(items):
    total = Value(0)
    for _key, _label, condition in items:
        total = total + Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())
    return total


def person_items():
    return [*PERSON_ITEMS, ("membership", _("membership dates"), _person_membership_ok())]


def people_by_completeness(queryset):
    """People annotated with ``filled`` (of ``len(person_items())``), least complete first."""
    items = person_items()
    annotated = queryset.annotate(
        filled=_score(items),
        **{f"has_{key}": Case(When(c, then=Value(True)), default=Value(False)) for key, _label, c in items},
    )
    return annotated.order_by("filled", "school__code", "name", "pk"), items


def organizations_by_completeness(queryset):
    items = org_items()
    annotated = queryset.annotate(
        filled=_score(items),
        **{f"has_{key}": Case(When(c, then=Value(True)), default=Value(False)) for key, _label, c in items},
    )
    return annotated.order_by("filled", "path"), items


def missing(obj, items):
    return [label for key, label, _c in items if not getattr(obj, f"has_{key}")]


def incomplete(annotated):
    """The incomplete records of an annotated queryset (``people_by_completeness`` or
    ``organizations_by_completeness``), and its items."""
    queryset, items = annotated
    return queryset.filter(filled__lt=len(items)), items


def lacking_any(queryset, items):
    """The records that lack at least one of ``items``: the incomplete ones, as one condition (not all of
    them), for a count — what ``incomplete`` finds, without scoring every item."""
    return queryset.exclude(reduce(and_, (condition for _key, _label, condition in items)))


def lacking(queryset, items, key):
    """The records that lack the item ``key`` (an unknown key: all of them)."""
    return queryset.filter(**{f"has_{key}": False}) if key in {k for k, _l, _c in items} else queryset


def counts_by(queryset, items, *fields):
    """One grouped query: per value of ``fields``, the records, the incomplete ones, and those lacking each
    item, as dicts with ``total``, ``incomplete`` and ``lacks`` ([(label, n)], most lacked first)."""
    rows = (
        queryset.order_by()
        .values(*fields)
        .annotate(
            total=Count("pk"),
            incomplete=Count("pk", filter=Q(filled__lt=len(items))),
            **{f"lacks_{key}": Count("pk", filter=Q(**{f"has_{key}": False})) for key, _l, _c in items},
        )
    )
    out = []
    for row in rows:
        lacks = [(label, row.pop(f"lacks_{key}")) for key, label, _c in items]
        row["lacks"] = sorted((pair for pair in lacks if pair[1]), key=lambda pair: -pair[1])
        out.append(row)
    return out


def organizations_by_bureau(queryset, items):
    """``counts_by`` for organizations grouped by the district bureau above them (a prefix of the path)."""
    from redengine.orgs.models import PartyOrganization

    step = PartyOrganization.steplen
    return counts_by(queryset.annotate(bureau=Substr("path", 1, 2 * step)), items, "bureau")
