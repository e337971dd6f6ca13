"""Author pages: the bio, the website and the author's published summaries."""

import pytest

from tests.factories import AuthorFactory, BookAuthorFactory, BookFactory

pytestmark = pytest.mark.django_db


def test_author_page_shows_bio_website_and_published_summaries(client):
    author = AuthorFactory(
        name="Chip Huyen", bio="Writes about *ML systems*.", website="https://huyenchip.com/"
    )
    BookAuthorFactory(author=author, book=BookFactory(title="AI Engineering"), position=1)
    BookAuthorFactory(author=author, book=BookFactory(title="Unfinished", draft=True), position=1)
    response = client.get(author.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Chip Huyen</h1>" in html
    assert "<em>ML systems</em>" in html
    assert '<a href="https://huyenchip.com/" rel="noopener">huyenchip.com</a>' in html
    assert "AI Engineering" in html
    assert "Unfinished" not in html


def test_summary_and_cards_link_to_author_pages(client, demo_book):
    html = client.get(demo_book.get_absolute_url()).content.decode()
    assert '<a href="/authors/jay-alammar/">Jay Alammar</a>' in html
    cards = client.get("/books/").content.decode()
    assert '<a href="/authors/maarten-grootendorst/">Maarten Grootendorst</a>' in cards
    author_page = client.get("/authors/jay-alammar/")
    assert author_page.status_code == 200
    assert "Hands-On Large Language Models" in author_page.content.decode()


def test_author_of_drafts_only_is_not_public(client):
    author = AuthorFactory(name="Secret Writer")
    BookAuthorFactory(author=author, book=BookFactory(draft=True), position=1)
    response = client.get(author.get_absolute_url())
    assert response.status_code == 404
    assert "Secret Writer" not in response.content.decode()
    assert "no published summaries" in response.content.decode()


def test_unknown_author_is_404(client):
    assert client.get("/authors/nobody/").status_code == 404
