"""URLs of the library's public pages and feeds."""

from django.urls import path

from . import views
from .cache import cached_page
from .feeds import LatestSummariesFeed, TagFeed

app_name = "books"

# Slugs are <str:…>: Django's <slug:…> is ASCII-only, and tags and titles keep unicode.
# Readers' pages are cached for anonymous visitors (books/cache.py); previews never are.
urlpatterns = [
    path("", cached_page(views.BookListView.as_view()), name="list"),
    path("books/", cached_page(views.BookIndexView.as_view()), name="index"),
    path(
        "books/<str:slug>/",
        cached_page(views.BookDetailView.as_view(), summary=True),
        name="detail",
    ),
    path("tags/", cached_page(views.TagListView.as_view()), name="tags"),
    path("tags/<str:slug>/", cached_page(views.TagDetailView.as_view()), name="tag"),
    path("tags/<str:slug>/feed/", cached_page(TagFeed()), name="tag_feed"),
    path("authors/", cached_page(views.AuthorListView.as_view()), name="authors"),
    path("authors/<str:slug>/", cached_page(views.AuthorDetailView.as_view()), name="author"),
    path("feeds/latest/", cached_page(LatestSummariesFeed()), name="latest_feed"),
    path("reading-list/", cached_page(views.ReadingListView.as_view()), name="reading_list"),
    path("reading-list/cards/", cached_page(views.reading_list_cards), name="reading_list_cards"),
    path("preview/<str:token>/", views.SharedPreviewView.as_view(), name="preview"),
]
