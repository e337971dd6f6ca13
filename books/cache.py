"""The readers' page cache: whole anonymous pages, stored under their URL with a version token.

Why the tokens are exact across processes, and where they live: docs/architecture.md.
Only anonymous reads are cached: a request carrying a session cookie is served
fresh and never stored, and so are responses that set a cookie or say
``private``/``no-store``. Only 200s are stored. A page's entry is keyed on the
query parameters its view reads and no others: ``?utm_source=…`` reaches the
same entry as the plain URL.
"""

import hashlib
import logging
import secrets
from collections import defaultdict
from datetime import UTC
from functools import lru_cache, wraps
from itertools import batched
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.validators import slug_unicode_re
from django.db import connections, router, transaction
from django.db.models import Q
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, get_resolver
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag, urlencode
from django.utils.translation import get_language, get_language_from_path, override
from django.views.decorators.http import require_safe
from taggit.models import TaggedItem

from .changes import summaries_changed
from .models import Book, LibraryVersion, Status, SummaryVersion

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD"})
# A longer query string (of the parameters a view reads) is served but not stored:
# nobody shares such links, and random ones must not push real pages out of the cache.
MAX_QUERY_LENGTH = 256
BATCH = 500
LIBRARY, SUMMARY = "library", "summary"
# Where the tokens live when PAGE_CACHE_TOKENS is "cache" (a cache shared by every process).
LIBRARY_KEY = "page-version:library"


def new_token():
    """A random version token: never repeats, even after a database is restored from a backup."""
    return secrets.randbits(62)


# --- Which views are cached ---------------------------------------------------------------------


class PagePolicy(NamedTuple):
    """How a cached view's pages are keyed: on the library's token or its summary's, and on the
    query parameters it reads."""

    kind: str
    params: tuple


def cached_page(view, *, summary=False, params=()):
    """Mark ``view`` as a readers' page that ``PageCacheMiddleware`` caches for anonymous readers.

    ``summary=True`` keys the page on the version of the summary at the URL's
    ``slug`` instead of the whole library's. ``params`` names the query parameters
    the view reads: the page is keyed on them alone, and the view sees no others.
    Readers' pages answer GET and HEAD only.
    """

    @require_safe
    @wraps(view)
    def page(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    page.page_cache = PagePolicy(SUMMARY if summary else LIBRARY, tuple(params))
    return page


# --- Reading the versions -------------------------------------------------------------------------
# PAGE_CACHE_TOKENS = "database": one small query per request, exact whatever the cache
# backend (a local-memory cache per worker cannot be cleared from another process).
# PAGE_CACHE_TOKENS = "cache": the tokens live beside the pages in a cache every process
# shares (Redis), so that a hit makes no database query at all.

_LIBRARY_SQL = "SELECT token, next_publication FROM {library} WHERE id = 1"
_SUMMARY_SQL = (
    "SELECT library.token, library.next_publication, summary.token FROM {library} library "
    "LEFT JOIN {book} book ON book.slug = %s "
    "LEFT JOIN {summary} summary ON summary.book_id = book.id WHERE library.id = 1"
)


def tokens_in_cache():
    """True when the version tokens are kept in the (shared) cache rather than the database."""
    return settings.PAGE_CACHE_TOKENS == "cache"


def summary_key(slug):
    """The cache key of the token of the summary page at ``slug`` (tokens in the cache)."""
    return f"page-version:summary:{hashlib.sha256(slug.encode()).hexdigest()}"


def _version_sql(connection, slug):
    # A fixed statement over the cache's own tables: building it through the ORM on
    # every request would cost more than the whole cached response (docs/scaling.md).
    tables = {
        "library": LibraryVersion._meta.db_table,
        "book": Book._meta.db_table,
        "summary": SummaryVersion._meta.db_table,
    }
    quoted = {name: connection.ops.quote_name(table) for name, table in tables.items()}
    return (_LIBRARY_SQL if slug is None else _SUMMARY_SQL).format(**quoted)


def _is_due(next_publication):
    if next_publication is None:
        return False
    if timezone.is_naive(next_publication):  # SQLite stores UTC without a zone
        next_publication = timezone.make_aware(next_publication, UTC)
    return next_publication <= timezone.now()


def _database_version(slug):
    connection = connections[router.db_for_read(LibraryVersion)]
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection, slug), [] if slug is None else [slug])
        row = cursor.fetchone()
    if row is None:
        return None
    token, next_publication, *summary = row
    if _is_due(next_publication):
        retire_due()
        return _database_version(slug)
    if summary and summary[0] is not None:
        token = summary[0]
    return token


def _library_in_cache():
    """``(token, next_publication)`` from the cache; a new token when the cache has none."""
    library = cache.get(LIBRARY_KEY)
    if library is None:
        # A new random token matches no stored page, so a lost key is always safe.
        next_publication = (
            LibraryVersion.objects.filter(pk=1).values_list("next_publication", flat=True).first()
        )
        cache.add(LIBRARY_KEY, (new_token(), next_publication), timeout=None)
        library = cache.get(LIBRARY_KEY)
    return library


def lookup(slug, key, *, retried=False):
    """``(token, entry)``: the current token of a page and the cache's entry at ``key``.

    With the tokens in the cache, both come from one round trip and no query. A
    summary without a token of its own is keyed on the library's token, which every
    change replaces. When a scheduled summary's time has come since the tokens were
    last replaced, the pages it appears on are retired first (``retire_due``). The
    token is None when there is no library version (a database flushed by hand):
    such a request is served but not cached.
    """
    if not tokens_in_cache():
        token = _database_version(slug)
        return token, (cache.get(key) if token is not None else None)
    keys = [LIBRARY_KEY, *([key] if key else []), *([summary_key(slug)] if slug else [])]
    found = cache.get_many(keys)
    library = found.get(LIBRARY_KEY) or _library_in_cache()
    token, next_publication = library
    if _is_due(next_publication) and not retried:
        retire_due()
        return lookup(slug, key, retried=True)
    if slug is not None:
        token = found.get(summary_key(slug), token)
    return token, found.get(key) if key else None


def current_version(slug=None):
    """The token keying a list (the library's), or the summary page at ``slug`` (its own)."""
    return lookup(slug, None)[0]


def page_key(request):
    """The cache key of this request's page: its address, with the parameters its view reads."""
    query = request.META.get("QUERY_STRING", "")
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return f"page:{hashlib.sha256(address.encode()).hexdigest()}"


def fragment_cache(request, slug, public=True):
    """``(seconds, token)`` for the ``{% cache %}`` fragments of the summary page at ``slug``.

    The fragments are keyed on the summary page's own version token, so a change
    retires them with the page (``retire``), and they hold only what every reader
    of the page sees. They serve whenever the whole page cannot: a reader with a
    session, a query string too long to store, the page cache turned off
    (``PAGE_CACHE_SECONDS=0``). Drafts are never cached (seconds 0: rendered afresh).
    """
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if not public or seconds <= 0:
        return 0, None
    token = getattr(request, "page_version", None)  # read by PageCacheMiddleware already
    if token is None:
        try:
            token = current_version(slug)
        except Exception:  # a cache or token store that fails costs the fragments, not the page
            logger.warning("The fragment cache could not be read for %s", slug, exc_info=True)
            return 0, None
    if token is None:
        return 0, None
    # Fragments hold absolute URLs (Open Graph, JSON-LD): one set per scheme and host, as
    # pages, and the interface's words: one set per language.
    return seconds, f"{token}:{request.scheme}://{request.get_host()}:{get_language()}"


# --- Serving -------------------------------------------------------------------------------------


def anonymous_read(request):
    """True for a request whose page is the same for every reader: a cookie-less GET or HEAD."""
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in SAFE_METHODS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "authorization" not in request.headers
    )


def read_params(request, params):
    """The query string of ``params`` alone, in their fixed order: what the view reads."""
    return urlencode([(name, value) for name in params for value in request.GET.getlist(name)])


def _forbids_caching(response):
    directives = response.get("Cache-Control", "").lower()
    return any(word in directives for word in ("private", "no-store", "no-cache"))


def _storable(response):
    """A page any reader may be given: a 200 that sets no cookie (no session, no CSRF token)."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    vary = {value.strip().lower() for value in response.get("Vary", "").split(",") if value.strip()}
    # Vary: Cookie only says that the (empty) session was looked at. A readers' page takes its
    # language from its address (i18n_patterns), so LocaleMiddleware's Accept-Language is moot.
    # Anything else may differ.
    return vary <= {"cookie", "accept-language"} and not _forbids_caching(response)


def _add_validators(response):
    """Give a page an ETag (a hash of its body) and ``Cache-Control: no-cache``.

    ``no-cache`` makes browsers and proxies ask again each time, so an edit is
    never hidden by a copy they kept; the ETag makes asking cheap (a 304).
    Returns False for a response that must not be revalidated this way.
    """
    if response.status_code != 200 or response.streaming or _forbids_caching(response):
        return False
    if not response.has_header("ETag"):
        response.headers["ETag"] = quote_etag(
            hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        )
    patch_cache_control(response, no_cache=True)
    return True


def _answer(request, response):
    """The response, or a 304 when the reader's copy has the response's ETag."""
    if not response.has_header("ETag"):
        return response
    answer = get_conditional_response(request, etag=response["ETag"], response=response)
    if answer is not response and response.has_header("X-Page-Cache"):
        answer.headers["X-Page-Cache"] = response["X-Page-Cache"]
    return answer


def _policy(request):
    """``(PagePolicy, slug)`` when the URL's view is a cached page, else None."""
    return _policy_at(get_resolver(getattr(request, "urlconf", None)), request.path_info)


@lru_cache(maxsize=1024)
def _policy_at(resolver, path):
    # A pure function of the address: readers' pages take their language from it
    # (``i18n_patterns``, English unprefixed), which is how ``LocaleMiddleware``, below
    # the cache, will choose it. Remembered per address: resolving cost a hit a fifth of
    # its time (docs/scaling.md).
    with override(get_language_from_path(path) or settings.LANGUAGE_CODE):
        try:
            match = resolver.resolve(path)
        except Resolver404:
            return None
    policy = getattr(match.func, "page_cache", None)
    return None if policy is None else (policy, match.kwargs.get("slug"))


class PageCacheMiddleware:
    """Serves readers' pages (views marked with ``cached_page``) from the cache.

    Sits just below the security and static-file middleware, so a cached page
    skips the CSP, language, session, CSRF and authentication middleware and the
    view, and still gets the security headers of every response. It stores a
    page with the headers the middleware below it added (Content-Security-Policy,
    Content-Language, X-Frame-Options, Content-Length, Vary), gives
    every readers' page an ETag, and answers 304 to a reader whose copy is current.

    The view of a cached page sees only the query parameters it declared: any
    other parameter is dropped before it runs, so a page stored under the plain
    URL never holds something a junk parameter changed. A cache that fails (Redis
    unreachable) costs the page its caching, never the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        policy = _policy(request)
        if policy is None:
            return self.get_response(request)
        (kind, params), slug = policy
        if not anonymous_read(request) or (
            kind == SUMMARY and not slug_unicode_re.match(slug or "")
        ):
            return self.fresh(request)
        query = read_params(request, params)
        request.GET = QueryDict(query)
        request.META["QUERY_STRING"] = query
        if len(query) > MAX_QUERY_LENGTH:
            return self.fresh(request)
        key = page_key(request)
        try:
            token, entry = lookup(slug if kind == SUMMARY else None, key)
        except Exception:  # a cache or token store that fails: serve the page without it
            logger.warning("The page cache could not be read for %s", request.path, exc_info=True)
            return self.fresh(request)
        if token is None:
            return self.fresh(request)
        # The view may cache parts of the page under the same token (``fragment_cache``).
        request.page_version = token
        if entry is not None and entry[0] == token:
            _, content, headers = entry
            response = HttpResponse(content, headers=headers)
            response.headers["X-Page-Cache"] = "hit"
            return _answer(request, response)
        response = self.get_response(request)
        storable = _storable(response)
        if _add_validators(response) and storable:
            try:
                cache.set(
                    key,
                    (token, response.content, dict(response.headers)),
                    settings.PAGE_CACHE_SECONDS,
                )
            except Exception:
                logger.warning("The page cache could not store %s", request.path, exc_info=True)
            else:
                response.headers["X-Page-Cache"] = "miss"
        return _answer(request, response)

    def fresh(self, request):
        """A page served without the cache: with its ETag, or a 304 when the copy is current."""
        response = self.get_response(request)
        _add_validators(response)
        return _answer(request, response)


# --- Writing: retire the pages that show what changed ------------------------------------------


@receiver(summaries_changed, dispatch_uid="books.cache.retire")
def retire_pages(sender, book_ids, **kwargs):
    retire(book_ids)


def retire(book_ids):
    """Give new tokens to the library and to every summary page that shows one of ``book_ids``.

    A summary page shows, besides its own summary: its authors, the summaries
    its related links point to (``summaries_changed`` already names the pages
    linking to a changed summary) and, under “more like this”, summaries that
    share a tag with it. So the pages retired are those of the changed
    summaries and of every summary carrying a tag that a changed one has now
    or had at its previous change (``SummaryVersion.tag_ids``): one that lost
    a tag may have been shown through it.

    Retirements take turns on the library's row lock. With the tokens in the cache
    they are written there before that lock is released, so a token in the cache
    never goes back to an older one, whichever process retired last.
    """
    token = new_token()
    book_type = ContentType.objects.get_for_model(Book)
    tags, renewed, old_slugs = set(), set(), set()
    # Inside a transaction every read goes to the primary, never to a lagging replica.
    with transaction.atomic():
        LibraryVersion.objects.select_for_update().filter(pk=1).first()
        for chunk in batched(sorted(book_ids), BATCH):
            tags.update(_renew_summaries(chunk, token, book_type, renewed, old_slugs))
        for chunk in batched(sorted(tags), BATCH):
            neighbours = SummaryVersion.objects.filter(
                book_id__in=TaggedItem.objects.filter(
                    content_type=book_type, tag_id__in=chunk
                ).values("object_id")
            )
            renewed.update(neighbours.values_list("book_id", flat=True))
            neighbours.update(token=token)
        next_publication = _next_publication()
        LibraryVersion.objects.update_or_create(
            pk=1, defaults={"token": token, "next_publication": next_publication}
        )
        if tokens_in_cache():
            _write_tokens_to_cache(token, next_publication, renewed, old_slugs)


def _write_tokens_to_cache(token, next_publication, renewed, old_slugs):
    """The new tokens in the cache: the renewed summaries' under their slugs, then the library's.

    A slug a summary no longer has (renamed or deleted) loses its token: its page
    falls back to the library's, which is new.
    """
    slugs = set()
    for chunk in batched(sorted(renewed), BATCH):
        slugs.update(Book.objects.filter(pk__in=chunk).values_list("slug", flat=True))
    cache.delete_many([summary_key(slug) for slug in old_slugs - slugs])
    for chunk in batched(sorted(slugs), BATCH):
        cache.set_many({summary_key(slug): token for slug in chunk}, timeout=None)
    cache.set(LIBRARY_KEY, (token, next_publication), timeout=None)


def retire_lists():
    """A new library token and no summary page's: for a change that only list pages show
    (a collection). Home, tags, authors, /books/, collections and feeds are rendered anew."""
    retire(())


def _next_publication():
    """When the next scheduled summary becomes public, or a public one is unpublished, or None."""
    now = timezone.now()
    times = [
        Book.objects.scheduled().order_by("published_at").values_list("published_at", flat=True),
        Book.objects.filter(status=Status.PUBLISHED, unpublish_at__gt=now)
        .order_by("unpublish_at")
        .values_list("unpublish_at", flat=True),
    ]
    return min((when for when in (query.first() for query in times) if when), default=None)


def retire_due():
    """Scheduled summaries whose time has come: retire the pages they now appear on.

    Nothing was saved when their time came, so the first request after it does
    this; the row lock makes concurrent requests wait and then find nothing due.
    """
    with transaction.atomic():
        version = LibraryVersion.objects.select_for_update().filter(pk=1).first()
        if version is None:
            return
        if not _is_due(version.next_publication):
            if tokens_in_cache():  # another process did it: the cache may not say so yet
                cache.set(LIBRARY_KEY, (version.token, version.next_publication), timeout=None)
            return
        if version.next_publication > timezone.now():
            return  # another request did it
        since = version.next_publication
        due = Book.objects.filter(status=Status.PUBLISHED).filter(
            Q(published_at__gte=since, published_at__lte=timezone.now())
            | Q(unpublish_at__gte=since, unpublish_at__lte=timezone.now())
        )
        due = set(due.values_list("pk", flat=True))
        retire(due | Book.objects.linking_to(due))


def _renew_summaries(book_ids, token, book_type, renewed, old_slugs):
    """New version rows for these summaries (none if deleted); return their old and new tags.

    Adds the summaries given new tokens to ``renewed``, and the slugs they had at
    their previous change to ``old_slugs``.
    """
    previous = SummaryVersion.objects.filter(book_id__in=book_ids)
    tags = set()
    for tag_ids, slug in previous.values_list("tag_ids", "slug"):
        tags.update(tag_ids)
        if slug:
            old_slugs.add(slug)
    current = defaultdict(list)
    for book_id, tag_id in TaggedItem.objects.filter(
        content_type=book_type, object_id__in=book_ids
    ).values_list("object_id", "tag_id"):
        current[book_id].append(tag_id)
        tags.add(tag_id)
    previous.delete()
    rows = SummaryVersion.objects.bulk_create(
        SummaryVersion(book_id=book_id, token=token, tag_ids=sorted(current[book_id]), slug=slug)
        for book_id, slug in Book.objects.filter(pk__in=book_ids).values_list("pk", "slug")
    )
    renewed.update(row.book_id for row in rows)
    return tags


def ensure_versions(using="default"):
    """Create the library's version and one for each summary that has none (after ``migrate``).

    Summaries written without model signals and without ``mark_changed`` (a
    benchmark's bulk inserts) get theirs here too.
    """
    with transaction.atomic(using=using):
        if not LibraryVersion.objects.using(using).filter(pk=1).exists():
            LibraryVersion.objects.using(using).create(
                pk=1, token=new_token(), next_publication=_next_publication()
            )
        known = SummaryVersion.objects.using(using).values("book_id")
        missing = list(Book.objects.using(using).exclude(pk__in=known).values_list("pk", flat=True))
        book_type = ContentType.objects.db_manager(using).get_for_model(Book)
        for chunk in batched(missing, BATCH):
            tags = defaultdict(list)
            for book_id, tag_id in (
                TaggedItem.objects.using(using)
                .filter(content_type=book_type, object_id__in=chunk)
                .values_list("object_id", "tag_id")
            ):
                tags[book_id].append(tag_id)
            SummaryVersion.objects.using(using).bulk_create(
                SummaryVersion(book_id=pk, token=new_token(), tag_ids=sorted(tags[pk]))
                for pk in chunk
            )


@receiver(post_migrate, dispatch_uid="books.cache.versions")
def versions_after_migrate(sender, app_config, using="default", **kwargs):
    """``migrate`` (and ``flush``) leave the library with its version rows."""
    if app_config.label != "books":
        return
    tables = connections[using].introspection.table_names()
    if LibraryVersion._meta.db_table in tables and SummaryVersion._meta.db_table in tables:
        ensure_versions(using)
