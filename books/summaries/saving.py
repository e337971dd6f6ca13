"""The one write path: every save of a summary goes through ``writing()``.

The admin's change page, its publishing actions, the review's own page, a restore
from the history and ``import_summaries`` all save summaries the same way::

    with writing(user=request.user, comment="…") as write:
        write.save([book], write_rows=save_the_inlines)

``save`` validates each book and saves it: ``Book.save()`` renders its Markdown,
counts its words and checks its version (lost-update protection). Then
``write_rows`` writes the rest of the summary: the admin's inlines through their
forms, or an import's rows in bulk, each prepared by ``prepare_row`` (the same
rendering and counting a row's ``save()`` does). When the block ends, every summary
saved in it is loaded whole (``load_summaries``), recorded as a revision of its own,
and marked changed together with the summaries whose related links show it
(``books.changes``), all in the same transaction. After the commit the search index
and the page cache follow, the same way for every writer.
"""

import hashlib
import json
from contextlib import contextmanager
from itertools import batched

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from books import changes
from books.models import Book

from .loader import ALL_LINKS, load_summaries
from .revisions import record_revisions

# Summaries loaded together to record their revisions: bounds the memory a large import holds.
RECORD_BATCH = 50


class InvalidSummaryError(Exception):
    """A summary that fails its model's validation: ``book`` and the ``ValidationError``."""

    def __init__(self, book, error):
        super().__init__(f"{book}: {error}")
        self.book = book
        self.error = error


def prepare_row(row):
    """Prepare a row for ``bulk_create``/``bulk_update``, which skip ``save()``: render its
    Markdown, then count its words, as its ``save()`` would."""
    if hasattr(row, "render_markdown"):
        row.render_markdown()
    if hasattr(row, "count_words"):
        row.count_words()
    return row


class SummaryWrite:
    """The summaries saved in one ``writing()`` block, and who saved them and why."""

    def __init__(self, *, user=None, comment=""):
        self.user = user
        self.comment = comment
        self.book_ids = set()

    def save(self, books, write_rows=None):
        """Validate and save ``books``, then call ``write_rows()`` to write the rest of them.

        Raises ``InvalidSummaryError`` for a book that fails validation, and
        ``StaleSummaryError`` for one saved by someone else since it was loaded.
        """
        for book in books:
            try:
                book.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                raise InvalidSummaryError(book, error) from None
            book.saved_by_write_path = True  # ``finish`` marks the summaries linking to it
            try:
                book.save()
            finally:
                book.saved_by_write_path = False
            self.book_ids.add(book.pk)
        if write_rows is not None:
            write_rows()

    def finish(self):
        """Count each summary's words, record a revision of it as it is now, mark it changed."""
        ids = sorted(self.book_ids)
        for batch in batched(ids, RECORD_BATCH):
            Book.objects.filter(pk__in=batch).recount_reading_time()
            summaries = load_summaries(
                Book.objects.filter(pk__in=batch).order_by("pk"), links=ALL_LINKS
            )
            record_revisions(summaries, user=self.user, comment=self.comment)
            note_edits(summaries)
        changes.mark(set(ids) | Book.objects.linking_to(ids))


# A row's links to the summary it belongs to: renewed when an import rewrites the rows.
PARENT_FIELDS = frozenset({"book", "part", "review", "content_type", "object_id"})


def content_digest(summary):
    """A digest of what editors wrote in ``summary``: every editable field of every row.

    Row ids, timestamps and derived columns (rendered HTML, counts) are left out, so a
    re-import or a re-save of the same text gives the same digest.
    """
    rows = []
    for row in summary.rows():
        fields = {
            field.attname: getattr(row, field.attname)
            for field in row._meta.concrete_fields
            if field.editable and not field.primary_key and field.name not in PARENT_FIELDS
        }
        rows.append([row._meta.label_lower, fields])
    text = json.dumps(rows, cls=DjangoJSONEncoder, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def note_edits(summaries):
    """Set ``edited_at`` on the summaries whose content changed (``content_digest`` differs).

    A summary seen for the first time counts as edited when it was published, if it
    says so (an import of an older summary), else now.
    """
    now = timezone.now()
    for summary in summaries:
        book = summary.book
        digest = content_digest(summary)
        if digest == book.content_digest:
            continue
        first = not book.content_digest
        edited_at = (book.published_at if first and book.published_at else None) or now
        edited_at = min(edited_at, now)
        Book.objects.filter(pk=book.pk).update(content_digest=digest, edited_at=edited_at)
        book.content_digest, book.edited_at = digest, edited_at


@contextmanager
def writing(*, user=None, comment=""):
    """One transaction that saves summaries through the write path (see the module's text)."""
    write = SummaryWrite(user=user, comment=comment)
    with transaction.atomic():
        yield write
        write.finish()
