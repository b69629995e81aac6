"""Full-text search of the showcase in Chinese, on SQLite and on PostgreSQL without an extension.

The choice (docs/performance.md): overlapping character **bigrams** of each run of CJK characters, plus
the lower-cased Latin/digit words — the approach of Lucene's CJKAnalyzer and of pg_bigm. It needs no
dictionary and finds every two-character word anywhere inside a text (a dictionary tokenizer such as
jieba can miss a word it segments differently). The terms of each item's title and text are rows of
``SearchTerm`` (kind, item, term), indexed on (term, kind), kept by the services on every write.

A query is tokenized the same way; the candidates are the items holding every one of its terms (one
``GROUP BY item HAVING COUNT(term) = n`` subquery); each word of the query is then confirmed as a substring
of the candidates' title or text (bigrams may match out of order), and title hits rank first. A query of a
single CJK character has no bigram: it is a plain substring match (LIKE) over the rows the user may read.
"""

import re
import unicodedata
from functools import reduce
from operator import and_, or_

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import SearchTerm

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
RUNS = re.compile(f"([{CJK}]+)|([0-9a-z]+)")
TERM_LENGTH = 40  # SearchTerm.term: a longer Latin word is cut (the substring check still confirms it)


def normalized(text):
    """Full-width letters and digits as half-width, lower case (NFKC): the form the terms are taken from."""
    return unicodedata.normalize("NFKC", text or "").lower()


def terms_of(text):
    """The set of terms of ``text``: each CJK run's overlapping bigrams, each Latin/digit word."""
    found = set()
    for cjk, word in RUNS.findall(normalized(text)):
        if cjk:
            found.update(cjk[i : i + 2] for i in range(len(cjk) - 1))
        else:
            found.add(word[:TERM_LENGTH])
    return found


def words_of(query):
    """The words of a query (split on spaces), each confirmed as a substring."""
    return [w for w in (query or "").split() if w][:10]


def item_terms(item):
    """The terms of an item: its title's and its texts'."""
    title, text = item.search_texts()
    return terms_of(title) | terms_of(text)


def text_q(model, word):
    """The word as a substring of the item's title or one of its texts."""
    names = [model.title_field, *model.text_fields]
    return reduce(or_, (Q(**{f"{name}__icontains": word}) for name in names))


def matching(queryset, query):
    """``queryset`` (one kind's items) narrowed to those matching every word of ``query``, annotated with
    ``title_hit`` (0 when every word is in the title: ranked first). An empty query narrows nothing."""
    model = queryset.model
    words = words_of(query)
    if not words:
        return queryset
    terms = set().union(*(terms_of(w) for w in words))
    if terms:
        candidates = (
            SearchTerm.objects.filter(kind=model.kind, term__in=sorted(terms))
            .values("item_id")
            .annotate(found=Count("term"))
            .filter(found=len(terms))
            .values("item_id")
        )
        queryset = queryset.filter(pk__in=candidates)
    queryset = queryset.filter(reduce(and_, (text_q(model, w) for w in words)))
    in_title = reduce(and_, (Q(**{f"{model.title_field}__icontains": w}) for w in words))
    return queryset.annotate(
        title_hit=Case(When(in_title, then=Value(0)), default=Value(1), output_field=IntegerField())
    )


def snippet(text, query, width=60):
    """About ``width`` characters of ``text`` around the first hit of the query's words, escaped, the hits
    marked (``<mark>``); the text's start when no word is in it."""
    text = text or ""
    words = words_of(query)
    lower = text.lower()
    hits = [lower.find(w.lower()) for w in words]
    hits = [h for h in hits if h >= 0]
    start = max(0, min(hits) - width // 3) if hits else 0
    piece = text[start : start + width]
    if not words:
        return escape(piece)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(piece):
        parts.append(escape(piece[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(piece[last:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308 (every part escaped above)
