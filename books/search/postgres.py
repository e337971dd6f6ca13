"""The PostgreSQL engine: weighted tsvectors with GIN indexes, ts_rank and ts_headline.

Tables (created by migration 0006_search_index, with the ``unaccent`` and ``pg_trgm``
extensions and the ``library_english`` / ``library_simple`` configurations):

- ``search_book``: one row per summary: ``document`` (every field, weights A to D),
  ``head`` (title, authors and tags only: small enough to stay inline, so cheap to
  rank) and
  ``content`` (the overview that ts_headline cuts the summary's snippet from:
  chapters, the review and the related links have their own passages);
- ``search_passage``: one row per landing place, with its own vector;
- ``search_term``: the vocabulary, trigram-indexed for "did you mean";
- ``search_name``: titles, authors and tags for prefix suggestions;
- ``search_entry`` and ``search_key``: plain tables shared with SQLite.

User text only ever reaches ``phraseto_tsquery`` as a bound parameter, which reads
it as plain words: operators, quotes and colons in it mean nothing to PostgreSQL.
"""

from contextlib import contextmanager

from django.contrib.postgres.search import quote_lexeme
from django.db import connection, transaction
from psycopg.types.json import Jsonb

from .base import FACET_LIMIT, PASSAGES_PER_RESULT, PassageHit, Public, TagFacet
from .documents import MARK_END, MARK_START
from .store import SharedTables

CONFIG = "library_english"
WEIGHTS = "{0.05, 0.2, 0.5, 1.0}"  # D (related links), C (body), B (tags, headings), A
# Above this many matches, ranking reads only the small ``head`` vector: scoring the
# whole text of thousands of summaries is what makes very common words slow, and
# for such words the title, authors and tags are what tell summaries apart.
FULL_RANK_LIMIT = 1000
HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, " + (
    'MaxFragments=2, FragmentDelimiter=" … "'
)
PASSAGE_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=22, MinWords=8"
TITLE_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"


def _named(sql, count):
    """Turn the ``%s`` placeholders of ``sql`` into ``%(public0)s``, ``%(public1)s``…"""
    parts = sql.split("%s")
    if len(parts) != count + 1:
        raise ValueError("unexpected placeholders in the public-books query")
    return "".join(
        part + (f"%(public{index})s" if index < count else "") for index, part in enumerate(parts)
    )


def _vector(weight, config=CONFIG, column="%s"):
    return f"setweight(to_tsvector('{config}', {column}), '{weight}')"


# The GIN indexes of the search tables (migration 0006_search_index).
GIN_INDEXES = ("search_book_document", "search_passage_vector", "search_name_vector")

# The columns of ``BookDocument.fields()`` in the rows of ``insert``.
FIELDS_COLUMNS = ("title", "authors", "tags", "headings", "body", "related")


def _columns(rows, width):
    """Rows turned into ``width`` lists, one per column, for ``unnest``."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


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
            _vector(weight, column=column)
            for weight, column in zip("AABBCD", FIELDS_COLUMNS, strict=True)
        )
        head = " || ".join(
            _vector(weight, column=column)
            for weight, column in zip("AAB", FIELDS_COLUMNS[:3], strict=True)
        )
        cursor.execute(
            "INSERT INTO search_book (book_id, document, head, content, title, authors, tags, "
            f"slug, tag_names, tag_slugs) SELECT book_id, {document}, {head}, content, title, "
            "authors, tags, slug, ARRAY(SELECT jsonb_array_elements_text(tag_names)), "
            "ARRAY(SELECT jsonb_array_elements_text(tag_slugs)) FROM unnest("
            "%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::text[], %s::text[], %s::text[], %s::jsonb[], %s::jsonb[]) AS row (book_id, "
            f"{', '.join(FIELDS_COLUMNS)}, content, slug, tag_names, tag_slugs)",
            _columns(
                [
                    (
                        doc.book_id,
                        *doc.fields(),
                        doc.overview,
                        doc.slug,
                        Jsonb([name for name, _ in doc.tag_list]),
                        Jsonb([slug for _, slug in doc.tag_list]),
                    )
                    for doc in documents
                ],
                11,
            ),
        )
        cursor.execute(
            "INSERT INTO search_passage (book_id, seq, anchor, label, title, body, vector) "
            "SELECT book_id, seq, anchor, label, title, body, "
            f"{_vector('A', column='title')} || {_vector('C', column='body')} FROM unnest("
            "%s::bigint[], %s::integer[], %s::text[], %s::text[], %s::text[], %s::text[]) "
            "AS row (book_id, seq, anchor, label, title, body)",
            _columns(
                [
                    (doc.book_id, seq, p.anchor, p.label, p.title, p.body)
                    for doc in documents
                    for seq, p in enumerate(doc.passages, start=1)
                ],
                6,
            ),
        )
        cursor.execute(
            "INSERT INTO search_name (kind, name, book_id, vector) "
            "SELECT kind, name, book_id, to_tsvector('library_simple', name) "
            "FROM unnest(%s::text[], %s::text[], %s::bigint[]) AS row (kind, name, book_id)",
            _columns([row for doc in documents for row in self.name_rows(doc)], 3),
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
        """One transaction for a search, steering the planner to the GIN indexes.

        The planner prices ``@@`` as cheap, so for a common word it prefers reading
        rows (sequentially or by primary key) and testing each; but each row's vector
        is a large TOASTed value, and decompressing thousands of them is what costs.
        A GIN bitmap scan answers ``@@`` without reading any vector. The matches of
        a common word (with their small head vectors) fit in 32 MB of work memory.
        """
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
                "current_setting('work_mem'), set_config('enable_seqscan', 'off', true), "
                "set_config('enable_indexscan', 'off', true), set_config('work_mem', '32MB', true)"
            )
            seqscan, indexscan, work_mem, *_ = cursor.fetchone()
            try:
                yield
            finally:
                # SET LOCAL lasts until the outermost transaction ends: put it back
                # for whatever else that transaction does.
                cursor.execute(
                    "SELECT set_config('enable_seqscan', %s, true), "
                    "set_config('enable_indexscan', %s, true), set_config('work_mem', %s, true)",
                    [seqscan, indexscan, work_mem],
                )

    def compile(self, parsed):
        """Build the tsquery in PostgreSQL from bound parameters; None if no lexeme is left."""
        clause = f"phraseto_tsquery('{CONFIG}', %s)"
        positive = " && ".join(
            "(" + " || ".join([clause] * len(group)) + ")" for group in parsed.groups
        )
        books = positive
        for _ in parsed.excluded:
            books = f"({books}) && (!! {clause})"
        passages = " || ".join([clause] * len(parsed.clauses))
        texts = [item.text for item in parsed.clauses]
        excluded = [item.text for item in parsed.excluded]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT numnode({positive}), ({books})::text, ({passages})::text",
                texts + texts + excluded + texts,
            )
            nodes, books_query, passages_query = cursor.fetchone()
        if not nodes:
            return None
        return {"books": books_query, "passages": passages_query}

    def matched_sql(self, compiled, public):
        public, params = public.ids_sql
        return (
            "SELECT book_id FROM search_book WHERE document @@ %s::tsquery "
            f"AND book_id IN ({public})",
            [compiled["books"], *params],
        )

    def find(self, compiled, public, tags, key, offset, limit):
        """Count, rank and tag counts in one statement: the GIN index is read once.

        Tag counts come from the index rows (``tag_names``/``tag_slugs``), which the
        bitmap scan reads anyway, instead of a join through taggit for every match.
        """
        public_sql, public_params = public.ids_sql
        sql = f"""
            WITH matched AS MATERIALIZED (
                SELECT book_id, head, tag_names, tag_slugs FROM search_book
                WHERE document @@ %(query)s::tsquery AND book_id IN ({public_sql})
            ),
            total AS (SELECT count(*) AS n FROM matched),
            exact AS (SELECT book_id FROM search_key WHERE key = %(key)s),
            -- Few matches: score the whole text. Many: score the small head only.
            -- (Only one branch runs: each is guarded by a one-time condition.)
            page AS (
                (SELECT m.book_id, m.book_id IN (SELECT book_id FROM exact) AS exact,
                    ts_rank(%(weights)s, s.document, %(query)s::tsquery, 1) AS score
                FROM matched m JOIN search_book s ON s.book_id = m.book_id
                WHERE (SELECT n FROM total) <= %(limit)s
                ORDER BY exact DESC, score DESC, m.book_id DESC
                LIMIT %(page_size)s OFFSET %(offset)s)
                UNION ALL
                (SELECT m.book_id, m.book_id IN (SELECT book_id FROM exact) AS exact,
                    ts_rank(%(weights)s, m.head, %(query)s::tsquery, 1) AS score
                FROM matched m
                WHERE (SELECT n FROM total) > %(limit)s
                ORDER BY exact DESC, score DESC, m.book_id DESC
                LIMIT %(page_size)s OFFSET %(offset)s)
            ),
            facets AS (
                SELECT name, slug, count(*) AS n
                FROM (SELECT unnest(tag_names) AS name, unnest(tag_slugs) AS slug FROM matched) t
                GROUP BY name, slug ORDER BY n DESC, name LIMIT %(facets)s
            )
            SELECT (SELECT n FROM total),
                ARRAY(SELECT book_id FROM page ORDER BY exact DESC, score DESC, book_id DESC),
                (SELECT json_agg(json_build_array(name, slug, n)) FROM facets)
        """
        params = {
            "query": compiled["books"],
            "key": key,
            "limit": FULL_RANK_LIMIT,
            "weights": WEIGHTS,
            "page_size": limit,
            "offset": offset,
            "facets": FACET_LIMIT,
        }
        # The public-books subquery comes with positional parameters: name them.
        for index, value in enumerate(public_params):
            params[f"public{index}"] = value
        sql = sql.replace(public_sql, _named(public_sql, len(public_params)))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            total, ids, facets = cursor.fetchone()
        facets = [
            TagFacet(name, slug, count, selected=slug in tags) for name, slug, count in facets or []
        ]
        return total, ids, facets

    def bare(self, compiled):
        """The engine alone, for the benchmark: the GIN-backed match ranked, top 10."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT book_id FROM search_book WHERE document @@ %s::tsquery "
                "ORDER BY ts_rank(%s, document, %s::tsquery, 1) DESC LIMIT 10",
                [compiled["books"], WEIGHTS, compiled["books"]],
            )
            return [row[0] for row in cursor.fetchall()]

    def details(self, compiled, ids):
        """``{id: (title, authors, tags, slug, snippet)}``; headlines for this page only."""
        if not ids:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT book_id, title, authors, tags, slug, "
                f"ts_headline('{CONFIG}', content, %s::tsquery, %s) "
                "FROM search_book WHERE book_id = ANY(%s)",
                [compiled["books"], HEADLINE, list(ids)],
            )
            return {row[0]: row[1:] for row in cursor.fetchall()}

    def passages(self, compiled, ids):
        if not ids:
            return {}
        sql = (
            f"SELECT book_id, anchor, label, ts_headline('{CONFIG}', title, q, %s), "
            f"ts_headline('{CONFIG}', body, q, %s) FROM ("
            "  SELECT p.*, row_number() OVER ("
            "    PARTITION BY book_id ORDER BY ts_rank(vector, q) DESC, seq) AS n, q"
            "  FROM search_passage p, (SELECT %s::tsquery AS q) query"
            "  WHERE book_id = ANY(%s) AND vector @@ q"
            ") ranked WHERE n <= %s ORDER BY book_id, n"
        )
        found = {}
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    TITLE_HEADLINE,
                    PASSAGE_HEADLINE,
                    compiled["passages"],
                    list(ids),
                    PASSAGES_PER_RESULT,
                ],
            )
            for book_id, anchor, label, title, snippet in cursor.fetchall():
                found.setdefault(book_id, []).append(PassageHit(anchor, label, title, snippet))
        return found

    # --- vocabulary ----------------------------------------------------------------

    def known_word(self, word):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM search_term WHERE word = %s", [word])
            return cursor.fetchone() is not None

    def similar_words(self, word):
        """Indexed words sharing the most trigrams with ``word`` (pg_trgm)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, similarity(word, %s) FROM search_term WHERE word %% %s "
                "ORDER BY word <-> %s LIMIT 20",
                [word, word, word],
            )
            return cursor.fetchall()

    def names(self, words, prefix, limit):
        lexemes = [quote_lexeme(word) for word in words] + [quote_lexeme(prefix) + ":*"]
        public, params = Public().ids_sql
        sql = (
            "SELECT kind, name, book_id FROM search_name "
            "WHERE vector @@ to_tsquery('library_simple', %s) "
            f"AND book_id IN ({public}) ORDER BY length(name), name LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [" & ".join(lexemes), *params, limit])
            return cursor.fetchall()
