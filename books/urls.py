"""URLs of the library's public pages and feeds."""

from django.urls import path

from . import views
from .cache import cached_page
from .feeds import LatestSummariesFeed, TagFeed

app_name = "books"

# Slugs are <str:…>: Django's <slug:…> is ASCII-only, and tags and titles keep unicode.
# Readers' pages are cached for anonymous visitors (books/cache.py), keyed on the query
# parameters each view reads (``params``); previews never are.
urlpatterns = [
    path("", cached_page(views.BookListView.as_view(), params=["page", "lang"]), name="list"),
    path(
        "books/",
        cached_page(views.BookIndexView.as_view(), params=["sort", "tag", "page", "lang"]),
        name="index",
    ),
    path(
        "books/<str:slug>/",
        cached_page(views.BookDetailView.as_view(), summary=True),
        name="detail",
    ),
    path("books/<str:slug>/share-card.png", views.share_card, name="share_card"),
    path("tags/", cached_page(views.TagListView.as_view(), params=["sort"]), name="tags"),
    path(
        "tags/<str:slug>/",
        cached_page(views.TagDetailView.as_view(), params=["and", "page", "lang"]),
        name="tag",
    ),
    path("tags/<str:slug>/feed/", cached_page(TagFeed(), params=["and", "lang"]), name="tag_feed"),
    path("authors/", cached_page(views.AuthorListView.as_view(), params=["page"]), name="authors"),
    path(
        "authors/<str:slug>/",
        cached_page(views.AuthorDetailView.as_view(), params=["page"]),
        name="author",
    ),
    path("feeds/latest/", cached_page(LatestSummariesFeed(), params=["lang"]), name="latest_feed"),
    path("reading-list/", cached_page(views.ReadingListView.as_view()), name="reading_list"),
    path(
        "reading-list/cards/",
        cached_page(views.reading_list_cards, params=["slug"]),
        name="reading_list_cards",
    ),
    path("preview/<str:token>/", views.SharedPreviewView.as_view(), name="preview"),
]
