"""The search index: FTS5 tables on SQLite, tsvector tables with GIN indexes on PostgreSQL.

The tables are not Django models: each engine gets its own, created here by
checking the database vendor. The index is filled after ``migrate`` when the
library already has summaries (``books.search.receivers``), and kept exact by
``books.signals``.
"""

from django.db import migrations

TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"
WORDS = "tokenize = 'unicode61 remove_diacritics 2'"

SHARED = [
    "CREATE TABLE search_entry (book_id bigint PRIMARY KEY, content_hash varchar(64) NOT NULL)",
    "CREATE TABLE search_key (key varchar(700) NOT NULL, book_id bigint NOT NULL)",
    "CREATE INDEX search_key_key ON search_key (key)",
    "CREATE INDEX search_key_book ON search_key (book_id)",
]

SQLITE = [
    "CREATE VIRTUAL TABLE search_book USING fts5("
    f"title, authors, tags, headings, body, related, slug UNINDEXED, {TOKENIZE})",
    # Column weights: title and authors, then tags and headings, then the text;
    # related links' titles and notes count least.
    "INSERT INTO search_book (search_book, rank) "
    "VALUES ('rank', 'bm25(10.0, 10.0, 5.0, 4.0, 1.0, 0.3)')",
    "CREATE VIRTUAL TABLE search_passage USING fts5("
    f"title, body, anchor UNINDEXED, label UNINDEXED, {TOKENIZE})",
    "INSERT INTO search_passage (search_passage, rank) VALUES ('rank', 'bm25(3.0, 1.0)')",
    f"CREATE VIRTUAL TABLE search_word USING fts5(words, {WORDS}, detail = none)",
    "CREATE VIRTUAL TABLE search_word_vocab USING fts5vocab(search_word, 'row')",
    "CREATE VIRTUAL TABLE search_name USING fts5("
    f"kind UNINDEXED, name, book_id UNINDEXED, {WORDS}, prefix = '2 3')",
    "CREATE TABLE search_facet (book_id integer PRIMARY KEY, tags text NOT NULL)",
    *SHARED,
]

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # English stemming with accents folded first; and a plain one for names.
    "CREATE TEXT SEARCH CONFIGURATION library_english (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION library_english "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
    "CREATE TEXT SEARCH CONFIGURATION library_simple (COPY = pg_catalog.simple)",
    "ALTER TEXT SEARCH CONFIGURATION library_simple "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
    "CREATE TABLE search_book (book_id bigint PRIMARY KEY, document tsvector NOT NULL, "
    "head tsvector NOT NULL, content text NOT NULL, title text NOT NULL, "
    "authors text NOT NULL, tags text NOT NULL, slug varchar(320) NOT NULL, "
    "tag_names text[] NOT NULL, tag_slugs text[] NOT NULL)",
    "CREATE INDEX search_book_document ON search_book USING gin (document)",
    "CREATE TABLE search_passage (book_id bigint NOT NULL, seq integer NOT NULL, "
    "anchor varchar(100) NOT NULL, label text NOT NULL, title text NOT NULL, "
    "body text NOT NULL, vector tsvector NOT NULL, PRIMARY KEY (book_id, seq))",
    "CREATE INDEX search_passage_vector ON search_passage USING gin (vector)",
    "CREATE TABLE search_name (kind varchar(10) NOT NULL, name text NOT NULL, "
    "book_id bigint NOT NULL, vector tsvector NOT NULL)",
    "CREATE INDEX search_name_vector ON search_name USING gin (vector)",
    "CREATE INDEX search_name_book ON search_name (book_id)",
    "CREATE TABLE search_term (word text PRIMARY KEY)",
    "CREATE INDEX search_term_trgm ON search_term USING gin (word gin_trgm_ops)",
    *SHARED,
]

DROP_SQLITE = [
    "DROP TABLE IF EXISTS search_word_vocab",
    *(
        f"DROP TABLE IF EXISTS {table}"
        for table in ("search_book", "search_passage", "search_word", "search_name")
    ),
    "DROP TABLE IF EXISTS search_facet",
    "DROP TABLE IF EXISTS search_entry",
    "DROP TABLE IF EXISTS search_key",
]

DROP_POSTGRESQL = [
    "DROP TABLE IF EXISTS search_book, search_passage, search_name, search_term, "
    "search_entry, search_key",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS library_english",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS library_simple",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"Search needs SQLite or PostgreSQL, not {schema_editor.connection.vendor}."
            )
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("books", "0005_book_version")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": DROP_SQLITE, "postgresql": DROP_POSTGRESQL}),
        ),
    ]
