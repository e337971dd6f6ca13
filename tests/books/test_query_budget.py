"""Every public page runs a fixed number of SQL queries, however big the summaries are.

Each page is measured with a small summary (5 chapters, 1 author, 2 tags, 2
related links) and again after a large one (60 chapters, 4 authors, 8 tags,
12 related links) is added: the count must not move, and stays within budget.
"""

import pytest
from django.urls import reverse

from books.curation.models import Collection, CollectionItem
from books.models import Status
from tests.factories import BookAuthorFactory, BookFactory, RelatedLinkFactory, build_summary

pytestmark = pytest.mark.django_db

SMALL = {"parts": 1, "chapters_per_part": 5, "authors": 1, "tags": ["llm", "rag"], "links": 0}
LARGE = {
    "parts": 3,
    "chapters_per_part": 20,
    "authors": 4,
    "tags": ["llm", "rag", "agents", "nlp", "search", "evals", "python", "ops"],
    "links": 10,
}

# Page: the most queries it may run. Sessions and auth add none: the reader is anonymous.
BUDGET = {
    # count, books, authors, tags, tag cloud; the featured collection, its books, their
    # authors and tags
    "home": 9,
    # count, books, authors, tags, tags to narrow by
    "all summaries": 5,
    # tags, count, books, authors, tags, tags to narrow by
    "all summaries tagged": 6,
    # authors with counts, and their count
    "authors": 2,
    # tags with counts
    "tag index": 1,
    # tags, count, books, authors, tags, tags to narrow by
    "tag": 6,
    "tag narrowed": 6,
    # author, count, books, authors, tags
    "author": 5,
    # book+review, tags, parts, chapters, related links, sections, audience, takeaways,
    # more like this, summaries with a title typed in a link, its published translations,
    # and the authors of the book, its links and more like this
    "summary": 12,
    # the whole summaries: books, tags, sections, audience, parts, chapters, takeaways,
    # related links, titles typed in links, authors
    "latest feed": 10,
    # tag, and the whole summaries
    "tag feed": 11,
    # nothing: the page is drawn in the browser
    "reading list": 0,
    # books, authors, tags
    "reading list cards": 3,
    # collections with counts
    "collections": 1,
    # collection, count, items, their books, authors, tags
    "collection": 6,
    # collection, and the whole summaries
    "collection feed": 11,
    # a count and a page for each section: summaries, tags, authors, collections
    "sitemap": 8,
    "robots": 0,
}


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Each request here renders its page: the warm-up request would otherwise be cached, and
    the measured one a cache hit (one query; tests/cache/ measures those), and the summary
    page's parts are rendered, not read from the fragment cache."""
    settings.PAGE_CACHE_SECONDS = settings.FRAGMENT_CACHE_SECONDS = 0


def url_of(page, book):
    tag = book.tags.order_by("name").first()
    author = book.ordered_authors[0]
    return {
        "home": "/",
        "all summaries": "/books/",
        "all summaries tagged": "/books/?tag=llm&tag=rag&sort=title",
        "authors": "/authors/",
        "reading list": "/reading-list/",
        "reading list cards": f"/reading-list/cards/?slug={book.slug}&slug=small-neighbour-0",
        "collections": "/collections/",
        "collection": "/collections/start-here/",
        "collection feed": "/collections/start-here/feed/",
        "tag index": "/tags/",
        "tag": reverse("books:tag", kwargs={"slug": tag.slug}),
        "tag narrowed": reverse("books:tag", kwargs={"slug": "llm"}) + "?and=rag",
        "author": author.get_absolute_url(),
        "summary": book.get_absolute_url(),
        "latest feed": "/feeds/latest/",
        "tag feed": reverse("books:tag_feed", kwargs={"slug": tag.slug}),
        "sitemap": "/sitemap.xml",
        "robots": "/robots.txt",
    }[page]


def summary(size, title):
    book = build_summary(
        title=title,
        parts=size["parts"],
        chapters_per_part=size["chapters_per_part"],
        authors=size["authors"],
        tags=size["tags"],
    )
    for position in range(3, 3 + size["links"]):
        RelatedLinkFactory(book=book, position=position)
    # A title typed for a book not in the library yet, which the library now has.
    RelatedLinkFactory(book=book, target=None, title=f"{title} neighbour 0", position=99)
    # Neighbours that share tags, so that "more like this" and the tag pages have company.
    for number in range(2):
        neighbour = BookFactory(title=f"{title} neighbour {number}", tags=size["tags"][:2])
        BookAuthorFactory(book=neighbour, position=1)
    # Every summary so far in the featured collection, so that it grows with the library.
    collection, _ = Collection.objects.get_or_create(
        slug="start-here",
        defaults={"title": "Start here", "status": Status.PUBLISHED, "featured": True},
    )
    for other in type(book).objects.exclude(collection_items__collection=collection):
        CollectionItem.objects.create(collection=collection, book=other, position=other.pk + 1000)
    return book


def queries_for(client, url, budget, django_assert_max_num_queries):
    client.get(url)  # warm per-process caches (content types), as a running site has them
    with django_assert_max_num_queries(budget) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize("page", list(BUDGET))
def test_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, page):
    small = summary(SMALL, "Small")
    small_count = queries_for(
        client, url_of(page, small), BUDGET[page], django_assert_max_num_queries
    )
    large = summary(LARGE, "Large")
    assert large.parts.count() == 3 and sum(p.chapters.count() for p in large.parts.all()) == 60
    large_count = queries_for(
        client, url_of(page, large), BUDGET[page], django_assert_max_num_queries
    )
    assert small_count == large_count
