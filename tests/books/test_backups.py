"""Backups: the export plus the media folder restore a whole library into an empty database.

Whatever the site accepted restores: every URL scheme the models allow, unicode
everywhere, scheduled dates, covers, edited tag slugs and tag redirects, on
either database and from SQLite to PostgreSQL and back (every field compared).
"""

import io
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from PIL import Image
from reversion.models import Version
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
    TagTranslation,
)
from books.tags import merge_tags, record_slug_change
from reviews.models import RelatedLink, Review, Takeaway
from tests.factories import BookFactory, build_summary
from tests.servers import copy_migrated_library

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db

# Not part of the summary-file format: database ids, the bookkeeping timestamps
# and the edit counter (they start afresh on import), and the history.
# Derived on save, not written by editors: the edit time, its digest and the share card.
DERIVED = {"edited_at", "content_digest", "share_card", "share_card_digest"}
# Database ids and bookkeeping; ``old_tag_id`` names a merged tag for the history, which a
# summary file does not carry.
NOT_EXPORTED = {"id", "created_at", "updated_at", "version", "content_type", "old_tag_id", *DERIVED}

LIBRARY_MODELS = [Author, Book, BookAuthor, Section, AudienceItem, Part, Chapter, Review,
                  Takeaway, RelatedLink, Tag, TaggedItem, TagRedirect, TagTranslation]  # fmt: skip


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


def build_every_value_library():
    """A library using every value the site accepts, as editors could have saved it."""
    ru = build_summary(
        title="Война и мир: 战争与和平 🕊",
        subtitle="Том первый — «Анна»",
        tags=["Ёлки", "Глубокое обучение", "python"],
        isbn="978-0-306-40615-7",
        year=1869,
        pages=1225,
        lede="Лёгкий лид.\nSecond line with “quotes” & <angle brackets>.",
        description="**Жирный** текст, `код`, [ссылка](https://example.org/ё) и ftp://x.example.",
        authors_intro="  Indented intro kept as typed  ",
        published_at=datetime(2021, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
    )
    ru.cover = cover_file((200, 10, 10))
    ru.save()
    schemes = ["http://a.example/", "https://b.example/путь", "ftp://c.example/pub/",
               "ftps://d.example/"]  # fmt: skip
    for author, url in zip(ru.authors.order_by("book_links__position"), schemes, strict=False):
        author.website = url
        author.name = f"{author.name} Лев"
        author.bio = "Биография *в Markdown*.\n\n- one\n- два"
        author.save()
    for url in schemes[2:]:
        writer = Author.objects.create(name=f"Writer at {url}", website=url)
        ru.book_authors.create(author=writer, position=ru.book_authors.count() + 1)
    review = ru.review
    review.url = "ftp://reviews.example/war-and-peace.txt"
    review.title = "Рецензия"
    review.body = "Текст **рецензии**.\n\n> цитата"
    review.published_on = date(1999, 12, 31)
    review.save()
    for chapter in Chapter.objects.filter(part__book=ru):
        chapter.title = "Глава — 第一章 ✓"
        chapter.save()
    later = build_summary(
        title="Scheduled ahead",
        tags=["python"],
        status=Status.PUBLISHED,
        published_at=datetime.now(UTC).replace(microsecond=123456) + timedelta(days=30),
    )
    later.cover = cover_file((10, 10, 200))
    later.save()
    draft = build_summary(title="Черновик: a draft", tags=["Ёлки"], draft=True, language="ru")
    # A translation (a draft in Russian of the scheduled English summary).
    draft.translation_of = later
    draft.save()
    RelatedLink.objects.create(book=later, target=draft, note="Читать далее", position=3)
    RelatedLink.objects.filter(book=ru, featured=False).update(authors="Автор, Author Two")
    # An editor's own slug for a tag, with its old URL kept; and a merged tag.
    tag = Tag.objects.get(name="Глубокое обучение")
    old_slug, tag.slug = tag.slug, "dl"
    tag.save()
    record_slug_change(tag, old_slug)
    duplicate = Tag.objects.create(name="DL models", slug="dl-models")
    later.tags.add(duplicate)
    merge_tags(tag, [duplicate])
    TagRedirect.objects.create(old_slug="старый-тег", tag=Tag.objects.get(name="Ёлки"))
    # Tags named in Russian too: one a plain name otherwise, one with its own slug already.
    focus = Tag.objects.create(name="Focus", slug="focus")
    later.tags.add(focus)
    TagTranslation.objects.create(tag=focus, language="ru", name="Фокус", slug="фокус")
    TagTranslation.objects.create(tag=tag, language="ru", name="Глубокое обучение", slug="го")
    Book.objects.update(reading_words=0)  # recounted below, as a commit would
    Book.objects.all().recount_reading_time()


# Committed for real, so that ``flush`` empties the database as it would in production.
@pytest.mark.django_db(transaction=True)
def test_export_flush_import_restores_every_field_and_cover(tmp_path, media_root, demo_book):
    build_every_value_library()
    draft = Book.objects.get(status=Status.DRAFT)
    scheduled = Book.objects.get(title="Scheduled ahead")
    demo_book.cover = cover_file((10, 200, 10))
    demo_book.save()
    before = snapshot()
    covers = {path.name: path.read_bytes() for path in (media_root / "covers").iterdir()}
    assert len(covers) == 3 and sum(len(rows) for rows in before.values()) > 100
    assert len(before["TagRedirect"]) == 3
    # The library's own translation, and the demo's (its Russian summary names the English one).
    assert sorted(row["translation_of"] for row in before["Book"] if row["translation_of"]) == [
        demo_book.slug,
        scheduled.slug,
    ]

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
    # Old tag URLs still lead to their tags.
    assert Client().get("/tags/глубокое-обучение/").headers["Location"] == "/tags/dl/"
    assert Client().get("/tags/dl-models/").headers["Location"] == "/tags/dl/"
    # A second export of the restored library is the first one, byte for byte.
    again = io.StringIO()
    call_command("export_summaries", stdout=again)
    assert again.getvalue() == (backup / "library.json").read_text(encoding="utf-8")


def test_export_without_slug_includes_drafts_and_scheduled_summaries():
    BookFactory(title="Public one")
    BookFactory(title="Draft one", draft=True)
    BookFactory(title="Scheduled one", scheduled=True)
    out = io.StringIO()
    call_command("export_summaries", stdout=out)
    titles = {item["title"] for item in json.loads(out.getvalue())}
    assert titles == {"Public one", "Draft one", "Scheduled one"}


def _manage(env, *arguments, stdin=None):
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        input=stdin,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def stage(number, folder):
    """One database of the round trip, in its own process: migrate it (a SQLite one comes
    migrated), fill it (the library built, or the previous stage's export imported), export
    it, print its rows."""
    folder = Path(folder)
    call_command("migrate", "--no-input", verbosity=0)
    if number == 0:
        build_every_value_library()
    else:
        call_command("import_summaries", str(folder / f"export-{number - 1}.json"), verbosity=0)
    call_command("export_summaries", "-o", str(folder / f"export-{number}.json"))
    print(json.dumps(snapshot(), default=str, sort_keys=True))


@pytest.mark.slow
def test_a_sqlite_library_round_trips_through_postgresql_and_back(tmp_path):
    """SQLite → export → PostgreSQL → export → SQLite: every field of every row the same."""
    from tests.postgres import throwaway_database

    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    base["MEDIA_ROOT"] = str(tmp_path / "media")
    with throwaway_database("round_trip") as postgresql:
        stages = [
            ("sqlite", f"sqlite:///{tmp_path / 'first.sqlite3'}"),
            ("postgresql", postgresql),
            ("sqlite again", f"sqlite:///{tmp_path / 'last.sqlite3'}"),
        ]
        for _, url in stages:
            if url.startswith("sqlite:///"):
                copy_migrated_library(url.removeprefix("sqlite:///"))
        exports, snapshots = [], []
        for number, (_, url) in enumerate(stages):
            code = f"from tests.books.test_backups import stage; stage({number}, {str(tmp_path)!r})"
            output = _manage({**base, "DATABASE_URL": url}, "shell", "-c", code)
            exports.append((tmp_path / f"export-{number}.json").read_text(encoding="utf-8"))
            snapshots.append(json.loads(output.splitlines()[-1]))
    assert "ftp://c.example/pub/" in exports[0] and '"slug": "dl"' in exports[0]
    for (name, _), export, rows in zip(stages[1:], exports[1:], snapshots[1:], strict=True):
        assert export == exports[0], f"the export from {name} differs"
        for model, expected in snapshots[0].items():
            assert len(rows[model]) == len(expected), f"{model} rows after {name}"
            for before, after in zip(expected, rows[model], strict=True):
                changed = {
                    field: (before.get(field), after.get(field))
                    for field in before.keys() | after.keys()
                    if before.get(field) != after.get(field)
                }
                assert not changed, f"{model} after {name}: {changed}"


@pytest.mark.parametrize("order", [1, -1], ids=["original first", "translation first"])
def test_translations_round_trip_in_one_file_in_either_order(tmp_path, order):
    english = BookFactory(title="Deep Work", language="en")
    russian = BookFactory(title="Глубокая работа", language="ru", translation_of=english)
    out = io.StringIO()
    call_command("export_summaries", stdout=out)
    items = json.loads(out.getvalue())
    assert [item.get("translation_of") for item in items] == [None, english.slug]
    path = tmp_path / "library.json"
    path.write_text(json.dumps(items[::order], ensure_ascii=False), encoding="utf-8")
    Book.objects.all().delete()
    call_command("import_summaries", str(path), stdout=io.StringIO())
    restored = Book.objects.get(slug=russian.slug)
    assert restored.translation_of.slug == english.slug
    assert list(Book.objects.get(slug=english.slug).translations_shown()) == [restored]


def test_a_file_links_a_translation_to_a_summary_already_in_the_library(tmp_path):
    english = BookFactory(title="Deep Work", language="en")
    path = tmp_path / "ru.json"
    path.write_text(
        json.dumps({"title": "Глубокая работа", "slug": "v-rabotu", "language": "ru",
                    "translation_of": english.slug}),
        encoding="utf-8",
    )  # fmt: skip
    call_command("import_summaries", str(path), stdout=io.StringIO())
    assert Book.objects.get(slug="v-rabotu").translation_of == english
    # A second summary in Russian for the same book is refused, naming the file and field.
    path.write_text(
        json.dumps({"title": "Ещё", "slug": "eshche", "language": "ru",
                    "translation_of": english.slug}),
        encoding="utf-8",
    )  # fmt: skip
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_summaries", str(path), stdout=io.StringIO(), stderr=errors)
    assert (
        "summary #1 ('Ещё'): translation_of: “Глубокая работа” is already the summary in Russian"
        in (errors.getvalue())
    )
    assert not Book.objects.filter(slug="eshche").exists()
