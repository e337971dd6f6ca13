"""The readers' page cache: what is cached, what never is, and that no change leaves a stale page.

Marked ``cache``: CI runs this module again against Redis (TEST_REDIS_URL).
Each change is made inside ``committed()``, which runs the on-commit work as a
real commit would (pytest-django's transaction never commits).
"""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from taggit.models import Tag

from books.cache import current_version, retire
from books.models import Author, Book, Chapter, LibraryVersion, Status, SummaryVersion
from books.preview import share_path
from books.summaries import export_summary, import_file, load_summary, summary_books, summary_cards
from books.summaries.history import restore
from books.summaries.revisions import versions_of
from books.tags import merge_tags, record_slug_change
from reviews.models import RelatedLink
from tests.factories import (
    BookAuthorFactory,
    BookFactory,
    RelatedLinkFactory,
    build_summary,
    record_revision,
)
from tests.shared_data import shared_rows

pytestmark = [pytest.mark.django_db, pytest.mark.cache]


@pytest.fixture(autouse=True, params=["database", "cache"])
def token_store(request, settings):
    """Every test runs with the version tokens in the database and in the cache.

    In one process a local-memory cache stands in for the shared one (Redis in production).
    """
    settings.PAGE_CACHE_TOKENS = request.param
    return request.param


@pytest.fixture(scope="module")
def library_ids(django_db_setup, django_db_blocker):
    """Alpha, the summary that changes; Beta shares a tag with it, Gamma links to it, Zeta is apart.

    Built (and its after-commit work done) once for the module, under a transaction that
    stays open until the module ends: each test's own transaction is a savepoint inside it.
    """

    def build():
        alpha = build_summary(title="Alpha title", tags=["llm", "nlp"], authors=0)
        author = Author.objects.create(name="Ada Writer")
        BookAuthorFactory(book=alpha, author=author, position=1)
        beta = build_summary(title="Beta title", tags=["nlp"])
        gamma = build_summary(title="Gamma title", tags=["cooking"])
        RelatedLinkFactory(book=gamma, target=alpha, position=5, note="Read it next")
        zeta = build_summary(title="Zeta title", tags=["gardening"])
        return {"alpha": alpha, "beta": beta, "gamma": gamma, "zeta": zeta, "author": author}

    yield from shared_rows(django_db_blocker, build)


@pytest.fixture
def library(library_ids, token_store, committed):
    """The library, read afresh for each test (a test may change the objects it is given)."""
    if token_store == "cache":
        # The tokens the library's commit wrote to the cache, which each test empties.
        with committed():
            retire(set(Book.objects.values_list("pk", flat=True)))
    return {name: type(row).objects.get(pk=row.pk) for name, row in library_ids.items()}


@pytest.fixture
def no_library(db):
    """For a test that builds its own summaries: it runs before the first that uses the library."""
    assert not Book.objects.exists()


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    text = response.content.decode() if not getattr(response, "streaming", False) else ""
    return response, text


def cache_state(client, url):
    return client.get(url).headers.get("X-Page-Cache")


def pages(library):
    """Every cached page that shows Alpha."""
    alpha = library["alpha"]
    return {
        "summary": alpha.get_absolute_url(),
        "home": "/",
        "tag": "/tags/nlp/",
        "narrowed tag": "/tags/nlp/?and=llm",
        "author": library["author"].get_absolute_url(),
        "latest feed": "/feeds/latest/",
        "tag feed": "/tags/nlp/feed/",
        "sitemap": "/sitemap.xml",
        "linking summary": library["gamma"].get_absolute_url(),
        "neighbour summary": library["beta"].get_absolute_url(),
    }


def prime(client, urls):
    for url in urls:
        get(client, url)
        assert cache_state(client, url) == "hit", url


def assert_everywhere(client, urls, title, *, present=True, path=None):
    """Each page shows ``title`` (the sitemap: the summary's ``path``), or not when ``present`` is false."""
    for name, url in urls.items():
        response, html = get(client, url)
        assert response.status_code == 200, f"{name} ({url}) answered {response.status_code}"
        marker = path if url == "/sitemap.xml" and path else title
        shown = marker in html
        assert shown == present, f"{name} ({url}) {'lacks' if present else 'shows'} {marker!r}"


# --- Summaries that are never cached ---------------------------------------------------------
# These build their own summaries, without the library: they come first (``no_library``).


def test_an_anonymous_404_for_a_draft_is_not_cached_and_staff_see_the_draft(
    editor_client, committed, no_library
):
    with committed():
        draft = build_summary(title="Secret draft", draft=True)
    reader = Client()
    for _ in range(2):
        response, html = get(reader, draft.get_absolute_url())
        assert response.status_code == 404 and "Secret draft" not in html
        assert "X-Page-Cache" not in response.headers
    response, html = get(editor_client, draft.get_absolute_url())
    assert response.status_code == 200 and "Secret draft" in html
    assert "no-store" in response.headers["Cache-Control"]
    # And the draft's page, seen by staff, was not stored for readers.
    assert get(reader, draft.get_absolute_url())[0].status_code == 404


def test_share_link_previews_and_search_are_never_cached(editor_client, committed, no_library):
    with committed():
        draft = build_summary(title="Shared draft", draft=True)
        build_summary(title="Searchable public summary")
    reader = Client()
    for url in (share_path(draft), "/search/?q=searchable"):
        for _ in range(2):
            response, _ = get(reader, url)
            assert response.status_code == 200, url
            assert "X-Page-Cache" not in response.headers, url
    assert "no-store" in get(reader, share_path(draft))[0].headers["Cache-Control"]


# --- What is cached ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["summary", "home", "tag", "narrowed tag", "author", "latest feed", "tag feed", "sitemap"],
)
def test_anonymous_pages_are_cached_and_a_hit_costs_one_query_or_none(
    client, library, name, django_assert_num_queries, token_store
):
    url = pages(library)[name]
    first, html = get(client, url)
    assert first.status_code == 200 and first.headers["X-Page-Cache"] == "miss"
    # The version tokens from the database, or nothing at all when they are in the cache.
    with django_assert_num_queries(1 if token_store == "database" else 0):
        second, cached = get(client, url)
    assert second.headers["X-Page-Cache"] == "hit"
    assert cached == html
    assert second.headers["Content-Type"] == first.headers["Content-Type"]


def test_tag_list_paginated_pages_and_robots_txt_are_cached(client, library, committed):
    with committed():
        for number in range(13):
            BookFactory(title=f"Filler {number}", tags=["nlp"])
    for url in ("/tags/", "/tags/?sort=popular", "/?page=2", "/tags/nlp/?page=2", "/robots.txt"):
        response, _ = get(client, url)
        assert response.status_code == 200, url
        assert cache_state(client, url) == "hit", url


@pytest.mark.parametrize(
    ("url", "junk"),
    [
        ("/", "?utm_source=newsletter&utm_medium=email"),
        ("/", "?r=123"),
        ("/?page=2", "?page=2&fbclid=abc"),
        ("/tags/?sort=popular", "?sort=popular&ref=x"),
        ("/tags/nlp/", "?_=1"),
        ("/tags/nlp/?and=llm", "?and=llm&utm_campaign=x"),
        ("summary", "?utm_source=x"),
        ("/feeds/latest/", "?r=9"),
        ("/sitemap.xml", "?cachebust=7"),
    ],
)
def test_junk_query_parameters_reach_the_plain_pages_entry(client, library, committed, url, junk):
    with committed():
        for number in range(13):
            BookFactory(title=f"Filler {number}", tags=["nlp"])
    if url == "summary":
        url = library["alpha"].get_absolute_url()
    path = url.split("?")[0]
    plain, html = get(client, url)
    assert plain.status_code == 200 and plain.headers["X-Page-Cache"] == "miss"
    for n in range(5):
        response, text = get(client, f"{path}{junk}{n}")
        assert response.status_code == 200
        assert response.headers["X-Page-Cache"] == "hit", f"{path}{junk}{n}"
        assert text == html


def cache_entries():
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    cache = caches["default"]
    if isinstance(cache, LocMemCache):
        return len(cache._cache)
    return cache._cache.get_client().dbsize()  # Redis: this test database's keys


def test_a_flood_of_junk_parameters_stores_nothing_new(client, library):
    get(client, "/")
    entries = cache_entries()
    for n in range(200):
        assert get(client, f"/?utm_source=flood&r={n}")[0].headers["X-Page-Cache"] == "hit"
    assert cache_entries() == entries


def test_the_view_sees_only_the_parameters_it_reads(client, library, committed):
    with committed():
        for number in range(13):
            BookFactory(title=f"Filler {number}", tags=["nlp"])
    # The pagination links are built from the query: a junk parameter must not reach them.
    _, html = get(client, "/?utm_source=junk")
    assert "utm_source" not in html
    assert 'href="?page=2"' in html


def test_security_headers_are_sent_with_cached_pages_too(client, library):
    url = library["alpha"].get_absolute_url()
    get(client, url)
    response, _ = get(client, url)
    assert response.headers["X-Page-Cache"] == "hit"
    assert "Content-Security-Policy" in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-cache"


# --- What never is ------------------------------------------------------------------------------


def test_editors_are_never_served_or_stored_a_cached_page(editor_client, library):
    reader = Client()
    url = library["alpha"].get_absolute_url()
    for _ in range(2):
        response, html = get(editor_client, url)
        assert response.status_code == 200 and "Alpha title" in html
        assert "X-Page-Cache" not in response.headers
    # The editor's visits stored nothing: the reader's first visit is a miss.
    assert get(reader, url)[0].headers["X-Page-Cache"] == "miss"


def test_a_page_that_sets_a_cookie_is_not_stored(client, library, monkeypatch):
    from books import views

    original = views.BookListView.get

    def get_with_cookie(self, request, *args, **kwargs):
        response = original(self, request, *args, **kwargs)
        response.set_cookie("seen", "1")
        return response

    monkeypatch.setattr(views.BookListView, "get", get_with_cookie)
    for _ in range(2):
        response, _ = get(client, "/")
        assert response.status_code == 200 and "X-Page-Cache" not in response.headers


def test_a_page_that_holds_a_csrf_token_is_not_stored(client, library, monkeypatch):
    from django.middleware.csrf import get_token

    from books import views

    original = views.BookListView.get

    def get_with_token(self, request, *args, **kwargs):
        get_token(request)  # as a form with {% csrf_token %} would
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(views.BookListView, "get", get_with_token)
    for _ in range(2):
        response, _ = get(client, "/")
        assert response.status_code == 200 and "X-Page-Cache" not in response.headers
        assert "csrftoken" in response.cookies


def test_the_page_cache_can_be_turned_off(client, library, settings):
    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        assert "X-Page-Cache" not in get(client, "/")[0].headers


# --- Every change refreshes every page that shows it -------------------------------------------


def test_publishing_a_draft_shows_it_everywhere_at_once(client, library, committed):
    with committed():
        draft = build_summary(title="Fresh draft", tags=["nlp"], draft=True, authors=0)
        BookAuthorFactory(book=draft, author=library["author"], position=1)
    urls = {k: v for k, v in pages(library).items() if k not in {"narrowed tag", "linking summary"}}
    prime(client, urls.values())
    assert get(client, draft.get_absolute_url())[0].status_code == 404

    with committed():
        draft.status = Status.PUBLISHED
        draft.save()

    assert_everywhere(client, urls, "Fresh draft", path=draft.get_absolute_url())
    assert get(client, draft.get_absolute_url())[0].status_code == 200


def test_unpublishing_removes_it_from_every_page(client, library, committed):
    urls = pages(library)
    prime(client, urls.values())
    alpha = library["alpha"]
    with committed():
        alpha.status = Status.DRAFT
        alpha.save()
    assert get(client, urls.pop("summary"))[0].status_code == 404
    assert get(client, urls.pop("author"))[0].status_code == 404  # Alpha was Ada's only summary
    assert get(client, urls.pop("narrowed tag"))[0].status_code == 404  # no public llm summary
    assert_everywhere(client, urls, "Alpha title", present=False, path=alpha.get_absolute_url())


def test_scheduled_summary_appears_when_its_time_comes_with_nothing_saved(
    client, library, committed, monkeypatch
):
    with committed():
        later = build_summary(title="Later summary", tags=["nlp"], scheduled=True)
        RelatedLinkFactory(book=library["zeta"], target=later, position=7)
    urls = {
        "home": "/",
        "tag": "/tags/nlp/",
        "latest feed": "/feeds/latest/",
        "sitemap": "/sitemap.xml",
        "neighbour summary": library["beta"].get_absolute_url(),
        "linking summary": library["zeta"].get_absolute_url(),
    }
    prime(client, urls.values())
    assert_everywhere(client, urls, "Later summary", present=False, path=later.get_absolute_url())

    # Its time comes: no save, no signal, just the clock.
    moment = later.published_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    assert_everywhere(client, urls, "Later summary", path=later.get_absolute_url())
    assert get(client, later.get_absolute_url())[0].status_code == 200


def test_summary_disappears_when_its_unpublish_time_comes_with_nothing_saved(
    client, library, committed, monkeypatch
):
    alpha = library["alpha"]
    with committed():
        alpha.unpublish_at = timezone.now() + timedelta(days=2)
        alpha.save()
    urls = {k: v for k, v in pages(library).items() if k in {"home", "tag", "latest feed"}}
    prime(client, [*urls.values(), alpha.get_absolute_url()])
    assert_everywhere(client, urls, "Alpha title", path=alpha.get_absolute_url())

    moment = alpha.unpublish_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    assert_everywhere(client, urls, "Alpha title", present=False, path=alpha.get_absolute_url())
    assert get(client, alpha.get_absolute_url())[0].status_code == 404


def test_scheduling_a_published_summary_hides_it_until_its_time(client, library, committed):
    urls = {k: v for k, v in pages(library).items() if k in {"home", "tag", "latest feed"}}
    prime(client, urls.values())
    alpha = library["alpha"]
    with committed():
        alpha.published_at = timezone.now() + timedelta(days=3)
        alpha.save()
    assert_everywhere(client, urls, "Alpha title", present=False, path=alpha.get_absolute_url())
    assert get(client, alpha.get_absolute_url())[0].status_code == 404


def test_editing_the_title_refreshes_every_page_that_shows_it_and_no_other(
    client, library, committed
):
    urls = {k: v for k, v in pages(library).items() if k != "sitemap"}
    prime(client, [*urls.values(), "/sitemap.xml", library["zeta"].get_absolute_url()])
    alpha = library["alpha"]
    with committed():
        alpha.title = "Alpha renamed"
        alpha.save()
    assert_everywhere(client, urls, "Alpha renamed")
    assert cache_state(client, "/sitemap.xml") == "miss"  # its lastmod moved
    # A summary that shows nothing of Alpha keeps its cached page.
    assert cache_state(client, library["zeta"].get_absolute_url()) == "hit"


def test_editing_a_chapter_refreshes_the_summary_and_its_reading_time(client, library, committed):
    alpha = library["alpha"]
    url = alpha.get_absolute_url()
    prime(client, [url, "/"])
    chapter = Chapter.objects.filter(part__book=alpha).first()
    with committed():
        chapter.title = "A rewritten chapter"
        chapter.summary = "word " * 2300
        chapter.save()
    assert "A rewritten chapter" in get(client, url)[1]
    minutes = summary_cards(Book.objects.filter(pk=alpha.pk)).get().reading_minutes
    assert minutes >= 10
    assert f"{minutes} min read" in get(client, "/")[1]


def test_editing_the_review_and_a_takeaway_refreshes_the_summary(client, library, committed):
    alpha = library["alpha"]
    url = alpha.get_absolute_url()
    prime(client, [url])
    review = alpha.review
    with committed():
        review.body = "A wholly new review body."
        review.save()
    assert "A wholly new review body." in get(client, url)[1]
    takeaway = review.takeaways.first()
    with committed():
        takeaway.text = "A new takeaway text."
        takeaway.save()
    assert "A new takeaway text." in get(client, url)[1]


def test_adding_and_removing_tags_refreshes_tag_pages_and_more_like_this(
    client, library, committed
):
    alpha, beta = library["alpha"], library["beta"]
    beta_url = beta.get_absolute_url()
    prime(client, [beta_url, "/tags/nlp/", "/tags/"])
    assert "Alpha title" in get(client, beta_url)[1]  # more like this: they share “nlp”

    with committed():
        alpha.tags.remove("nlp")

    # Beta's page showed Alpha through a tag Alpha has lost.
    assert "Alpha title" not in get(client, beta_url)[1]
    assert "Alpha title" not in get(client, "/tags/nlp/")[1]
    with committed():
        alpha.tags.add("rag")
    assert "Alpha title" in get(client, "/tags/rag/")[1]
    assert ">rag<" in get(client, "/tags/")[1]


def test_renaming_a_tag_and_changing_its_slug_refresh_its_pages(client, library, committed):
    old_url = "/tags/nlp/"
    prime(client, [old_url, library["alpha"].get_absolute_url()])
    tag = Tag.objects.get(slug="nlp")
    with committed():
        tag.name = "Natural language"
        tag.slug = "natural-language"
        tag.save()
        record_slug_change(tag, "nlp")
    response = client.get(old_url)
    assert response.status_code == 301 and response.headers["Location"] == "/tags/natural-language/"
    assert "Natural language" in get(client, library["alpha"].get_absolute_url())[1]


def test_merging_tags_redirects_the_merged_tags_cached_page(client, library, committed):
    with committed():
        BookFactory(title="Lowercase nlp book", tags=["machine-learning"])
    merged = Tag.objects.get(slug="machine-learning")
    prime(client, ["/tags/machine-learning/", "/tags/nlp/", "/sitemap.xml"])
    with committed():
        merge_tags(Tag.objects.get(slug="nlp"), [merged])
    assert client.get("/tags/machine-learning/").status_code == 301
    assert "Lowercase nlp book" in get(client, "/tags/nlp/")[1]
    assert "/tags/machine-learning/" not in get(client, "/sitemap.xml")[1]


def test_renaming_an_author_refreshes_every_page_that_names_them(client, library, committed):
    urls = {k: v for k, v in pages(library).items() if k not in {"sitemap"}}
    prime(client, urls.values())
    author = library["author"]
    with committed():
        author.name = "Ada Renamed"
        author.save()
    # The author's page keeps its slug; every list and summary that shows Alpha's byline changes,
    # and so do Gamma's related link and Beta's “more like this”, which name Alpha's authors.
    for name in (
        "summary",
        "home",
        "tag",
        "author",
        "latest feed",
        "linking summary",
        "neighbour summary",
    ):
        assert "Ada Renamed" in get(client, urls[name])[1], name


def test_a_related_link_added_or_removed_refreshes_the_summary(client, library, committed):
    zeta_url = library["zeta"].get_absolute_url()
    prime(client, [zeta_url])
    with committed():
        link = RelatedLinkFactory(book=library["zeta"], target=library["alpha"], position=9)
    assert "Alpha title" in get(client, zeta_url)[1]
    with committed():
        RelatedLink.objects.get(pk=link.pk).delete()
    assert "Alpha title" not in get(client, zeta_url)[1]


def test_deleting_a_summary_removes_it_from_its_neighbours_pages(client, library, committed):
    beta = library["beta"]
    alpha_url = library["alpha"].get_absolute_url()
    prime(client, [alpha_url, "/"])
    assert "Beta title" in get(client, alpha_url)[1]
    with committed():
        Book.objects.get(pk=beta.pk).delete()
    assert "Beta title" not in get(client, alpha_url)[1]
    assert "Beta title" not in get(client, "/")[1]
    assert not SummaryVersion.objects.filter(book_id=beta.pk).exists()


def test_restoring_a_version_from_history_refreshes_the_pages(client, library, committed):
    alpha = library["alpha"]
    with committed():
        record_revision(alpha, comment="Before the rename.")
        alpha.title = "Vandalised title"
        alpha.save()
    urls = {k: v for k, v in pages(library).items() if k in {"summary", "home", "linking summary"}}
    prime(client, urls.values())
    assert_everywhere(client, urls, "Vandalised title")
    version = versions_of(alpha.pk).last()
    with committed():
        restore(version)
    assert_everywhere(client, urls, "Alpha title")
    assert_everywhere(client, urls, "Vandalised title", present=False)


def test_rerender_markdown_refreshes_the_pages_it_changes(client, library, committed):
    alpha = library["alpha"]
    Book.objects.filter(pk=alpha.pk).update(description_html="<p>Rendered by an old policy</p>")
    url = alpha.get_absolute_url()
    prime(client, [url])
    assert "Rendered by an old policy" in get(client, url)[1]
    with committed(), open("/dev/null", "w") as quiet:
        call_command("rerender_markdown", stdout=quiet)
    assert "Rendered by an old policy" not in get(client, url)[1]


def test_importing_a_summary_file_refreshes_its_pages(client, library, committed, tmp_path):
    alpha = library["alpha"]
    data = export_summary(load_summary(summary_books(Book.objects.all()).get(pk=alpha.pk)))
    data["title"] = "Alpha as imported"
    path = Path(tmp_path / "alpha.json")
    path.write_text(json.dumps([data]))
    urls = {k: v for k, v in pages(library).items() if k in {"summary", "home", "tag"}}
    prime(client, urls.values())
    with committed():
        import_file(path)
    assert_everywhere(client, urls, "Alpha as imported")


# --- Conditional GET ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["summary", "latest feed", "tag feed"])
def test_conditional_get_answers_304_until_the_page_changes(client, library, committed, name):
    url = pages(library)[name]
    first, _ = get(client, url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["X-Page-Cache"] == "hit"
    assert again.content == b""

    alpha = library["alpha"]
    with committed():
        alpha.title = "Alpha, second edition"
        alpha.save()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Alpha, second edition" in changed.content.decode()


def test_conditional_get_works_for_editors_too(editor_client, library):
    url = library["alpha"].get_absolute_url()
    etag = editor_client.get(url).headers["ETag"]
    assert editor_client.get(url, headers={"If-None-Match": etag}).status_code == 304


# --- Versions --------------------------------------------------------------------------------


def test_a_change_that_reaches_no_page_of_a_summary_keeps_its_version(library, committed):
    zeta, beta = library["zeta"], library["beta"]
    library_before, zeta_before, beta_before = (
        current_version(),
        current_version(zeta.slug),
        current_version(beta.slug),
    )
    with committed():
        library["alpha"].save()
    assert current_version() != library_before
    assert current_version(beta.slug) != beta_before  # shares a tag with Alpha
    assert current_version(zeta.slug) == zeta_before  # shows nothing of Alpha


def test_versions_exist_after_migrate_for_every_summary(library):
    assert LibraryVersion.objects.filter(pk=1).exists()
    assert set(SummaryVersion.objects.values_list("book_id", flat=True)) >= {
        book.pk for book in Book.objects.all()
    }


def test_a_request_for_another_host_is_refused_not_cached(client, library):
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "X-Page-Cache" not in response.headers
