"""Every public surface: unpublished summaries never leak, and hostile input never causes a 500.

The URLs are not listed by hand. They come from the URL resolver (every
pattern outside the admin and the editor's endpoints, with slugs filled in from
the test library), from following the internal links of every page reached
from the home page, and from a few named surfaces (feeds, sitemap, search) when
they exist. So a page added later is covered without touching this file; the
tests print the URLs they covered (``pytest -s`` or ``-rA`` shows them).
"""

import itertools
import re
from collections import deque
from html import unescape
from urllib.parse import unquote, urlencode, urlsplit

import pytest
from django.urls import URLResolver, get_resolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from books.curation.models import Collection, CollectionItem
from books.models import Author, Status
from reviews.models import RelatedLink
from tests.factories import (
    AuthorFactory,
    BookAuthorFactory,
    BookFactory,
    RelatedLinkFactory,
    build_summary,
)
from tests.shared_data import shared_rows

# Words that exist only in unpublished summaries (and a control word that is public).
DRAFT_WORD = "zqxdraftsecret"
SCHEDULED_WORD = "zqxlatersecret"
PUBLIC_WORD = "zqxpublicword"
SECRET_WORDS = (DRAFT_WORD, SCHEDULED_WORD)

NOT_PUBLIC = ("admin/", "_nested_admin/", "markdownx/", "media/", "static/")
MAX_PAGES = 400

# Surfaces that other parts of the site add; covered when they resolve.
# (path, query, text the page must show for the public summary, or None)
NAMED_SURFACES = [
    ("/sitemap.xml", "", "{public_url}"),
    ("/robots.txt", "", None),
    ("/feeds/latest/", "", "{public_title}"),
    ("/tags/", "", None),
    ("/search/", f"q={PUBLIC_WORD}", "{public_title}"),
    ("/search/", f"q={DRAFT_WORD}", None),
    ("/search/", f"q={SCHEDULED_WORD}", None),
    ("/search/suggest/", f"q={PUBLIC_WORD[:6]}", None),
    ("/search/suggest/", f"q={DRAFT_WORD[:8]}", None),
    ("/search/suggest/", f"q={SCHEDULED_WORD[:8]}", None),
    (
        "/reading-list/cards/",
        f"slug=the-{DRAFT_WORD}-handbook&slug=the-{SCHEDULED_WORD}-handbook",
        None,
    ),
    ("/books/", "tag=shared-topic&sort=title", "{public_title}"),
    ("/collections/everything/", "", "{public_title}"),
    ("/collections/everything/feed/", "", "{public_title}"),
]


def unpublished_summary(word, **traits):
    """A complete summary with ``word`` in every field a page could show."""
    book = build_summary(
        title=f"The {word} handbook",
        tags=[f"{word}-topic", "shared-topic"],
        authors=0,
        **traits,
    )
    book.subtitle = f"Subtitle {word}"
    book.lede = f"Lede {word}"
    book.description = f"Description {word}"
    book.publisher = f"Press {word}"
    book.save()
    author = AuthorFactory(name=f"Ann {word}", bio=f"Bio {word}")
    BookAuthorFactory(book=book, author=author, position=1)
    section = book.sections.get()
    section.body = f"Section {word}"
    section.save()
    for chapter in book.parts.first().chapters.all():
        chapter.summary = f"Chapter {word}"
        chapter.save()
    review = book.review
    review.body = f"Review {word}"
    review.save()
    takeaway = review.takeaways.first()
    takeaway.text = f"Takeaway {word}"
    takeaway.save()
    book.related_links.filter(position=2).update(note=f"Note {word}")
    return book


@pytest.fixture(scope="module")
def library_rows(django_db_setup, django_db_blocker):
    """One public summary, one draft and one scheduled one, linked to each other.

    Built once for the module, its on-commit work (search index, page cache) done as a
    real save would (tests/shared_data.py): the tests only read.
    """

    def build():
        public = build_summary(title=f"Visible {PUBLIC_WORD} guide", tags=["shared-topic"])
        shared_author = public.ordered_authors[0]
        draft = unpublished_summary(DRAFT_WORD, draft=True)
        scheduled = unpublished_summary(SCHEDULED_WORD, scheduled=True)
        for hidden in (draft, scheduled):
            # A public summary points at the hidden one, and they share an author.
            RelatedLinkFactory(book=public, target=hidden, position=10 + hidden.pk,
                               note=f"Read {hidden.title} next")  # fmt: skip
            BookAuthorFactory(book=hidden, author=shared_author, position=2)
            RelatedLinkFactory(book=hidden, target=public, position=20)
        BookFactory(title=f"Another {PUBLIC_WORD} one", tags=["shared-topic"])
        # A featured collection holding all three: only the public one may show.
        collection = Collection.objects.create(
            title="Everything", slug="everything", status=Status.PUBLISHED, featured=True
        )
        for position, book in enumerate((draft, public, scheduled), start=1):
            CollectionItem.objects.create(collection=collection, book=book, position=position)
        Collection.objects.create(title=f"Collection {DRAFT_WORD}", status=Status.DRAFT)
        return {"public": public, "draft": draft, "scheduled": scheduled}

    yield from shared_rows(django_db_blocker, build)


@pytest.fixture
def library(library_rows, db):
    return library_rows


# --- Finding every public URL -------------------------------------------------------------


def public_routes():
    """Every (route, pattern) of the site outside the admin and editor endpoints."""

    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern).lstrip("^").removesuffix("$")
            if route.startswith(NOT_PUBLIC):
                continue
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route)
            else:
                yield route, entry.pattern

    return list(walk(get_resolver().url_patterns, ""))


_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def route_parameters(route):
    return [(m.group("name"), m.group("converter") or "str") for m in _PARAMETER.finditer(route)]


def fill_route(route, values):
    return "/" + _PARAMETER.sub(lambda m: str(values[m.group("name")]), route)


def slug_candidates(library):
    books = [library[key] for key in ("public", "draft", "scheduled")]
    slugs = [book.slug for book in books]
    slugs += [tag.slug for book in books for tag in book.tags.all()]
    slugs += list(Author.objects.values_list("slug", flat=True))
    slugs += list(Collection.objects.values_list("slug", flat=True))
    return list(dict.fromkeys(slugs))


def urls_from_routes(library):
    """Every route filled in with the library's slugs (or 1 and 2 for numbers)."""
    urls = []
    for route, pattern in public_routes():
        if not isinstance(pattern, RoutePattern) and "(?P<" in route:
            continue  # a regular expression with groups: reached by crawling instead
        parameters = route_parameters(route)
        choices = [
            ["1", "2"] if converter == "int" else slug_candidates(library)
            for _, converter in parameters
        ]
        for combination in itertools.islice(itertools.product(*choices), 60):
            values = dict(zip([name for name, _ in parameters], combination, strict=True))
            urls.append(fill_route(route, values))
    return urls


def resolves(path):
    try:
        get_resolver().resolve(path)
    except Resolver404:
        return False
    return True


def internal_links(response):
    if response.get("Content-Type", "").split(";")[0] not in {
        "text/html", "application/xml", "text/xml", "application/atom+xml",
        "application/rss+xml", "application/json", "text/plain",
    }:  # fmt: skip
        return []
    text = unescape(response.content.decode(errors="replace"))
    links = re.findall(r'(?:href|src)="([^"]+)"', text)
    links += re.findall(r"<loc>([^<]+)</loc>", text)
    links += re.findall(r'"(?:url|@id|href)"\s*:\s*"([^"]+)"', text)
    found = []
    for link in links:
        parts = urlsplit(link)
        if parts.netloc not in {"", "testserver"} or not parts.path.startswith("/"):
            continue
        path = parts.path
        if path.lstrip("/").startswith(NOT_PUBLIC) or path.startswith("/preview/"):
            continue
        found.append(path + (f"?{parts.query}" if parts.query else ""))
    return found


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def without_echo(text, url):
    """The page text, lower-cased, minus the parts of its own URL it repeats back.

    A 404 may say which slug it could not find; that only shows what the reader typed.
    """
    text = text.lower()
    for segment in sorted(unquote(urlsplit(url).path).lower().split("/"), key=len, reverse=True):
        if segment:
            text = text.replace(segment, "")
    return text


def crawl(client, library):
    """Request every public URL found from the routes, the home page and its links."""
    start = ["/", *urls_from_routes(library)]
    queue, seen, pages = deque(start), set(start), {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        text = body(response)
        pages[url] = (response.status_code, text)
        follow = internal_links(response)
        if response.status_code in {301, 302, 307, 308}:
            follow.append(response.headers["Location"])
        for link in follow:
            if link not in seen and link.startswith("/"):
                seen.add(link)
                queue.append(link)
    return pages


# --- No draft leaks -------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["draft", "scheduled"])
def test_unpublished_summaries_answer_404_to_readers(client, library, which):
    response = client.get(library[which].get_absolute_url())
    assert response.status_code == 404
    assert library[which].title not in body(response)


def test_no_public_url_shows_a_word_that_only_unpublished_summaries_hold(client, library):
    pages = crawl(client, library)

    leaks = [
        f"{url} ({status}) shows {word!r}"
        for url, (status, text) in pages.items()
        for word in SECRET_WORDS
        if word in without_echo(text, url)
    ]
    assert not leaks, "\n".join(leaks)
    ok_pages = sorted(url for url, (status, _) in pages.items() if status == 200)
    print(f"\nChecked {len(pages)} public URLs ({len(ok_pages)} answered 200):")
    print("\n".join(f"  {url}" for url in ok_pages))
    # The crawl did reach the public surfaces, so the check above means something.
    public = library["public"]
    assert "/" in ok_pages and public.get_absolute_url() in ok_pages
    assert PUBLIC_WORD in pages["/"][1].lower()
    assert not [url for url, (status, _) in pages.items() if status >= 500]


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    NAMED_SURFACES,
    ids=[f"{path}?{query}" if query else path for path, query, _ in NAMED_SURFACES],
)
def test_named_surfaces_hide_unpublished_summaries(client, library, path, query, expected):
    if not resolves(path):
        pytest.skip(f"{path} does not resolve yet (another part of the site adds it)")
    public = library["public"]
    response = client.get(f"{path}?{query}" if query else path)
    text = body(response)
    assert response.status_code == 200, f"{path}?{query} answered {response.status_code}"
    # A search page repeats the query back ("… · Search"); that shows only what was typed.
    typed = unquote(query.partition("=")[2]).lower()
    shown_text = text.lower().replace(typed, "") if typed else text.lower()
    for word in SECRET_WORDS:
        assert word not in shown_text, f"{path}?{query} shows {word!r}"
    for hidden in (library["draft"], library["scheduled"]):
        assert hidden.title not in text and hidden.get_absolute_url() not in text
    if expected:
        shown = expected.format(public_url=public.get_absolute_url(), public_title=public.title)
        assert shown in text, f"{path}?{query} does not show the published summary"


def test_related_links_and_shared_tags_count_only_public_summaries(client, library):
    public = library["public"]
    assert not RelatedLink.objects.public().filter(target=library["draft"]).exists()
    html = body(client.get(public.get_absolute_url()))
    assert library["draft"].title not in html and library["scheduled"].title not in html


# --- Hostile input ----------------------------------------------------------------------------

HOSTILE_VALUES = [
    "abc", "0", "-1", "1e30", "99999999999999999999999", "1.5", "NaN", "%00", "\x00",
    "a\x00b", "x" * 5000, "9" * 5000, "🙂💥", "\u202eevil", "Ёлки-палки", "' OR 1=1 --",
    '"><script>alert(1)</script>', "%", "../../etc/passwd", "", " ",
]  # fmt: skip
HOSTILE_RAW_QUERIES = ["page=%ZZ", "q=%", "page[]=1", "page=1&page=2", "=&&=", "%00=%00"]
HOSTILE_SLUGS = [
    "does-not-exist", "книга", "🙂", "x" * 5000, "%00", "a%00b", "%2e%2e", "0", "-1",
    "%27%20OR%201%3D1", "%3Cscript%3E",
]  # fmt: skip
PARAMETER_NAMES = ["page", "q", "tag", "sort", "format"]


def test_hostile_parameters_never_cause_a_server_error(client, library):
    pages = crawl(client, library)
    # One URL per route is enough to reach each view's parameter handling.
    by_route = {}
    for url, (status, _) in pages.items():
        path = urlsplit(url).path
        if status == 200 and resolves(path):
            by_route.setdefault(get_resolver().resolve(path).route, path)
    for path, _query, _ in NAMED_SURFACES:
        if resolves(path):
            by_route.setdefault(get_resolver().resolve(path).route, path)
    names = set(PARAMETER_NAMES)
    for url in pages:
        names.update(
            name
            for name, _, _ in (p.partition("=") for p in urlsplit(url).query.split("&"))
            if name
        )

    failures, requests = [], 0

    def probe(url):
        nonlocal requests
        requests += 1
        try:
            response = client.get(url)
        except Exception as error:
            failures.append(f"{url[:120]}: {type(error).__name__}: {str(error)[:200]}")
            return
        if response.status_code >= 500:
            failures.append(f"{url[:120]}: {response.status_code}")

    for path in by_route.values():
        for name in sorted(names):
            for value in HOSTILE_VALUES:
                probe(f"{path}?{urlencode({name: value})}")
        for raw in HOSTILE_RAW_QUERIES:
            probe(f"{path}?{raw}")
    for route, _pattern in public_routes():
        parameters = route_parameters(route)
        if parameters:
            for value in HOSTILE_SLUGS:
                probe(fill_route(route, {name: value for name, _ in parameters}))
    for path in ("/%00/", "/books/", "/books/%00/feed/", "/" + "x" * 5000 + "/", "/%ZZ/"):
        probe(path)

    print(f"\nSent {requests} hostile requests to {len(by_route)} routes:")
    print("\n".join(f"  {path}" for path in sorted(by_route.values())))
    assert not failures, "\n".join(failures[:50])
    assert len(by_route) >= 2 and requests > 200
