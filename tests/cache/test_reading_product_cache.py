"""The new readers' pages (/books/, /authors/, collections, the reading list's cards) are cached
and refreshed exactly; share cards are drawn when first asked for, and again only when they change.

Marked ``cache``: CI runs this module again against Redis (TEST_REDIS_URL).
"""

from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from books.curation.models import Collection, CollectionItem
from books.models import Author, Book, Status, SummaryVersion
from books.summaries import import_file
from tests.factories import BookAuthorFactory, build_summary

pytestmark = [pytest.mark.django_db, pytest.mark.cache]

CORPUS = Path(__file__).resolve().parents[1] / "search" / "corpus"


@pytest.fixture
def library(committed):
    with committed():
        alpha = build_summary(title="Alpha title", tags=["llm", "nlp"], authors=0)
        author = Author.objects.create(name="Ada Writer")
        BookAuthorFactory(book=alpha, author=author, position=1)
        beta = build_summary(title="Beta title", tags=["nlp"])
        collection = Collection.objects.create(
            title="Start here", status=Status.PUBLISHED, featured=True
        )
        CollectionItem.objects.create(collection=collection, book=beta, position=1)
    return {"alpha": alpha, "beta": beta, "collection": collection, "author": author}


def get(client, url):
    response = client.get(url)
    return response, response.content.decode()


def state(client, url):
    return client.get(url).headers.get("X-Page-Cache")


def list_pages(library):
    collection = library["collection"]
    return {
        "home": "/",
        "all summaries": "/books/",
        "all summaries tagged": "/books/?tag=nlp&sort=title",
        "authors": "/authors/",
        "collections": "/collections/",
        "collection": collection.get_absolute_url(),
        "collection feed": f"{collection.get_absolute_url()}feed/",
        "reading list": "/reading-list/",
        "reading list cards": f"/reading-list/cards/?slug={library['alpha'].slug}",
    }


@pytest.mark.parametrize(
    "name",
    [
        "home", "all summaries", "all summaries tagged", "authors", "collections", "collection",
        "collection feed", "reading list", "reading list cards",
    ],
)  # fmt: skip
def test_new_pages_are_cached_and_a_hit_costs_one_query_or_none(
    client, library, name, django_assert_num_queries, settings
):
    url = list_pages(library)[name]
    first, html = get(client, url)
    assert first.status_code == 200 and first.headers["X-Page-Cache"] == "miss"
    # The version tokens from the database, or nothing at all when they are in the cache.
    with django_assert_num_queries(1 if settings.PAGE_CACHE_TOKENS == "database" else 0):
        second, cached = get(client, url)
    assert second.headers["X-Page-Cache"] == "hit" and cached == html


def test_publishing_a_summary_refreshes_every_list_that_shows_it(client, library, committed):
    with committed():
        fresh = build_summary(title="Fresh title", tags=["nlp"], draft=True, authors=0)
        BookAuthorFactory(book=fresh, author=library["author"], position=1)
        CollectionItem.objects.create(collection=library["collection"], book=fresh, position=2)
    urls = list_pages(library)
    urls["reading list cards"] = f"/reading-list/cards/?slug={fresh.slug}"
    del urls["reading list"]
    for url in urls.values():
        get(client, url)
        assert state(client, url) == "hit", url
    # The author index and the collections' index show counts, not titles.
    counted = {
        "authors": '>Ada Writer</a> <span class="count">2 summaries',
        "collections": "2 summaries",
    }
    for name, url in urls.items():
        assert counted.get(name, "Fresh title") not in get(client, url)[1], name
    with committed():
        fresh.status = Status.PUBLISHED
        fresh.save()
    for name, url in urls.items():
        assert counted.get(name, "Fresh title") in get(client, url)[1], name


def test_editing_a_collection_refreshes_its_pages_and_no_summary_page(client, library, committed):
    collection = library["collection"]
    alpha = library["alpha"]
    urls = list_pages(library)
    for url in [*urls.values(), alpha.get_absolute_url()]:
        get(client, url)
    tokens = dict(SummaryVersion.objects.values_list("book_id", "token"))

    with committed():
        collection.title = "Begin here"
        collection.save()
    for name in ("home", "collections", "collection", "collection feed"):
        assert "Begin here" in get(client, urls[name])[1], name

    with committed():
        CollectionItem.objects.create(collection=collection, book=alpha, position=2)
    assert "Alpha title" in get(client, collection.get_absolute_url())[1]
    assert "Alpha title" in get(client, f"{collection.get_absolute_url()}feed/")[1]

    # Summary pages show no collection: their tokens, and their cached pages, stay.
    assert dict(SummaryVersion.objects.values_list("book_id", "token")) == tokens
    assert state(client, alpha.get_absolute_url()) == "hit"

    with committed():
        collection.status, collection.published_at = Status.DRAFT, None
        collection.save()
    reader = Client()
    assert reader.get(collection.get_absolute_url()).status_code == 404
    assert "Begin here" not in get(reader, "/")[1]
    assert "Begin here" not in get(reader, "/collections/")[1]

    with committed():
        collection.delete()
    assert reader.get(f"/collections/{collection.slug}/feed/").status_code == 404


def test_a_typed_link_connects_on_every_cached_page_once_its_summary_is_imported(
    client, demo_book, committed
):
    url = demo_book.get_absolute_url()
    get(client, url)
    assert state(client, url) == "hit"
    assert "<cite>AI Engineering</cite>" in get(client, url)[1]
    with committed():
        import_file(CORPUS / "ai-engineering.json")
    assert '<a href="/books/ai-engineering/">AI Engineering</a>' in get(client, url)[1]


# --- Share cards --------------------------------------------------------------------------------


def card_of(client, book):
    """Ask for ``book``'s share card as a link preview would; return its stored name."""
    response = client.get(f"{book.get_absolute_url()}share-card.png")
    assert response.status_code == 302
    book.refresh_from_db()
    assert response["Location"] == book.share_card.url
    return book.share_card.name


def test_saving_draws_no_card_and_og_image_names_the_card_drawn_on_first_request(
    client, library, media_root
):
    alpha = Book.objects.get(pk=library["alpha"].pk)
    assert not alpha.share_card  # saving (or importing) draws nothing
    html = get(client, alpha.get_absolute_url())[1]
    address = f"http://testserver{alpha.get_absolute_url()}share-card.png"
    assert f'<meta property="og:image" content="{address}">' in html
    assert f'<meta name="twitter:image" content="{address}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html

    assert card_of(client, alpha).startswith("share-cards/alpha-title-")
    with Image.open(alpha.share_card.path) as card:
        assert card.size == (1200, 630) and card.format == "PNG"
    assert client.get(alpha.share_card.url).status_code == 200


def test_a_share_card_is_redrawn_only_when_what_it_shows_changes(client, library, committed):
    alpha = Book.objects.get(pk=library["alpha"].pk)
    first = card_of(client, alpha)
    assert card_of(client, alpha) == first
    with committed():
        alpha.lede = "A new lede the card does not show."
        alpha.save()
    assert card_of(client, alpha) == first
    with committed():
        alpha.title = "Alpha renamed"
        alpha.save()
    renamed = card_of(client, alpha)
    assert renamed != first
    assert not alpha.share_card.storage.exists(first)  # the old picture is gone
    with committed():
        author = library["author"]
        author.name = "Ada Renamed"
        author.save()
    assert card_of(client, alpha) != renamed


def test_a_draft_has_no_share_card_for_anyone(client, library, committed):
    alpha = library["alpha"]
    url = f"{alpha.get_absolute_url()}share-card.png"
    with committed():
        Book.objects.filter(pk=alpha.pk).update(status=Status.DRAFT)
    assert client.get(url).status_code == 404
    assert client.get("/books/no-such-summary/share-card.png").status_code == 404
    assert not Book.objects.get(pk=alpha.pk).share_card


def test_draw_share_cards_catches_up_summaries_saved_before_cards_existed(library):
    from django.core.management import call_command

    Book.objects.update(share_card="", share_card_digest="")
    call_command("draw_share_cards", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Book.objects.filter(share_card="").exists()
