"""The permission matrix of star rating (see redengine.testing.matrix), its pages and its API: the campaigns
(list, export, open, board, publicity, results, the start of the publicity and the publication), the
evaluations in the state each move starts from with every page, form and move they have, the score rows
and the moves as the evaluation's page shows them, the evidence files (download, removal), the schemes with
their levels and indicators (list, page, edit, copy, export, import), the ratings and the demonstration
branches, the overview and the organization's panel.

The sample evaluations sit in the demo tree at the secretary's own branch, a branch of the same district
outside the secretary's scope (for what the branch does and reads) and a branch of another district, each in
a campaign of its own over the branch alone, so that each case's ``setup`` stays quick; a move of the
district or the city is tried at the first and the last only (no role of the district or the city tells the
second from the first). They are made and moved with the real services for each test. A move or a side's
scores is the action of the role that owns it (``Evaluation.role_actions``): a role without it answers 403,
an evaluation outside the scope of that action 404 as for a missing id, and a move done leaves exactly the
evaluation's change and its move's record, in the actor's name. Schemes and campaigns are city-wide records
every business role reads (``global_table``)."""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from redengine.assessment import services
from redengine.assessment.models import (
    Campaign,
    Designation,
    Evaluation,
    EvaluationMove,
    EvidenceFile,
    Indicator,
    Level,
    Rating,
    Scheme,
    Score,
)
from redengine.assessment.rules import CONFIRM, PUBLISH, REVIEW, SUBMIT
from redengine.assessment.services import ratings, schemes
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization
from redengine.testing.matrix import (
    MISSING_PK,
    Action,
    ApiCreate,
    ApiDetail,
    ApiList,
    Confirm,
    Create,
    Detail,
    Edit,
    Export,
    ListPage,
    Page,
    ScopedCase,
    Trail,
    View,
    api_path,
    build_matrix,
    exported_values,
)

from .helpers import BRANCH, FURONG_BRANCH, days_ago, default_scheme, indicator, org

SAMPLES = {"own": BRANCH, "sibling": "CS430104-01", "other_district": FURONG_BRANCH}
MOVERS = {"own": BRANCH, "other_district": FURONG_BRANCH}
# Each sample in a campaign of its own whose scope is the branch itself: the fewest evaluations to make.
PDF = b"%PDF-1.4 evidence\n%%EOF\n"
YEAR = timezone.localdate().year - 1
# The dates of the moves, so that the publicity (five working days) is over by today.
SUBMITTED_ON, REVIEWED_ON, APPROVED_ON, PUBLICISED_ON = 30, 28, 26, 25
STEPS = [("submit", SUBMITTED_ON), ("review", REVIEWED_ON), ("approve", APPROVED_ON)]
MOVED = {("evaluation", "update"): 1, ("evaluationmove", "create"): 1}
PUBLISHED = {**MOVED, ("rating", "create"): 1, ("campaign", "update"): 1}


def campaign_name(key):
    return f"矩阵{key}评定"


def later(days):
    return timezone.localdate() + timezone.timedelta(days=days)


def open_samples(codes=SAMPLES):
    """A campaign for each sample branch (started 60 days ago, phases ending in the future), by the system."""
    return services.open_campaigns(
        [
            Item(
                {
                    "name": campaign_name(key),
                    "scheme": default_scheme(),
                    "year": YEAR,
                    "scope": org(code),
                    "starts_on": days_ago(60),
                    "self_until": later(20),
                    "district_until": later(30),
                    "city_until": later(40),
                }
            )
            for key, code in codes.items()
        ],
        by=SYSTEM,
    )


def samples(codes=SAMPLES):
    return list(Evaluation.objects.filter(organization__code__in=codes.values()).order_by("pk"))


def ready(evaluations):
    """Scored by the branch (a comment on each item naming the branch) and its evidence attached."""
    items = list(
        Score.objects.filter(evaluation__in=evaluations).select_related(
            "indicator", "evaluation__organization"
        )
    )
    services.record_scores(
        [
            services.ScoreEntry(
                s.evaluation,
                s.indicator,
                "self",
                points=s.indicator.max_points,
                comment=f"{s.indicator.code}说明-{s.evaluation.organization.code}",
            )
            for s in items
            if not s.indicator.veto and not s.indicator.is_automatic
        ],
        by=SYSTEM,
    )
    services.add_evidence(
        [
            services.Upload(s.evaluation, s.indicator, "证明.pdf", PDF)
            for s in items
            if s.indicator.evidence_required
        ],
        by=SYSTEM,
    )


def sample_evaluations(state, codes=SAMPLES):
    """The samples moved by the system up to ``state`` (``ready``: scored, still in self-assessment)."""
    upto = {
        "draft": 0,
        "ready": 0,
        "submitted": 1,
        "district_reviewed": 2,
        "city_approved": 3,
        "publicised": 3,
    }[state]

    def setup():
        campaigns = open_samples(codes)
        found = samples(codes)
        if state != "draft":
            ready(found)
        for move, days in STEPS[:upto]:
            services.move_evaluations([services.Step(e, move, days_ago(days)) for e in found], by=SYSTEM)
        if state == "publicised":
            for campaign in campaigns:
                services.start_publicity(campaign, days_ago(PUBLICISED_ON), by=SYSTEM)

    return setup


def status_is(status):
    return lambda e: Evaluation.objects.get(pk=e.pk).status == status


# Views of the pages and the API that the framework has no class for ---------------------------------------
@dataclass
class CampaignList(View):
    """The evaluations of the subject's campaign (a page whose address names the campaign): the branch's name
    shows exactly when the evaluation is in the user's scope; ``export`` the .xlsx, logged."""

    export: bool = False

    kind = "ui_campaign_list"
    with_object = False

    def check(self, run):
        obj = run.subject
        trail = Trail()
        response = run.ui().get(
            reverse(self.url, args=[obj.campaign_id]), {"export": "xlsx"} if self.export else {}
        )
        needed = ("view", "export") if self.export else ("view",)
        for action in needed:  # the list's own refusal first
            if not run.case.allowed(run.user, action, self.model):
                trail.assert_refused(response, run.user, action)
                return
        assert response.status_code == 200
        shown = run.case.in_scope(run.user, obj, needed[-1], self.model)
        name = obj.organization.name
        found = name in exported_values(response) if self.export else name in response.content.decode()
        assert found == shown
        if self.export:
            trail.assert_logged(run.user, "export")
        trail.assert_nothing_written()


@dataclass
class ParentPage(View):
    """The page of the record the subject belongs to (its evaluation, its scheme): 403; 404 outside the scope
    as for a missing id; else 200, showing the subject (``shows``)."""

    parent: str = "evaluation_id"
    shows: object = None

    kind = "ui_parent_page"

    def check(self, run):
        obj = run.subject
        trail = Trail()
        response = run.ui().get(reverse(self.url, args=[getattr(obj, self.parent) if obj else MISSING_PK]))
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        reachable = obj is not None and self.in_scope(run)
        assert response.status_code == (200 if reachable else 404), response.content[:300]
        if reachable:
            assert self.shows(obj) in response.content.decode()
        trail.assert_nothing_written()


@dataclass
class ApiWrite(View):
    """A write on a record's route (an extra action, a PATCH): 403 for a role without the action; 404 outside
    its scope as for a missing id; 400 where the domain refuses it to this writer (``possible``), nothing
    written; else ``ok``, done, and exactly its change records."""

    method: str = "post"
    body: object = None  # subject -> the body (JSON; a dict with a file is sent as multipart)
    possible: object = None  # run -> whether the domain allows it to this writer
    done: object = None
    records: object = None
    ok: int = 200
    multipart: bool = False

    kind = "api_write"

    def check(self, run):
        obj, user = run.subject, run.user
        reachable = obj is not None and self.in_scope(run)
        works = reachable and (self.possible is None or self.possible(run))
        trail = Trail()
        body = self.body(obj) if obj is not None else {}
        if self.multipart:
            from redengine.accounts.models import ApiToken

            key, _token = ApiToken.issue(user, otp_verified=user.requires_2fa)
            response = run.client.post(api_path(self.url, obj), body, HTTP_AUTHORIZATION=f"Token {key}")
        else:
            response = run.api(self.method, api_path(self.url, obj), body)
        if not run.allowed:
            trail.assert_refused(response, user, self.action)
        elif not reachable:
            assert response.status_code == 404, response.content[:300]
            trail.assert_nothing_written()
        elif works:
            assert response.status_code == self.ok, response.content[:500]
            assert self.done(obj)
            trail.assert_records(user, self.records(obj))
            return
        else:
            assert response.status_code == 400, response.content[:300]
            trail.assert_nothing_written()
        if obj is not None:
            assert not self.done(obj)


def in_scope_for(action, model=Evaluation):
    return lambda run: run.case.in_scope(run.user, run.subject, action, model)


# Evaluations ----------------------------------------------------------------------------------------------
def move_views(move, action, body=None, done=None, records=MOVED, confirm=False):
    """The move's form posted and its API route, and its confirmation page (``confirm``: one view class
    serves every move's, so two of them are declared)."""
    url = f"assessment:evaluation_{move}"
    pages = [Confirm(url, label="confirm", action=action, says=lambda e: e.organization.name, done=done)]
    data = {"date": days_ago(1).isoformat(), **(body or {})}
    return [
        *(pages if confirm else []),
        Action(url, action=action, data=lambda e: data, done=done, records=lambda e: records),
        ApiWrite(
            f"evaluation-{move}", action=action, body=lambda e: data, done=done, records=lambda e: records
        ),
    ]


def comment_of(e, side, code="A3"):
    return getattr(Score.objects.get(evaluation=e, indicator__code=code), f"{side}_comment")


def scores_views(side, action):
    """A side's scores posted through the page (one comment given on A3, the rest as recorded) and the API."""

    def data(e):
        found = {}
        for score in Score.objects.filter(evaluation=e).select_related("indicator"):
            item = score.indicator
            value = getattr(score, f"{side}_points")
            if not item.veto and not (side == "self" and item.is_automatic):
                found[f"points_{item.pk}"] = "" if value is None else str(value)
            found[f"comment_{item.pk}"] = getattr(score, f"{side}_comment")
            if item.veto and side != "self" and score.veto_failed:
                found[f"veto_{item.pk}"] = "on"
            if item.is_automatic and side != "self":
                found[f"override_{item.pk}"] = score.override_reason
        found[f"comment_{indicator('A3').pk}"] = f"矩阵{side}说明"
        found.update({"summary": e.summary} if side == "self" else {"bonus_points": "", "bonus_reason": ""})
        return found

    api_comment = f"接口{side}说明"
    return [
        Action(
            "assessment:evaluation_scores",
            label=side,
            action=action,
            args=lambda pk: [pk, side],
            data=data,
            done=lambda e: comment_of(e, side) == f"矩阵{side}说明",
            records=lambda e: {("score", "update"): 1},
        ),
        ApiWrite(
            "evaluation-scores",
            label=side,
            action="change",
            body=lambda e: [{"indicator": "A3", "points": "4", "comment": api_comment}],
            possible=in_scope_for(action),
            done=lambda e: comment_of(e, side) == api_comment,
            records=lambda e: {("score", "update"): 1, ("evaluation", "update"): 1},
        ),
    ]


def evaluation_case(name, state, views, codes=MOVERS):
    return ScopedCase(
        name=name,
        model=Evaluation,
        positions=codes,
        owners=lambda e: [e.organization],
        find=lambda code: Evaluation.objects.get(organization__code=code),
        setup=sample_evaluations(state, codes),
        views=views,
    )


REPORT = "矩阵自评报告"
# Opened only: what the branch reads and writes before it is ready to submit.
DRAFT = evaluation_case(
    "assessment_evaluation",
    "draft",
    [
        CampaignList("assessment:evaluation_list"),
        CampaignList("assessment:evaluation_list", action="export", label="export", export=True),
        Detail("assessment:evaluation_detail"),
        *scores_views("self", SUBMIT),
        ApiList("evaluation-list"),
        ApiDetail("evaluation-detail"),
        ApiWrite(
            "evaluation-detail",
            method="patch",
            action="change",
            body=lambda e: {"summary": REPORT},
            possible=in_scope_for(SUBMIT),
            done=lambda e: Evaluation.objects.get(pk=e.pk).summary == REPORT,
            records=lambda e: {("evaluation", "update"): 1},
        ),
        ApiWrite(
            "evaluation-evidence",
            action="change",
            multipart=True,
            body=lambda e: {
                "indicator": "A3",
                "file": SimpleUploadedFile("接口照片.pdf", PDF, "application/pdf"),
            },
            possible=in_scope_for(SUBMIT),
            done=lambda e: EvidenceFile.objects.filter(evaluation=e, file_name="接口照片.pdf").exists(),
            records=lambda e: {("evidencefile", "create"): 1},
            ok=201,
        ),
    ],
    codes=SAMPLES,
)
READY = evaluation_case(
    "assessment_evaluation_ready",
    "ready",
    move_views("submit", SUBMIT, done=status_is("submitted"), confirm=True),
    codes=SAMPLES,
)
SUBMITTED = evaluation_case(
    "assessment_evaluation_submitted",
    "submitted",
    [
        *scores_views("district", REVIEW),
        *move_views("review", REVIEW, done=status_is("district_reviewed")),
        *move_views("return", REVIEW, body={"note": "材料不全"}, done=status_is("draft")),
    ],
)
REVIEWED = evaluation_case(
    "assessment_evaluation_reviewed",
    "district_reviewed",
    [
        *scores_views("city", CONFIRM),
        *move_views("approve", CONFIRM, done=status_is("city_approved"), confirm=True),
        *move_views("send_back", CONFIRM, body={"note": "请区县复查"}, done=status_is("submitted")),
    ],
)
PUBLICISED = evaluation_case(
    "assessment_evaluation_publicised",
    "publicised",
    move_views("publish", PUBLISH, done=status_is("published"), records=PUBLISHED),
)


# The score rows and the moves, as the evaluation's page shows them ----------------------------------------
def sample_of(model):
    def find(code):
        found = model.objects.select_related("evaluation__organization").filter(
            evaluation__organization__code=code
        )
        return found.filter(indicator__code="A3").get() if model is Score else found.get()

    return find


SCORES = ScopedCase(
    name="assessment_score",
    model=Score,
    positions=SAMPLES,
    owners=lambda s: [s.evaluation.organization],
    find=sample_of(Score),
    setup=sample_evaluations("ready"),
    views=[
        ParentPage(
            "assessment:evaluation_detail", model=Evaluation, label="score", shows=lambda s: s.self_comment
        )
    ],
)
MOVES = ScopedCase(
    name="assessment_move",
    model=EvaluationMove,
    positions=SAMPLES,
    owners=lambda m: [m.evaluation.organization],
    find=sample_of(EvaluationMove),
    setup=sample_evaluations("submitted"),
    views=[
        ParentPage(
            "assessment:evaluation_detail",
            model=Evaluation,
            label="move",
            shows=lambda m: f"{m.date:%Y-%m-%d}",
        )
    ],
)


# Evidence files ------------------------------------------------------------------------------------------
FILES = ScopedCase(
    name="assessment_evidence",
    model=EvidenceFile,
    positions=SAMPLES,
    owners=lambda f: [f.evaluation.organization],
    find=lambda code: (
        EvidenceFile.objects.defer("content").filter(evaluation__organization__code=code).first()
    ),
    setup=sample_evaluations("ready"),
    views=[
        Detail("assessment:file", logs="export"),
        Confirm(
            "assessment:file_remove",
            label="confirm",
            model=Evaluation,
            action=SUBMIT,
            says=lambda f: f.file_name,
            done=lambda f: not EvidenceFile.objects.filter(pk=f.pk).exists(),
        ),
        Action(
            "assessment:file_remove",
            model=Evaluation,
            action=SUBMIT,
            data=lambda f: {},
            done=lambda f: not EvidenceFile.objects.filter(pk=f.pk).exists(),
            records=lambda f: {("evidencefile", "delete"): 1},
        ),
    ],
)


# Campaigns: city-wide records, every business role reads them ------------------------------------------
def sample_campaigns():
    """The campaigns of two samples, each evaluation approved and the publicity started, over by today."""
    campaigns = open_samples(MOVERS)
    found = samples(MOVERS)
    ready(found)
    for move, days in STEPS:
        services.move_evaluations([services.Step(e, move, days_ago(days)) for e in found], by=SYSTEM)
    for campaign in campaigns:
        services.start_publicity(campaign, days_ago(PUBLICISED_ON), by=SYSTEM)


NEW_CAMPAIGN, NEW_API_CAMPAIGN = "矩阵新开评定", "矩阵接口新开评定"


def new_campaign_data(c, name=NEW_CAMPAIGN, year=YEAR - 1):
    return {
        "name": name,
        "scheme": c.scheme_id,
        "year": year,
        "scope": c.scope.code,
        "starts_on": days_ago(10).isoformat(),
        "self_until": later(10).isoformat(),
        "district_until": later(20).isoformat(),
        "city_until": later(30).isoformat(),
    }


def opened_records(c):
    """A campaign, an evaluation of each branch of its scope, a score row of each item of each."""
    branches = Evaluation.objects.filter(campaign=c).count()
    items = default_scheme().indicators.filter(parent__isnull=False).count()
    return {
        ("campaign", "create"): 1,
        ("evaluation", "create"): branches,
        ("score", "create"): branches * items,
    }


def campaign_case(name, setup, views):
    return ScopedCase(
        name=name,
        model=Campaign,
        lookup="name",
        positions={key: campaign_name(key) for key in MOVERS},
        owners=lambda c: [c.scope],
        setup=setup,
        global_table=True,
        views=views,
    )


def publicity_from(day):
    return lambda c: Campaign.objects.get(pk=c.pk).publicity_from == day


CAMPAIGNS = campaign_case(
    "assessment_campaign",
    lambda: open_samples(MOVERS),
    [
        Page("assessment:overview", label="home"),
        ListPage("assessment:campaign_list", query={}),
        Export("assessment:campaign_list"),
        Page("assessment:campaign_add", action="add", label="form"),
        Create(
            "assessment:campaign_add",
            data=new_campaign_data,
            created=lambda c: Campaign.objects.filter(name=NEW_CAMPAIGN),
            records=opened_records,
        ),
        Detail("assessment:campaign_detail"),
        Edit(
            "assessment:campaign_edit",
            change=("name", "改名的星级评定"),
            fields=["self_until", "district_until", "city_until"],
        ),
        Detail("assessment:publicity"),
        Detail("assessment:results"),
        Confirm("assessment:start_publicity", label="confirm", action=PUBLISH, says=lambda c: c.name),
        Confirm(
            "assessment:publish", label="confirm", model=Evaluation, action=PUBLISH, says=lambda c: c.name
        ),
        ApiList("campaign-list"),
        ApiDetail("campaign-detail"),
        ApiCreate(
            "campaign-list",
            body=lambda c: new_campaign_data(c, NEW_API_CAMPAIGN, YEAR - 2),
            created=lambda c: Campaign.objects.filter(name=NEW_API_CAMPAIGN),
            records=opened_records,
        ),
    ],
)
PUBLICITY = campaign_case(
    "assessment_campaign_publicised",
    sample_campaigns,
    [
        Action(
            "assessment:start_publicity",
            action=PUBLISH,
            data=lambda c: {"date": days_ago(PUBLICISED_ON - 1).isoformat()},
            done=publicity_from(days_ago(PUBLICISED_ON - 1)),
            records=lambda c: {("campaign", "update"): 1},
        ),
        ApiWrite(
            "campaign-publicity",
            action=PUBLISH,
            model=Campaign,
            body=lambda c: {"date": days_ago(PUBLICISED_ON - 2).isoformat()},
            done=publicity_from(days_ago(PUBLICISED_ON - 2)),
            records=lambda c: {("campaign", "update"): 1},
        ),
        Action(
            "assessment:publish",
            model=Evaluation,
            action=PUBLISH,
            data=lambda c: {"date": days_ago(0).isoformat()},
            done=lambda c: Rating.objects.filter(evaluation__campaign=c).exists(),
            records=lambda c: PUBLISHED,
        ),
    ],
)


# Schemes, their levels and indicators: city-wide, every business role reads them, the city writes ---------
def scheme_of(key):
    return Scheme.objects.get(name=key, version="2019")


def copy_records(s):
    """A scheme made whole: its header, its levels and its indicators."""
    return {
        ("scheme", "create"): 1,
        ("level", "create"): s.levels.count(),
        ("indicator", "create"): s.indicators.count(),
    }


def new_scheme_body(s):
    draft = schemes.draft_of(s)
    return {**draft.values, "version": "矩阵接口", "levels": draft.levels, "indicators": draft.indicators}


COPY = {"version": "矩阵副本", "effective_year": YEAR}
SCHEMES = ScopedCase(
    name="assessment_scheme",
    model=Scheme,
    lookup="name",
    positions={"shipped": "学校党支部星级评定标准"},
    find=scheme_of,
    owners=lambda s: [],
    global_table=True,
    views=[
        ListPage("assessment:scheme_list", query={}),
        Export("assessment:scheme_list"),
        Detail("assessment:scheme_detail"),
        Page("assessment:scheme_add", action="add", label="form"),
        Page("assessment:scheme_import", action="add", label="form"),
        Detail("assessment:scheme_edit", action="change", label="form"),
        Confirm("assessment:scheme_copy", label="form", action="add", says=lambda s: s.name),
        Action(
            "assessment:scheme_copy",
            action="add",
            data=lambda s: COPY,
            done=lambda s: Scheme.objects.filter(version=COPY["version"]).exists(),
            records=copy_records,
        ),
        Detail("assessment:scheme_export", action="export", logs="export"),
        ApiList("scheme-list"),
        ApiDetail("scheme-detail"),
        ApiCreate(
            "scheme-list",
            body=new_scheme_body,
            created=lambda s: Scheme.objects.filter(version="矩阵接口"),
            records=copy_records,
        ),
        ApiWrite(
            "scheme-detail",
            method="patch",
            action="change",
            model=Scheme,
            body=lambda s: {"notes": "接口改了说明"},
            done=lambda s: Scheme.objects.get(pk=s.pk).notes == "接口改了说明",
            records=lambda s: {("scheme", "update"): 1},
        ),
        ApiWrite(
            "scheme-copy",
            action="add",
            model=Scheme,
            body=lambda s: {"version": "矩阵接口副本", "effective_year": YEAR},
            done=lambda s: Scheme.objects.filter(version="矩阵接口副本").exists(),
            records=copy_records,
            ok=201,
        ),
    ],
)
LEVELS = ScopedCase(
    name="assessment_level",
    model=Level,
    positions={"top": 5},
    find=lambda n: Level.objects.get(scheme=default_scheme(), level=n),
    owners=lambda row: [],
    global_table=True,
    views=[ParentPage("assessment:scheme_detail", parent="scheme_id", label="level", shows=lambda r: r.name)],
)
INDICATORS = ScopedCase(
    name="assessment_indicator",
    model=Indicator,
    positions={"item": "B2"},
    find=lambda code: indicator(code),
    owners=lambda row: [],
    global_table=True,
    views=[
        ParentPage("assessment:scheme_detail", parent="scheme_id", label="indicator", shows=lambda i: i.name)
    ],
)


# Ratings and demonstration branches ------------------------------------------------------------------------
def sample_ratings(years=(YEAR - 2,)):
    """Five stars for each sample branch in ``years`` (the past years' sheet), by the system."""
    ratings.record_ratings(
        [
            Item({"organization": org(code), "year": year, "level": 5, "total": "95", "imported": True})
            for code in SAMPLES.values()
            for year in years
        ],
        by=SYSTEM,
    )


def sample_designations():
    sample_ratings((YEAR - 2, YEAR - 3))
    ratings.record_designations(
        [
            Item(
                {
                    "organization": org(code),
                    "year": YEAR - 2,
                    "document_number": f"矩阵文号-{position}",
                    "designated_on": days_ago(300),
                }
            )
            for position, code in SAMPLES.items()
        ],
        by=SYSTEM,
    )


RATINGS = ScopedCase(
    name="assessment_rating",
    model=Rating,
    positions=SAMPLES,
    owners=lambda r: [r.organization],
    find=lambda code: Rating.objects.select_related("organization").get(organization__code=code),
    setup=sample_ratings,
    views=[
        ListPage("assessment:rating_list", query={}, text=lambda r: r.organization.code),
        Export("assessment:rating_list", text=lambda r: r.organization.code),
    ],
)
DESIGNATED = "矩阵新示范文号"
DESIGNATIONS = ScopedCase(
    name="assessment_designation",
    model=Designation,
    positions=SAMPLES,
    owners=lambda d: [d.organization],
    find=lambda code: Designation.objects.select_related("organization").get(organization__code=code),
    setup=sample_designations,
    marker_field="document_number",
    views=[
        ListPage("assessment:designation_list", query={}),
        Export("assessment:designation_list"),
        Page("assessment:designation_add", action="add", label="form"),
        Create(
            "assessment:designation_add",
            data=lambda d: {
                "year": YEAR - 3,
                "organization": d.organization_id,
                "document_number": DESIGNATED,
                "designated_on": days_ago(400).isoformat(),
            },
            created=lambda d: Designation.objects.filter(
                organization=d.organization_id, document_number=DESIGNATED
            ),
        ),
    ],
)


# The organization's panel --------------------------------------------------------------------------------
ORGANIZATIONS = ScopedCase(
    name="assessment_organization",
    model=PartyOrganization,
    lookup="code",
    owners=lambda o: [o],
    positions=SAMPLES,
    views=[Detail("assessment:organization_panel", model=Rating)],
)

globals().update(
    build_matrix(
        DRAFT,
        READY,
        SUBMITTED,
        REVIEWED,
        PUBLICISED,
        SCORES,
        MOVES,
        FILES,
        CAMPAIGNS,
        PUBLICITY,
        SCHEMES,
        LEVELS,
        INDICATORS,
        RATINGS,
        DESIGNATIONS,
        ORGANIZATIONS,
    )
)
