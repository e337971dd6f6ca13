"""The admin as an editor of the Editors group uses it: one page edits a whole summary."""

import pytest
from django.contrib.auth.models import Group, Permission

from books.models import Book, Chapter
from reviews.models import RelatedLink, Takeaway
from tests.admin_forms import form_data
from tests.factories import AuthorFactory, BookFactory, build_summary

pytestmark = pytest.mark.django_db


def change_url(book):
    return f"/admin/books/book/{book.pk}/change/"


def test_editors_group_manages_content_but_not_accounts():
    perms = set(
        Group.objects.get(name="Editors").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert ("books", "change_book") in perms
    assert ("books", "delete_chapter") in perms
    assert ("reviews", "add_relatedlink") in perms
    assert ("taggit", "change_tag") in perms
    assert ("search", "change_synonymset") in perms  # the synonym sets search uses
    assert {app for app, _ in perms} == {"books", "reviews", "taggit", "search"}
    assert Permission.objects.filter(content_type__app_label="auth").exists()


def test_editor_cannot_manage_users(editor_client):
    assert editor_client.get("/admin/auth/user/").status_code == 403


def test_change_page_shows_the_whole_summary(editor_client, demo_book):
    response = editor_client.get(change_url(demo_book))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Inside the transformer", "LLM internals", "Bridge to AI engineering",
                 "Prompt Engineering for LLMs", "Philosophy of the book", "Jay Alammar",
                 "View on site", "markdownx"):  # fmt: skip
        assert text in html, text


def test_editor_saves_a_whole_summary_with_nested_inlines(editor_client, demo_book):
    response = editor_client.get(change_url(demo_book))
    data = form_data(response, "book_form")
    data["parts-0-chapters-2-title"] = "Inside the transformer (edited)"
    # swap the first two chapters of part II: positions collide while saving
    data["parts-1-chapters-0-position"], data["parts-1-chapters-1-position"] = "2", "1"
    data["parts-2-chapters-2-DELETE"] = "on"
    data["review-0-takeaways-0-text"] = "Edited takeaway."
    data["related_links-2-note"] = "A new reason."
    data["_continue"] = "Save and continue editing"

    response = editor_client.post(change_url(demo_book), data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    titles = list(
        Chapter.objects.filter(part__book=demo_book)
        .order_by("part__position", "position")
        .values_list("title", flat=True)
    )
    assert "Inside the transformer (edited)" in titles
    assert titles[3:5] == ["Clustering and Topic Modeling", "Text classification"]
    assert "Fine-tuning generative models" not in titles
    assert len(titles) == 11
    assert Takeaway.objects.get(review__book=demo_book, position=1).text == "Edited takeaway."
    assert RelatedLink.objects.get(book=demo_book, position=3).note == "A new reason."


def test_editor_adds_a_summary_with_authors_and_chapters(editor_client):
    author = AuthorFactory(name="Ada Lovelace")
    data = form_data(editor_client.get("/admin/books/book/add/"), "book_form")
    data.update({
        "title": "Notes on the Engine", "slug": "notes-on-the-engine", "lede": "Hook.",
        "status": "published", "published_at_0": "2024-01-02", "published_at_1": "10:00:00",
        "tags": "history, computing",
        "book_authors-TOTAL_FORMS": "1", "book_authors-0-author": str(author.pk),
        "book_authors-0-position": "1",
        "parts-TOTAL_FORMS": "1", "parts-0-title": "Part one", "parts-0-position": "1",
        "parts-0-chapters-TOTAL_FORMS": "2", "parts-0-chapters-INITIAL_FORMS": "0",
        "parts-0-chapters-MIN_NUM_FORMS": "0", "parts-0-chapters-MAX_NUM_FORMS": "1000",
        "parts-0-chapters-0-title": "First", "parts-0-chapters-0-position": "1",
        "parts-0-chapters-1-title": "Second", "parts-0-chapters-1-position": "2",
        "parts-0-chapters-1-summary": "Has **bold** text",
    })  # fmt: skip
    response = editor_client.post("/admin/books/book/add/", data)
    assert response.status_code == 302
    book = Book.objects.get(slug="notes-on-the-engine")
    assert book.ordered_authors == [author]
    assert sorted(book.tags.names()) == ["computing", "history"]
    assert [c.title for c in Chapter.objects.filter(part__book=book)] == ["First", "Second"]
    assert "<strong>bold</strong>" in Chapter.objects.get(title="Second").summary_html


def test_validation_errors_are_shown_and_nothing_is_lost(editor_client):
    book = build_summary()
    data = form_data(editor_client.get(change_url(book)), "book_form")
    data["isbn"] = "12345"
    data["parts-0-title"] = ""
    response = editor_client.post(change_url(book), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please correct the errors below." in html
    assert "check digit does not match" in html
    assert "This field is required." in html
    book.refresh_from_db()
    assert book.isbn == ""


def test_two_featured_related_links_get_a_clear_message(editor_client):
    book = build_summary()
    data = form_data(editor_client.get(change_url(book)), "book_form")
    data["related_links-1-featured"] = "on"
    response = editor_client.post(change_url(book), data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for book" in response.content.decode() or (
        "Only one related link per summary can be featured." in response.content.decode()
    )


def test_author_autocomplete_answers_editors(editor_client):
    AuthorFactory(name="Maarten Grootendorst")
    response = editor_client.get(
        "/admin/autocomplete/",
        {"term": "groot", "app_label": "books", "model_name": "bookauthor", "field_name": "author"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Maarten Grootendorst"]


def test_book_list_filters_by_status_and_searches_authors(editor_client):
    BookFactory(title="Published one")
    BookFactory(title="Draft one", draft=True)
    html = editor_client.get("/admin/books/book/", {"status__exact": "draft"}).content.decode()
    assert "Draft one" in html and "Published one" not in html
