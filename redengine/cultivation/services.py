"""Writes on dual cultivation, batch-first: ``record_mentorships(items, *, by)``, ``record_reviews``,
``record_contests``, ``record_entries``, ``record_engagements`` (the forms, the API, the 师徒结对 and 竞赛获奖
sheets and the demo city call them; one record is a batch of one), and their deletes.

Each batch is checked before anything is written, every problem located on its item and field:

* a mentorship pairs two people; it does not end (nor is it planned to end) before it starts, nor end in
  the future; its apprentice is in no other mentorship of the same kind over the same days (within the
  batch and as recorded);
* a review lies within its mentorship's days and not in the future; it is late when held after it was due
  (``rules.py``: ``cult.review_months`` after the start or the previous review) — flagged, never refused;
* a contest is not in the future; an entry names a person whose school lies in the subtree of the
  organization that holds the contest, and a prize dated neither before the contest nor in the future (a
  prize without a date takes the contest's);
* the people, schools, contests and mentorships named lie in the writer's scope (``PICK``), and every
  record written lies where the writer may write it: re-checked by the write path before it commits.
"""

from collections import defaultdict

from django.db.models import Max, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.audit import bulk_update_audited, remember
from redengine.core.dates import add_months
from redengine.core.services import CHANGE, PICK, Item, ModelService, related_of
from redengine.core.writes import Problem, RefusedError, chunked, writing
from redengine.orgs.services import school_places
from redengine.people.models import add_years
from redengine.people.services import SchoolPlaced

from . import rules
from .models import Contest, ContestEntry, Engagement, Mentorship, MentorshipReview
from .rules import Prize


def overlaps(start, end, other_start, other_end):
    """Whether the days start–end and other_start–other_end (an end None: still running) share one."""
    return (other_end is None or start <= other_end) and (end is None or other_start <= end)


class MentorshipService(SchoolPlaced, ModelService):
    model = Mentorship
    fields = (
        "kind",
        "mentor",
        "apprentice",
        "school",
        "start_on",
        "planned_end_on",
        "ended_on",
        "goals",
        "summary",
    )
    references = {"mentor": PICK, "apprentice": PICK, "school": PICK}

    def place_message(self, item):
        return _("You may not record a mentorship at this school: it lies outside your scope.")

    def derive(self, plan, item, index):
        obj = item.obj
        titled_by = title_window(obj.start_on) if obj.start_on else None
        obj.titled_by = titled_by  # (a change of it follows a change of the start: compared by ``changes``)

    def check(self, items, scope):
        plan = super().check(items, scope)
        self.check_running(plan, scope)
        self.check_reviews(plan)
        return plan

    def check_reviews(self, plan):
        """A recorded mentorship whose days change keeps its reviews within them."""
        moved = {
            item.obj.pk: (index, item.obj)
            for index, item in enumerate(plan.items)
            if not item.is_new and {"start_on", "ended_on"} & set(item.changed) and item.obj.start_on
        }
        if not moved:
            return
        first_last = MentorshipReview.objects.filter(mentorship_id__in=list(moved)).values("mentorship_id")
        for row in first_last.annotate(first=Min("held_on"), last=Max("held_on")).order_by():
            index, obj = moved[row["mentorship_id"]]
            if row["first"] < obj.start_on:
                plan.problems.append(
                    Problem(
                        _("A review of this mentorship was held on %(date)s, before this start.")
                        % {"date": row["first"].isoformat()},
                        index,
                        "start_on",
                    )
                )
            if obj.ended_on and row["last"] > obj.ended_on:
                plan.problems.append(
                    Problem(
                        _("A review of this mentorship was held on %(date)s, after this end.")
                        % {"date": row["last"].isoformat()},
                        index,
                        "ended_on",
                    )
                )

    def apply(self, plan, write):
        super().apply(plan, write)
        moved = {item.obj.pk for item in plan.changed if "start_on" in item.changed}
        if moved:
            redate_reviews(moved)  # the first review is due from the start

    def check_running(self, plan, scope):
        """An apprentice is in at most one mentorship of a kind at a time: against the batch and the records."""
        touched = [
            (index, item.obj)
            for index, item in enumerate(plan.items)
            if (item.is_new or {"apprentice", "kind", "start_on", "ended_on"} & set(item.changed))
            and item.obj.apprentice_id
            and item.obj.start_on
            and item.obj.kind
        ]
        if not touched:
            return
        recorded = defaultdict(list)
        for chunk in chunked(sorted({m.apprentice_id for _i, m in touched})):
            for row in Mentorship.objects.filter(apprentice_id__in=chunk).only(
                "pk", "apprentice_id", "kind", "start_on", "ended_on", "school_id", "mentor_id"
            ):
                recorded[row.apprentice_id].append(row)
        batch = {m.pk for _i, m in touched if m.pk}
        visible = (
            None
            if scope.whole_tree
            else scope.allowed(Mentorship, "view", [r.pk for rows in recorded.values() for r in rows])
        )
        seen = defaultdict(list)
        for index, obj in touched:
            others = [r for r in recorded[obj.apprentice_id] if r.pk not in batch] + seen[obj.apprentice_id]
            clash = next(
                (
                    o
                    for o in others
                    if o.kind == obj.kind and overlaps(obj.start_on, obj.ended_on, o.start_on, o.ended_on)
                ),
                None,
            )
            seen[obj.apprentice_id].append(obj)
            if clash is None:
                continue
            label = rules.kind_label(obj.kind)
            if clash.pk is None or visible is None or clash.pk in visible:
                message = _(
                    "%(name)s is already the apprentice of a %(kind)s from %(start)s: an apprentice is in one "
                    "mentorship of a kind at a time (end that one first)."
                ) % {"name": obj.apprentice.name, "kind": label, "start": clash.start_on.isoformat()}
            else:  # recorded where the writer does not see: said without telling anything of it
                message = _(
                    "%(name)s is already the apprentice of a running %(kind)s; ask a higher-level administrator."
                ) % {"name": obj.apprentice.name, "kind": label}
            plan.problems.append(Problem(message, index, "apprentice"))


def title_window(start):
    """The last day a title awarded to the apprentice counts as the outcome of a mentorship started on ``start``."""
    return add_years(start, rules.param("cult.titled_years", on=start))


class ReviewService(ModelService):
    model = MentorshipReview
    fields = ("mentorship", "held_on", "progress")
    references = {"mentorship": CHANGE}
    unique = (("mentorship", "held_on"),)

    def problem_field(self, names):
        return "held_on"

    def duplicate_message(self, names):
        return _("This mentorship already has a review on that day.")

    def places(self, objs):
        mentorships = related_of(objs, "mentorship")
        schools = related_of([m for m in mentorships.values() if m is not None], "school")
        found = school_places([s for s in schools.values() if s is not None])
        return [
            ("mentorship", found.get(id(schools.get(id(mentorships[id(o)])))) if mentorships[id(o)] else None)
            for o in objs
        ]

    def scope_paths(self, objs):
        mentorships = related_of(objs, "mentorship")
        return MENTORSHIPS.scope_paths([mentorships[id(o)] for o in objs])

    def validate(self, plan):
        super().validate(plan)
        today = timezone.localdate()
        for index, item in enumerate(plan.items):
            review = item.obj
            if not (review.held_on and review.mentorship_id):
                continue
            mentorship = review.mentorship
            if review.held_on > today:
                plan.problems.append(
                    Problem(
                        _("A review is recorded once it is held: the date is in the future."),
                        index,
                        "held_on",
                    )
                )
            elif review.held_on < mentorship.start_on:
                plan.problems.append(
                    Problem(
                        _("The mentorship started on %(start)s: a review cannot be before it.")
                        % {"start": mentorship.start_on.isoformat()},
                        index,
                        "held_on",
                    )
                )
            elif mentorship.ended_on and review.held_on > mentorship.ended_on:
                plan.problems.append(
                    Problem(
                        _("The mentorship ended on %(end)s: a review cannot be after it.")
                        % {"end": mentorship.ended_on.isoformat()},
                        index,
                        "held_on",
                    )
                )

    def apply(self, plan, write):
        for item in plan.new:
            item.obj.recorded_by = write.user
        # The new reviews are dated before they are inserted (one change record each); a recorded review
        # whose due day they move is updated.
        redate_reviews({item.obj.mentorship_id for item in plan.items}, new=[item.obj for item in plan.new])
        super().apply(plan, write)
        redate_reviews({item.obj.mentorship_id for item in plan.changed if "held_on" in item.changed})


def review_due(mentorship_start, previous, months=None):
    """The day a review is due: ``cult.review_months`` after the previous review, or after the start."""
    base = previous or mentorship_start
    return add_months(base, months if months is not None else rules.param("cult.review_months", on=base))


def next_review_due(mentorship, reviews):
    """When the next review of a running mentorship is due, after its reviews (any order)."""
    latest = max((r.held_on for r in reviews), default=None)
    return review_due(mentorship.start_on, latest)


def reviews_past_due(mentorships, today):
    """The running mentorships of ``mentorships`` (a queryset) whose next review was due before ``today``:
    no review and started more than ``cult.review_months`` months ago, or the latest review that long ago.
    One query (the latest review by a subquery)."""
    months = rules.param("cult.review_months", on=today)
    cutoff = add_months(today, -months)
    latest = (
        MentorshipReview.objects.filter(mentorship=OuterRef("pk")).order_by("-held_on").values("held_on")[:1]
    )
    return (
        mentorships.filter(ended_on__isnull=True, start_on__lte=today)
        .annotate(last_review=Subquery(latest))
        .filter(Q(last_review__isnull=True, start_on__lt=cutoff) | Q(last_review__lt=cutoff))
    )


def redate_reviews(mentorship_pks, new=()):
    """Work out again when each review of the mentorships was due and whether it was late (a review added
    before another changes the other's due day), with the ``new`` reviews not yet written among them (dated
    in place); the recorded rows that change are updated, audited. {pk: (due, late)} of the recorded rows."""
    changed, found = [], {}
    adding = defaultdict(list)
    for review in new:
        adding[review.mentorship_id].append(review)
    for chunk in chunked(sorted(mentorship_pks)):
        starts = dict(Mentorship.objects.filter(pk__in=chunk).values_list("pk", "start_on"))
        previous = {}
        rows = MentorshipReview.objects.filter(mentorship_id__in=chunk).select_related("mentorship__school")
        recorded = remember(list(rows))
        everyone = recorded + [r for pk in chunk for r in adding.get(pk, [])]
        for review in sorted(everyone, key=lambda r: (r.mentorship_id, r.held_on, r.pk is None, r.pk or 0)):
            due = review_due(starts[review.mentorship_id], previous.get(review.mentorship_id))
            previous[review.mentorship_id] = review.held_on
            late = review.held_on > due
            if review.pk is None:
                review.due_on, review.late = due, late
                continue
            found[review.pk] = (due, late)
            if (review.due_on, review.late) != (due, late):
                review.due_on, review.late = due, late
                changed.append(review)
    if changed:
        bulk_update_audited(
            MentorshipReview, changed, ["due_on", "late"], scope_paths=REVIEWS.scope_paths(changed)
        )
    return found


class ContestService(ModelService):
    model = Contest
    fields = ("name", "kind", "level", "held_on", "organization")
    references = {"organization": PICK}
    unique = (("organization", "name", "level", "held_on"),)

    def problem_field(self, names):
        return "name"

    def duplicate_message(self, names):
        return _(
            "This contest (the same name, level and date, held by the same organization) is recorded already."
        )

    def place_message(self, item):
        return _("You may not record a contest of this organization: it lies outside your scope.")

    def validate(self, plan):
        """A recorded contest whose date or organization changes keeps its entries valid: no prize dated
        before the contest, nobody outside the organization's subtree."""
        super().validate(plan)
        changed = {
            item.obj.pk: (index, item.obj)
            for index, item in enumerate(plan.items)
            if not item.is_new and {"held_on", "organization"} & set(item.changed) and item.obj.held_on
        }
        if not changed:
            return
        entries = ContestEntry.objects.filter(contest_id__in=list(changed)).select_related("person__school")
        entries = list(entries)
        places = school_places([e.person.school for e in entries])
        early, outside = set(), set()
        for entry in entries:
            index, contest = changed[entry.contest_id]
            if entry.awarded_on and entry.awarded_on < contest.held_on:
                early.add(index)
            paths = places.get(id(entry.person.school), [])
            if contest.organization_id and not any(p.startswith(contest.organization.path) for p in paths):
                outside.add(index)
        for index in sorted(early):
            plan.problems.append(
                Problem(
                    _("A prize of this contest is dated before this date: change the prize first."),
                    index,
                    "held_on",
                )
            )
        for index in sorted(outside):
            plan.problems.append(
                Problem(
                    _("People entered in this contest are not of this organization's schools."),
                    index,
                    "organization",
                )
            )


class EntryService(SchoolPlaced, ModelService):
    model = ContestEntry
    fields = ("contest", "person", "prize", "awarded_on", "work")
    references = {"contest": PICK, "person": PICK}
    unique = (("contest", "person"),)
    person_field = "person"
    place_field = "person"

    def problem_field(self, names):
        return "person"

    def duplicate_message(self, names):
        return _("This person is entered in the contest already.")

    def derive(self, plan, item, index):
        entry = item.obj
        contest = contest_of(entry)
        if (
            entry.prize == Prize.NONE
            and entry.awarded_on is not None
            and not item.is_new
            and "awarded_on" not in item.values
        ):
            entry.awarded_on = None  # back to "took part": the prize's date goes with the prize
        if entry.prize and entry.prize != Prize.NONE and entry.awarded_on is None and contest is not None:
            entry.awarded_on = contest.held_on
            if item.is_new:
                item.values["awarded_on"] = entry.awarded_on

    def validate(self, plan):
        super().validate(plan)
        today = timezone.localdate()
        entries = [(index, item.obj) for index, item in enumerate(plan.items) if item.is_new or item.changed]
        people = related_of([e for _i, e in entries], "person")
        schools = related_of([p for p in people.values() if p is not None], "school")
        places = school_places([s for s in schools.values() if s is not None])
        unsaved = set()
        for index, entry in entries:
            contest = contest_of(entry)
            if contest is None:
                continue
            if contest.pk is None:  # a contest of the same batch: its entries checked against each other here
                key = (id(contest), entry.person_id)
                if key in unsaved:
                    plan.problems.append(
                        Problem(self.duplicate_message(("contest", "person")), index, "person")
                    )
                unsaved.add(key)
            if entry.awarded_on and entry.awarded_on < contest.held_on:
                plan.problems.append(
                    Problem(
                        _("The prize is dated %(date)s, before the contest was held (%(held)s).")
                        % {"date": entry.awarded_on.isoformat(), "held": contest.held_on.isoformat()},
                        index,
                        "awarded_on",
                    )
                )
            elif entry.awarded_on and entry.awarded_on > today and entry.awarded_on != contest.held_on:
                plan.problems.append(
                    Problem(_("The date of the prize is in the future."), index, "awarded_on")
                )
            person = people.get(id(entry))
            if person is None:
                continue
            paths = places.get(id(schools.get(id(person))), [])
            if not any(path.startswith(contest.organization.path) for path in paths):
                plan.problems.append(
                    Problem(
                        _(
                            "%(name)s is not of the schools of %(org)s, which holds the contest: only its people "
                            "take part."
                        )
                        % {"name": person.name, "org": contest.organization.name},
                        index,
                        "person",
                    )
                )


def contest_of(entry):
    """The contest an entry names: recorded, or a new record of the same batch (no pk yet)."""
    field = ContestEntry._meta.get_field("contest")
    return (
        field.get_cached_value(entry, None)
        if field.is_cached(entry)
        else (entry.contest if entry.contest_id else None)
    )


class EngagementService(SchoolPlaced, ModelService):
    model = Engagement
    fields = ("person", "kind", "date", "topic", "venue")
    references = {"person": PICK}
    person_field = "person"
    place_field = "person"


MENTORSHIPS = MentorshipService()
REVIEWS = ReviewService()
CONTESTS = ContestService()
ENTRIES = EntryService()
ENGAGEMENTS = EngagementService()


def record_mentorships(items, *, by):
    """Check and write a batch of mentorships (``Item``s); the records, in order."""
    return MENTORSHIPS.save(items, by=by)


def record_reviews(items, *, by):
    return REVIEWS.save(items, by=by)


def record_contests(items, *, by):
    return CONTESTS.save(items, by=by)


def record_entries(items, *, by):
    return ENTRIES.save(items, by=by)


def record_engagements(items, *, by):
    return ENGAGEMENTS.save(items, by=by)


def record_contest_results(contests, *, by):
    """Contests with their entries in one write (the 竞赛获奖 sheet): ``contests`` is a list of (contest
    ``Item``, [entry ``Item``s]); an entry item names its contest by the contest item's record. Problems of
    the entries are located on the entries' indexes after the contests' (in the order given)."""
    contest_items = [c for c, _entries in contests]
    for item in contest_items:
        if item.obj is None and item.instance is None:
            item.obj = Contest()  # made now, so that its entries can name it before it is written
    entry_items = []
    for contest_item, entries in contests:
        for entry in entries:
            entry.values["contest"] = contest_item.obj or contest_item.instance
            entry_items.append(entry)
    with writing(by) as write:
        plan = CONTESTS.check(contest_items, write)
        problems = list(plan.problems)
        if not problems:
            CONTESTS.apply(plan, write)
            entry_plan = ENTRIES.check(entry_items, write)
            problems += [
                Problem(
                    p.message, None if p.item is None else len(contest_items) + p.item, p.field, p.missing
                )
                for p in entry_plan.problems
            ]
            if not problems:
                ENTRIES.apply(entry_plan, write)
        if problems:
            raise RefusedError(problems)
    return [i.obj for i in contest_items], [i.obj for i in entry_items]


def delete_mentorships(objs, *, by):
    MENTORSHIPS.delete(objs, by=by)


def delete_reviews(objs, *, by):
    """Remove reviews; the due days of the mentorships' other reviews are worked out again."""
    objs = list(objs)
    with writing(by):
        REVIEWS.delete(objs, by=by)
        redate_reviews({o.mentorship_id for o in objs})


def delete_contests(objs, *, by):
    CONTESTS.delete(objs, by=by)


def delete_entries(objs, *, by):
    ENTRIES.delete(objs, by=by)


def delete_engagements(objs, *, by):
    ENGAGEMENTS.delete(objs, by=by)


__all__ = [
    "CONTESTS",
    "ENGAGEMENTS",
    "ENTRIES",
    "MENTORSHIPS",
    "REVIEWS",
    "Item",
    "record_contest_results",
    "record_contests",
    "record_engagements",
    "record_entries",
    "record_mentorships",
    "record_reviews",
]
