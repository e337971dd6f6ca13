"""Reader-facing pages: summaries, tags, authors, the reading list, shared previews, robots.txt."""

from urllib.parse import urlencode

from django.core.validators import slug_unicode_re
from django.db.models import Count
from django.db.models.functions import Lower
from django.http import (
    Http404,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView
from taggit.models import Tag

from books.curation.models import Collection

from . import covers, share_cards
from . import tags as tag_lookups
from .cache import fragment_cache
from .feeds import feed_url_of
from .models import Author, Book
from .paging import (
    ReaderNotFound,
    ReaderPagination,
    SlugInPath,
    language_asked,
    language_options,
)
from .preview import shared_book
from .reading import reading_time
from .retailers import get_the_book
from .summaries import load_summary, summary_books, summary_cards
from .translations import alternates

# Published summaries sharing tags shown under "More like this".
MORE_LIKE_THIS = 4
# Tags offered to narrow a list further ("narrow with another tag", /books/'s chips).
NARROWING_TAGS = 24
# Summaries of the featured collection shown on the home page under "Start here".
START_HERE = 6
# Summaries a reading list asks for at once (/reading-list/cards/).
READING_LIST_SIZE = 100


def too_many_tags():
    """The 404's reason for a page combining more tags than it may."""
    return gettext("At most %(count)d tags can be combined on one page.") % {
        "count": tag_lookups.MAX_COMBINED_TAGS
    }


def no_such_tag(slug):
    """The 404's reason for a tag no published summary has."""
    return gettext("No published summary has the tag “%(slug)s”.") % {"slug": slug[:100]}


def narrowing_tags(books, active):
    """Tags on some of ``books`` (a queryset) other than ``active``, each with ``count``: the
    most common first. One query."""
    tags = Tag.objects.filter(book__in=books.order_by().values("pk"))
    return list(
        tag_lookups.localized(
            tags.exclude(pk__in=[tag.pk for tag in active]).annotate(count=Count("book"))
        ).order_by("-count", Lower("local_name"), "pk")[:NARROWING_TAGS]
    )


class BookListView(ReaderPagination, ListView):
    """The home page: what the library is, a cover grid of the newest summaries, the featured
    collection (“Start here”) and the tags to browse by."""

    template_name = "books/book_list.html"
    context_object_name = "books"

    def get_queryset(self):
        self.language = language_asked(self.request)
        return summary_cards(Book.objects.published().in_language(self.language))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            tag_cloud=tag_lookups.tag_cloud(),
            language_options=language_options(self.request, self.language),
            canonical_params={"lang": self.language} if self.language else {},
            **kwargs,
        )
        if context["page_obj"].number == 1:
            featured = Collection.objects.published().filter(featured=True).first()
            context["start_here"] = featured
            context["start_here_books"] = (
                list(summary_cards(featured.public_books())[:START_HERE]) if featured else []
            )
        return context


class BookIndexView(ReaderPagination, ListView):
    """All published summaries (/books/): sorted by newest, title or reading time, and
    narrowed by several tags at once. Each tag chip is a plain link."""

    template_name = "books/book_index.html"
    context_object_name = "books"
    paginate_by = 24
    orders = {
        "newest": (pgettext_lazy("order", "Newest"), None),
        "title": (pgettext_lazy("order", "Title"), (Lower("title"), "pk")),
        "time": (gettext_lazy("Shortest read"), ("reading_words", Lower("title"), "pk")),
    }

    def get(self, request, *args, **kwargs):
        self.language = language_asked(request)
        self.order = request.GET.get("sort", "newest")
        if self.order not in self.orders:
            self.order = "newest"
        slugs = request.GET.getlist("tag")
        if len(slugs) > tag_lookups.MAX_COMBINED_TAGS:
            raise ReaderNotFound(too_many_tags())
        self.tags = []
        if slugs:
            try:
                self.tags, moved = tag_lookups.published_tags_at(slugs)
            except tag_lookups.TagNotFoundError as error:
                raise ReaderNotFound(no_such_tag(error.slug)) from None
            if moved:
                return redirect(self.url_with(tags=self.tags), permanent=True)
        return super().get(request, *args, **kwargs)

    def url_with(self, *, tags=None, order=None):
        """This page's address with other tags or another order (page 1)."""
        params = [
            ("tag", tag_lookups.slug_of(tag)) for tag in (self.tags if tags is None else tags)
        ]
        order = order or self.order
        if order != "newest":
            params.append(("sort", order))
        if self.language:
            params.append(("lang", self.language))
        query = urlencode(params)
        return reverse("books:index") + (f"?{query}" if query else "")

    def get_queryset(self):
        self.filtered = Book.objects.published().in_language(self.language).tagged(*self.tags)
        ordering = self.orders[self.order][1]
        books = self.filtered.order_by(*ordering) if ordering else self.filtered
        return summary_cards(books)

    def get_context_data(self, **kwargs):
        active = [
            (tag, self.url_with(tags=[other for other in self.tags if other != tag]))
            for tag in self.tags
        ]
        more = [
            (tag, self.url_with(tags=[*self.tags, tag]))
            for tag in narrowing_tags(self.filtered, self.tags)
        ]
        orders = [
            (key, label, self.url_with(order=key), key == self.order)
            for key, (label, _) in self.orders.items()
        ]
        canonical = {"tag": [tag_lookups.slug_of(tag) for tag in self.tags]}
        if self.order != "newest":
            canonical["sort"] = self.order
        if self.language:
            canonical["lang"] = self.language
        return super().get_context_data(
            language_options=language_options(self.request, self.language),
            active_tags=active,
            more_tags=more,
            orders=orders,
            canonical_params=canonical,
            feed_url=feed_url_of(self.tags) if self.tags else reverse("books:latest_feed"),
            **kwargs,
        )


class AuthorListView(ReaderPagination, ListView):
    """Every author of a published summary, A to Z, with the number of their summaries."""

    template_name = "books/author_list.html"
    context_object_name = "authors"
    paginate_by = 120

    def get_queryset(self):
        return (
            Author.objects.published()
            .annotate(count=Count("books"))
            .order_by(Lower("name"), "pk")
            .only("name", "slug")
        )


class BookDetailView(SlugInPath, DetailView):
    """One whole summary; drafts are visible to staff only, with a banner."""

    template_name = "books/book_detail.html"
    context_object_name = "book"

    def get_queryset(self):
        return summary_books(Book.objects.visible_to(self.request.user))

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.object.is_public:
            # A staff preview of a draft: never stored by a browser or a cache.
            add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        book = self.object
        # Loaded only if the template renders the summary: a page cached whole misses
        # the page cache for a new query string, but its fragments are still current.
        page = SimpleLazyObject(lambda: load_summary(book, more_like_this=MORE_LIKE_THIS))
        return super().get_context_data(
            page=page,
            translations=SimpleLazyObject(lambda: alternates(book)),
            # One address per summary for search engines: the one in its own language.
            canonical_path=book.url_in_own_language(),
            get_the_book=get_the_book(book),
            fragment_cache=fragment_cache(self.request, book.slug, public=book.is_public),
            **kwargs,
        )


class TagListView(TemplateView):
    """Every tag with a published summary and its count, alphabetically or by popularity."""

    template_name = "books/tag_list.html"
    orders = {"name": tag_lookups.alphabetical, "popular": tag_lookups.by_popularity}

    def get_context_data(self, **kwargs):
        order = self.request.GET.get("sort", "name")
        if order not in self.orders:
            order = "name"
        return super().get_context_data(
            tags=self.orders[order](tag_lookups.published_tags()),
            order=order,
            canonical_params={"sort": order} if order != "name" else {},
            **kwargs,
        )


class TagDetailView(SlugInPath, ReaderPagination, ListView):
    """Published summaries carrying a tag, newest first; ``?and=<slug>`` narrows to more tags."""

    template_name = "books/tag_detail.html"
    context_object_name = "books"

    def get(self, request, *args, **kwargs):
        self.language = language_asked(request)
        slugs = [kwargs["slug"], *request.GET.getlist("and")]
        if len(slugs) > tag_lookups.MAX_COMBINED_TAGS:
            raise ReaderNotFound(too_many_tags())
        try:
            self.tags, moved = tag_lookups.published_tags_at(slugs)
        except tag_lookups.TagNotFoundError as error:
            raise ReaderNotFound(no_such_tag(error.slug)) from None
        if moved:
            url = tag_lookups.tags_url(self.tags)
            if self.language:
                url += ("&" if "?" in url else "?") + urlencode({"lang": self.language})
            return redirect(url, permanent=True)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        books = Book.objects.published().in_language(self.language).tagged(*self.tags)
        return summary_cards(books)

    def get_context_data(self, **kwargs):
        active = [
            (tag, tag_lookups.tags_url([other for other in self.tags if other != tag]))
            if len(self.tags) > 1
            else (tag, reverse("books:tags"))
            for tag in self.tags
        ]
        books = Book.objects.published().in_language(self.language).tagged(*self.tags)
        more = [
            (tag, tag_lookups.tags_url([*self.tags, tag]))
            for tag in narrowing_tags(books, self.tags)
        ]
        if len(self.tags) >= tag_lookups.MAX_COMBINED_TAGS:
            more = []
        return super().get_context_data(
            tag=self.tags[0],
            active_tags=active,
            more_tags=more,
            feed_url=feed_url_of(self.tags),
            canonical_params={
                "and": [tag_lookups.slug_of(tag) for tag in self.tags[1:]],
                **({"lang": self.language} if self.language else {}),
            },
            language_options=language_options(self.request, self.language),
            **kwargs,
        )


class AuthorDetailView(SlugInPath, ReaderPagination, ListView):
    """An author's bio, website and published summaries."""

    template_name = "books/author_detail.html"
    context_object_name = "books"
    empty_message = gettext_lazy("This author has no published summaries yet.")

    def get(self, request, *args, **kwargs):
        self.author = get_object_or_404(Author, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return summary_cards(Book.objects.published().filter(authors=self.author))

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class ReadingListView(TemplateView):
    """The reader's list (saved and read summaries), drawn in the browser from localStorage.

    The page itself is the same for everyone; ``reading_list_cards`` gives the
    script the cards of the slugs it holds. Without JavaScript it says what it needs.
    """

    template_name = "books/reading_list.html"


@require_safe
def share_card(request, slug):
    """A public summary's share card (``og:image``): drawn on first request, then a redirect
    to the picture."""
    book = get_object_or_404(Book.objects.published().only("pk"), slug=slug)
    card = share_cards.current_card(book.pk)
    if card is None:
        raise Http404(gettext("This summary has no share card."))
    return HttpResponseRedirect(card.url)


def reading_list_cards(request):
    """JSON: the public card data of the published summaries at ``?slug=…`` (in that order).

    Unknown, draft and scheduled slugs are left out, so nothing unpublished leaks.
    """
    slugs = list(dict.fromkeys(request.GET.getlist("slug")))[:READING_LIST_SIZE]
    slugs = [slug for slug in slugs if slug_unicode_re.match(slug)]
    books = (
        {book.slug: book for book in summary_cards(Book.objects.published().filter(slug__in=slugs))}
        if slugs
        else {}
    )
    cards = []
    for slug in slugs:
        book = books.get(slug)
        if book is None:
            continue
        tags = list(book.tags.all())
        tag = covers.main_tag(tags)
        authors = [author.name for author in book.ordered_authors]
        cards.append(
            {
                "slug": book.slug,
                "url": book.get_absolute_url(),
                "title": book.title,
                "authors": authors,
                "lede": book.lede,
                "reading_minutes": book.reading_minutes,
                "reading_time": reading_time(book.reading_minutes),
                "tags": [tag_lookups.name_of(tag) for tag in tags],
                "cover": book.cover.url if book.cover else None,
                "cover_svg": covers.cover_svg(
                    covers.design(book.title, authors, tag.slug if tag else None)
                ),
            }
        )
    return JsonResponse({"cards": cards})


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's, for one)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def robots_txt(request):
    """Where crawlers may go, and where the sitemap is (an absolute URL, as the protocol wants)."""
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    return render(
        request,
        "robots.txt",
        {"sitemap_url": sitemap_url},
        content_type="text/plain; charset=utf-8",
    )


@method_decorator(never_cache, name="dispatch")
class SharedPreviewView(DetailView):
    """A draft opened through a share link: readable without an account, never indexed or cached."""

    template_name = "books/book_preview.html"
    context_object_name = "book"

    def get(self, request, *args, **kwargs):
        self.object = shared_book(self.kwargs["token"], summary_books(Book.objects.all()))
        if self.object is None:
            return TemplateResponse(request, "books/preview_expired.html", status=404)
        if self.object.is_public:
            return HttpResponseRedirect(self.object.get_absolute_url())
        context = self.get_context_data(object=self.object, page=load_summary(self.object))
        response = self.render_to_response(context)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response
