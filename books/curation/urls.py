"""URLs of the collections: their index, each collection's page and its Atom feed."""

from django.urls import path

from books.cache import cached_page

from . import views
from .feeds import CollectionFeed

app_name = "curation"

urlpatterns = [
    path("", cached_page(views.CollectionListView.as_view(), params=["page"]), name="list"),
    path(
        "<str:slug>/",
        cached_page(views.CollectionDetailView.as_view(), params=["page"]),
        name="detail",
    ),
    path("<str:slug>/feed/", cached_page(CollectionFeed()), name="feed"),
]
