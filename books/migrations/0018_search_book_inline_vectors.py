"""PostgreSQL: keep each summary's short-field vectors in its search row, not in TOAST.

A row of ``search_book`` past about 2 kB has its largest values moved out of line;
after ``document``, that was ``headings_v``, which ranking reads for every match of a
common word (docs/search.md, "Very common words"). Rows may now grow to a page (8160
bytes) before any value is moved out: a ``document`` that does not fit still is. The rows
already written are rewritten the same way.
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE search_book SET (toast_tuple_target = 8160)",
    # A new value (concatenated with nothing) is stored under the new setting.
    "UPDATE search_book SET title_v = title_v || ''::tsvector, "
    "tags_v = tags_v || ''::tsvector, headings_v = headings_v || ''::tsvector",
]
BACKWARD = ["ALTER TABLE search_book RESET (toast_tuple_target)"]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("books", "0017_reader_query_indexes")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD))]
