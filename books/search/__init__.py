"""Search across summaries: one interface over two engines (SQLite FTS5, PostgreSQL).

``search(query, tags=…, page=…)`` parses the reader's text once, asks the engine of
the database in use for the ranked public summaries, and returns them with
highlighted snippets and the best-matching chapters. ``suggest(prefix)`` answers
the search box as the reader types. ``index_books(ids)`` keeps the index exact; it
runs after every commit that changes a summary (see ``books/changes.py``).
"""

import math
from dataclasses import dataclass, field
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.urls import reverse
from django.utils.http import urlencode

from books.models import Book

from .base import Hit, Public, SearchResults, closest_word, highlight
from .documents import MARK_START, load_documents
from .query import (
    ONLY_COMMON,
    STOP_WORDS,
    WORD_RE,
    clean_text,
    fold,
    parse,
    words_of,
)

PER_PAGE = 10
MAX_TAGS = 5
MAX_PAGE = 1000
INDEX_BATCH = 50
SUGGESTIONS = 8


@cache
def _backend_for(vendor):
    if vendor == "sqlite":
        from .sqlite import SQLiteBackend

        return SQLiteBackend()
    if vendor == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend()
    raise ImproperlyConfigured(f"Search supports SQLite and PostgreSQL, not {vendor}.")


def get_backend():
    """The engine for the database in use."""
    return _backend_for(connection.vendor)


# --- Searching -------------------------------------------------------------------------


def search(raw_query, *, tags=(), page=1, per_page=PER_PAGE):
    """Search public summaries; never raises on any text (see ``SearchResults.message``)."""
    with get_backend().reading():
        return _search(raw_query, tags, page, per_page)


def _search(raw_query, tags, page, per_page):
    parsed = parse(raw_query)
    tags = tuple(dict.fromkeys(filter(None, (clean_text(tag).strip()[:100] for tag in tags))))
    tags = tags[:MAX_TAGS]
    results = SearchResults(query=parsed, tags=tags, per_page=per_page)
    if parsed.problem:
        results.message = parsed.problem
        return results
    engine = get_backend()
    compiled = engine.compile(parsed)
    if compiled is None:
        results.message = ONLY_COMMON
        return results
    public = Public(tags)
    key = engine.key_of(parsed)
    page = min(max(1, page), MAX_PAGE)
    total, ids, facets = engine.find(compiled, public, tags, key, (page - 1) * per_page, per_page)
    if not total:
        corrected = _correction(engine, parsed, public)
        if corrected is None:
            return results
        parsed, compiled = corrected
        results.suggestion, results.original_total = str(parsed), 0
        key = engine.key_of(parsed)
        total, ids, facets = engine.find(
            compiled, public, tags, key, (page - 1) * per_page, per_page
        )

    results.total = total
    results.num_pages = math.ceil(total / per_page)
    results.page = min(page, results.num_pages)
    if results.page != page:  # asked past the last page: show the last one
        _, ids, facets = engine.find(
            compiled, public, tags, key, (results.page - 1) * per_page, per_page
        )
    results.facets = facets
    results.hits = _hits(engine, compiled, ids)
    return results


def _hits(engine, compiled, ids):
    # Titles, authors and tags come from the index rows, which follow every commit:
    # loading the books through the ORM would cost more than the search itself.
    details = engine.details(compiled, ids)
    passages = engine.passages(compiled, ids)
    hits = []
    for book_id in ids:
        if book_id not in details:  # deleted since the ranking query
            continue
        title, authors, tags, slug, snippet = details[book_id]
        found = passages.get(book_id, [])
        if MARK_START not in (snippet or "") and found:
            # Matched only inside a chapter (or another passage): show that text.
            snippet = found[0].snippet
        url = reverse("books:detail", kwargs={"slug": slug})
        hit = Hit(
            book_id=book_id,
            title=title,
            authors=authors,
            snippet=highlight(snippet),
            slug=slug,
            url=url,
            tags=[tag for tag in tags.split(", ") if tag],
        )
        for passage in found:
            passage.title = highlight(passage.title)
            passage.snippet = highlight(passage.snippet)
            passage.url = f"{url}#{passage.anchor}"
            hit.passages.append(passage)
        hits.append(hit)
    return hits


def _correction(engine, parsed, public):
    """The query with unknown words replaced by the closest indexed ones, if that matches."""
    replacements = {}
    for word in dict.fromkeys(parsed.words):
        if word in STOP_WORDS or word.isdigit() or len(word) < 3 or engine.known_word(word):
            continue
        candidate = closest_word(word, engine.similar_words(word))
        if candidate:
            replacements[word] = candidate
    if not replacements:
        return None
    text = WORD_RE.sub(lambda match: replacements.get(fold(match[0]), match[0]), str(parsed))
    corrected = parse(text)
    compiled = None if corrected.problem else engine.compile(corrected)
    total = engine.count(compiled, public) if compiled else 0
    return (corrected, compiled) if total else None


# --- Suggestions as you type ---------------------------------------------------------------


@dataclass
class Suggestion:
    """A title, author or tag that starts with what the reader is typing."""

    kind: str
    label: str
    url: str
    book_ids: list = field(default_factory=list, repr=False)

    def as_json(self):
        return {"kind": self.kind, "label": self.label, "url": self.url}


def suggest(raw_prefix, limit=SUGGESTIONS):
    """Titles, authors and tags of public summaries matching what was typed so far."""
    words = words_of(clean_text(raw_prefix)[:100])[-5:]
    if not words or len(words[-1]) > 60 or (len(words) == 1 and len(words[0]) < 2):
        return []
    *full, prefix = words
    rows = get_backend().names(full, prefix, limit * 6)
    seen, found = {}, []
    for kind, name, book_id in rows:
        key = (kind, name.casefold())
        if key in seen:
            continue
        seen[key] = True
        found.append((kind, name, book_id))
    slugs = dict(
        Book.objects.published()
        .filter(pk__in=[book_id for kind, _, book_id in found if kind == "title"])
        .values_list("pk", "slug")
    )
    search_url = reverse("search:results")
    suggestions = []
    order = {"title": 0, "author": 1, "tag": 2}
    for kind, name, book_id in sorted(found, key=lambda row: order[row[0]]):
        if kind == "title":
            if book_id not in slugs:
                continue
            url = reverse("books:detail", kwargs={"slug": slugs[book_id]})
        else:
            url = f"{search_url}?{urlencode({'q': f'"{name}"'})}"
        suggestions.append(Suggestion(kind, name, url))
    return suggestions[:limit]


# --- Keeping the index exact -------------------------------------------------------------


def _batches(ids, size):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def index_books(book_ids, batch_size=None):
    """Re-index these summaries from the database, in batches; drop rows of deleted ones."""
    engine = get_backend()
    batch_size = batch_size or INDEX_BATCH
    ids = sorted(set(book_ids))
    for batch in _batches(ids, batch_size):
        with transaction.atomic():
            documents = load_documents(batch)
            present = {document.book_id for document in documents}
            engine.write(documents, deleted_ids=[i for i in batch if i not in present])


def rebuild(batch_size=None, progress=None):
    """Re-index every summary in batches and drop rows of deleted ones. Safe to re-run."""
    engine = get_backend()
    batch_size = batch_size or INDEX_BATCH
    if engine.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_term")  # the vocabulary is rebuilt below
    ids = list(Book.objects.order_by("pk").values_list("pk", flat=True))
    done = 0
    for batch in _batches(ids, batch_size):
        index_books(batch, batch_size)
        done += len(batch)
        if progress:
            progress(done, len(ids))
    orphans = set(engine.entries()) - set(ids)
    if orphans:
        with transaction.atomic(), connection.cursor() as cursor:
            engine.delete(cursor, sorted(orphans))
    engine.optimize()
    return len(ids)


@dataclass
class Drift:
    """Differences between the content and the index."""

    missing: list = field(default_factory=list)
    stale: list = field(default_factory=list)
    orphaned: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.missing or self.stale or self.orphaned)


def missing_and_orphaned():
    """Cheap drift: summaries without index rows and index rows without a summary."""
    books = set(Book.objects.values_list("pk", flat=True))
    entries = set(get_backend().entries())
    return sorted(books - entries), sorted(entries - books)


def drift(batch_size=None):
    """Full drift: also compare every summary's current text with what was indexed."""
    engine = get_backend()
    batch_size = batch_size or INDEX_BATCH
    entries = engine.entries()
    report = Drift()
    ids = list(Book.objects.order_by("pk").values_list("pk", flat=True))
    for batch in _batches(ids, batch_size):
        for document in load_documents(batch):
            indexed = entries.get(document.book_id)
            if indexed is None:
                report.missing.append(document.book_id)
            elif indexed != document.content_hash():
                report.stale.append(document.book_id)
    report.orphaned = sorted(set(entries) - set(ids))
    return report


__all__ = [
    "drift",
    "get_backend",
    "index_books",
    "missing_and_orphaned",
    "rebuild",
    "search",
    "suggest",
]
