"""星级评定 pages: the overview of the campaigns the user sees; the campaigns (list, opened by the city); a campaign's board for a scope (its branches at each status, per organization below, who is late);
its evaluations (filters, export); one evaluation (the branch's self-assessment form with its evidence per
item, phone-friendly; the reviewers' side-by-side view with the automatic figures, overrides, bonus and veto
items; the moves with their confirmation forms; the history of moves, late ones flagged); the publicity list
with the city's start of the publicity and publication; the published results (the star distribution and
the transitions from last year's level, each a table beside its chart); the evidence downloads (scoped and
logged) and the panel on an organization's page. Every write goes through the app's services."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import BooleanField, Case, Count, Q, Value, When, Window
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from redengine.core.codes import district_name
from redengine.core.files import download
from redengine.core.metrics import REGISTRY, Period
from redengine.core.scoping import scope_covers
from redengine.core.services import Item
from redengine.core.views import (
    Column,
    ObjectActionView,
    ObjectListView,
    ScopedMixin,
    guard,
    paged,
)
from redengine.core.writes import Problem, RefusedError
from redengine.orgs.models import PartyOrganization

from . import metrics, rules, scoring, services
from .campaign_filters import CampaignFilterSet, EvaluationFilterSet, late_q
from .campaign_forms import CampaignForm, DateForm, MoveForm, ScoresForm
from .models import Campaign, Evaluation, EvidenceFile, Rating, Score
from .rules import (
    DUE_BY,
    M_APPROVE,
    M_PUBLISH,
    MAX_LEVEL,
    PUBLISH,
    RATED_TYPES,
    SIDE_ACTION,
    SIDE_STATUS,
    SUBMIT,
    TRANSITIONS,
    Side,
    Status,
    move_label,
    star_name,
)
from .services import automatic

SHOWN = 10  # late branches named on a board; the rest in the filtered list
STATUSES = list(Status)
SIDE_SLUGS = {"self": Side.SELF, "district": Side.DISTRICT, "city": Side.CITY}


def first_rows(queryset, *order):
    """(the first ``SHOWN`` rows in ``order``, the number of rows): one query, the rows counted beside them."""
    found = list(queryset.annotate(rows_found=Window(Count("pk"))).order_by(*order)[:SHOWN])
    return found, found[0].rows_found if found else 0


def level_names(scheme):
    """{level: name} of a scheme (its levels prefetched or read once)."""
    names = {row.level: row.name for row in scheme.levels.all()}
    return {n: names.get(n) or star_name(n) for n in range(1, MAX_LEVEL + 1)}


def visible_campaign(request, pk):
    return get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("scheme", "scope"), pk=pk
    )


def chosen_org(request, default=None):
    """The organization a page shows (``?org=<code>`` among those the user sees; else ``default`` when the
    user sees it, else the top of the user's scope); 404 for a code outside them, as for one that does not
    exist."""
    visible = PartyOrganization.objects.visible_to(request.user)
    code = (request.GET.get("org") or "").strip()
    if code:
        org = visible.filter(code=code).first()
    else:
        org = visible.filter(pk=default.pk).first() if default is not None else None
        org = org or visible.order_by("depth", "path").first()
    if org is None:
        raise Http404
    return org


def campaign_evaluations(request, campaign, action="view"):
    return Evaluation.objects.visible_to(request.user, action).filter(campaign=campaign)


# The overview -------------------------------------------------------------------------------------------
def overview(request):
    """The campaigns the user sees, with their branches at each status; the running one's board first."""
    refused = guard(request, Campaign)
    if refused:
        return refused
    user = request.user
    campaigns = list(
        Campaign.objects.visible_to(user).select_related("scheme", "scope").order_by("-year", "-pk")[:20]
    )
    counts = {}
    for campaign_id, status, n in (
        Evaluation.objects.visible_to(user)
        .filter(campaign__in=campaigns)
        .order_by()
        .values_list("campaign_id", "status")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(campaign_id, {})[status] = n
    rows = []
    for campaign in campaigns:
        found = counts.get(campaign.pk, {})
        if not found and not user.can(Campaign, "change"):
            continue  # a campaign with no branch of the user's scope
        rows.append(
            {
                "campaign": campaign,
                "statuses": [(s.label, found.get(s.value, 0), s.value) for s in STATUSES],
                "total": sum(found.values()),
                "running": campaign.published_on is None,
            }
        )
    current = next((r for r in rows if r["running"]), rows[0] if rows else None)
    mine = []
    if current is not None and user.can(Evaluation, SUBMIT):
        mine = list(
            Evaluation.objects.visible_to(user, SUBMIT)
            .filter(campaign=current["campaign"])
            .select_related("organization")
            .order_by("organization__path")[:SHOWN]
        )
    return render(
        request,
        "assessment/overview.html",
        {
            "rows": rows,
            "current": current,
            "mine": mine,
            "status_labels": [s.label for s in STATUSES],
            "can_add": user.can(Campaign, "add"),
            "title": _("Star rating"),
        },
    )


# Campaigns ----------------------------------------------------------------------------------------------
class CampaignListView(ObjectListView):
    model = Campaign
    filterset_class = CampaignFilterSet
    select_related = ("scheme", "scope")
    default_order = ["-year", "-pk"]
    create_url_name = "assessment:campaign_add"
    title = gettext_lazy("Rating campaigns")
    columns = [
        Column("name", gettext_lazy("Name"), "name", link=True),
        Column("year", gettext_lazy("Year rated"), "year"),
        Column("scheme", gettext_lazy("Scheme")),
        Column("scope.name", gettext_lazy("Scope")),
        Column("starts_on", gettext_lazy("Start"), "starts_on"),
        Column("self_until", gettext_lazy("Self-assessment until")),
        Column("district_until", gettext_lazy("District review until")),
        Column("city_until", gettext_lazy("City review until")),
        Column("publicity_until", gettext_lazy("Publicity until")),
        Column("published_on", gettext_lazy("Published on"), "published_on"),
    ]


def campaign_form(request, pk=None):
    """Open a campaign (the city): its evaluations and their score rows are made by ``services.open_campaigns``;
    or change an open one's name and the ends of its phases (``services.change_campaigns``)."""
    action = "change" if pk else "add"
    refused = guard(request, Campaign, action)
    if refused:
        return refused
    instance = None
    if pk:
        instance = get_object_or_404(
            Campaign.objects.visible_to(request.user, action).select_related("scope"), pk=pk
        )
    form = CampaignForm(request.POST or None, user=request.user, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            write = services.change_campaigns if instance else services.open_campaigns
            (campaign,) = write([Item(form.values(), instance=instance)], by=request.user)
        except RefusedError as exc:
            add_item_problems(form, exc)
        else:
            messages.success(request, _("Saved %(object)s.") % {"object": campaign})
            return redirect(campaign.get_absolute_url())
    title = _("Change %(object)s") % {"object": instance} if instance else _("Open a rating campaign")
    crumbs = [(_("Rating campaigns"), reverse("assessment:campaign_list"))]
    if instance:
        crumbs.append((str(instance), instance.get_absolute_url()))
    return render(
        request,
        "assessment/campaign_form.html",
        {
            "form": form,
            "object": instance,
            "title": title,
            "back": instance.get_absolute_url() if instance else reverse("assessment:campaign_list"),
            "breadcrumbs": [*crumbs, (title, None)],
        },
    )


def add_item_problems(form, refused, item=0, fields=None):
    """A refusal's problems on the form's fields (``fields``: the service's field -> the form's)."""
    fields = fields or {}
    for name, found in refused.by_field(item).items():
        name = fields.get(name, name)
        form.add_error(name if name in form.fields else None, found)


def late_counts(evaluations, today):
    """How many are late at each phase: not submitted, not reviewed, not approved after its phase ended."""
    return evaluations.aggregate(
        draft=Count("pk", filter=Q(status=Status.DRAFT, campaign__self_until__lt=today)),
        submitted=Count("pk", filter=Q(status=Status.SUBMITTED, campaign__district_until__lt=today)),
        reviewed=Count("pk", filter=Q(status=Status.DISTRICT_REVIEWED, campaign__city_until__lt=today)),
    )


def campaign_board(request, pk):
    """A campaign's board for a scope: the user's visible branches at each status, per organization just
    below the scope (the districts for the city), and who is late at their phase."""
    refused = guard(request, Evaluation)
    if refused:
        return refused
    campaign = visible_campaign(request, pk)
    org = chosen_org(request, campaign.scope)
    today = timezone.localdate()
    evaluations = campaign_evaluations(request, campaign).in_subtree(org.path)
    by_status = dict(evaluations.order_by().values_list("status").annotate(n=Count("pk")))
    cut = len(org.path) + org.steplen
    below = {}
    for top, status, n in (
        evaluations.order_by()
        .annotate(top=Substr("organization__path", 1, cut))
        .values_list("top", "status")
        .annotate(n=Count("pk"))
    ):
        below.setdefault(top, {})[status] = n
    children = {
        o.path: o for o in PartyOrganization.objects.visible_to(request.user).filter(path__in=list(below))
    }
    late_list, late_total = first_rows(
        evaluations.filter(late_q(today)).select_related("organization"), "organization__path"
    )
    rows = []
    for path in sorted(below):
        child = children.get(path)
        if child is None:  # the scope's own evaluation (a branch shown on its own) or one not visible
            continue
        found = below[path]
        rows.append(
            {
                "org": child,
                "label": district_name(child.district) if child.district else child.name,
                "counts": [(s.label, found.get(s.value, 0)) for s in STATUSES],
                "total": sum(found.values()),
            }
        )
    list_url = reverse("assessment:evaluation_list", args=[campaign.pk])
    return render(
        request,
        "assessment/campaign_board.html",
        {
            "campaign": campaign,
            "object": campaign,
            "org": org,
            "statuses": [(s.label, by_status.get(s.value, 0), s.value) for s in STATUSES],
            "total": sum(by_status.values()),
            "rows": rows,
            "late": late_counts(evaluations, today),
            "late_list": [(e, phase_late(e, campaign, today)) for e in late_list],
            "late_total": late_total,
            "list_url": list_url,
            "within": "" if org.pk == campaign.scope_id else org.code,
            "today": today,
            "can_change": request.user.can(Campaign, "change"),
            "can_publicise": request.user.can(Campaign, PUBLISH),
            "title": str(campaign),
            "breadcrumbs": [
                (_("Rating campaigns"), reverse("assessment:campaign_list")),
                (str(campaign), None),
            ],
        },
    )


def phase_late(evaluation, campaign, today):
    """The label of the phase an evaluation is late at (None when it is not)."""
    phases = {
        Status.DRAFT: ("self_until", _("not submitted")),
        Status.SUBMITTED: ("district_until", _("not reviewed")),
        Status.DISTRICT_REVIEWED: ("city_until", _("not approved")),
    }
    if evaluation.status not in phases:
        return None
    field, label = phases[evaluation.status]
    return label if getattr(campaign, field) < today else None


# A campaign's evaluations -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LevelColumn(Column):
    """A level as the scheme names it (五星, or a grade's name)."""

    names: tuple = ()

    def value(self, obj):
        level = getattr(obj, self.accessor)
        return dict(self.names).get(level, star_name(level)) if level else ""

    def reader(self, model):
        return self.value


class EvaluationListView(ObjectListView):
    """A campaign's evaluations that the user sees: filters by status, district, subtree, level and being late;
    the .xlsx export of the filtered rows (the export's limits and its log row as every list's)."""

    model = Evaluation
    filterset_class = EvaluationFilterSet
    select_related = ("organization",)
    default_order = ["organization__path"]
    template_name = "assessment/evaluation_list.html"

    @cached_property
    def campaign(self):
        return visible_campaign(self.request, self.kwargs["pk"])

    @property
    def columns(self):
        names = tuple(level_names(self.campaign.scheme).items())
        return [
            Column("organization.name", gettext_lazy("Branch"), "organization__path", link=True),
            Column("organization.code", gettext_lazy("Organization code")),
            Column("get_status_display", gettext_lazy("Status"), "status"),
            Column("is_late", gettext_lazy("Late at its phase")),
            Column("self_total", gettext_lazy("Self-assessed total"), "self_total"),
            Column("district_total", gettext_lazy("District total"), "district_total"),
            Column("total", gettext_lazy("Total"), "total"),
            LevelColumn("computed_level", gettext_lazy("Level by points"), "computed_level", names=names),
            LevelColumn("level", gettext_lazy("Level awarded"), "level", names=names),
            Column("veto_failed", gettext_lazy("Failed a veto item")),
            Column("submitted_on", gettext_lazy("Submitted on"), "submitted_on"),
            Column("reviewed_on", gettext_lazy("Reviewed on"), "reviewed_on"),
            Column("approved_on", gettext_lazy("Approved on"), "approved_on"),
            Column("published_on", gettext_lazy("Published on"), "published_on"),
        ]

    def scoped(self, action=None):
        today = timezone.localdate()
        return (
            super()
            .scoped(action)
            .filter(campaign=self.campaign)
            .annotate(
                is_late=Case(
                    When(late_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
                )
            )
        )

    def get_title(self):
        return _("Evaluations of %(campaign)s") % {"campaign": self.campaign}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaign"] = self.campaign
        context["breadcrumbs"] = [
            (_("Rating campaigns"), reverse("assessment:campaign_list")),
            (str(self.campaign), self.campaign.get_absolute_url()),
            (_("Evaluations"), None),
        ]
        return context


# One evaluation -----------------------------------------------------------------------------------------
def evaluation_queryset(user, action="view"):
    return (
        Evaluation.objects.visible_to(user, action)
        .select_related("campaign__scheme", "campaign__scope", "organization")
        .prefetch_related("campaign__scheme__levels")
    )


def may(user, model, action, obj):
    """Whether ``user`` may do ``action`` on ``obj`` (the roles' scopes where they tell, else one query)."""
    known = scope_covers(user, model, action)
    if known is not None:
        return known
    return model.objects.visible_to(user, action).filter(pk=obj.pk).exists()


def scoring_side(evaluation):
    """The side whose turn it is to score (None once approved or published)."""
    for side, status in SIDE_STATUS.items():
        if evaluation.status == status:
            return side
    return None


MOVE_URLS = {move: f"assessment:evaluation_{move}" for move in TRANSITIONS}


def figure_text(figure):
    """A figure of the records as it reads: its value, and of how many when it has a denominator."""
    if not figure:
        return ""
    value, denominator = figure.get("value"), figure.get("denominator")
    if denominator is not None:
        return f"{value} / {denominator}"
    return str(value if value is not None else "")


SIDE_LABELS = {
    Side.SELF: gettext_lazy("Branch"),
    Side.DISTRICT: gettext_lazy("District"),
    Side.CITY: gettext_lazy("City"),
}


def sides_of(score, item, editing, status):
    """(label, points, comment, side) of each side that scored or commented on the item, but the side being
    edited (its values are in the form); for a veto item, whether it failed (once the reviewers have it)."""
    found = []
    if item.veto and editing in (None, Side.SELF) and (status != Status.DRAFT or score.veto_failed):
        found.append((gettext_lazy("Failed"), score.veto_failed, "", "veto"))
    for side in (Side.SELF, Side.DISTRICT, Side.CITY):
        if side == editing:
            continue
        points, comment = getattr(score, f"{side.value}_points"), getattr(score, f"{side.value}_comment")
        if item.veto:
            points = None
        if points is None and not comment:
            continue
        found.append((SIDE_LABELS[side], points, comment, side.value))
    return found


def evaluation_context(request, evaluation, form=None):
    user = request.user
    campaign = evaluation.campaign
    scheme = campaign.scheme
    today = timezone.localdate()
    side = scoring_side(evaluation)
    editable = (
        side is not None
        and not evaluation.is_frozen
        and user.can(Evaluation, SIDE_ACTION[side])
        and may(user, Evaluation, SIDE_ACTION[side], evaluation)
    )
    scores = list(
        evaluation.scores.select_related("indicator").order_by("indicator__position", "indicator_id")
    )
    files = {}
    for f in evaluation.files.defer("content").order_by("pk"):
        files.setdefault(f.indicator_id, []).append(f)
    live = {}
    if any(s.indicator.is_automatic for s in scores):
        live = {row["indicator"].pk: row for row in automatic.live_figures(evaluation)}
    if editable and form is None:
        form = ScoresForm(side=side, rows=scores, evaluation=evaluation)
    dimensions = {d.pk: d for d in scheme.indicators.filter(parent__isnull=True).order_by("position", "pk")}
    groups = {pk: {"dimension": d, "items": []} for pk, d in dimensions.items()}
    can_remove = evaluation.status == Status.DRAFT and editable and side == Side.SELF
    for score in scores:
        item = score.indicator
        figure, auto_points, records = score.auto_figure, score.auto_points, ""
        if item.pk in live:
            found = live[item.pk]
            figure, auto_points, records = found["figure"], found["points"], found["url"] or ""
        row = {
            "score": score,
            "item": item,
            "figure": figure_text(figure) if item.is_automatic else "",
            "auto_points": auto_points,
            "records_url": records,
            "sides": sides_of(score, item, side if editable else None, evaluation.status),
            "files": files.get(item.pk, []),
            "missing_evidence": item.evidence_required and not files.get(item.pk),
            "fields": {
                what: form.field(item.pk, what)
                for what in ("points", "comment", "override_reason", "veto_failed", "file")
            }
            if form is not None
            else {},
        }
        group = groups.get(item.parent_id)
        if group is None:
            group = groups.setdefault(item.parent_id, {"dimension": None, "items": []})
        group["items"].append(row)
    buttons = [
        (move, move_label(move), reverse(MOVE_URLS[move], args=[evaluation.pk]))
        for move, (starts, _end, action) in TRANSITIONS.items()
        if evaluation.status in starts
        and user.can(Evaluation, action)
        and may(user, Evaluation, action, evaluation)
    ]
    moves = list(evaluation.moves.select_related("by").order_by("date", "recorded_at", "pk"))
    names = level_names(scheme)
    return {
        "object": evaluation,
        "evaluation": evaluation,
        "campaign": campaign,
        "scheme": scheme,
        "groups": [g for g in groups.values() if g["items"]],
        "side": side,
        "side_slug": {Side.SELF: "self", Side.DISTRICT: "district", Side.CITY: "city"}.get(side, ""),
        "editable": editable,
        "form": form,
        "can_remove": can_remove,
        "buttons": buttons,
        "moves": moves,
        "late_now": phase_late(evaluation, campaign, today),
        "computed_level": names.get(evaluation.computed_level) if evaluation.computed_level else "",
        "level": names.get(evaluation.level) if evaluation.level else "",
        "missing_evidence": [r["item"] for g in groups.values() for r in g["items"] if r["missing_evidence"]],
        "title": str(evaluation.organization),
        "breadcrumbs": [
            (_("Rating campaigns"), reverse("assessment:campaign_list")),
            (str(campaign), campaign.get_absolute_url()),
            (_("Evaluations"), reverse("assessment:evaluation_list", args=[campaign.pk])),
            (evaluation.organization.name, None),
        ],
    }


def evaluation_detail(request, pk):
    refused = guard(request, Evaluation)
    if refused:
        return refused
    evaluation = get_object_or_404(evaluation_queryset(request.user), pk=pk)
    return render(request, "assessment/evaluation_detail.html", evaluation_context(request, evaluation))


def evaluation_scores(request, pk, side):
    """The scores of one side posted (the branch's with its evidence files, a reviewer's with the bonus):
    written by ``services.record_scores``, ``record_evaluations`` and ``add_evidence`` together or not at
    all; a refusal shows the page again with the messages on their fields."""
    if side not in SIDE_SLUGS:
        raise Http404
    side = SIDE_SLUGS[side]
    action = SIDE_ACTION[side]
    refused = guard(request, Evaluation, action)
    if refused:
        return refused
    evaluation = get_object_or_404(evaluation_queryset(request.user, action), pk=pk)
    if request.method != "POST":
        return redirect(evaluation.get_absolute_url())
    rows = list(evaluation.scores.select_related("indicator").order_by("indicator__position", "indicator_id"))
    form = ScoresForm(request.POST, request.FILES, side=side, rows=rows, evaluation=evaluation)
    if form.is_valid():
        entries = form.entries(services.ScoreEntry)
        uploads = [
            services.Upload(evaluation, indicator, upload.name, upload.read())
            for indicator, upload in form.uploads()
        ]
        stage = "scores"
        try:
            with transaction.atomic():
                services.record_scores(entries, by=request.user)
                stage = "evaluation"
                services.record_evaluations(
                    [Item(form.evaluation_values(), instance=evaluation)], by=request.user
                )
                if uploads:
                    stage = "evidence"
                    services.add_evidence(uploads, by=request.user)
        except RefusedError as exc:
            scores_problems(form, exc, stage, entries, uploads)
        else:
            messages.success(
                request, _("Saved the scores of %(object)s.") % {"object": evaluation.organization}
            )
            return redirect(evaluation.get_absolute_url() + "#scores")
    evaluation.refresh_from_db()
    context = evaluation_context(request, evaluation, form=form)
    return render(request, "assessment/evaluation_detail.html", context)


def scores_problems(form, refused, stage, entries, uploads):
    """A refusal's problems on the form's fields: a score's on its item's field (``points``, ``comment``,
    ``override_reason``, ``veto_failed``), a file's on its item's file field, the report's or the bonus's on
    theirs; the others above the form."""
    if refused.missing:
        form.add_error(None, _("You cannot save this record outside your scope."))
        return
    for problem in refused.problems:
        name = problem.field
        if stage == "scores" and problem.item is not None and problem.item < len(entries):
            names = form.names[entries[problem.item].indicator.pk]
            name = names.get(problem.field) or names["points"]
        elif stage == "evidence" and problem.item is not None and problem.item < len(uploads):
            name = form.names[uploads[problem.item].indicator.pk]["file"]
        form.add_error(name if name in form.fields else None, str(problem.message))


class MoveView(ObjectActionView):
    """One move of an evaluation: the page says what will happen and asks its date (the reason of a return
    or a sending back; at approval the level awarded, with the quota's room); the move is its POST, written
    by ``services.move_evaluations``: a late move is recorded and flagged, never refused."""

    model = Evaluation
    form_class = MoveForm
    template_name = "assessment/move_form.html"
    move = None

    @property
    def action(self):
        return TRANSITIONS[self.move][2]

    def object_queryset(self):
        return evaluation_queryset(self.request.user, self.action)

    def get_title(self):
        return _("%(move)s: %(branch)s") % {"move": move_label(self.move), "branch": self.object.organization}

    def form_arguments(self):
        return {"move": self.move, "evaluation": self.object}

    def perform(self, form):
        data = form.cleaned_data
        services.move_evaluations(
            [
                services.Step(
                    self.object, self.move, data["date"], data.get("note", ""), data.get("level") or None
                )
            ],
            by=self.request.user,
        )
        return _("%(move)s recorded for %(branch)s.") % {
            "move": move_label(self.move),
            "branch": self.object.organization,
        }

    def breadcrumbs(self):
        campaign = self.object.campaign
        return [
            (_("Rating campaigns"), reverse("assessment:campaign_list")),
            (str(campaign), campaign.get_absolute_url()),
            (self.object.organization.name, self.object.get_absolute_url()),
            (move_label(self.move), None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evaluation = self.object
        campaign = evaluation.campaign
        context.update(
            question=QUESTIONS[self.move] % {"branch": evaluation.organization},
            move=self.move,
            evaluation=evaluation,
            due=getattr(campaign, DUE_BY[self.move]) if self.move in DUE_BY else None,
            quota=quota_rows(evaluation) if self.move == M_APPROVE else [],
            computed_name=level_names(campaign.scheme).get(evaluation.computed_level) or _("no level"),
        )
        if self.move == rules.M_SUBMIT:
            context["missing"] = list(
                Score.objects.filter(evaluation=evaluation, indicator__evidence_required=True)
                .exclude(indicator__files__evaluation=evaluation)
                .select_related("indicator")
                .order_by("indicator__position")
            )
        return context


def quota_rows(evaluation):
    """Each level's quota in the campaign: the room it allows, how many hold it already (approved or
    published), and the room left (None: no quota)."""
    campaign = evaluation.campaign
    branches = campaign.evaluations.count()
    held = dict(
        campaign.evaluations.filter(status__in=[Status.CITY_APPROVED, Status.PUBLISHED])
        .order_by()
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    rows = []
    for level in sorted(campaign.scheme.levels.all(), key=lambda r: -r.level):
        room = scoring.quota_room(level.quota_percent, branches)
        used = held.get(level.level, 0)
        rows.append(
            {
                "level": level,
                "percent": level.quota_percent,
                "room": room,
                "used": used,
                "left": None if room is None else max(room - used, 0),
            }
        )
    return rows


QUESTIONS = {
    rules.M_SUBMIT: gettext_lazy(
        "Submit the self-assessment of %(branch)s to the district: it can no longer be changed unless the "
        "district returns it."
    ),
    rules.M_REVIEW: gettext_lazy(
        "Record the district's review of %(branch)s: it then waits for the city's approval."
    ),
    rules.M_RETURN: gettext_lazy("Return %(branch)s for revision, with the reason the branch will read."),
    rules.M_APPROVE: gettext_lazy(
        "Approve the level of %(branch)s: at most the level its points give, within the level's quota."
    ),
    rules.M_SEND_BACK: gettext_lazy("Send %(branch)s back to the district, with the reason."),
    rules.M_PUBLISH: gettext_lazy("Publish the level of %(branch)s: the evaluation is then frozen."),
}


def move_view(move):
    return type(f"{move.title().replace('_', '')}View", (MoveView,), {"move": move}).as_view()


# Evidence -----------------------------------------------------------------------------------------------
class EvidenceDownloadView(ScopedMixin, View):
    """An evidence file, within the scope, logged like an export."""

    model = EvidenceFile

    def get(self, request, pk):
        return download(request, get_object_or_404(self.scoped(), pk=pk))


class EvidenceRemoveView(ObjectActionView):
    """Remove an evidence file from an evaluation in self-assessment (the branch's, through
    ``services.remove_evidence``); its record stays in the change history."""

    model = Evaluation
    action = SUBMIT
    template_name = "core/object_confirm.html"
    form_class = forms.Form

    def object_queryset(self):
        return (
            EvidenceFile.objects.filter(
                evaluation__in=Evaluation.objects.visible_to(self.request.user, SUBMIT)
            )
            .select_related("evaluation__organization", "indicator")
            .defer("content")
        )

    def object_url(self):
        return self.object.evaluation.get_absolute_url()

    def get_title(self):
        return _("Remove the evidence file %(name)s") % {"name": self.object.file_name}

    def breadcrumbs(self):
        return [
            (self.object.evaluation.organization.name, self.object_url()),
            (self.get_title(), None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["question"] = _("%(name)s will be removed from the item %(item)s of %(branch)s.") % {
            "name": self.object.file_name,
            "item": self.object.indicator,
            "branch": self.object.evaluation.organization,
        }
        return context

    def perform(self, form):
        services.remove_evidence([self.object], by=self.request.user)
        return _("Removed %(name)s.") % {"name": self.object.file_name}


# Publicity and publication ------------------------------------------------------------------------------
def publicity(request, pk):
    """The approved evaluations of a campaign during its publicity (公示), with the city's start of the
    publicity and publication once it is over."""
    refused = guard(request, Evaluation)
    if refused:
        return refused
    campaign = visible_campaign(request, pk)
    today = timezone.localdate()
    approved = (
        campaign_evaluations(request, campaign)
        .filter(status=Status.CITY_APPROVED)
        .select_related("organization")
        .order_by("organization__path")
    )
    page = paged(request, approved, per_page=100)
    user = request.user
    names = level_names(campaign.scheme)
    publishable = campaign.publicity_until is not None and today > campaign.publicity_until
    return render(
        request,
        "assessment/publicity.html",
        {
            **page,
            "campaign": campaign,
            "rows": [(e, names.get(e.level, "")) for e in page["page_obj"].object_list],
            "count": page["paginator"].count,
            "today": today,
            "in_publicity": campaign.publicity_from is not None
            and campaign.publicity_from <= today <= (campaign.publicity_until or today),
            "publishable": publishable,
            "can_start": user.can(Campaign, PUBLISH) and may(user, Campaign, PUBLISH, campaign),
            "can_publish": user.can(Evaluation, PUBLISH),
            "title": _("Publicity of %(campaign)s") % {"campaign": campaign},
            "breadcrumbs": [
                (_("Rating campaigns"), reverse("assessment:campaign_list")),
                (str(campaign), campaign.get_absolute_url()),
                (_("Publicity"), None),
            ],
        },
    )


class CampaignActionView(ObjectActionView):
    model = Campaign
    action = PUBLISH
    form_class = DateForm
    template_name = "assessment/campaign_action.html"

    def object_queryset(self):
        return Campaign.objects.visible_to(self.request.user, self.action).select_related("scheme", "scope")

    def object_url(self):
        return reverse("assessment:publicity", args=[self.object.pk])

    def breadcrumbs(self):
        return [
            (_("Rating campaigns"), reverse("assessment:campaign_list")),
            (str(self.object), self.object.get_absolute_url()),
            (_("Publicity"), self.object_url()),
            (self.get_title(), None),
        ]


class StartPublicityView(CampaignActionView):
    """Start a campaign's publicity on a day: it lasts the scheme's working days (the holiday calendar)."""

    def get_title(self):
        return _("Start the publicity of %(campaign)s") % {"campaign": self.object}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["question"] = _(
            "The approved results are publicised from this day for %(days)s working days; they can be "
            "published once the publicity is over."
        ) % {"days": self.object.scheme.publicity_days}
        return context

    def perform(self, form):
        services.start_publicity(self.object, form.cleaned_data["date"], by=self.request.user)
        return _("The publicity of %(campaign)s has started.") % {"campaign": self.object}


class PublishView(CampaignActionView):
    """Publish every approved evaluation of the campaign in the user's scope (its publicity over): each
    branch gets its rating of the year, and the evaluation is frozen."""

    model = Evaluation

    def object_queryset(self):
        return Campaign.objects.visible_to(self.request.user).select_related("scheme", "scope")

    def approved(self):
        return (
            Evaluation.objects.visible_to(self.request.user, PUBLISH)
            .filter(campaign=self.object, status=Status.CITY_APPROVED)
            .select_related("organization", "campaign__scheme")
            .order_by("organization__path")
        )

    def get_title(self):
        return _("Publish the results of %(campaign)s") % {"campaign": self.object}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["question"] = _(
            "%(count)s approved evaluations will be published: each branch's level becomes its rating of "
            "%(year)s, and the evaluations are frozen."
        ) % {"count": self.approved().count(), "year": self.object.year}
        return context

    def perform(self, form):
        found = list(self.approved())
        if not found:
            raise RefusedError([Problem(_("No approved evaluation waits for publication."))])
        date = form.cleaned_data["date"]
        services.move_evaluations([services.Step(e, M_PUBLISH, date) for e in found], by=self.request.user)
        return _("Published %(count)s evaluations.") % {"count": len(found)}

    def get_success_url(self):
        return reverse("assessment:results", args=[self.object.pk])


# Results ------------------------------------------------------------------------------------------------
def results(request, pk):
    """A campaign's published results for a scope: the branches at each level, and the transitions from
    their level of the year before (升级进位), each as a table beside its chart."""
    refused = guard(request, Evaluation)
    if refused:
        return refused
    campaign = visible_campaign(request, pk)
    org = chosen_org(request, campaign.scope)
    names = level_names(campaign.scheme)
    published = campaign_evaluations(request, campaign).in_subtree(org.path).filter(status=Status.PUBLISHED)
    counts = dict(published.order_by().values_list("level").annotate(n=Count("pk")))
    levels = list(range(MAX_LEVEL, 0, -1))
    distribution = [(names[n], counts.get(n, 0)) for n in levels]
    pairs = metrics.transitions(org, campaign.year)
    before = sorted({a for a, _b in pairs if a is not None}, reverse=True)
    if any(a is None for a, _b in pairs):
        before.append(None)  # rated for the first time: in neither count of the upgrade
    matrix = [
        {
            "from": names.get(a, star_name(a)) if a is not None else _("Not rated the year before"),
            "first": a is None,
            "cells": [pairs.get((a, b), 0) for b in levels],
            "total": sum(pairs.get((a, b), 0) for b in levels),
        }
        for a in before
    ]
    upgraded = REGISTRY["assessment.upgraded"].compute(org, Period.of(campaign.year))
    chart = {
        "levels": [names[n] for n in levels],
        "counts": [counts.get(n, 0) for n in levels],
        "from": [row["from"] for row in matrix],
        "rows": [row["cells"] for row in matrix],
        "from_label": _("Level of %(year)s") % {"year": campaign.year - 1},
    }
    return render(
        request,
        "assessment/results.html",
        {
            "campaign": campaign,
            "org": org,
            "distribution": distribution,
            "published": sum(counts.values()),
            "levels": [names[n] for n in levels],
            "matrix": matrix,
            "upgraded": upgraded.value,
            "both": upgraded.denominator,
            "share": round(100 * upgraded.value / upgraded.denominator) if upgraded.denominator else None,
            "chart": chart,
            "previous_year": campaign.year - 1,
            "export_url": reverse("assessment:evaluation_list", args=[campaign.pk])
            + f"?status={Status.PUBLISHED}&export=xlsx"
            + (f"&within={org.code}" if org.pk != campaign.scope_id else ""),
            "title": _("Results of %(campaign)s") % {"campaign": campaign},
            "breadcrumbs": [
                (_("Rating campaigns"), reverse("assessment:campaign_list")),
                (str(campaign), campaign.get_absolute_url()),
                (_("Results"), None),
            ],
        },
    )


# The organization's panel -------------------------------------------------------------------------------
def organization_panel(request, pk):
    """The panel on an organization's page: a branch's ratings by year and its evaluation of the running
    campaign; for an organization above branches, its branches' ratings of the latest year by level."""
    refused = guard(request, Rating)
    if refused:
        return refused
    org = get_object_or_404(PartyOrganization.objects.visible_to(request.user), pk=pk)
    context = {"org": org, "rated": org.org_type in RATED_TYPES}
    if context["rated"]:
        context["ratings"] = [
            (r, star_name(r.level))
            for r in Rating.objects.visible_to(request.user).filter(organization=org).order_by("-year")[:10]
        ]
        context["running"] = list(
            Evaluation.objects.visible_to(request.user)
            .filter(organization=org, campaign__published_on__isnull=True)
            .exclude(status=Status.PUBLISHED)
            .select_related("campaign")
            .order_by("-campaign__year")[:3]
        )
    else:
        ratings = Rating.objects.visible_to(request.user).in_subtree(org.path)
        latest = ratings.order_by("-year").values_list("year", flat=True).first()
        counts = (
            dict(ratings.filter(year=latest).order_by().values_list("level").annotate(n=Count("pk")))
            if latest
            else {}
        )
        context["latest"] = latest
        context["levels"] = [(star_name(n), counts.get(n, 0), n) for n in range(MAX_LEVEL, 0, -1)]
    return render(request, "assessment/organization_panel.html", context)
