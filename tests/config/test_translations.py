"""The interface's catalogs: every Russian message translated, none fuzzy, every .mo compiled."""

import re

import polib
import pytest
from django.conf import settings
from django.utils import translation

from books.devtools.check_messages import ROOT, stale_compilations

CATALOG = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def russian():
    return polib.pofile(CATALOG)


def forms_of(catalog):
    return int(re.search(r"nplurals=(\d+)", catalog.metadata["Plural-Forms"])[1])


def test_every_russian_message_is_translated(russian):
    untranslated = [entry.msgid for entry in russian.untranslated_entries()]
    assert not untranslated, f"Not translated into Russian: {untranslated}"
    forms = forms_of(russian)
    incomplete = [
        entry.msgid
        for entry in russian
        if entry.msgid_plural and not all(entry.msgstr_plural.get(n) for n in range(forms))
    ]
    assert not incomplete, f"Plural forms missing: {incomplete}"


def test_no_russian_message_is_fuzzy(russian):
    assert not russian.metadata_is_fuzzy, "The catalog's header is marked fuzzy"
    fuzzy = [entry.msgid for entry in russian.fuzzy_entries()]
    assert not fuzzy, f"Fuzzy (check the translation and remove the flag): {fuzzy}"


def test_russian_has_its_three_plural_forms(russian):
    assert forms_of(russian) == 3
    with translation.override("ru"):
        minutes = [
            translation.ngettext("%(minutes)s min read", "%(minutes)s min read", n) % {"minutes": n}
            for n in (1, 2, 5, 11, 21, 22, 25, 111)
        ]
    assert minutes == [
        "1 минута чтения", "2 минуты чтения", "5 минут чтения", "11 минут чтения",
        "21 минута чтения", "22 минуты чтения", "25 минут чтения", "111 минут чтения",
    ]  # fmt: skip


def test_every_compiled_catalog_matches_its_source():
    locales = [code for code, _ in settings.LANGUAGES]
    assert stale_compilations(locales) == []
