"""Root URLs: the public library, the admin and the editor's Markdown endpoints."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from books.cache import cached_page
from books.sitemaps import SITEMAPS
from books.uploads import ImageUploadView, MarkdownPreviewView
from books.views import favicon, robots_txt
from config.health import health
from config.security import SignInForm, serve_media

admin.site.site_header = _("Book summaries — editors")
admin.site.site_title = _("Book summaries admin")
# Parallel sign-in attempts take turns, so the failure limit holds under a burst.
admin.site.login_form = SignInForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
    # django-markdownx's own views are open to anyone; these staff-only ones
    # replace them under the names and paths its editor widget expects.
    path("markdownx/upload/", ImageUploadView.as_view(), name="markdownx_upload"),
    path("markdownx/markdownify/", MarkdownPreviewView.as_view(), name="markdownx_markdownify"),
    # The language switcher's POST target (Django's set_language), for the admin.
    path("i18n/", include("django.conf.urls.i18n")),
    # Crawlers look for these at fixed addresses.
    path("sitemap.xml", cached_page(sitemap, params=["p"]), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", cached_page(robots_txt), name="robots_txt"),
    # For load balancers and bench_pages: answers without touching the database.
    path("healthz", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
]

# Readers' pages in each language: English at the addresses it always had, Russian under /ru/.
urlpatterns += i18n_patterns(
    path("search/", include("books.search.urls")),
    path("collections/", include("books.curation.urls")),
    path("", include("books.urls")),
    prefix_default_language=False,
)

handler404 = "books.paging.page_not_found"

if settings.SERVE_MEDIA:
    # Uploaded covers and images, with nosniff and a sandboxing policy
    # (in production a reverse proxy usually does this; see the README).
    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", serve_media, name="media")
    ]
