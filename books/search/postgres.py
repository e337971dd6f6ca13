"""The PostgreSQL engine: weighted tsvectors with GIN indexes, a configuration per language.

Tables (migration 0011_search_languages, with the ``unaccent`` and ``pg_trgm``
extensions and the ``library_english``, ``library_russian`` and ``library_simple``
configurations):

- ``search_book``: one row per summary: ``document`` (every field, weights A to D,
  GIN-indexed: what a query must match), and the short fields again in their own small
  vectors (``title_v``, ``tags_v``, ``headings_v``) so that each is ranked and
  normalised by its own length; what a result shows (title, authors, tags, slug);
- ``search_passage``: one row per landing place, with its vector and its text;
- ``search_term``: the vocabulary, trigram-indexed for "did you mean";
- ``search_name``: titles, authors and tags for prefix suggestions;
- ``search_entry`` and ``search_key``: plain tables shared with SQLite.

Each summary is analysed with its language's configuration, and each query with the
configuration of every language the library has (``books.search.language``). User text
only ever reaches ``phraseto_tsquery`` as a bound parameter, already folded into plain
words: operators, quotes and colons in it mean nothing to PostgreSQL.
"""

from collections import Counter
from contextlib import contextmanager

import psycopg
from django.conf import settings
from django.contrib.postgres.search import quote_lexeme
from django.db import connection, transaction
from psycopg.types.json import Jsonb

from .base import PASSAGES_PER_RESULT, PassageHit, Public, count_facets
from .language import pg_config, words_of
from .store import SharedTables

# Weights of the whole document for the body's score: D (related links), C (body), B, A.
BODY_WEIGHTS = "{0.25, 1.0, 0, 0}"
# The short fields' vectors carry no weight class: each counts the same, then is weighted.
FIELD_WEIGHTS = "{1, 1, 1, 1}"
# Above this many matches, ranking reads only the short fields' vectors: scoring the
# whole text of thousands of summaries is what makes very common words slow, and
# for such words the title, authors, tags and headings are what tell summaries apart.
FULL_RANK_LIMIT = 1000
# The score of the short fields, as on SQLite: each field counts for matching at all,
# plus its ts_rank normalised by its own length, weighted; and a prior for how complete
# the summary is. The body's part (added when there are few matches) is ``BODY_SCORE``.
# (A summary's tags are a set, not a text: how many it has does not dilute each one.)
SCORE = (
    " + ".join(
        f"{weight} * (({column} @@ %(any)s::tsquery)::int "
        f"+ 2 * ts_rank(%(field_weights)s, {column}, %(any)s::tsquery, {normalization}))"
        for weight, column, normalization in (
            (3.0, "title_v", 1),
            (1.5, "tags_v", 0),
            (1.5, "headings_v", 1),
        )
    )
    + " + 2.0 * completeness"
)
BODY_RANK = "ts_rank(%(body_weights)s, s.document, %(any)s::tsquery, 1)"
BODY_SCORE = f"(({BODY_RANK}) > 0)::int + 4 * {BODY_RANK}"


def _named(sql, count):
    """Turn the ``%s`` placeholders of ``sql`` into ``%(public0)s``, ``%(public1)s``…"""
    parts = sql.split("%s")
    if len(parts) != count + 1:
        raise ValueError("unexpected placeholders in the public-books query")
    return "".join(
        part + (f"%(public{index})s" if index < count else "") for index, part in enumerate(parts)
    )


def _vector(column, weight=None):
    vector = f"to_tsvector(config::regconfig, {column})"
    return f"setweight({vector}, '{weight}')" if weight else vector


# The GIN indexes of the search tables (migration 0011_search_languages).
GIN_INDEXES = ("search_book_document", "search_passage_vector", "search_name_vector")

# The columns of ``BookDocument.fields()`` in the rows of ``insert``.
FIELDS_COLUMNS = ("title", "authors", "tags", "headings", "body", "related")


def _columns(rows, width):
    """Rows turned into ``width`` lists, one per column, for ``unnest``."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


def _folded(text):
    """Text as the index reads it: folded words (case, accents, ё), one space apart."""
    return " ".join(words_of(text))


class PostgresBackend(SharedTables):
    """Search through PostgreSQL full-text search."""

    vendor = "postgresql"

    # --- writing -------------------------------------------------------------------

    def delete(self, cursor, book_ids):
        ids = list(book_ids)
        for table in ("search_book", "search_passage", "search_name"):
            cursor.execute(f"DELETE FROM {table} WHERE book_id = ANY(%s)", [ids])
        self.delete_shared(cursor, ids)

    def insert(self, cursor, documents):
        # One statement per table, its rows sent as arrays (unnest): PostgreSQL parses
        # and plans it once, instead of once per row of an executemany.
        document = " || ".join(
            _vector(f"f_{column}", weight)
            for weight, column in zip("AABBCD", FIELDS_COLUMNS, strict=True)
        )
        cursor.execute(
            "INSERT INTO search_book (book_id, document, title_v, tags_v, headings_v, "
            "language, completeness, title, authors, tags, slug, tag_names, tag_slugs) "
            f"SELECT book_id, {document}, {_vector('f_title')} || {_vector('f_authors')}, "
            f"{_vector('f_tags')}, {_vector('f_headings')}, language, completeness, title, "
            "authors, tags, slug, ARRAY(SELECT jsonb_array_elements_text(tag_names)), "
            "ARRAY(SELECT jsonb_array_elements_text(tag_slugs)) FROM unnest("
            "%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::text[], %s::text[], %s::text[], %s::real[], %s::text[], %s::text[], "
            "%s::text[], %s::text[], %s::jsonb[], %s::jsonb[]) AS row (book_id, "
            f"{', '.join(f'f_{column}' for column in FIELDS_COLUMNS)}, config, language, "
            "completeness, title, authors, tags, slug, tag_names, tag_slugs)",
            _columns(
                [
                    (
                        doc.book_id,
                        *(_folded(value) for value in doc.fields()),
                        pg_config(doc.language),
                        doc.language,
                        doc.completeness,
                        doc.title,
                        doc.authors,
                        doc.tags,
                        doc.slug,
                        Jsonb([name for name, _ in doc.tag_list]),
                        Jsonb([slug for _, slug in doc.tag_list]),
                    )
                    for doc in documents
                ],
                16,
            ),
        )
        cursor.execute(
            "INSERT INTO search_passage (book_id, seq, anchor, label, kind, title, body, vector) "
            "SELECT book_id, seq, anchor, label, kind, title, body, "
            f"{_vector('f_title', 'A')} || {_vector('f_body', 'C')} FROM unnest("
            "%s::bigint[], %s::integer[], %s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::text[], %s::text[], %s::text[], %s::text[]) "
            "AS row (book_id, seq, anchor, label, kind, title, body, f_title, f_body, config)",
            _columns(
                [
                    (
                        doc.book_id,
                        seq,
                        p.anchor,
                        p.label,
                        p.kind,
                        p.title,
                        p.body,
                        _folded(p.title),
                        _folded(p.body),
                        pg_config(doc.language),
                    )
                    for doc in documents
                    for seq, p in enumerate(doc.passages, start=1)
                ],
                10,
            ),
        )
        cursor.execute(
            "INSERT INTO search_name (kind, name, slug, book_id, vector) "
            "SELECT kind, name, slug, book_id, to_tsvector('library_simple', name) "
            "FROM unnest(%s::text[], %s::text[], %s::text[], %s::bigint[]) "
            "AS row (kind, name, slug, book_id)",
            _columns([row for doc in documents for row in self.name_rows(doc)], 4),
        )
        words = sorted({word for doc in documents for word in doc.words() if len(word) < 60})
        cursor.execute(
            "INSERT INTO search_term (word) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING",
            [words],
        )
        self.insert_shared(cursor, documents)

    def clear(self, cursor):
        cursor.execute(
            "TRUNCATE search_book, search_passage, search_name, search_term, "
            "search_entry, search_key"
        )

    def optimize(self):
        """After a bulk write: planner statistics, and the GIN indexes' pending rows merged.

        A GIN index takes new rows into a pending list that every search reads
        through in full until VACUUM (autovacuum) merges it; after a rebuild or a
        large import, merge it at once instead of making searches wait for that.
        """
        with connection.cursor() as cursor:
            for index in GIN_INDEXES:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            for table in ("search_book", "search_passage", "search_name", "search_term"):
                cursor.execute(f"ANALYZE {table}")

    # --- querying ------------------------------------------------------------------

    @contextmanager
    def reading(self):
        """One transaction for a search, steering the planner to the GIN indexes, with a
        time limit (``statement_timeout``) on each of its statements.

        The planner prices ``@@`` as cheap, so for a common word it prefers reading
        rows (sequentially or by primary key) and testing each; but each row's vector
        is a large TOASTed value, and decompressing thousands of them is what costs.
        A GIN bitmap scan answers ``@@`` without reading any vector. The matches of
        a common word (with their small field vectors) fit in 32 MB of work memory.
        """
        timeout = f"{int(settings.SEARCH_TIMEOUT_MS)}ms"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
                "current_setting('work_mem'), current_setting('statement_timeout'), "
                "set_config('enable_seqscan', 'off', true), "
                "set_config('enable_indexscan', 'off', true), "
                "set_config('work_mem', '32MB', true), "
                "set_config('statement_timeout', %s, true)",
                [timeout],
            )
            seqscan, indexscan, work_mem, statement_timeout, *_ = cursor.fetchone()
            yield
            # SET LOCAL lasts until the outermost transaction ends: put it back
            # for whatever else that transaction does. (After an error the transaction
            # is rolled back, and the settings with it.)
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), "
                "set_config('enable_indexscan', %s, true), set_config('work_mem', %s, true), "
                "set_config('statement_timeout', %s, true)",
                [seqscan, indexscan, work_mem, statement_timeout],
            )

    @staticmethod
    def timed_out(error):
        return isinstance(error.__cause__, psycopg.errors.QueryCanceled)

    def compile(self, analysed):
        """Build the tsqueries in PostgreSQL from bound parameters; None if no lexeme is left."""
        params = []

        def alternatives(group):
            parts = []
            for alternative in group:
                parts.append("phraseto_tsquery(%s::regconfig, %s)")
                params.extend([pg_config(alternative.language), " ".join(alternative.words)])
            return "(" + " || ".join(parts) + ")"

        positive = " && ".join(alternatives(group) for group in analysed.groups)
        books = positive
        for group in analysed.excluded:
            books = f"({books}) && (!! {alternatives(group)})"
        any_terms = alternatives(analysed.alternatives)
        positive_params = params[: 2 * sum(len(group) for group in analysed.groups)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT numnode({positive}), ({books})::text, ({any_terms})::text",
                positive_params + params,
            )
            nodes, books_query, any_query = cursor.fetchone()
        if not nodes:
            return None
        return {"books": books_query, "any": any_query}

    def matched_sql(self, compiled, public):
        public, params = public.ids_sql
        return (
            "SELECT book_id FROM search_book WHERE document @@ %s::tsquery "
            f"AND book_id IN ({public})",
            [compiled["books"], *params],
        )

    def find(self, compiled, public, tags, key, own_language, offset, limit):
        """Count, rank and tag counts in one statement: the GIN index is read once.

        A summary's score is the sum of its fields' ``ts_rank``, each normalised by that
        field's own length and weighted, plus a small prior for how complete it is; an
        exact title or author, then the query's own language, come first. Tag counts
        come from the index rows (``tag_names``/``tag_slugs``), which the bitmap scan
        reads anyway, instead of a join through taggit for every match.
        """
        public_sql, public_params = public.ids_sql
        sql = f"""
            WITH matched AS MATERIALIZED (
                -- The short fields are scored as they are read: the CTE keeps the
                -- score, not the fields' vectors (copying those is what costs).
                SELECT book_id, language, tag_names, tag_slugs, {SCORE} AS score
                FROM search_book
                WHERE document @@ %(query)s::tsquery AND book_id IN ({public_sql})
            ),
            total AS (SELECT count(*) AS n FROM matched),
            exact AS (SELECT book_id FROM search_key WHERE key = %(key)s),
            -- Few matches: score the body too. Many: the short fields only.
            -- (Only one branch runs: each is guarded by a one-time condition.)
            page AS (
                (SELECT m.book_id, m.book_id IN (SELECT book_id FROM exact) AS exact,
                    m.language = %(own)s AS own, m.score + {BODY_SCORE} AS score
                FROM matched m JOIN search_book s ON s.book_id = m.book_id
                WHERE (SELECT n FROM total) <= %(limit)s
                ORDER BY exact DESC, own DESC, score DESC, m.book_id DESC
                LIMIT %(page_size)s OFFSET %(offset)s)
                UNION ALL
                (SELECT m.book_id, m.book_id IN (SELECT book_id FROM exact) AS exact,
                    m.language = %(own)s AS own, m.score
                FROM matched m
                WHERE (SELECT n FROM total) > %(limit)s
                ORDER BY exact DESC, own DESC, score DESC, m.book_id DESC
                LIMIT %(page_size)s OFFSET %(offset)s)
            ),
            facets AS (
                SELECT name, slug, count(*) AS n
                FROM (SELECT unnest(tag_names) AS name, unnest(tag_slugs) AS slug FROM matched) t
                GROUP BY name, slug
            )
            SELECT (SELECT n FROM total),
                ARRAY(SELECT book_id FROM page ORDER BY exact DESC, own DESC, score DESC,
                    book_id DESC),
                (SELECT json_agg(json_build_array(name, slug, n)) FROM facets)
        """
        params = {
            "query": compiled["books"],
            "any": compiled["any"],
            "key": key,
            "own": own_language,
            "limit": FULL_RANK_LIMIT,
            "body_weights": BODY_WEIGHTS,
            "field_weights": FIELD_WEIGHTS,
            "page_size": limit,
            "offset": offset,
        }
        # The public-books subquery comes with positional parameters: name them.
        for index, value in enumerate(public_params):
            params[f"public{index}"] = value
        sql = sql.replace(public_sql, _named(public_sql, len(public_params)))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            total, ids, facets = cursor.fetchone()
        counts = Counter({(name, slug): count for name, slug, count in facets or []})
        return total, ids, count_facets([], tags, total, counts=counts)

    def bare(self, compiled):
        """The engine alone, for the benchmark: the GIN-backed match ranked, top 10."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT book_id FROM search_book WHERE document @@ %s::tsquery "
                "ORDER BY ts_rank(document, %s::tsquery, 1) DESC LIMIT 10",
                [compiled["books"], compiled["books"]],
            )
            return [row[0] for row in cursor.fetchall()]

    def details(self, ids):
        """``{id: (title, authors, [(tag, slug)], slug, language)}`` for the page's summaries."""
        if not ids:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT book_id, title, authors, tag_names, tag_slugs, slug, language "
                "FROM search_book WHERE book_id = ANY(%s)",
                [list(ids)],
            )
            return {
                row[0]: (row[1], row[2], list(zip(row[3], row[4], strict=True)), row[5], row[6])
                for row in cursor.fetchall()
            }

    def passages(self, compiled, ids):
        """The best matching places of each summary, best first, and each one's overview
        (for a summary that matched in no passage): ``({id: [PassageHit]}, {id: PassageHit})``.
        """
        if not ids:
            return {}, {}
        sql = (
            "SELECT matched, book_id, anchor, label, kind, title, body FROM ("
            "  SELECT p.*, vector @@ q AS matched, row_number() OVER (PARTITION BY book_id"
            "    ORDER BY vector @@ q DESC, ts_rank(vector, q)"
            "    * (CASE kind WHEN 'overview' THEN 1 ELSE 2 END) DESC, seq) AS n"
            "  FROM search_passage p, (SELECT %s::tsquery AS q) query"
            "  WHERE book_id = ANY(%s) AND (vector @@ q OR seq = 1)"
            ") ranked WHERE n <= %s OR seq = 1 ORDER BY book_id, n"
        )
        found, overviews = {}, {}
        with connection.cursor() as cursor:
            cursor.execute(sql, [compiled["any"], list(ids), PASSAGES_PER_RESULT])
            for matched, book_id, anchor, label, kind, title, body in cursor.fetchall():
                passage = PassageHit(anchor, label, title, body, kind=kind)
                if matched and len(found.get(book_id, ())) < PASSAGES_PER_RESULT:
                    found.setdefault(book_id, []).append(passage)
                if kind == "overview":
                    overviews[book_id] = passage
        return found, overviews

    # --- vocabulary ----------------------------------------------------------------

    def known_word(self, word):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM search_term WHERE word = %s", [word])
            return cursor.fetchone() is not None

    def similar_words(self, word, limit):
        """Indexed words sharing the most trigrams with ``word`` (pg_trgm)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, similarity(word, %s) FROM search_term WHERE word %% %s "
                "ORDER BY word <-> %s LIMIT %s",
                [word, word, word, min(limit, 20)],
            )
            return cursor.fetchall()

    def names(self, words, prefix, limit):
        lexemes = [quote_lexeme(word) for word in words] + [quote_lexeme(prefix) + ":*"]
        public, params = Public().ids_sql
        sql = (
            "SELECT kind, name, slug, book_id FROM search_name "
            "WHERE vector @@ to_tsquery('library_simple', %s) "
            f"AND book_id IN ({public}) ORDER BY length(name), name, slug LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [" & ".join(lexemes), *params, limit])
            return cursor.fetchall()
