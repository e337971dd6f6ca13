"""The sitemap: every published summary, every tag and author with one, the collections and
the index pages."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from books.curation.models import Collection

from .models import Author, Book
from .tags import published_tags


class SummarySitemap(Sitemap):
    """Published summaries, with the time each last changed."""

    def items(self):
        return Book.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, book):
        return book.updated_at


class TagSitemap(Sitemap):
    """Tags with published summaries; a tag page changes when one of its summaries does."""

    def items(self):
        return published_tags().order_by("slug")

    def location(self, tag):
        return reverse("books:tag", kwargs={"slug": tag.slug})

    def lastmod(self, tag):
        return tag.lastmod


class AuthorSitemap(Sitemap):
    """Authors with published summaries."""

    def items(self):
        return Author.objects.published().only("slug").order_by("slug")

    def lastmod(self, author):
        return author.lastmod


class CollectionSitemap(Sitemap):
    """Published collections, with the time each was last edited."""

    def items(self):
        return Collection.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, collection):
        return collection.updated_at


class PageSitemap(Sitemap):
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
