"""App configuration for the library."""

from django.apps import AppConfig


class BooksConfig(AppConfig):
    """The books app: summaries, their authors, parts and chapters."""

    name = "books"
    verbose_name = "Library"

    def ready(self):
        # Imported for their side effects: reversion registration, signal receivers, checks.
        from . import cache, history, signals  # noqa: F401
        from .search import checks, receivers  # noqa: F401
