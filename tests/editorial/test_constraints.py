"""Every database constraint an editor can break in the admin is a message, never a 500.

The walk below finds every UniqueConstraint and CheckConstraint of every model the
admin edits (registered models and their inlines, nested ones included) and submits
a page that breaks it: the page answers 200 with the constraint's message next to
the field, or (for positions and the publication date) the admin fills the value in.
A new constraint without a case here fails the walk.
"""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db.models import CheckConstraint, UniqueConstraint
from django.utils import timezone
from taggit.models import Tag

from books.curation.models import Collection, CollectionItem
from books.models import Author, Book, BookAuthor, Chapter, Status, TagRedirect, TagTranslation
from reviews.models import RelatedLink
from tests.admin_forms import form_data
from tests.factories import AuthorFactory, BookFactory, build_summary

pytestmark = pytest.mark.django_db

BOOK_ADD = "/admin/books/book/add/"


def change_url(book):
    return f"/admin/books/book/{book.pk}/change/"


def admin_edited_models():
    def inline_models(owner):
        for inline in getattr(owner, "inlines", []):
            yield inline.model
            yield from inline_models(inline)

    models = set()
    for model, model_admin in admin.site._registry.items():
        models.add(model)
        models.update(inline_models(model_admin))
    return models


def all_constraints():
    return {
        constraint.name: model
        for model in admin_edited_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, UniqueConstraint | CheckConstraint)
    }


def message_of(name):
    model = all_constraints()[name]
    return str(next(c for c in model._meta.constraints if c.name == name).violation_error_message)


def field_errors(response, field_id):
    """The error messages shown next to the field with id ``field_id`` (Django's markup)."""
    html = response.content.decode()
    match = re.search(
        rf'<ul class="errorlist"[^>]*id="{re.escape(field_id)}_error"[^>]*>(.*?)</ul>', html, re.S
    )
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


def new_summary(editor_client, **fields):
    data = form_data(editor_client.get(BOOK_ADD), "book_form")
    data.update({"title": "A new summary", "slug": "a-new-summary", "_save_draft": "1"})
    data.update(fields)
    return data


def add_rows(data, prefix, rows):
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))


def assert_refused(response, field_id, message):
    assert response.status_code == 200, "the page was saved instead of refused"
    assert message in field_errors(response, field_id), f"{message!r} not next to #{field_id}"


# --- One case per constraint ---------------------------------------------------------------


def author_unique_slug(client):
    AuthorFactory(name="Ada Lovelace", slug="ada")
    data = form_data(client.get("/admin/books/author/add/"), "author_form")
    data.update({"name": "Another Ada", "slug": "ada"})
    response = client.post("/admin/books/author/add/", data)
    assert_refused(response, "id_slug", "already exists")
    assert Author.objects.count() == 1


def book_unique_slug(client):
    BookFactory(slug="taken")
    book = BookFactory(slug="mine")
    data = form_data(client.get(change_url(book)), "book_form")
    data.update({"slug": "taken", "_continue": "1"})
    assert_refused(client.post(change_url(book), data), "id_slug", "already exists")


def book_published_has_date(client):
    # Filled in rather than refused: "Published" with no date means now.
    data = new_summary(client, status="published", _save_draft="", _continue="1")
    del data["_save_draft"]
    before = timezone.now()
    response = client.post(BOOK_ADD, data)
    assert response.status_code == 302
    book = Book.objects.get(slug="a-new-summary")
    assert book.status == Status.PUBLISHED and before <= book.published_at <= timezone.now()


def book_unpublish_after_publish(client):
    book = BookFactory()
    data = form_data(client.get(change_url(book)), "book_form")
    earlier = timezone.localtime(book.published_at - timedelta(days=2))
    data.update({"unpublish_at_0": f"{earlier:%Y-%m-%d}", "unpublish_at_1": f"{earlier:%H:%M:%S}"})
    data["_continue"] = "1"
    assert_refused(
        client.post(change_url(book), data),
        "id_unpublish_at",
        "must come after the publication time",
    )


def bookauthor_unique_author(client):
    author = AuthorFactory()
    data = new_summary(client)
    add_rows(data, "book_authors", [{"author": author.pk}, {"author": author.pk}])
    assert_refused(
        client.post(BOOK_ADD, data), "id_book_authors-1-author", "already listed for this summary"
    )
    assert not Book.objects.filter(slug="a-new-summary").exists()


def related_one_featured(client):
    data = new_summary(client)
    add_rows(
        data,
        "related_links",
        [
            {"title": "One", "note": "first", "featured": "on"},
            {"title": "Two", "note": "second", "featured": "on"},
        ],
    )
    response = client.post(BOOK_ADD, data)
    assert_refused(response, "id_related_links-1-featured", message_of("related_one_featured"))
    # The typed page is all still there.
    assert 'value="A new summary"' in response.content.decode()
    assert 'value="Two"' in response.content.decode()


def related_has_target_or_title(client):
    data = new_summary(client)
    add_rows(data, "related_links", [{"note": "a reason, but to read what?"}])
    assert_refused(
        client.post(BOOK_ADD, data),
        "id_related_links-0-title",
        message_of("related_has_target_or_title"),
    )


def related_not_self(client):
    book = build_summary(title="Self-referential")
    data = form_data(client.get(change_url(book)), "book_form")
    data["related_links-0-target"] = str(book.pk)
    data["related_links-0-title"] = ""
    data["_continue"] = "1"
    assert_refused(
        client.post(change_url(book), data),
        "id_related_links-0-target",
        message_of("related_not_self"),
    )


def tagredirect_unique_old_slug(client):
    elsewhere = Tag.objects.create(name="Elsewhere")
    TagRedirect.objects.create(old_slug="old-name", tag=elsewhere)
    tag = Tag.objects.create(name="Here")
    url = f"/admin/taggit/tag/{tag.pk}/change/"
    data = form_data(client.get(url), "tag_form")
    add_rows(data, "redirects", [{"old_slug": "old-name"}])
    assert_refused(client.post(url, data), "id_redirects-0-old_slug", "already exists")


COLLECTION_ADD = "/admin/curation/collection/add/"


def new_collection(client, **fields):
    data = form_data(client.get(COLLECTION_ADD), "collection_form")
    data.update({"title": "A new collection", "slug": "a-new-collection"})
    data.update(fields)
    return data


def collection_unique_slug(client):
    Collection.objects.create(title="Taken", slug="taken")
    response = client.post(COLLECTION_ADD, new_collection(client, slug="taken"))
    assert_refused(response, "id_slug", "already exists")
    assert Collection.objects.count() == 1


def collection_one_featured(client):
    Collection.objects.create(title="Start here", featured=True)
    response = client.post(COLLECTION_ADD, new_collection(client, featured="on"))
    assert_refused(response, "id_featured", "Only one collection can be featured")
    assert 'value="A new collection"' in response.content.decode()


def collection_published_has_date(client):
    # Filled in rather than refused: "Published" with no date means now.
    before = timezone.now()
    response = client.post(COLLECTION_ADD, new_collection(client, status="published"))
    assert response.status_code == 302
    collection = Collection.objects.get(slug="a-new-collection")
    assert before <= collection.published_at <= timezone.now()


def collectionitem_unique_book(client):
    book = BookFactory()
    data = new_collection(client)
    add_rows(data, "items", [{"book": book.pk}, {"book": book.pk}])
    assert_refused(
        client.post(COLLECTION_ADD, data), "id_items-1-book", "in the collection already"
    )
    assert not Collection.objects.exists()


def renumbered(client):
    """Positions are not typed: whatever numbers arrive, the rows are saved as 1..n in order."""
    book = build_summary(parts=2, chapters_per_part=3)
    data = form_data(client.get(change_url(book)), "book_form")
    for name in list(data):
        if name.endswith("-position"):
            data[name] = "0"  # every row claims the same place
    data["_continue"] = "1"
    assert client.post(change_url(book), data).status_code == 302
    for model, parent in ((Chapter, "part"), (BookAuthor, "book"), (RelatedLink, "book")):
        groups = {}
        for parent_id, position in model.objects.values_list(f"{parent}_id", "position"):
            groups.setdefault(parent_id, []).append(position)
        for positions in groups.values():
            assert sorted(positions) == list(range(1, len(positions) + 1))


def renumbered_collection(client):
    """A collection's order is dragged, not typed: rows are saved as 1..n whatever arrives."""
    books = [BookFactory() for _ in range(3)]
    data = new_collection(client)
    add_rows(data, "items", [{"book": book.pk, "position": "0"} for book in books])
    assert client.post(COLLECTION_ADD, data).status_code == 302
    positions = sorted(CollectionItem.objects.values_list("position", flat=True))
    assert positions == [1, 2, 3]


def book_translation_not_self(client):
    book = BookFactory()
    data = form_data(client.get(change_url(book)), "book_form")
    data.update({"translation_of": str(book.pk), "_continue": "1"})
    assert_refused(client.post(change_url(book), data), "id_translation_of", "already linked")


def book_one_translation_per_language(client):
    english = BookFactory(language="en")
    BookFactory(language="ru", translation_of=english)
    data = new_summary(client, language="ru", translation_of=str(english.pk))
    assert_refused(client.post(BOOK_ADD, data), "id_translation_of", "already the summary in")
    assert not Book.objects.filter(slug="a-new-summary").exists()


def _tag_with_translations(client, tag, rows):
    url = f"/admin/taggit/tag/{tag.pk}/change/"
    data = form_data(client.get(url), "tag_form")
    add_rows(data, "translations", rows)
    return client.post(url, data)


def tagtranslation_one_per_language(client):
    tag = Tag.objects.create(name="focus")
    rows = [{"language": "ru", "name": "Фокус", "slug": "фокус"},
            {"language": "ru", "name": "Внимание", "slug": "внимание"}]  # fmt: skip
    response = _tag_with_translations(client, tag, rows)
    assert response.status_code == 200
    assert "Please correct the duplicate data" in response.content.decode()
    assert not TagTranslation.objects.exists()


def tagtranslation_unique_slug(client):
    other = Tag.objects.create(name="attention")
    TagTranslation.objects.create(tag=other, language="ru", name="Внимание", slug="внимание")
    tag = Tag.objects.create(name="focus")
    rows = [{"language": "ru", "name": "Внимание", "slug": "внимание"}]
    response = _tag_with_translations(client, tag, rows)
    assert response.status_code == 200
    assert "Another tag already has this slug in this language." in response.content.decode()
    assert TagTranslation.objects.count() == 1


CASES = {
    "book_translation_not_self": book_translation_not_self,
    "book_one_translation_per_language": book_one_translation_per_language,
    "tagtranslation_one_per_language": tagtranslation_one_per_language,
    "tagtranslation_unique_slug": tagtranslation_unique_slug,
    "author_unique_slug": author_unique_slug,
    "book_unique_slug": book_unique_slug,
    "book_published_has_date": book_published_has_date,
    "book_unpublish_after_publish": book_unpublish_after_publish,
    "bookauthor_unique_author": bookauthor_unique_author,
    "bookauthor_unique_position": renumbered,
    "section_unique_position": renumbered,
    "audience_unique_position": renumbered,
    "part_unique_position": renumbered,
    "chapter_unique_position": renumbered,
    "takeaway_unique_position": renumbered,
    "related_unique_position": renumbered,
    "related_one_featured": related_one_featured,
    "related_has_target_or_title": related_has_target_or_title,
    "related_not_self": related_not_self,
    "tagredirect_unique_old_slug": tagredirect_unique_old_slug,
    "collection_unique_slug": collection_unique_slug,
    "collection_one_featured": collection_one_featured,
    "collection_published_has_date": collection_published_has_date,
    "collectionitem_unique_book": collectionitem_unique_book,
    "collectionitem_unique_position": renumbered_collection,
}


def test_every_constraint_of_an_admin_edited_model_has_a_case():
    assert set(all_constraints()) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_breaking_a_constraint_in_the_admin_is_a_message_not_a_500(admin_client, name):
    admin_client.raise_request_exception = True  # a 500 fails the test with its traceback
    CASES[name](admin_client)


def test_two_featured_links_on_a_new_summary_keep_the_typed_page(editor_client):
    related_one_featured(editor_client)


def test_featured_can_move_from_one_link_to_another_in_one_save(editor_client):
    book = build_summary()
    # The featured link comes second, so the newly featured one is saved before it.
    book.related_links.update(featured=False)
    book.related_links.filter(position=2).update(featured=True)
    data = form_data(editor_client.get(change_url(book)), "book_form")
    featured = [name for name in data if name.endswith("-featured")]
    assert len(featured) == 1
    del data[featured[0]]
    moved_to = next(
        name.replace("-note", "-featured")
        for name in data
        if name.startswith("related_links-") and name.endswith("-note")
        and name.replace("-note", "-featured") != featured[0]
    )  # fmt: skip
    data[moved_to] = "on"
    data["_continue"] = "1"
    assert editor_client.post(change_url(book), data).status_code == 302
    assert book.related_links.filter(featured=True).count() == 1


def test_two_authors_can_swap_places_by_swapping_the_pickers(editor_client):
    book = build_summary(authors=2)
    first, second = [link.author_id for link in book.book_authors.order_by("position")]
    data = form_data(editor_client.get(change_url(book)), "book_form")
    data["book_authors-0-author"], data["book_authors-1-author"] = str(second), str(first)
    data["_continue"] = "1"
    response = editor_client.post(change_url(book), data)
    assert response.status_code == 302
    assert [link.author_id for link in book.book_authors.order_by("position")] == [second, first]
