"""History stays restorable and honest: merged tags are followed, a restore never publishes
silently, only real changes are recorded, and each difference is headed by its own block."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from books.models import Status
from books.tags import merge_tags
from tests.admin_forms import form_data
from tests.factories import build_summary

pytestmark = pytest.mark.django_db


def change_url(book, suffix="change/"):
    return f"/admin/books/book/{book.pk}/{suffix}"


def as_the_browser_sends_it(data):
    """The admin's drag-and-drop script numbers each group's rows from 0 before a save."""
    counters = {}
    for name in sorted(data, key=lambda n: [(0, int(p), "") if p.isdigit() else (1, 0, p)
                                            for p in n.split("-")]):  # fmt: skip
        if name.endswith("-position"):
            group = name.rsplit("-", 2)[0]
            data[name] = str(counters.setdefault(group, 0))
            counters[group] += 1
    return data


def save(client, book, **changes):
    data = as_the_browser_sends_it(form_data(client.get(change_url(book)), "book_form"))
    data.update(changes)
    data.setdefault("_continue", "1")
    response = client.post(change_url(book), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    return response


def versions(book):
    return list(Version.objects.get_for_object(book).select_related("revision"))


def restore(client, book, version):
    return client.post(change_url(book, f"history/{version.pk}/restore/"), follow=True)


def test_a_version_carrying_a_merged_tag_can_still_be_restored(editor_client):
    book = build_summary(tags=["Machine learning", "nlp"])
    save(editor_client, book, lede="The first hook.")
    old = versions(book)[0]
    survivor = Tag.objects.create(name="ML")
    merge_tags(survivor, [Tag.objects.get(name="Machine learning")])
    save(editor_client, book, lede="A later hook.")

    response = restore(editor_client, book, old)

    assert "cannot be restored" not in response.content.decode()
    book.refresh_from_db()
    assert book.lede == "The first hook."
    assert sorted(book.tags.names()) == ["ML", "nlp"]


def test_a_version_carrying_a_renamed_tag_can_be_restored(editor_client):
    book = build_summary(tags=["llm"])
    save(editor_client, book, lede="The first hook.")
    old = versions(book)[0]
    tag = Tag.objects.get(name="llm")
    data = form_data(editor_client.get(f"/admin/taggit/tag/{tag.pk}/change/"), "tag_form")
    data.update(name="Large language models", slug="large-language-models")
    assert editor_client.post(f"/admin/taggit/tag/{tag.pk}/change/", data).status_code == 302
    save(editor_client, book, lede="A later hook.")

    restore(editor_client, book, old)

    book.refresh_from_db()
    assert book.lede == "The first hook."
    assert list(book.tags.names()) == ["Large language models"]


def test_restoring_a_draft_version_makes_the_summary_a_draft_and_says_so(editor_client):
    book = build_summary(status=Status.DRAFT, published_at=None)
    save(editor_client, book, lede="Written as a draft.")
    draft_version = versions(book)[0]
    save(editor_client, book, _publish_now="1", _continue="")
    book.refresh_from_db()
    assert book.is_public

    response = restore(editor_client, book, draft_version)

    book.refresh_from_db()
    assert book.status == Status.DRAFT and not book.is_public
    assert "readers no longer see it" in response.content.decode()


def test_restoring_a_published_version_never_publishes_a_draft(editor_client):
    book = build_summary()  # published
    save(editor_client, book, lede="Published text.")
    published_version = versions(book)[0]
    save(editor_client, book, _save_draft="1", _continue="")
    book.refresh_from_db()
    assert book.status == Status.DRAFT

    response = restore(editor_client, book, published_version)

    book.refresh_from_db()
    assert book.lede == "Published text."
    assert book.status == Status.DRAFT and not book.is_public
    assert "stays a draft" in response.content.decode()


def test_restoring_keeps_a_public_summary_s_publication_time(editor_client):
    book = build_summary()
    old_time = book.published_at
    save(editor_client, book, lede="Old text.")
    old = versions(book)[0]
    later = timezone.localtime(timezone.now() + timedelta(days=3))
    save(
        editor_client, book, published_at_0=f"{later:%Y-%m-%d}", published_at_1=f"{later:%H:%M:%S}"
    )
    book.refresh_from_db()
    assert book.is_scheduled

    restore(editor_client, book, old)

    book.refresh_from_db()
    assert book.lede == "Old text." and book.is_scheduled and book.published_at != old_time


def test_a_save_that_only_changes_the_lede_records_only_the_lede(editor_client):
    book = build_summary()
    save(editor_client, book, lede="A new hook.")
    comment = versions(book)[0].revision.get_comment()
    assert "lede" in comment.lower()
    assert "position" not in comment.lower()


def test_a_reorder_is_recorded_as_a_change_of_position(editor_client):
    book = build_summary(parts=1, chapters_per_part=3)
    data = as_the_browser_sends_it(form_data(editor_client.get(change_url(book)), "book_form"))
    data["parts-0-chapters-0-position"], data["parts-0-chapters-2-position"] = "2", "0"
    data["_continue"] = "1"
    assert editor_client.post(change_url(book), data).status_code == 302
    assert "position" in versions(book)[0].revision.get_comment().lower()


def captions(response):
    html = response.content.decode()
    return re.findall(r'<table class="diff-hunk">\s*<caption>(.*?)</caption>', html, re.S)


def test_a_renamed_chapter_is_headed_by_its_own_block(editor_client):
    book = build_summary(parts=1, chapters_per_part=3)
    save(editor_client, book)
    before = versions(book)[0]
    save(editor_client, book, **{"parts-0-chapters-1-title": "A brand new title"})

    response = editor_client.get(change_url(book, f"history/compare/?from={before.pk}"))

    assert captions(response) == ["Chapter 1.2: A brand new title"]


def test_a_change_at_the_end_of_one_block_and_the_start_of_the_next_gets_two_hunks(
    editor_client,
):
    book = build_summary(parts=1, chapters_per_part=2)
    chapters = list(book.parts.get().chapters.order_by("position"))
    for chapter in chapters:
        chapter.summary = "First line.\n\nLast line."
        chapter.save()
    save(editor_client, book)
    before = versions(book)[0]
    save(
        editor_client,
        book,
        **{
            "parts-0-chapters-0-summary": "First line.\n\nLast line, edited.",
            "parts-0-chapters-1-title": "Renamed second chapter",
        },
    )

    response = editor_client.get(change_url(book, f"history/compare/?from={before.pk}"))

    assert captions(response) == [
        f"Chapter 1.1: {chapters[0].title}",
        "Chapter 1.2: Renamed second chapter",
    ]


def test_positions_are_set_by_dragging_never_typed(editor_client):
    book = build_summary()
    html = editor_client.get(change_url(book)).content.decode()
    inputs = re.findall(r"<input[^>]*name=\"[^\"]*-position\"[^>]*>", html)
    assert inputs
    assert all('type="hidden"' in tag for tag in inputs)
