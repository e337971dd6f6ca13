"""The sitemap: every published summary, every tag and author with one, the collections and
the index pages, each in every interface language, with ``xhtml:link`` alternates.

A summary is listed once, at its own language's address; the summaries of one book in
other languages (its translations) are its alternates. Every other page exists in each
interface language (English unprefixed, Russian under /ru/), and names the others.
"""

from collections import defaultdict

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils.translation import get_language

from books.curation.models import Collection

from .models import Author, Book
from .tags import published_tags, tag_slug


class InterfaceSitemap(Sitemap):
    """A page in each interface language, naming the others (and ``x-default``: English)."""

    i18n = True
    alternates = True
    x_default = True


class SummarySitemap(InterfaceSitemap):
    """Published summaries, each at its own language's address, grouped with its translations.

    An item is one book: ``{language: summary}``. Only published summaries are listed, so a
    draft translation is never an alternate.
    """

    def items(self):
        books = (
            Book.objects.published()
            .only("slug", "language", "translation_of", "updated_at")
            .order_by("pk")
        )
        groups = defaultdict(dict)
        for book in books:
            groups[book.translation_of_id or book.pk].setdefault(book.language, book)
        return list(groups.values())

    def get_languages_for_item(self, group):
        return sorted(group)

    def location(self, group):
        return group[get_language()].get_absolute_url()

    def lastmod(self, group):
        return max(book.updated_at for book in group.values())


class TagSitemap(InterfaceSitemap):
    """Tags with published summaries, at their slug in each language; a tag page changes when
    one of its summaries does."""

    def items(self):
        return published_tags().prefetch_related("translations").order_by("slug")

    def location(self, tag):
        return reverse("books:tag", kwargs={"slug": tag_slug(tag, get_language())})

    def lastmod(self, tag):
        return tag.lastmod


class AuthorSitemap(InterfaceSitemap):
    """Authors with published summaries."""

    def items(self):
        return Author.objects.published().only("slug").order_by("slug")

    def lastmod(self, author):
        return author.lastmod


class CollectionSitemap(InterfaceSitemap):
    """Published collections, with the time each was last edited."""

    def items(self):
        return Collection.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, collection):
        return collection.updated_at


class PageSitemap(InterfaceSitemap):
    """The home page and the indexes: all summaries, tags, authors and collections."""

    def items(self):
        return ["books:list", "books:index", "books:tags", "books:authors", "curation:list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "summaries": SummarySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "collections": CollectionSitemap,
    "pages": PageSitemap,
}
