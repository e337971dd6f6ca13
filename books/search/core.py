"""Search across summaries: one interface over two engines (SQLite FTS5, PostgreSQL).

``search(query, tags=…, page=…)`` parses the reader's text once, adds its synonyms and
analyses it in the library's languages, asks the engine of the database in use for the
ranked public summaries, and returns them with a snippet from each one's best place.
``suggest(prefix)`` answers the search box as the reader types. ``index_books(ids)``
keeps the index exact; it runs after every commit that changes a summary (see
``books/changes.py``).
"""

import math
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext, gettext_lazy
from taggit.models import Tag

from books.models import Book

from .analysis import analyse, clause_keys
from .base import Hit, Public, SearchResults, TagLink, closest_word, highlight
from .documents import load_documents
from .language import STOP_WORDS, WORD_RE, fold, words_of
from .query import ONLY_COMMON, TOO_SLOW, clean_text, parse
from .snippets import make_snippet, mark_words

PER_PAGE = 10
MAX_TAGS = 5
MAX_PAGE = 1000
INDEX_BATCH = 50
SUGGESTIONS = 8
# "Did you mean" looks at this many unknown words, each against this many candidates.
CORRECTED_WORDS = 3
CORRECTION_CANDIDATES = 300
UNKNOWN_TAGS = gettext_lazy(
    "Some tags in the address are not tags of this library; they were left out."
)


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


def search(raw_query, *, tags=(), page=1, per_page=PER_PAGE, language=None):
    """Search public summaries (those in ``language`` only, when given); never raises on any
    text (see ``SearchResults.message``).

    A search that runs past ``SEARCH_TIMEOUT_MS`` is stopped and answers with a message.
    """
    engine = get_backend()
    parsed = parse(raw_query)
    # The library's languages and the query's synonym sets are read first: two index
    # seeks, which PostgreSQL's planner, steered to the GIN indexes, would do as scans.
    analysed = None if parsed.problem else _analysed(engine, parsed)
    try:
        with engine.reading():
            return _search(parsed, analysed, tags, page, per_page, language)
    except OperationalError as error:
        if not engine.timed_out(error):
            raise
        results = SearchResults(query=parsed, per_page=per_page)
        results.message = TOO_SLOW
        return results


def _known_tags(tags):
    """The tag slugs of ``tags`` that exist (at most ``MAX_TAGS``), and whether any did not."""
    wanted = tuple(dict.fromkeys(filter(None, (clean_text(tag).strip()[:100] for tag in tags))))
    if not wanted:
        return (), False
    known = set(Tag.objects.filter(slug__in=wanted[:MAX_TAGS]).values_list("slug", flat=True))
    kept = tuple(tag for tag in wanted[:MAX_TAGS] if tag in known)
    return kept, len(kept) < len(wanted)


def _search(parsed, analysed, tags, page, per_page, language=None):
    tags, unknown = _known_tags(tags)
    results = SearchResults(query=parsed, tags=tags, per_page=per_page)
    if unknown:
        results.notice = UNKNOWN_TAGS
    if parsed.problem:
        results.message = parsed.problem
        return results
    engine = get_backend()
    compiled = engine.compile(analysed)
    if compiled is None:
        results.message = ONLY_COMMON
        return results
    public = Public(tags, language)
    page = min(max(1, page), MAX_PAGE)
    find = engine.find
    key = engine.key_of(parsed)
    own = analysed.own_language
    total, ids, facets = find(compiled, public, tags, key, own, (page - 1) * per_page, per_page)
    if not total:
        corrected = _correction(engine, parsed, public)
        if corrected is None:
            return results
        parsed, analysed, compiled = corrected
        results.suggestion, results.original_total = str(parsed), 0
        key, own = engine.key_of(parsed), analysed.own_language
        total, ids, facets = find(compiled, public, tags, key, own, (page - 1) * per_page, per_page)

    results.total = total
    results.num_pages = math.ceil(total / per_page)
    results.page = page
    results.facets = facets
    if total and page > results.num_pages:
        results.past_end = True  # the view answers as the list pages do: 404
        return results
    results.hits = _hits(engine, analysed, compiled, ids)
    return results


def compiled_query(raw_query):
    """The engine's own form of a query (for the benchmark's bare engine timing), or None."""
    engine = get_backend()
    parsed = parse(raw_query)
    return None if parsed.problem else engine.compile(_analysed(engine, parsed))


def _analysed(engine, parsed):
    languages, synonyms = engine.context(clause_keys(parsed))
    return analyse(parsed, languages, synonyms)


def _with_slug(pattern, slug):
    return pattern.replace("__slug__", quote(slug, safe=""))


@cache
def _url_pattern(name, language):
    """``reverse(name)`` with a stand-in slug, once per URL name and interface language
    (``language`` is the active one: the readers' URLs carry it as a prefix, /ru/…), not
    once for each of the summaries and tags a results page links."""
    return reverse(name, kwargs={"slug": "__slug__"})


def _hits(engine, analysed, compiled, ids):
    # Titles, authors and tags come from the index rows, which follow every commit:
    # loading the books through the ORM would cost more than the search itself.
    details = engine.details(ids)
    passages, overviews = engine.passages(compiled, ids)
    alternatives = analysed.alternatives
    interface = get_language()
    summary_pattern = _url_pattern("books:detail", interface)
    tag_pattern = _url_pattern("books:tag", interface)
    hits = []
    for book_id in ids:
        if book_id not in details:  # deleted since the ranking query
            continue
        title, authors, tag_list, slug, language = details[book_id]
        url = _with_slug(summary_pattern, slug)
        found = passages.get(book_id) or ([overviews[book_id]] if book_id in overviews else [])
        hit = Hit(
            book_id=book_id,
            title=title,
            authors=authors,
            snippet="",
            slug=slug,
            url=url,
            tags=[
                TagLink(name, tag_slug, _with_slug(tag_pattern, tag_slug))
                for name, tag_slug in tag_list
            ],
        )
        for number, passage in enumerate(found):
            passage.url = f"{url}#{passage.anchor}" if passage.anchor else url
            if number == 0:
                text, _ = make_snippet(passage.text, alternatives, language)
                passage.snippet = highlight(text)
                passage.marked_title = highlight(mark_words(passage.title, alternatives, language))
                hit.snippet, hit.where, hit.snippet_url = (
                    passage.snippet,
                    passage.where,
                    passage.url,
                )
            hit.passages.append(passage)
        hits.append(hit)
    return hits


def _correction(engine, parsed, public):
    """The query with unknown words replaced by the closest indexed ones, if that matches.

    Bounded: at most ``CORRECTED_WORDS`` words, each against the
    ``CORRECTION_CANDIDATES`` most frequent indexed words that could be it.
    """
    replacements = {}
    candidates = [
        word
        for word in dict.fromkeys(parsed.words)
        if word not in STOP_WORDS and not word.isdigit() and 3 <= len(word) <= 40
    ]
    for word in candidates[:CORRECTED_WORDS]:
        if engine.known_word(word):
            continue
        candidate = closest_word(word, engine.similar_words(word, CORRECTION_CANDIDATES))
        if candidate:
            replacements[word] = candidate
    if not replacements:
        return None
    text = WORD_RE.sub(lambda match: replacements.get(fold(match[0]), match[0]), str(parsed))
    corrected = parse(text)
    if corrected.problem:
        return None
    analysed = _analysed(engine, corrected)
    compiled = engine.compile(analysed)
    total = engine.count(compiled, public) if compiled else 0
    return (corrected, analysed, compiled) if total else None


# --- Suggestions as you type ---------------------------------------------------------------


@dataclass
class Suggestion:
    """A summary, author or tag whose name has a word starting with what the reader typed,
    or the last row: search for what was typed."""

    kind: str
    label: str
    url: str

    def as_json(self):
        return {"kind": self.kind, "label": self.label, "url": self.url}


SUGGESTION_PAGES = {"title": "books:detail", "author": "books:author", "tag": "books:tag"}


def suggest(raw_prefix, limit=SUGGESTIONS):
    """Summaries, authors and tags of public summaries matching what was typed so far,
    each leading to its own page, then a row that searches for the text."""
    text = clean_text(raw_prefix).strip()[:100]
    words = words_of(text)[-5:]
    if not words or len(words[-1]) > 60 or (len(words) == 1 and len(words[0]) < 2):
        return []
    *full, prefix = words
    rows = get_backend().names(full, prefix, limit * 6)
    seen, suggestions = set(), []
    order = {"title": 0, "author": 1, "tag": 2}
    for kind, name, slug, _ in sorted(rows, key=lambda row: order[row[0]]):
        if (kind, slug) in seen or not slug:
            continue
        seen.add((kind, slug))
        url = reverse(SUGGESTION_PAGES[kind], kwargs={"slug": slug})
        suggestions.append(Suggestion(kind, name, url))
    suggestions = suggestions[: limit - 1]
    search_url = f"{reverse('search:results')}?{urlencode({'q': text})}"
    suggestions.append(Suggestion("search", gettext("Search for “%s”") % text, search_url))
    return suggestions


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
