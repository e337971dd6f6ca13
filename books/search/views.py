"""The search page and the suggestions the search box asks for as the reader types."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from . import search, suggest


def _page_number(value):
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def _url(query, tags=(), page=1):
    params = [("q", query), *(("tag", tag) for tag in tags)]
    if page > 1:
        params.append(("page", page))
    return "?" + urlencode(params)


@require_GET
def results(request):
    """``/search/?q=…&tag=…&page=…``: ranked public summaries with highlighted snippets."""
    query = request.GET.get("q", "")
    found = search(
        query,
        tags=request.GET.getlist("tag"),
        page=_page_number(request.GET.get("page")),
    )
    shown = found.suggestion or query
    for facet in found.facets:
        others = [tag for tag in found.tags if tag != facet.slug]
        facet.url = _url(shown, others if facet.selected else [*found.tags, facet.slug])
    links = {
        "previous_url": _url(shown, found.tags, found.page - 1) if found.has_previous else "",
        "next_url": _url(shown, found.tags, found.page + 1) if found.has_next else "",
        "suggestion_url": _url(found.suggestion, found.tags) if found.suggestion else "",
        "all_tags_url": _url(shown) if found.tags else "",
    }
    return render(
        request,
        "search/results.html",
        {
            "search_query": query,
            "results": found,
            # The first page of a plain query may be indexed (the template says noindex
            # otherwise), under its own address.
            "canonical_params": {"q": query.strip()} if query.strip() else {},
            **links,
        },
    )


@require_GET
def suggestions(request):
    """``/search/suggest/?q=…``: JSON titles, authors and tags matching what was typed."""
    query = request.GET.get("q", "")
    return JsonResponse(
        {"query": query, "suggestions": [item.as_json() for item in suggest(query)]}
    )
