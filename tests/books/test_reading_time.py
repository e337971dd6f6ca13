"""Reading time stays right whichever way a summary's text changes."""

import json

import pytest

from books.models import Book, Chapter
from books.reading import count_words, reading_minutes
from books.summaries import import_file, load_summary, summary_books, summary_cards
from tests.admin_forms import form_data
from tests.factories import build_summary

pytestmark = pytest.mark.django_db


def words_of(book):
    return summary_cards(Book.objects.filter(pk=book.pk)).get().reading_words


def test_words_are_counted_in_text_not_markup():
    assert (
        count_words("<p>Two <a href='https://a.example/b-c'>words</a></p>", "it's well-known") == 4
    )
    assert count_words("", None) == 0
    assert reading_minutes(0) == 1
    assert reading_minutes(230) == 1
    assert reading_minutes(231) == 2


def test_inline_chapter_edits_in_the_admin_change_the_reading_time(editor_client):
    book = build_summary(parts=1, chapters_per_part=2)
    before = words_of(book)
    data = form_data(editor_client.get(f"/admin/books/book/{book.pk}/change/"), "book_form")
    old_summary = data["parts-0-chapters-0-summary"]
    data["parts-0-chapters-0-summary"] = old_summary + " three more words"
    data["parts-0-chapters-1-DELETE"] = "on"
    removed = Chapter.objects.get(part__book=book, position=2).word_count
    response = editor_client.post(f"/admin/books/book/{book.pk}/change/", data)
    assert response.status_code == 302
    assert words_of(book) == before + 3 - removed


def test_imported_summaries_have_their_reading_time(tmp_path):
    chapter_text = "word " * 500
    path = tmp_path / "summary.json"
    path.write_text(json.dumps({
        "slug": "imported", "title": "Imported", "status": "published",
        "parts": [{"title": "Only part", "chapters": [{"title": "Long chapter", "summary": chapter_text}]}],
        "review": {"reviewer": "R", "source": "S", "takeaways": [{"title": "T", "text": "one two"}]},
    }))  # fmt: skip
    import_file(path)
    book = Book.objects.get(slug="imported")
    # title, part title, chapter title and text, the takeaway
    assert words_of(book) == 1 + 2 + 2 + 500 + 3
    assert Chapter.objects.get(part__book=book).word_count == 502

    path.write_text(path.read_text().replace(chapter_text, "short"))
    import_file(path)
    assert words_of(book) == 1 + 2 + 2 + 1 + 3


def test_list_cards_show_reading_time_without_loading_chapters(client, django_assert_num_queries):
    build_summary(parts=2, chapters_per_part=30)
    with django_assert_num_queries(6) as queries:  # 5, and the page cache's version read
        html = client.get("/books/").content.decode()
    assert "min read" in html
    assert not any('"books_chapter"."summary' in query["sql"] for query in queries.captured_queries)


def test_the_stored_total_is_the_sum_of_every_row_of_the_summary():
    book = build_summary(parts=2, chapters_per_part=3)
    page = load_summary(summary_books(Book.objects.all()).get(pk=book.pk))
    counted = [row.word_count for row in page.rows() if hasattr(row, "word_count")]
    assert len(counted) > 10
    assert page.book.reading_words == words_of(book) == sum(counted) > 0
