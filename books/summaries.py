"""The summary-file format: validate, import (upsert by slug, one transaction per file), export.

The format is documented in docs/summary-format.md. This module also owns the
queryset that loads a whole summary (book, review, related links) for a page or
an export, since it is the part of ``books`` that knows about ``reviews``.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_unicode_slug
from django.db import models, transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic import ValidationError as SchemaError

from reviews.models import RelatedLink, Review, Takeaway

from .history import record_revision
from .models import (
    AudienceItem,
    Author,
    Book,
    BookAuthor,
    Chapter,
    Part,
    Section,
    Status,
    unique_slug,
    validate_isbn,
)
from .signals import mark_changed


class SummaryFileError(Exception):
    """A summary file that cannot be imported; the message names the file and the field."""


# --- The format ----------------------------------------------------------------------


def _django_check(validator):
    def check(value):
        if value:
            try:
                validator(value)
            except ValidationError as error:
                raise ValueError(" ".join(error.messages)) from None
        return value

    return AfterValidator(check)


def _check_media_path(value):
    path = PurePosixPath(value)
    if value and (path.is_absolute() or ".." in path.parts or "\\" in value):
        raise ValueError("must be a path inside the media folder, e.g. covers/name.jpg")
    return value


def _check_isbn(value):
    if value:
        try:
            validate_isbn(value)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None
    return value


def text_field(max_length=None, *, required=False):
    """A string field; ``required`` means it may not be blank."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1 if required else 0, max_length=max_length
        ),
    ]


Url = Annotated[text_field(200), _django_check(URLValidator(schemes=["http", "https"]))]
Slug = Annotated[text_field(320, required=True), _django_check(validate_unicode_slug)]


class Schema(BaseModel):
    """Base for the format's objects: exact types, unknown keys rejected."""

    model_config = ConfigDict(strict=True, extra="forbid")


class AuthorData(Schema):
    name: text_field(200, required=True)
    slug: Annotated[text_field(220), _django_check(validate_unicode_slug)] = ""
    bio: str = ""
    url: Url = ""


class SectionData(Schema):
    heading: text_field(200, required=True)
    body: text_field(required=True)


class ChapterData(Schema):
    title: text_field(300, required=True)
    summary: str = ""


class PartData(Schema):
    label: text_field(20) = ""
    title: text_field(300, required=True)
    summary: str = ""
    chapters: list[ChapterData] = []


class TakeawayData(Schema):
    title: text_field(200, required=True)
    text: text_field(required=True)


class ReviewData(Schema):
    reviewer: text_field(200, required=True)
    source: text_field(200, required=True)
    url: Url = ""
    title: text_field(300) = ""
    body: str = ""
    published_at: Annotated[date | None, Field(strict=False)] = None
    takeaways: list[TakeawayData] = []


class RelatedData(Schema):
    slug: Slug | None = None
    title: text_field(300) | None = None
    authors: text_field(300) | list[text_field(200, required=True)] = ""
    note: text_field(300, required=True)
    featured: bool = False

    @model_validator(mode="after")
    def slug_or_title(self):
        if bool(self.slug) == bool(self.title):
            raise ValueError("give either 'slug' (a summary in the library) or 'title', not both")
        return self

    @property
    def authors_text(self):
        return ", ".join(self.authors) if isinstance(self.authors, list) else self.authors


class SummaryData(Schema):
    slug: Slug | None = None
    title: text_field(300, required=True)
    subtitle: text_field(300) = ""
    authors: list[AuthorData] = []
    publisher: text_field(200) = ""
    year: Annotated[int, Field(ge=1450, le=2100)] | None = None
    pages: Annotated[int, Field(ge=1)] | None = None
    isbn: Annotated[text_field(17), AfterValidator(_check_isbn)] = ""
    cover: Annotated[text_field(100), AfterValidator(_check_media_path)] = ""
    lede: text_field(600) = ""
    description: str = ""
    authors_intro: str = ""
    structure_intro: str = ""
    sections: list[SectionData] = []
    audience: list[text_field(300, required=True)] = []
    tags: list[text_field(100, required=True)] = []
    status: Literal["published", "draft"] = "draft"
    published_at: Annotated[AwareDatetime | None, Field(strict=False)] = None
    parts: list[PartData] = []
    review: ReviewData | None = None
    related: list[RelatedData] = []

    @model_validator(mode="after")
    def consistent(self):
        names = [author.slug or author.name.casefold() for author in self.authors]
        if len(names) != len(set(names)):
            raise ValueError("authors: the same author is listed twice")
        if sum(link.featured for link in self.related) > 1:
            raise ValueError("related: only one link can be featured")
        if self.slug and any(link.slug == self.slug for link in self.related):
            raise ValueError("related: a summary cannot be related to itself")
        return self

    @property
    def book_slug(self):
        return self.slug or slugify(self.title, allow_unicode=True)[:320].strip("-")


# --- Reading and validating -------------------------------------------------------------


def _location(loc):
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(summary)"


def _describe(path, index, raw):
    title = raw.get("title") if isinstance(raw, dict) else None
    label = f"summary #{index + 1}"
    if isinstance(title, str) and title.strip():
        label += f" ({title.strip()[:80]!r})"
    return f"{path}: {label}"


def read_items(path):
    """Read a summary file into a list of raw summary objects, or raise SummaryFileError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SummaryFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SummaryFileError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SummaryFileError(
            f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise SummaryFileError(f"{path}: must hold one summary object or a list of them")


def validate_item(path, index, raw):
    """Check one raw summary against the format; errors name the file and every bad field."""
    if not isinstance(raw, dict):
        raise SummaryFileError(f"{_describe(path, index, raw)}: must be an object with a 'title'")
    try:
        summary = SummaryData.model_validate(raw)
    except SchemaError as error:
        problems = "; ".join(
            f"{_location(problem['loc'])}: {problem['msg'].removeprefix('Value error, ')}"
            for problem in error.errors()
        )
        raise SummaryFileError(f"{_describe(path, index, raw)}: {problems}") from None
    if not summary.book_slug:
        raise SummaryFileError(
            f"{_describe(path, index, raw)}: slug: cannot be derived from the title; give one"
        )
    return summary


# --- Importing --------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did: the slugs created and updated."""

    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)


def import_file(path):
    """Import every summary of ``path`` in one transaction: all of them, or nothing."""
    items = read_items(path)
    result = ImportResult()
    with transaction.atomic():
        pending_related = []
        for index, raw in enumerate(items):
            summary = validate_item(path, index, raw)
            try:
                book, created = _upsert_book(summary)
            except ValidationError as error:
                raise SummaryFileError(
                    f"{_describe(path, index, raw)}: {_model_errors(error)}"
                ) from None
            (result.created if created else result.updated).append(book.slug)
            pending_related.append((book, summary.related, _describe(path, index, raw)))
        # Links are written last, so that summaries in one file may point at each other.
        for book, related, label in pending_related:
            _replace_related(book, related, label)
        for book, _, _ in pending_related:
            record_revision(book, comment=f"Imported from {Path(path).name}.")
        # Children are written with bulk_create, which sends no signals: name the
        # summaries explicitly, so the index (in batches) and caches follow the commit.
        mark_changed(book.pk for book, _, _ in pending_related)
    return result


def _model_errors(error):
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name if name != '__all__' else 'summary'}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _upsert_book(summary):
    book = Book.objects.filter(slug=summary.book_slug).first()
    created = book is None
    if created:
        book = Book(slug=summary.book_slug)
    for name in (
        "title", "subtitle", "publisher", "year", "pages", "isbn", "lede", "description",
        "authors_intro", "structure_intro", "status",
    ):  # fmt: skip
        setattr(book, name, getattr(summary, name))
    book.cover = summary.cover
    if summary.published_at is not None:
        book.published_at = summary.published_at
    elif summary.status == Status.PUBLISHED:
        book.published_at = book.published_at or timezone.now()
    else:
        book.published_at = None
    book.full_clean()
    book.save()

    _replace_authors(book, summary.authors)
    _replace_children(book, summary)
    book.tags.set(summary.tags, clear=False)
    _replace_review(book, summary.review)
    return book, created


def _author_for(data):
    author = None
    if data.slug:
        author = Author.objects.filter(slug=data.slug).first()
    if author is None:
        author = Author.objects.filter(name=data.name).order_by("pk").first()
    if author is None:
        author = Author(name=data.name, slug=data.slug or unique_slug(Author, data.name))
    author.name = data.name
    # An author is shared between summaries: a blank bio or url in one file
    # leaves what another summary (or an editor) wrote.
    author.bio = data.bio or author.bio
    author.website = data.url or author.website
    author.full_clean(validate_unique=False)
    author.save()
    return author


def _replace_authors(book, authors):
    book.book_authors.all().delete()
    BookAuthor.objects.bulk_create(
        BookAuthor(book=book, author=_author_for(data), position=position)
        for position, data in enumerate(authors, start=1)
    )


def _rendered(instance):
    """Prepare a row for ``bulk_create``, which skips ``save()``: render, then count words."""
    if hasattr(instance, "render_markdown"):
        instance.render_markdown()
    instance.count_words()
    return instance


def _replace_children(book, summary):
    book.sections.all().delete()
    Section.objects.bulk_create(
        _rendered(Section(book=book, position=position, heading=data.heading, body=data.body))
        for position, data in enumerate(summary.sections, start=1)
    )
    book.audience.all().delete()
    AudienceItem.objects.bulk_create(
        _rendered(AudienceItem(book=book, position=position, text=text))
        for position, text in enumerate(summary.audience, start=1)
    )
    book.parts.all().delete()
    parts = Part.objects.bulk_create(
        _rendered(
            Part(
                book=book,
                position=position,
                label=data.label,
                title=data.title,
                summary=data.summary,
            )
        )
        for position, data in enumerate(summary.parts, start=1)
    )
    Chapter.objects.bulk_create(
        _rendered(
            Chapter(part=part, position=position, title=chapter.title, summary=chapter.summary)
        )
        for part, data in zip(parts, summary.parts, strict=True)
        for position, chapter in enumerate(data.chapters, start=1)
    )


def _replace_review(book, data):
    if data is None:
        Review.objects.filter(book=book).delete()
        return
    review = Review.objects.filter(book=book).first() or Review(book=book)
    review.reviewer = data.reviewer
    review.source = data.source
    review.url = data.url
    review.title = data.title
    review.body = data.body
    review.published_on = data.published_at
    review.full_clean(exclude=["book"], validate_unique=False)
    review.save()
    review.takeaways.all().delete()
    Takeaway.objects.bulk_create(
        _rendered(Takeaway(review=review, position=position, title=item.title, text=item.text))
        for position, item in enumerate(data.takeaways, start=1)
    )


def _replace_related(book, related, label):
    slugs = {link.slug for link in related if link.slug}
    targets = {target.slug: target for target in Book.objects.filter(slug__in=slugs)}
    links = []
    for position, data in enumerate(related, start=1):
        target = None
        if data.slug:
            target = targets.get(data.slug)
            if target is None:
                raise SummaryFileError(
                    f"{label}: related[{position - 1}].slug: no summary with slug "
                    f"{data.slug!r} in the library or in this file"
                )
            if target.pk == book.pk:
                raise SummaryFileError(
                    f"{label}: related[{position - 1}].slug: a summary cannot be related to itself"
                )
        links.append(
            RelatedLink(
                book=book,
                target=target,
                title="" if target else data.title,
                authors="" if target else data.authors_text,
                note=data.note,
                position=position,
                featured=data.featured,
            )
        )
    book.related_links.all().delete()
    RelatedLink.objects.bulk_create(links)


# --- Loading a whole summary, and exporting -------------------------------------------


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
    """A book queryset with everything a summary page or an export shows, in fixed queries."""
    return with_reading_time(with_review_and_related(books.with_contents(), public=public))


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


def export_summary(book):
    """One summary as a dict in the summary-file format (``book`` from ``full_summaries``)."""
    data = {
        "slug": book.slug,
        "title": book.title,
        "subtitle": book.subtitle,
        "authors": [
            {"name": a.name, "slug": a.slug, "bio": a.bio, "url": a.website}
            for a in book.ordered_authors
        ],
        "publisher": book.publisher,
        "year": book.year,
        "pages": book.pages,
        "isbn": book.isbn,
        "cover": book.cover.name or "",
        "lede": book.lede,
        "description": book.description,
        "authors_intro": book.authors_intro,
        "structure_intro": book.structure_intro,
        "sections": [{"heading": s.heading, "body": s.body} for s in book.sections.all()],
        "audience": [item.text for item in book.audience.all()],
        "tags": sorted(tag.name for tag in book.tags.all()),
        "status": book.status,
        "published_at": book.published_at.isoformat() if book.published_at else None,
        "parts": [
            {
                "label": part.label,
                "title": part.title,
                "summary": part.summary,
                "chapters": [{"title": c.title, "summary": c.summary} for c in part.chapters.all()],
            }
            for part in book.parts.all()
        ],
        "review": None,
        "related": [],
    }
    review = review_of(book)
    if review is not None:
        data["review"] = {
            "reviewer": review.reviewer,
            "source": review.source,
            "url": review.url,
            "title": review.title,
            "body": review.body,
            "published_at": review.published_on.isoformat() if review.published_on else None,
            "takeaways": [{"title": t.title, "text": t.text} for t in review.takeaways.all()],
        }
    for link in book.related_links.all():
        item = (
            {"slug": link.target.slug}
            if link.target_id
            else {"title": link.title, "authors": link.authors}
        )
        item.update(note=link.note, featured=link.featured)
        data["related"].append(item)
    return data


def iter_exports(books):
    """Yield every summary of ``books`` in the file format, loading them in batches."""
    for book in full_summaries(books, public=False).order_by("pk").iterator(chunk_size=200):
        yield export_summary(book)
