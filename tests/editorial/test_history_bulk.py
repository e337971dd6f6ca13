"""Revisions recorded in bulk by the write path store exactly what django-reversion stores."""

import pytest
import reversion
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Revision

from books.models import Book
from books.summaries import ALL_LINKS, load_summaries
from books.summaries.revisions import record_revisions, versions_of
from tests.factories import UserFactory, build_summary

pytestmark = pytest.mark.django_db


def stored(revision):
    return sorted(
        (v.content_type_id, v.object_id, v.db, v.format, v.serialized_data, v.object_repr)
        for v in revision.version_set.all()
    )


def test_bulk_revisions_store_exactly_what_reversion_stores_following_the_summary():
    book = build_summary(tags=["llm", "Ёлки"])
    user = UserFactory()
    with reversion.create_revision():
        # reversion follows the relations registered for a summary from the book alone.
        reversion.add_to_revision(Book.objects.get(pk=book.pk))
        reversion.set_user(user)
        reversion.set_comment("reversion")
    record_revisions(
        load_summaries(Book.objects.filter(pk=book.pk), links=ALL_LINKS),
        user=user,
        comment="in bulk",
    )
    one, bulk = Revision.objects.order_by("pk")
    assert (bulk.comment, bulk.user) == ("in bulk", user)
    assert len(stored(one)) > 20  # the book, its authors, parts, chapters, tags, review, links
    assert stored(bulk) == stored(one)
    assert [v.revision.comment for v in versions_of(book.pk)] == ["in bulk", "reversion"]


def test_bulk_revisions_take_a_fixed_number_of_queries():
    def queries_for(chapters_per_part):
        books = [build_summary(parts=2, chapters_per_part=chapters_per_part) for _ in range(3)]
        with CaptureQueriesContext(connection) as queries:
            summaries = load_summaries(
                Book.objects.filter(pk__in=[b.pk for b in books]), links=ALL_LINKS
            )
            record_revisions(summaries, comment="import")
        return len(queries.captured_queries)

    ContentType.objects.get_for_models(*apps.get_models())  # as in a running site
    small, large = queries_for(1), queries_for(10)
    assert small == large
    # The loader's queries (one per kind of row) and two bulk inserts.
    assert large <= 14
    assert Revision.objects.filter(comment="import").count() == 6
