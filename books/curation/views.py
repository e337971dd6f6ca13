"""Readers' pages of the collections: the index and one collection with its summaries."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.views.generic import ListView

from books.models import Book
from books.paging import ReaderPagination, SlugInPath
from books.summaries import summary_cards

from .models import Collection, CollectionItem


class CollectionListView(ListView):
    """Every published collection, with how many published summaries it holds."""

    template_name = "curation/collection_list.html"
    context_object_name = "collections"

    def get_queryset(self):
        public = Q(items__book__in=Book.objects.published())
        return Collection.objects.published().annotate(count=Count("items", filter=public))


class CollectionDetailView(SlugInPath, ReaderPagination, ListView):
    """One collection: its introduction, then its published summaries in the editor's order.

    A draft is shown to staff only, with a banner, and never stored by a cache.
    """

    template_name = "curation/collection_detail.html"
    context_object_name = "items"
    paginate_by = 48

    def get(self, request, *args, **kwargs):
        self.collection = get_object_or_404(
            Collection.objects.visible_to(request.user), slug=kwargs["slug"]
        )
        response = super().get(request, *args, **kwargs)
        if not self.collection.is_public:
            add_never_cache_headers(response)
        return response

    def get_queryset(self):
        books = summary_cards(Book.objects.published())
        return (
            CollectionItem.objects.filter(
                collection=self.collection, book__in=Book.objects.published()
            )
            .order_by("position", "pk")
            .prefetch_related(Prefetch("book", queryset=books))
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(collection=self.collection, **kwargs)
