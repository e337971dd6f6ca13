"""Markdown is rendered once, at save: pages only read stored HTML; rerender_markdown refreshes it."""

import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse

from books.models import Book, Chapter
from reviews.models import Review
from tests.factories import build_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_markdown_rendering():
    """Make any Markdown rendering or sanitising fail loudly."""

    def fail(*args, **kwargs):
        raise AssertionError("Markdown was rendered while serving a page")

    with (
        mock.patch("markdown.core.Markdown.convert", fail),
        mock.patch("markdown.markdown", fail),
        mock.patch("nh3.clean", fail),
    ):
        yield


@pytest.mark.parametrize("page", ["list", "detail"])
def test_pages_show_stored_html_without_rendering_markdown(
    client, demo_book, page, no_markdown_rendering
):
    url = reverse("books:list") if page == "list" else demo_book.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    assert demo_book.title in response.content.decode()
    if page == "detail":
        chapter = Chapter.objects.filter(part__book=demo_book).first()
        assert chapter.summary_html
        assert chapter.summary_html in response.content.decode()


def test_the_guard_trips_when_markdown_is_rendered(no_markdown_rendering):
    """Proves the page test above would notice rendering: saving renders, and fails here."""
    with pytest.raises(AssertionError, match="rendered"):
        Book(title="T", slug="t", description="*x*").save()


def test_rerender_markdown_refreshes_stale_html_and_leaves_the_rest():
    book = build_summary()
    chapters = list(Chapter.objects.filter(part__book=book).order_by("pk"))
    Chapter.objects.filter(pk=chapters[0].pk).update(summary_html="<p>stale</p>")
    Review.objects.filter(book=book).update(body="**bold**", body_html="")
    updated_at = Book.objects.get(pk=book.pk).updated_at

    dry = io.StringIO()
    call_command("rerender_markdown", "--dry-run", stdout=dry)
    assert f"books.Chapter: {len(chapters)} checked, 1 would change" in dry.getvalue()
    assert Chapter.objects.get(pk=chapters[0].pk).summary_html == "<p>stale</p>"

    out = io.StringIO()
    call_command("rerender_markdown", "--batch-size", "2", stdout=out)
    assert f"books.Chapter: {len(chapters)} checked, 1 updated" in out.getvalue()
    assert "reviews.Review: 1 checked, 1 updated" in out.getvalue()
    assert "2 row(s) updated." in out.getvalue()
    assert Chapter.objects.get(pk=chapters[0].pk).summary_html == chapters[0].summary_html
    assert Review.objects.get(book=book).body_html == "<p><strong>bold</strong></p>"
    # Refreshing derived HTML is not an edit.
    assert Book.objects.get(pk=book.pk).updated_at == updated_at

    again = io.StringIO()
    call_command("rerender_markdown", stdout=again)
    assert "0 row(s) updated." in again.getvalue()
