"""App configuration for the library."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


def _unicode_case(sender, connection, **kwargs):
    """SQLite's LOWER() and UPPER() fold ASCII only: replace them with Python's, so that
    "ÉTUDE" and "étude", "Машинное" and "машинное" compare equal there as on PostgreSQL."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "LOWER", 1, lambda text: text.lower() if isinstance(text, str) else text,
            deterministic=True,
        )  # fmt: skip
        connection.connection.create_function(
            "UPPER", 1, lambda text: text.upper() if isinstance(text, str) else text,
            deterministic=True,
        )  # fmt: skip


class BooksConfig(AppConfig):
    """The books app: summaries, their authors, parts and chapters."""

    name = "books"
    verbose_name = _("Library")

    def ready(self):
        connection_created.connect(_unicode_case, dispatch_uid="books.unicode_case")
        # ``field__upper__contains``: the admin's searches that ignore case in every script.
        CharField.register_lookup(Upper)
        TextField.register_lookup(Upper)
        from . import changes
        from .models import (
            AudienceItem,
            Author,
            Book,
            BookAuthor,
            Chapter,
            Part,
            Section,
            TagTranslation,
        )  # fmt: skip

        # A row of a summary saved or deleted on its own, or a tag changed, changes the
        # summaries that show it (books/changes.py).
        changes.follow_rows(
            Book, Author, BookAuthor, Section, AudienceItem, Part, Chapter, TagTranslation,
            deleted_before=[Book, Chapter],
        )  # fmt: skip
        changes.follow_tags(Book)
        # Imported for their side effects: the listeners of summaries_changed (the page
        # cache and the search index), what the history records, and the system checks.
        from . import cache  # noqa: F401
        from .search import checks, receivers  # noqa: F401
        from .summaries import revisions  # noqa: F401
