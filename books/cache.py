"""The readers' page cache: whole anonymous pages, keyed on version tokens.

Why the tokens are exact across processes, and where they live: docs/architecture.md.
Only anonymous reads are cached: a request carrying a session cookie is served
fresh and never stored, and so are responses that set a cookie or say
``private``/``no-store``. Only 200s are stored.
"""

import hashlib
import secrets
from collections import defaultdict
from datetime import UTC
from functools import wraps
from itertools import batched

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.validators import slug_unicode_re
from django.db import connections, router, transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, get_resolver
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from taggit.models import TaggedItem

from .changes import summaries_changed
from .models import Book, LibraryVersion, SummaryVersion

SAFE_METHODS = frozenset({"GET", "HEAD"})
# A longer query string is served but not stored: nobody shares such links, and
# random ones must not push real pages out of the cache.
MAX_QUERY_LENGTH = 256
BATCH = 500
LIBRARY, SUMMARY = "library", "summary"


def new_token():
    """A random version token: never repeats, even after a database is restored from a backup."""
    return secrets.randbits(62)


# --- Which views are cached ---------------------------------------------------------------------


def cached_page(view, *, summary=False):
    """Mark ``view`` as a readers' page that ``PageCacheMiddleware`` caches for anonymous readers.

    ``summary=True`` keys the page on the version of the summary at the URL's
    ``slug`` instead of the whole library's.
    """

    @wraps(view)
    def page(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    page.page_cache = SUMMARY if summary else LIBRARY
    return page


# --- Reading the versions: one query per request --------------------------------------------------

_LIBRARY_SQL = "SELECT token, next_publication FROM {library} WHERE id = 1"
_SUMMARY_SQL = (
    "SELECT library.token, library.next_publication, summary.token FROM {library} library "
    "LEFT JOIN {book} book ON book.slug = %s "
    "LEFT JOIN {summary} summary ON summary.book_id = book.id WHERE library.id = 1"
)


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


def current_version(slug=None):
    """The token keying a list (the library's), or the summary page at ``slug`` (its own).

    One small query. A summary without a version row yet is keyed on the library's
    token, which every change replaces. When a scheduled summary's time has come
    since the tokens were last replaced, the pages it appears on are retired first
    (``retire_due``). Returns None without a library version (a database flushed by
    hand): such a request is served but not cached.
    """
    connection = connections[router.db_for_read(LibraryVersion)]
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection, slug), [] if slug is None else [slug])
        row = cursor.fetchone()
    if row is None:
        return None
    token, next_publication, *summary = row
    if next_publication is not None:
        if timezone.is_naive(next_publication):  # SQLite stores UTC without a zone
            next_publication = timezone.make_aware(next_publication, UTC)
        if next_publication <= timezone.now():
            retire_due()
            return current_version(slug)
    if summary and summary[0] is not None:
        token = summary[0]
    return token


def page_key(request, token):
    """The cache key of this request's page under ``token`` (from ``current_version``)."""
    query = request.META.get("QUERY_STRING", "")
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(f"{address}|{token}".encode()).hexdigest()
    return f"page:{digest}"


def fragment_cache(request, public=True):
    """``(seconds, token)`` for a view's ``{% cache %}`` fragments of the page at ``request``.

    A fragment is cached only for the anonymous read the page cache keyed (so under
    the page's own version token, retired with it), and only of public content;
    otherwise the seconds are 0 and the fragment is rendered afresh.
    """
    token = getattr(request, "page_version", None)
    if token is None or not public:
        return 0, None
    # Fragments hold absolute URLs (Open Graph, JSON-LD): one set per host, as pages.
    return settings.PAGE_CACHE_SECONDS, f"{token}:{request.get_host()}"


# --- Serving -------------------------------------------------------------------------------------


def anonymous_read(request):
    """True for a request whose page is the same for every reader: a cookie-less GET or HEAD."""
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in SAFE_METHODS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "authorization" not in request.headers
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH
    )


def _forbids_caching(response):
    directives = response.get("Cache-Control", "").lower()
    return any(word in directives for word in ("private", "no-store", "no-cache"))


def _storable(response):
    """A page any reader may be given: a 200 that sets no cookie (no session, no CSRF token)."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    vary = {value.strip().lower() for value in response.get("Vary", "").split(",") if value.strip()}
    # Vary: Cookie only says that the (empty) session was looked at; anything else may differ.
    return vary <= {"cookie"} and not _forbids_caching(response)


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
    """``(LIBRARY or SUMMARY, slug)`` when the URL's view is a cached page, else None."""
    try:
        match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return None
    policy = getattr(match.func, "page_cache", None)
    return None if policy is None else (policy, match.kwargs.get("slug"))


class PageCacheMiddleware:
    """Serves readers' pages (views marked with ``cached_page``) from the cache.

    Sits just below the security, CSP and static-file middleware, so a cached
    page skips sessions, CSRF, authentication and the view, and still gets the
    security headers of every response. It stores a page with the headers the
    middleware below it added (X-Frame-Options, Content-Length, Vary), gives
    every readers' page an ETag, and answers 304 to a reader whose copy is current.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        policy = _policy(request)
        if policy is None:
            return self.get_response(request)
        kind, slug = policy
        if not anonymous_read(request) or (
            kind == SUMMARY and not slug_unicode_re.match(slug or "")
        ):
            return self.fresh(request)
        token = current_version(slug if kind == SUMMARY else None)
        if token is None:
            return self.fresh(request)
        # The view may cache parts of the page under the same token (``fragment_cache``).
        request.page_version = token
        key = page_key(request, token)
        entry = cache.get(key)
        if entry is not None:
            content, headers = entry
            response = HttpResponse(content, headers=headers)
            response.headers["X-Page-Cache"] = "hit"
            return _answer(request, response)
        response = self.get_response(request)
        storable = _storable(response)
        if _add_validators(response) and storable:
            cache.set(key, (response.content, dict(response.headers)), settings.PAGE_CACHE_SECONDS)
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
    """
    token = new_token()
    book_type = ContentType.objects.get_for_model(Book)
    tags = set()
    # Inside a transaction every read goes to the primary, never to a lagging replica.
    with transaction.atomic():
        for chunk in batched(sorted(book_ids), BATCH):
            tags.update(_renew_summaries(chunk, token, book_type))
        for chunk in batched(sorted(tags), BATCH):
            neighbours = TaggedItem.objects.filter(content_type=book_type, tag_id__in=chunk)
            SummaryVersion.objects.filter(book_id__in=neighbours.values("object_id")).update(
                token=token
            )
        LibraryVersion.objects.update_or_create(
            pk=1, defaults={"token": token, "next_publication": _next_publication()}
        )


def retire_lists():
    """A new library token and no summary page's: for a change that only list pages show
    (a collection). Home, tags, authors, /books/, collections and feeds are rendered anew."""
    retire(())


def _next_publication():
    """When the next scheduled summary becomes public, or None."""
    return (
        Book.objects.scheduled()
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


def retire_due():
    """Scheduled summaries whose time has come: retire the pages they now appear on.

    Nothing was saved when their time came, so the first request after it does
    this; the row lock makes concurrent requests wait and then find nothing due.
    """
    with transaction.atomic():
        version = LibraryVersion.objects.select_for_update().filter(pk=1).first()
        if version is None or version.next_publication is None:
            return
        if version.next_publication > timezone.now():
            return  # another request did it
        due = Book.objects.published().filter(published_at__gte=version.next_publication)
        due = set(due.values_list("pk", flat=True))
        retire(due | Book.objects.linking_to(due))


def _renew_summaries(book_ids, token, book_type):
    """New version rows for these summaries (none if deleted); return their old and new tags."""
    previous = SummaryVersion.objects.filter(book_id__in=book_ids)
    tags = {tag for row in previous.values_list("tag_ids", flat=True) for tag in row}
    current = defaultdict(list)
    for book_id, tag_id in TaggedItem.objects.filter(
        content_type=book_type, object_id__in=book_ids
    ).values_list("object_id", "tag_id"):
        current[book_id].append(tag_id)
        tags.add(tag_id)
    previous.delete()
    SummaryVersion.objects.bulk_create(
        SummaryVersion(book_id=book_id, token=token, tag_ids=sorted(current[book_id]))
        for book_id in Book.objects.filter(pk__in=book_ids).values_list("pk", flat=True)
    )
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
