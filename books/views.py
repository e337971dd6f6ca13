"""Reader-facing pages of the library: the list of summaries, a summary page, a shared preview."""

from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from .models import Book
from .preview import shared_book
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

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.object.is_public:
            # A staff preview of a draft: never stored by a browser or a cache.
            add_never_cache_headers(response)
        return response


@method_decorator(never_cache, name="dispatch")
class SharedPreviewView(DetailView):
    """A draft opened through a share link: readable without an account, never indexed or cached."""

    template_name = "books/book_preview.html"
    context_object_name = "book"

    def get(self, request, *args, **kwargs):
        self.object = shared_book(self.kwargs["token"], full_summaries(Book.objects.all()))
        if self.object is None:
            return TemplateResponse(request, "books/preview_expired.html", status=404)
        if self.object.is_public:
            return HttpResponseRedirect(self.object.get_absolute_url())
        response = self.render_to_response(self.get_context_data(object=self.object))
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response
