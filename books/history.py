"""The history of summaries (django-reversion): what is recorded, diffs, restores, conflicts.

A summary is recorded whole in one revision: the book and everything an editor
edits on its page (authors in order, sections, parts and chapters, audience,
tags, the review with its takeaways, related links), with who saved it and
when. Authors and tags themselves are shared between summaries, so a revision
holds the links to them, not their rows: restoring a summary never renames or
deletes another summary's author or tag.
"""

import difflib
import json
import re
from collections import defaultdict
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router, transaction
from django.utils import dateformat, timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from reversion.errors import RevertError
from reversion.models import Revision, Version
from reversion.revisions import _get_options  # a registered model's options: no public API
from taggit.models import Tag, TaggedItem

from reviews.models import RelatedLink, Review, Takeaway

from .models import AudienceItem, Author, Book, BookAuthor, Chapter, Part, Section, Status

# Each model of a summary and the relations that lead to the rest of it.
SUMMARY_GRAPH = {
    Book: [
        "book_authors",
        "sections",
        "audience",
        "parts",
        "tagged_items",
        "review",
        "related_links",
    ],
    BookAuthor: [],
    Section: [],
    AudienceItem: [],
    Part: ["chapters"],
    Chapter: [],
    TaggedItem: [],
    Review: ["takeaways"],
    Takeaway: [],
    RelatedLink: [],
}

for _model, _follow in SUMMARY_GRAPH.items():
    if not reversion.is_registered(_model):
        # Book's many-to-many fields are stored through BookAuthor and TaggedItem rows.
        _exclude = ("authors", "tags") if _model is Book else ()
        reversion.register(_model, follow=_follow, exclude=_exclude)


class RestoreError(Exception):
    """An earlier version that cannot be put back; the message says why."""


# --- Recording ----------------------------------------------------------------------------


def summary_objects(book):
    """The book and every row of its summary as they are in the database now."""
    found = []
    seen = set()

    def walk(obj):
        key = (type(obj), obj.pk)
        if key in seen:
            return
        seen.add(key)
        found.append(obj)
        for name in SUMMARY_GRAPH.get(type(obj), ()):
            try:
                related = getattr(obj, name)
            except ObjectDoesNotExist:
                continue
            if hasattr(related, "all"):
                for item in related.all():
                    walk(item)
            elif related is not None:
                walk(related)

    walk(book)
    return found


def record_summary(book):
    """Put the whole summary, as saved now, into the current revision."""
    for obj in summary_objects(book):
        reversion.add_to_revision(obj)


def record_revision(book, *, user=None, comment):
    """Record the whole summary, as it is now, as a revision of its own."""
    with reversion.create_revision():
        record_summary(book)
        reversion.set_user(user)
        reversion.set_comment(comment)


# Everything ``summary_objects`` walks and each row's ``__str__`` reads, for a batch.
SUMMARY_PREFETCH = (
    "book_authors__author",
    "sections",
    "audience",
    "parts__chapters",
    "tagged_items__tag",
    "tagged_items__content_object",
    "review__takeaways",
    "related_links__target",
)


def record_revisions(books, *, user=None, comment):
    """Record each summary of ``books`` as a revision of its own, in bulk (for imports).

    Stores what ``record_revision`` stores for each book (``tests/books/
    test_history_bulk.py`` compares them), with the rows loaded by a few prefetch
    queries, serialized once per model, and every revision and version written by
    two bulk inserts, instead of some twenty queries and two serializations of
    each row per summary. Use it for rows just written in the current
    transaction: unlike a revision context, it does not re-check that they exist.
    """
    if hasattr(books, "prefetch_related"):  # else: books loaded with SUMMARY_PREFETCH
        books = books.prefetch_related(*SUMMARY_PREFETCH)
    revisions, rows = [], []
    for book in books:
        revision = Revision(date_created=timezone.now(), user=user, comment=comment)
        revisions.append(revision)
        rows.extend((revision, obj) for obj in summary_objects(book))
    Revision.objects.bulk_create(revisions)
    versions = _versions_of([obj for _, obj in rows])
    for (revision, _), version in zip(rows, versions, strict=True):
        version.revision = revision
    Version.objects.bulk_create(versions)


def _versions_of(objects):
    """The Version rows django-reversion's ``add_to_revision`` makes for ``objects``, in order."""
    versions = [None] * len(objects)
    by_model = defaultdict(list)
    for index, obj in enumerate(objects):
        by_model[type(obj)].append(index)
    for model, indexes in by_model.items():
        options = _get_options(model)
        content_type = ContentType.objects.get_for_model(
            model, for_concrete_model=options.for_concrete_model
        )
        group = [objects[index] for index in indexes]
        for index, obj, data in zip(indexes, group, _serialized(group, options), strict=True):
            versions[index] = Version(
                content_type=content_type,
                object_id=str(getattr(obj, options.object_id_field)),
                db=router.db_for_write(model, instance=obj),
                format=options.format,
                serialized_data=data,
                object_repr=str(obj),
            )
    return versions


def _serialized(objects, options):
    """Each object serialized on its own, as ``serializers.serialize(format, [obj])`` would."""
    if options.format != "json":
        return [
            serializers.serialize(
                options.format,
                (obj,),
                fields=options.fields,
                use_natural_foreign_keys=options.use_natural_foreign_keys,
            )
            for obj in objects
        ]
    # Django's JSON serializer writes "[" + json.dump(<python form>) + "]\n" per call;
    # one "python" pass and the C JSON encoder produce the same text twice as fast.
    return [
        "[" + json.dumps(item, cls=DjangoJSONEncoder, ensure_ascii=False) + "]\n"
        for item in serializers.serialize(
            "python",
            objects,
            fields=options.fields,
            use_natural_foreign_keys=options.use_natural_foreign_keys,
        )
    ]


def record_save(book, *, user=None, comment):
    """Save ``book`` (counting its version) and record the whole summary as one revision."""
    with transaction.atomic():
        book.save()
        record_revision(book, user=user, comment=comment)
    return book


def versions_of(book_pk):
    """Recorded versions of a summary, newest first, with who saved them."""
    return (
        Version.objects.get_for_object_reference(Book, book_pk)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def revision_objects(revision):
    """The rows stored in ``revision``, as unsaved model instances."""
    return [version._object_version.object for version in revision.version_set.all()]


# --- A summary as a document, and the differences between two ---------------------------


@dataclass
class Line:
    """One line of a summary written out as text; headings start a part of the document."""

    text: str
    heading: bool = False


def _when(value):
    return dateformat.format(timezone.localtime(value), "j M Y, H:i") if value else ""


def _text_block(title, text):
    lines = [Line(title, heading=True)]
    lines += [Line(line) for line in (text or "").splitlines() if line.strip()]
    return lines


def summary_document(objects):
    """Write a summary (rows from the database or from a revision) out as lines of text."""
    rows = {}
    for obj in objects:
        rows.setdefault(type(obj), []).append(obj)
    by_position = {
        model: sorted(items, key=lambda o: o.position)
        for model, items in rows.items()
        if hasattr(model, "position")
    }
    book = rows[Book][0]
    author_names = Author.objects.in_bulk([link.author_id for link in rows.get(BookAuthor, [])])
    tag_names = Tag.objects.in_bulk([item.tag_id for item in rows.get(TaggedItem, [])])
    targets = Book.objects.in_bulk([link.target_id for link in rows.get(RelatedLink, [])])

    authors = ", ".join(
        str(author_names.get(link.author_id, "(deleted author)"))
        for link in by_position.get(BookAuthor, [])
    )
    tags = ", ".join(
        sorted(tag_names[i.tag_id].name for i in rows.get(TaggedItem, []) if i.tag_id in tag_names)
    )

    lines = [Line("Book facts", heading=True)]
    for label, value in [
        ("Title", book.title),
        ("Subtitle", book.subtitle),
        ("Slug", book.slug),
        ("Authors", authors),
        ("Publisher", book.publisher),
        ("Year", book.year),
        ("Pages", book.pages),
        ("ISBN", book.isbn),
        ("Cover", book.cover.name if book.cover else ""),
        ("Status", Status(book.status).label),
        ("Publication date", _when(book.published_at)),
        ("Tags", tags),
        ("Lede", book.lede),
        ("Authors intro", book.authors_intro),
    ]:
        if value not in ("", None):
            lines.append(Line(f"{label}: {value}"))
    lines += _text_block("Description", book.description)
    lines += _text_block("Structure intro", book.structure_intro)
    for section in by_position.get(Section, []):
        lines += _text_block(f"Section: {section.heading}", section.body)
    chapters = by_position.get(Chapter, [])
    for part in by_position.get(Part, []):
        label = f"{part.label}. " if part.label else ""
        lines += _text_block(f"Part {label}{part.title}", part.summary)
        for chapter in (c for c in chapters if c.part_id == part.pk):
            lines += _text_block(
                f"Chapter {part.position}.{chapter.position}: {chapter.title}", chapter.summary
            )
    audience = by_position.get(AudienceItem, [])
    if audience:
        lines.append(Line("Who this book is for", heading=True))
        lines += [Line(f"- {item.text}") for item in audience]
    for review in rows.get(Review, []):
        lines.append(Line(f"Review by {review.reviewer} ({review.source})", heading=True))
        for label, value in [
            ("Source URL", review.url),
            ("Review title", review.title),
            ("Published on", review.published_on),
        ]:
            if value:
                lines.append(Line(f"{label}: {value}"))
        lines += [Line(line) for line in review.body.splitlines() if line.strip()]
        for takeaway in by_position.get(Takeaway, []):
            lines += _text_block(f"Takeaway: {takeaway.title}", takeaway.text)
    links = by_position.get(RelatedLink, [])
    if links:
        lines.append(Line("Related chapters", heading=True))
        for link in links:
            target = targets.get(link.target_id)
            title = target.title if target else link.title or "(deleted summary)"
            featured = " (featured)" if link.featured else ""
            lines.append(Line(f"- {title}{featured}: {link.note}"))
    return lines


@dataclass
class Hunk:
    """A run of changed lines, under the heading of the part of the summary it is in."""

    heading: str
    rows: list  # (kind, html): kind is "same", "removed" or "added"


_WORDS = re.compile(r"(\s+)")
_JOINED_DEL = re.compile(r"</del>(\s+)<del>")
_JOINED_INS = re.compile(r"</ins>(\s+)<ins>")


def _marked_pair(old, new):
    """Two versions of a line as HTML, with the words that differ in <del> and <ins>."""
    old_words, new_words = _WORDS.split(old), _WORDS.split(new)
    old_html, new_html = [], []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = escape("".join(old_words[i1:i2])), escape("".join(new_words[j1:j2]))
        if tag == "equal":
            old_html.append(before)
            new_html.append(after)
            continue
        if before:
            old_html.append(f"<del>{before}</del>")
        if after:
            new_html.append(f"<ins>{after}</ins>")
    # One mark over a run of changed words, rather than one per word.
    old_joined = _JOINED_DEL.sub(r"\1", "".join(old_html))
    new_joined = _JOINED_INS.sub(r"\1", "".join(new_html))
    return mark_safe(old_joined), mark_safe(new_joined)  # noqa: S308 (escaped above)


def compare_documents(old, new, context=1):
    """The differences between two summary documents, as hunks of changed lines."""
    old_text, new_text = [line.text for line in old], [line.text for line in new]
    matcher = difflib.SequenceMatcher(None, old_text, new_text, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        first_new = group[0][3]
        heading = next(
            (line.text for line in reversed(new[: first_new + 1]) if line.heading),
            new[0].text if new else "",
        )
        rows = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [("same", escape(text)) for text in old_text[i1:i2]]
                continue
            removed, added = old_text[i1:i2], new_text[j1:j2]
            if tag == "replace":
                pairs = min(len(removed), len(added))
                marked = [_marked_pair(a, b) for a, b in zip(removed, added, strict=False)]
                rows += [("removed", before) for before, _ in marked]
                rows += [("removed", escape(text)) for text in removed[pairs:]]
                rows += [("added", after) for _, after in marked]
                rows += [("added", escape(text)) for text in added[pairs:]]
            else:
                rows += [("removed", escape(text)) for text in removed]
                rows += [("added", escape(text)) for text in added]
        hunks.append(Hunk(heading=heading, rows=rows))
    return hunks


def compare_versions(old_version, new_version=None):
    """Hunks between two recorded versions of a summary; no ``new_version`` means as it is now."""
    old = summary_document(revision_objects(old_version.revision))
    if new_version is None:
        book = Book.objects.get(pk=old_version.object_id)
        new = summary_document(summary_objects(book))
    else:
        new = summary_document(revision_objects(new_version.revision))
    return compare_documents(old, new)


# --- Lost-update protection ----------------------------------------------------------------


@dataclass
class Conflict:
    """What happened to a summary since an editor opened it at an older version."""

    saved_by: list  # revisions recorded since, newest first
    hunks: list | None  # None when the editor's version was not recorded


def changes_since(book, loaded_version):
    """Who changed ``book`` after version ``loaded_version``, and how, for the editor to see."""
    base, newer = None, []
    for version in versions_of(book.pk)[:200]:
        number = version.field_dict.get("version")
        if number is None:
            continue
        if loaded_version is not None and number > loaded_version:
            newer.append(version.revision)
        elif number == loaded_version:
            base = version
            break
    hunks = compare_versions(base) if base is not None else None
    return Conflict(saved_by=newer, hunks=hunks)


# --- Restoring -------------------------------------------------------------------------------


def _missing_references(objects):
    """Rows outside the revision that it points to and that no longer exist, described."""
    inside = {(type(obj), obj.pk) for obj in objects}
    wanted = {}
    for obj in objects:
        for field in obj._meta.concrete_fields:
            if not field.is_relation:
                continue
            value = getattr(obj, field.attname)
            if value is not None and (field.related_model, value) not in inside:
                wanted.setdefault(field.related_model, set()).add(value)
    missing = []
    for model, ids in wanted.items():
        found = set(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
        if len(ids - found):
            name = (
                model._meta.verbose_name
                if len(ids - found) == 1
                else model._meta.verbose_name_plural
            )
            missing.append(f"{len(ids - found)} {name}")
    return missing


def _delete_summary_rows(book_pk):
    """Remove the current rows of a summary, so that restored rows cannot collide with them."""
    BookAuthor.objects.filter(book_id=book_pk).delete()
    Section.objects.filter(book_id=book_pk).delete()
    AudienceItem.objects.filter(book_id=book_pk).delete()
    Part.objects.filter(book_id=book_pk).delete()
    Review.objects.filter(book_id=book_pk).delete()
    RelatedLink.objects.filter(book_id=book_pk).delete()
    TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Book), object_id=book_pk
    ).delete()


def restore(version, *, user=None):
    """Put a summary back as it was in ``version``; the restore is itself a new revision.

    Works for a summary that still exists and for one that was deleted. Its
    version number keeps counting up, so editors who had it open must reload.
    """
    objects = revision_objects(version.revision)
    books = [obj for obj in objects if isinstance(obj, Book)]
    if len(books) != 1 or str(books[0].pk) != version.object_id:
        raise RestoreError("This revision does not hold exactly this one summary.")
    old = books[0]
    missing = _missing_references(objects)
    if missing:
        raise RestoreError(
            "This version cannot be restored: it refers to "
            f"{' and '.join(missing)} deleted since. Edit the summary by hand instead."
        )
    if Book.objects.exclude(pk=old.pk).filter(slug=old.slug).exists():
        raise RestoreError(
            f"This version cannot be restored: another summary now uses its URL slug {old.slug!r}."
        )
    with transaction.atomic(), reversion.create_revision():
        current = (
            Book.objects.select_for_update()
            .filter(pk=old.pk)
            .values_list("version", flat=True)
            .first()
        )
        _delete_summary_rows(old.pk)
        try:
            version.revision.revert(delete=True)
        except RevertError as error:
            raise RestoreError(f"This version cannot be restored: {error}") from None
        latest = versions_of(old.pk).first()
        recorded = latest.field_dict.get("version", 0) if latest else 0
        Book.objects.filter(pk=old.pk).update(version=max(current or 0, recorded, old.version))
        book = Book.objects.get(pk=old.pk)
        book.save()  # counts the version and sends post_save, as any edit does
        record_summary(book)
        reversion.set_user(user)
        reversion.set_comment(
            f"Restored the version saved on {_when(version.revision.date_created)}"
            + (f" by {version.revision.user}" if version.revision.user else "")
            + "."
        )
    return book
