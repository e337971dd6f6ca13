"""URLs of the library's public pages."""

from django.urls import path

from . import views

app_name = "books"

urlpatterns = [
    path("", views.BookListView.as_view(), name="list"),
    path("books/<str:slug>/", views.BookDetailView.as_view(), name="detail"),
    path("preview/<str:token>/", views.SharedPreviewView.as_view(), name="preview"),
]
