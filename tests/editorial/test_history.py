"""History: every save of a whole summary is recorded, compared, and restored in one click."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from reversion.models import Version

from books.models import Author, Book, Chapter, Part
from reviews.models import RelatedLink, Takeaway
from tests.admin_forms import form_data
from tests.factories import AuthorFactory, BookFactory, build_summary, record_revision

pytestmark = pytest.mark.django_db


def change_url(book, suffix=""):
    return f"/admin/books/book/{book.pk}/{suffix}"


def edit(client, book, **changes):
    """Open the change page, change some fields and save, as an editor would."""
    data = form_data(client.get(change_url(book, "change/")), "book_form")
    data.update(changes)
    response = client.post(change_url(book, "change/"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    return response


def chapters_of(book):
    return list(
        Chapter.objects.filter(part__book=book)
        .order_by("part__position", "position")
        .values_list("title", flat=True)
    )


def versions(book):
    return list(Version.objects.get_for_object(book).select_related("revision__user"))


def test_importing_a_summary_records_a_revision(demo_book):
    (version,) = versions(demo_book)
    assert version.revision.comment == "Imported from hands-on-large-language-models.json."
    models = {v.content_type.model for v in version.revision.version_set.all()}
    assert {"book", "bookauthor", "section", "part", "chapter", "audienceitem", "taggeditem",
            "review", "takeaway", "relatedlink"} <= models  # fmt: skip


def test_an_admin_save_records_the_whole_summary_with_who_and_when(editor_client, demo_book):
    edit(
        editor_client,
        demo_book,
        **{
            "title": "Hands-On LLMs (2nd printing)",
            "parts-0-chapters-2-title": "Inside the transformer, revisited",
            "review-0-takeaways-0-text": "A changed takeaway.",
            "tags": "llm, transformers",
        },
    )
    latest = versions(demo_book)[0]
    assert latest.revision.user.username == "ed"
    assert "Changed" in latest.revision.get_comment()
    stored = {(v.content_type.model, v.object_repr) for v in latest.revision.version_set.all()}
    assert ("book", "Hands-On LLMs (2nd printing)") in stored
    assert ("chapter", "Inside the transformer, revisited") in stored
    assert ("takeaway", "LLM internals") in stored
    assert len([model for model, _ in stored if model == "chapter"]) == 12
    assert len([model for model, _ in stored if model == "taggeditem"]) == 2


def test_the_history_page_lists_versions_and_offers_compare_and_restore(editor_client, demo_book):
    edit(editor_client, demo_book, title="A new title")
    response = editor_client.get(change_url(demo_book, "history/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Imported from hands-on-large-language-models.json." in html
    assert "Changed Title." in html
    assert ">ed<" in html
    assert html.count("Restore this version") == 1
    assert "Compare the chosen versions" in html


def test_compare_shows_what_changed_between_two_versions(editor_client, demo_book):
    edit(
        editor_client,
        demo_book,
        **{"title": "A new title", "parts-1-chapters-0-summary": "Rewritten chapter summary."},
    )
    old, new = versions(demo_book)[1], versions(demo_book)[0]
    response = editor_client.get(
        change_url(demo_book, "history/compare/"), {"from": old.pk, "to": new.pk}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Title: <del>Hands-On Large Language Models</del>" in html
    assert "Title: <ins>A new title</ins>" in html
    assert "Chapter 2.1: Text classification" in html
    assert "Rewritten chapter summary." in html
    assert 'class="diff-removed"' in html and 'class="diff-added"' in html
    # untouched parts of the summary are not listed
    assert "Fine-tuning generative models" not in html


def test_compare_with_bad_parameters_explains_instead_of_failing(editor_client, demo_book):
    for params in ({}, {"from": "abc"}, {"from": "9" * 40}, {"from": "-1", "to": "x"}):
        response = editor_client.get(change_url(demo_book, "history/compare/"), params)
        assert response.status_code == 302
    other = BookFactory()
    record_revision(other, comment="Another summary.")
    response = editor_client.get(
        change_url(demo_book, "history/compare/"),
        {"from": versions(other)[0].pk},
        follow=True,
    )
    assert "Choose a version to compare." in response.content.decode()


def test_restore_puts_back_the_whole_summary_in_one_click(editor_client, demo_book):
    before = json.loads(export(demo_book))
    chapters_before = chapters_of(demo_book)
    data_changes = {
        "title": "Vandalised",
        "parts-0-chapters-0-title": "Wrong chapter",
        "parts-1-chapters-0-position": "2",
        "parts-1-chapters-1-position": "1",
        "parts-2-chapters-2-DELETE": "on",
        "review-0-takeaways-1-DELETE": "on",
        "related_links-0-featured": "",
        "tags": "wrong",
        "audience-0-text": "Nobody",
    }
    edit(editor_client, demo_book, **data_changes)
    assert chapters_of(demo_book) != chapters_before
    imported = versions(demo_book)[-1]

    response = editor_client.post(change_url(demo_book, f"history/{imported.pk}/restore/"))

    assert response.status_code == 302
    assert response.headers["Location"] == change_url(demo_book, "change/")
    assert chapters_of(demo_book) == chapters_before
    after = json.loads(export(demo_book))
    assert after == before
    restored = Book.objects.get(pk=demo_book.pk)
    assert restored.title == "Hands-On Large Language Models"
    assert restored.version == 3
    latest = versions(demo_book)[0].revision
    assert latest.comment.startswith("Restored the version saved on")
    assert latest.user.username == "ed"
    page = editor_client.get(change_url(demo_book, "change/")).content.decode()
    assert "The restore is in the history too" in page


def test_a_restore_can_itself_be_undone(editor_client, demo_book):
    edit(editor_client, demo_book, title="Second title")
    imported = versions(demo_book)[-1]
    editor_client.post(change_url(demo_book, f"history/{imported.pk}/restore/"))
    second = next(v for v in versions(demo_book) if v.object_repr == "Second title")
    editor_client.post(change_url(demo_book, f"history/{second.pk}/restore/"))
    assert Book.objects.get(pk=demo_book.pk).title == "Second title"
    assert len(versions(demo_book)) == 4


def test_restore_brings_back_a_deleted_review_and_removes_added_rows(editor_client):
    book = build_summary(parts=1, chapters_per_part=2)
    with_review = edit(editor_client, book, title="Reviewed") and versions(book)[0]
    data = form_data(editor_client.get(change_url(book, "change/")), "book_form")
    data.update({"review-0-DELETE": "on", "parts-TOTAL_FORMS": "2", "parts-1-title": "Extra part",
                 "parts-1-position": "2", "parts-1-chapters-TOTAL_FORMS": "0",
                 "parts-1-chapters-INITIAL_FORMS": "0"})  # fmt: skip
    assert editor_client.post(change_url(book, "change/"), data).status_code == 302
    assert not Takeaway.objects.filter(review__book=book).exists()
    assert Part.objects.filter(book=book).count() == 2

    editor_client.post(change_url(book, f"history/{with_review.pk}/restore/"))

    assert Takeaway.objects.filter(review__book=book).count() == 3
    assert list(Part.objects.filter(book=book).values_list("position", flat=True)) == [1]


def test_restore_refuses_clearly_when_an_author_was_deleted_since(editor_client):
    book = build_summary(authors=1)
    gone = book.ordered_authors[0]
    edit(editor_client, book, title="Recorded")
    recorded = versions(book)[0]
    replacement = AuthorFactory(name="Someone else")
    edit(editor_client, book, **{"book_authors-0-author": str(replacement.pk)})
    Author.objects.filter(pk=gone.pk).delete()

    response = editor_client.post(change_url(book, f"history/{recorded.pk}/restore/"), follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "cannot be restored: it refers to 1 author deleted since" in html
    assert Book.objects.get(pk=book.pk).ordered_authors == [replacement]


def test_restore_only_answers_a_post_from_an_editor(editor_client, demo_book):
    version = versions(demo_book)[0]
    url = change_url(demo_book, f"history/{version.pk}/restore/")
    assert editor_client.get(url).status_code == 302
    assert Client().post(url).status_code == 302  # to the login page
    assert len(versions(demo_book)) == 1


def test_a_deleted_summary_can_be_recovered(editor_client, demo_book):
    chapters = chapters_of(demo_book)
    pk = demo_book.pk
    response = editor_client.post(change_url(demo_book, "delete/"), {"post": "yes"})
    assert response.status_code == 302
    assert not Book.objects.filter(pk=pk).exists()

    recover_list = editor_client.get("/admin/books/book/recover/").content.decode()
    assert "Hands-On Large Language Models" in recover_list
    version_id = re.search(r"/admin/books/book/recover/(\d+)/", recover_list).group(1)
    confirm = editor_client.get(f"/admin/books/book/recover/{version_id}/")
    assert "Recover this summary" in confirm.content.decode()
    editor_client.post(f"/admin/books/book/recover/{version_id}/")

    book = Book.objects.get(pk=pk)
    assert chapters_of(book) == chapters
    assert RelatedLink.objects.filter(book=book).count() == 6


def test_editing_the_review_on_its_own_page_is_part_of_the_summary_history(editor_client):
    book = build_summary()
    version = book.version
    url = f"/admin/reviews/review/{book.review.pk}/change/"
    data = form_data(editor_client.get(url), "review_form")
    data["reviewer"] = "A new reviewer"
    assert editor_client.post(url, data).status_code == 302
    book.refresh_from_db()
    assert book.version == version + 1
    assert "Review edited" in versions(book)[0].revision.comment


def export(book):
    out = io.StringIO()
    call_command("export_summaries", "--slug", book.slug, stdout=out)
    return out.getvalue()
