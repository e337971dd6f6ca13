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
            "INSERT INTO search_entry (book_id, content_hash) VALUES (%s, %s)",
            [(doc.book_id, doc.content_hash()) for doc in documents],
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
        """Rows for suggestions: the title, each author and each tag of a summary."""
        rows = [("title", document.title, document.book_id)]
        rows += [
            ("author", name.strip(), document.book_id)
            for name in document.authors.split(", ")
            if name.strip()
        ]
        rows += [("tag", tag.strip(), document.book_id) for tag in document.tags.split(", ")]
        return [row for row in rows if row[1]]

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
