"""Writes on the published ratings of past years and the demonstration branches, batch-first:
``record_ratings(items, *, by)`` (Item.values organization, year, level, total, imported; the 星级评定结果
sheet and the pages) and ``record_designations(items, *, by)`` (organization, year, document_number,
designated_on, imported). A published evaluation writes its branch's rating itself (``services.py``).

Each batch is checked before anything is written, every problem on its item and field:

* a rating is of a branch or a joint branch (``rules.RATED_TYPES``), of a year of four digits not after the
  current one, at a level from 1 to 5, with a total (optional) from 0 to the maximum of the scheme its year
  was rated by (the campaign of that year over the branch, the nearest; 100 points when there was none);
* a branch has one rating a year: a second one — within the batch, or against one recorded, imported or
  published by a campaign — is refused; a rating published by a campaign is never changed;
* a demonstration branch (示范支部) is a branch rated at the top level (五星) that year, named once a year, by
  the document that names it (its number; a past year's sheet may leave it empty: ``imported``), on a day
  neither in the future nor before the year rated;
* every record lies where the writer may write it (a district's administrator records the ratings of the
  district; only the city's names demonstration branches), re-checked by the write path before it commits.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.services import ModelService, Plan
from redengine.core.writes import Problem, RefusedError, chunked, writing

from .. import rules
from ..models import Campaign, Designation, Evaluation, Rating
from ..reading import WrongValueError, points_of, shown
from ..rules import MAX_LEVEL, RATED_TYPES, Status, star_name

TOP_LEVEL = MAX_LEVEL  # a demonstration branch is chosen from the branches rated five stars that year


def org_of(obj):
    """The branch a record names (recorded, or new in the same file), or None."""
    field = obj._meta.get_field("organization")
    if field.is_cached(obj):
        return field.get_cached_value(obj, None)
    return obj.organization if obj.organization_id else None


def key_of(org, year):
    """A branch and year as a key, for a branch recorded (its pk) or new in the same file (the object)."""
    return (org.pk if org.pk else id(org), year)


def not_a_branch(org):
    return _("%(org)s is a %(type)s, not a branch: only branches and joint branches are rated.") % {
        "org": org.name,
        "type": org.get_org_type_display(),
    }


def year_problem(year, today):
    """Why ``year`` is not one a result may be given for, or None."""
    if not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999:
        return _("A year has four digits.")
    if year > today.year:
        return _("%(year)s is in the future: results are given for this year or earlier ones.") % {
            "year": year
        }
    return None


def maximum_points(items):
    """{id(item): (maximum total, the scheme's name or "")} of each item's branch and year: the scheme of the
    year's campaign over the branch (the nearest scope), else ``assessment.default_total``; one query."""
    years = {item.obj.year for item in items if isinstance(item.obj.year, int)}
    campaigns = []
    if years:
        campaigns = list(
            Campaign.objects.filter(year__in=sorted(years))
            .order_by()
            .values_list("year", "scope__path", "scheme__total_points", "scheme__name", "scheme__version")
        )
    found = {}
    for item in items:
        org, year = org_of(item.obj), item.obj.year
        path = getattr(org, "path", "") or ""
        best = None
        for c_year, scope_path, total, name, version in campaigns:
            if (
                c_year == year
                and path.startswith(scope_path or "")
                and (best is None or len(scope_path) > len(best[0]))
            ):
                best = (scope_path, total, f"{name}（{version}）")
        if best is None:
            found[id(item)] = (Decimal(rules.param("assessment.default_total")), "")
        else:
            found[id(item)] = (Decimal(best[1]), best[2])
    return found


class YearlyService(ModelService):
    """One record of a branch a year: the branch rated, the year neither in the future nor of other than four
    digits, once a year (within the batch and against the recorded)."""

    def validate(self, plan):
        today = timezone.localdate()
        for index, item in enumerate(plan.items):
            if not (item.is_new or item.changed):
                continue
            obj = item.obj
            org = org_of(obj)
            if org is not None and org.org_type not in RATED_TYPES:
                plan.problems.append(Problem(not_a_branch(org), index, "organization"))
            if obj.year is None:
                plan.problems.append(Problem(_("This field is required."), index, "year"))
            else:
                problem = year_problem(obj.year, today)
                if problem:
                    plan.problems.append(Problem(problem, index, "year"))
        super().validate(plan)

    def check_unique(self, plan):
        """One record of a branch a year: told at the year, against the batch and the recorded ones."""
        seen, wanted = {}, []
        for index, item in enumerate(plan.items):
            obj = item.obj
            if not (item.is_new or {"organization", "year"} & set(item.changed)):
                continue
            org = org_of(obj)
            if org is None or not isinstance(obj.year, int):
                continue
            key = key_of(org, obj.year)
            if key in seen:
                plan.problems.append(Problem(self.twice_message(obj.year), index, "year"))
                continue
            seen[key] = index
            if org.pk:
                wanted.append((org.pk, obj.year, index, obj.pk))
        for chunk in chunked(wanted, 2000):
            orgs = sorted({pk for pk, _y, _i, _p in chunk})
            years = sorted({y for _o, y, _i, _p in chunk})
            recorded = {
                (r.organization_id, r.year): r
                for r in self.model._base_manager.filter(organization_id__in=orgs, year__in=years).order_by()
            }
            for org_pk, year, index, pk in chunk:
                other = recorded.get((org_pk, year))
                if other is not None and other.pk != pk:
                    plan.problems.append(Problem(self.taken_message(other), index, "year"))


class RatingService(YearlyService):
    model = Rating
    fields = ("organization", "year", "level", "total", "imported", "evaluation")

    def twice_message(self, year):
        return _("Another row gives this branch a result of %(year)s already: a branch has one a year.") % {
            "year": year
        }

    def taken_message(self, other):
        if other.evaluation_id:
            return _(
                "The rating of %(year)s of this branch (%(level)s) was published by its campaign: a branch has one "
                "rating a year."
            ) % {"year": other.year, "level": star_name(other.level)}
        return _(
            "This branch has a rating of %(year)s already (%(level)s): a branch has one rating a year."
        ) % {
            "year": other.year,
            "level": star_name(other.level),
        }

    def place_message(self, item):
        return _("You may not record a rating of this branch: it lies outside your scope.")

    def validate(self, plan):
        for index, item in enumerate(plan.items):
            rating = item.obj
            if not item.is_new and item.changed and item.instance.evaluation_id:
                message = _("This rating was published by its campaign: it is kept as it was.")
                plan.problems.append(Problem(message, index))
                continue
            if not (item.is_new or item.changed):
                continue
            level = rating.level
            if level is None:
                plan.problems.append(Problem(_("This field is required."), index, "level"))
            elif isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= MAX_LEVEL:
                message = _("A level is from 1 (一星) to %(max)s (五星): not %(level)s.") % {
                    "max": MAX_LEVEL,
                    "level": level,
                }
                plan.problems.append(Problem(message, index, "level"))
            if rating.total is not None:
                try:
                    rating.total = points_of(rating.total)
                except WrongValueError as wrong:
                    plan.problems.append(Problem(str(wrong), index, "total"))
                    rating.total = None
            rating.imported = bool(rating.imported)
        self.check_totals(plan)
        self.check_running(plan)
        super().validate(plan)

    def check_running(self, plan):
        """A branch being rated by a campaign of the year gets its result from that campaign's publication,
        not from a sheet: one query for the batch."""
        given = {
            (item.obj.organization_id, item.obj.year): index
            for index, item in enumerate(plan.items)
            if item.is_new and item.obj.evaluation_id is None and item.obj.organization_id and item.obj.year
        }
        if not given:
            return
        running = (
            Evaluation.objects.filter(
                organization_id__in=sorted({o for o, _y in given}),
                campaign__year__in=sorted({y for _o, y in given}),
            )
            .exclude(status=Status.PUBLISHED)
            .values_list("organization_id", "campaign__year", "campaign__name")
        )
        for org_id, year, name in running:
            index = given.get((org_id, year))
            if index is not None:
                message = _(
                    "This branch is being rated in “%(campaign)s”: its result of %(year)s comes from that "
                    "campaign's publication."
                ) % {"campaign": name, "year": year}
                plan.problems.append(Problem(message, index, "year"))

    def check_totals(self, plan):
        items = [i for i in plan.items if (i.is_new or "total" in i.changed) and i.obj.total is not None]
        if not items:
            return
        maxima = maximum_points([i for i in items if org_of(i.obj) is not None])
        for index, item in enumerate(plan.items):
            if id(item) not in maxima or item.obj.total is None:
                continue
            top, scheme = maxima[id(item)]
            if item.obj.total > top:
                if scheme:
                    message = _(
                        "The total is above the %(max)s points of the scheme rated by that year (%(scheme)s)."
                    )
                else:
                    message = _("The total is above %(max)s points: no campaign rated the branch that year.")
                plan.problems.append(Problem(message % {"max": shown(top), "scheme": scheme}, index, "total"))


class DesignationService(YearlyService):
    model = Designation
    fields = ("organization", "year", "document_number", "designated_on", "imported")

    def twice_message(self, year):
        return _("Another row names this branch a demonstration branch of %(year)s already.") % {"year": year}

    def taken_message(self, other):
        return _("This branch is a demonstration branch of %(year)s already.") % {"year": other.year}

    def place_message(self, item):
        return _(
            "You may not name this branch a demonstration branch: the city administrator names them, within "
            "their scope."
        )

    def check(self, items, scope, pending=None):
        """As every service, knowing the levels of ratings not written yet (``pending``: {key_of(branch, year):
        level}, those of the same sheet)."""
        plan = Plan(list(items), extra={"pending": pending or {}})
        self.build(plan)
        self.validate(plan)
        self.check_unique(plan)
        self.check_scope(plan, scope)
        return plan

    def save(self, items, *, by, pending=None):
        with writing(by) as write:
            plan = self.check(items, write, pending=pending)
            if plan.problems:
                raise RefusedError(plan.problems)
            self.apply(plan, write)
        return [item.obj for item in items]

    def validate(self, plan):
        today = timezone.localdate()
        for index, item in enumerate(plan.items):
            if not (item.is_new or item.changed):
                continue
            named = item.obj
            named.document_number = (named.document_number or "").strip()
            named.imported = bool(named.imported)
            if not named.document_number and not named.imported:
                message = _("The number of the document naming the demonstration branches is required.")
                plan.problems.append(Problem(message, index, "document_number"))
            day = named.designated_on
            if day is not None and day > today:
                plan.problems.append(
                    Problem(_("The date designated is in the future."), index, "designated_on")
                )
            elif day is not None and isinstance(named.year, int) and day.year < named.year:
                message = _(
                    "A branch is named for %(year)s after its rating of that year: not on %(date)s."
                ) % {
                    "year": named.year,
                    "date": day.isoformat(),
                }
                plan.problems.append(Problem(message, index, "designated_on"))
        self.check_top_level(plan)
        super().validate(plan)

    def check_top_level(self, plan):
        """The branch was rated at the top level that year: recorded, or in the same sheet (``pending``)."""
        pending = plan.extra.get("pending", {})
        items = [
            (index, item)
            for index, item in enumerate(plan.items)
            if (item.is_new or {"organization", "year"} & set(item.changed))
            and org_of(item.obj) is not None
            and isinstance(item.obj.year, int)
        ]
        orgs = sorted({org_of(i.obj).pk for _n, i in items if org_of(i.obj).pk})
        years = sorted({i.obj.year for _n, i in items})
        levels = {}
        for chunk in chunked(orgs, 2000):
            levels.update(
                ((org, year), level)
                for org, year, level in Rating.objects.filter(organization_id__in=chunk, year__in=years)
                .order_by()
                .values_list("organization_id", "year", "level")
            )
        for index, item in items:
            org, year = org_of(item.obj), item.obj.year
            if org.org_type not in RATED_TYPES:
                continue  # told already: not a branch
            key = key_of(org, year)
            level = pending.get(key, levels.get(key))
            if level == TOP_LEVEL:
                continue
            if level is None:
                message = _(
                    "%(org)s has no rating of %(year)s: a demonstration branch is chosen from the branches rated "
                    "%(top)s that year."
                )
            else:
                message = _(
                    "%(org)s was rated %(level)s in %(year)s: a demonstration branch is chosen from the branches "
                    "rated %(top)s that year."
                )
            values = {"org": org.name, "year": year, "level": star_name(level), "top": star_name(TOP_LEVEL)}
            plan.problems.append(Problem(message % values, index, "organization"))


RATINGS = RatingService()
DESIGNATIONS = DesignationService()


def record_ratings(items, *, by):
    """Write the published ratings of ``items`` (past years' results) as ``by``; the ratings, in order."""
    return RATINGS.save(items, by=by)


def record_designations(items, *, by):
    """Name the demonstration branches of ``items`` as ``by``; the designations, in order."""
    return DESIGNATIONS.save(items, by=by)
