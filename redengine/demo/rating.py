"""Branch star rating in the demo city (星级评定): the 2018 pilot's results and those of 2020–2025 brought in
through the 星级评定结果 sheet's service, the 2019 campaign run on the platform from self-assessment to
publication, three demonstration branches of 2019, and this year's campaign running (branches at each
status, some late), written through the app's services acting as ``SYSTEM``, drawn from a seeded generator.

The records give the report's figures (metrics.md) for the root scope: in 2019, 324 branches moved up
(升级进位) of the 341 rated in both 2018 and 2019 (95 %), and 3 demonstration branches. The 2018 pilot rated
341 branches; the 2019 campaign rated every branch of the city that existed at its start, so the others were
rated for the first time and are in neither count. Each 2019 evaluation is scored by its branch so that its
total (the automatic items' points from the records, plus the branch's own points on the other items) gives
the level drawn for it; the pilot's levels are drawn against them (one below for a branch that moved up, the
same or above for one that did not, five stars kept for some at the top).
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from redengine.assessment import services as rating
from redengine.assessment.models import Campaign, Evaluation, Indicator, Rating, Scheme, Score
from redengine.assessment.rules import (
    M_APPROVE,
    M_PUBLISH,
    M_REVIEW,
    M_SUBMIT,
    RATED_TYPES,
    Side,
)
from redengine.assessment.services import ratings
from redengine.core.metrics import Period, compute_all
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization

from .city import DEFAULT_SEED

D = datetime.date
DAY = datetime.timedelta(days=1)
PILOT_YEAR, FIRST_CAMPAIGN = 2018, 2019
RATED_BOTH = 341  # branches rated in the 2018 pilot and in 2019 (the report: 324 are 95 %)
UPGRADED_2019 = 324
DEMONSTRATION_2019 = 3
DOCUMENT_2019 = "长教工委〔2020〕12号"
# A tiny PDF: the evidence the branches attach (a real file, checked by its content like any other).
EVIDENCE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
)
EVIDENCE += b"trailer<</Root 1 0 R>>\n%%EOF\n"
SUMMARIES = [
    "本年度支部坚持“三会一课”，扎实推进“双培养”工程，党员示范岗在教育教学中发挥了先锋作用。",
    "支部围绕立德树人根本任务，开展主题党日和志愿服务，结对帮扶乡村学校，党员教师带头上示范课。",
    "支部班子团结，制度健全，党员学习教育常态化，青蓝工程师徒结对成效明显。",
]
TARGETS = {
    "assessment.upgraded": ("2019", f"{UPGRADED_2019} · 95%"),
    "assessment.demonstration": ("2019", "3"),
}


def default_scheme():
    return Scheme.objects.order_by("id").first()


class Generator:
    def __init__(self, seed, today):
        self.rng = random.Random(f"{seed}-rating")  # noqa: S311 — demo data, not a secret
        self.today = today

    def level_draw(self):
        """A 2019 level: five stars for about a quarter (within the 30 % quota), few below three."""
        return self.rng.choices([5, 4, 3, 2, 1], [24, 36, 26, 10, 4])[0]


def branches_at(day):
    return list(
        PartyOrganization.objects.filter(org_type__in=sorted(RATED_TYPES))
        .exclude(founded_on__gt=day)
        .order_by("path")
    )


def self_scores(evaluation, scores, thresholds, target, rng, counted=None):
    """The branch's own points on the items not scored from the records, so that the total gives ``target``
    (or the level nearest it that the points from the records allow). ``counted``: {indicator code: points}
    that a reviewer will give an automatic item instead of its figure."""
    counted = counted or {}
    manual = [s for s in scores if not s.indicator.metric and not s.indicator.veto]
    automatic = sum(
        (counted.get(s.indicator.code, s.auto_points or Decimal(0)) for s in scores if s.indicator.metric),
        Decimal(0),
    )
    room = sum(s.indicator.max_points for s in manual)
    lows = dict(thresholds)
    level = target
    while level > 1 and lows[level] - automatic > room:
        level -= 1
    high = lows.get(level + 1, Decimal(101))
    wanted = min(high - 1, lows[level] + rng.randint(0, 6))
    need = max(Decimal(0), min(Decimal(wanted) - automatic, room))
    share = need / room if room else Decimal(0)
    entries, given = [], Decimal(0)
    for n, score in enumerate(manual):
        top = score.indicator.max_points
        if n == len(manual) - 1:
            points = max(Decimal(0), min(top, need - given))
        else:
            points = min(top, (top * share).quantize(Decimal("1")))
        given += points
        entries.append(
            rating.ScoreEntry(
                evaluation, score.indicator, Side.SELF, points=points, comment="按标准逐项自查，材料齐全。"
            )
        )
    return entries


# 2019's meetings were kept on paper (the platform holds the meetings of last year and this year): the
# district scores the organizational-life item from the paper records, overriding the figure with its reason.
PAPER_ITEM = "B1"
PAPER_REASON = "2019年度会议记录尚未录入平台，区县依据纸质会议记录核定“三会一课”开展情况"
BONUS_REASON = "支部党建工作获区级以上表彰，按方案加分"


def run_2019(draw, scheme):
    """The 2019 campaign over the city, from self-assessment to publication; returns its evaluations' levels."""
    root = PartyOrganization.objects.get(depth=1)
    (campaign,) = rating.open_campaigns(
        [
            Item(
                {
                    "name": "2019年度党支部星级评定",
                    "scheme": scheme,
                    "year": FIRST_CAMPAIGN,
                    "scope": root,
                    "starts_on": D(2020, 1, 6),
                    "self_until": D(2020, 1, 20),
                    "district_until": D(2020, 3, 6),
                    "city_until": D(2020, 3, 20),
                }
            )
        ],
        by=SYSTEM,
    )
    evaluations = list(Evaluation.objects.filter(campaign=campaign).select_related("organization"))
    scores = {}
    for score in Score.objects.filter(evaluation__campaign=campaign).select_related("indicator"):
        scores.setdefault(score.evaluation_id, []).append(score)
    thresholds = sorted((lv.level, lv.min_points) for lv in scheme.levels.all())
    required = list(Indicator.objects.filter(scheme=scheme, evidence_required=True, parent__isnull=False))
    entries, uploads, paper, bonus = [], [], [], []
    paper_item = next(s.indicator for s in scores[evaluations[0].pk] if s.indicator.code == PAPER_ITEM)
    for evaluation in evaluations:
        kept = paper_item.max_points if draw.rng.random() < 0.85 else paper_item.max_points / 2
        paper.append(
            rating.ScoreEntry(
                evaluation, paper_item, Side.DISTRICT, points=kept, override_reason=PAPER_REASON
            )
        )
        target = draw.level_draw()
        extra = Decimal(draw.rng.choice([3, 5])) if target == 5 and draw.rng.random() < 0.6 else Decimal(0)
        if extra:
            bonus.append((evaluation, extra))
        counted = {PAPER_ITEM: kept + extra}  # the bonus counts like points of the district's
        entries += self_scores(evaluation, scores[evaluation.pk], thresholds, target, draw.rng, counted)
        uploads += [rating.Upload(evaluation, i, f"{i.code}-佐证材料.pdf", EVIDENCE) for i in required]
        evaluation.summary = draw.rng.choice(SUMMARIES)
    for start in range(0, len(entries), 4000):
        rating.record_scores(entries[start : start + 4000], by=SYSTEM)
    rating.record_evaluations(
        [Item({"summary": e.summary}, instance=Evaluation.objects.get(pk=e.pk)) for e in evaluations],
        by=SYSTEM,
    )
    for start in range(0, len(uploads), 1000):
        rating.add_evidence(uploads[start : start + 1000], by=SYSTEM)

    def day(first, spread):
        return first + DAY * draw.rng.randint(0, spread)

    # most branches submit in time, some after the self-assessment ended (flagged late)
    rating.move_evaluations(
        [rating.Step(e, M_SUBMIT, day(D(2020, 1, 8), 16)) for e in evaluations], by=SYSTEM
    )
    for start in range(0, len(paper), 4000):
        rating.record_scores(paper[start : start + 4000], by=SYSTEM)
    given = Evaluation.objects.in_bulk([e.pk for e, _n in bonus])
    rating.record_evaluations(
        [Item({"bonus_points": n, "bonus_reason": BONUS_REASON}, instance=given[e.pk]) for e, n in bonus],
        by=SYSTEM,
    )
    rating.move_evaluations(
        [rating.Step(e, M_REVIEW, day(D(2020, 2, 24), 14)) for e in evaluations], by=SYSTEM
    )
    rating.move_evaluations(
        [rating.Step(e, M_APPROVE, day(D(2020, 3, 9), 9)) for e in evaluations], by=SYSTEM
    )
    rating.start_publicity(campaign, D(2020, 3, 23), by=SYSTEM)
    rating.move_evaluations([rating.Step(e, M_PUBLISH, D(2020, 4, 1)) for e in evaluations], by=SYSTEM)
    return campaign, dict(Rating.objects.filter(year=FIRST_CAMPAIGN).values_list("organization_id", "level"))


def approvals(draw, campaign, scheme, day):
    """The city's approvals: the level the points give, within the quota of each level (the branches beyond a
    quota, the lowest totals first, are awarded the level below)."""
    evaluations = list(Evaluation.objects.filter(campaign=campaign).order_by("-total", "pk"))
    quotas = {lv.level: lv.quota_percent for lv in scheme.levels.all() if lv.quota_percent is not None}
    held = {}
    steps = []
    for evaluation in evaluations:
        level = evaluation.computed_level
        while level in quotas and held.get(level, 0) >= len(evaluations) * quotas[level] // 100:
            level -= 1
        held[level] = held.get(level, 0) + 1
        steps.append(rating.Step(evaluation, M_APPROVE, day(D(2020, 3, 9), 9), level=level))
    return steps


def pilot_results(draw, levels_2019):
    """The 2018 pilot's levels of 341 branches (or as many as the city has) rated again in 2019: 95 % of them
    below their 2019 level or at five stars in both years, the others at or above it."""
    rated = sorted(levels_2019)
    movable = [o for o in rated if levels_2019[o] >= 2]
    draw.rng.shuffle(movable)
    # as many as the city has, and no more than the branches that can move up (one star cannot) allow
    both = min(RATED_BOTH, len(rated), len(movable) * RATED_BOTH // UPGRADED_2019)
    up_count = round(both * UPGRADED_2019 / RATED_BOTH)
    up = movable[:up_count]
    rest = [o for o in rated if o not in set(up)]
    draw.rng.shuffle(rest)
    down = [o for o in rest if levels_2019[o] < 5][: both - len(up)]
    rows = []
    for org in up:
        level = levels_2019[org]
        before = 5 if level == 5 and draw.rng.random() < 0.4 else max(1, level - draw.rng.choice([1, 1, 2]))
        rows.append((org, before))
    for org in down:
        level = levels_2019[org]
        rows.append((org, min(5, level + draw.rng.choice([0, 0, 1]))))
    return rows


def later_results(draw, levels_2019, last_year):
    """The results of 2020 to ``last_year`` (brought in from the districts' sheets): each year a branch moves up
    a level, stays or now and then moves down."""
    rows, current = [], dict(levels_2019)
    for year in range(FIRST_CAMPAIGN + 1, last_year + 1):
        for org in sorted(current):
            step = draw.rng.choices([1, 0, -1], [35, 55, 10])[0]
            current[org] = max(1, min(5, current[org] + step))
            rows.append((org, year, current[org]))
    return rows


def running_campaign(draw, scheme, today):
    """This year's campaign: started two weeks ago; branches in self-assessment, submitted, reviewed."""
    root = PartyOrganization.objects.get(depth=1)
    (campaign,) = rating.open_campaigns(
        [
            Item(
                {
                    "name": f"{today.year}年度党支部星级评定",
                    "scheme": scheme,
                    "year": today.year,
                    "scope": root,
                    "starts_on": today - 16 * DAY,
                    "self_until": today - 2 * DAY,
                    "district_until": today + 14 * DAY,
                    "city_until": today + 28 * DAY,
                }
            )
        ],
        by=SYSTEM,
    )
    evaluations = list(
        Evaluation.objects.filter(campaign=campaign).exclude(organization__path__startswith=home_path())
    )
    draw.rng.shuffle(evaluations)
    submitted = evaluations[: len(evaluations) * 3 // 5]
    scores = {}
    for score in Score.objects.filter(evaluation__in=submitted).select_related("indicator"):
        scores.setdefault(score.evaluation_id, []).append(score)
    thresholds = sorted((lv.level, lv.min_points) for lv in scheme.levels.all())
    required = list(Indicator.objects.filter(scheme=scheme, evidence_required=True, parent__isnull=False))
    entries, uploads = [], []
    for evaluation in submitted:
        entries += self_scores(evaluation, scores[evaluation.pk], thresholds, draw.level_draw(), draw.rng)
        uploads += [rating.Upload(evaluation, i, f"{i.code}-佐证材料.pdf", EVIDENCE) for i in required]
    for start in range(0, len(entries), 4000):
        rating.record_scores(entries[start : start + 4000], by=SYSTEM)
    for start in range(0, len(uploads), 1000):
        rating.add_evidence(uploads[start : start + 1000], by=SYSTEM)
    submit_days = [today - DAY * draw.rng.randint(0, 12) for _e in submitted]
    rating.move_evaluations(
        [rating.Step(e, M_SUBMIT, d) for e, d in zip(submitted, submit_days, strict=True)], by=SYSTEM
    )
    reviewed = [
        rating.Step(e, M_REVIEW, min(today, d + DAY * draw.rng.randint(1, 6)))
        for e, d in zip(submitted, submit_days, strict=True)
        if draw.rng.random() < 0.5
    ]
    rating.move_evaluations(reviewed, by=SYSTEM)
    return campaign, {"submitted": len(submitted), "reviewed": len(reviewed)}


def home_path():
    """The demo secretary's school committee (梅溪湖中学): its branches stay in self-assessment for the demo."""
    home = PartyOrganization.objects.filter(code="CS430104-02").first()
    return home.path if home else "-"


def figures():
    root = PartyOrganization.objects.get(depth=1)
    year = Period.of(FIRST_CAMPAIGN)
    found = compute_all(root, year, list(TARGETS))
    upgraded = found["assessment.upgraded"]
    share = upgraded.get("share")
    return {
        "assessment.upgraded": (
            f"{upgraded['value']} · {share:.0%}" if share is not None else upgraded["value"],
            TARGETS["assessment.upgraded"][1],
        ),
        "assessment.demonstration": (
            found["assessment.demonstration"]["value"],
            TARGETS["assessment.demonstration"][1],
        ),
    }


def city(seed=DEFAULT_SEED, today=None):
    """The city's ratings; nothing if there is a campaign already. Returns the counts written, by what."""
    if Campaign.objects.exists() or Rating.objects.exists():
        return {}
    today = today or timezone.localdate()
    draw = Generator(seed, today)
    scheme = default_scheme()
    counts = {}
    campaign, levels_2019 = run_2019(draw, scheme)
    counts["evaluations of 2019"] = len(levels_2019)
    pilot = pilot_results(draw, levels_2019)
    later = later_results(draw, levels_2019, today.year - 1)
    orgs = PartyOrganization.objects.in_bulk(sorted(levels_2019))
    rows = [
        Item({"organization": orgs[o], "year": PILOT_YEAR, "level": lv, "imported": True}) for o, lv in pilot
    ]
    rows += [Item({"organization": orgs[o], "year": y, "level": lv, "imported": True}) for o, y, lv in later]
    for start in range(0, len(rows), 2000):
        ratings.record_ratings(rows[start : start + 2000], by=SYSTEM)
    counts["past ratings"] = len(rows)
    top = sorted(o for o, lv in levels_2019.items() if lv == 5)
    chosen = draw.rng.sample(top, min(DEMONSTRATION_2019, len(top)))
    ratings.record_designations(
        [
            Item(
                {
                    "organization": orgs[o],
                    "year": FIRST_CAMPAIGN,
                    "document_number": DOCUMENT_2019,
                    "designated_on": D(2020, 4, 20),
                }
            )
            for o in sorted(chosen)
        ],
        by=SYSTEM,
    )
    counts["demonstration branches"] = len(chosen)
    _running, running_counts = running_campaign(draw, scheme, today)
    counts.update({f"this year's evaluations {k}": n for k, n in running_counts.items()})
    return counts
