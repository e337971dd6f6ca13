"""The plain tables both engines share: what was indexed (with a fingerprint) and exact keys."""

from django.db import connection

from .base import FACET_LIMIT, TagFacet, book_content_type_id
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

    def find(self, compiled, public, tags, key, offset, limit):
        """``(total, ids of this page in rank order, tag facets)`` of the public matches."""
        total = self.count(compiled, public)
        if not total:
            return 0, [], []
        ids = self.rank(compiled, public, key, offset, limit, total=total)
        return total, ids, self.facets(compiled, public, tags)

    def count(self, compiled, public):
        sql, params = self.matched_sql(compiled, public)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql}) matched", params)
            return cursor.fetchone()[0]

    def facets(self, compiled, public, tags=()):
        """Tags among all matching summaries, most common first, with their counts."""
        matched, params = self.matched_sql(compiled, public)
        sql = (
            "SELECT t.name, t.slug, count(*) AS n FROM taggit_taggeditem i "
            "JOIN taggit_tag t ON t.id = i.tag_id "
            f"WHERE i.content_type_id = %s AND i.object_id IN ({matched}) "
            "GROUP BY t.name, t.slug ORDER BY n DESC, t.name LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [book_content_type_id(), *params, FACET_LIMIT])
            return [
                TagFacet(name, slug, count, selected=slug in tags)
                for name, slug, count in cursor.fetchall()
            ]

    @staticmethod
    def key_of(parsed):
        """The exact-match key of the whole query text (title or author typed in full)."""
        return exact_key(parsed.raw.replace('"', " "))
