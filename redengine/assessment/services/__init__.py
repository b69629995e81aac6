"""Writes on branch star rating (支部星级评定), batch-first; the forms, the API, the daily job and the demo call
them, and one record is a batch of one:

* ``open_campaigns(items, *, by)``: a campaign (``Item.values``: name, scheme, year, scope, starts_on,
  self_until, district_until, city_until) with an evaluation of every branch of its scope that existed at its
  start, each with its score rows and the first automatic figures, in a handful of bulk inserts;
  ``add_evaluations(items, *, by)`` (campaign, organization) for a branch it missed;
* ``record_scores(entries, *, by)`` (``ScoreEntry``): the points and comments of one side — the branch's in
  self-assessment, the district's once submitted, the city's once the district has reviewed;
  ``record_evaluations(items, *, by)``: the branch's report, the reviewers' bonus with its reason;
* ``add_evidence(uploads, *, by)`` (``Upload``) and ``remove_evidence(files, *, by)``: the branch's files;
* ``move_evaluations(steps, *, by)`` (``Step``): submit, review, return, approve (with the level awarded),
  send back, publish; ``start_publicity(campaign, date, *, by)`` before publication; a publication writes the
  branch's ``Rating`` of the year.

Each batch is checked before anything is written, every problem located on its item and field (rules.py):

* a record outside the writer's scope answers as one that does not exist; a role without the action that
  owns a side or a move is told so; a published evaluation is frozen: nothing of it changes;
* points lie from 0 to the item's maximum, with one decimal; an item scored from the records (``metric``) is
  not typed by the branch, and a reviewer overrides its points only with a reason; a veto item has no points,
  and only a reviewer records that it failed; the bonus (reviewers only) is at most the scheme's, with a reason;
* a submission has every item scored (but those scored from the records and the veto items) and a file for
  every item that requires evidence; a return and a sending back give their reason; the level awarded is at
  most the level the points give, and within the quota of that level; a publication comes after the
  publicity has ended and writes the branch's rating of the year, which it must not have already;
* the phases' ends are time limits on the organizations' own work: a move after its phase ended is recorded
  and flagged late, never refused (domain-rules §0.1).

The totals of each side, the level they give and whether a veto item failed are kept on ``Evaluation`` at
every write (``scoring.py``); the automatic figures are refreshed at the submission and the approval
(``automatic.py``). Every write is audited through the bulk helpers, and the write path re-checks the scope
before it commits.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.audit import bulk_create_audited, bulk_update_audited, remember
from redengine.core.files import check_file, sealed_file
from redengine.core.services import ADD, CHANGE, PICK, VIEW, Item, ModelService, Plan
from redengine.core.workdays import add_working_days
from redengine.core.writes import Problem, RefusedError, chunked, outside_scope, writing
from redengine.orgs.models import PartyOrganization

from .. import rules, scoring
from ..models import Campaign, Evaluation, EvaluationMove, EvidenceFile, Indicator, Level, Rating, Score
from ..rules import (
    CONFIRM,
    M_APPROVE,
    M_PUBLISH,
    M_RETURN,
    M_REVIEW,
    M_SEND_BACK,
    M_SUBMIT,
    MAX_LEVEL,
    NEEDS_REASON,
    PUBLISH,
    RATED_TYPES,
    REVIEW,
    SIDE_ACTION,
    SIDE_STATUS,
    SUBMIT,
    Side,
    Status,
)
from . import automatic

FILE_KINDS = ("pdf", "docx", "jpg", "jpeg", "png")  # evidence: PDF, Word and photos, checked by content
TOTAL_FIELDS = ["self_total", "district_total", "total", "computed_level", "veto_failed"]
MOVE_FIELDS = ["status", "level", "submitted_on", "reviewed_on", "approved_on", "published_on"]
DATE_FIELD = {
    M_SUBMIT: "submitted_on",
    M_REVIEW: "reviewed_on",
    M_APPROVE: "approved_on",
    M_PUBLISH: "published_on",
}
COMMENT_MAX = 1000


# Messages ---------------------------------------------------------------------------------------------
def required():
    return _("This field is required.")


def frozen():
    return _("This evaluation is published: it is frozen and nothing of it can be changed any more.")


def status_label(status):
    return str(Status(status).label)


def side_label(side):
    return str(Side(side).label)


# The facts of schemes ----------------------------------------------------------------------------------
class Facts:
    """The items (indicators with a dimension) and the levels of some schemes, read in two queries."""

    def __init__(self, scheme_ids):
        ids = sorted(set(scheme_ids))
        self.items = defaultdict(dict)  # scheme id -> {indicator id: Indicator}, in the scheme's order
        self.levels = defaultdict(list)  # scheme id -> [Level], highest first
        if not ids:
            return
        for indicator in Indicator.objects.filter(scheme_id__in=ids, parent__isnull=False).order_by(
            "scheme_id", "position", "id"
        ):
            self.items[indicator.scheme_id][indicator.pk] = indicator
        for level in Level.objects.filter(scheme_id__in=ids).order_by("scheme_id", "-level"):
            self.levels[level.scheme_id].append(level)

    def thresholds(self, scheme_id):
        return [(lv.level, lv.min_points) for lv in self.levels[scheme_id]]

    def level(self, scheme_id, level):
        return next((lv for lv in self.levels[scheme_id] if lv.level == level), None)

    def level_name(self, scheme_id, level):
        found = self.level(scheme_id, level)
        return found.name if found is not None else rules.star_name(level)


def facts_of(evaluations):
    return Facts({e.campaign.scheme_id for e in evaluations})


# Loading -----------------------------------------------------------------------------------------------
def load_evaluations(given, lock=False):
    """{pk: evaluation} as recorded (with its campaign, scheme and branch), remembered for the audit trail;
    ``lock``: one writer at a time on them."""
    pks = sorted({getattr(e, "pk", e) for e in given if e is not None and getattr(e, "pk", e)})
    found = {}
    for chunk in chunked(pks):
        if lock:
            list(Evaluation.objects.select_for_update().filter(pk__in=chunk).order_by().values_list("pk"))
        found.update(
            (e.pk, e)
            for e in Evaluation.objects.filter(pk__in=chunk)
            .select_related("campaign__scheme", "campaign__scope", "organization")
            .order_by()
        )
    remember(list(found.values()))
    return found


def paths_of(evaluations):
    return [e.organization.path for e in evaluations]


def evaluation_paths(objs):
    """The scope paths of records of an evaluation (scores, files, moves), their evaluations at hand."""
    return [o.evaluation.organization.path for o in objs]


# Totals --------------------------------------------------------------------------------------------------
def item_points(indicator, score):
    """``scoring.ItemPoints`` of a score row (a ``Score`` or a dict of its values)."""
    get = score.get if isinstance(score, dict) else lambda name: getattr(score, name)
    return scoring.ItemPoints(
        max_points=indicator.max_points,
        automatic=indicator.is_automatic,
        veto=indicator.veto,
        self_points=get("self_points"),
        district_points=get("district_points"),
        city_points=get("city_points"),
        auto_points=get("auto_points"),
        veto_failed=bool(get("veto_failed")),
    )


def set_totals(evaluation, points, facts):
    """Set the evaluation's totals, level by points and veto flag from its items' ``points``."""
    scheme = evaluation.campaign.scheme
    evaluation.veto_failed = any(p.veto and p.veto_failed for p in points)
    evaluation.self_total = scoring.total_of(points, 0, scheme.total_points, 0, Side.SELF)
    bonus = evaluation.bonus_points or 0
    if evaluation.status == Status.DRAFT:
        evaluation.district_total = None
    else:
        evaluation.district_total = scoring.total_of(
            points, bonus, scheme.total_points, scheme.bonus_max, Side.DISTRICT
        )
    evaluation.total = scoring.total_of(points, bonus, scheme.total_points, scheme.bonus_max, Side.CITY)
    evaluation.computed_level = scoring.level_of(
        evaluation.total, facts.thresholds(scheme.pk), evaluation.veto_failed, scheme.veto_cap
    )


SCORE_VALUES = (
    "evaluation_id",
    "indicator_id",
    "self_points",
    "district_points",
    "city_points",
    "auto_points",
)


def recompute(evaluations, facts):
    """Set the totals of ``evaluations`` from their score rows as recorded now (one query per 5,000)."""
    by_pk = {e.pk: e for e in evaluations}
    rows = defaultdict(list)
    for chunk in chunked(sorted(by_pk)):
        for row in (
            Score.objects.filter(evaluation_id__in=chunk).order_by().values(*SCORE_VALUES, "veto_failed")
        ):
            rows[row["evaluation_id"]].append(row)
    for pk, evaluation in by_pk.items():
        items = facts.items[evaluation.campaign.scheme_id]
        points = [item_points(items[r["indicator_id"]], r) for r in rows[pk] if r["indicator_id"] in items]
        set_totals(evaluation, points, facts)


def write_evaluations(evaluations, fields=TOTAL_FIELDS):
    """Write the changed fields of loaded (remembered) evaluations, audited; the evaluations changed."""
    objs = list(evaluations)
    if not objs:
        return []
    return bulk_update_audited(Evaluation, objs, fields, scope_paths=paths_of(objs))


# Campaigns --------------------------------------------------------------------------------------------
def rated_at(path, day):
    """The rated organizations (branches, joint branches) of the subtree at ``path`` existing on ``day``."""
    return (
        PartyOrganization.objects.in_subtree(path)
        .filter(org_type__in=sorted(RATED_TYPES))
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day))
    )


def make_evaluations(pairs, facts, write):
    """Evaluations of (campaign, branch) pairs, each with a score row per item of its scheme, the automatic
    figures of the records and the totals they give: two bulk inserts (and their audit records)."""
    if not pairs:
        return []
    wanted = {
        (item.metric, org.pk, campaign.year): org
        for campaign, org in pairs
        for item in facts.items[campaign.scheme_id].values()
        if item.metric
    }
    figures = automatic.figures_for(wanted)
    now = timezone.now()
    evaluations, scores = [], []
    for campaign, org in pairs:
        evaluation = Evaluation(campaign=campaign, organization=org, status=Status.DRAFT)
        rows = []
        for item in facts.items[campaign.scheme_id].values():
            score = Score(evaluation=evaluation, indicator=item)
            if item.metric:
                figure = figures.get((item.metric, org.pk, campaign.year))
                score.auto_figure = figure
                score.auto_points = automatic.points_of(item, figure)
                score.auto_on = now
            rows.append(score)
        set_totals(evaluation, [item_points(s.indicator, s) for s in rows], facts)
        evaluations.append(evaluation)
        scores += rows
    bulk_create_audited(Evaluation, evaluations, scope_paths=paths_of(evaluations))
    bulk_create_audited(Score, scores, scope_paths=evaluation_paths(scores))
    write.expect(Evaluation, ADD, evaluations)
    return evaluations


class CampaignService(ModelService):
    model = Campaign
    fields = ("name", "scheme", "year", "scope", "starts_on", "self_until", "district_until", "city_until")
    references = {"scheme": PICK, "scope": PICK}
    unique = (("scope", "year"),)

    def duplicate_message(self, names):
        return _("This scope has a campaign of this year already.")

    def problem_field(self, names):
        return "year"

    def check(self, items, scope):
        plan = Plan(list(items), extra={"scope": scope})
        for action, made in ((ADD, plan.new), (CHANGE, [i for i in plan.items if not i.is_new])):
            if made and not scope.whole_tree and not scope.prefixes(Campaign, action):
                message = (
                    _("Your role may not open a rating campaign.")
                    if action == ADD
                    else _("Your role may not change a rating campaign.")
                )
                plan.problems.append(Problem(message, None, None))
                return plan
        self.build(plan)
        self.check_fixed(plan)
        self.validate(plan)
        self.check_unique(plan)
        self.check_scope(plan, scope)
        return plan

    # Fixed once a campaign is open: its branches were taken from its scope on its start, by its scheme.
    FIXED = ("scheme", "year", "scope", "starts_on")

    def check_fixed(self, plan):
        for index, item in enumerate(plan.items):
            if item.is_new:
                continue
            for name in self.FIXED:
                if name in item.changed:
                    plan.problems.append(
                        Problem(
                            _(
                                "A campaign's scheme, year, scope and start are fixed once it is open (its "
                                "branches were taken on its start): only its name and the ends of its phases "
                                "change."
                            ),
                            index,
                            name,
                        )
                    )

    def validate(self, plan):
        today = timezone.localdate()
        order = ("starts_on", "self_until", "district_until", "city_until")
        for index, item in enumerate(plan.items):
            campaign = item.obj
            lacking = [n for n in ("name", "year", *order) if getattr(campaign, n) in (None, "")]
            if isinstance(campaign.name, str) and not campaign.name.strip():
                lacking.append("name")
            plan.problems += [Problem(required(), index, n) for n in sorted(set(lacking))]
            if (
                item.is_new
                and campaign.starts_on
                and campaign.starts_on > today + datetime.timedelta(days=366)
            ):
                plan.problems.append(
                    Problem(_("A campaign starts within a year from today."), index, "starts_on")
                )
            dates = [(n, getattr(campaign, n)) for n in order]
            for (before, first), (after, second) in zip(dates, dates[1:], strict=False):
                if first and second and second < first:
                    plan.problems.append(
                        Problem(
                            _("This phase cannot end before %(date)s (%(field)s).")
                            % {
                                "date": first.isoformat(),
                                "field": Campaign._meta.get_field(before).verbose_name,
                            },
                            index,
                            after,
                        )
                    )
            if campaign.year and campaign.starts_on and campaign.year > campaign.starts_on.year:
                plan.problems.append(
                    Problem(
                        _(
                            "A campaign rates a year that has begun: %(year)s begins after the campaign starts."
                        )
                        % {"year": campaign.year},
                        index,
                        "year",
                    )
                )
            scheme = campaign.scheme if campaign.scheme_id else None
            if scheme is not None and campaign.year and campaign.year < scheme.effective_year:
                plan.problems.append(
                    Problem(
                        _("This scheme applies from %(year)s: it cannot rate an earlier year.")
                        % {"year": scheme.effective_year},
                        index,
                        "scheme",
                    )
                )
        super().validate(plan)
        for index, item in enumerate(plan.items):
            campaign = item.obj
            if not (item.is_new and campaign.scope_id and campaign.starts_on):
                continue
            if not rated_at(campaign.scope.path, campaign.starts_on).exists():
                plan.problems.append(
                    Problem(
                        _(
                            "%(scope)s has no branch or joint branch that existed on %(date)s: a campaign "
                            "rates branches."
                        )
                        % {"scope": campaign.scope.name, "date": campaign.starts_on.isoformat()},
                        index,
                        "scope",
                    )
                )

    def apply(self, plan, write):
        super().apply(plan, write)
        campaigns = [item.obj for item in plan.new]
        facts = Facts({c.scheme_id for c in campaigns})
        pairs = []
        for campaign in campaigns:
            pairs += [
                (campaign, org) for org in rated_at(campaign.scope.path, campaign.starts_on).order_by("path")
            ]
        make_evaluations(pairs, facts, write)

    def scope_paths(self, objs):
        return [c.scope.path for c in objs]


class AddEvaluationService(ModelService):
    """A branch a campaign missed (founded before its start, or moved into its scope since)."""

    model = Evaluation
    fields = ("campaign", "organization")
    references = {"campaign": PICK, "organization": PICK}
    unique = (("campaign", "organization"),)

    def duplicate_message(self, names):
        return _("This branch is in the campaign already.")

    def place_message(self, item):
        return _("You may not add an evaluation of this branch: it lies outside your scope.")

    def check(self, items, scope):
        plan = Plan(list(items), extra={"scope": scope})
        if any(not item.is_new for item in plan.items):
            raise ValueError("add_evaluations makes new evaluations only")
        self.build(plan)
        self.validate(plan)
        self.check_unique(plan)
        self.check_scope(plan, scope)
        return plan

    def validate(self, plan):
        super().validate(plan)
        for index, item in enumerate(plan.items):
            evaluation = item.obj
            if not (evaluation.campaign_id and evaluation.organization_id):
                continue
            campaign, org = evaluation.campaign, evaluation.organization
            evaluation.status = Status.DRAFT
            if org.org_type not in RATED_TYPES:
                plan.problems.append(
                    Problem(
                        _("%(org)s is a %(type)s, not a branch: only branches and joint branches are rated.")
                        % {"org": org.name, "type": org.get_org_type_display()},
                        index,
                        "organization",
                    )
                )
                continue
            if not org.path.startswith(campaign.scope.path):
                plan.problems.append(
                    Problem(
                        _("%(org)s does not lie within the campaign's scope (%(scope)s).")
                        % {"org": org.name, "scope": campaign.scope.name},
                        index,
                        "organization",
                    )
                )
            if org.founded_on and org.founded_on > campaign.starts_on:
                plan.problems.append(
                    Problem(
                        _(
                            "%(org)s was founded on %(founded)s, after the campaign started (%(start)s): it is "
                            "rated from the next campaign."
                        )
                        % {
                            "org": org.name,
                            "founded": org.founded_on.isoformat(),
                            "start": campaign.starts_on.isoformat(),
                        },
                        index,
                        "organization",
                    )
                )
            if campaign.published_on:
                plan.problems.append(
                    Problem(
                        _("The campaign's results are published: no branch is added to it any more."),
                        index,
                        "campaign",
                    )
                )

    def apply(self, plan, write):
        new = [item.obj for item in plan.new]
        facts = Facts({e.campaign.scheme_id for e in new})
        made = make_evaluations([(e.campaign, e.organization) for e in new], facts, write)
        for item, evaluation in zip(plan.new, made, strict=True):
            item.obj = evaluation
        self.expect(plan, write)


# The evaluation's own values -----------------------------------------------------------------------------
class EvaluationService(ModelService):
    """The branch's report (in self-assessment, by the branch) and the reviewers' bonus (while they review)."""

    model = Evaluation
    fields = ("summary", "bonus_points", "bonus_reason")

    def check(self, items, scope):
        plan = Plan(list(items), extra={"scope": scope})
        if any(item.is_new for item in plan.items):
            raise ValueError("record_evaluations changes recorded evaluations only")
        # Checked and written on the evaluations as recorded (the caller's copies are updated once written).
        loaded = load_evaluations([item.instance for item in plan.items], lock=True)
        for index, item in enumerate(plan.items):
            item.extra["given"] = item.instance
            if item.instance.pk not in loaded:
                plan.problems.append(Problem(outside_scope(), index, None, True))
                return plan
            item.instance = loaded[item.instance.pk]
        self.build(plan)
        self.check_scope(plan, scope)
        if any(p.missing for p in plan.problems):
            return plan
        self.validate(plan)
        return plan

    def build(self, plan):
        super().build(plan)
        for item in plan.items:
            evaluation = item.obj
            if "bonus_points" in item.values:
                try:
                    value = item.values["bonus_points"]
                    evaluation.bonus_points = scoring.tenth(Decimal(str(value if value is not None else 0)))
                except (InvalidOperation, ValueError):
                    item.extra["bad_bonus"] = True
            for name in ("summary", "bonus_reason"):
                if name in item.values:
                    setattr(evaluation, name, (item.values[name] or "").strip())
            item.changed = self.changes(item)

    def validate(self, plan):
        scope = plan.extra["scope"]
        touched = [item.instance for item in plan.items if item.changed]
        allowed = {action: scope.allowed(Evaluation, action, touched) for action in (SUBMIT, REVIEW, CONFIRM)}
        for index, item in enumerate(plan.items):
            evaluation = item.obj
            if not item.changed:
                continue
            if evaluation.status == Status.PUBLISHED:
                plan.problems.append(Problem(frozen(), index, None))
                continue
            if "summary" in item.changed:
                if evaluation.status != Status.DRAFT:
                    plan.problems.append(
                        Problem(
                            _("The self-assessment report is written before the branch submits."),
                            index,
                            "summary",
                        )
                    )
                elif evaluation.pk not in allowed[SUBMIT]:
                    plan.problems.append(
                        Problem(
                            _("Your role may not write the branch's self-assessment report."),
                            index,
                            "summary",
                        )
                    )
                elif len(evaluation.summary) > 2000:
                    plan.problems.append(Problem(_("At most 2,000 characters."), index, "summary"))
            if {"bonus_points", "bonus_reason"} & set(item.changed):
                self.check_bonus(plan, index, item, allowed)

    def check_bonus(self, plan, index, item, allowed):
        evaluation = item.obj
        action = {Status.SUBMITTED: REVIEW, Status.DISTRICT_REVIEWED: CONFIRM}.get(evaluation.status)
        if action is None:
            plan.problems.append(
                Problem(
                    _("Bonus points are given by the district or the city while they review the evaluation."),
                    index,
                    "bonus_points",
                )
            )
            return
        if evaluation.pk not in allowed[action]:
            plan.problems.append(
                Problem(_("Your role may not give bonus points at this stage."), index, "bonus_points")
            )
            return
        if item.extra.get("bad_bonus"):
            plan.problems.append(Problem(_("Enter a number."), index, "bonus_points"))
            return
        bonus_max = evaluation.campaign.scheme.bonus_max
        if evaluation.bonus_points < 0:
            plan.problems.append(Problem(_("The points cannot be below 0."), index, "bonus_points"))
        elif evaluation.bonus_points > bonus_max:
            plan.problems.append(
                Problem(
                    _("The scheme gives at most %(max)s bonus points.") % {"max": bonus_max},
                    index,
                    "bonus_points",
                )
            )
        elif evaluation.bonus_points > 0 and not evaluation.bonus_reason:
            plan.problems.append(Problem(_("Give the reason of the bonus."), index, "bonus_reason"))
        elif len(evaluation.bonus_reason) > 500:
            plan.problems.append(Problem(_("At most 500 characters."), index, "bonus_reason"))

    def apply(self, plan, write):
        changed = [item.obj for item in plan.changed]
        if not changed:
            return
        bonus = [item.obj for item in plan.changed if "bonus_points" in item.changed]
        if bonus:
            recompute(bonus, facts_of(bonus))
        write_evaluations(changed, ["summary", "bonus_points", "bonus_reason", *TOTAL_FIELDS])
        write.expect(Evaluation, CHANGE, changed)
        for action, status in (
            (SUBMIT, Status.DRAFT),
            (REVIEW, Status.SUBMITTED),
            (CONFIRM, Status.DISTRICT_REVIEWED),
        ):
            write.expect(Evaluation, action, [e for e in changed if e.status == status])
        names = [*self.fields, *TOTAL_FIELDS]
        for item in plan.changed:
            given = item.extra.get("given")
            if given is not None and given is not item.obj:
                given.__dict__.update({name: getattr(item.obj, name) for name in names})


# Scores --------------------------------------------------------------------------------------------------
@dataclass
class ScoreEntry:
    """One side's score of one item: its points (None: not scored), comment, the reason of a reviewer's
    override of an automatic item and, for a veto item, whether it failed (None: left as it is)."""

    evaluation: Evaluation
    indicator: Indicator
    side: str
    points: object = None
    comment: str = ""
    override_reason: str = ""
    veto_failed: bool | None = None


def parse_points(value):
    """The points as a Decimal, or None and the message saying what is wrong."""
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None, _("Enter a number.")
    if not points.is_finite():
        return None, _("Enter a number.")
    if points != points.quantize(scoring.TENTH):
        return None, _("Points are given to one decimal at most.")
    return points, None


def wrong_phase(status, side):
    return _(
        "This evaluation is at “%(status)s”: the %(side)s points are given while it is at “%(phase)s”."
    ) % {"status": status_label(status), "side": side_label(side), "phase": status_label(SIDE_STATUS[side])}


class ScoreService:
    def check(self, entries, write):
        problems = []
        evaluations = load_evaluations([e.evaluation for e in entries], lock=True)
        facts = facts_of(evaluations.values())
        visible = write.allowed(Evaluation, VIEW, list(evaluations.values()))
        sides = {e.side for e in entries if e.side in Side.values}
        allowed = {
            side: write.allowed(Evaluation, SIDE_ACTION[side], list(evaluations.values())) for side in sides
        }
        seen = set()
        for index, entry in enumerate(entries):
            evaluation = evaluations.get(getattr(entry.evaluation, "pk", None))
            if evaluation is None or evaluation.pk not in visible:
                problems.append(Problem(outside_scope(), index, None, True))
                continue
            if evaluation.status == Status.PUBLISHED:
                problems.append(Problem(frozen(), index, None))
                continue
            if entry.side not in Side.values:
                problems.append(Problem(_("There is no such side."), index, "side"))
                continue
            if evaluation.pk not in allowed[entry.side]:
                problems.append(
                    Problem(
                        _("Your role may not give the %(side)s points of this evaluation.")
                        % {"side": side_label(entry.side)},
                        index,
                        "points",
                    )
                )
                continue
            if evaluation.status != SIDE_STATUS[entry.side]:
                problems.append(Problem(wrong_phase(evaluation.status, entry.side), index, "points"))
                continue
            item = facts.items[evaluation.campaign.scheme_id].get(getattr(entry.indicator, "pk", None))
            if item is None:
                problems.append(
                    Problem(_("This is not an item of the evaluation's scheme."), index, "indicator")
                )
                continue
            key = (evaluation.pk, item.pk, entry.side)
            if key in seen:
                problems.append(
                    Problem(_("%(item)s is given twice in this batch.") % {"item": item}, index, "indicator")
                )
                continue
            seen.add(key)
            problems += self.check_entry(entry, item, index)
        return evaluations, facts, problems

    def check_entry(self, entry, item, index):
        found = []

        def say(message, field):
            found.append(Problem(message, index, field))

        if len(entry.comment or "") > COMMENT_MAX or len(entry.override_reason or "") > COMMENT_MAX:
            say(
                _("At most 1,000 characters."),
                "comment" if len(entry.comment or "") > COMMENT_MAX else "override_reason",
            )
        if item.veto:
            if entry.points not in (None, ""):
                say(
                    _("%(item)s is a veto item: it has no points; record whether the branch failed it.")
                    % {"item": item},
                    "points",
                )
            if entry.veto_failed is not None and entry.side == Side.SELF:
                say(_("Only the district or the city records whether a veto item failed."), "veto_failed")
            return found
        if entry.points in (None, ""):
            return found
        if item.is_automatic and entry.side == Side.SELF:
            say(
                _("%(item)s is scored from the records: the branch does not type its points.")
                % {"item": item},
                "points",
            )
            return found
        points, problem = parse_points(entry.points)
        if problem:
            say(problem, "points")
        elif points < 0:
            say(_("The points cannot be below 0."), "points")
        elif points > item.max_points:
            say(
                _("%(item)s has at most %(max)s points: %(points)s is above it.")
                % {"item": item, "max": item.max_points, "points": points},
                "points",
            )
        elif item.is_automatic and not (entry.override_reason or "").strip():
            say(
                _("%(item)s is scored from the records: give the reason for overriding its points.")
                % {"item": item},
                "override_reason",
            )
        return found

    def save(self, entries, *, by):
        entries = list(entries)
        with writing(by) as write:
            evaluations, facts, problems = self.check(entries, write)
            if problems:
                raise RefusedError(problems)
            return self.apply(entries, evaluations, facts, write)

    def apply(self, entries, evaluations, facts, write):
        wanted = defaultdict(set)
        for entry in entries:
            wanted[entry.evaluation.pk].add(entry.indicator.pk)
        rows = {}
        for chunk in chunked(sorted(wanted)):
            for score in Score.objects.filter(evaluation_id__in=chunk).order_by():
                if score.indicator_id in wanted[score.evaluation_id]:
                    rows[(score.evaluation_id, score.indicator_id)] = score
        remember(list(rows.values()))
        for entry in entries:
            evaluation = evaluations[entry.evaluation.pk]
            item = facts.items[evaluation.campaign.scheme_id][entry.indicator.pk]
            score = rows[(evaluation.pk, item.pk)]
            score.evaluation = evaluation
            score.indicator = item
            side = Side(entry.side)
            setattr(score, f"{side.value}_comment", (entry.comment or "").strip())
            if item.veto:
                if entry.veto_failed is not None:
                    score.veto_failed = bool(entry.veto_failed)
                continue
            points = None if entry.points in (None, "") else parse_points(entry.points)[0]
            setattr(score, f"{side.value}_points", points)
            if item.is_automatic and side != Side.SELF:
                reason = (entry.override_reason or "").strip()
                if points is not None:
                    score.override_reason = reason
                elif score.district_points is None and score.city_points is None:
                    score.override_reason = ""
        fields = [f"{side}_{what}" for side in Side.values for what in ("points", "comment")] + [
            "override_reason",
            "veto_failed",
        ]
        objs = list(rows.values())
        written = bulk_update_audited(Score, objs, fields, scope_paths=evaluation_paths(objs))
        touched = [evaluations[pk] for pk in sorted(wanted)]
        recompute(touched, facts)
        write_evaluations(touched)
        for side in {e.side for e in entries}:
            write.expect(Evaluation, SIDE_ACTION[side], [e.evaluation.pk for e in entries if e.side == side])
        for entry in entries:  # the caller's records show the new totals
            if entry.evaluation is not evaluations[entry.evaluation.pk]:
                entry.evaluation.__dict__.update(
                    {k: getattr(evaluations[entry.evaluation.pk], k) for k in TOTAL_FIELDS}
                )
        return written


# Evidence -----------------------------------------------------------------------------------------------
@dataclass
class Upload:
    """A file the branch attaches to an item of its evaluation as its evidence."""

    evaluation: Evaluation
    indicator: Indicator
    name: str
    content: bytes


def check_upload(name, content):
    """The content type of an acceptable file and None, or None and a message naming what is wrong."""
    try:
        return check_file(
            name,
            content,
            FILE_KINDS,
            _("%(name)s: only PDF, Word (.docx) and photo (JPEG, PNG) files are accepted as evidence."),
        ), None
    except ValidationError as exc:
        return None, exc.messages[0]


def evidence_state_problem(evaluation, index, allowed, field=None):
    """Why the evidence of ``evaluation`` cannot be changed by the writer now (None: it can)."""
    if evaluation.status == Status.PUBLISHED:
        return Problem(frozen(), index, field)
    if evaluation.pk not in allowed:
        return Problem(_("Your role may not change the branch's evidence."), index, field)
    if evaluation.status != Status.DRAFT:
        return Problem(
            _("The evidence is attached during the self-assessment: this evaluation is at “%(status)s”.")
            % {"status": status_label(evaluation.status)},
            index,
            field,
        )
    return None


def add_evidence(uploads, *, by):
    """Check and attach a batch of files (``Upload``s), sealed; the ``EvidenceFile`` records, in order."""
    uploads = list(uploads)
    with writing(by) as write:
        evaluations = load_evaluations([u.evaluation for u in uploads], lock=True)
        facts = facts_of(evaluations.values())
        visible = write.allowed(Evaluation, VIEW, list(evaluations.values()))
        allowed = write.allowed(Evaluation, SUBMIT, list(evaluations.values()))
        problems, types = [], []
        for index, upload in enumerate(uploads):
            evaluation = evaluations.get(getattr(upload.evaluation, "pk", None))
            if evaluation is None or evaluation.pk not in visible:
                problems.append(Problem(outside_scope(), index, None, True))
                continue
            problem = evidence_state_problem(evaluation, index, allowed, "file")
            if problem:
                problems.append(problem)
                continue
            if getattr(upload.indicator, "pk", None) not in facts.items[evaluation.campaign.scheme_id]:
                problems.append(
                    Problem(_("This is not an item of the evaluation's scheme."), index, "indicator")
                )
                continue
            content_type, message = check_upload(upload.name or "", upload.content)
            if message:
                problems.append(Problem(message, index, "file"))
            types.append(content_type)
        if problems:
            raise RefusedError(problems)
        user = None if write.whole_tree else write.user
        files = [
            sealed_file(
                EvidenceFile,
                upload.name,
                upload.content,
                user,
                content_type,
                evaluation=evaluations[upload.evaluation.pk],
                indicator=upload.indicator,
            )
            for upload, content_type in zip(uploads, types, strict=True)
        ]
        bulk_create_audited(EvidenceFile, files, scope_paths=evaluation_paths(files))
        write.expect(Evaluation, SUBMIT, [f.evaluation for f in files])
    return files


def remove_evidence(files, *, by):
    """Remove evidence files (while the branch is in self-assessment), each audited."""
    files = list(files)
    with writing(by) as write:
        pks = sorted({f.pk for f in files if f is not None and f.pk})
        found = {f.pk: f for f in EvidenceFile.objects.filter(pk__in=pks).defer("content")}
        evaluations = load_evaluations([f.evaluation_id for f in found.values()], lock=True)
        visible = write.allowed(Evaluation, VIEW, list(evaluations.values()))
        allowed = write.allowed(Evaluation, SUBMIT, list(evaluations.values()))
        problems = []
        for index, given in enumerate(files):
            record = found.get(getattr(given, "pk", None))
            evaluation = evaluations.get(record.evaluation_id) if record is not None else None
            if evaluation is None or evaluation.pk not in visible:
                problems.append(Problem(outside_scope(), index, None, True))
                continue
            problem = evidence_state_problem(evaluation, index, allowed)
            if problem:
                problems.append(problem)
        if problems:
            raise RefusedError(problems)
        write.expect(Evaluation, SUBMIT, list(evaluations.values()))
        for record in found.values():
            record.evaluation = evaluations[record.evaluation_id]
            record.delete()


# Moves -------------------------------------------------------------------------------------------------
@dataclass
class Step:
    """One move of an evaluation: what, on what day (today when None), the note or reason and, at approval,
    the level awarded (None: the level the points give)."""

    evaluation: Evaluation
    move: str
    date: datetime.date | None = None
    note: str = ""
    level: int | None = None


def wrong_state(status, move):
    """Why an evaluation at ``status`` cannot be given ``move``."""
    if move in (M_REVIEW, M_RETURN) and status == Status.DRAFT:
        return _(
            "This evaluation has not been submitted: the district reviews it once the branch has submitted it."
        )
    if move == M_APPROVE and status in (Status.DRAFT, Status.SUBMITTED):
        return _(
            "The district has not reviewed this evaluation yet: the city approves it once the district has."
        )
    if move == M_PUBLISH:
        return _("The city has not approved this evaluation: only an approved evaluation is published.")
    return _("This evaluation is at “%(status)s”: %(move)s is not a move it can take now.") % {
        "status": status_label(status),
        "move": rules.move_label(move),
    }


# The moves that form a level take the figures of the records as they are now: the branch's submission and the
# city's approval (a review, a return and a sending back read them live on the page; the daily job keeps them).
REFRESHED_BY = frozenset({M_SUBMIT, M_APPROVE})


class MoveService:
    """The moves, checked on the evaluations as recorded and, within a batch, one after the other; written with
    the evaluations' new state, one ``EvaluationMove`` each, and for a publication the branch's ``Rating``."""

    def save(self, steps, *, by):
        steps = list(steps)
        today = timezone.localdate()
        for step in steps:
            if step.date is None:
                step.date = today
        with writing(by) as write:
            evaluations = load_evaluations([s.evaluation for s in steps], lock=True)
            facts = facts_of(evaluations.values())
            visible = write.allowed(Evaluation, VIEW, list(evaluations.values()))
            fresh = [
                e
                for e in evaluations.values()
                if e.pk in visible
                and e.status != Status.PUBLISHED
                and any(s.move in REFRESHED_BY for s in steps if getattr(s.evaluation, "pk", None) == e.pk)
            ]
            automatic.update_figures(fresh, facts)
            recompute(fresh, facts)
            problems = self.check(steps, evaluations, facts, visible, write, today)
            if problems:
                raise RefusedError(problems)
            return self.apply(steps, evaluations, facts, write)

    def check(self, steps, evaluations, facts, visible, write, today):
        problems = []
        listed = list(evaluations.values())
        allowed = {
            move: write.allowed(Evaluation, rules.TRANSITIONS[move][2], listed)
            for move in {s.move for s in steps}
            if move in rules.TRANSITIONS
        }
        last = self.last_moves(evaluations)
        state = {pk: (e.status, last.get(pk), e.level) for pk, e in evaluations.items()}
        submitting = [
            evaluations[s.evaluation.pk]
            for s in steps
            if s.move == M_SUBMIT and s.evaluation.pk in evaluations
        ]
        lacking = self.lacking(submitting, facts)
        approving = [s for s in steps if s.move in (M_APPROVE, M_SEND_BACK)]
        held, sizes = self.quota_counts(
            {evaluations[s.evaluation.pk].campaign_id for s in approving if s.evaluation.pk in evaluations}
        )
        rated = self.rated_already(
            [
                evaluations[s.evaluation.pk]
                for s in steps
                if s.move == M_PUBLISH and s.evaluation.pk in evaluations
            ]
        )
        for index, step in enumerate(steps):
            evaluation = evaluations.get(getattr(step.evaluation, "pk", None))
            if evaluation is None or evaluation.pk not in visible:
                problems.append(Problem(outside_scope(), index, None, True))
                continue
            if step.move not in rules.TRANSITIONS:
                problems.append(Problem(_("There is no such move."), index, "move"))
                continue
            status, previous, level = state[evaluation.pk]
            if status == Status.PUBLISHED:
                problems.append(Problem(frozen(), index, "move"))
                continue
            if evaluation.pk not in allowed[step.move]:
                problems.append(
                    Problem(
                        _("Your role may not do this move (%(move)s) on this evaluation.")
                        % {"move": rules.move_label(step.move)},
                        index,
                        "move",
                    )
                )
                continue
            starts, leads_to, _action = rules.TRANSITIONS[step.move]
            if status not in starts:
                problems.append(Problem(wrong_state(status, step.move), index, "move"))
                continue
            problem = self.date_problem(step, evaluation, previous, today, index)
            if problem:
                problems.append(problem)
                continue
            if step.move in NEEDS_REASON and not (step.note or "").strip():
                problems.append(Problem(_("Give the reason."), index, "note"))
                continue
            if len(step.note or "") > COMMENT_MAX:
                problems.append(Problem(_("At most 1,000 characters."), index, "note"))
                continue
            if step.move == M_SUBMIT and lacking.get(evaluation.pk):
                problems += lacking[evaluation.pk](index)
                continue
            awarded = level
            if step.move == M_APPROVE:
                awarded, problem = self.award(step, evaluation, facts, held, sizes, index)
                if problem:
                    problems.append(problem)
                    continue
                held[(evaluation.campaign_id, awarded)] += 1
            if step.move == M_SEND_BACK:
                if status == Status.CITY_APPROVED and level is not None:
                    held[(evaluation.campaign_id, level)] -= 1
                awarded = None
            if step.move == M_PUBLISH:
                problem = self.publish_problem(evaluation, step, rated, index)
                if problem:
                    problems.append(problem)
                    continue
            state[evaluation.pk] = (leads_to, step.date, awarded)
        return problems

    @staticmethod
    def date_problem(step, evaluation, previous, today, index):
        if not isinstance(step.date, datetime.date):
            return Problem(required(), index, "date")
        if step.date > today:
            return Problem(_("The date is in the future."), index, "date")
        if step.date < evaluation.campaign.starts_on:
            return Problem(
                _("The campaign started on %(date)s: a move cannot be before it.")
                % {"date": evaluation.campaign.starts_on.isoformat()},
                index,
                "date",
            )
        if previous and step.date < previous:
            return Problem(
                _("The evaluation's previous move was on %(date)s: this one cannot be before it.")
                % {"date": previous.isoformat()},
                index,
                "date",
            )
        return None

    @staticmethod
    def last_moves(evaluations):
        last = {}
        for chunk in chunked(sorted(evaluations)):
            rows = (
                EvaluationMove.objects.filter(evaluation_id__in=chunk)
                .order_by()
                .values_list("evaluation_id")
                .annotate(last=Max("date"))
            )
            last.update(dict(rows))
        return last

    @staticmethod
    def lacking(evaluations, facts):
        """{evaluation pk: function(index) -> problems} of the evaluations not ready to submit: an item left
        unscored by the branch (but those from the records and the veto items), an item without its evidence."""
        if not evaluations:
            return {}
        pks = sorted(e.pk for e in evaluations)
        unscored, attached = defaultdict(set), defaultdict(set)
        for chunk in chunked(pks):
            for evaluation_id, indicator_id in Score.objects.filter(
                evaluation_id__in=chunk, self_points__isnull=True
            ).values_list("evaluation_id", "indicator_id"):
                unscored[evaluation_id].add(indicator_id)
            for evaluation_id, indicator_id in (
                EvidenceFile.objects.filter(evaluation_id__in=chunk)
                .order_by()
                .values_list("evaluation_id", "indicator_id")
                .distinct()
            ):
                attached[evaluation_id].add(indicator_id)
        found = {}
        for evaluation in evaluations:
            items = facts.items[evaluation.campaign.scheme_id].values()
            blank = [
                i for i in items if i.pk in unscored[evaluation.pk] and not i.veto and not i.is_automatic
            ]
            bare = [i for i in items if i.evidence_required and i.pk not in attached[evaluation.pk]]
            if blank or bare:
                found[evaluation.pk] = submission_problems(blank, bare)
        return found

    @staticmethod
    def quota_counts(campaign_ids):
        """({(campaign, level): evaluations approved or published at it}, {campaign: its evaluations})."""
        held, sizes = defaultdict(int), {}
        if not campaign_ids:
            return held, sizes
        ids = sorted(campaign_ids)
        rows = (
            Evaluation.objects.filter(
                campaign_id__in=ids, status__in=[Status.CITY_APPROVED, Status.PUBLISHED]
            )
            .order_by()
            .values_list("campaign_id", "level")
            .annotate(n=Count("pk"))
        )
        for campaign_id, level, n in rows:
            held[(campaign_id, level)] = n
        sizes.update(
            Evaluation.objects.filter(campaign_id__in=ids)
            .order_by()
            .values_list("campaign_id")
            .annotate(n=Count("pk"))
        )
        return held, sizes

    @staticmethod
    def award(step, evaluation, facts, held, sizes, index):
        """The level awarded at approval and None, or None and the problem."""
        scheme_id = evaluation.campaign.scheme_id
        top = evaluation.computed_level
        level = top if step.level in (None, "") else step.level
        if level is None:
            return None, None  # a failed veto item capping at 0: not rated
        try:
            level = int(level)
        except (TypeError, ValueError):
            return None, Problem(_("There is no such level."), index, "level")
        if not 1 <= level <= MAX_LEVEL or facts.level(scheme_id, level) is None:
            return None, Problem(_("There is no such level."), index, "level")
        if top is None or level > top:
            if top is None:
                message = _("The points give no level (a veto item failed): no level can be awarded.")
            else:
                message = _("The points give at most %(level)s: a higher level cannot be awarded.") % {
                    "level": facts.level_name(scheme_id, top)
                }
            return None, Problem(message, index, "level")
        quota = facts.level(scheme_id, level).quota_percent
        count = sizes.get(evaluation.campaign_id, 0)
        room = scoring.quota_room(quota, count)
        if room is not None and held[(evaluation.campaign_id, level)] + 1 > room:
            return None, Problem(
                _(
                    "%(level)s is awarded to at most %(percent)s%% of the campaign's %(count)s branches, that is "
                    "%(room)s, and %(held)s have it already: award a lower level."
                )
                % {
                    "level": facts.level_name(scheme_id, level),
                    "percent": quota,
                    "count": count,
                    "room": room,
                    "held": held[(evaluation.campaign_id, level)],
                },
                index,
                "level",
            )
        return level, None

    @staticmethod
    def rated_already(evaluations):
        """{(organization, year)} that have a rating already."""
        if not evaluations:
            return set()
        years = sorted({e.campaign.year for e in evaluations})
        orgs = sorted({e.organization_id for e in evaluations})
        found = set()
        for chunk in chunked(orgs):
            found.update(
                Rating.objects.filter(organization_id__in=chunk, year__in=years).values_list(
                    "organization_id", "year"
                )
            )
        return found

    @staticmethod
    def publish_problem(evaluation, step, rated, index):
        campaign = evaluation.campaign
        if campaign.publicity_from is None:
            return Problem(
                _("The campaign's results have not been publicised: start the publicity before publishing."),
                index,
                "move",
            )
        if evaluation.approved_on and evaluation.approved_on > campaign.publicity_from:
            return Problem(
                _(
                    "This evaluation was approved after the publicity began: publicise the results again first."
                ),
                index,
                "move",
            )
        if step.date <= campaign.publicity_until:
            return Problem(
                _("The publicity runs until %(date)s: the results are published after it.")
                % {"date": campaign.publicity_until.isoformat()},
                index,
                "date",
            )
        if (evaluation.organization_id, campaign.year) in rated:
            return Problem(
                _("%(org)s already has a rating of %(year)s: it cannot be rated twice in a year.")
                % {"org": evaluation.organization.name, "year": campaign.year},
                index,
                "move",
            )
        return None

    def apply(self, steps, evaluations, facts, write):
        moves, ratings = [], []
        for step in steps:
            evaluation = evaluations[step.evaluation.pk]
            _starts, leads_to, _action = rules.TRANSITIONS[step.move]
            due = rules.DUE_BY.get(step.move)
            late = due is not None and step.date > evaluation.campaign.phase_end(due)
            evaluation.status = leads_to
            if step.move in DATE_FIELD:
                setattr(evaluation, DATE_FIELD[step.move], step.date)
            if step.move == M_APPROVE:
                evaluation.level = evaluation.computed_level if step.level in (None, "") else int(step.level)
            if step.move in (M_SEND_BACK, M_RETURN):
                evaluation.level = None
                evaluation.approved_on = None
            if step.move == M_PUBLISH and evaluation.level is not None:
                ratings.append(
                    Rating(
                        organization=evaluation.organization,
                        year=evaluation.campaign.year,
                        level=evaluation.level,
                        total=evaluation.total,
                        evaluation=evaluation,
                    )
                )
            moves.append(
                EvaluationMove(
                    evaluation=evaluation,
                    move=step.move,
                    date=step.date,
                    by=write.user,
                    note=(step.note or "").strip(),
                    late=late,
                )
            )
        recompute(list(evaluations.values()), facts)  # a move changes the totals shown (the district's)
        write_evaluations(list(evaluations.values()), [*MOVE_FIELDS, *TOTAL_FIELDS])
        bulk_create_audited(EvaluationMove, moves, scope_paths=evaluation_paths(moves))
        if ratings:
            bulk_create_audited(Rating, ratings, scope_paths=[r.organization.path for r in ratings])
        published = [evaluations[s.evaluation.pk] for s in steps if s.move == M_PUBLISH]
        if published:
            self.publish_campaigns(published)
        for move in {s.move for s in steps}:
            action = rules.TRANSITIONS[move][2]
            write.expect(Evaluation, action, [s.evaluation.pk for s in steps if s.move == move])
        for step in steps:  # the caller's records show the new state
            if step.evaluation is not evaluations[step.evaluation.pk]:
                step.evaluation.__dict__.update(
                    {k: getattr(evaluations[step.evaluation.pk], k) for k in (*MOVE_FIELDS, *TOTAL_FIELDS)}
                )
        return moves

    @staticmethod
    def publish_campaigns(published):
        """A campaign is published on the day its first results are."""
        first, campaigns = {}, {}
        for evaluation in published:
            campaign = evaluation.campaign
            day = evaluation.published_on
            first[campaign.pk] = min(day, first.get(campaign.pk, day))
            campaigns[campaign.pk] = campaign
        pending = [c for c in campaigns.values() if c.published_on is None]
        if not pending:
            return
        remember(pending)
        for campaign in pending:
            campaign.published_on = first[campaign.pk]
        bulk_update_audited(Campaign, pending, ["published_on"], scope_paths=[c.scope.path for c in pending])


def submission_problems(blank, bare):
    def problems(index):
        found = []
        if blank:
            found.append(
                Problem(
                    _("Score every item before submitting; not scored yet: %(items)s.")
                    % {"items": "、".join(str(i) for i in blank)},
                    index,
                    "move",
                )
            )
        if bare:
            found.append(
                Problem(
                    _("Attach the evidence these items require before submitting: %(items)s.")
                    % {"items": "、".join(str(i) for i in bare)},
                    index,
                    "move",
                )
            )
        return found

    return problems


def start_publicity(campaign, date=None, *, by):
    """Publicise (公示) a campaign's approved results from ``date`` (today when None) for the scheme's working
    days (``publicity_until``); the evaluations are published after it. Returns the campaign."""
    today = timezone.localdate()
    date = date or today
    with writing(by) as write:
        list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk"))
        recorded = Campaign.objects.select_related("scheme", "scope").filter(pk=campaign.pk).first()
        if recorded is None or not write.allowed(Campaign, VIEW, [recorded]):
            raise RefusedError([Problem(outside_scope(), 0, None, True)])
        problems = []
        if not write.allowed(Campaign, PUBLISH, [recorded]):
            problems.append(Problem(_("Your role may not publicise the campaign's results."), 0, None))
        elif date > today:
            problems.append(Problem(_("The date is in the future."), 0, "date"))
        elif date < recorded.starts_on:
            problems.append(
                Problem(
                    _("The campaign started on %(date)s: its publicity cannot begin before.")
                    % {"date": recorded.starts_on.isoformat()},
                    0,
                    "date",
                )
            )
        else:
            approved = Evaluation.objects.filter(campaign=recorded, status=Status.CITY_APPROVED)
            if not approved.exists():
                problems.append(
                    Problem(
                        _("No evaluation of this campaign is approved by the city: nothing to publicise."),
                        0,
                        None,
                    )
                )
            elif approved.filter(approved_on__gt=date).exists():
                problems.append(
                    Problem(
                        _(
                            "Some evaluations were approved after %(date)s: the publicity begins once they are."
                        )
                        % {"date": date.isoformat()},
                        0,
                        "date",
                    )
                )
        if problems:
            raise RefusedError(problems)
        remember([recorded])
        recorded.publicity_from = date
        recorded.publicity_until = add_working_days(date, recorded.scheme.publicity_days)
        bulk_update_audited(
            Campaign, [recorded], ["publicity_from", "publicity_until"], scope_paths=[recorded.scope.path]
        )
        write.expect(Campaign, PUBLISH, [recorded])
    campaign.__dict__.update({k: getattr(recorded, k) for k in ("publicity_from", "publicity_until")})
    return recorded


CAMPAIGNS = CampaignService()
ADDED = AddEvaluationService()
EVALUATIONS = EvaluationService()
SCORES = ScoreService()
MOVES = MoveService()


def open_campaigns(items, *, by):
    """Check and open a batch of campaigns (``Item``s): each with its evaluations, score rows and first
    automatic figures. The campaigns, in order."""
    items = list(items)
    if any(not item.is_new for item in items):
        raise ValueError("open_campaigns makes new campaigns only")
    return CAMPAIGNS.save(items, by=by)


def change_campaigns(items, *, by):
    """The name and the ends of the phases of open campaigns (``Item(values, instance=campaign)``); the city's.
    A move already made keeps its late flag: it was recorded as it happened."""
    items = list(items)
    if any(item.is_new for item in items):
        raise ValueError("change_campaigns changes open campaigns only")
    return CAMPAIGNS.save(items, by=by)


def add_evaluations(items, *, by):
    """Check and add evaluations (``Item``s: campaign, organization) of branches a campaign missed."""
    return ADDED.save(items, by=by)


def record_evaluations(items, *, by):
    """Check and write the report (summary) or the bonus (bonus_points, bonus_reason) of evaluations
    (``Item``s with their ``instance``)."""
    return EVALUATIONS.save(items, by=by)


def record_scores(entries, *, by):
    """Check and write a batch of ``ScoreEntry``s; the score rows changed."""
    return SCORES.save(entries, by=by)


def move_evaluations(steps, *, by):
    """Check and write a batch of moves (``Step``s); the ``EvaluationMove`` rows, in order."""
    return MOVES.save(steps, by=by)


def move_evaluation(evaluation, move, *, by, date=None, note="", level=None):
    (found,) = move_evaluations([Step(evaluation, move, date, note, level)], by=by)
    return found


def side_of(status):
    """The side whose points an evaluation at ``status`` takes (None: none)."""
    return next((side for side, phase in SIDE_STATUS.items() if phase == status), None)


__all__ = [
    "ADDED",
    "CAMPAIGNS",
    "EVALUATIONS",
    "MOVES",
    "SCORES",
    "Item",
    "ScoreEntry",
    "Step",
    "Upload",
    "add_evaluations",
    "add_evidence",
    "move_evaluation",
    "move_evaluations",
    "open_campaigns",
    "record_evaluations",
    "record_scores",
    "remove_evidence",
    "side_of",
    "start_publicity",
]
