"""The reading product (issue 11): home, covers, the guiding summary page, discovery pages,
the reading list's endpoint, "get the book" links and related links that connect by themselves."""

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from books import covers
from books.curation.models import Collection, CollectionItem
from books.models import Book, Status
from books.retailers import get_the_book
from books.summaries import import_file
from tests.factories import AuthorFactory, BookAuthorFactory, BookFactory, build_summary

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[1] / "search" / "corpus"


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (2, 3), "teal").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """These tests change content without committing: pages are rendered fresh each time
    (tests/cache/ shows that a commit retires the cached pages and fragments)."""
    settings.PAGE_CACHE_SECONDS = settings.FRAGMENT_CACHE_SECONDS = 0


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- 1. Identity and home ---------------------------------------------------------------------


def test_home_says_what_the_library_is_and_shows_covers_start_here_and_tags(client, demo_book):
    html = html_of(client, "/")
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    assert "Book summaries" not in h1  # the wordmark names the site; the heading says what it is
    assert html.count("<h1") == 1
    assert '<ul class="shelf"' in html and '<svg class="cover-art"' in html
    assert 'id="start-here">Start here: LLMs</h2>' in html
    assert 'id="browse-tags">Browse by tag</h2>' in html
    assert 'class="wordmark">Book summaries</span>' in html


def test_a_generated_cover_follows_the_main_tag_and_an_upload_replaces_it(client):
    one = BookFactory(title="Alpha", tags=["databases"])
    two = BookFactory(title="Beta", tags=["databases"])
    BookFactory(title="Gamma", tags=["poetry"])
    first, second = (covers.design(b.title, [], "databases") for b in (one, two))
    assert (first.background, first.pattern) == (second.background, second.pattern)
    assert first.title_lines != second.title_lines
    html = html_of(client, "/books/")
    assert html.count('<svg class="cover-art"') == 3
    assert '<tspan x="24" y="78">Alpha</tspan>' in html
    one.cover = SimpleUploadedFile("cover.png", PNG, content_type="image/png")
    one.save()
    html = html_of(client, "/books/")
    assert html.count('<svg class="cover-art"') == 2
    assert f'<img class="cover-art" src="{one.cover.url}"' in html


def test_cover_text_is_escaped_and_long_titles_are_cut():
    design = covers.design("<script>" + " word" * 60, ["A & B"], None)
    svg = covers.cover_svg(design)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert len(design.title_lines) <= 5 and design.title_lines[-1].endswith("…")
    assert "A &amp; B" in svg


def test_logo_and_wordmark_are_in_the_repository():
    for name in ("img/logo.svg", "img/wordmark.svg", "favicon.svg"):
        path = finders.find(name)
        assert path, name
        ET.parse(path)  # noqa: S314 (our own file): well-formed SVG


# --- 2. A summary page that guides --------------------------------------------------------------


def test_key_ideas_card_comes_first_with_facts_reading_time_audience_and_takeaways(
    client, demo_book
):
    html = html_of(client, demo_book.get_absolute_url())
    card = html[
        html.index('<header class="key-ideas"') : html.index(
            "</header>", html.index('class="key-ideas"')
        )
    ]
    assert "<h1>Hands-On Large Language Models</h1>" in card
    assert "min read" in card and "4</strong> takeaways" in card
    assert "Who it\u2019s for" in card and "428</strong> pages" in card
    assert "Jay Alammar" in card
    # The key-ideas card opens the page: the review comes after it.
    assert html.index('class="key-ideas"') < html.index('id="review"')


def test_contents_lists_every_section_not_only_chapters(client, demo_book):
    html = html_of(client, demo_book.get_absolute_url())
    nav = html[
        html.index('<nav class="toc"') : html.index("</nav>", html.index('<nav class="toc"'))
    ]
    targets = re.findall(r'href="#([^"]+)"', nav)
    for anchor in (
        "overview", "review", "practical-value", "about-the-book", "about-the-authors",
        "section-1-text", "structure", "who-for", "related", "chapter-2-5",
    ):  # fmt: skip
        assert anchor in targets, anchor
        assert f'id="{anchor}"' in html, anchor
    assert '<details class="toc-details" open>' in nav  # readable without JavaScript


def test_reading_aids_are_on_the_page(client, demo_book):
    html = html_of(client, demo_book.get_absolute_url())
    assert '<div class="reading-progress" aria-hidden="true"></div>' in html
    assert '<a href="#main">Back to top' in html
    assert "js/site.js" in html  # adds the copy-link buttons on chapter headings


def test_get_the_book_links_come_from_the_isbn_without_network(client, demo_book):
    links = get_the_book(demo_book)
    assert [link.url for link in links] == [
        "https://www.oreilly.com/search/?q=9781098150969",
        "https://openlibrary.org/isbn/9781098150969",
        "https://search.worldcat.org/isbn/9781098150969",
    ]
    html = html_of(client, demo_book.get_absolute_url())
    assert 'href="https://openlibrary.org/isbn/9781098150969"' in html
    assert get_the_book(BookFactory(isbn="")) == []
    unknown = BookFactory(isbn="0-306-40615-2", publisher="A small press")
    assert get_the_book(unknown)[0].label == "Open Library"


def test_a_typed_related_title_links_once_the_library_has_that_summary(client, demo_book):
    url = demo_book.get_absolute_url()
    assert "<cite>AI Engineering</cite>" in html_of(client, url)
    import_file(CORPUS / "ai-engineering.json")
    html = html_of(client, url)
    assert '<a href="/books/ai-engineering/">AI Engineering</a> (Chip Huyen)' in html
    assert "<cite>AI Engineering</cite>" not in html
    # "AI Engineering Interviews" is another title: it stays a citation.
    assert "<cite>AI Engineering Interviews (short summary)</cite>" in html


def test_a_typed_title_does_not_link_to_another_authors_book_or_a_draft(client):
    book = build_summary(title="Reader")
    other = BookFactory(title="Not in the library yet")
    BookAuthorFactory(book=other, author=AuthorFactory(name="Someone Else"), position=1)
    link = book.related_links.get(title="Not in the library yet")
    link.authors = "Chip Huyen"
    link.save()
    assert "<cite>Not in the library yet</cite>" in html_of(client, book.get_absolute_url())
    link.authors = ""
    link.save()
    assert f'<a href="{other.get_absolute_url()}">' in html_of(client, book.get_absolute_url())
    other.status, other.published_at = Status.DRAFT, None
    other.save()
    assert "<cite>Not in the library yet</cite>" in html_of(client, book.get_absolute_url())


# --- 3. The reading list ------------------------------------------------------------------------


def test_reading_list_page_explains_what_it_needs_without_javascript(client):
    html = html_of(client, "/reading-list/")
    assert re.search(r"<p class=\"notice\" data-needs-script>This page needs JavaScript", html)
    assert html.count("data-lists hidden") == 2  # the script shows the lists
    assert "js/reading-list.js" in html
    assert "Set-Cookie" not in client.get("/reading-list/").headers


def test_reading_list_cards_give_public_card_data_only(client):
    public = build_summary(title="Public one", tags=["llm"])
    draft = BookFactory(title="Secret draft", draft=True)
    response = client.get(
        "/reading-list/cards/",
        {"slug": [draft.slug, public.slug, "no-such-summary", "bad\x00slug", public.slug]},
    )
    assert response.status_code == 200
    cards = response.json()["cards"]
    assert [card["slug"] for card in cards] == [public.slug]
    card = cards[0]
    assert card["url"] == public.get_absolute_url() and card["title"] == "Public one"
    assert card["reading_minutes"] >= 1 and card["tags"] == ["llm"]
    assert card["cover_svg"].startswith('<svg class="cover-art"')
    assert "Secret draft" not in json.dumps(response.json())
    assert client.get("/reading-list/cards/").json() == {"cards": []}


def test_cards_carry_the_hooks_for_saving_and_read_marks(client):
    book = BookFactory(title="Marked")
    html = html_of(client, "/books/")
    assert f'<article class="card" data-slug="{book.slug}">' in html
    assert '<span class="read-mark" hidden>Read</span>' in html
    assert f'data-reading-actions data-slug="{book.slug}" hidden' in html


# --- 4. Discovery -------------------------------------------------------------------------------


def test_authors_index_counts_published_summaries_only(client):
    ada = AuthorFactory(name="Ada Writer")
    for title in ("One", "Two"):
        BookAuthorFactory(book=BookFactory(title=title), author=ada, position=1)
    BookAuthorFactory(book=BookFactory(title="Draft", draft=True), author=ada, position=1)
    hidden = AuthorFactory(name="Only Drafts")
    BookAuthorFactory(book=BookFactory(draft=True), author=hidden, position=1)
    html = html_of(client, "/authors/")
    assert re.search(r">Ada Writer</a> <span class=\"count\">2 summaries</span>", html)
    assert "Only Drafts" not in html


def test_all_summaries_sort_and_combine_tags_with_plain_links(client):
    short = BookFactory(title="b short", tags=["llm", "rag"], reading_words=200)
    long = BookFactory(title="A long", tags=["llm", "rag"], reading_words=20000)
    BookFactory(title="C only llm", tags=["llm"], reading_words=5000)
    BookFactory(title="Draft", tags=["llm", "rag"], draft=True)

    def titles(url):
        return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', html_of(client, url))

    assert titles("/books/?sort=title") == ["A long", "b short", "C only llm"]
    assert titles("/books/?sort=time") == ["b short", "C only llm", "A long"]
    assert titles("/books/?sort=nonsense") == titles("/books/")
    html = html_of(client, "/books/?tag=llm")
    assert 'href="/books/?tag=llm&amp;tag=rag"' in html  # add a chip: a plain link
    narrowed = html_of(client, "/books/?tag=llm&tag=rag&sort=title")
    assert re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', narrowed) == [
        long.title,
        short.title,
    ]
    assert 'href="/books/?tag=rag&amp;sort=title"' in narrowed  # remove "llm", keep the rest
    assert 'href="/tags/llm/feed/?and=rag"' in narrowed
    assert client.get("/books/?tag=LLM").headers["Location"] == "/books/?tag=llm"
    assert client.get("/books/?tag=nope").status_code == 404
    assert client.get("/books/?" + "&".join(f"tag=t{n}" for n in range(9))).status_code == 404


def test_tag_pages_offer_narrowing_and_their_feed_follows(client):
    BookFactory(title="Both", tags=["llm", "rag"])
    BookFactory(title="Only one", tags=["llm", "agents"])
    html = html_of(client, "/tags/llm/")
    assert "Narrow with another tag" in html
    assert 'href="/tags/llm/?and=rag"' in html and 'href="/tags/llm/?and=agents"' in html
    assert 'href="/tags/llm/feed/"' in html
    narrowed = html_of(client, "/tags/llm/?and=rag")
    assert 'href="/tags/llm/feed/?and=rag"' in narrowed
    feed = client.get("/tags/llm/feed/?and=rag").content.decode()
    assert "<title>Both</title>" in feed and "Only one" not in feed


def test_tag_addresses_ignore_case_with_a_permanent_redirect(client):
    BookFactory(title="Tagged", tags=["LLM", "RAG"])
    response = client.get("/tags/LLM/")
    assert response.status_code == 301 and response.headers["Location"] == "/tags/llm/"
    response = client.get("/tags/Llm/?and=RAG")
    assert response.status_code == 301 and response.headers["Location"] == "/tags/llm/?and=rag"
    response = client.get("/tags/LLM/feed/")
    assert response.status_code == 301 and response.headers["Location"] == "/tags/llm/feed/"
    assert client.get("/tags/NOPE/").status_code == 404


# --- 4. Collections -----------------------------------------------------------------------------


@pytest.fixture
def collection():
    collection = Collection.objects.create(
        title="Start here: LLMs", intro="Read these **in order**.", status=Status.PUBLISHED
    )
    for position, title in enumerate(["Second", "First"], start=1):
        CollectionItem.objects.create(
            collection=collection, book=BookFactory(title=title), position=position
        )
    CollectionItem.objects.create(
        collection=collection, book=BookFactory(title="Hidden draft", draft=True), position=3
    )
    return collection


def test_a_collection_lists_its_published_summaries_in_order(client, collection):
    html = html_of(client, collection.get_absolute_url())
    assert "<strong>in order</strong>" in html
    assert html.index(">Second<") < html.index(">First<")
    assert "Hidden draft" not in html
    assert "2 summaries, in reading order" in html
    index = html_of(client, "/collections/")
    assert "Start here: LLMs" in index and "2 summaries" in index
    feed = client.get(f"{collection.get_absolute_url()}feed/").content.decode()
    assert "<title>Second</title>" in feed and "Hidden draft" not in feed


def test_a_draft_collection_is_for_editors_only(editor_client, collection):
    from django.test import Client

    client = Client()
    collection.status, collection.published_at = Status.DRAFT, None
    collection.save()
    for url in (collection.get_absolute_url(), f"{collection.get_absolute_url()}feed/"):
        assert client.get(url).status_code == 404
    assert "Start here" not in html_of(client, "/collections/")
    response = editor_client.get(collection.get_absolute_url())
    assert response.status_code == 200 and "Draft — not public." in response.content.decode()
    assert "no-store" in response.headers["Cache-Control"]


def test_the_featured_collection_is_on_the_home_page(client, collection):
    assert "Start here: LLMs" not in html_of(client, "/")
    collection.featured = True
    collection.save()
    assert 'id="start-here">Start here: LLMs</h2>' in html_of(client, "/")


def test_editors_edit_collections_in_the_admin(admin_client, collection):
    assert admin_client.get("/admin/curation/collection/").status_code == 200
    response = admin_client.get(f"/admin/curation/collection/{collection.pk}/change/")
    assert response.status_code == 200 and "Start here: LLMs" in response.content.decode()


# --- 5. Feeds -----------------------------------------------------------------------------------


ATOM = "{http://www.w3.org/2005/Atom}"


def test_feeds_carry_the_whole_summary_each_author_and_the_last_edit(client, demo_book):
    response = client.get("/feeds/latest/")
    body = response.content.decode()
    assert '<?xml-stylesheet href="/static/feeds/feed.xsl"' in body
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    # The English demo's entry (its Russian translation has one too).
    (entry,) = (
        entry
        for entry in feed.findall(f"{ATOM}entry")
        if entry.find(f"{ATOM}link").get("href").endswith(demo_book.get_absolute_url())
    )
    names = [author.findtext(f"{ATOM}name") for author in entry.findall(f"{ATOM}author")]
    assert names == ["Jay Alammar", "Maarten Grootendorst"]
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "Semantic Search and RAG" in content.text  # a chapter: the whole summary
    assert "Practical value" in content.text and "<script" not in content.text
    book = Book.objects.get(pk=demo_book.pk)
    assert entry.findtext(f"{ATOM}updated") == book.last_edited.isoformat()


def test_re_importing_the_same_summary_keeps_its_last_edit_and_a_change_moves_it(demo_book):
    from django.core.management import call_command

    before = Book.objects.get(pk=demo_book.pk)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    again = Book.objects.get(pk=demo_book.pk)
    assert again.updated_at == before.updated_at  # an identical file writes nothing
    assert again.edited_at == before.edited_at
    from books.summaries import writing

    with writing(comment="A real edit") as write:
        again.lede = "A new opening."
        write.save([again])
    assert Book.objects.get(pk=demo_book.pk).edited_at > before.edited_at


def test_the_feed_stylesheet_is_a_static_xsl_that_explains_subscribing():
    path = finders.find("feeds/feed.xsl")
    tree = ET.parse(path)  # noqa: S314 (our own file)
    text = Path(path).read_text()
    assert tree.getroot().tag == "{http://www.w3.org/1999/XSL/Transform}stylesheet"
    assert "subscribe" in text.lower() and "atom:entry" in text


def test_only_the_first_page_of_a_plain_search_may_be_indexed(client, demo_book):
    from books.search import rebuild

    rebuild()
    html = html_of(client, "/search/?q=attention")
    assert '<meta name="robots" content="noindex">' not in html
    assert '<link rel="canonical" href="http://testserver/search/?q=attention">' in html
    for url in ("/search/?q=zzzzqqq", "/search/?q=attention&tag=llm", "/search/?q="):
        assert '<meta name="robots" content="noindex">' in html_of(client, url), url
