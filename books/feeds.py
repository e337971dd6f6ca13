"""Atom feeds: the newest published summaries, and the newest with one tag."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from . import tags as tag_lookups
from .models import Book

FEED_SIZE = 20


class _TagMoved(Exception):  # noqa: N818 (a signal to redirect, not an error)
    def __init__(self, tag):
        super().__init__(tag.slug)
        self.tag = tag


class LatestSummariesFeed(Feed):
    """The newest published summaries."""

    feed_type = Atom1Feed
    title = "Book summaries: newest"
    subtitle = "The newest summaries published in the library."
    link = reverse_lazy("books:list")
    feed_url = reverse_lazy("books:latest_feed")

    def items(self):
        return self.summaries(Book.objects.published())

    @staticmethod
    def summaries(books):
        return books.with_authors().prefetch_related("tags")[:FEED_SIZE]

    def item_title(self, book):
        return book.title

    def item_description(self, book):
        # Atom's <summary type="html">: the plain-text lede must reach readers as text.
        return escape(book.lede)

    def item_pubdate(self, book):
        return book.published_at

    def item_updateddate(self, book):
        return book.updated_at

    def item_author_name(self, book):
        return ", ".join(author.name for author in book.ordered_authors) or None

    def item_categories(self, book):
        return [tag.name for tag in book.tags.all()]


class TagFeed(LatestSummariesFeed):
    """The newest published summaries with one tag; an old tag slug redirects (301)."""

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except _TagMoved as moved:
            return redirect("books:tag_feed", slug=moved.tag.slug, permanent=True)

    def get_object(self, request, slug):
        try:
            (tag,), moved = tag_lookups.published_tags_at([slug])
        except tag_lookups.TagNotFoundError:
            raise Http404("No published summary has this tag.") from None
        if moved:
            raise _TagMoved(tag)
        return tag

    def title(self, tag):
        return f"Book summaries tagged “{tag.name}”"

    def subtitle(self, tag):
        return f"The newest summaries tagged “{tag.name}”."

    def link(self, tag):
        return reverse("books:tag", kwargs={"slug": tag.slug})

    def feed_url(self, tag):
        return reverse("books:tag_feed", kwargs={"slug": tag.slug})

    def items(self, tag):
        return self.summaries(Book.objects.published().tagged(tag))
