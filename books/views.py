"""Reader-facing pages of the library: the list of summaries and a summary page."""

from django.views.generic import DetailView, ListView

from .models import Book
from .summaries import full_summaries


class BookListView(ListView):
    """Published summaries, newest first."""

    template_name = "books/book_list.html"
    context_object_name = "books"
    paginate_by = 12

    def get_queryset(self):
        return Book.objects.published().with_authors().prefetch_related("tags")


class BookDetailView(DetailView):
    """One whole summary; drafts are visible to staff only, with a banner."""

    template_name = "books/book_detail.html"
    context_object_name = "book"

    def get_queryset(self):
        return full_summaries(Book.objects.visible_to(self.request.user))
