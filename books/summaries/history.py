"""The history of a summary for editors: documents, differences, edit conflicts and restores.

What a revision holds is in ``revisions``; every save records one through the
write path (``writing``).
"""

import difflib
import itertools
import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from taggit.models import Tag, TaggedItem

from books.models import (
    AudienceItem,
    Author,
    Book,
    BookAuthor,
    Chapter,
    Part,
    Section,
    Status,
    TagRedirect,
)
from reviews.models import RelatedLink, Review, Takeaway

from .loader import ALL_LINKS, load_summaries
from .revisions import revision_objects, versions_of
from .saving import writing


class RestoreError(Exception):
    """An earlier version that cannot be put back; the message says why."""


def current_rows(book_pk):
    """Every row of a summary as it is in the database now."""
    return load_summaries(Book.objects.filter(pk=book_pk), links=ALL_LINKS)[0].rows()


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
        str(author_names.get(link.author_id, _("(deleted author)")))
        for link in by_position.get(BookAuthor, [])
    )
    tags = ", ".join(
        sorted(tag_names[i.tag_id].name for i in rows.get(TaggedItem, []) if i.tag_id in tag_names)
    )

    lines = [Line(_("Book facts"), heading=True)]
    for label, value in [
        (_("Title"), book.title),
        (_("Subtitle"), book.subtitle),
        (_("Slug"), book.slug),
        (_("Authors"), authors),
        (_("Publisher"), book.publisher),
        (_("Year"), book.year),
        (_("Pages"), book.pages),
        (_("ISBN"), book.isbn),
        (_("Cover"), book.cover.name if book.cover else ""),
        (_("Status"), Status(book.status).label),
        (_("Publication date"), _when(book.published_at)),
        (_("Tags"), tags),
        (_("Lede"), book.lede),
        (_("Authors intro"), book.authors_intro),
    ]:
        if value not in ("", None):
            lines.append(Line(_("%(label)s: %(value)s") % {"label": label, "value": value}))
    lines += _text_block(_("Description"), book.description)
    lines += _text_block(_("Structure intro"), book.structure_intro)
    for section in by_position.get(Section, []):
        lines += _text_block(_("Section: %s") % section.heading, section.body)
    chapters = by_position.get(Chapter, [])
    for part in by_position.get(Part, []):
        label = f"{part.label}. " if part.label else ""
        lines += _text_block(_("Part %s") % f"{label}{part.title}", part.summary)
        for chapter in (c for c in chapters if c.part_id == part.pk):
            lines += _text_block(
                _("Chapter %(number)s: %(title)s")
                % {"number": f"{part.position}.{chapter.position}", "title": chapter.title},
                chapter.summary,
            )
    audience = by_position.get(AudienceItem, [])
    if audience:
        lines.append(Line(_("Who this book is for"), heading=True))
        lines += [Line(f"- {item.text}") for item in audience]
    for review in rows.get(Review, []):
        lines.append(
            Line(
                _("Review by %(reviewer)s (%(source)s)")
                % {"reviewer": review.reviewer, "source": review.source},
                heading=True,
            )
        )
        for label, value in [
            (_("Source URL"), review.url),
            (_("Review title"), review.title),
            (_("Published on"), review.published_on),
        ]:
            if value:
                lines.append(Line(_("%(label)s: %(value)s") % {"label": label, "value": value}))
        lines += [Line(line) for line in review.body.splitlines() if line.strip()]
        for takeaway in by_position.get(Takeaway, []):
            lines += _text_block(_("Takeaway: %s") % takeaway.title, takeaway.text)
    links = by_position.get(RelatedLink, [])
    if links:
        lines.append(Line(_("Related chapters"), heading=True))
        for link in links:
            target = targets.get(link.target_id)
            title = target.title if target else link.title or _("(deleted summary)")
            featured = " " + _("(featured)") if link.featured else ""
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


def _heading_at(lines, index):
    """The heading of the block that line ``index`` of ``lines`` belongs to (itself if one)."""
    for line in reversed(lines[: index + 1]):
        if line.heading:
            return line.text
    return lines[0].text if lines else ""


def compare_documents(old, new, context=1):
    """The differences between two summary documents, as hunks of changed lines.

    Each hunk is headed by the block its changes are in: a removed line's block in
    the old document, any other change's in the new one. A run of changes that
    crosses into another block starts a new hunk.
    """
    old_text, new_text = [line.text for line in old], [line.text for line in new]
    matcher = difflib.SequenceMatcher(None, old_text, new_text, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        hunk = None
        pending_same = []
        for opcode in group:
            if opcode[0] == "equal":
                same = [("same", escape(text)) for text in old_text[opcode[1] : opcode[2]]]
                if hunk is None:
                    pending_same = same
                else:
                    hunk.rows += same
                continue
            for tag, i1, i2, j1, j2 in _by_block(*opcode, old, new):
                heading = _heading_at(old, i1) if tag == "delete" else _heading_at(new, j1)
                if hunk is None or hunk.heading != heading:
                    lead = pending_same if hunk is None else []
                    if hunk is not None:
                        # Context lines from another block stay with the hunk before.
                        hunk.rows, lead = _split_trailing_context(hunk.rows)
                    hunk = Hunk(heading=heading, rows=list(lead))
                    hunks.append(hunk)
                hunk.rows += _changed_rows(tag, old_text[i1:i2], new_text[j1:j2])
    return hunks


def _by_block(tag, i1, i2, j1, j2, old, new):
    """Split one change where it crosses into another block (a heading line starts one)."""
    if tag == "delete":
        cuts = [i for i in range(i1 + 1, i2) if old[i].heading]
        bounds = [i1, *cuts, i2]
        for start, end in itertools.pairwise(bounds):
            yield tag, start, end, j1, j1
        return
    if tag == "replace" and i2 - i1 != j2 - j1:
        yield tag, i1, i2, j1, j2
        return
    cuts = [j for j in range(j1 + 1, j2) if new[j].heading]
    bounds = [j1, *cuts, j2]
    for start, end in itertools.pairwise(bounds):
        if tag == "insert":
            yield tag, i1, i1, start, end
        else:
            yield tag, i1 + start - j1, i1 + end - j1, start, end


def _split_trailing_context(rows):
    """``(rows, trailing)``: the unchanged lines at the end of ``rows`` split off."""
    end = len(rows)
    while end and rows[end - 1][0] == "same":
        end -= 1
    return rows[:end], rows[end:]


def _changed_rows(tag, removed, added):
    if tag == "replace":
        pairs = min(len(removed), len(added))
        marked = [_marked_pair(a, b) for a, b in zip(removed, added, strict=False)]
        return (
            [("removed", before) for before, _ in marked]
            + [("removed", escape(text)) for text in removed[pairs:]]
            + [("added", after) for _, after in marked]
            + [("added", escape(text)) for text in added[pairs:]]
        )
    return [("removed", escape(text)) for text in removed] + [
        ("added", escape(text)) for text in added
    ]


def compare_versions(old_version, new_version=None):
    """Hunks between two recorded versions of a summary; no ``new_version`` means as it is now."""
    old = summary_document(revision_objects(old_version.revision))
    if new_version is None:
        new = summary_document(current_rows(old_version.object_id))
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


def _follow_merged_tags(rows):
    """Point the revision's tag links at the tags that merged tags live on in (their
    ``TagRedirect``); drop a link that would repeat another after the merge."""
    links = [row for row in rows if isinstance(row.object, TaggedItem)]
    tag_ids = {row.object.tag_id for row in links}
    existing = set(Tag.objects.filter(pk__in=tag_ids).values_list("pk", flat=True))
    moved = dict(
        TagRedirect.objects.filter(old_tag_id__in=tag_ids - existing).values_list(
            "old_tag_id", "tag_id"
        )
    )
    seen, kept = set(), []
    for row in rows:
        if isinstance(row.object, TaggedItem):
            tag_id = moved.get(row.object.tag_id, row.object.tag_id)
            row.object.tag_id = tag_id
            if tag_id in seen:
                continue
            seen.add(tag_id)
        kept.append(row)
    return kept


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


# The order rows are written back in: each after the rows it points to.
RESTORE_ORDER = [Book, BookAuthor, Section, AudienceItem, Part, Chapter, TaggedItem, Review,
                 Takeaway, RelatedLink]  # fmt: skip


def _publication_after_restore(old, current):
    """``(status, published_at, unpublish_at, note)``: a restore never makes anything public.

    A version that was a draft comes back as a draft (and the note says readers
    no longer see it); otherwise the summary keeps its publication as it is now.
    A summary recovered after deletion comes back as a draft.
    """
    if current is None:
        note = _("It is back as a draft: readers see it once it is published again.")
        return Status.DRAFT, old.published_at, old.unpublish_at, note
    if old.status == Status.DRAFT:
        note = ""
        if current.is_public or current.is_scheduled:
            note = _(
                "That version was a draft, so the summary is a draft again: "
                "readers no longer see it."
            )
        return Status.DRAFT, old.published_at, old.unpublish_at, note
    note = ""
    if current.status == Status.DRAFT:
        note = _("It stays a draft: publish it when it is ready.")
    return current.status, current.published_at, current.unpublish_at, note


def restore(version, *, user=None):
    """Put a summary back as it was in ``version``; the restore is itself a new revision.

    Works for a summary that still exists and for one that was deleted. Its
    version number keeps counting up, so editors who had it open must reload.
    Tags merged since are followed to the tag they were merged into; what is
    public changes only as ``_publication_after_restore`` says. The returned book
    carries ``restore_notes``: what the editor should know about the restore.
    """
    rows = [v._object_version for v in version.revision.version_set.all()]
    books = [row.object for row in rows if isinstance(row.object, Book)]
    if len(books) != 1 or str(books[0].pk) != version.object_id:
        raise RestoreError(_("This revision does not hold exactly this one summary."))
    old = books[0]
    rows = _follow_merged_tags(rows)
    missing = _missing_references([row.object for row in rows])
    if missing:
        raise RestoreError(
            _(
                "This version cannot be restored: it refers to %s deleted since. "
                "Edit the summary by hand instead."
            )
            % _(" and ").join(missing)
        )
    if Book.objects.exclude(pk=old.pk).filter(slug=old.slug).exists():
        raise RestoreError(
            _("This version cannot be restored: another summary now uses its URL slug %r.")
            % old.slug
        )
    when = _when(version.revision.date_created)
    comment = (
        _("Restored the version saved on %(when)s by %(user)s.")
        % {"when": when, "user": version.revision.user}
        if version.revision.user
        else _("Restored the version saved on %s.") % when
    )
    notes = []
    if old.cover and not old.cover.storage.exists(old.cover.name):
        old.cover = ""
        notes.append(_("Its cover of that time was replaced and deleted since: add a cover again."))
    rows.sort(key=lambda row: RESTORE_ORDER.index(type(row.object)))
    with transaction.atomic():
        current = Book.objects.select_for_update().filter(pk=old.pk).first()
        status, published_at, unpublish_at, note = _publication_after_restore(old, current)
        if note:
            notes.append(note)
        old.status, old.published_at, old.unpublish_at = status, published_at, unpublish_at
        _delete_summary_rows(old.pk)
        try:
            for row in rows:
                row.save()
        except (IntegrityError, ValueError) as error:
            raise RestoreError(_("This version cannot be restored: %s") % error) from None
        # The restored row holds the version number it was recorded at: count on from
        # the highest number the summary has had, then save as any edit does.
        latest = versions_of(old.pk).first()
        recorded = latest.field_dict.get("version", 0) if latest else 0
        highest = max(current.version if current else 0, recorded, old.version)
        Book.objects.filter(pk=old.pk).update(version=highest)
        book = Book.objects.get(pk=old.pk)
        with writing(user=user, comment=comment) as write:
            write.save([book])
    book.restore_notes = notes
    return book
