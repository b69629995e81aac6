"""The figures of dual cultivation (metrics.md): backbone teachers developed, the members among title holders,
the mentorships and their titled apprentices.

Each is computed at a date from the dated records: titles held on a day (awarded on or before it, not lapsed
on or before it), memberships on a day (admitted on or before it, not ended before it: a probationary
member is a member), the membership's 入党日期 (with a development case or without: imported), the
mentorships' days. People lie in scope by their school, a mentorship by its school, at the period end
(``orgs.metrics.school_in_scope_at``). Every figure is one aggregate query; ``COUNTED`` gives, for each,
the people behind its numerator and its denominator (the figure's page lists them).
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from redengine.core.metrics import Result, metric
from redengine.development.metrics import admitted_in
from redengine.orgs.metrics import school_in_scope_at
from redengine.people.choices import Title
from redengine.people.models import Honor, Membership, Person

from .models import Mentorship

BACKBONE_TITLES = (Title.BACKBONE_TEACHER, Title.EXCELLENT_TEACHER)
PRINCIPAL_TITLES = (Title.CHIEF_PRINCIPAL, Title.FAMOUS_PRINCIPAL)
STUDIO_TITLES = (Title.STUDIO_TRAINEE,)


def people(rows, field="person"):
    """The people of ``rows`` (a queryset naming a person in ``field``), as a queryset of ``Person``."""
    return Person.objects.filter(pk__in=rows.values(field))


def share_of(rows, condition, field="person"):
    """The people of ``rows`` for whom ``condition`` holds, of all its people: one aggregate query."""
    counts = rows.aggregate(
        every=Count(field, distinct=True), some=Count(field, distinct=True, filter=condition)
    )
    return Result(counts["some"], counts["every"])


def people_of_share(rows, condition, field="person"):
    """The people behind ``share_of``: (those for whom ``condition`` holds, all of them)."""
    return people(rows.filter(condition), field), people(rows, field)


# 骨干教师 developed -------------------------------------------------------------------------------------
def backbone_at_admission():
    """The 骨干教师 title held on the membership's day of admission (the outer row is a membership)."""
    return Honor.objects.filter(
        person=OuterRef("person"), title=Title.BACKBONE_TEACHER, awarded_on__lte=OuterRef("admitted_on")
    ).filter(Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=OuterRef("admitted_on")))


@metric(
    "cultivation.backbone_developed",
    _("Backbone teachers developed into members"),
    _(
        "People in scope admitted as probationary members within the period (by their membership's 入党日期) "
        "who held 骨干教师 (any level) on the day of admission; share of all people admitted within the "
        "period (development.admitted)."
    ),
)
def backbone_developed(scope, period):
    return share_of(admitted_in(scope, period), Exists(backbone_at_admission()))


def backbone_developed_people(scope, period):
    return people_of_share(admitted_in(scope, period), Exists(backbone_at_admission()))


# Members among title holders ----------------------------------------------------------------------------
def holders(scope, period, titles):
    in_scope = school_in_scope_at(scope, period.end, school="person__school_id")
    return Honor.objects.filter(in_scope).held_at(period.end).filter(title__in=titles)


def member_on(day):
    return Membership.objects.members_at(day).filter(person=OuterRef("person"))


def member_share(scope, period, titles):
    return share_of(holders(scope, period, titles), Exists(member_on(period.end)))


def member_share_people(titles):
    def counted(scope, period):
        return people_of_share(holders(scope, period, titles), Exists(member_on(period.end)))

    return counted


@metric(
    "cultivation.member_share.backbone",
    _("Members among backbone and excellent teachers"),
    _(
        "Holders of 骨干教师 or 卓越教师 at the period end who are party members (probationary members included)."
    ),
)
def share_backbone(scope, period):
    return member_share(scope, period, BACKBONE_TITLES)


@metric(
    "cultivation.member_share.principals",
    _("Members among famous principals"),
    _(
        "Holders of 首席名校长 or 名校长 at the period end who are party members (probationary members included)."
    ),
)
def share_principals(scope, period):
    return member_share(scope, period, PRINCIPAL_TITLES)


@metric(
    "cultivation.member_share.studio",
    _("Members among studio trainees"),
    _("名校长工作室学员 at the period end who are party members (probationary members included)."),
)
def share_studio(scope, period):
    return member_share(scope, period, STUDIO_TITLES)


# Mentorships ------------------------------------------------------------------------------------------
def mentorships_in(scope, period):
    return Mentorship.objects.filter(school_in_scope_at(scope, period.end, school="school_id"))


def active(scope, period):
    return mentorships_in(scope, period).active_within(period.start, period.end)


@metric(
    "cultivation.mentorships",
    _("Mentoring pairs"),
    _(
        "Mentoring pairs (青蓝工程, 师徒结对) of the schools in scope running on some day of the period: started "
        "on or before its end and not ended before its start."
    ),
)
def mentorships(scope, period):
    return Result(active(scope, period).count())


def mentorships_people(scope, period):
    return people(active(scope, period), "apprentice"), None


def title_within_window():
    """A title awarded to the apprentice from the mentorship's start to the end of its window (``titled_by``)."""
    return Honor.objects.filter(
        person=OuterRef("apprentice"),
        awarded_on__gte=OuterRef("start_on"),
        awarded_on__lte=OuterRef("titled_by"),
    )


def ended_in(scope, period):
    return mentorships_in(scope, period).filter(ended_on__range=(period.start, period.end))


@metric(
    "cultivation.apprentices_titled",
    _("Apprentices awarded a title"),
    _(
        "Apprentices of the mentorships of the schools in scope that ended within the period who were awarded "
        "a title (骨干教师, 卓越教师, 名校长 …) from the mentorship's start to two years after it; share of those "
        "apprentices."
    ),
)
def apprentices_titled(scope, period):
    return share_of(ended_in(scope, period), Exists(title_within_window()), "apprentice")


def apprentices_titled_people(scope, period):
    return people_of_share(ended_in(scope, period), Exists(title_within_window()), "apprentice")


# name -> function(scope, period) -> (the people of the numerator, of the denominator or None)
COUNTED = {
    "cultivation.backbone_developed": backbone_developed_people,
    "cultivation.member_share.backbone": member_share_people(BACKBONE_TITLES),
    "cultivation.member_share.principals": member_share_people(PRINCIPAL_TITLES),
    "cultivation.member_share.studio": member_share_people(STUDIO_TITLES),
    "cultivation.mentorships": mentorships_people,
    "cultivation.apprentices_titled": apprentices_titled_people,
}
