"""Indicators scored from the records (fill once): an item bound to a figure of another app (``metric``, its
name in ``core.metrics.REGISTRY``) is scored for the branch and the campaign's year, so that a branch never
types a fact the platform holds.

* ``figure(metric, org, year)``: the figure as JSON (``value``, maybe ``denominator`` and ``share``), computed
  by the registry for the branch's subtree and the calendar year; ``points_of(indicator, figure)`` the points
  it gives (``scoring.automatic_points``).
* ``refresh_automatic(evaluations, *, by)``: the figures and points stored on the score rows (``auto_points``,
  ``auto_figure``, ``auto_on``) brought up to date, and the totals with them; called when an evaluation is
  made, at the submission and the approval, and every day for the evaluations still running (``daily.py``).
  A published evaluation never changes: its figures are those of its last move.
* ``live_figures(evaluation)``: for a page, the figures of an unpublished evaluation as the records give them
  now (a published one: as stored), each with ``records_url``: the list of the records behind it.

A row is written only when its figure's count (or its points) changed, so that the daily refresh leaves no
change record when nothing happened; ``auto_on`` is when the figure stored was computed.
"""

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from redengine.core.audit import bulk_update_audited, remember
from redengine.core.metrics import REGISTRY, Period
from redengine.core.writes import Problem, RefusedError, chunked, outside_scope, writing

from .. import scoring
from ..models import Evaluation, Score
from ..rules import Status

AUTO_FIELDS = ["auto_points", "auto_figure", "auto_on"]


def figure(metric, org, year):
    """The figure of ``metric`` for ``org``'s subtree and the calendar ``year``, as JSON; None for a name the
    registry does not know."""
    found = REGISTRY.get(metric)
    if found is None:
        return None
    return found.compute(org, Period.of(year)).as_json()


def figures_for(wanted):
    """{(metric, org pk, year): figure} for ``wanted`` ({(metric, org pk, year): org}): each once."""
    return {key: figure(key[0], org, key[2]) for key, org in wanted.items()}


def points_of(indicator, found):
    """The points ``found`` (a figure) gives an automatic item; None without a figure or a mode."""
    if found is None or not indicator.auto_mode:
        return None
    return scoring.automatic_points(indicator.auto_mode, indicator.max_points, indicator.auto_target, found)


def same_figure(stored, found):
    """Whether two figures count the same (their labels may be in another language)."""
    if stored is None or found is None:
        return stored is found
    return all(stored.get(k) == found.get(k) for k in ("value", "denominator"))


def update_figures(evaluations, facts):
    """Bring the automatic score rows of ``evaluations`` (loaded, with their campaigns) up to date, but those
    of published evaluations; write the rows that changed (audited). The rows changed."""
    todo = {e.pk: e for e in evaluations if e.status != Status.PUBLISHED}
    automatic = {
        pk: item
        for e in todo.values()
        for pk, item in facts.items[e.campaign.scheme_id].items()
        if item.metric
    }
    if not todo or not automatic:
        return []
    rows = []
    for chunk in chunked(sorted(todo)):
        rows += list(
            Score.objects.filter(evaluation_id__in=chunk, indicator_id__in=sorted(automatic)).order_by()
        )
    remember(rows)
    wanted = {}
    for score in rows:
        evaluation = todo[score.evaluation_id]
        score.evaluation = evaluation
        score.indicator = automatic[score.indicator_id]
        wanted[(score.indicator.metric, evaluation.organization_id, evaluation.campaign.year)] = (
            evaluation.organization
        )
    figures = figures_for(wanted)
    now = timezone.now()
    for score in rows:
        evaluation = score.evaluation
        found = figures[(score.indicator.metric, evaluation.organization_id, evaluation.campaign.year)]
        points = points_of(score.indicator, found)
        if points != score.auto_points or not same_figure(score.auto_figure, found):
            score.auto_points, score.auto_figure, score.auto_on = points, found, now
    return bulk_update_audited(
        Score, rows, AUTO_FIELDS, scope_paths=[s.evaluation.organization.path for s in rows]
    )


def refresh_automatic(evaluations, *, by):
    """Refresh the automatic figures of ``evaluations`` (records or pks) in ``by``'s scope, and their totals;
    a published one is left as it is. The number of score rows changed."""
    from .. import services

    given = list(evaluations)
    with writing(by) as write:
        loaded = services.load_evaluations(given, lock=True)
        visible = write.allowed(Evaluation, "view", list(loaded.values()))
        problems = [
            Problem(outside_scope(), index, None, True)
            for index, e in enumerate(given)
            if getattr(e, "pk", e) not in visible
        ]
        if problems:
            raise RefusedError(problems)
        todo = [e for e in loaded.values() if e.status != Status.PUBLISHED]
        facts = services.facts_of(todo)
        changed = update_figures(todo, facts)
        touched = {s.evaluation_id for s in changed}
        again = [e for e in todo if e.pk in touched]
        services.recompute(again, facts)
        services.write_evaluations(again)
        write.expect(Evaluation, "view", todo)
    return len(changed)


def running_evaluations():
    """The evaluations whose figures still follow the records: all but the published ones."""
    return Evaluation.objects.exclude(status=Status.PUBLISHED)


def refresh_running(batch=500):
    """The daily refresh of every evaluation still running, as the system; (rows changed, evaluations)."""
    from redengine.core.writes import SYSTEM

    pks = list(running_evaluations().order_by("pk").values_list("pk", flat=True))
    changed = 0
    for chunk in chunked(pks, batch):
        changed += refresh_automatic(chunk, by=SYSTEM)
    return changed, len(pks)


def live_figures(evaluation):
    """The automatic items of ``evaluation`` (loaded, with its campaign and branch), in the scheme's order:
    [{"score", "indicator", "figure", "points", "url", "live"}]: for an unpublished evaluation as the records
    give them now, for a published one as stored."""
    rows = list(
        Score.objects.filter(evaluation=evaluation, indicator__parent__isnull=False)
        .exclude(indicator__metric="")
        .select_related("indicator")
        .order_by("indicator__position", "indicator_id")
    )
    live = evaluation.status != Status.PUBLISHED
    year, org = evaluation.campaign.year, evaluation.organization
    found = []
    for score in rows:
        item = score.indicator
        shown = figure(item.metric, org, year) if live else score.auto_figure
        found.append(
            {
                "score": score,
                "indicator": item,
                "figure": shown,
                "points": points_of(item, shown) if live else score.auto_points,
                "url": records_url(item.metric, org, year),
                "live": live,
            }
        )
    return found


def _within(org, year):
    return {"within": org.code, "year": year}


# metric name -> (URL name, function(org, year) -> (args, query)): the list of the records behind a figure,
# filtered as the figure counts them (the lists' own filters: activities' compliance page takes the
# organization's code and the year; the other lists take ``within`` (a subtree, by code) and their year).
RECORDS = {
    "activities.compliance": (
        "activities:compliance",
        lambda o, y: ([], {"organization": o.code, "year": y}),
    ),
    "orgs.elections_due": ("orgs:organization_detail", lambda o, y: ([o.pk], {})),
    "development.late_steps": (
        "development:case_list",
        lambda o, y: ([], {"within": o.code, "has_late": "true"}),
    ),
    "development.overdue": ("development:case_list", lambda o, y: ([], {"within": o.code, "late": "true"})),
    "development.admitted": ("development:case_list", lambda o, y: ([], {"within": o.code})),
    "cultivation.backbone_developed": (
        "cultivation:figure_people",
        lambda o, y: (["cultivation.backbone_developed"], {"org": o.code, "year": y}),
    ),
    "cultivation.mentorships": ("cultivation:mentorship_list", lambda o, y: ([], {"within": o.code})),
    "cultivation.apprentices_titled": (
        "cultivation:figure_people",
        lambda o, y: (["cultivation.apprentices_titled"], {"org": o.code, "year": y}),
    ),
    "pioneer.filed": ("pioneer:pioneerunit_list", lambda o, y: ([], _within(o, y))),
    "pioneer.certified": (
        "pioneer:pioneerunit_list",
        lambda o, y: ([], {**_within(o, y), "certified_by": y}),
    ),
    "pioneer.service_hours": ("pioneer:servicelog_list", lambda o, y: ([], _within(o, y))),
    "pairing.activities": ("pairing:pairactivity_list", lambda o, y: ([], _within(o, y))),
    "pairing.pairs": ("pairing:schoolpair_list", lambda o, y: ([], _within(o, y))),
}


def records_url(metric, org, year):
    """The address of the list of the records behind ``metric`` for ``org`` and ``year``; None when the
    figure has no such list."""
    known = RECORDS.get(metric)
    if known is None:
        return None
    name, make = known
    args, query = make(org, year)
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url
