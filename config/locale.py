"""The editors' pages in the language each editor chose, outside the readers' ``i18n_patterns``."""

from django.urls import reverse
from django.utils import translation

# Besides the admin itself: its nested inlines and the Markdown editor's endpoints.
EDITOR_PATHS = ("/_nested_admin/", "/markdownx/")


class EditorLanguageMiddleware:
    """Activate the editor's language (the cookie ``set_language`` sets, else the browser's) on
    the admin's pages.

    ``LocaleMiddleware`` gives every address without a language prefix the site's
    default language, since English readers' pages are unprefixed; the admin is
    not a reader's page and follows the editor's choice instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith((reverse("admin:index"), *EDITOR_PATHS)):
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
