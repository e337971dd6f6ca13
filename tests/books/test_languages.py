"""Each summary's language: a field with the site's default, in the admin and the file format."""

import json

import pytest
from django.conf import settings

from books.models import Book
from books.summaries import SummaryFileError, import_file
from books.summaries.export import iter_exports
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db


def test_the_site_supports_english_and_russian_and_defaults_to_its_own_language():
    assert {"en", "ru"} <= {code for code, _ in settings.LANGUAGES}
    assert BookFactory(title="Plain").language == settings.LANGUAGE_CODE == "en"


def test_a_round_trip_keeps_the_language(tmp_path):
    BookFactory(title="Русская книга", slug="russkaya", language="ru")
    BookFactory(title="English book", slug="english")
    exported = list(iter_exports(Book.objects.all()))
    assert {item["slug"]: item["language"] for item in exported} == {
        "russkaya": "ru",
        "english": "en",
    }
    Book.objects.all().delete()
    path = tmp_path / "library.json"
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    import_file(path)
    assert dict(Book.objects.values_list("slug", "language")) == {"russkaya": "ru", "english": "en"}


def test_a_file_without_a_language_gets_the_sites_and_an_unknown_one_is_refused(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"title": "No language"}))
    import_file(path)
    assert Book.objects.get(title="No language").language == "en"
    path.write_text(json.dumps({"title": "Klingon", "language": "tlh"}))
    with pytest.raises(SummaryFileError, match="language: must be one of the site's languages"):
        import_file(path)


def test_editors_choose_the_language_in_the_admin(editor_client):
    book = BookFactory(title="Choose")
    html = editor_client.get(f"/admin/books/book/{book.pk}/change/").content.decode()
    assert 'name="language"' in html and '<option value="ru">Russian</option>' in html
