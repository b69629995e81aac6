"""The base of the apps' batch-first services (``save_schools(items, *, by)``, ``set_memberships``, ...).

A service takes a batch of ``Item``s — the values to set and, for a change, the record changed — and
works in two parts: ``check`` builds each record as it would be written and returns located problems
(the importer turns them into sheet/row/column lines, a form into field errors, the API into a 400),
writing nothing; ``apply`` writes the records with the bulk audited helpers and tells the write path
what must lie in the writer's scope once it is done. ``save`` is both, in ``writing(by)``; a single
record is a batch of one. An app's service declares its model, the fields an item may set, the records
an item may name (``references``) and where a record lies (``places``); it overrides a step where its
rules need more.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils.translation import gettext as _

from .audit import bulk_create_audited, bulk_update_audited, remember, set_many_audited, snapshot
from .writes import Problem, RefusedError, chunked, outside_scope, problems_of, writing

ADD, CHANGE, VIEW, DELETE = "add", "change", "view", "delete"
PICK = "pick"  # a record the writer chooses (a contact): visible through the roles that allow the write


@dataclass
class Item:
    """One record of a batch: the values to set (fields by name, a foreign key as its record) and, for a
    change, the record changed as it was loaded. The service fills ``obj`` (the record as it will be
    written) and ``changed`` (the fields that change; none: the item changes nothing)."""

    values: dict = field(default_factory=dict)
    instance: object = None
    obj: object = None
    changed: list = field(default_factory=list)
    many: dict = field(default_factory=dict)  # many-to-many field -> the records it will hold
    extra: dict = field(default_factory=dict)  # values a service takes apart from the model's fields

    @property
    def is_new(self):
        return self.instance is None

    @property
    def action(self):
        return ADD if self.is_new else CHANGE


@dataclass
class Plan:
    """What a batch would do: its items, and every problem found (nothing is written while there is one)."""

    items: list
    problems: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # what a service works out in its check for its apply

    @property
    def new(self):
        return [i for i in self.items if i.is_new]

    @property
    def changed(self):
        return [i for i in self.items if not i.is_new and i.changed]

    @property
    def unchanged(self):
        return [i for i in self.items if not i.is_new and not i.changed]

    def counts(self):
        return {"new": len(self.new), "changed": len(self.changed), "unchanged": len(self.unchanged)}


class ModelService:
    """The write path of one model; an app's service subclasses it and declares its model and rules."""

    model = None
    fields = ()  # the fields an item may set
    references = {}  # field -> what the writer needs on the record it names: CHANGE, ADD or PICK
    unique = ()  # tuples of fields that no two records share (checked in bulk, against the batch too)
    deletable = True

    # The whole -------------------------------------------------------------------------------------
    def save(self, items, *, by):
        """Check and write ``items`` as ``by``; the records written, in order. ``RefusedError`` with nothing written."""
        with writing(by) as write:
            plan = self.check(items, write)
            if plan.problems:
                raise RefusedError(plan.problems)
            self.apply(plan, write)
        return [item.obj for item in items]

    def check(self, items, scope):
        """Build every record as it would be written and find every problem; nothing is written."""
        plan = Plan(list(items))
        self.build(plan)
        self.validate(plan)
        self.check_unique(plan)
        self.check_scope(plan, scope)
        return plan

    def apply(self, plan, write):
        """Write the plan's new and changed records in bulk, with their audit records."""
        new = [item.obj for item in plan.new]
        if new:
            bulk_create_audited(self.model, new, scope_paths=self.scope_paths(new))
        changed = plan.changed
        if changed:
            names = sorted(
                {name for item in changed for name in item.changed if name not in self.many_fields()}
            )
            if names:
                objs = [item.obj for item in changed if set(item.changed) - self.many_fields()]
                bulk_update_audited(self.model, objs, names, scope_paths=self.scope_paths(objs))
        for name in self.many_fields():
            touched = [i for i in plan.items if name in i.many and (i.is_new or name in i.changed)]
            if touched:
                set_many_audited(self.model, name, [(i.obj, i.many[name]) for i in touched])
        self.expect(plan, write)

    def expect(self, plan, write):
        """What the write path re-checks before committing: the records written lie in scope, and so do
        the records they name."""
        write.expect(self.model, ADD, [i.obj for i in plan.new])
        write.expect(self.model, CHANGE, [i.obj for i in plan.changed])
        for name, action in self.references.items():
            for items, item_action in ((plan.new, ADD), (plan.changed, CHANGE)):
                named = [self.named(i, name) for i in items if i.is_new or name in i.changed]
                named = [o for group in named for o in group]
                if named:
                    ref_action, through = self.reference_rule(action, item_action)
                    write.refer(self.related_model(name), ref_action, named, field=name, through=through)

    # The steps ---------------------------------------------------------------------------------------
    def build(self, plan):
        fields = set(self.fields)
        many = self.many_fields()
        self.current = self.load_many(plan, many)
        for item in plan.items:
            unknown = set(item.values) - fields
            if unknown:
                raise ValueError(f"{self.model.__name__}: no such field to set: {sorted(unknown)}")
            # A new record may be made by the caller, so that another item of the batch can name it.
            obj = item.instance if item.instance is not None else (item.obj or self.model())
            if item.instance is not None and not hasattr(obj, "_audit_loaded"):
                remember([obj])
            for name, value in item.values.items():
                if name in many:
                    item.many[name] = list(value or [])
                else:
                    setattr(obj, name, value)
            item.obj = obj
        for index, item in enumerate(plan.items):
            plan.problems += self.derive(plan, item, index) or []
            item.changed = self.changes(item)

    def derive(self, plan, item, index):
        """Set the fields derived from the others; return the problems found doing so (a hook)."""

    def changes(self, item):
        if item.is_new:
            return list(item.values)
        before, after = item.obj._audit_loaded, snapshot(item.obj)
        names = [name for name in after if before.get(name) != after[name]]
        for name, targets in item.many.items():
            if sorted(pks_or_none(targets)) != sorted(self.current_many(item.obj, name)):
                names.append(name)
        return names

    def current_many(self, obj, name):
        return self.current.get(name, {}).get(obj.pk, [])

    def load_many(self, plan, names):
        """{field: {pk: [related pks]}} of the recorded items' many-to-many fields given, in bulk."""
        found = {}
        for name in names:
            pks = [i.instance.pk for i in plan.items if i.instance is not None and name in i.values]
            if not pks:
                continue
            field_ = self.model._meta.get_field(name)
            through = field_.remote_field.through
            source, target = field_.m2m_field_name(), field_.m2m_reverse_field_name()
            current = found.setdefault(name, {})
            for chunk in chunked(pks):
                rows = through.objects.filter(**{f"{source}_id__in": chunk}).values_list(
                    f"{source}_id", f"{target}_id"
                )
                for pk, related in rows:
                    current.setdefault(pk, []).append(related)
        return found

    def validate(self, plan):
        """A new record names every record it must name; the model's own rules (``clean``) on every new or
        changed record, by field."""
        names = {f.name for f in self.model._meta.get_fields()}
        required = [
            f
            for f in self.model._meta.concrete_fields
            if f.many_to_one and not f.null and f.name in self.fields
        ]
        for index, item in enumerate(plan.items):
            if not (item.is_new or item.changed):
                continue
            lacking = [
                f
                for f in required
                if getattr(item.obj, f.attname) is None and f.get_cached_value(item.obj, None) is None
            ]
            plan.problems += [Problem(_("This field is required."), index, f.name) for f in lacking]
            if lacking:
                continue  # its rules would ask for what it lacks
            try:
                item.obj.clean()
            except ValidationError as exc:
                plan.problems += problems_of(exc, index, names)

    def check_unique(self, plan):
        """No two records share a ``unique`` tuple: within the batch, and against the recorded ones."""
        for names in self.unique:
            seen = {}
            wanted = []
            shown = self.problem_field(names)
            for index, item in enumerate(plan.items):
                if not (item.is_new or set(names) & set(item.changed)):
                    continue
                key = tuple(attribute(item.obj, name) for name in names)
                if None in key or "" in key:
                    continue
                if key in seen:
                    plan.problems.append(Problem(self.duplicate_message(names), index, shown))
                    continue
                seen[key] = index
                wanted.append((key, index, item.obj.pk))
            if len(names) == 1:
                column = attname(self.model, names[0])
                for chunk in chunked(wanted):
                    values = [key[0] for key, _index, _pk in chunk]
                    taken = dict(
                        self.model._base_manager.filter(**{f"{column}__in": values}).values_list(column, "pk")
                    )
                    for key, index, pk in chunk:
                        if key[0] in taken and taken[key[0]] != pk:
                            plan.problems.append(Problem(self.duplicate_message(names), index, shown))
                continue
            for chunk in chunked(wanted, 500):
                query = Q()
                for key, _index, _pk in chunk:
                    query |= Q(**{attname(self.model, n): v for n, v in zip(names, key, strict=True)})
                columns = [attname(self.model, n) for n in names]
                taken = {
                    tuple(row[:-1]): row[-1]
                    for row in self.model._base_manager.filter(query).values_list(*columns, "pk")
                }
                for key, index, pk in chunk:
                    if key in taken and taken[key] != pk:
                        plan.problems.append(Problem(self.duplicate_message(names), index, shown))

    def problem_field(self, names):
        """The field a duplicate is reported on."""
        return names[-1]

    def duplicate_message(self, names):
        labels = "、".join(str(self.model._meta.get_field(n).verbose_name) for n in names)
        return _("Another record already has this %(fields)s.") % {"fields": labels}

    def check_scope(self, plan, scope):
        """The records changed lie in scope (as they are now), the records named may be named by the writer,
        and each new or changed record will lie where the writer may put it (``places``)."""
        recorded = [i for i in plan.items if not i.is_new]
        may_change = scope.allowed(self.model, CHANGE, [i.instance for i in recorded if i.changed])
        may_view = scope.allowed(self.model, VIEW, [i.instance for i in recorded if not i.changed])
        for index, item in enumerate(plan.items):
            if item.is_new:
                continue
            if item.instance.pk not in (may_change if item.changed else may_view):
                plan.problems.append(Problem(outside_scope(), index, None, True))
        for name, action in self.references.items():
            self.check_reference(plan, scope, name, action)
        self.check_places(plan, scope)

    def check_reference(self, plan, scope, name, action):
        related = self.related_model(name)
        for item_action in (ADD, CHANGE):
            items = [
                (index, item)
                for index, item in enumerate(plan.items)
                if item.action == item_action and (item.is_new or name in item.changed)
            ]
            named = {o for _index, item in items for o in self.named(item, name) if o.pk}
            if not named:
                continue
            ref_action, through = self.reference_rule(action, item_action)
            allowed = scope.allowed(related, ref_action, named, through=through)
            for index, item in items:
                if any(o.pk and o.pk not in allowed for o in self.named(item, name)):
                    plan.problems.append(Problem(_("No such record in your scope."), index, name))

    def reference_rule(self, action, item_action):
        """(action, through): the record named must lie in scope for ``action``, counted through the roles
        that allow the write itself (so that a second, read-only role does not widen what may be named)."""
        through = (self.model, item_action)
        if action == PICK:
            return VIEW, through
        return action, through

    def check_places(self, plan, scope):
        """Each new or changed record will lie where the writer may add or change it."""
        items = [(index, item) for index, item in enumerate(plan.items) if item.is_new or item.changed]
        if not items or scope.whole_tree:
            return
        places = self.places([item.obj for _index, item in items])
        for (index, item), (field_name, paths) in zip(items, places, strict=True):
            if paths is None:
                continue  # no place yet (a record of the same file): the write's re-check decides
            if not any(scope.path_allowed(self.model, item.action, path) for path in paths):
                plan.problems.append(Problem(self.place_message(item), index, field_name))

    def places(self, objs):
        """(field, [paths]) per record: where it will lie in the tree, and the field that puts it there
        (``None`` paths: not known before writing). By default its organization's path."""
        if "organization" not in {f.name for f in self.model._meta.concrete_fields}:
            return [(None, None) for _obj in objs]
        return [
            ("organization", [o.organization.path] if o.organization_id and o.organization.path else None)
            for o in objs
        ]

    def place_message(self, item):
        return _("You may not put this record there: it lies outside your scope.")

    def scope_paths(self, objs):
        return self.model.audit_scope_paths(objs)

    # Deleting ----------------------------------------------------------------------------------------
    def delete(self, objs, *, by):
        """Delete ``objs`` (each audited), or refuse with the reason (its own rule, or records that use it)."""
        objs = list(objs)
        with writing(by) as write:
            allowed = write.allowed(self.model, DELETE, objs)
            problems = [
                Problem(outside_scope(), n, None, True) for n, o in enumerate(objs) if o.pk not in allowed
            ]
            for index, obj in enumerate(objs):
                reason = obj.delete_refusal() if hasattr(obj, "delete_refusal") else None
                if reason:
                    problems.append(Problem(reason, index))
            if problems:
                raise RefusedError(problems)
            for index, obj in enumerate(objs):
                self.delete_one(obj, index)

    def delete_one(self, obj, index):
        try:
            obj.delete()
        except (ProtectedError, RestrictedError) as exc:
            blockers = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
            kinds = sorted({str(b._meta.verbose_name) for b in blockers})
            message = _(
                "%(object)s is still used by other records (%(kinds)s); change or remove them first."
            ) % {"object": obj, "kinds": "、".join(kinds)}
            raise RefusedError([Problem(message, index)]) from exc

    # Helpers -----------------------------------------------------------------------------------------
    def many_fields(self):
        return {f.name for f in self.model._meta.many_to_many if f.name in self.fields}

    def related_model(self, name):
        return self.model._meta.get_field(name).related_model

    def named(self, item, name):
        """The records ``item`` names in field ``name`` (a foreign key, or the records of a many-to-many)."""
        if name in self.many_fields():
            return list(item.many.get(name, []))
        value = getattr(item.obj, name, None)
        return [value] if isinstance(value, models.Model) else []


def related_of(objs, name):
    """{id(obj): the record in its foreign key ``name``} (None when empty), those not at hand loaded in bulk."""
    if not objs:
        return {}
    field_ = type(objs[0])._meta.get_field(name)
    wanted = {
        getattr(o, field_.attname) for o in objs if not field_.is_cached(o) and getattr(o, field_.attname)
    }
    loaded = {}
    for chunk in chunked(sorted(wanted)):
        loaded.update((r.pk, r) for r in field_.related_model._base_manager.filter(pk__in=chunk))
    found = {}
    for obj in objs:
        related = field_.get_cached_value(obj, None) if field_.is_cached(obj) else None
        if related is None and getattr(obj, field_.attname):
            related = loaded.get(getattr(obj, field_.attname))
            if related is not None:
                field_.set_cached_value(obj, related)
        found[id(obj)] = related
    return found


def attribute(obj, name):
    field_ = obj._meta.get_field(name)
    return getattr(obj, field_.attname)


def attname(model, name):
    return model._meta.get_field(name).attname


def pks_or_none(objects):
    return [getattr(o, "pk", o) for o in objects]


def replace_holiday_years(days, *, by):
    """Load the holiday calendar of the years ``days`` (``workdays.SheetDay``) cover: each year's table is
    replaced as a whole (the notice of a year is one table), in the audit trail. Returns the years loaded."""
    from .models import HolidayCalendarDay

    years = sorted({day.date.year for day in days})
    with writing(by):
        for old in HolidayCalendarDay.objects.filter(date__year__in=years):
            old.delete()
        bulk_create_audited(
            HolidayCalendarDay,
            [HolidayCalendarDay(date=d.date, kind=d.kind, name=d.name, source=d.source) for d in days],
        )
    return years
