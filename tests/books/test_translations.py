"""Summaries in a language, linked to their translations: ``lang``, hreflang, validation, cache."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from books.models import Book, Status
from tests.factories import BookFactory, UserFactory

pytestmark = pytest.mark.django_db

HOST = "http://testserver"


@pytest.fixture
def pair():
    """An English summary and its Russian translation, both published."""
    english = BookFactory(title="Deep Work", slug="deep-work", language="en")
    russian = BookFactory(
        title="Глубокая работа", slug="v-rabotu", language="ru", translation_of=english
    )
    return english, russian


def alternates(html):
    return sorted(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_summary_article_carries_its_language_and_html_the_interfaces(client, pair):
    _english, _russian = pair
    html = client.get("/books/v-rabotu/").content.decode()
    assert '<html lang="en">' in html
    assert '<article class="summary" lang="ru"' in html
    html = client.get("/ru/books/deep-work/").content.decode()
    assert '<html lang="ru">' in html
    assert '<article class="summary" lang="en"' in html
    html = client.get("/ru/books/v-rabotu/").content.decode()
    assert '<html lang="ru">' in html
    assert '<article class="summary" data-slug' in html  # the page's own language


def test_cards_and_shelves_carry_their_summarys_language(client, pair):
    html = client.get("/books/").content.decode()
    assert '<h3 class="card-title" lang="ru"><a href="/books/v-rabotu/">' in html
    assert '<h3 class="card-title"><a href="/books/deep-work/">' in html  # the page's language
    assert '<p class="card-lede" lang="ru">' in html
    html = client.get("/ru/books/").content.decode()
    assert '<h3 class="card-title" lang="en"><a href="/ru/books/deep-work/">' in html
    html = client.get("/").content.decode()
    assert '<span class="shelf-title" lang="ru">Глубокая работа</span>' in html


@pytest.mark.parametrize(
    "url", ["/books/deep-work/", "/ru/books/v-rabotu/", "/ru/books/deep-work/"]
)
def test_linked_pages_name_each_language_under_its_own_prefix(client, pair, url):
    html = client.get(url).content.decode()
    assert alternates(html) == [
        ("en", f"{HOST}/books/deep-work/"),
        ("ru", f"{HOST}/ru/books/v-rabotu/"),
        ("x-default", f"{HOST}/books/deep-work/"),
    ]


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/books/v-rabotu/", "/ru/books/v-rabotu/"),
        ("/ru/books/v-rabotu/", "/ru/books/v-rabotu/"),
        ("/ru/books/deep-work/", "/books/deep-work/"),
        ("/books/deep-work/", "/books/deep-work/"),
    ],
)
def test_a_summary_is_indexed_at_its_own_languages_address(client, pair, url, canonical):
    html = client.get(url).content.decode()
    assert f'<link rel="canonical" href="{HOST}{canonical}">' in html


def test_the_visible_link_is_written_in_the_translations_language(client, pair):
    html = client.get("/books/deep-work/").content.decode()
    assert '<a href="/ru/books/v-rabotu/" hreflang="ru" lang="ru">Читать по-русски</a>' in html
    html = client.get("/ru/books/v-rabotu/").content.decode()
    assert '<a href="/books/deep-work/" hreflang="en" lang="en">Read in English</a>' in html


def test_a_summary_without_a_public_translation_names_none(client, pair):
    _english, russian = pair
    russian.status, russian.published_at = Status.DRAFT, None
    russian.save()
    html = client.get("/books/deep-work/").content.decode()
    assert alternates(html) == []
    assert "v-rabotu" not in html


def test_a_third_language_joins_the_group_through_any_member(pair):
    english, russian = pair
    with override_settings(LANGUAGES=[("en", "English"), ("ru", "Russian"), ("de", "German")]):
        german = BookFactory.build(language="de", translation_of=russian, slug="deep-de")
        german.full_clean(exclude=["language"], validate_constraints=False)
        assert german.translation_of == english  # the group's centre
        german.save()
        assert set(english.translations_shown()) == {russian, german}
        assert set(russian.translations_shown()) == {english, german}


def test_a_translation_is_in_another_language_and_not_the_summary_itself(pair):
    english, russian = pair
    twin = BookFactory.build(language="ru", translation_of=english, slug="twin")
    with pytest.raises(ValidationError, match="already the summary in Russian"):
        twin.full_clean(validate_constraints=False)
    english.translation_of = russian  # the cycle en → ru → en
    with pytest.raises(ValidationError, match="already linked"):
        english.full_clean(validate_constraints=False)
    english.translation_of = english
    with pytest.raises(ValidationError):
        english.full_clean()


def test_linking_and_unlinking_refresh_both_cached_pages(client, pair):
    _english, russian = pair
    assert "v-rabotu" in client.get("/books/deep-work/").content.decode()
    assert client.get("/books/deep-work/")["X-Page-Cache"] == "hit"
    from django.db import transaction

    with transaction.atomic():
        russian = Book.objects.get(pk=russian.pk)
        russian.translation_of = None
        russian.save()
    # Tests run in one transaction: what the commit would send, sent by hand.
    from books.changes import ChangedSummaries

    ChangedSummaries.of().send()
    assert "v-rabotu" not in client.get("/books/deep-work/").content.decode()


def test_editors_link_a_translation_in_the_admin(client, pair):
    _english, russian = pair
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    html = client.get(f"/admin/books/book/{russian.pk}/change/").content.decode()
    assert 'name="translation_of"' in html
    assert "admin-autocomplete" in html
