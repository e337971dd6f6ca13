"""Keep the search index exact: re-index the summaries named by ``summaries_changed``."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver

from books.changes import summaries_changed

from . import get_backend, index_books, rebuild


@receiver(summaries_changed, dispatch_uid="books.search.index")
def reindex(sender, book_ids, **kwargs):
    index_books(book_ids)


@receiver(post_migrate, dispatch_uid="books.search.fill")
def fill_empty_index(sender, app_config, using="default", **kwargs):
    """After ``migrate``, index a library that has summaries but no index yet (first upgrade)."""
    from django.db import connections

    from books.models import Book

    if app_config.label != "books" or using != "default":
        return
    connection = connections[using]
    if connection.vendor not in {"sqlite", "postgresql"}:
        return
    if "search_entry" not in connection.introspection.table_names():
        return  # migrated back before the search index
    if not get_backend().entries(limit=1) and Book.objects.exists():
        rebuild()
