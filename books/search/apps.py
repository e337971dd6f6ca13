"""App configuration for search: the synonym sets editors keep in the admin."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Search across summaries (books/search): its one model is the editors' synonym sets."""

    name = "books.search"
    label = "search"
    verbose_name = _("Search")
