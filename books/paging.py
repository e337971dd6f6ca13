"""What every list of readers' pages shares: page numbers, slugs in addresses, the 404 page."""

import re

from django.conf import settings
from django.core.validators import slug_unicode_re
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language_info, gettext, ngettext

# A page number as a reader types it: 1, 2, … (no sign, exponent, spaces or zero).
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,6}")


def bad_page_number():
    """The 404's reason for a ``?page=`` that is not a page number."""
    return gettext("Page numbers are whole numbers from 1 up, like ?page=2.")


def no_such_page(number, pages):
    """The 404's reason for a page past the end of a list of ``pages`` pages."""
    return ngettext(
        "There is no page %(number)d: this list has %(pages)d page.",
        "There is no page %(number)d: this list has %(pages)d pages.",
        pages,
    ) % {"number": number, "pages": pages}


class ReaderNotFound(Http404):
    """A 404 whose message is written for readers; the 404 page shows it."""


def page_not_found(request, exception):
    """The styled 404 page, with the reason when the site gave one (a bad page number, a tag)."""
    message = str(exception) if isinstance(exception, ReaderNotFound) else ""
    return render(request, "404.html", {"message": message}, status=404)


class SlugInPath:
    """Answers 404 before any query when the URL's ``slug`` cannot be one.

    The routes use ``<str:slug>`` so that unicode slugs work; this keeps
    anything else (a NUL byte, which PostgreSQL refuses in a query) out.
    """

    def dispatch(self, request, *args, **kwargs):
        if not slug_unicode_re.match(kwargs.get("slug", "")):
            raise Http404(gettext("Not a valid address."))
        return super().dispatch(request, *args, **kwargs)


class ReaderPagination:
    """Pagination that answers a bad ``?page=`` (abc, 0, -1, 1e30, too far) with a clear 404."""

    paginate_by = 12
    # When set, an empty list is a 404 with this message (e.g. an author with nothing published).
    empty_message = ""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        raw = self.request.GET.get("page", "1")
        if not PAGE_NUMBER.fullmatch(raw):
            raise ReaderNotFound(bad_page_number())
        number = int(raw)
        if number > paginator.num_pages:
            raise ReaderNotFound(no_such_page(number, paginator.num_pages))
        if self.empty_message and paginator.count == 0:
            raise ReaderNotFound(str(self.empty_message))
        page = paginator.page(number)
        return paginator, page, page.object_list, page.has_other_pages()


def language_asked(request):
    """The summaries' language a list is narrowed to (``?lang=ru``), or None for all of them.

    Anything but one of the site's languages is ignored: the whole list is shown.
    """
    language = request.GET.get("lang", "")
    return language if language in dict(settings.LANGUAGES) else None


def language_options(request, current, url_for=None):
    """The language filter's choices: ``(label, code, url, selected)``, “All languages” first.

    Each language is named in itself (English, Русский); a choice keeps the page's other
    parameters and goes back to its first page. ``url_for(code)`` builds the addresses
    of a page that normalises its parameters (search).
    """
    options = []
    for code in [None, *dict(settings.LANGUAGES)]:
        if url_for is not None:
            url = url_for(code)
        else:
            query = request.GET.copy()
            query.pop("page", None)
            query.pop("lang", None)
            if code:
                query["lang"] = code
            url = f"{request.path}?{query.urlencode()}" if query else request.path
        label = get_language_info(code)["name_local"] if code else gettext("All languages")
        options.append((label, code, url, code == current))
    return options
