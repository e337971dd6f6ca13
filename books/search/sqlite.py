"""The SQLite engine: FTS5 tables (porter, unicode61, accents folded), bm25 and snippet().

Tables (created by migration 0006_search_index):

- ``search_book``: one row per summary (rowid = book id), a column per weighted field;
- ``search_passage``: one row per landing place (rowid = book id * 2**16 + ordinal, so
  a book's passages are one rowid range that FTS5 seeks to directly);
- ``search_word`` (+ ``search_word_vocab``, an fts5vocab table): each summary's distinct
  unstemmed words, the vocabulary that "did you mean" draws from;
- ``search_name``: titles, author names and tags with a prefix index, for suggestions;
- ``search_facet``: each summary's tags (name and slug), read to count tags over the matches;
- ``search_entry`` and ``search_key``: plain tables shared with PostgreSQL.
"""

import json
from collections import Counter
from contextlib import nullcontext

from django.db import connection

from .base import FACET_LIMIT, PASSAGES_PER_RESULT, PassageHit, Public, TagFacet
from .documents import MARK_END, MARK_START
from .store import SharedTables

PASSAGE_SPAN = 2**16
# Up to this many matches, each is checked to be public by a key lookup; above,
# the set of public ids is built once (cheaper than thousands of lookups).
PUBLIC_LOOKUP_LIMIT = 1000
TAG_SEPARATOR, NAME_SEPARATOR = "\x1f", "\x1e"
SNIPPET_TOKENS = 24
PASSAGE_SNIPPET_TOKENS = 16


def pack_tags(tag_list):
    return TAG_SEPARATOR.join(f"{name}{NAME_SEPARATOR}{slug}" for name, slug in tag_list)


def quoted(words):
    """An FTS5 string: the words inside double quotes, any quote doubled (never raw syntax)."""
    return '"' + " ".join(words).replace('"', '""') + '"'


class SQLiteBackend(SharedTables):
    """Search through FTS5."""

    vendor = "sqlite"

    # --- writing -------------------------------------------------------------------

    def delete(self, cursor, book_ids):
        ids = [(book_id,) for book_id in book_ids]
        cursor.executemany("DELETE FROM search_book WHERE rowid = %s", ids)
        cursor.executemany("DELETE FROM search_word WHERE rowid = %s", ids)
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
        cursor.executemany(
            "INSERT INTO search_book (rowid, title, authors, tags, headings, body, related, slug) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(doc.book_id, *doc.fields(), doc.slug) for doc in documents],
        )
        cursor.executemany(
            "INSERT INTO search_facet (book_id, tags) VALUES (%s, %s)",
            [(doc.book_id, pack_tags(doc.tag_list)) for doc in documents],
        )
        cursor.executemany(
            "INSERT INTO search_word (rowid, words) VALUES (%s, %s)",
            [(doc.book_id, " ".join(doc.words())) for doc in documents],
        )
        cursor.executemany(
            "INSERT INTO search_passage (rowid, title, body, anchor, label) "
            "VALUES (%s, %s, %s, %s, %s)",
            [
                (doc.book_id * PASSAGE_SPAN + ordinal, p.title, p.body, p.anchor, p.label)
                for doc in documents
                for ordinal, p in enumerate(doc.passages[: PASSAGE_SPAN - 1], start=1)
            ],
        )
        cursor.executemany(
            "INSERT INTO search_name (kind, name, book_id) VALUES (%s, %s, %s)",
            [row for doc in documents for row in self.name_rows(doc)],
        )
        self.insert_shared(cursor, documents)

    def clear(self, cursor):
        for table in ("search_book", "search_word", "search_passage", "search_name"):
            cursor.execute(f"DELETE FROM {table}")
        self.clear_shared(cursor)

    def optimize(self):
        with connection.cursor() as cursor:
            for table in ("search_book", "search_word", "search_passage", "search_name"):
                cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")

    # --- querying ------------------------------------------------------------------

    def reading(self):
        # No transaction: with BEGIN IMMEDIATE (see settings) a read would take the
        # write lock. Each statement reads a consistent snapshot on its own.
        return nullcontext()

    def compile(self, parsed):
        """The MATCH expression for the whole query (books) and for passages (any word)."""
        groups = [
            "(" + " OR ".join(quoted(clause.words) for clause in group) + ")"
            for group in parsed.groups
        ]
        expression = " AND ".join(groups)
        for clause in parsed.excluded:
            expression = f"({expression}) NOT {quoted(clause.words)}"
        any_word = " OR ".join(quoted(clause.words) for clause in parsed.clauses)
        return {"books": expression, "passages": any_word}

    def matched_sql(self, compiled, public):
        # FTS5 finds the matches, then each is looked up by key to check it is
        # public: the cost follows the matches, not the size of the library.
        public, params = public.exists_sql("search_book.rowid")
        return (
            f"SELECT rowid FROM search_book WHERE search_book MATCH %s AND {public}",
            [compiled["books"], *params],
        )

    def find(self, compiled, public, tags, key, offset, limit):
        """One pass over the matches gives the count, the tag counts and the ranking."""
        with connection.cursor() as cursor:
            # FTS5 counts matches without reading them: cheap, and the number
            # decides how to check them against the public summaries.
            cursor.execute(
                "SELECT count(*) FROM search_book WHERE search_book MATCH %s", [compiled["books"]]
            )
            candidates = cursor.fetchone()[0]
            if not candidates:
                return 0, [], []
            if candidates <= PUBLIC_LOOKUP_LIMIT:
                # A few matches: look each up by key.
                public_sql, params = public.exists_sql("search_book.rowid")
            else:
                # Many: build the set of public ids once (from an index) and test
                # membership; "+" keeps SQLite from probing FTS5 once per public id.
                ids_sql, params = public.ids_sql
                public_sql = f"+search_book.rowid IN ({ids_sql})"
            cursor.execute(
                "SELECT search_book.rowid, f.tags FROM search_book CROSS JOIN search_facet f "
                "ON f.book_id = search_book.rowid "
                f"WHERE search_book MATCH %s AND {public_sql} "
                "ORDER BY +search_book.rowid IN (SELECT book_id FROM search_key WHERE key = %s) "
                "DESC, search_book.rank",
                [compiled["books"], *params, key],
            )
            rows = cursor.fetchall()
        if not rows:
            return 0, [], []
        counts = Counter(TAG_SEPARATOR.join(packed for _, packed in rows).split(TAG_SEPARATOR))
        counts.pop("", None)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_LIMIT]
        facets = []
        for item, count in ranked:
            name, slug = item.split(NAME_SEPARATOR, 1)
            facets.append(TagFacet(name, slug, count, selected=slug in tags))
        facets.sort(key=lambda facet: (-facet.count, facet.name))
        return len(rows), [book_id for book_id, _ in rows[offset : offset + limit]], facets

    def bare(self, compiled):
        """The engine alone, for the benchmark: MATCH … ORDER BY rank LIMIT 10."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_book WHERE search_book MATCH %s ORDER BY rank LIMIT 10",
                [compiled["books"]],
            )
            return [row[0] for row in cursor.fetchall()]

    def details(self, compiled, ids):
        """``{id: (title, authors, tags, slug, snippet)}`` for the summaries on the page."""
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            "SELECT rowid, title, authors, tags, slug, "
            "snippet(search_book, -1, %s, %s, '…', %s) FROM search_book "
            f"WHERE search_book MATCH %s AND rowid IN ({marks})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [MARK_START, MARK_END, SNIPPET_TOKENS, compiled["books"], *ids])
            return {row[0]: row[1:] for row in cursor.fetchall()}

    def passages(self, compiled, ids):
        if not ids:
            return {}
        one = (
            "SELECT * FROM (SELECT rowid / %s, anchor, label, "
            "highlight(search_passage, 0, %s, %s), "
            "snippet(search_passage, 1, %s, %s, '…', %s) "
            "FROM search_passage WHERE search_passage MATCH %s AND rowid BETWEEN %s AND %s "
            # Hits counted with highlight() (one marker per matched token), title
            # hits thrice. bm25 would do, but it counts the rows holding each term
            # across the whole table first, for every book: slow for common words.
            "ORDER BY 3 * (length(highlight(search_passage, 0, '\ue000', '')) - length(title)) "
            "+ length(highlight(search_passage, 1, '\ue000', '')) - length(body) DESC, rowid "
            "LIMIT %s)"
        )
        params = []
        for book_id in ids:
            params += [
                PASSAGE_SPAN,
                MARK_START,
                MARK_END,
                MARK_START,
                MARK_END,
                PASSAGE_SNIPPET_TOKENS,
                compiled["passages"],
                book_id * PASSAGE_SPAN,
                book_id * PASSAGE_SPAN + PASSAGE_SPAN - 1,
                PASSAGES_PER_RESULT,
            ]
        found = {}
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join([one] * len(ids)), params)
            for book_id, anchor, label, title, snippet in cursor.fetchall():
                found.setdefault(book_id, []).append(PassageHit(anchor, label, title, snippet))
        return found

    # --- vocabulary ----------------------------------------------------------------

    def known_word(self, word):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM search_word_vocab WHERE term = %s", [word])
            return cursor.fetchone() is not None

    def similar_words(self, word):
        """Indexed words that start with the same letter and have about the same length."""
        first = word[0]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term, doc FROM search_word_vocab WHERE term >= %s AND term < %s "
                "AND length(term) BETWEEN %s AND %s",
                [first, chr(ord(first) + 1), len(word) - 2, len(word) + 2],
            )
            return cursor.fetchall()

    def names(self, words, prefix, limit):
        terms = [quoted([word]) for word in words] + [quoted([prefix]) + "*"]
        public, params = Public().exists_sql("search_name.book_id")
        sql = (
            "SELECT kind, name, book_id FROM search_name WHERE search_name MATCH %s "
            f"AND {public} ORDER BY rank LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [" AND ".join(terms), *params, limit])
            return cursor.fetchall()
