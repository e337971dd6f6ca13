"""Lost-update protection: two editors open a summary, the first saves, the second is refused."""

import pytest
from django.db import transaction
from django.test import Client

from books.models import Book, Chapter, StaleSummaryError
from reviews.models import Takeaway
from tests.admin_forms import form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def editor_session(username):
    user = UserFactory(username=username, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def change_url(book):
    return f"/admin/books/book/{book.pk}/change/"


def open_form(client, book):
    response = client.get(change_url(book))
    assert response.status_code == 200
    return form_data(response, "book_form")


def test_the_second_save_is_refused_and_shows_what_the_first_editor_changed(demo_book):
    alice, bob = editor_session("alice"), editor_session("bob")
    alices_form, bobs_form = open_form(alice, demo_book), open_form(bob, demo_book)

    alices_form["title"] = "Hands-On LLMs, as Alice sees it"
    alices_form["parts-0-chapters-1-summary"] = "Alice rewrote this chapter summary."
    assert alice.post(change_url(demo_book), alices_form).status_code == 302

    bobs_form["subtitle"] = "Bob's subtitle"
    bobs_form["parts-0-chapters-1-title"] = "Bob's chapter title"
    bobs_form["review-0-takeaways-0-text"] = "Bob's takeaway."
    response = bob.post(change_url(demo_book), bobs_form)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: this summary changed while you were editing it" in html
    assert "Someone else saved this summary after you opened it" in html
    assert "<strong>alice</strong>" in html
    # what Alice changed, as a diff
    assert "Title: Hands-On <ins>LLMs, as Alice sees it</ins>" in html
    assert "<ins>Alice rewrote this chapter summary.</ins>" in html
    # Bob's edits are still in his form, for him to copy
    assert "Bob&#x27;s chapter title" in html
    # and nothing of Alice's work was overwritten
    book = Book.objects.get(pk=demo_book.pk)
    assert book.title == "Hands-On LLMs, as Alice sees it"
    assert book.subtitle == "Language Understanding and Generation"
    chapter = Chapter.objects.get(part__book=book, part__position=1, position=2)
    assert chapter.title == "Tokenization and embeddings"
    assert chapter.summary == "Alice rewrote this chapter summary."
    assert Takeaway.objects.get(review__book=book, position=1).text != "Bob's takeaway."


def test_after_reopening_the_second_editor_can_save(demo_book):
    alice, bob = editor_session("alice"), editor_session("bob")
    stale = open_form(bob, demo_book)
    alices_form = open_form(alice, demo_book)
    alices_form["title"] = "Alice's title"
    alice.post(change_url(demo_book), alices_form)
    assert bob.post(change_url(demo_book), stale).status_code == 200

    fresh = open_form(bob, demo_book)
    fresh["subtitle"] = "Bob's subtitle"
    assert bob.post(change_url(demo_book), fresh).status_code == 302
    book = Book.objects.get(pk=demo_book.pk)
    assert (book.title, book.subtitle) == ("Alice's title", "Bob's subtitle")


def test_resubmitting_the_refused_form_is_refused_again(demo_book):
    alice, bob = editor_session("alice"), editor_session("bob")
    bobs_form = open_form(bob, demo_book)
    alices_form = open_form(alice, demo_book)
    alices_form["title"] = "Alice's title"
    alice.post(change_url(demo_book), alices_form)
    bobs_form["title"] = "Bob's title"

    refused = bob.post(change_url(demo_book), bobs_form)
    again = form_data(refused, "book_form")
    assert bob.post(change_url(demo_book), again).status_code == 200
    assert Book.objects.get(pk=demo_book.pk).title == "Alice's title"


def test_a_publish_action_in_between_also_counts(demo_book):
    alice, bob = editor_session("alice"), editor_session("bob")
    bobs_form = open_form(bob, demo_book)
    alice.post(
        "/admin/books/book/",
        {"action": "unpublish", "_selected_action": [str(demo_book.pk)]},
    )
    bobs_form["lede"] = "Bob's lede."
    response = bob.post(change_url(demo_book), bobs_form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Status: <del>Published</del>" in html and "Status: <ins>Draft</ins>" in html
    assert Book.objects.get(pk=demo_book.pk).status == "draft"


def test_a_form_without_its_version_is_refused(demo_book):
    alice = editor_session("alice")
    data = open_form(alice, demo_book)
    del data["loaded_version"]
    data["title"] = "No version"
    assert alice.post(change_url(demo_book), data).status_code == 200
    assert Book.objects.get(pk=demo_book.pk).title != "No version"


def test_saving_a_stale_copy_in_code_is_refused_too():
    from tests.factories import BookFactory

    book = BookFactory(title="Original")
    first, second = Book.objects.get(pk=book.pk), Book.objects.get(pk=book.pk)
    first.title = "First"
    first.save()
    second.title = "Second"
    with pytest.raises(StaleSummaryError), transaction.atomic():
        second.save()
    assert Book.objects.get(pk=book.pk).title == "First"
    assert Book.objects.get(pk=book.pk).version == book.version + 1


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_cannot_both_win():
    """The version check locks the row: the later of two concurrent saves waits, then is refused."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections; the SQLite test database is one in-memory file")
    from tests.factories import BookFactory

    book = BookFactory(title="Contested")
    first_locked, results = threading.Event(), {}

    def save(name, title, hold):
        copy = Book.objects.get(pk=book.pk)
        copy.title = title
        try:
            with transaction.atomic():
                copy.save()
                if hold:
                    first_locked.set()
                    threading.Event().wait(0.5)  # keep the row locked for a moment
            results[name] = "saved"
        except StaleSummaryError:
            results[name] = "refused"
        finally:
            connections.close_all()

    first = threading.Thread(target=save, args=("first", "First wins", True))
    first.start()
    first_locked.wait(5)
    second = threading.Thread(target=save, args=("second", "Second loses", False))
    second.start()
    first.join(10)
    second.join(10)

    assert results == {"first": "saved", "second": "refused"}
    assert Book.objects.get(pk=book.pk).title == "First wins"
