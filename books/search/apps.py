"""App configuration for search: the synonym sets editors keep in the admin."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Search across summaries (books/search): its one model is the editors' synonym sets."""

    name = "books.search"
    label = "search"
    verbose_name = "Search"
