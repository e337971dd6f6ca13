"""Import summary files: upsert by slug in batches, one transaction per file.

An update that would take something away from a summary (parts, chapters, its
review, related links, or its publication) is refused unless the file names the
summary's slug and the import is run with ``replace``; a summary the file leaves
exactly as it is is not written at all (no new version, no history entry).
"""

import itertools
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
from books.tags import fold, tag_for_import
from reviews.models import RelatedLink, Review, Takeaway

from .export import export_summary, tag_redirects, translated_slugs
from .format import (
    DEFAULT_MAX_BYTES,
    SummaryData,
    SummaryFileError,
    describe_item,
    read_items,
    validate_item,
)
from .loader import ALL_LINKS, load_summaries
from .saving import InvalidSummaryError, prepare_row, writing

# Summaries validated and written together: bounds the memory an import holds and
# turns per-summary queries into a few bulk queries per batch.
IMPORT_BATCH_SIZE = 100
# Imports at least this large refresh PostgreSQL's planner statistics before committing.
ANALYZE_AFTER = 200


@dataclass
class ImportResult:
    """What an import did (or, dry, would do): the slugs created, updated and left unchanged;
    ``changes`` says for each updated slug what changes in it."""

    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    changes: dict = field(default_factory=dict)
    dry_run: bool = False


@dataclass
class _Item:
    """One validated summary of a file on its way into the library."""

    label: str
    summary: SummaryData
    book: Book | None = None
    created: bool = False
    changes: list = field(default_factory=list)


class _DryRun(Exception):  # noqa: N818 (not an error: it rolls a dry run back)
    """Raised at the end of a dry run to roll its transaction back."""


def iter_summaries(path, *, max_bytes=DEFAULT_MAX_BYTES):
    """Yield ``(label, SummaryData)`` for each summary of ``path``, validated, one at a time."""
    first_seen = {}
    for index, raw in enumerate(read_items(path, max_bytes=max_bytes)):
        summary = validate_item(path, index, raw)
        label = describe_item(path, index, raw)
        slug = summary.book_slug
        if slug in first_seen:
            raise SummaryFileError(
                _("%(label)s: slug: %(slug)r is already used by summary #%(number)d of this file")
                % {"label": label, "slug": slug, "number": first_seen[slug] + 1}
            )
        first_seen[slug] = index
        yield label, summary


def import_file(
    path,
    *,
    batch_size=IMPORT_BATCH_SIZE,
    replace=False,
    dry_run=False,
    max_bytes=DEFAULT_MAX_BYTES,
):
    """Import every summary of ``path`` in one transaction: all of them, or nothing.

    The file is streamed and written ``batch_size`` summaries at a time through the
    write path (``writing``), so memory stays flat however many summaries it holds:
    only each summary's related links (a few small tuples) wait for the end.
    ``replace`` lets a summary that names its slug remove parts, chapters, the
    review or related links, or unpublish; ``dry_run`` does everything, then rolls
    it back, and says what would have changed.
    """
    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            _import(path, result, batch_size=batch_size, replace=replace, max_bytes=max_bytes)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def _import(path, result, *, batch_size, replace, max_bytes):
    pending_links, pending_translations = [], []
    with writing(comment=f"Imported from {Path(path).name}.") as write:
        for batch in itertools.batched(iter_summaries(path, max_bytes=max_bytes), batch_size):
            items = [_Item(label, summary) for label, summary in batch]
            books = _books(items)
            _compare_with_library(items, replace=replace)
            changed = [item for item in items if item.created or item.changes]
            try:
                write.save(
                    [item.book for item in changed],
                    write_rows=lambda changed=changed: _write_rows(changed),
                )
            except InvalidSummaryError as error:
                label = next(item.label for item in items if item.book is error.book)
                raise SummaryFileError(f"{label}: {_model_errors(error.error)}") from None
            del books
            for item in items:
                slug = item.book.slug
                if item.created:
                    result.created.append(slug)
                elif item.changes:
                    result.updated.append(slug)
                    result.changes[slug] = item.changes
                else:
                    result.unchanged.append(slug)
            for item in changed:
                links = tuple(_PendingLink.of(link) for link in item.summary.related)
                pending_links.append((item.book.pk, item.label, links))
                if item.summary.translation_of or item.book.translation_of_id:
                    pending_translations.append(
                        (item.book.pk, item.label, item.summary.translation_of)
                    )
        # Links and translations are written last, so that summaries in one file may point
        # at each other, in any order.
        for batch in itertools.batched(pending_links, batch_size):
            _write_related(batch)
        _write_translations(pending_translations)
        if len(pending_links) >= ANALYZE_AFTER:
            _analyze_written_tables()


# --- What an update changes -------------------------------------------------------------


def _compare_with_library(items, *, replace):
    """Set each existing summary's ``changes``; refuse an update that takes something away
    unless the file names the slug and ``replace`` is given."""
    existing = [item for item in items if not item.created]
    if not existing:
        return
    summaries = load_summaries(
        Book.objects.filter(pk__in=[item.book.pk for item in existing]), links=ALL_LINKS
    )
    translated = translated_slugs(summaries)
    redirects = tag_redirects({tag.pk for summary in summaries for tag in summary.tags})
    now = {summary.book.pk: export_summary(summary, redirects, translated) for summary in summaries}
    for item in existing:
        current = now[item.book.pk]
        incoming = _as_export(item.summary, current)
        item.changes = _differences(current, incoming)
        removed = _removals(current, incoming)
        if not removed:
            continue
        what = _sentence(removed)
        if not item.summary.slug:
            raise SummaryFileError(
                _(
                    "%(label)s: its title leads to the existing summary %(slug)r, and updating "
                    "it would %(what)s. Nothing was changed: to replace that summary, write "
                    '"slug": "%(plain_slug)s" in the file and import with --replace; for a '
                    "different book, give it another slug."
                )
                % {
                    "label": item.label,
                    "slug": current["slug"],
                    "plain_slug": current["slug"],
                    "what": what,
                }
            )
        if not replace:
            raise SummaryFileError(
                _(
                    "%(label)s: updating the existing summary %(slug)r would %(what)s. "
                    "Import with --replace to do that."
                )
                % {"label": item.label, "slug": current["slug"], "what": what}
            )


def _as_export(summary, current):
    """The file's summary as ``export_summary`` would write it after the import."""
    data = summary.model_dump(mode="json")
    data["slug"] = summary.book_slug
    authors = []
    for position, author in enumerate(summary.authors):
        known = current["authors"][position] if position < len(current["authors"]) else None
        same = known is not None and (
            known["slug"] == author.slug if author.slug else known["name"] == author.name
        )
        authors.append(
            {
                "name": author.name,
                "slug": author.slug or (known["slug"] if same else ""),
                # A blank bio or url in a file keeps what the library has.
                "bio": author.bio or (known["bio"] if same else ""),
                "url": author.url or (known["url"] if same else ""),
            }
        )
    data["authors"] = authors
    data["tags"] = [
        name
        if slug is None
        else {
            "name": name,
            "slug": slug,
            "redirects": list(redirects),
            "translations": {
                code: {"name": local, "slug": local_slug} for code, local, local_slug in names
            },
        }
        for name, slug, redirects, names in summary.tag_entries
    ]
    if summary.published_at is not None:
        data["published_at"] = summary.published_at
    elif summary.status == Status.PUBLISHED:
        data["published_at"] = _when(current["published_at"]) or "now"
    else:
        data["published_at"] = None
    data["related"] = [
        {"slug": link.slug} if link.slug else {"title": link.title, "authors": link.authors_text}
        for link in summary.related
    ]
    for link, source in zip(data["related"], summary.related, strict=True):
        link.update(note=source.note, featured=source.featured)
    return data


def _when(value):
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _comparable_tag(tag):
    """A tag as a file and an export both can say it: its name ignoring case, and its slug and
    old slugs when they are given (a plain name takes whatever slug the tag has)."""
    if isinstance(tag, str):
        return (fold(tag), "", (), ())
    names = tag.get("translations") or {}
    return (
        fold(tag["name"]),
        tag.get("slug") or "",
        tuple(sorted(tag.get("redirects") or ())),
        tuple(sorted((code, fold(t["name"]), t.get("slug") or "") for code, t in names.items())),
    )


def _comparable(data):
    data = dict(data)
    data["tags"] = sorted(_comparable_tag(tag) for tag in data["tags"])
    data["published_at"] = _when(data["published_at"])
    data["unpublish_at"] = _when(data["unpublish_at"])
    return data


# What ``_removals`` says for unpublishing; ``_sentence`` puts it last.
UNPUBLISH = object()

LISTS = {
    "authors": ("author", "authors"),
    "sections": ("section", "sections"),
    "audience": ("audience line", "audience lines"),
    "tags": ("tag", "tags"),
    "parts": ("part", "parts"),
    "related": ("related link", "related links"),
}


def _differences(current, incoming):
    """What changes from ``current`` to ``incoming`` (export dicts), as short phrases."""
    current, incoming = _comparable(current), _comparable(incoming)
    if current == incoming:
        return []
    changes = []
    fields = [
        name
        for name in current
        if name not in LISTS and name != "review" and current[name] != incoming.get(name)
    ]
    if fields:
        changes.append(f"{', '.join(fields)} changed")
    for name, (one, many) in LISTS.items():
        old, new = current[name], incoming[name]
        added, removed = max(len(new) - len(old), 0), max(len(old) - len(new), 0)
        edited = sum(a != b for a, b in zip(old, new, strict=False))
        for count, verb in ((added, "added"), (removed, "removed"), (edited, "changed")):
            if count:
                changes.append(f"{count} {one if count == 1 else many} {verb}")
    old_chapters = [c for part in current["parts"] for c in part["chapters"]]
    new_chapters = [c for part in incoming["parts"] for c in part["chapters"]]
    if old_chapters != new_chapters:
        changes.append(f"chapters: {len(old_chapters)} → {len(new_chapters)}")
    if current["review"] != incoming["review"]:
        changes.append(
            "review added"
            if current["review"] is None
            else "review removed"
            if incoming["review"] is None
            else "review changed"
        )
    return changes or ["changed"]


def _missing(old, new):
    """The items of ``old`` not in ``new``, counting repeats."""
    left = list(new)
    gone = []
    for item in old:
        if item in left:
            left.remove(item)
        else:
            gone.append(item)
    return gone


def _removals(current, incoming):
    """What updating ``current`` to ``incoming`` takes away, as phrases (empty: nothing)."""
    removed = []
    parts = _missing(
        [p["title"] for p in current["parts"]], [p["title"] for p in incoming["parts"]]
    )
    if parts:
        removed.append(
            _counted(
                ngettext("%(count)d part (%(names)s)", "%(count)d parts (%(names)s)", len(parts)),
                parts,
            )
        )
    chapters = _missing(
        [c["title"] for p in current["parts"] for c in p["chapters"]],
        [c["title"] for p in incoming["parts"] for c in p["chapters"]],
    )
    if chapters:
        removed.append(
            _counted(
                ngettext(
                    "%(count)d chapter (%(names)s)", "%(count)d chapters (%(names)s)", len(chapters)
                ),
                chapters,
            )
        )
    if current["review"] is not None and incoming["review"] is None:
        removed.append(_("the review by %s") % current["review"]["reviewer"])
    links = _missing(
        [link.get("slug") or link.get("title") for link in current["related"]],
        [link.get("slug") or link.get("title") for link in incoming["related"]],
    )
    if links:
        removed.append(
            _counted(
                ngettext(
                    "%(count)d related link (%(names)s)",
                    "%(count)d related links (%(names)s)",
                    len(links),
                ),
                links,
            )
        )
    if current["status"] == Status.PUBLISHED and incoming["status"] != Status.PUBLISHED:
        removed.append(UNPUBLISH)
    return removed


def _counted(message, names, shown=3):
    count = len(names)
    listed = ", ".join(repr(name) for name in names[:shown]) + (", …" if count > shown else "")
    return message % {"count": count, "names": listed}


def _sentence(removed):
    things = [phrase for phrase in removed if phrase is not UNPUBLISH]
    parts = []
    if things:
        listed = (", ".join(things[:-1]) + _(" and ") if len(things) > 1 else "") + things[-1]
        parts.append(_("remove %s") % listed)
    if UNPUBLISH in removed:
        parts.append(_("unpublish it"))
    return _(" and ").join(parts)


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
            f"{name if name != '__all__' else _('summary')}: {' '.join(messages)}"
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
        if summary.cover and not default_storage.exists(summary.cover):
            raise SummaryFileError(
                _(
                    "%(label)s: cover: there is no file %(cover)r in the media folder; "
                    "copy the image there first, or leave 'cover' out"
                )
                % {"label": item.label, "cover": summary.cover}
            )
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
    "authors_intro", "structure_intro", "language", "status", "unpublish_at", "seo_title",
    "seo_description",
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
                        _(
                            "%(label)s: related[%(index)d].slug: no summary with slug "
                            "%(slug)r in the library or in this file"
                        )
                        % {"label": label, "index": position - 1, "slug": data.slug}
                    )
                if target_pk == book_pk:
                    raise SummaryFileError(
                        _(
                            "%(label)s: related[%(index)d].slug: a summary cannot be related "
                            "to itself"
                        )
                        % {"label": label, "index": position - 1}
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


def _write_translations(pending):
    """Link imported summaries to the ones they translate: ``pending`` holds (book pk, label,
    slug or None). Checked as the admin checks a link: another language, one per language.

    The file's links replace the library's: they are all undone first, so that a file
    may turn a group around (the translation becoming the summary others name).
    """
    if not pending:
        return
    Book.objects.filter(pk__in=[book_pk for book_pk, _, _ in pending]).update(translation_of=None)
    books = Book.objects.in_bulk([book_pk for book_pk, _, _ in pending])
    for book_pk, label, slug in pending:
        if not slug:
            continue
        target = Book.objects.filter(slug=slug).first()
        if target is None:
            raise SummaryFileError(
                f"{label}: translation_of: no summary with slug {slug!r} in the library or "
                "in this file"
            )
        book = books[book_pk]
        book.translation_of = target
        try:
            book.clean_translation()
        except ValidationError as error:
            raise SummaryFileError(f"{label}: {_model_errors(error)}") from None
        Book.objects.filter(pk=book_pk).update(translation_of=book.translation_of)
