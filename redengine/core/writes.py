"""The one write path. Every change of a domain record is made by a service inside ``writing(by)``.

A service checks its batch first and returns located ``Problem``s (item and field), writing nothing;
then it writes with the bulk audited helpers. ``writing`` opens the transaction, makes ``by`` the
actor of the audit trail, and before the transaction commits re-checks in bulk that every record
written, every record whose place in the tree the write changed, and every record the write names
lies in ``by``'s scope: any violation rolls everything back (``RefusedError``). The audit trail refuses a
record made outside a write path (``core.audit``), so no writer can skip it.

``by`` is an account, or ``SYSTEM`` for a management command acting for the whole tree.
"""

import contextlib
import contextvars
import dataclasses
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from .context import acting, current_actor
from .dbrouting import note_write
from .scoping import user_prefixes

CHUNK = 5000  # pks per IN (...) query: well under SQLite's 32,766 parameters


class System:
    """The actor of a management command run for the whole tree (no account): every scope check passes."""

    is_authenticated = False
    is_system = True

    def __repr__(self):
        return "SYSTEM"


SYSTEM = System()


def chunked(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Problem:
    """Why an item of a batch cannot be written: a message, where it lies (item, field), and whether it is
    about the item's own record being outside the scope (then it answers as for a record that does not exist)."""

    message: str
    item: int | None = None
    field: str | None = None
    missing: bool = False
    rule: str = ""  # the rule broken, where a rules table says (its text and source are in the message)
    overridable: bool = False  # an administrator may record it anyway, with a written reason


class RefusedError(ValidationError):
    """A batch refused: nothing was written. ``problems`` say what and where."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__([str(p.message) for p in self.problems] or [_("The change was refused.")])

    @property
    def missing(self):
        return any(p.missing for p in self.problems)

    def by_field(self, item=None):
        """{field (or NON_FIELD_ERRORS): [messages]} of one item (and of the batch as a whole)."""
        found = {}
        for p in self.problems:
            if item is None or p.item in (item, None):
                found.setdefault(p.field or NON_FIELD_ERRORS, []).append(str(p.message))
        return found


def outside_scope():
    return _("This record does not exist, or it lies outside your scope.")


def not_yours():
    return _("No such record in your scope.")


def pks_of(objects):
    return {getattr(o, "pk", o) for o in objects if getattr(o, "pk", o) is not None}


class Scope:
    """The scope questions a check asks about ``by``, answered in bulk (one query per 5,000 records)."""

    def __init__(self, by):
        if by is None or (by is not SYSTEM and not getattr(by, "is_authenticated", False)):
            raise ValueError("a write names its actor: an account, or SYSTEM for the whole tree")
        self.by = by
        self._prefixes = {}

    @property
    def whole_tree(self):
        return self.by is SYSTEM

    @property
    def user(self):
        return None if self.whole_tree else self.by

    def prefixes(self, model, action, through=None):
        """Path prefixes where ``by`` may do ``action`` on ``model``; None for the whole tree."""
        if self.whole_tree:
            return None
        key = (model, action, through)
        if key not in self._prefixes:
            self._prefixes[key] = user_prefixes(self.by, model, action, through=through)
        return self._prefixes[key]

    def path_allowed(self, model, action, path, through=None):
        """Whether a record lying at ``path`` of the tree is in scope for ``action`` on ``model``."""
        prefixes = self.prefixes(model, action, through)
        return prefixes is None or any(path.startswith(p) for p in prefixes)

    def allowed(self, model, action, objects, rule=None, through=None):
        """The pks among ``objects`` (records or pks) that lie in scope for ``action`` (on ``rule``'s role
        table when given: the people of a school are judged as people)."""
        pks = pks_of(objects)
        prefixes = self.prefixes(rule or model, action, through)
        if prefixes is None or not pks:
            return pks
        if not prefixes:
            return set()
        if "" in prefixes:
            return pks
        found = set()
        for chunk in chunked(sorted(pks)):
            found.update(
                model._base_manager.filter(model.scope_filter(prefixes), pk__in=chunk).values_list(
                    "pk", flat=True
                )
            )
        return found

    def outside(self, model, action, queryset, rule=None, through=None):
        """The pks of ``queryset``'s rows that lie outside the scope, in one query."""
        prefixes = self.prefixes(rule or model, action, through)
        if prefixes is None or "" in prefixes:
            return set()
        if not prefixes:
            return set(queryset.values_list("pk", flat=True))
        return set(queryset.exclude(model.scope_filter(prefixes)).values_list("pk", flat=True))


@dataclass
class Expectation:
    model: type
    action: str
    objects: object  # pks or records, or a queryset evaluated when the write is verified
    problem: Problem
    rule: type | None = None
    through: tuple | None = None


class Write(Scope):
    """One write in progress: what must lie in scope once it is done, re-checked before it commits."""

    def __init__(self, by):
        super().__init__(by)
        self.expected = []
        self.progress = None  # progress(count): records written so far (an import's progress bar)

    def advance(self, count):
        if self.progress is not None and count:
            self.progress(count)

    def expect(self, model, action, objects, *, item=None, rule=None):
        """After the write, ``objects`` must lie in scope for ``action``: else it is refused as for a record
        that does not exist (nothing about the record is told)."""
        self._add(model, action, objects, Problem(outside_scope(), item, None, True), rule, None)

    def moved(self, model, objects, *, field=None):
        """``objects`` (pks) of ``model`` may have moved in the tree: they, and the records that lie where
        they lie (``lies_with``: a school's people), must still lie in the writer's change scope. When the
        write names them in ``field`` (the schools an organization covers) a violation names that field;
        else it is told as for records that do not exist."""
        pks = pks_of(objects)
        if self.whole_tree or not pks:
            return
        if field is None:
            self.expect(model, "change", pks)
        else:
            self._add(model, "change", pks, Problem(not_yours(), None, field), None, None)
        for dependants in _LIES_WITH.get(model, ()):
            for dependant, queryset in dependants(sorted(pks)):
                problem = Problem(_("This change would move records outside your scope."), None, field)
                self._add(dependant, "change", queryset, problem, None, None)

    def refer(self, model, action, objects, *, field, item=None, through=None, message=None):
        """The write names ``objects`` in ``field``: they must lie in scope for ``action`` (``through`` the
        roles that allow the write). Refused naming the field."""
        problem = Problem(message or not_yours(), item, field, False)
        self._add(model, action, objects, problem, None, through)

    def _add(self, model, action, objects, problem, rule, through):
        if self.whole_tree:
            return
        if not isinstance(objects, models.QuerySet):
            objects = pks_of(objects)
            if not objects:
                return
        self.expected.append(Expectation(model, action, objects, problem, rule, through))

    def verify(self):
        problems = []
        for e in self.expected:
            if isinstance(e.objects, models.QuerySet):
                bad = self.outside(e.model, e.action, e.objects, e.rule, e.through)
            else:
                bad = e.objects - self.allowed(e.model, e.action, e.objects, e.rule, e.through)
            if bad and e.problem not in problems:
                problems.append(e.problem)
        self.expected = []
        if problems:
            raise RefusedError(problems)


_LIES_WITH = {}


def lies_with(model):
    """Register ``function(pks) -> [(model, queryset)]``: records whose place in the tree follows the
    records of ``model`` (a school's people follow the school). An app registers its own (a lower app
    never names an upper one), and a write that moves a record re-checks them too."""

    def register(function):
        _LIES_WITH.setdefault(model, []).append(function)
        return function

    return register


_active = contextvars.ContextVar("redengine_write", default=None)


def active_write():
    """The write in progress, or None (the audit trail refuses records made outside one)."""
    return _active.get()


@contextlib.contextmanager
def writing(by):
    """Run a service's writes as ``by``: one transaction, ``by`` as the audit's actor, and the scope of
    everything written re-checked before it commits. A write inside another joins it (same actor). The
    request (or command) then reads from the primary for a while (``core.dbrouting``: read-after-write)."""
    outer = _active.get()
    if outer is not None:
        if outer.by is not by and getattr(outer.by, "pk", 0) != getattr(by, "pk", None):
            raise ValueError("a nested write must have the actor of the write it joins")
        yield outer
        return
    write = Write(by)
    actor = current_actor()
    if not write.whole_tree:
        actor = dataclasses.replace(actor, user=by)
    token = _active.set(write)
    note_write()
    try:
        with acting(actor), transaction.atomic():
            yield write
            write.verify()
    finally:
        _active.reset(token)
        note_write()  # the window counts from the commit


def check_or_refuse(problems):
    if problems:
        raise RefusedError(problems)


def problems_of(exc, item=None, field_names=None):
    """A Django ``ValidationError`` as located problems (a field not among ``field_names`` goes to the item)."""
    found = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            known = name != NON_FIELD_ERRORS and (field_names is None or name in field_names)
            for message in errors:
                found.append(Problem(message, item, name if known else None))
    else:
        found.extend(Problem(message, item) for message in exc.messages)
    return found
