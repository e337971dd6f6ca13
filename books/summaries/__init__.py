"""Whole summaries: the summary-file format, import, export, and the querysets that load them.

The format is documented in docs/summary-format.md. This package is the part of
``books`` that knows about ``reviews``: a summary is a book with its review and
related links.
"""

from .export import export_summary, iter_exports
from .format import SummaryData, SummaryFileError, read_items, validate_item
from .importer import ImportResult, import_file, iter_summaries
from .page import SummaryPage, summary_page
from .queries import (
    full_summaries,
    review_of,
    summary_cards,
    with_reading_time,
    with_review_and_related,
)

__all__ = [
    "ImportResult",
    "SummaryData",
    "SummaryFileError",
    "SummaryPage",
    "export_summary",
    "full_summaries",
    "import_file",
    "iter_exports",
    "iter_summaries",
    "read_items",
    "review_of",
    "summary_cards",
    "summary_page",
    "validate_item",
    "with_reading_time",
    "with_review_and_related",
]
