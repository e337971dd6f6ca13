"""Tags that differ only by case are one tag in every script, on SQLite as on PostgreSQL."""

import json

import pytest
from taggit.models import Tag

from books.models import Book
from books.summaries import import_file
from tests.admin_forms import form_data
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db

PAIRS = [("Машинное Обучение", "машинное обучение"), ("ÉTUDE", "étude"), ("ΛΌΓΟΣ", "λόγος")]


@pytest.mark.parametrize(("existing", "typed"), PAIRS)
def test_a_tag_typed_in_other_capitals_is_the_existing_tag(editor_client, existing, typed):
    tag = Tag.objects.create(name=existing)
    book = BookFactory()
    url = f"/admin/books/book/{book.pk}/change/"
    data = form_data(editor_client.get(url), "book_form")
    data.update(tags=f"{typed}, {typed.upper()}", _continue="1")
    assert editor_client.post(url, data).status_code == 302
    assert list(book.tags.all()) == [tag]
    assert Tag.objects.count() == 1


@pytest.mark.parametrize(("existing", "typed"), PAIRS)
def test_an_import_matches_tags_ignoring_case_in_every_script(tmp_path, existing, typed):
    tag = Tag.objects.create(name=existing)
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"title": "Tagged", "tags": [typed]}), encoding="utf-8")
    import_file(path)
    assert list(Book.objects.get(slug="tagged").tags.all()) == [tag]
    assert Tag.objects.count() == 1


@pytest.mark.parametrize(("existing", "typed"), PAIRS)
def test_the_duplicate_finder_sees_tags_differing_by_case(editor_client, existing, typed):
    Tag.objects.create(name=existing, slug="one")
    Tag.objects.create(name=typed, slug="two")
    Tag.objects.create(name="Unrelated", slug="three")
    html = editor_client.get("/admin/taggit/tag/?duplicates=case").content.decode()
    assert existing in html and typed in html and "Unrelated" not in html


@pytest.mark.parametrize(("existing", "typed"), PAIRS)
def test_a_new_tag_differing_only_by_case_is_refused(editor_client, existing, typed):
    Tag.objects.create(name=existing)
    data = form_data(editor_client.get("/admin/taggit/tag/add/"), "tag_form")
    data.update(name=typed, slug="another-slug")
    response = editor_client.post("/admin/taggit/tag/add/", data)
    assert response.status_code == 200
    assert "only the capitals differ" in response.content.decode()
    assert Tag.objects.count() == 1


@pytest.mark.parametrize(("existing", "typed"), PAIRS)
def test_admin_search_ignores_case_in_every_script(editor_client, existing, typed):
    Tag.objects.create(name=existing)
    found = editor_client.get("/admin/taggit/tag/", {"q": typed}).content.decode()
    assert existing in found
    book = BookFactory(title=f"A book about {existing}")
    found = editor_client.get("/admin/books/book/", {"q": typed}).content.decode()
    assert book.title in found
