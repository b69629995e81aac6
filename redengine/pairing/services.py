"""Writes on urban-rural pairing, batch-first: ``record_pairs(items, *, by)`` and ``record_activities(items,
*, by)`` (the forms, the API, the 城乡结对 sheet and the demo call them; one record is a batch of one), and
their deletes.

Each batch is checked before anything is written, every problem located on its item and field:

* a pair joins an urban school (城区) and a rural one (镇区 or 乡村), two different schools; it is agreed not
  in the future and ends (if it ends) after its agreement; the same two schools are in one pair at a time
  (within the batch and as recorded); a recorded pair keeps its activities within its days, and its schools
  while it has activities;
* the writer of a pair reaches **both** its schools: the schools named are among those the writer sees
  through the roles that may write pairs, the pair will lie at both where the writer may write it, a
  recorded pair changed or deleted lies in the writer's scope at both schools — and the write path re-checks
  both schools before it commits;
* an activity names a pair the writer sees (either school), is of a kind of ``rules.ActivityKind``, dated
  within the pair's days and not in the future, with teachers of either school of the pair only and a
  number of students ≥ 0; its files are photos, PDF or Word files by their content (``core/files.py``),
  at most 10 MB each; the write path re-checks that the activity lies in the writer's scope.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from redengine.core.audit import bulk_create_audited
from redengine.core.dates import add_months
from redengine.core.files import check_file, sealed_file
from redengine.core.services import ADD, CHANGE, DELETE, PICK, VIEW, Item, ModelService, related_of
from redengine.core.writes import Problem, RefusedError, chunked, outside_scope, writing
from redengine.orgs.models import School
from redengine.orgs.services import school_places
from redengine.people.models import Person

from . import rules
from .models import PairActivity, PairActivityFile, SchoolPair
from .rules import FILE_KINDS, ActivityKind


def overlaps(start, end, other_start, other_end):
    """Whether the days start–end and other_start–other_end (an end None: still running) share one."""
    return (other_end is None or start <= other_end) and (end is None or other_start <= end)


def check_upload(name, content):
    """The content type of an acceptable file and None, or None and a message naming what is wrong."""
    try:
        return check_file(
            name,
            content,
            FILE_KINDS,
            _("%(name)s: only photos (JPEG, PNG), PDF and Word (.docx) files are accepted."),
        ), None
    except ValidationError as exc:
        return None, exc.messages[0]


class PairService(ModelService):
    model = SchoolPair
    fields = ("urban", "rural", "agreed_on", "ended_on", "goals")
    references = {"urban": PICK, "rural": PICK}

    def check(self, items, scope):
        plan = super().check(items, scope)
        self.check_overlap(plan)
        self.check_activities(plan)
        return plan

    def check_overlap(self, plan):
        """The same two schools are in one pair at a time: against the batch and the records."""
        touched = [
            (index, item.obj)
            for index, item in enumerate(plan.items)
            if (item.is_new or {"urban", "rural", "agreed_on", "ended_on"} & set(item.changed))
            and item.obj.urban_id
            and item.obj.rural_id
            and item.obj.agreed_on
        ]
        if not touched:
            return
        recorded = defaultdict(list)
        for chunk in chunked(sorted({p.urban_id for _i, p in touched})):
            rows = SchoolPair.objects.filter(urban_id__in=chunk).only(
                "pk", "urban_id", "rural_id", "agreed_on"
            )
            for row in rows.only("pk", "urban_id", "rural_id", "agreed_on", "ended_on"):
                recorded[(row.urban_id, row.rural_id)].append(row)
        batch = {p.pk for _i, p in touched if p.pk}
        seen = defaultdict(list)
        for index, pair in touched:
            key = (pair.urban_id, pair.rural_id)
            others = [r for r in recorded[key] if r.pk not in batch] + seen[key]
            seen[key].append(pair)
            clash = next(
                (o for o in others if overlaps(pair.agreed_on, pair.ended_on, o.agreed_on, o.ended_on)), None
            )
            if clash is not None:
                plan.problems.append(
                    Problem(
                        _(
                            "These two schools are already paired from %(date)s over the same days: a pair is "
                            "recorded once (end that one first)."
                        )
                        % {"date": clash.agreed_on.isoformat()},
                        index,
                        "agreed_on",
                    )
                )

    def check_activities(self, plan):
        """A recorded pair keeps its activities within its days, and its schools while it has activities."""
        moved = {
            item.obj.pk: (index, item)
            for index, item in enumerate(plan.items)
            if not item.is_new and {"agreed_on", "ended_on", "urban", "rural"} & set(item.changed)
        }
        if not moved:
            return
        rows = PairActivity.objects.filter(pair_id__in=list(moved)).values("pair_id")
        for row in rows.annotate(first=Min("date"), last=Max("date")).order_by():
            index, item = moved[row["pair_id"]]
            pair = item.obj
            if {"urban", "rural"} & set(item.changed):
                field = "urban" if "urban" in item.changed else "rural"
                plan.problems.append(
                    Problem(
                        _(
                            "This pair has activities recorded: its schools cannot change (end it and "
                            "record a new pair)."
                        ),
                        index,
                        field,
                    )
                )
            if pair.agreed_on and row["first"] < pair.agreed_on:
                plan.problems.append(
                    Problem(
                        _("An activity of this pair is dated %(date)s, before this agreement.")
                        % {"date": row["first"].isoformat()},
                        index,
                        "agreed_on",
                    )
                )
            if pair.ended_on and row["last"] > pair.ended_on:
                plan.problems.append(
                    Problem(
                        _("An activity of this pair is dated %(date)s, after this end.")
                        % {"date": row["last"].isoformat()},
                        index,
                        "ended_on",
                    )
                )

    # Both schools -------------------------------------------------------------------------------------
    def check_scope(self, plan, scope):
        """As the base does, but a recorded pair is changed only with both its schools in scope."""
        super().check_scope(plan, scope)
        changed = [item.instance.pk for item in plan.items if not item.is_new and item.changed]
        if not changed or scope.whole_tree:
            return
        allowed = set(
            SchoolPair.objects.visible_to(scope.by, CHANGE)
            .filter(pk__in=changed)
            .values_list("pk", flat=True)
        )
        missing = Problem(outside_scope(), None, None, True)
        for index, item in enumerate(plan.items):
            if not item.is_new and item.changed and item.instance.pk not in allowed:
                problem = Problem(missing.message, index, None, True)
                if problem not in plan.problems:
                    plan.problems.append(problem)

    def check_places(self, plan, scope):
        """The pair will lie at both its schools where the writer may write it."""
        items = [(index, item) for index, item in enumerate(plan.items) if item.is_new or item.changed]
        if not items or scope.whole_tree:
            return
        objs = [item.obj for _index, item in items]
        for name in ("urban", "rural"):
            schools = related_of(objs, name)
            places = school_places([s for s in schools.values() if s is not None])
            for (index, item), obj in zip(items, objs, strict=True):
                school = schools.get(id(obj))
                paths = places.get(id(school)) if school is not None else None
                if paths is None:
                    continue  # a school of the same file: the write's re-check decides
                if not any(scope.path_allowed(SchoolPair, item.action, path) for path in paths):
                    plan.problems.append(
                        Problem(
                            _(
                                "You may not record a pair with this school: it lies outside your scope (a "
                                "pair of schools of two districts is recorded by the city)."
                            ),
                            index,
                            name,
                        )
                    )

    def expect(self, plan, write):
        super().expect(plan, write)
        for items, action in ((plan.new, ADD), (plan.changed, CHANGE)):
            for name in ("urban", "rural"):
                schools = [getattr(i.obj, name) for i in items]
                if schools:
                    write.refer(School, VIEW, schools, field=name, through=(SchoolPair, action))

    def delete(self, objs, *, by):
        """Delete pairs (each audited): only with both schools in the writer's scope; a pair with activities
        is refused (``PROTECT``: remove them first)."""
        objs = list(objs)
        with writing(by):
            allowed = set(
                SchoolPair.objects.visible_to(by, DELETE)
                .filter(pk__in=[o.pk for o in objs])
                .values_list("pk", flat=True)
            )
            problems = [
                Problem(outside_scope(), n, None, True) for n, o in enumerate(objs) if o.pk not in allowed
            ]
            if problems:
                raise RefusedError(problems)
            for index, obj in enumerate(objs):
                self.delete_one(obj, index)


class ActivityService(ModelService):
    model = PairActivity
    fields = ("pair", "kind", "date", "title", "summary", "teachers", "students")
    references = {"pair": PICK}

    def places(self, objs):
        """An activity lies at its pair: at either school."""
        pairs = related_of(objs, "pair")
        found = [pairs.get(id(o)) for o in objs]
        schools = {}
        for pair in found:
            if pair is not None:
                schools[id(pair.urban)] = pair.urban
                schools[id(pair.rural)] = pair.rural
        places = school_places(list(schools.values()))
        return [
            ("pair", None)
            if pair is None
            else ("pair", places.get(id(pair.urban), []) + places.get(id(pair.rural), []))
            for pair in found
        ]

    def place_message(self, item):
        return _("You may not record an activity of this pair: it lies outside your scope.")

    def scope_paths(self, objs):
        return PairActivity.audit_scope_paths(objs)

    def validate(self, plan):
        super().validate(plan)
        for index, item in enumerate(plan.items):
            activity = item.obj
            if not (item.is_new or item.changed):
                continue
            if activity.kind and activity.kind not in ActivityKind.values:
                plan.problems.append(
                    Problem(
                        _("No such kind of pairing activity: “%(kind)s”. The kinds are: %(kinds)s.")
                        % {"kind": activity.kind, "kinds": "、".join(str(k.label) for k in ActivityKind)},
                        index,
                        "kind",
                    )
                )
            if activity.students is not None and activity.students < 0:
                plan.problems.append(
                    Problem(_("The number of students cannot be negative."), index, "students")
                )
            pair = activity.pair if activity.pair_id else None
            if pair is None or not activity.date:
                continue
            if activity.date < pair.agreed_on:
                plan.problems.append(
                    Problem(
                        _("The pair was agreed on %(date)s: an activity cannot be before it.")
                        % {"date": pair.agreed_on.isoformat()},
                        index,
                        "date",
                    )
                )
            elif pair.ended_on and activity.date > pair.ended_on:
                plan.problems.append(
                    Problem(
                        _("The pair ended on %(date)s: an activity cannot be after it.")
                        % {"date": pair.ended_on.isoformat()},
                        index,
                        "date",
                    )
                )
            outsiders = [
                p.name
                for p in item.many.get("teachers", [])
                if p.school_id not in (pair.urban_id, pair.rural_id)
            ]
            if outsiders:
                plan.problems.append(
                    Problem(
                        _("%(names)s: the teachers involved are people of either school of the pair.")
                        % {"names": "、".join(outsiders)},
                        index,
                        "teachers",
                    )
                )
        for index, item in enumerate(plan.items):
            for name, content in item.extra.get("files", []):
                _type, message = check_upload(name, content)
                if message:
                    plan.problems.append(Problem(message, index, "files"))

    def added_teachers(self, item):
        """The teachers an item adds to its activity (those already recorded on it are kept as they are)."""
        current = set(self.current_many(item.obj, "teachers")) if not item.is_new else set()
        return [p for p in item.many.get("teachers", []) if p.pk not in current]

    def check_teachers(self, plan, scope):
        """A teacher added is one the writer sees (through the roles that may write activities): each
        school's secretary names its own people; the teachers recorded stay, whoever changes the activity."""
        for action in (ADD, CHANGE):
            items = [(i, item) for i, item in enumerate(plan.items) if item.action == action]
            named = {p for _i, item in items for p in self.added_teachers(item)}
            if not named:
                continue
            allowed = scope.allowed(Person, VIEW, named, through=(PairActivity, action))
            for index, item in items:
                if any(p.pk not in allowed for p in self.added_teachers(item)):
                    plan.problems.append(Problem(_("No such record in your scope."), index, "teachers"))

    def expect(self, plan, write):
        super().expect(plan, write)
        for items, action in ((plan.new, ADD), (plan.changed, CHANGE)):
            added = [p for item in items for p in self.added_teachers(item)]
            if added:
                write.refer(Person, VIEW, added, field="teachers", through=(PairActivity, action))

    def apply(self, plan, write):
        user = None if write.whole_tree else write.user
        for item in plan.new:
            item.obj.recorded_by = user
        super().apply(plan, write)
        files = [
            sealed_file(
                PairActivityFile, name, content, user, check_upload(name, content)[0], activity=item.obj
            )
            for item in plan.items
            for name, content in item.extra.get("files", [])
        ]
        if files:
            bulk_create_audited(
                PairActivityFile, files, scope_paths=PairActivityFile.audit_scope_paths(files)
            )
            write.expect(PairActivityFile, ADD, files)

    def check_scope(self, plan, scope):
        """As the base does; files added to a recorded activity that changes nothing else need its change
        scope too."""
        super().check_scope(plan, scope)
        self.check_teachers(plan, scope)
        adding = [i.instance for i in plan.items if not i.is_new and not i.changed and i.extra.get("files")]
        if not adding:
            return
        allowed = scope.allowed(PairActivity, CHANGE, adding)
        for index, item in enumerate(plan.items):
            if item.instance in adding and item.instance.pk not in allowed:
                plan.problems.append(Problem(outside_scope(), index, None, True))


PAIRS = PairService()
ACTIVITIES = ActivityService()


def record_pairs(items, *, by):
    """Check and write a batch of pairs (``Item``s); the records, in order."""
    return PAIRS.save(items, by=by)


def record_activities(items, *, by):
    """Check and write a batch of activities (``Item``s; their files as ``extra["files"]``: (name, bytes))."""
    return ACTIVITIES.save(items, by=by)


def delete_pairs(objs, *, by):
    PAIRS.delete(objs, by=by)


def delete_activities(objs, *, by):
    ACTIVITIES.delete(objs, by=by)


# Idle pairs ---------------------------------------------------------------------------------------------
def idle_since(today):
    """The first day of the window without activity that makes a pair idle on ``today``."""
    return add_months(today, -rules.param("pair.idle_months", on=today))


def idle_pairs(pairs, today):
    """The pairs of ``pairs`` (a queryset) idle on ``today``: running, agreed on or before ``idle_since`` and
    with no activity from that day on (one query, the activities by a subquery)."""
    since = idle_since(today)
    recent = PairActivity.objects.filter(date__gte=since, date__lte=today).values("pair_id")
    return pairs.running_on(today).filter(agreed_on__lte=since).exclude(pk__in=recent)


__all__ = [
    "ACTIVITIES",
    "PAIRS",
    "Item",
    "delete_activities",
    "delete_pairs",
    "idle_pairs",
    "record_activities",
    "record_pairs",
]
