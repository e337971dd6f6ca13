"""rebuild_search_index, its drift check, the system check, and the benchmark's safety."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from books.models import Book, Chapter
from books.search import get_backend, search
from books.search.checks import search_index_in_step
from tests.factories import BookFactory, build_summary

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def damage_index(book):
    """Index rows lost, as if written by a process that crashed before indexing."""
    with connection.cursor() as cursor:
        get_backend().delete(cursor, [book.pk])


def test_rebuild_indexes_everything_and_is_safe_to_rerun(indexed):
    with indexed():
        first = build_summary(title="Quokka habits")
        second = BookFactory(title="Wombat burrows")
    damage_index(first)
    Book.objects.filter(pk=second.pk).update(title="Wombat tunnels")  # no signal
    assert search("quokka").total == 0

    output = run("rebuild_search_index", "--batch-size", "1")
    assert "Indexed 3 of 3 summaries" in output
    assert search("quokka").total == 1
    assert search("tunnels").total == 1
    assert search("burrows").total == 0

    run("rebuild_search_index")
    assert search("quokka").total == 1
    assert len(get_backend().entries()) == 3


def test_check_reports_missing_stale_and_orphaned_rows(indexed):
    with indexed():
        missing = BookFactory(title="Missing one")
        stale = build_summary(title="Stale one")
        orphan = BookFactory(title="Deleted one")
    assert "matches the content" in run("rebuild_search_index", "--check")

    damage_index(missing)
    Chapter.objects.filter(part__book=stale).update(title="Edited behind its back")
    Book.objects.filter(pk=orphan.pk).delete()  # no commit: the index keeps its row

    out = StringIO()
    with pytest.raises(CommandError, match="drifted"):
        call_command("rebuild_search_index", "--check", stdout=out)
    report = out.getvalue()
    assert f"1 summary missing from the index: {missing.pk}" in report
    assert f"1 summary indexed with old content: {stale.pk}" in report
    assert f"1 summary indexed but deleted: {orphan.pk}" in report

    run("rebuild_search_index")
    assert "matches the content" in run("rebuild_search_index", "--check")


def test_system_check_warns_about_summaries_missing_from_the_index(indexed):
    with indexed():
        book = BookFactory(title="Checked")
    assert search_index_in_step(databases=["default"]) == []
    damage_index(book)
    warnings = search_index_in_step(databases=["default"])
    assert [warning.id for warning in warnings] == ["books.W002"]
    assert "rebuild_search_index" in warnings[0].hint
    assert search_index_in_step(databases=None) == []  # only with --database


@pytest.mark.slow
def test_bench_runs_in_a_throwaway_database_and_leaves_the_library_alone(indexed):
    with indexed():
        BookFactory(title="Mine")
    output = run(
        "bench_search", "--summaries", "40", "--chapters", "3", "--queries", "4", "--skip-naive"
    )
    assert "bench_search:" in output
    assert "index built in" in output
    assert "database size" in output
    assert "p50 ms" in output and "common" in output
    assert list(Book.objects.values_list("title", flat=True)) == ["Mine"]
    assert len(get_backend().entries()) == 1
