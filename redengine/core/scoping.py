"""The one scoping hook: ``Model.objects.visible_to(user, action)``.

A role held at a party organization covers that organization's whole subtree (the tree is a
materialized path, so a subtree is one indexed prefix range: the ``under`` lookup below). Schools, and
the people, titles and dispatches placed by their school, are scoped through their placements
(``orgs.SchoolPlace``: one row per path a school lies at, kept by the write path), so that they too are
one prefix range of one index. Every list, detail, form choice,
export, count and API result starts from this method; whatever it does not return answers 404.
"""

from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q


def collapse_prefixes(prefixes):
    """Drop every prefix that a shorter one already covers; '' covers everything."""
    kept = []
    for prefix in sorted(set(prefixes), key=len):
        if not any(prefix.startswith(shorter) for shorter in kept):
            kept.append(prefix)
    return kept


@models.CharField.register_lookup
class Under(models.Lookup):
    """``path__under=prefix``: the path starts with ``prefix``, written so that an index serves it.

    On PostgreSQL, ``LIKE 'prefix%'`` without a cast, which the ``varchar_pattern_ops`` index Django makes
    beside every indexed ``CharField`` serves under any collation; elsewhere (SQLite, whose ``LIKE`` is
    case-insensitive and never uses an index), the range ``prefix <= path < prefix + U+10FFFF``, exact for
    the paths' ASCII alphabet under a binary collation. The prefix is a value, never an expression.
    """

    lookup_name = "under"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not isinstance(self.rhs, str):
            raise TypeError("path__under takes a string prefix")
        prefix = self.rhs
        if connection.vendor == "postgresql":
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return f"{lhs} LIKE %s", [*lhs_params, escaped + "%"]
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, prefix, *lhs_params, prefix + "\U0010ffff"]


def prefix_q(lookup, prefixes):
    """A Q matching rows whose path field (``lookup``) lies under one of ``prefixes``."""
    return reduce(or_, (Q(**{f"{lookup}__under": p}) for p in prefixes))


def user_prefixes(user, model, action, through=None):
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    getter = getattr(user, "scope_prefixes", None)
    if getter is None:
        return []
    if through is not None:
        return collapse_prefixes(getter(model, action, through=through))
    return collapse_prefixes(getter(model, action))


def scope_covers(user, model, action, within="view"):
    """Whether every row of ``model`` that ``user`` reaches with ``within`` lies in ``action``'s scope too:
    True, False (no role allows ``action``), or None when it depends on the row. From the roles' prefixes
    alone, no query: a detail page asks it of the record it found (may it be changed, deleted?)."""
    if getattr(user, "is_system", False):
        return True
    allowed = user_prefixes(user, model, action)
    if not allowed:
        return False
    if "" in allowed:
        return True
    reached = user_prefixes(user, model, within)
    if reached and all(any(p.startswith(a) for a in allowed) for p in reached):
        return True  # every subtree reached lies in one where the action is allowed
    return None


class ScopedQuerySet(models.QuerySet):
    """QuerySet of a model whose rows lie somewhere in the organization tree.

    The model implements ``scope_filter(prefixes) -> Q`` saying which of its rows lie under the
    given path prefixes.
    """

    def visible_to(self, user, action="view", through=None):
        """The rows ``user`` may do ``action`` on (``through``: counting only the roles that also allow
        that model and action: what a write may name)."""
        if getattr(user, "is_system", False):
            return self.all()
        prefixes = user_prefixes(user, self.model, action, through)
        if not prefixes:
            return self.none()
        if "" in prefixes:
            return self.all()
        return self.filter(self.model.scope_filter(prefixes))

    def in_subtree(self, path):
        """Rows lying in the subtree at ``path`` (for drill-down filters), regardless of user."""
        return self.filter(self.model.scope_filter([path]))


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass
