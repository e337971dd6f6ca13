"""URLs of the library's public pages and feeds."""

from django.urls import path

from . import views
from .feeds import LatestSummariesFeed, TagFeed

app_name = "books"

# Slugs are <str:…>: Django's <slug:…> is ASCII-only, and tags and titles keep unicode.
urlpatterns = [
    path("", views.BookListView.as_view(), name="list"),
    path("books/<str:slug>/", views.BookDetailView.as_view(), name="detail"),
    path("tags/", views.TagListView.as_view(), name="tags"),
    path("tags/<str:slug>/", views.TagDetailView.as_view(), name="tag"),
    path("tags/<str:slug>/feed/", TagFeed(), name="tag_feed"),
    path("authors/<str:slug>/", views.AuthorDetailView.as_view(), name="author"),
    path("feeds/latest/", LatestSummariesFeed(), name="latest_feed"),
    path("preview/<str:token>/", views.SharedPreviewView.as_view(), name="preview"),
]
