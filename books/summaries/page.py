"""What a summary page shows, loaded in a fixed number of flat queries (no nested prefetching).

A summary page reads every row of one summary. ``prefetch_related`` would load
them in as many queries, but builds and filters each of its querysets around the
loaded instances, level by level, and that costs several times the queries
themselves. Here each kind of row is one plain query on the summary's id, whose
SQL is compiled once (``books.prepared``), and the authors of the summary, of the
summaries it links to and of "more like this" are one query together. The rows
also give the reading time, which cards have the database add up instead.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from books.models import (
    AudienceItem,
    Book,
    BookAuthor,
    Chapter,
    Part,
    Section,
    chapter_anchor,
)
from books.prepared import PreparedQuery
from reviews.models import RelatedLink, Takeaway

from .queries import review_of

# Columns of a summary that is only linked to: its title and its address.
LINKED_BOOK_FIELDS = ("title", "slug")
# Published summaries sharing tags shown under "More like this".
MORE_LIKE_THIS = 4


@dataclass
class SummaryPage:
    """One summary's rows as its page shows them (``book.reading_words`` is set from them)."""

    book: Book
    tags: list
    sections: list
    audience: list
    parts: list  # each with ``chapter_list``: its chapters' number, anchor, title and HTML
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


# The queries whose SQL is the same for every summary, compiled once (``books.prepared``).
PARTS = PreparedQuery(lambda book: Part.objects.filter(book=book).order_by("position"), book=int)
CHAPTERS = PreparedQuery(
    lambda book: Chapter.objects.filter(part__book=book).order_by("position"), book=int
)
SECTIONS = PreparedQuery(
    lambda book: Section.objects.filter(book=book).order_by("position"), book=int
)
AUDIENCE = PreparedQuery(
    lambda book: AudienceItem.objects.filter(book=book).order_by("position"), book=int
)
# Ordered by id: the order taggit's prefetch gave on SQLite (read through its unique index).
TAGS = PreparedQuery(
    lambda book: Tag.objects.filter(
        taggit_taggeditem_items__content_type__app_label=Book._meta.app_label,
        taggit_taggeditem_items__content_type__model=Book._meta.model_name,
        taggit_taggeditem_items__object_id=book,
    ).order_by("pk"),
    book=int,
)
# The links readers may follow, each with the title and slug of the summary it leads to.
LINKS = PreparedQuery(
    lambda book, at: (
        RelatedLink.objects.public(at=at)
        .filter(book=book)
        .annotate(**{f"target_{name}": F(f"target__{name}") for name in LINKED_BOOK_FIELDS})
        .order_by("position")
    ),
    book=int,
    at=datetime,
)
TAKEAWAYS = PreparedQuery(
    lambda review: Takeaway.objects.filter(review=review).order_by("position"), review=int
)


def _more_like_this(book, at):
    """Published summaries (at ``at``) sharing tags with ``book``, except those it links to."""
    book_type = ContentType.objects.get_for_model(Book)
    tags = TaggedItem.objects.filter(content_type=book_type, object_id=book).values("tag_id")
    linked = RelatedLink.objects.filter(book=book, target__isnull=False).values("target")
    return (
        Book.objects.published(at=at)
        .sharing_tags(book, tags)
        .exclude(pk__in=linked)
        .only(*LINKED_BOOK_FIELDS)[:MORE_LIKE_THIS]
    )


SIMILAR = PreparedQuery(_more_like_this, book=int, at=datetime)


def summary_page(book, *, more_like_this=True):
    """Load what the page of ``book`` (a row with its ``review`` selected) shows.

    ``more_like_this``: whether to find the published summaries that share its
    tags. The related links are those readers may follow (``RelatedLink.objects.public()``).
    """
    now = timezone.now()
    review = review_of(book)
    tags = TAGS.rows(book=book.pk)
    parts = PARTS.rows(book=book.pk)
    chapters = CHAPTERS.rows(book=book.pk)
    _number_chapters(parts, chapters)
    links = LINKS.rows(book=book.pk, at=now)
    for link in links:
        if link.target_id:
            values = [getattr(link, f"target_{name}") for name in LINKED_BOOK_FIELDS]
            link.target = Book.from_db(
                link._state.db, ["id", *LINKED_BOOK_FIELDS], [link.target_id, *values]
            )
    page = SummaryPage(
        book=book,
        tags=tags,
        sections=SECTIONS.rows(book=book.pk),
        audience=AUDIENCE.rows(book=book.pk),
        parts=parts,
        review=review,
        takeaways=TAKEAWAYS.rows(review=review.pk) if review else [],
        links=links,
    )
    # Every row's words: the sum ``with_reading_time`` makes in SQL for cards.
    rows = [book, *page.sections, *page.audience, *parts, *chapters]
    rows += [review, *page.takeaways] if review is not None else []
    book.reading_words = sum(row.word_count for row in rows)
    if more_like_this and tags:
        page.more_like_this = SIMILAR.rows(book=book.pk, at=now)
    _add_authors([book, *(link.target for link in links if link.target_id), *page.more_like_this])
    return page


def _number_chapters(parts, chapters):
    """Give each part its ``chapter_list``: the chapters (in order) with their running numbers.

    Each chapter is a dict of what the page shows: the template engine reads a key
    faster than an attribute, and a long summary's page reads nine per chapter.
    """
    by_part = defaultdict(list)
    for chapter in chapters:
        by_part[chapter.part_id].append(chapter)
    number = 0
    for part in parts:
        part.chapter_list = []
        for chapter in by_part[part.pk]:
            number += 1
            part.chapter_list.append(
                {
                    "number": number,
                    "anchor": chapter_anchor(part.position, chapter.position),
                    "title": chapter.title,
                    "summary_html": chapter.summary_html,
                }
            )


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
