"""Template helpers for the library's pages."""

import json
import zlib
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse, translate_url
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, override

from books import covers, structured_data, tags
from books.tags import names_in_line

register = template.Library()


@register.filter
def display_url(url):
    """Show a URL the way people say it: ``https://example.com/`` → ``example.com``."""
    if not url:
        return ""
    parts = urlsplit(url)
    text = parts.netloc + parts.path
    if text.startswith("www."):
        text = text[4:]
    return text.rstrip("/") or url


@register.filter
def tag_names(items, style=""):
    """The names of the tags in ``items`` (tags, or ``(tag, url)`` pairs) in a line:
    "A and B"; ``"quoted"``: "“A” and “B”"; ``"plus"``: "A + B" (page titles)."""
    tags = [item[0] if isinstance(item, tuple | list) else item for item in items]
    return names_in_line(tags, quoted=style == "quoted", joiner=" + " if style == "plus" else None)


@register.filter
def join_names(people):
    """Authors' names in a line: "Ann Lee, Bo Chen"."""
    return ", ".join(person.name for person in people)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's canonical absolute URL: its path, plus ``canonical_params`` and the page number.

    Views that take query parameters put the meaningful ones, normalised, in
    ``canonical_params``; anything else a visitor added is left out. A view whose
    page lives at another address too names the one to index in ``canonical_path``.
    """
    request = context["request"]
    path = context.get("canonical_path") or request.path
    return request.build_absolute_uri(path) + _query(context, "canonical_params")


def _query(context, name):
    """``?…`` of the page's meaningful parameters (the context's ``name``, normalised by the
    view) and its page number; empty when there are none."""
    params = [
        (param, value)
        for param, values in (context.get(name) or {}).items()
        for value in (values if isinstance(values, list | tuple) else [values])
    ]
    page = context.get("page_obj")
    if page is not None and page.number > 1:
        params.append(("page", page.number))
    return f"?{urlencode(params)}" if params else ""


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """``path`` as an absolute URL on this site (for Open Graph and feeds)."""
    return context["request"].build_absolute_uri(path)


@register.filter
def tag_url(tag):
    """The page listing published summaries with ``tag``, at its slug in the interface's
    language."""
    return reverse("books:tag", kwargs={"slug": tags.slug_of(tag)})


@register.filter
def tag_name(tag):
    """The tag's name in the interface's language."""
    return tags.name_of(tag)


@register.filter
def page_url(number, request):
    """The current URL with ``?page=number`` (other parameters kept, page 1 without it)."""
    query = request.GET.copy()
    query.pop("page", None)
    if number != 1:
        query["page"] = number
    return f"?{query.urlencode()}" if query else request.path


@register.filter
def placeholder_hue(book):
    """One of six colour classes for a cover placeholder, stable for each summary."""
    return zlib.crc32(book.slug.encode()) % 6


# The characters a JSON value may not carry unescaped inside <script>…</script>.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """``data`` in a ``<script type="application/ld+json">`` block, escaped so it cannot end it."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


@register.simple_tag(takes_context=True)
def summary_json_ld(context, summary):
    """The schema.org JSON-LD block of a summary page (``books.structured_data``)."""
    return json_ld(structured_data.summary_json_ld(summary, context["request"].build_absolute_uri))


@register.simple_tag
def cover(book, tags=None, label=""):
    """The book's cover: the uploaded image, or its generated design (``books.covers``) as SVG.

    Decorative unless ``label`` is given (cards name the book in their title).
    ``tags``: the summary's tags when they are not prefetched on ``book``.
    """
    if book.cover:
        return format_html(
            '<img class="cover-art" src="{}" alt="{}" width="200" height="300" loading="lazy">',
            book.cover.url,
            label,
        )
    tag = covers.main_tag(book.tags.all() if tags is None else tags)
    authors = [author.name for author in book.ordered_authors]
    design = covers.design(book.title, authors, tag.slug if tag else None)
    return mark_safe(covers.cover_svg(design, label=label))  # noqa: S308 (escaped in cover_svg)


class InterfaceLanguage(NamedTuple):
    """One link of the language switcher: this page in ``code``, named in that language."""

    code: str
    name: str
    url: str
    current: bool


@register.simple_tag(takes_context=True)
def interface_languages(context):
    """This page in each of the interface's languages (``LANGUAGES``), for the switcher.

    The address keeps the parameters that make the page what it is, as its view normalised
    them: ``language_params`` where a view gives them (search keeps its tags and page),
    else ``canonical_params`` and the page number; never a stray parameter a visitor added.
    An address that names no page (a 404) leads to the other language's home.
    """
    request = context["request"]
    name = "language_params" if "language_params" in context else "canonical_params"
    here = request.path + _query(context, name)
    current = get_language()
    languages = []
    for code, _ in settings.LANGUAGES:
        url = translate_url(here, code)
        if code != current and url == here:
            with override(code):
                url = reverse("books:list")
        languages.append(
            InterfaceLanguage(code, get_language_info(code)["name_local"], url, code == current)
        )
    return languages
