"""The SQLite engine: FTS5 tables over stems made in Python, per-field bm25.

Text is folded and stemmed in the summary's language by ``books.search.language``
(FTS5's porter tokenizer is English-only), so the FTS5 tables hold stems and split
them on spaces. Tables (migration 0011_search_languages):

- ``search_book``: one row per summary (rowid = book id), a column per field: what a
  query must match, and the body's bm25 (its length is nearly the row's);
- ``search_title``, ``search_tags``, ``search_headings``: the short fields again, each
  in its own table so that bm25 normalises each by its own length;
- ``search_passage``: one row per landing place (rowid = book id * 2**16 + ordinal, so
  a book's passages are one rowid range that FTS5 seeks to directly), with its text;
- ``search_word`` (+ ``search_word_vocab``): each summary's distinct unstemmed words,
  the vocabulary that "did you mean" draws from;
- ``search_name``: titles, author names and tags with a prefix index, for suggestions;
- ``search_facet``: each summary's tags, language, completeness and what a result shows;
- ``search_entry`` and ``search_key``: plain tables shared with PostgreSQL.
"""

import heapq
import json
import time
from collections import Counter
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from books.models import Book

from .base import PASSAGES_PER_RESULT, PassageHit, Public, count_facets
from .language import stemmed_text
from .store import SharedTables

PASSAGE_SPAN = 2**16
# Up to this many matches, each is checked to be public by a key lookup, and ranked on
# every field; above, the set of public ids is built once, and the body's score (the
# costly one for a word in most summaries) is left out.
PUBLIC_LOOKUP_LIMIT = 1000
TAG_SEPARATOR, NAME_SEPARATOR = "\x1f", "\x1e"
# How often (in SQLite virtual-machine steps) a search checks its time limit.
PROGRESS_STEPS = 20_000
FIELD_TABLES = ("search_title", "search_tags", "search_headings")
TABLES = ("search_book", *FIELD_TABLES, "search_passage", "search_word", "search_name")
# The body and the related links, each weighted, over the whole row.
BODY_BM25 = "bm25(search_book, 0, 0, 0, 0, 1.0, 0.25)"
# How much each field's bm25 counts, and the prior for a complete summary (bm25 scores
# of one word run from about 1 to 10).
FIELD_WEIGHTS = {"title": 3.0, "tags": 1.5, "headings": 1.5, "body": 1.0}
PRIOR = 2.0
# Matching in a field at all counts this much besides its bm25 (whose idf is nearly
# zero for a word most summaries of a small library hold).
PRESENT = 1.0


def pack_tags(tag_list):
    return TAG_SEPARATOR.join(f"{name}{NAME_SEPARATOR}{slug}" for name, slug in tag_list)


def unpack_tags(packed):
    return [tuple(item.split(NAME_SEPARATOR, 1)) for item in packed.split(TAG_SEPARATOR) if item]


def quoted(words):
    """An FTS5 string: the words inside double quotes, any quote doubled (never raw syntax)."""
    return '"' + " ".join(words).replace('"', '""') + '"'


def _any(alternatives):
    return "(" + " OR ".join(dict.fromkeys(quoted(a.stems) for a in alternatives)) + ")"


def _any_unordered(alternatives):
    # Each phrase as its words in any order and place: matches a superset of ``_any``'s
    # and needs no word positions, so FTS5 counts it from its doclists alone.
    terms = (" AND ".join(quoted([stem]) for stem in a.stems) for a in alternatives)
    return "(" + " OR ".join(f"({term})" for term in dict.fromkeys(terms)) + ")"


class SQLiteBackend(SharedTables):
    """Search through FTS5."""

    vendor = "sqlite"

    # --- writing -------------------------------------------------------------------

    def delete(self, cursor, book_ids):
        ids = [(book_id,) for book_id in book_ids]
        for table in ("search_book", *FIELD_TABLES, "search_word"):
            cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", ids)
        cursor.executemany(
            "DELETE FROM search_passage WHERE rowid BETWEEN %s AND %s",
            [(i * PASSAGE_SPAN, i * PASSAGE_SPAN + PASSAGE_SPAN - 1) for (i,) in ids],
        )
        # book_id is not indexed in search_name (FTS5): one scan for all the ids, not one each.
        cursor.execute(
            "DELETE FROM search_name WHERE book_id IN (SELECT value FROM json_each(%s))",
            [json.dumps(list(book_ids))],
        )
        cursor.executemany("DELETE FROM search_facet WHERE book_id = %s", ids)
        self.delete_shared(cursor, book_ids)

    def insert(self, cursor, documents):
        rows = []
        for doc in documents:
            stemmed = [stemmed_text(value, doc.language) for value in doc.fields()]
            rows.append((doc, stemmed))
        cursor.executemany(
            "INSERT INTO search_book (rowid, title, authors, tags, headings, body, related) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(doc.book_id, *stemmed) for doc, stemmed in rows],
        )
        cursor.executemany(
            "INSERT INTO search_title (rowid, title, authors) VALUES (%s, %s, %s)",
            [(doc.book_id, stemmed[0], stemmed[1]) for doc, stemmed in rows],
        )
        for index, table in ((2, "search_tags"), (3, "search_headings")):
            column = table.removeprefix("search_")
            cursor.executemany(
                f"INSERT INTO {table} (rowid, {column}) VALUES (%s, %s)",
                [(doc.book_id, stemmed[index]) for doc, stemmed in rows if stemmed[index]],
            )
        cursor.executemany(
            "INSERT INTO search_facet (book_id, tags, language, completeness, title, authors, "
            "slug) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    doc.book_id,
                    pack_tags(doc.tag_list),
                    doc.language,
                    doc.completeness,
                    doc.title,
                    doc.authors,
                    doc.slug,
                )
                for doc in documents
            ],
        )
        cursor.executemany(
            "INSERT INTO search_word (rowid, words) VALUES (%s, %s)",
            [(doc.book_id, " ".join(doc.words())) for doc in documents],
        )
        cursor.executemany(
            "INSERT INTO search_passage (rowid, title, body, anchor, label, kind, title_text, "
            "body_text) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    doc.book_id * PASSAGE_SPAN + ordinal,
                    stemmed_text(p.title, doc.language),
                    stemmed_text(p.body, doc.language),
                    p.anchor,
                    p.label,
                    p.kind,
                    p.title,
                    p.body,
                )
                for doc in documents
                for ordinal, p in enumerate(doc.passages[: PASSAGE_SPAN - 1], start=1)
            ],
        )
        cursor.executemany(
            "INSERT INTO search_name (kind, name, slug, book_id) VALUES (%s, %s, %s, %s)",
            [row for doc in documents for row in self.name_rows(doc)],
        )
        self.insert_shared(cursor, documents)

    def clear(self, cursor):
        for table in TABLES:
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM search_facet")
        self.clear_shared(cursor)

    def optimize(self):
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")

    # --- querying ------------------------------------------------------------------

    @contextmanager
    def reading(self):
        """No transaction (with BEGIN IMMEDIATE a read would take the write lock: each
        statement reads a consistent snapshot on its own), but a time limit: a progress
        handler stops any statement of this search past ``SEARCH_TIMEOUT_MS``."""
        connection.ensure_connection()
        raw = connection.connection
        deadline = time.monotonic() + settings.SEARCH_TIMEOUT_MS / 1000
        raw.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
        try:
            yield
        finally:
            raw.set_progress_handler(None, 0)

    @staticmethod
    def timed_out(error):
        return "interrupted" in str(error)

    def compile(self, analysed):
        """The MATCH expressions: the whole query (books), and any of its terms (fields)."""
        expression = " AND ".join(_any(group) for group in analysed.groups)
        for alternatives in analysed.excluded:
            expression = f"({expression}) NOT {_any(alternatives)}"
        # At least as many summaries as "books" match (no phrases, no exclusions), cheap to count.
        ceiling = " AND ".join(_any_unordered(group) for group in analysed.groups)
        return {"books": expression, "any": _any(analysed.alternatives), "ceiling": ceiling}

    def matched_sql(self, compiled, public):
        # FTS5 finds the matches, then each is looked up by key to check it is
        # public: the cost follows the matches, not the size of the library.
        public, params = public.exists_sql("search_book.rowid")
        return (
            f"SELECT rowid FROM search_book WHERE search_book MATCH %s AND {public}",
            [compiled["books"], *params],
        )

    def find(self, compiled, public, tags, key, own_language, offset, limit):
        """``(total, ids of the page, tag facets)``: every public match scored by field.

        A summary's score is the sum of its fields' bm25, each normalised by that field's
        own length and weighted (``FIELD_WEIGHTS``), plus a small prior for how complete
        it is. An exact title or author, then the query's own language, come first.
        """
        with connection.cursor() as cursor:
            # How to check the matches against the public summaries depends on how many
            # there are. FTS5 counts the ceiling's matches from its doclists alone (where
            # counting the query's own would check every phrase's word positions: the
            # most expensive part of a query of common phrases).
            cursor.execute(
                "SELECT count(*) FROM search_book WHERE search_book MATCH %s", [compiled["ceiling"]]
            )
            ceiling = cursor.fetchone()[0]
            if not ceiling:
                return 0, [], []
            rows, many = None, False
            if ceiling > PUBLIC_LOOKUP_LIMIT:
                rows = self._matches(cursor, compiled, public, key, own_language, few=False)
                many = len(rows) > PUBLIC_LOOKUP_LIMIT
            if not many and (rows is None or rows):
                # A few public matches: their bodies' scores too (the costly part for
                # a word most summaries hold).
                rows = self._matches(cursor, compiled, public, key, own_language, few=True)
            if not rows:
                return 0, [], []
            # The short fields, each scored in its own table (one statement for the three).
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT {number}, rowid, bm25({table}) FROM {table} WHERE {table} MATCH %s"
                    for number, table in enumerate(FIELD_TABLES)
                ),
                [compiled["any"]] * len(FIELD_TABLES),
            )
            fields = [{} for _ in FIELD_TABLES]
            for number, book_id, score in cursor.fetchall():
                fields[number][book_id] = score
        title, tag, heading = fields
        weights = FIELD_WEIGHTS
        scored = []
        for book_id, _, body_score, completeness, own, exact in rows:
            score = PRIOR * completeness
            if body_score:
                score += weights["body"] * (PRESENT - body_score)
            if book_id in title:
                score += weights["title"] * (PRESENT - title[book_id])
            if book_id in tag:
                score += weights["tags"] * (PRESENT - tag[book_id])
            if book_id in heading:
                score += weights["headings"] * (PRESENT - heading[book_id])
            scored.append((-exact, -own, -score, -book_id))
        # Only the page is needed in order: the best offset + limit, not all of thousands.
        best = heapq.nsmallest(offset + limit, scored)
        # Every match's tags counted at once: one join and one split, not one per row.
        packed = TAG_SEPARATOR.join(tags for _, tags, *_ in rows)
        counts = Counter(packed.split(TAG_SEPARATOR))
        counts.pop("", None)
        counts = Counter({tuple(item.split(NAME_SEPARATOR, 1)): n for item, n in counts.items()})
        facets = count_facets([], tags, len(rows), counts=counts)
        page = [-key[3] for key in best[offset:]]
        if many and public.hidden_ids_sql is not None:
            # Left out by what is hidden, a summary deleted a moment ago still matches until
            # the commit's listener removes its index rows: the page shows only summaries
            # that exist.
            existing = set(Book.objects.filter(pk__in=page).values_list("pk", flat=True))
            page = [book_id for book_id in page if book_id in existing]
        return len(rows), page, facets

    @staticmethod
    def _matches(cursor, compiled, public, key, own_language, *, few):
        """Every public match: ``(id, tags, body's bm25, completeness, own language, exact)``.

        ``few``: each match is looked up by key to check it is public, and its body
        scored. Otherwise the set of public ids is built once (from an index) and
        tested ("+" keeps SQLite from probing FTS5 once per public id), and the body's
        score is left out.
        """
        if few:
            public_sql, params = public.exists_sql("search_book.rowid")
            body = BODY_BM25
        elif public.hidden_ids_sql is not None:
            # The whole library: leave out the few summaries readers may not see, rather
            # than build the set of nearly every id (docs/search.md, "Very common words").
            hidden_sql, params = public.hidden_ids_sql
            public_sql = f"+search_book.rowid NOT IN ({hidden_sql})"
            body = "0"
        else:
            ids_sql, params = public.ids_sql
            public_sql = f"+search_book.rowid IN ({ids_sql})"
            body = "0"
        cursor.execute(
            f"SELECT search_book.rowid, f.tags, {body}, f.completeness, "
            "f.language = %s, +search_book.rowid IN "
            "(SELECT book_id FROM search_key WHERE key = %s) "
            "FROM search_book CROSS JOIN search_facet f ON f.book_id = search_book.rowid "
            f"WHERE search_book MATCH %s AND {public_sql}",
            [own_language, key, compiled["books"], *params],
        )
        return cursor.fetchall()

    def bare(self, compiled):
        """The engine alone, for the benchmark: MATCH … ORDER BY bm25 LIMIT 10."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_book WHERE search_book MATCH %s "
                "ORDER BY bm25(search_book) LIMIT 10",
                [compiled["books"]],
            )
            return [row[0] for row in cursor.fetchall()]

    def details(self, ids):
        """``{id: (title, authors, tags, slug, language)}`` for the summaries on the page."""
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT book_id, title, authors, tags, slug, language FROM search_facet "
                f"WHERE book_id IN ({marks})",
                list(ids),
            )
            return {
                row[0]: (row[1], row[2], unpack_tags(row[3]), row[4], row[5])
                for row in cursor.fetchall()
            }

    def passages(self, compiled, ids):
        """The best matching places of each summary, best first, and each one's overview
        (for a summary that matched in no passage): ``({id: [PassageHit]}, {id: PassageHit})``.
        """
        if not ids:
            return {}, {}
        one = (
            "SELECT * FROM (SELECT 1, rowid / %s, anchor, label, kind, title_text, body_text "
            "FROM search_passage WHERE search_passage MATCH %s AND rowid BETWEEN %s AND %s "
            # Hits counted with highlight() (one marker per matched token), title
            # hits thrice, the overview's at half. bm25 would do, but it counts the rows
            # holding each term across the whole table first, for every book: slow
            # for common words.
            "ORDER BY (3 * (length(highlight(search_passage, 0, '\ue000', '')) - length(title)) "
            "+ length(highlight(search_passage, 1, '\ue000', '')) - length(body)) "
            "* (CASE kind WHEN 'overview' THEN 1 ELSE 2 END) DESC, rowid "
            "LIMIT %s)"
        )
        overview = (
            "SELECT 0, rowid / %s, anchor, label, kind, title_text, body_text FROM search_passage "
            "WHERE rowid = %s"
        )
        params = []
        for book_id in ids:
            params += [
                PASSAGE_SPAN,
                compiled["any"],
                book_id * PASSAGE_SPAN,
                book_id * PASSAGE_SPAN + PASSAGE_SPAN - 1,
                PASSAGES_PER_RESULT,
            ]
        for book_id in ids:
            params += [PASSAGE_SPAN, book_id * PASSAGE_SPAN + 1]
        found, overviews = {}, {}
        sql = " UNION ALL ".join([one] * len(ids) + [overview] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for matched, book_id, anchor, label, kind, title, body in cursor.fetchall():
                passage = PassageHit(anchor, label, title, body, kind=kind)
                if matched:
                    found.setdefault(book_id, []).append(passage)
                else:
                    overviews[book_id] = passage
        return found, overviews

    # --- vocabulary ----------------------------------------------------------------

    def known_word(self, word):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM search_word_vocab WHERE term = %s", [word])
            return cursor.fetchone() is not None

    def similar_words(self, word, limit):
        """Indexed words that start with the same letter and have about the same length."""
        first = word[0]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term, doc FROM search_word_vocab WHERE term >= %s AND term < %s "
                "AND length(term) BETWEEN %s AND %s ORDER BY doc DESC LIMIT %s",
                [first, chr(ord(first) + 1), len(word) - 2, len(word) + 2, limit],
            )
            return cursor.fetchall()

    def names(self, words, prefix, limit):
        terms = [quoted([word]) for word in words] + [quoted([prefix]) + "*"]
        public, params = Public().exists_sql("search_name.book_id")
        sql = (
            "SELECT kind, name, slug, book_id FROM search_name WHERE search_name MATCH %s "
            f"AND {public} ORDER BY rank, slug LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [" AND ".join(terms), *params, limit])
            return cursor.fetchall()
