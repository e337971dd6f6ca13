"""What a summary page shows, loaded in a fixed number of flat queries (no nested prefetching).

A summary page reads every row of one summary. ``prefetch_related`` would load
them in as many queries, but builds and filters each of its querysets around the
loaded instances, level by level, and that costs several times the queries
themselves. Here each kind of row is one plain query filtered on the summary, and
the authors of the summary, of the summaries it links to and of "more like this"
are one query together.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects

from books.models import AudienceItem, Book, BookAuthor, Chapter, Part, Section
from reviews.models import RelatedLink, Takeaway

from .queries import review_of

# Columns of a summary that is only linked to: its title and its address.
LINKED_BOOK_FIELDS = ("title", "slug")


@dataclass
class SummaryPage:
    """One summary's rows as its page shows them (``book.reading_words`` is set from them)."""

    book: Book
    tags: list
    sections: list
    audience: list
    parts: list  # each with ``chapter_list``, each chapter with its running ``number``
    review: object
    takeaways: list
    links: list
    more_like_this: list = field(default_factory=list)

    @property
    def authors(self):
        return self.book.ordered_authors

    @property
    def featured_link(self):
        """The featured related link, or None."""
        return next((link for link in self.links if link.featured), None)

    @property
    def other_links(self):
        """The related links that are not featured, in order."""
        return [link for link in self.links if not link.featured]

    def reading_words(self):
        """The words of every row of the summary: the sum ``with_reading_time`` makes in SQL."""
        rows = [
            self.book,
            *self.sections,
            *self.audience,
            *self.parts,
            *(chapter for part in self.parts for chapter in part.chapter_list),
            *([self.review, *self.takeaways] if self.review is not None else []),
        ]
        return sum(row.word_count for row in rows)


def summary_page(book, *, more_like_this=0):
    """Load what the page of ``book`` (a row with its ``review`` selected) shows.

    ``more_like_this``: how many published summaries sharing its tags to show, 0 for none.
    The related links are those readers may follow (``RelatedLink.objects.public()``).
    """
    review = review_of(book)
    # Tags have no ordering of their own: taggit's prefetch query keeps the order they had.
    prefetch_related_objects([book], "tags")
    tags = list(book.tags.all())
    parts = list(Part.objects.filter(book=book).order_by("position"))
    chapters = defaultdict(list)
    for chapter in Chapter.objects.filter(part__book=book).order_by("position"):
        chapters[chapter.part_id].append(chapter)
    number = 0
    for part in parts:
        part.chapter_list = chapters[part.pk]
        for chapter in part.chapter_list:
            chapter.part = part
            number += 1
            chapter.number = number
    links = list(
        RelatedLink.objects.public()
        .filter(book=book)
        .select_related("target")
        .only(*(f.name for f in RelatedLink._meta.concrete_fields), "target__title", "target__slug")
        .order_by("position")
    )
    page = SummaryPage(
        book=book,
        tags=tags,
        sections=list(Section.objects.filter(book=book).order_by("position")),
        audience=list(AudienceItem.objects.filter(book=book).order_by("position")),
        parts=parts,
        review=review,
        takeaways=(
            list(Takeaway.objects.filter(review=review).order_by("position")) if review else []
        ),
        links=links,
    )
    if more_like_this and tags:
        linked = {link.target_id for link in links if link.target_id}
        page.more_like_this = list(
            Book.objects.published()
            .sharing_tags(book, tags)
            .exclude(pk__in=linked)
            .only(*LINKED_BOOK_FIELDS)[:more_like_this]
        )
    _add_authors([book, *(link.target for link in links if link.target_id), *page.more_like_this])
    book.reading_words = page.reading_words()
    return page


def _add_authors(books):
    """Set ``ordered_authors`` on each of ``books`` from one query."""
    authors = defaultdict(list)
    for link in (
        BookAuthor.objects.filter(book__in={book.pk for book in books})
        .select_related("author")
        .order_by("position")
    ):
        authors[link.book_id].append(link.author)
    for book in books:
        book.ordered_authors = authors[book.pk]
