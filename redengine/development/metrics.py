"""Metrics of member development (metrics.md): admissions, overdue steps, backbone teachers developed.

A case lies in a scope by its organization (the subtree of the scope organization, by path prefix). Each
figure is one aggregate query over the cases and their steps, or the memberships; no row is loaded into Python.

"Admitted" is a membership's 入党日期 (metrics.md): the date of the branch general meeting that admitted the
person (S15, PROB.START), recorded as a membership once the superior committee's approval (S17) is, or a
membership imported or recorded without a case; people are in scope by their school.

"Overdue at the period end" reads the stored plan of each case (``next_due``, the nearest deadline of a
pending step, derived by ``engine.plan``) only while the period is not over: the plan is the case's
state now. For a period that has ended, the state at its end is worked out again from the dates of the
steps recorded up to that day, with the deadlines of ``rules.py`` (the only steps that have one are S02,
S06, S17 and S24), in one query counting the kinds of steps of each case; a case closed on or before that
day (withdrawn, transferred) is not open then. ``overdue_at`` gives either reading for any day.
"""

import datetime

from django.db.models import Case, CharField, Count, DateField, F, Max, Q, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.metrics import Result, metric
from redengine.orgs.metrics import school_in_scope_at
from redengine.people.models import Membership

from .engine import next_half_year_end
from .models import DevelopmentCase, DevelopmentEvent
from .rules import STEP, add_months, param

DAY = datetime.timedelta(days=1)


def admitted_in(scope, period):
    """Memberships of people in scope (by their school, as every figure of people) admitted as
    probationary members within the period (入党日期): through a case recorded step by step, whose approval
    (S17) records the membership, or recorded as a membership only (imported, or from before the platform)."""
    in_scope = school_in_scope_at(scope, period.end, school="person__school_id")
    return Membership.objects.filter(in_scope, admitted_on__range=(period.start, period.end))


@metric(
    "development.admitted",
    _("Admitted as probationary members"),
    _(
        "People in scope admitted as probationary members within the period, by their membership's date of "
        "admission (入党日期): whether the admission came through a development case recorded step by step "
        "or only as a membership (imported, or from before the platform)."
    ),
)
def admitted(scope, period):
    return Result(admitted_in(scope, period).values("person").distinct().count())


@metric(
    "development.overdue",
    _("Development cases overdue"),
    _(
        "Development cases of the scope's organizations with a step past its deadline at the period end. "
        "While the period is not over, today: open cases whose nearest deadline is before today (their "
        "current plan). For a past period, the state on its last day worked out from the steps recorded "
        "with dates up to that day: a talk (S02), a half-yearly assessment of an activist (S06), an approval "
        "of an admission (S17) or of a conversion decision (S24) whose deadline had passed; cases closed by "
        "then do not count."
    ),
)
def overdue(scope, period):
    return Result(overdue_at(scope, min(period.end, timezone.localdate())))


@metric(
    "development.late_steps",
    _("Development steps taken late"),
    _(
        "Development steps dated within the period that were taken after their time limit — a talk later than "
        "a month after the application, a half-year without an activist's assessment, an approval later than "
        "three months, a conversion not discussed when the probation ended, a conversion approved later than "
        "three months: recorded as they happened and flagged, never refused; in cases of the scope's "
        "organizations."
    ),
)
def late_steps(scope, period):
    events = DevelopmentEvent.objects.filter(
        case__organization__path__startswith=scope.path, late=True, date__range=(period.start, period.end)
    )
    return Result(events.count())


def overdue_at(scope, day, *, today=None):
    """The number of cases in the scope's subtree with a step past its deadline on ``day``: by the stored
    plan when ``day`` is today or later, else from the steps dated up to ``day``."""
    today = today or timezone.localdate()
    cases = DevelopmentCase.objects.in_subtree(scope.path)
    if day >= today:
        return cases.overdue(day).count()
    return late_from_steps(cases, day).count()


def last_base(day, months):
    """The latest date from which ``months`` months (the rules' calendar convention) end before ``day``:
    ``add_months(base, months) < day`` exactly when ``base <= last_base(day, months)``."""
    base = add_months(day, -months)
    while add_months(base, months) >= day:
        base -= DAY
    while add_months(base + DAY, months) < day:
        base += DAY
    return base


def extensions():
    """No extension, or one of the months the rules allow (prob.extension_min/max_months)."""
    return [0, *range(param("prob.extension_min_months"), param("prob.extension_max_months") + 1)]


def assessment_base(day):
    """The latest base (activist or assessment) whose half-yearly assessment is past due on ``day``."""
    if not param("dev.assessment_by_calendar_half_year", on=day):
        return last_base(day, deadline_months("S06"))
    # due by the end of the half-year after the base's: past due on ``day`` for a base two half-years back.
    base = datetime.date(day.year, 6, 30) if day.month <= 6 else datetime.date(day.year, 12, 31)
    while next_half_year_end(base) >= day:
        base = datetime.date(base.year, 6, 30) if base.month == 12 else datetime.date(base.year - 1, 12, 31)
    return base


def deadline_months(code):
    return param(STEP[code].deadline.months)


def late_from_steps(cases, day):
    """The ``cases`` that, on ``day``, by their steps dated up to it, have a pending step past its deadline.

    It is ``engine.plan`` over those steps, with ``Due.late(day)``, for the five steps with a deadline
    (a deadline runs from its base step even while the steps the step requires are not all done):

    - S02 pending (no talk yet), due a month after the application (S01);
    - S06 pending from the determination as an activist (S03) until the determination as a candidate
      (S07), due by the end of the calendar half-year after that of the later of S03 and the latest
      assessment (domain-rules §0.1; six months after it where the parameter reads it so);
    - S17 pending from the branch meeting (S15) until the approval, due three months after S15;
    - S23 pending from the approval of the admission (S17) while no decision or only an extension was
      taken, due when the probation ends (with its extension) and the month to discuss it;
    - S24 pending while a conversion decision (S23) awaits its approval (more S23 than S24), due three
      months after the latest S23.

    One pass over the steps: the cases joined to their steps up to ``day``, grouped by case, with a count
    of each kind of step that matters, the date of the admission meeting (S15, once a case) and the months
    of the extension (a count per length of extension made 15 aggregates more to build and compile). A
    correlated ``EXISTS`` per step and case let SQLite, without ``ANALYZE`` statistics, walk the (step,
    date) index for every case: 45 s for the demo city.
    """
    base_months = param("prob.length_months") + param("conv.discussion_deadline_months")
    talk = last_base(day, deadline_months("S02"))
    assessment = assessment_base(day)
    approval = last_base(day, deadline_months("S17"))
    conversion = last_base(day, deadline_months("S24"))

    def steps(code, after=None, until=None):
        condition = Q(events__step=code)
        if after is not None:
            condition &= Q(events__date__gt=after)
        if until is not None:
            condition &= Q(events__date__lte=until)
        return Count("events", filter=condition)

    extend = Q(events__step="S23", events__data__outcome="extend")
    counted = (
        cases.filter(events__date__lte=day)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .annotate(
            talked=steps("S02"),
            applied=steps("S01", until=talk),
            candidate=steps("S07"),
            activist=steps("S03", until=assessment),
            assessed=steps("S06", after=assessment),
            approved=steps("S17"),
            votes=steps("S23"),
            approvals=steps("S24"),
            voted=steps("S23", until=conversion),
            voted_since=steps("S23", after=conversion),
            extended=Count("events", filter=extend),
            # The months of the extension (one decision extends at most), as text: as both databases read a
            # JSON number.
            extension=Max(
                Cast(KeyTextTransform("extension_months", "events__data"), CharField()), filter=extend
            ),
            met_on=Max("events__date", filter=Q(events__step="S15")),  # the admission meeting (once a case)
        )
    )
    # S23 pending once approved while every decision so far extended the probation (at most one did), due
    # ``prob.length + extension + conv.discussion_deadline`` months after the admission meeting (S15): past
    # due when the meeting is on or before the latest base of the case's extension.
    conversion_base = Case(
        When(extended=0, then=Value(last_base(day, base_months))),
        *(
            When(extension=str(months), then=Value(last_base(day, base_months + months)))
            for months in extensions()
            if months
        ),
        output_field=DateField(),
    )
    conversion_due = Q(met_on__lte=conversion_base)
    return counted.filter(
        Q(talked=0, applied__gt=0)
        | Q(candidate=0, activist__gt=0, assessed=0)
        | Q(approved=0, met_on__lte=approval)
        | Q(votes__gt=F("approvals"), voted__gt=0, voted_since=0)
        | (Q(approved__gt=0, votes=F("approvals")) & Q(votes=F("extended")) & conversion_due)
    )
