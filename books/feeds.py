"""Atom feeds: the newest published summaries, and the newest with some tags.

Each feed lists the summaries written in the interface's language: /feeds/latest/
the English ones, /ru/feeds/latest/ the Russian ones. ``?lang=all`` lists every
language, ``?lang=<code>`` one. Each entry says its summary's language (``xml:lang``).

Each entry carries the whole summary as sanitised HTML (``<content>``), one
``<author>`` per author, and the summary's last editorial change as
``<updated>``. A stylesheet (``static/feeds/feed.xsl``) makes a feed opened in a
browser read as a page that explains how to subscribe.
"""

from typing import NamedTuple
from urllib.parse import urlencode, urljoin

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from . import tags as tag_lookups
from .models import Book
from .paging import language_asked
from .summaries import load_summaries, summary_books

FEED_SIZE = 20


class SummaryAtomFeed(Atom1Feed):
    """Atom with an XSL stylesheet, every author of an entry, and the entry's whole text."""

    def write(self, outfile, encoding):
        handler = self._handler(outfile, encoding)
        handler.startDocument()
        self.add_stylesheets(handler)
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    @staticmethod
    def _handler(outfile, encoding):
        from django.utils.xmlutils import SimplerXMLGenerator

        return SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)

    def add_stylesheets(self, handler):
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", stylesheet)

    def item_attributes(self, item):
        return {"xml:lang": item["language"]} if item.get("language") else {}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item.get("authors", []):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", urljoin(item["link"], url))
            handler.endElement("author")
        if item.get("content"):
            # Relative links in the summary resolve against the summary's own address.
            handler.addQuickElement(
                "content", item["content"], {"type": "html", "xml:base": item["link"]}
            )


class _TagMoved(Exception):  # noqa: N818 (a signal to redirect, not an error)
    def __init__(self, tags, query):
        super().__init__(tags[0].slug)
        self.tags = tags
        self.query = query


ALL_LANGUAGES = "all"


class FeedScope(NamedTuple):
    """What a feed lists: the summaries with all of ``tags``, in ``language`` (None: all)."""

    tags: list
    language: str | None


def feed_language(request):
    """The summaries' language a feed lists: ``?lang=<code>``, every one for ``?lang=all``,
    else the interface's (an unknown ``?lang`` is ignored)."""
    if request.GET.get("lang") == ALL_LANGUAGES:
        return None
    return language_asked(request) or get_language()


class LatestSummariesFeed(Feed):
    """The newest published summaries, each whole."""

    feed_type = SummaryAtomFeed
    title = gettext_lazy("Book summaries: newest")
    subtitle = gettext_lazy("The newest summaries published in the library.")
    link = reverse_lazy("books:list")
    feed_url = reverse_lazy("books:latest_feed")

    def stylesheets(self):
        return [static("feeds/feed.xsl")]

    def get_object(self, request):
        return FeedScope([], feed_language(request))

    def items(self, scope):
        return self.summaries(Book.objects.published().in_language(scope.language))

    @staticmethod
    def summaries(books):
        """Whole summaries of the newest ``books``: the loader's fixed queries for all of them."""
        return load_summaries(list(summary_books(books)[:FEED_SIZE]))

    def item_title(self, summary):
        return summary.book.title

    def item_link(self, summary):
        return summary.book.get_absolute_url()

    def item_description(self, summary):
        # Atom's <summary type="html">: the plain-text lede must reach readers as text.
        return escape(summary.book.lede)

    def item_pubdate(self, summary):
        return summary.book.published_at

    def item_updateddate(self, summary):
        return summary.book.last_edited

    def item_categories(self, summary):
        return [tag_lookups.name_of(tag) for tag in summary.tags]

    def item_extra_kwargs(self, summary):
        return {
            "authors": [(author.name, author.get_absolute_url()) for author in summary.authors],
            "content": render_to_string("feeds/summary_content.html", {"page": summary}),
            "language": summary.book.language,
        }


class TagFeed(LatestSummariesFeed):
    """The newest published summaries with a tag, narrowed like its page by ``?and=<slug>``.

    An old or wrongly cased tag slug redirects (301) to the feed's current address.
    """

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except _TagMoved as moved:
            url = feed_url_of(moved.tags)
            if moved.query:
                url += ("&" if "?" in url else "?") + urlencode({"lang": moved.query})
            return redirect(url, permanent=True)

    def get_object(self, request, slug):
        slugs = [slug, *request.GET.getlist("and")]
        if len(slugs) > tag_lookups.MAX_COMBINED_TAGS:
            raise Http404(gettext("Too many tags."))
        try:
            tags, moved = tag_lookups.published_tags_at(slugs)
        except tag_lookups.TagNotFoundError:
            raise Http404(gettext("No published summary has this tag.")) from None
        if moved:
            raise _TagMoved(tags, request.GET.get("lang"))
        return FeedScope(tags, feed_language(request))

    def title(self, scope):
        return ngettext(
            "Book summaries tagged %(names)s", "Book summaries tagged %(names)s", len(scope.tags)
        ) % {"names": tag_lookups.names_in_line(scope.tags, quoted=True)}

    def subtitle(self, scope):
        return ngettext(
            "The newest summaries tagged %(names)s.",
            "The newest summaries tagged %(names)s.",
            len(scope.tags),
        ) % {"names": tag_lookups.names_in_line(scope.tags, quoted=True)}

    def link(self, scope):
        return tag_lookups.tags_url(scope.tags)

    def feed_url(self, scope):
        return feed_url_of(scope.tags)

    def items(self, scope):
        books = Book.objects.published().in_language(scope.language).tagged(*scope.tags)
        return self.summaries(books)


def feed_url_of(tags):
    """The feed of the summaries carrying all of ``tags`` (the first one in the path)."""
    first, *more = tags
    url = reverse("books:tag_feed", kwargs={"slug": tag_lookups.slug_of(first)})
    if more:
        url += "?" + urlencode([("and", tag_lookups.slug_of(tag)) for tag in more])
    return url
