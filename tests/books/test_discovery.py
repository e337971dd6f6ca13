"""Feeds, sitemap and robots.txt: every published summary, and never a draft."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AuthorFactory, BookAuthorFactory, BookFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def atom_entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    return feed, [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]


def test_latest_feed_lists_published_summaries_newest_first(client):
    author = AuthorFactory(name="Jay Alammar")
    older = BookFactory(
        title="Older", published_at=timezone.now() - timedelta(days=2), tags=["llm"]
    )
    BookAuthorFactory(book=older, author=author, position=1)
    BookFactory(title="Newer", published_at=timezone.now() - timedelta(hours=1))
    BookFactory(title="Draft", draft=True)
    BookFactory(title="Scheduled", scheduled=True)
    feed, titles = atom_entries(client.get("/feeds/latest/"))
    assert titles == ["Newer", "Older"]
    entry = feed.findall(f"{ATOM}entry")[1]
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver{older.get_absolute_url()}"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Jay Alammar"
    assert entry.find(f"{ATOM}category").get("term") == "llm"
    assert entry.findtext(f"{ATOM}summary") == older.lede


def test_feed_summaries_are_text_not_markup(client):
    BookFactory(lede="Use <b> for bold & more")
    feed, _ = atom_entries(client.get("/feeds/latest/"))
    assert feed.find(f"{ATOM}entry/{ATOM}summary").text == "Use &lt;b&gt; for bold &amp; more"


def test_tag_feed_lists_only_that_tag(client):
    BookFactory(title="Tagged", tags=["rag"])
    BookFactory(title="Other", tags=["cooking"])
    BookFactory(title="Tagged draft", tags=["rag"], draft=True)
    feed, titles = atom_entries(client.get("/tags/rag/feed/"))
    assert titles == ["Tagged"]
    assert feed.findtext(f"{ATOM}title") == "Book summaries tagged “rag”"


def test_feed_of_a_draft_only_tag_is_404(client):
    BookFactory(tags=["secret"], draft=True)
    assert client.get("/tags/secret/feed/").status_code == 404
    assert client.get("/tags/never-existed/feed/").status_code == 404


def test_pages_advertise_the_feed(client):
    BookFactory()
    assert 'rel="alternate" type="application/atom+xml"' in client.get("/").content.decode()


def sitemap_entries(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own sitemap)
    return {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.iter(f"{SITEMAP}url")
    }


def test_sitemap_lists_published_summaries_tags_and_authors_with_lastmod(client):
    author = AuthorFactory(name="Ada Lovelace", slug="ada-lovelace")
    book = BookFactory(title="Published", tags=["engines"])
    BookAuthorFactory(book=book, author=author, position=1)
    hidden_author = AuthorFactory(name="Hidden", slug="hidden")
    draft = BookFactory(title="Draft", tags=["draft-tag"], draft=True)
    BookAuthorFactory(book=draft, author=hidden_author, position=1)
    scheduled = BookFactory(title="Later", scheduled=True)
    entries = sitemap_entries(client)
    day = book.updated_at.date().isoformat()
    assert entries[f"http://testserver{book.get_absolute_url()}"] == day
    assert entries["http://testserver/tags/engines/"] == day
    assert entries["http://testserver/authors/ada-lovelace/"] == day
    assert "http://testserver/" in entries and "http://testserver/tags/" in entries
    everything = " ".join(entries)
    for hidden in (
        draft.get_absolute_url(),
        scheduled.get_absolute_url(),
        "draft-tag",
        "/authors/hidden/",
    ):
        assert hidden not in everything


def test_sitemap_has_every_published_summary(client, demo_book):
    books = [BookFactory() for _ in range(5)]
    entries = sitemap_entries(client)
    for book in [demo_book, *books]:
        assert f"http://testserver{book.get_absolute_url()}" in entries


def test_robots_points_at_the_sitemap_with_an_absolute_url(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text
