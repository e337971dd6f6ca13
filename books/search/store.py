"""The plain tables both engines share: what was indexed (with a fingerprint) and exact keys."""

from django.db import connection

from .query import exact_key


class SharedTables:
    """``search_entry`` (book id, content hash) and ``search_key`` (exact title/author keys)."""

    def delete_shared(self, cursor, book_ids):
        ids = [(book_id,) for book_id in book_ids]
        cursor.executemany("DELETE FROM search_entry WHERE book_id = %s", ids)
        cursor.executemany("DELETE FROM search_key WHERE book_id = %s", ids)

    def insert_shared(self, cursor, documents):
        cursor.executemany(
            "INSERT INTO search_entry (book_id, content_hash, language) VALUES (%s, %s, %s)",
            [(doc.book_id, doc.content_hash(), doc.language) for doc in documents],
        )
        cursor.executemany(
            "INSERT INTO search_key (key, book_id) VALUES (%s, %s)",
            [(key, doc.book_id) for doc in documents for key in doc.keys],
        )

    def clear_shared(self, cursor):
        cursor.execute("DELETE FROM search_entry")
        cursor.execute("DELETE FROM search_key")

    @staticmethod
    def name_rows(document):
        """Rows for suggestions: the title, each author and each tag of a summary, with slugs."""
        rows = [("title", document.title, document.slug, document.book_id)]
        rows += [("author", name, slug, document.book_id) for name, slug in document.author_list]
        rows += [("tag", name, slug, document.book_id) for name, slug in document.tag_list]
        return [row for row in rows if row[1].strip()]

    def context(self, keys):
        """What a query needs besides itself, in one statement: the languages of the
        library's summaries, and the synonym sets of ``keys``: ``(languages, [(key, terms)])``.

        The languages are read by skipping through the index on ``search_entry.language``
        (one seek per language, whatever the size of the library).
        """
        marks = ", ".join(["%s"] * len(keys)) or "NULL"
        sql = (
            "WITH RECURSIVE languages (language) AS ("
            " SELECT min(language) FROM search_entry"
            " UNION ALL SELECT (SELECT min(language) FROM search_entry e"
            "  WHERE e.language > languages.language) FROM languages"
            " WHERE languages.language IS NOT NULL) "
            "SELECT 'language', language, '' FROM languages WHERE language IS NOT NULL "
            "UNION ALL SELECT 'synonym', k.key, s.terms FROM search_synonymkey k "
            "JOIN search_synonymset s ON s.id = k.synonym_set_id "
            f"WHERE k.key IN ({marks})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, list(keys))
            rows = cursor.fetchall()
        languages = [value for kind, value, _ in rows if kind == "language"]
        synonyms = [(key, terms) for kind, key, terms in rows if kind == "synonym"]
        return languages, synonyms

    def write(self, documents, deleted_ids=()):
        """Replace the index rows of ``documents`` and drop those of ``deleted_ids``."""
        with connection.cursor() as cursor:
            self.delete(cursor, [doc.book_id for doc in documents] + list(deleted_ids))
            self.insert(cursor, documents)

    def entries(self, after=0, limit=None):
        """``{book_id: content_hash}`` of indexed summaries, in id order from ``after``."""
        sql = "SELECT book_id, content_hash FROM search_entry WHERE book_id > %s ORDER BY book_id"
        params = [after]
        if limit:
            sql += " LIMIT %s"
            params.append(limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return dict(cursor.fetchall())

    def count(self, compiled, public):
        """How many public summaries match (used to check a "did you mean" correction)."""
        sql, params = self.matched_sql(compiled, public)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql}) matched", params)
            return cursor.fetchone()[0]

    @staticmethod
    def key_of(parsed):
        """The exact-match key of the whole query text (title or author typed in full)."""
        return exact_key(parsed.raw.replace('"', " "))
