"""Backups: the export plus the media folder restore a whole library into an empty database."""

import io
import json
import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image
from reversion.models import Version
from taggit.models import Tag, TaggedItem

from books.models import AudienceItem, Author, Book, BookAuthor, Chapter, Part, Section
from reviews.models import RelatedLink, Review, Takeaway
from tests.factories import BookFactory, build_summary

pytestmark = pytest.mark.django_db

# Not part of the summary-file format: database ids, the bookkeeping timestamps
# and the edit counter (they start afresh on import), and the history.
# Derived on save, not written by editors: the edit time, its digest and the share card.
DERIVED = {"edited_at", "content_digest", "share_card", "share_card_digest"}
NOT_EXPORTED = {"id", "created_at", "updated_at", "version", "content_type", *DERIVED}

LIBRARY_MODELS = [Author, Book, BookAuthor, Section, AudienceItem, Part, Chapter, Review,
                  Takeaway, RelatedLink, Tag, TaggedItem]  # fmt: skip


def natural_key(obj):
    """A row named by what it is, not by its database id."""
    if obj is None:
        return None
    if isinstance(obj, Book | Author | Tag):
        return obj.slug
    if isinstance(obj, Part):
        return (obj.book.slug, obj.position)
    if isinstance(obj, Review):
        return obj.book.slug
    raise AssertionError(f"no natural key for {obj!r}")


def snapshot():
    """Every exported field of every row of the library, comparable across databases."""
    rows = {}
    for model in LIBRARY_MODELS:
        items = []
        for obj in model.objects.all():
            row = {}
            for field in model._meta.concrete_fields:
                if field.name in NOT_EXPORTED:
                    continue
                if field.is_relation:
                    row[field.name] = natural_key(getattr(obj, field.name))
                elif model is TaggedItem and field.name == "object_id":
                    row["book"] = Book.objects.get(pk=obj.object_id).slug
                else:
                    value = getattr(obj, field.name)
                    row[field.name] = value.name if hasattr(value, "storage") else value
            items.append(row)
        rows[model.__name__] = sorted(items, key=lambda row: json.dumps(row, default=str))
    return rows


def cover_file(color):
    buffer = io.BytesIO()
    Image.new("RGB", (12, 18), color).save(buffer, "PNG")
    return SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")


# Committed for real, so that ``flush`` empties the database as it would in production.
@pytest.mark.django_db(transaction=True)
def test_export_flush_import_restores_every_field_and_cover(tmp_path, media_root, demo_book):
    draft = build_summary(draft=True, title="Черновик: a draft", tags=["Ёлки", "python"])
    draft.cover = cover_file((200, 10, 10))
    draft.save()
    scheduled = build_summary(scheduled=True, title="Coming soon", tags=["python"])
    RelatedLink.objects.create(book=scheduled, target=draft, note="Read the draft", position=3)
    demo_book.cover = cover_file((10, 10, 200))
    demo_book.save()
    before = snapshot()
    covers = {path.name: path.read_bytes() for path in (media_root / "covers").iterdir()}
    assert len(covers) == 2 and sum(len(rows) for rows in before.values()) > 100

    # Back up: the summaries, then the media folder.
    backup = tmp_path / "backup"
    backup.mkdir()
    call_command("export_summaries", "-o", str(backup / "library.json"), stderr=io.StringIO())
    shutil.copytree(media_root, backup / "media")

    # Lose everything.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media_root)
    assert not Book.objects.exists() and not Author.objects.exists()

    # Restore into the empty database.
    shutil.copytree(backup / "media", media_root)
    call_command("import_summaries", str(backup / "library.json"), stdout=io.StringIO())

    after = snapshot()
    for model in before:
        assert after[model] == before[model], model
    assert {p.name: p.read_bytes() for p in (media_root / "covers").iterdir()} == covers
    restored = Book.objects.get(slug=demo_book.slug)
    assert restored.cover.name == demo_book.cover.name
    assert Client().get(restored.cover.url).status_code == 200
    assert Book.objects.get(slug=draft.slug).status == "draft"
    assert not Book.objects.get(slug=scheduled.slug).is_public
    # The restored library has a history again, starting with the import.
    assert Version.objects.get_for_object(restored).first().revision.comment.startswith("Imported")


def test_export_without_slug_includes_drafts_and_scheduled_summaries():
    BookFactory(title="Public one")
    BookFactory(title="Draft one", draft=True)
    BookFactory(title="Scheduled one", scheduled=True)
    out = io.StringIO()
    call_command("export_summaries", stdout=out)
    titles = {item["title"] for item in json.loads(out.getvalue())}
    assert titles == {"Public one", "Draft one", "Scheduled one"}
