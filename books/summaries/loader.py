"""The one way to load whole summaries: every row, in a fixed number of queries.

``load_summaries(books)`` reads each summary's authors, tags, sections,
audience, parts and chapters, review and takeaways, and related links, one query
per kind of row for all the books at once. The summary page, the export, the
history's snapshots and the search index all read summaries through it, so each
shows the same rows in the same order, with chapters numbered once
(``number_chapters``).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.db.models.functions import Lower
from taggit.models import TaggedItem

from books.models import (
    AudienceItem,
    Book,
    BookAuthor,
    Chapter,
    Part,
    Section,
    lowered_forms,
)
from books.tags import translations_prefetch
from reviews.models import RelatedLink, Review, Takeaway

# Which related links to load: the ones a reader may follow, or all (exports, history).
PUBLIC_LINKS, ALL_LINKS = "public", "all"
# Columns of a summary suggested under "more like this": what a link to it shows.
LINKED_BOOK_FIELDS = ("title", "slug")


def summary_cards(books):
    """A book queryset with what a card shows: authors and tags (named in the interface's
    language), in fixed queries."""
    return books.with_authors().prefetch_related("tags", *translations_prefetch("tags"))


def summary_books(books):
    """The book rows ``load_summaries`` starts from: each with its review."""
    return books.select_related("review")


@dataclass
class Summary:
    """One whole summary: the book and every row of it, in order."""

    book: Book
    book_authors: list
    tagged_items: list
    sections: list
    audience: list
    parts: list  # each with ``chapter_list``: its chapters, numbered (``number_chapters``)
    review: Review | None
    takeaways: list
    links: list  # each with its ``target`` (a summary in the library) or None
    more_like_this: list = field(default_factory=list)

    @property
    def authors(self):
        return [link.author for link in self.book_authors]

    @property
    def tags(self):
        return [item.tag for item in self.tagged_items]

    @property
    def chapters(self):
        return [chapter for part in self.parts for chapter in part.chapter_list]

    @property
    def featured_link(self):
        """The featured related link, or None."""
        return next((link for link in self.links if link.featured), None)

    @property
    def other_links(self):
        """The related links that are not featured, in order."""
        return [link for link in self.links if not link.featured]

    def rows(self):
        """Every database row of the summary, the book first (what its history records)."""
        review = [self.review, *self.takeaways] if self.review is not None else []
        return [
            self.book,
            *self.book_authors,
            *self.sections,
            *self.audience,
            *self.parts,
            *self.chapters,
            *self.tagged_items,
            *review,
            *self.links,
        ]


def number_chapters(parts, chapters):
    """Give each part its ``chapter_list`` and each chapter its running ``number`` in the book.

    The one numbering of chapters: the page, its contents, search results and the
    history all show these numbers. ``chapters`` may hold other parts' chapters.
    """
    by_part = defaultdict(list)
    for chapter in sorted(chapters, key=lambda chapter: chapter.position):
        by_part[chapter.part_id].append(chapter)
    number = 0
    for part in sorted(parts, key=lambda part: part.position):
        part.chapter_list = by_part[part.pk]
        for chapter in part.chapter_list:
            number += 1
            chapter.number = number
            chapter.part = part  # the anchor reads the part's position: no query


def _grouped(rows, key):
    groups = defaultdict(list)
    for row in rows:
        groups[getattr(row, key)].append(row)
    return groups


def load_summaries(books, *, links=PUBLIC_LINKS, more_like_this=0):
    """Load whole summaries: a ``Summary`` for each of ``books``, in their order.

    ``books`` is a Book queryset, or rows fetched from ``summary_books()``.
    ``links``: ``PUBLIC_LINKS`` keeps the related links a reader may follow,
    ``ALL_LINKS`` every one (exports, history). ``more_like_this``: how many
    published summaries sharing tags to find for each (the summary page).
    The queries are one per kind of row, whatever the number of books.
    """
    if isinstance(books, QuerySet):
        books = list(summary_books(books))
    if not books:
        return []
    ids = [book.pk for book in books]
    book_type = ContentType.objects.get_for_model(Book)

    tagged = _grouped(
        TaggedItem.objects.filter(content_type=book_type, object_id__in=ids)
        .select_related("tag")
        .prefetch_related(*translations_prefetch("tag"))
        .order_by("tag_id"),
        "object_id",
    )
    sections = _grouped(Section.objects.filter(book__in=ids).order_by("position"), "book_id")
    audience = _grouped(AudienceItem.objects.filter(book__in=ids).order_by("position"), "book_id")
    parts = _grouped(Part.objects.filter(book__in=ids).order_by("position"), "book_id")
    part_ids = [part.pk for rows in parts.values() for part in rows]
    chapters = _grouped(Chapter.objects.filter(part__in=part_ids).order_by("position"), "part_id")
    reviews = {book.pk: _review(book) for book in books}
    takeaways = _grouped(
        Takeaway.objects.filter(
            review__in=[r.pk for r in reviews.values() if r is not None]
        ).order_by("position"),
        "review_id",
    )
    link_rows = RelatedLink.objects.public() if links == PUBLIC_LINKS else RelatedLink.objects
    related = _grouped(
        link_rows.filter(book__in=ids).select_related("target").order_by("position"),
        "book_id",
    )

    summaries = []
    for book in books:
        review = reviews[book.pk]
        summary = Summary(
            book=book,
            book_authors=[],
            tagged_items=tagged[book.pk],
            sections=sections[book.pk],
            audience=audience[book.pk],
            parts=parts[book.pk],
            review=review,
            takeaways=takeaways[review.pk] if review is not None else [],
            links=related[book.pk],
        )
        number_chapters(summary.parts, [c for part in summary.parts for c in chapters[part.pk]])
        if more_like_this and summary.tagged_items:
            summary.more_like_this = list(_more_like_this(summary, more_like_this))
        summaries.append(summary)

    # Titles typed for books not in the library yet, that a published summary now has.
    typed = [link for s in summaries for link in s.links if not link.target_id and link.title]
    found = _typed_targets(typed) if links == PUBLIC_LINKS else []

    # The authors of every summary, of the summaries they link to and of those like them.
    shown = [*books, *found]
    for summary in summaries:
        shown += [link.target for link in summary.links if link.target_id]
        shown += summary.more_like_this
    book_authors = _grouped(
        BookAuthor.objects.filter(book__in={book.pk for book in shown})
        .select_related("author")
        .order_by("position"),
        "book_id",
    )
    for book in shown:
        book.ordered_authors = [link.author for link in book_authors[book.pk]]
    _connect_typed(typed, found)
    for summary in summaries:
        summary.book_authors = book_authors[summary.book.pk]
        # The rows' own links to their book, so that reading them (a revision names
        # each row by its ``str()``) makes no query.
        for row in summary.book_authors:
            row.book = summary.book
        for item in summary.tagged_items:
            item.content_object = summary.book
        if summary.review is not None:
            summary.review.book = summary.book
    return summaries


def load_summary(book, **options):
    """The whole summary of one ``book`` (a row from ``summary_books()``)."""
    return load_summaries([book], **options)[0]


def _review(book):
    """The book's review, or None (reads the ``select_related`` cache)."""
    try:
        return book.review
    except Review.DoesNotExist:
        return None


def _typed_targets(links):
    """Published summaries whose title is one typed in ``links`` (any case): one query.

    Found through the index on ``LOWER(title)`` (``lowered_forms``), and only then checked
    to be public.
    """
    titles = {link.title for link in links}
    if not titles:
        return []
    typed = Book.objects.alias(lowered=Lower("title")).filter(lowered__in=lowered_forms(titles))
    typed = typed.values("pk")
    return list(Book.objects.published().filter(pk__in=typed).only(*LINKED_BOOK_FIELDS))


def _names(text):
    """Author names typed in a link (“A, B and C”), folded for comparison."""
    for separator in (" and ", "&", ";"):
        text = text.replace(separator, ",")
    return {name.strip().casefold() for name in text.split(",") if name.strip()}


def _connect_typed(links, found):
    """Give each typed link its ``found`` summary: same title, and an author in common when
    the link names its authors. The reader's pages then link to it (``RelatedLink.summary``)."""
    by_title = defaultdict(list)
    for book in found:
        by_title[book.title.casefold()].append(book)
    for link in links:
        typed_authors = _names(link.authors)
        for book in by_title[link.title.casefold()]:
            authors = {author.name.casefold() for author in book.ordered_authors}
            if book.pk != link.book_id and (not typed_authors or typed_authors & authors):
                link.found = book
                break


def _more_like_this(summary, limit):
    """Published summaries sharing tags with ``summary``, except those it links to."""
    book = summary.book
    linked = [link.target_id for link in summary.links if link.target_id]
    tags = [item.tag_id for item in summary.tagged_items]
    tagged = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Book), tag_id__in=tags
    ).values("object_id")
    return (
        Book.objects.published()
        .filter(pk__in=tagged)  # the few books with the tags first, then which are public
        .sharing_tags(book.pk, tags)
        .exclude(pk__in=linked)
        .only(*LINKED_BOOK_FIELDS)[:limit]
    )
