"""Each summary's language, and a search index that analyses each summary in it.

The search tables are recreated (empty) for the new layout: stems made in Python on
SQLite, a text-search configuration per language on PostgreSQL, the short fields
ranked on their own. ``books.search.receivers`` fills the empty index after
``migrate``.
"""

from django.db import migrations, models

import books.models

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"
WORDS = "tokenize = 'unicode61 remove_diacritics 2'"

SHARED = [
    "CREATE TABLE search_entry (book_id bigint PRIMARY KEY, content_hash varchar(64) NOT NULL, "
    "language varchar(10) NOT NULL)",
    "CREATE INDEX search_entry_language ON search_entry (language)",
    "CREATE TABLE search_key (key varchar(700) NOT NULL, book_id bigint NOT NULL)",
    "CREATE INDEX search_key_key ON search_key (key)",
    "CREATE INDEX search_key_book ON search_key (book_id)",
]

SQLITE_TABLES = [
    "search_word_vocab", "search_book", "search_title", "search_tags", "search_headings",
    "search_passage", "search_word", "search_name", "search_facet", "search_entry", "search_key",
]  # fmt: skip

SQLITE = [
    *(f"DROP TABLE IF EXISTS {table}" for table in SQLITE_TABLES),
    "CREATE VIRTUAL TABLE search_book USING fts5("
    f"title, authors, tags, headings, body, related, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE search_title USING fts5(title, authors, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE search_tags USING fts5(tags, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE search_headings USING fts5(headings, {TOKENIZE})",
    "CREATE VIRTUAL TABLE search_passage USING fts5(title, body, anchor UNINDEXED, "
    f"label UNINDEXED, kind UNINDEXED, title_text UNINDEXED, body_text UNINDEXED, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE search_word USING fts5(words, {WORDS}, detail = none)",
    "CREATE VIRTUAL TABLE search_word_vocab USING fts5vocab(search_word, 'row')",
    "CREATE VIRTUAL TABLE search_name USING fts5("
    f"kind UNINDEXED, name, slug UNINDEXED, book_id UNINDEXED, {WORDS}, prefix = '2 3')",
    "CREATE TABLE search_facet (book_id integer PRIMARY KEY, tags text NOT NULL, "
    "language varchar(10) NOT NULL, completeness real NOT NULL, title text NOT NULL, "
    "authors text NOT NULL, slug varchar(320) NOT NULL)",
    *SHARED,
]

CONFIGURATIONS = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS library_russian",
    # Russian stemming (Latin words: English) with accents folded first.
    "CREATE TEXT SEARCH CONFIGURATION library_russian (COPY = pg_catalog.russian)",
    "ALTER TEXT SEARCH CONFIGURATION library_russian "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, russian_stem",
]

POSTGRESQL = [
    "DROP TABLE IF EXISTS search_book, search_passage, search_name, search_term, "
    "search_entry, search_key",
    *CONFIGURATIONS,
    "CREATE TABLE search_book (book_id bigint PRIMARY KEY, document tsvector NOT NULL, "
    "title_v tsvector NOT NULL, tags_v tsvector NOT NULL, headings_v tsvector NOT NULL, "
    "language varchar(10) NOT NULL, completeness real NOT NULL, title text NOT NULL, "
    "authors text NOT NULL, tags text NOT NULL, slug varchar(320) NOT NULL, "
    "tag_names text[] NOT NULL, tag_slugs text[] NOT NULL)",
    "CREATE INDEX search_book_document ON search_book USING gin (document)",
    "CREATE TABLE search_passage (book_id bigint NOT NULL, seq integer NOT NULL, "
    "anchor varchar(100) NOT NULL, label text NOT NULL, kind varchar(10) NOT NULL, "
    "title text NOT NULL, body text NOT NULL, vector tsvector NOT NULL, "
    "PRIMARY KEY (book_id, seq))",
    "CREATE INDEX search_passage_vector ON search_passage USING gin (vector)",
    "CREATE TABLE search_name (kind varchar(10) NOT NULL, name text NOT NULL, "
    "slug varchar(320) NOT NULL, book_id bigint NOT NULL, vector tsvector NOT NULL)",
    "CREATE INDEX search_name_vector ON search_name USING gin (vector)",
    "CREATE INDEX search_name_book ON search_name (book_id)",
    "CREATE TABLE search_term (word text PRIMARY KEY)",
    "CREATE INDEX search_term_trgm ON search_term USING gin (word gin_trgm_ops)",
    *SHARED,
]

# Back to migration 0006's layout (empty: rebuild_search_index fills it).
OLD_TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"
OLD_SHARED = [
    "CREATE TABLE search_entry (book_id bigint PRIMARY KEY, content_hash varchar(64) NOT NULL)",
    "CREATE TABLE search_key (key varchar(700) NOT NULL, book_id bigint NOT NULL)",
    "CREATE INDEX search_key_key ON search_key (key)",
    "CREATE INDEX search_key_book ON search_key (book_id)",
]
BACK_SQLITE = [
    *(f"DROP TABLE IF EXISTS {table}" for table in SQLITE_TABLES),
    "CREATE VIRTUAL TABLE search_book USING fts5("
    f"title, authors, tags, headings, body, related, slug UNINDEXED, {OLD_TOKENIZE})",
    "INSERT INTO search_book (search_book, rank) "
    "VALUES ('rank', 'bm25(10.0, 10.0, 5.0, 4.0, 1.0, 0.3)')",
    "CREATE VIRTUAL TABLE search_passage USING fts5("
    f"title, body, anchor UNINDEXED, label UNINDEXED, {OLD_TOKENIZE})",
    "INSERT INTO search_passage (search_passage, rank) VALUES ('rank', 'bm25(3.0, 1.0)')",
    f"CREATE VIRTUAL TABLE search_word USING fts5(words, {WORDS}, detail = none)",
    "CREATE VIRTUAL TABLE search_word_vocab USING fts5vocab(search_word, 'row')",
    "CREATE VIRTUAL TABLE search_name USING fts5("
    f"kind UNINDEXED, name, book_id UNINDEXED, {WORDS}, prefix = '2 3')",
    "CREATE TABLE search_facet (book_id integer PRIMARY KEY, tags text NOT NULL)",
    *OLD_SHARED,
]
BACK_POSTGRESQL = [
    "DROP TABLE IF EXISTS search_book, search_passage, search_name, search_term, "
    "search_entry, search_key",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS library_russian",
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
    *OLD_SHARED,
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
    dependencies = [("books", "0011_editors_workflow")]

    operations = [
        migrations.AddField(
            model_name="book",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("ru", "Russian")],
                default=books.models.default_language,
                help_text="The language the summary is written in: search analyses its words in it.",
                max_length=10,
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": BACK_SQLITE, "postgresql": BACK_POSTGRESQL}),
        ),
    ]
