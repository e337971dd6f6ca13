"""Whole summaries: loading, the one write path, history, and the summary-file format.

``loader`` reads a whole summary in a fixed number of queries; ``writing`` is the
one way to save one (the admin, imports and restores use it); ``revisions`` and
``history`` keep and compare its versions; ``format``, ``importer`` and ``export``
are the summary-file format (docs/summary-format.md). This is the part of
``books`` that knows about ``reviews``: a summary is a book with its review and
related links.
"""

from .export import export_summary, iter_exports
from .format import SummaryData, SummaryFileError, read_items, validate_item
from .importer import ImportResult, import_file, iter_summaries
from .loader import (
    ALL_LINKS,
    PUBLIC_LINKS,
    Summary,
    load_summaries,
    load_summary,
    summary_books,
    summary_cards,
)
from .saving import InvalidSummaryError, SummaryWrite, prepare_row, writing

__all__ = [
    "ALL_LINKS",
    "PUBLIC_LINKS",
    "ImportResult",
    "InvalidSummaryError",
    "Summary",
    "SummaryData",
    "SummaryFileError",
    "SummaryWrite",
    "export_summary",
    "import_file",
    "iter_exports",
    "iter_summaries",
    "load_summaries",
    "load_summary",
    "prepare_row",
    "read_items",
    "summary_books",
    "summary_cards",
    "validate_item",
    "writing",
]
