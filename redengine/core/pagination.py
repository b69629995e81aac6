"""Pages deep in a long list: a deferred join instead of reading every skipped row in full.

``ORDER BY … LIMIT 25 OFFSET 25000`` makes the database sort and skip 25,000 rows; with the whole row
(every column, the ``select_related`` joins) that is a wide sort, spilled to disk, and a join made for each
skipped row. A page past ``DEFERRED_FROM`` rows is read in two queries instead: the page's primary keys
with the list's own filters, order and offset (narrow: the columns of the order, answered from an index
where one holds them), then the rows of those keys in full, with the list's ``select_related``,
``prefetch_related`` and annotations, put back in the page's order. The rows are the same as the one
query's; the lists (``core/views.py`` ``ObjectListView``) and the API (``core/api_defaults.py``
``Pagination``) page with it.
"""

from django.core.paginator import Paginator
from django.db.models.query import ModelIterable, QuerySet

DEFERRED_FROM = 1000  # rows skipped from which a page is read by its keys first


def deferrable(queryset):
    """Whether a page of ``queryset`` can be read by its keys first: a plain queryset of model rows (not
    values, not grouped, distinct, combined or sliced already)."""
    if not isinstance(queryset, QuerySet) or queryset._iterable_class is not ModelIterable:
        return False
    query = queryset.query
    return not (
        query.distinct
        or query.group_by is not None
        or query.combinator
        or query.is_sliced
        or any(getattr(a, "contains_aggregate", False) for a in query.annotations.values())
    )


def deferred_page(queryset, bottom, top):
    """The rows ``bottom:top`` of ``queryset``: their keys first (one narrow query), then the rows."""
    keys = list(queryset.values_list("pk", flat=True)[bottom:top])
    if not keys:
        return []
    found = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=keys)}
    # A row deleted between the two queries is left out, as if the page had been read a moment later.
    return [found[key] for key in keys if key in found]


class DeferredJoinPaginator(Paginator):
    """Django's paginator, reading a page past ``deferred_from`` skipped rows by its keys first."""

    deferred_from = DEFERRED_FROM

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if bottom >= self.deferred_from and deferrable(self.object_list):
            rows = deferred_page(self.object_list, bottom, top)
        else:
            rows = self.object_list[bottom:top]
        return self._get_page(rows, number, self)
