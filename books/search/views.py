"""The search page and the suggestions the search box asks for as the reader types.

Both are limited per client address (``SEARCH_RATE``, ``SUGGEST_RATE``), counted in
the cache; over the limit they answer 429 with ``Retry-After``. Cached pages never
come here, so their readers are never limited.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django_ratelimit.core import get_usage

from books.models import Book
from books.paging import (
    PAGE_NUMBER,
    ReaderNotFound,
    bad_page_number,
    language_asked,
    language_options,
    no_such_page,
)
from books.summaries import summary_cards
from books.tags import by_popularity, published_tags

from . import search, suggest

# What a search that found nothing offers instead.
POPULAR_TAGS = 12
NEWEST = 4


def _url(query, tags=(), page=1, language=None):
    params = [("q", query), *(("tag", tag) for tag in tags)]
    if language:
        params.append(("lang", language))
    if page > 1:
        params.append(("page", page))
    return "?" + urlencode(params)


def _address(group, request):
    """The client's address by the site's trusted-proxy rule (``config.security.client_ip``,
    named by ``RATELIMIT_IP_META_KEY``), as sign-in throttling reads it."""
    return import_string(settings.RATELIMIT_IP_META_KEY)(request) or "unknown"


def _limited(request, group, rate):
    """A 429 answer when this client address asked too often, else None."""
    usage = get_usage(request, group=group, key=_address, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    retry = max(1, int(usage["time_left"]))
    if group == "search:suggest":
        response = JsonResponse(
            {"error": gettext("Too many requests"), "suggestions": []}, status=429
        )
    else:
        response = render(request, "search/limited.html", {"retry": retry}, status=429)
    response["Retry-After"] = str(retry)
    return response


def _page(request):
    """The page asked for, as the list pages read it: a bad number is a 404 with a reason."""
    raw = request.GET.get("page", "1")
    if not PAGE_NUMBER.fullmatch(raw):
        raise ReaderNotFound(bad_page_number())
    return int(raw)


@require_safe
def results(request):
    """``/search/?q=…&tag=…&page=…``: ranked public summaries with highlighted snippets."""
    limited = _limited(request, "search:results", settings.SEARCH_RATE)
    if limited:
        return limited
    query = request.GET.get("q", "")
    language = language_asked(request)
    found = search(query, tags=request.GET.getlist("tag"), page=_page(request), language=language)
    if found.past_end:
        raise ReaderNotFound(no_such_page(found.page, found.num_pages))
    shown = found.suggestion or (str(found.query) if found.query.shortened else query)
    for facet in found.facets:
        others = [tag for tag in found.tags if tag != facet.slug]
        tags = others if facet.selected else [*found.tags, facet.slug]
        facet.url = _url(shown, tags, language=language)
    links = {
        "previous_url": _url(shown, found.tags, found.page - 1, language)
        if found.has_previous
        else "",
        "next_url": _url(shown, found.tags, found.page + 1, language) if found.has_next else "",
        "suggestion_url": _url(found.suggestion, found.tags, language=language)
        if found.suggestion
        else "",
        "all_tags_url": _url(shown, language=language) if found.tags else "",
    }
    context = {
        "search_query": query,
        "results": found,
        # The first page of a plain query may be indexed (the template says noindex
        # otherwise), under its own address.
        "canonical_params": {"q": query.strip()} if query.strip() else {},
        "language_options": language_options(
            request, language, lambda code: _url(shown, found.tags, language=code)
        ),
        # The same search in another language: its words (the part used), known tags, page.
        "language_params": {
            "q": str(found.query) if found.query.shortened else query,
            "tag": found.tags,
            **({"lang": language} if language else {}),
            **({"page": found.page} if found.page > 1 else {}),
        },
        **links,
    }
    if not found.total and not found.message:
        context["popular_tags"] = by_popularity(published_tags())[:POPULAR_TAGS]
        books = Book.objects.published().in_language(language)
        context["newest"] = summary_cards(books)[:NEWEST]
    return render(request, "search/results.html", context)


@require_safe
def suggestions(request):
    """``/search/suggest/?q=…``: JSON summaries, authors and tags matching what was typed."""
    limited = _limited(request, "search:suggest", settings.SUGGEST_RATE)
    if limited:
        return limited
    query = request.GET.get("q", "")
    return JsonResponse(
        {"query": query[:100], "suggestions": [item.as_json() for item in suggest(query)]}
    )
