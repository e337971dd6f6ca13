"""App configuration for editors' collections."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CurationConfig(AppConfig):
    """Collections: ordered lists of summaries that editors curate, e.g. “Start here: LLMs”."""

    name = "books.curation"
    label = "curation"
    verbose_name = _("Collections")

    def ready(self):
        from . import signals  # noqa: F401 (a collection's change retires the list pages)
