"""Querysets that load whole summaries (book, review, related links) for pages and exports."""

from django.db import models
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from books.models import (
    AudienceItem,
    BookAuthor,
    Chapter,
    Part,
    Section,
)
from reviews.models import RelatedLink, Review, Takeaway


def with_review_and_related(books, *, public=True):
    """Add the review, its takeaways and the related links to a book queryset.

    ``public`` keeps only the related links a reader may follow; an export
    (``public=False``) takes every link, drafts included.
    """
    links = RelatedLink.objects.public() if public else RelatedLink.objects.all()
    return books.select_related("review").prefetch_related(
        models.Prefetch("review__takeaways", queryset=Takeaway.objects.order_by("position")),
        models.Prefetch(
            "related_links",
            queryset=links.order_by("position")
            .select_related("target")
            .prefetch_related(
                models.Prefetch(
                    "target__book_authors",
                    queryset=BookAuthor.objects.select_related("author").order_by("position"),
                )
            ),
        ),
    )


def full_summaries(books, *, public=True):
    """A book queryset with everything an export or the search index reads, in fixed queries.

    (The summary page loads the same rows its own way: ``summaries.page``.)
    """
    return with_review_and_related(books.with_contents(), public=public)


def _words_of(model, book_path):
    rows = model.objects.filter(**{book_path: OuterRef("pk")}).order_by().values(book_path)
    return Coalesce(Subquery(rows.annotate(total=Sum("word_count")).values("total")), 0)


def with_reading_time(books):
    """Annotate ``reading_words``: the words of every row of each summary, summed in the database.

    Each row stores its own count when saved (``books.reading``), so the sum is
    right after any inline edit or import, and cards need no chapter loaded.
    """
    return books.annotate(
        reading_words=F("word_count")
        + _words_of(Section, "book")
        + _words_of(AudienceItem, "book")
        + _words_of(Part, "book")
        + _words_of(Chapter, "part__book")
        + _words_of(Review, "book")
        + _words_of(Takeaway, "review__book")
    )


def summary_cards(books):
    """A book queryset with what a card shows: authors, tags and reading time, in fixed queries."""
    return with_reading_time(books.with_authors().prefetch_related("tags"))


def review_of(book):
    """The book's review, or None (reads the ``select_related`` cache)."""
    try:
        return book.review
    except Review.DoesNotExist:
        return None
