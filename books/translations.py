"""A summary's translations as its page shows them: hreflang alternates and “Read in …” links."""

from typing import NamedTuple

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext


class Translation(NamedTuple):
    """One other-language summary of the same book, as its page links to it."""

    language: str
    url: str
    title: str
    read_in: str  # “Read in English”, “Читать по-русски”: written in ``language``


class Alternates(NamedTuple):
    """What a summary page says about its languages: ``links`` to its published translations,
    and ``hreflang``: ``(code, url)`` for itself, each translation and ``x-default``."""

    links: list
    hreflang: list


def read_in(language):
    """The link text that offers a summary in ``language``, written in that language."""
    with translation.override(language):
        # Translators: the link to a summary's translation, shown in the translation's own
        # language: “Read in English” on the English catalog, “Читать по-русски” on the Russian.
        return pgettext("link to a translation", "Read in English")


def alternates(book):
    """The ``Alternates`` of ``book``'s page: its published translations only, drafts never.

    Each summary's address is its own language's (English unprefixed, Russian under /ru/).
    ``x-default`` is the summary in the site's default language, if the book has one.
    """
    translations = [
        Translation(
            other.language, other.url_in_own_language(), other.title, read_in(other.language)
        )
        for other in book.translations_shown()
    ]
    if not translations:
        return Alternates([], [])
    own = [(book.language, book.url_in_own_language())]
    hreflang = sorted(own + [(t.language, t.url) for t in translations])
    default = dict(hreflang).get(settings.LANGUAGE_CODE)
    if default:
        hreflang.append(("x-default", default))
    return Alternates(translations, hreflang)
