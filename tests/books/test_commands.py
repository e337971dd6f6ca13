"""Set-up commands: the demo library and the first editor account."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from reversion.models import Revision
from taggit.models import Tag

from books.curation.models import Collection, CollectionItem
from books.models import Author, Book
from books.summaries.export import iter_exports

pytestmark = pytest.mark.django_db


def library_state():
    """What a second seed must leave alone: every summary's version, and the rows around them."""
    return (
        dict(Book.objects.values_list("slug", "version")),
        Author.objects.count(),
        Tag.objects.count(),
        CollectionItem.objects.count(),
        Revision.objects.count(),
    )


def test_seed_demo_loads_the_english_summary_and_its_russian_translation():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert dict(Book.objects.published().values_list("slug", "language")) == {
        "hands-on-large-language-models": "en",
        "hands-on-large-language-models-ru": "ru",
    }
    # The summary a translation names is loaded before it.
    assert out.getvalue().index("/books/hands-on-large-language-models/") < out.getvalue().index(
        "/books/hands-on-large-language-models-ru/"
    )
    assert Collection.objects.get(slug="start-here-llms").items.count() == 1


def test_seed_demo_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = library_state()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert library_state() == first
    assert Book.objects.published().count() == 2
    assert "Demo summary up to date: /books/hands-on-large-language-models/" in out.getvalue()
    assert "Demo summary up to date: /ru/books/hands-on-large-language-models-ru/" in out.getvalue()
    assert "Added" not in out.getvalue() and "updated" not in out.getvalue()


def test_seed_demo_fills_every_section_of_the_russian_summary():
    call_command("seed_demo", stdout=io.StringIO())
    (summary,) = iter_exports(Book.objects.filter(slug="hands-on-large-language-models-ru"))
    assert summary["language"] == "ru"
    for key in ("title", "subtitle", "lede", "description", "authors_intro", "structure_intro"):
        assert summary[key].strip(), key
    for key in ("authors", "sections", "audience", "tags", "parts", "related"):
        assert summary[key], key
    assert all(author["bio"] and author["url"] for author in summary["authors"])
    assert all(part["summary"] and part["chapters"] for part in summary["parts"])
    assert all(chapter["summary"] for part in summary["parts"] for chapter in part["chapters"])
    assert summary["review"]["body"] and summary["review"]["takeaways"]
    assert [link["featured"] for link in summary["related"]].count(True) == 1


def test_ensure_editor_creates_one_editor_with_a_generated_password(client):
    out = io.StringIO()
    call_command("ensure_editor", stdout=out)
    password = out.getvalue().split("password: ")[1].split()[0]
    assert len(password) >= 12
    assert client.login(username="editor", password=password)
    assert client.get("/admin/books/book/").status_code == 200

    again = io.StringIO()
    call_command("ensure_editor", stdout=again)
    assert "password" not in again.getvalue().split("createsuperuser")[0].lower()
    assert get_user_model().objects.count() == 1


def test_each_new_editor_gets_a_different_password():
    passwords = set()
    for _ in range(2):
        get_user_model().objects.all().delete()
        out = io.StringIO()
        call_command("ensure_editor", stdout=out)
        passwords.add(out.getvalue().split("password: ")[1].split()[0])
    assert len(passwords) == 2


@pytest.mark.parametrize(
    "command",
    [
        ("import_summaries", "tests/search/corpus/ai-engineering.json"),
        ("rebuild_search_index",),
    ],
    ids=["import_summaries", "rebuild_search_index"],
)
def test_a_bulk_write_leaves_sqlite_the_planner_statistics_it_needs(command):
    """Without them SQLite reads "more like this" and the publication checks the slow way on
    a large library (docs/operations.md); PostgreSQL's autovacuum keeps its own."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its own statistics")

    def analysed():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return set()
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
            return {row[0] for row in cursor.fetchall()}

    call_command("seed_demo", stdout=io.StringIO())
    assert "books_book" not in analysed()
    call_command(*command, stdout=io.StringIO())
    assert {"books_book", "taggit_taggeditem"} <= analysed()
