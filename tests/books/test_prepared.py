"""Prepared queries: compiled once, run with each call's values, never with stale ones."""

from datetime import datetime, timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from books.models import Book, Section
from books.prepared import PreparedQuery
from tests.factories import BookFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_each_run_uses_its_own_values(django_assert_num_queries):
    first, second = BookFactory(title="First"), BookFactory(title="Second")
    SectionFactory(book=first, position=1, heading="One")
    SectionFactory(book=second, position=1, heading="Two")
    SectionFactory(book=second, position=2, heading="Three")
    sections = PreparedQuery(
        lambda book: Section.objects.filter(book=book).order_by("position"), book=int
    )
    assert [s.heading for s in sections.rows(book=first.pk)] == ["One"]
    with django_assert_num_queries(1):
        rows = sections.rows(book=second.pk)
    assert [s.heading for s in rows] == ["Two", "Three"]
    assert all(isinstance(row, Section) for row in rows)
    assert sections.rows(book=0) == []


def test_a_time_value_is_the_one_given_at_each_run():
    scheduled = BookFactory(title="Later", scheduled=True)
    public = PreparedQuery(lambda at: Book.objects.published(at=at).filter(pk__gt=0), at=datetime)
    assert scheduled not in public.rows(at=timezone.now())
    assert scheduled in public.rows(at=scheduled.published_at + timedelta(seconds=1))
    assert scheduled not in public.rows(at=timezone.now())


def test_annotations_become_attributes():
    book = BookFactory(title="Annotated")
    SectionFactory(book=book, position=1, heading="Only")
    rows = PreparedQuery(
        lambda book: Section.objects.filter(book=book).annotate(book_title=F("book__title")),
        book=int,
    ).rows(book=book.pk)
    assert [row.book_title for row in rows] == ["Annotated"]


def test_sql_that_depends_on_the_values_is_refused():
    BookFactory()
    # An IN list as long as the value is odd or even: its SQL has one or two placeholders.
    varying = PreparedQuery(
        lambda book: Book.objects.filter(pk__in=[book, book - 1][: 1 + book % 2]), book=int
    )
    with pytest.raises(ValueError, match="changes with its values"):
        varying.rows(book=1)


def test_two_values_of_one_type_each_go_to_their_own_place():
    first, second = BookFactory(title="First"), BookFactory(title="Second")
    SectionFactory(book=first, position=1, heading="One")
    SectionFactory(book=second, position=2, heading="Two")
    sections = PreparedQuery(
        lambda book, position: Section.objects.filter(book=book, position=position),
        book=int,
        position=int,
    )
    assert [s.heading for s in sections.rows(book=second.pk, position=2)] == ["Two"]
    assert sections.rows(book=second.pk, position=1) == []
    slugs = PreparedQuery(lambda slug: Book.objects.filter(slug=slug), slug=str)
    assert slugs.rows(slug=first.slug) == [first]


def test_only_ids_times_and_text_can_be_values():
    with pytest.raises(TypeError):
        PreparedQuery(lambda pages: Book.objects.filter(pk__in=pages), pages=list)
