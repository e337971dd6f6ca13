"""Root URLs: the public library, the admin and the editor's Markdown endpoints."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from books.uploads import ImageUploadView, MarkdownPreviewView

admin.site.site_header = "Book summaries — editors"
admin.site.site_title = "Book summaries admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
    # django-markdownx's own views are open to anyone; these staff-only ones
    # replace them under the names and paths its editor widget expects.
    path("markdownx/upload/", ImageUploadView.as_view(), name="markdownx_upload"),
    path("markdownx/markdownify/", MarkdownPreviewView.as_view(), name="markdownx_markdownify"),
    path("search/", include("books.search.urls")),
    path("", include("books.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
