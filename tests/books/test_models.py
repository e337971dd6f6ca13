"""Model rules: slugs, positions, publication and stored HTML."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from books.models import Author, Book, Status, validate_isbn
from books.summaries import load_summaries
from tests.factories import AuthorFactory, BookFactory, ChapterFactory, PartFactory

pytestmark = pytest.mark.django_db


def test_book_slugs_are_unique_in_the_database():
    BookFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        BookFactory(slug="same")


def test_slug_is_derived_from_the_title_keeping_unicode_and_avoiding_collisions():
    first = BookFactory(title="Мастер и Маргарита", slug="")
    second = BookFactory(title="Мастер и Маргарита", slug="")
    assert first.slug == "мастер-и-маргарита"
    assert second.slug == "мастер-и-маргарита-2"
    assert AuthorFactory(name="Jay Alammar", slug="").slug == "jay-alammar"


def test_chapter_positions_are_unique_within_a_part_only():
    part = PartFactory()
    ChapterFactory(part=part, position=1)
    ChapterFactory(part=PartFactory(book=part.book), position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChapterFactory(part=part, position=1)


def test_part_positions_are_unique_within_a_book():
    part = PartFactory(position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartFactory(book=part.book, position=1)


def test_publishing_without_a_date_publishes_now():
    book = BookFactory(draft=True)
    book.status = Status.PUBLISHED
    book.save()
    assert book.published_at is not None
    assert book.published_at <= timezone.now()
    assert Book.objects.published().filter(pk=book.pk).exists()


def test_the_database_refuses_a_published_summary_without_a_date():
    book = BookFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Book.objects.filter(pk=book.pk).update(published_at=None)


def test_published_excludes_drafts_and_scheduled_summaries():
    public = BookFactory()
    BookFactory(draft=True)
    scheduled = BookFactory(scheduled=True)
    assert list(Book.objects.published()) == [public]
    assert not scheduled.is_public
    scheduled.published_at = timezone.now() - timedelta(seconds=1)
    scheduled.save()
    assert set(Book.objects.published()) == {public, scheduled}


def test_hidden_is_every_summary_published_leaves_out():
    past = timezone.now() - timedelta(days=2)
    public = BookFactory()
    still_public = BookFactory(unpublish_at=timezone.now() + timedelta(days=1))
    hidden = {
        BookFactory(draft=True),
        BookFactory(draft=True, published_at=past),
        BookFactory(scheduled=True),
        BookFactory(published_at=past, unpublish_at=past + timedelta(days=1)),
    }
    assert set(Book.objects.hidden()) == hidden
    assert set(Book.objects.published()) == {public, still_public}


def test_markdown_is_rendered_and_sanitised_when_saved():
    book = BookFactory(description="**Bold** <script>alert(1)</script>")
    assert book.description_html == "<p><strong>Bold</strong> </p>"
    author = AuthorFactory(bio="A [site](javascript:alert(1))")
    Author.objects.filter(pk=author.pk).update(bio="changed")  # bypasses save on purpose
    author.refresh_from_db()
    assert "javascript" not in author.bio_html


@pytest.mark.parametrize(
    "isbn", ["978-1-098-15096-9", "9781098150969", "0-306-40615-2", "080442957X"]
)
def test_valid_isbns_pass(isbn):
    validate_isbn(isbn)


@pytest.mark.parametrize("isbn", ["978-1-098-15096-0", "12345", "abcdefghij"])
def test_invalid_isbns_are_refused_with_a_message(isbn):
    with pytest.raises(ValidationError, match="check digit"):
        validate_isbn(isbn)


def test_chapters_are_numbered_across_parts(django_assert_num_queries):
    book = BookFactory()
    for part_position in (1, 2):
        part = PartFactory(book=book, position=part_position)
        for chapter_position in (1, 2, 3):
            ChapterFactory(
                part=part, position=chapter_position, title=f"c{part_position}{chapter_position}"
            )
    (summary,) = load_summaries(Book.objects.filter(pk=book.pk))
    with django_assert_num_queries(0):
        numbers = [(c.title, c.number, c.anchor) for p in summary.parts for c in p.chapter_list]
    assert numbers[0] == ("c11", 1, "chapter-1-1")
    assert numbers[4] == ("c22", 5, "chapter-2-2")
