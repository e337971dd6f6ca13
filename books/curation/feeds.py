"""A collection's Atom feed: its published summaries, whole, in the editor's order."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext

from books.feeds import LatestSummariesFeed

from .models import Collection


class CollectionFeed(LatestSummariesFeed):
    """The summaries of one published collection."""

    def get_object(self, request, slug):
        collection = Collection.objects.published().filter(slug=slug).first()
        if collection is None:
            raise Http404(gettext("No published collection has this address."))
        return collection

    def title(self, collection):
        return gettext("Book summaries: %s") % collection.title

    def subtitle(self, collection):
        return gettext("The summaries of the collection “%s”.") % collection.title

    def link(self, collection):
        return collection.get_absolute_url()

    def feed_url(self, collection):
        return reverse("curation:feed", kwargs={"slug": collection.slug})

    def items(self, collection):
        return self.summaries(collection.public_books())
