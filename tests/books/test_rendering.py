"""Markdown is rendered once, at save: pages only read stored HTML; rerender_markdown refreshes it."""

import io
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse

from books.models import Book, Chapter
from reviews.models import Review
from tests.factories import build_summary

pytestmark = pytest.mark.django_db


@contextmanager
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


def reader_urls(book):
    tag = book.tags.order_by("slug").first()
    author = book.ordered_authors[0]
    return {
        "home": reverse("books:list"),
        "summary": book.get_absolute_url(),
        "tags": reverse("books:tags"),
        "tag": reverse("books:tag", kwargs={"slug": tag.slug}),
        "tag feed": reverse("books:tag_feed", kwargs={"slug": tag.slug}),
        "author": reverse("books:author", kwargs={"slug": author.slug}),
        "feed": reverse("books:latest_feed"),
        "sitemap": reverse("sitemap"),
    }


@pytest.mark.parametrize(
    "page", ["home", "summary", "tags", "tag", "tag feed", "author", "feed", "sitemap"]
)
def test_reader_pages_show_stored_html_without_rendering_markdown(client, demo_book, page):
    url = reader_urls(Book.objects.with_authors().get(pk=demo_book.pk))[page]
    with no_markdown_rendering():
        response = client.get(url)
    assert response.status_code == 200
    if page == "summary":
        chapter = Chapter.objects.filter(part__book=demo_book).first()
        assert chapter.summary_html
        assert chapter.summary_html in response.content.decode()
    elif page == "tags":
        assert demo_book.tags.order_by("slug").first().name in response.content.decode()
    elif page == "sitemap":
        assert demo_book.get_absolute_url() in response.content.decode()
    else:
        assert demo_book.title in response.content.decode()


def test_the_guard_trips_when_markdown_is_rendered():
    """Proves the page test above would notice rendering: saving renders, and fails here."""
    with no_markdown_rendering(), pytest.raises(AssertionError, match="rendered"):
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
    assert "2 rows updated." in out.getvalue()
    assert Chapter.objects.get(pk=chapters[0].pk).summary_html == chapters[0].summary_html
    assert Review.objects.get(book=book).body_html == "<p><strong>bold</strong></p>"
    # Refreshing derived HTML is not an edit.
    assert Book.objects.get(pk=book.pk).updated_at == updated_at

    again = io.StringIO()
    call_command("rerender_markdown", stdout=again)
    assert "0 rows updated." in again.getvalue()
