"""Import summary files: upsert by slug in batches, one transaction per file."""

import itertools
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from books.models import (
    AudienceItem,
    Author,
    Book,
    BookAuthor,
    Chapter,
    Part,
    Section,
    Status,
    unique_slug,
)
from books.tags import tag_for_import
from reviews.models import RelatedLink, Review, Takeaway

from .format import (
    DEFAULT_MAX_BYTES,
    SummaryData,
    SummaryFileError,
    describe_item,
    read_items,
    validate_item,
)
from .saving import InvalidSummaryError, prepare_row, writing

# Summaries validated and written together: bounds the memory an import holds and
# turns per-summary queries into a few bulk queries per batch.
IMPORT_BATCH_SIZE = 100
# Imports at least this large refresh PostgreSQL's planner statistics before committing.
ANALYZE_AFTER = 200


@dataclass
class ImportResult:
    """What an import did: the slugs created and updated."""

    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)


@dataclass
class _Item:
    """One validated summary of a file on its way into the library."""

    label: str
    summary: SummaryData
    book: Book | None = None
    created: bool = False


def iter_summaries(path, *, max_bytes=DEFAULT_MAX_BYTES):
    """Yield ``(label, SummaryData)`` for each summary of ``path``, validated, one at a time."""
    first_seen = {}
    for index, raw in enumerate(read_items(path, max_bytes=max_bytes)):
        summary = validate_item(path, index, raw)
        label = describe_item(path, index, raw)
        slug = summary.book_slug
        if slug in first_seen:
            raise SummaryFileError(
                f"{label}: slug: {slug!r} is already used by summary #{first_seen[slug] + 1} "
                "of this file"
            )
        first_seen[slug] = index
        yield label, summary


def import_file(path, *, batch_size=IMPORT_BATCH_SIZE, max_bytes=DEFAULT_MAX_BYTES):
    """Import every summary of ``path`` in one transaction: all of them, or nothing.

    The file is streamed and written ``batch_size`` summaries at a time through the
    write path (``writing``), so memory stays flat however many summaries it holds:
    only each summary's related links (a few small tuples) wait for the end.
    """
    result = ImportResult()
    pending_links = []
    with writing(comment=f"Imported from {Path(path).name}.") as write:
        for batch in itertools.batched(iter_summaries(path, max_bytes=max_bytes), batch_size):
            items = [_Item(label, summary) for label, summary in batch]
            books = _books(items)
            try:
                write.save(books, write_rows=lambda items=items: _write_rows(items))
            except InvalidSummaryError as error:
                label = next(item.label for item in items if item.book is error.book)
                raise SummaryFileError(f"{label}: {_model_errors(error.error)}") from None
            for item in items:
                (result.created if item.created else result.updated).append(item.book.slug)
                links = tuple(_PendingLink.of(link) for link in item.summary.related)
                pending_links.append((item.book.pk, item.label, links))
        # Links are written last, so that summaries in one file may point at each other.
        for batch in itertools.batched(pending_links, batch_size):
            _write_related(batch)
        if len(pending_links) >= ANALYZE_AFTER:
            _analyze_written_tables()
    return result


def _analyze_written_tables():
    """Refresh PostgreSQL's planner statistics for the tables a large import filled.

    Until autovacuum catches up, the planner still sees the tables as they were
    before the import, and the queries that load every imported summary again
    (for its revision, and after the commit for its index rows) pick plans
    several times slower.
    """
    if connection.vendor != "postgresql":
        return  # SQLite plans by its indexes without statistics
    models_written = (
        Book, Author, BookAuthor, Section, AudienceItem, Part, Chapter, Book.tags.through,
        Review, Takeaway, RelatedLink,
    )  # fmt: skip
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_written)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _write_rows(items):
    """Write the rows of one batch of saved books in bulk: authors, contents, tags, reviews."""
    _write_authors(items)
    _write_contents(items)
    _write_tags(items)
    _write_reviews(items)


@contextmanager
def _labelled(item):
    """Report a model's ValidationError as a SummaryFileError naming the file and summary."""
    try:
        yield
    except ValidationError as error:
        raise SummaryFileError(f"{item.label}: {_model_errors(error)}") from None


def _model_errors(error):
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name if name != '__all__' else 'summary'}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _updated(items):
    """The books of ``items`` that existed before this import (their old rows need replacing)."""
    return [item.book for item in items if not item.created]


def _books(items):
    """Each summary's book, found by slug (its row locked) or new, with the file's fields set."""
    existing = (
        Book.objects.select_for_update()
        .order_by()
        .in_bulk([item.summary.book_slug for item in items], field_name="slug")
    )
    now = timezone.now()
    for item in items:
        summary = item.summary
        book = existing.get(summary.book_slug)
        item.created = book is None
        if item.created:
            book = Book(slug=summary.book_slug)
        for name in BOOK_FIELDS:
            setattr(book, name, getattr(summary, name))
        book.cover = summary.cover
        if summary.published_at is not None:
            book.published_at = summary.published_at
        elif summary.status == Status.PUBLISHED:
            book.published_at = book.published_at or now
        else:
            book.published_at = None
        item.book = book
    return [item.book for item in items]


BOOK_FIELDS = (
    "title", "subtitle", "publisher", "year", "pages", "isbn", "lede", "description",
    "authors_intro", "structure_intro", "status",
)  # fmt: skip


class _Authors:
    """The library's authors named in one batch, loaded in two queries.

    An author is shared between summaries: found by slug, else by name (the oldest
    namesake), else created; saved only when a summary changes them. New authors
    are created together by ``create()``: no one can have linked to them yet.
    """

    def __init__(self, entries):
        names = {data.name for data in entries}
        self.by_slug = Author.objects.in_bulk(
            {data.slug for data in entries if data.slug}, field_name="slug"
        )
        self.by_name = dict.fromkeys(names)
        for author in Author.objects.filter(name__in=names).order_by("-pk"):
            self.by_name[author.name] = author
        self.new = []

    def _named(self, name):
        if name not in self.by_name:  # renamed earlier in this batch: ask the database again
            self.by_name[name] = Author.objects.filter(name=name).order_by("pk").first()
        return self.by_name[name]

    def get(self, data):
        author = (self.by_slug.get(data.slug) if data.slug else None) or self._named(data.name)
        if author is None:
            taken = {new.slug for new in self.new}
            author = Author(slug=data.slug or unique_slug(Author, data.name, taken=taken))
            self.new.append(author)
            self.by_slug[author.slug] = author
            self.by_name[data.name] = author
        before = (author.name, author.bio, author.website)
        author.name = data.name
        # A blank bio or url in one file leaves what another summary (or an editor) wrote.
        author.bio = data.bio or author.bio
        author.website = data.url or author.website
        if author.pk is None:
            # Its slug is unique by construction: only the fields need checking.
            author.full_clean(validate_constraints=False)
        elif (author.name, author.bio, author.website) != before:
            author.full_clean(validate_unique=False)
            author.save()
            if self.by_name.get(before[0]) is author and before[0] != author.name:
                del self.by_name[before[0]]
            namesake = self.by_name.get(author.name)
            # A namesake created in this batch is newer than any saved author.
            if namesake is None or namesake.pk is None or namesake.pk > author.pk:
                self.by_name[author.name] = author
            self.by_slug[author.slug] = author
        return author

    def create(self):
        """Create the batch's new authors, in one query."""
        Author.objects.bulk_create([prepare_row(author) for author in self.new])


def _write_authors(items):
    authors = _Authors([data for item in items for data in item.summary.authors])
    links = []
    for item in items:
        for position, data in enumerate(item.summary.authors, start=1):
            with _labelled(item):
                links.append(
                    BookAuthor(book=item.book, author=authors.get(data), position=position)
                )
    authors.create()
    BookAuthor.objects.filter(book__in=_updated(items)).delete()
    BookAuthor.objects.bulk_create(links)


def _write_contents(items):
    """Replace the sections, audience, parts and chapters of a batch's books in bulk."""
    updated = _updated(items)
    for model in (Section, AudienceItem, Part):  # deleting a part deletes its chapters
        model.objects.filter(book__in=updated).delete()
    Section.objects.bulk_create(
        [
            prepare_row(
                Section(book=item.book, position=position, heading=data.heading, body=data.body)
            )
            for item in items
            for position, data in enumerate(item.summary.sections, start=1)
        ]
    )
    AudienceItem.objects.bulk_create(
        [
            prepare_row(AudienceItem(book=item.book, position=position, text=text))
            for item in items
            for position, text in enumerate(item.summary.audience, start=1)
        ]
    )
    parts = [
        (
            prepare_row(
                Part(
                    book=item.book,
                    position=position,
                    label=data.label,
                    title=data.title,
                    summary=data.summary,
                )
            ),
            data.chapters,
        )
        for item in items
        for position, data in enumerate(item.summary.parts, start=1)
    ]
    Part.objects.bulk_create([part for part, _ in parts])
    Chapter.objects.bulk_create(
        [
            prepare_row(
                Chapter(part=part, position=position, title=chapter.title, summary=chapter.summary)
            )
            for part, chapters in parts
            for position, chapter in enumerate(chapters, start=1)
        ]
    )


def _write_tags(items):
    """Set each book's tags (``tag_for_import``: by slug, else by name ignoring case)."""
    tagged_item = Book.tags.through
    tags = {}
    for entry in dict.fromkeys(entry for item in items for entry in item.summary.tag_entries):
        tags[entry] = tag_for_import(*entry)
    wanted = {
        item.book.pk: {tags[entry].pk for entry in item.summary.tag_entries} for item in items
    }
    content_type = ContentType.objects.get_for_model(Book)
    stale = []
    for row, book_pk, tag_pk in tagged_item.objects.filter(
        content_type=content_type, object_id__in=[book.pk for book in _updated(items)]
    ).values_list("pk", "object_id", "tag_id"):
        if tag_pk in wanted[book_pk]:
            wanted[book_pk].remove(tag_pk)
        else:
            stale.append(row)
    tagged_item.objects.filter(pk__in=stale).delete()
    tagged_item.objects.bulk_create(
        [
            tagged_item(content_type=content_type, object_id=book_pk, tag_id=tag_pk)
            for book_pk, tag_pks in wanted.items()
            for tag_pk in tag_pks
        ]
    )


def _write_reviews(items):
    """Create, update or delete each book's review in bulk, then replace the takeaways."""
    updated = _updated(items)
    existing = {review.book_id: review for review in Review.objects.filter(book__in=updated)}
    Takeaway.objects.filter(review__book__in=updated).delete()
    Review.objects.filter(
        book__in=[item.book for item in items if item.summary.review is None]
    ).delete()
    reviews = []
    now = timezone.now()
    for item in items:
        data = item.summary.review
        if data is None:
            continue
        review = existing.get(item.book.pk) or Review(book=item.book)
        review.reviewer = data.reviewer
        review.source = data.source
        review.url = data.url
        review.title = data.title
        review.body = data.body
        review.published_on = data.published_at
        review.updated_at = now  # bulk_update skips auto_now
        with _labelled(item):
            review.full_clean(exclude=["book"], validate_unique=False)
        reviews.append((prepare_row(review), data.takeaways))
    kept = [review for review, _ in reviews if review.pk is not None]
    Review.objects.bulk_create([review for review, _ in reviews if review.pk is None])
    Review.objects.bulk_update(kept, REVIEW_FIELDS)
    Takeaway.objects.bulk_create(
        prepare_row(Takeaway(review=review, position=position, title=data.title, text=data.text))
        for review, takeaways in reviews
        for position, data in enumerate(takeaways, start=1)
    )


REVIEW_FIELDS = (
    "reviewer", "source", "url", "title", "body", "body_html", "published_on", "updated_at",
    "word_count",
)  # fmt: skip


class _PendingLink(NamedTuple):
    """A related link waiting for the end of the file: a plain tuple, small to hold."""

    slug: str | None
    title: str | None
    authors_text: str
    note: str
    featured: bool

    @classmethod
    def of(cls, data):
        return cls(data.slug, data.title, data.authors_text, data.note, data.featured)


def _write_related(pending):
    """Replace the related links of imported books: ``pending`` holds (book pk, label, links)."""
    slugs = {link.slug for _, _, related in pending for link in related if link.slug}
    targets = dict(Book.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    links = []
    for book_pk, label, related in pending:
        for position, data in enumerate(related, start=1):
            target_pk = None
            if data.slug:
                target_pk = targets.get(data.slug)
                if target_pk is None:
                    raise SummaryFileError(
                        f"{label}: related[{position - 1}].slug: no summary with slug "
                        f"{data.slug!r} in the library or in this file"
                    )
                if target_pk == book_pk:
                    raise SummaryFileError(
                        f"{label}: related[{position - 1}].slug: a summary cannot be related "
                        "to itself"
                    )
            links.append(
                RelatedLink(
                    book_id=book_pk,
                    target_id=target_pk,
                    title="" if target_pk else data.title,
                    authors="" if target_pk else data.authors_text,
                    note=data.note,
                    position=position,
                    featured=data.featured,
                )
            )
    RelatedLink.objects.filter(book_id__in=[book_pk for book_pk, _, _ in pending]).delete()
    RelatedLink.objects.bulk_create(links)
