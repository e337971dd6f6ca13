"""The editing page's workflow: publishing buttons, scheduled unpublishing, SEO fields, covers,
who else is editing, and the small traps (the related picker, the delete page, the lock-out)."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from books.models import Book, Status
from tests.admin_forms import form_data
from tests.factories import BookFactory, UserFactory, build_summary

pytestmark = pytest.mark.django_db


def change_url(book, suffix="change/"):
    return f"/admin/books/book/{book.pk}/{suffix}"


def page_data(client, book, **changes):
    data = form_data(client.get(change_url(book)), "book_form")
    data.update(changes)
    return data


# --- Save draft / Publish now / Schedule… -----------------------------------------------------


def test_the_summary_page_offers_save_draft_publish_now_and_schedule(editor_client):
    book = BookFactory(draft=True)
    html = editor_client.get(change_url(book)).content.decode()
    assert 'name="_save_draft"' in html and "Save draft" in html
    assert 'name="_publish_now"' in html and "Publish now" in html
    assert "Schedule…" in html and 'name="_schedule"' in html


def test_save_draft_keeps_a_draft_hidden(editor_client):
    book = BookFactory(draft=True)
    response = editor_client.post(change_url(book), page_data(editor_client, book, lede="Hook.",
                                                              _save_draft="1"))  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == change_url(book)
    book.refresh_from_db()
    assert book.lede == "Hook." and book.status == Status.DRAFT and not book.is_public


def test_publish_now_makes_it_public_at_once(editor_client):
    book = BookFactory(draft=True)
    before = timezone.now()
    editor_client.post(change_url(book), page_data(editor_client, book, _publish_now="1"))
    book.refresh_from_db()
    assert book.is_public and before <= book.published_at <= timezone.now()
    assert Client().get(book.get_absolute_url()).status_code == 200


def test_schedule_needs_a_future_time_and_then_publishes_then(editor_client):
    book = BookFactory(draft=True)
    past = timezone.localtime(timezone.now() - timedelta(hours=1))
    response = editor_client.post(
        change_url(book),
        page_data(editor_client, book, _schedule="1", schedule_at=f"{past:%Y-%m-%dT%H:%M}"),
    )
    assert response.status_code == 200
    assert "Choose a time in the future" in response.content.decode()
    when = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    response = editor_client.post(
        change_url(book),
        page_data(editor_client, book, _schedule="1", schedule_at=f"{when:%Y-%m-%dT%H:%M}"),
    )
    assert response.status_code == 302
    book.refresh_from_db()
    assert book.is_scheduled and book.published_at == when
    assert Client().get(book.get_absolute_url()).status_code == 404


def test_published_with_an_empty_date_means_now(editor_client):
    book = BookFactory(draft=True)
    data = page_data(editor_client, book, status="published", published_at_0="", published_at_1="")
    data["_continue"] = "1"
    response = editor_client.post(change_url(book), data)
    assert response.status_code == 302
    book.refresh_from_db()
    assert book.is_public


# --- Scheduled unpublishing --------------------------------------------------------------------


def test_an_unpublish_time_hides_the_summary_when_it_comes(editor_client, monkeypatch):
    book = build_summary(title="An offer that ends")
    ends = timezone.localtime(timezone.now() + timedelta(minutes=5)).replace(microsecond=0)
    data = page_data(
        editor_client,
        book,
        unpublish_at_0=f"{ends:%Y-%m-%d}",
        unpublish_at_1=f"{ends:%H:%M:%S}",
        _continue="1",
    )
    assert editor_client.post(change_url(book), data).status_code == 302
    assert Book.objects.published().filter(pk=book.pk).exists()

    moment = ends + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: moment)  # no save, no job: just the clock

    assert not Book.objects.published().filter(pk=book.pk).exists()
    book.refresh_from_db()
    assert not book.is_public and book.is_withdrawn


def test_the_list_filters_summaries_unpublished_on_schedule(editor_client):
    BookFactory(title="Gone now", unpublish_at=timezone.now() - timedelta(hours=1),
                published_at=timezone.now() - timedelta(days=2))  # fmt: skip
    BookFactory(title="Still here")
    html = editor_client.get("/admin/books/book/", {"visibility": "withdrawn"}).content.decode()
    assert "Gone now" in html and "Still here" not in html
    html = editor_client.get("/admin/books/book/", {"visibility": "public"}).content.decode()
    assert "Gone now" not in html and "Still here" in html


# --- SEO -----------------------------------------------------------------------------------------


def test_seo_title_and_description_override_the_lede(client):
    book = BookFactory(title="A Long Formal Title", lede="The lede.",
                       seo_title="Short title for search", seo_description="Why read it, briefly.")  # fmt: skip
    html = client.get(book.get_absolute_url()).content.decode()
    assert "<title>Short title for search · Book summaries</title>" in html
    assert '<meta name="description" content="Why read it, briefly.">' in html
    assert '<meta property="og:title" content="Short title for search">' in html
    assert '<meta property="og:description" content="Why read it, briefly.">' in html
    plain = BookFactory(title="Plain", lede="Just the lede.")
    html = client.get(plain.get_absolute_url()).content.decode()
    assert "<title>Plain · Book summaries</title>" in html
    assert '<meta name="description" content="Just the lede.">' in html


def test_editors_fill_the_seo_fields_on_the_summary_page(editor_client):
    book = BookFactory()
    editor_client.post(change_url(book), page_data(editor_client, book, seo_title="For search",
                                                   _continue="1"))  # fmt: skip
    book.refresh_from_db()
    assert book.seo_title == "For search"


# --- Covers --------------------------------------------------------------------------------------


def png(size=(8, 8), colour="red"):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def upload_cover(client, book, content, name="cover.png"):
    data = page_data(client, book, _continue="1")
    data["cover"] = SimpleUploadedFile(name, content, content_type="image/png")
    response = client.post(change_url(book), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    book.refresh_from_db()
    return book.cover


def test_a_cover_is_re_encoded_without_what_was_appended(editor_client, media_root):
    book = BookFactory()
    cover = upload_cover(editor_client, book, png() + b"<html><script>alert(1)</script></html>")
    stored = (media_root / cover.name).read_bytes()
    assert b"<script>" not in stored
    assert Image.open(io.BytesIO(stored)).size == (8, 8)


def test_a_replaced_cover_is_deleted(editor_client, media_root, django_capture_on_commit_callbacks):
    book = BookFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = upload_cover(editor_client, book, png(colour="red")).name
    assert (media_root / first).exists()
    with django_capture_on_commit_callbacks(execute=True):
        second = upload_cover(editor_client, book, png(colour="blue")).name
    assert second != first
    assert (media_root / second).exists()
    assert not (media_root / first).exists()


# --- Someone else is editing ----------------------------------------------------------------------


def editor_named(username):
    user = UserFactory(username=username, is_staff=True, first_name=username.title())
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    return client


def test_a_second_editor_sees_that_someone_else_is_editing():
    book = BookFactory()
    anna, boris = editor_named("anna"), editor_named("boris")
    html = anna.get(change_url(book)).content.decode()
    assert re.search(r'id="editing-notice"[^>]*hidden', html)
    html = boris.get(change_url(book)).content.decode()
    assert "Someone else is editing this now" in html and "Anna" in html
    assert not re.search(r'id="editing-notice"[^>]*hidden', html)
    # Anna's page hears about Boris at its next heartbeat; when Boris leaves, the notice goes.
    assert anna.post(change_url(book, "editing/")).json() == {"others": ["Boris"]}
    boris.post(change_url(book, "editing/"), {"leave": "1"})
    assert anna.post(change_url(book, "editing/")).json() == {"others": []}


def test_presence_expires_without_a_heartbeat(settings, monkeypatch):
    import time

    settings.EDITING_HEARTBEAT_SECONDS = 10
    book = BookFactory()
    anna, boris = editor_named("anna"), editor_named("boris")
    anna.get(change_url(book))
    real = time.time()
    monkeypatch.setattr(time, "time", lambda: real + 31)
    assert boris.post(change_url(book, "editing/")).json() == {"others": []}


def test_only_editors_send_heartbeats(client):
    book = BookFactory()
    assert client.post(change_url(book, "editing/")).status_code == 302  # to sign in


# --- Small traps ----------------------------------------------------------------------------------


def test_the_related_picker_does_not_offer_the_summary_itself(editor_client):
    book = BookFactory(title="Designing Data-Intensive Applications")
    other = BookFactory(title="Designing Machine Learning Systems")
    response = editor_client.get(
        "/admin/autocomplete/",
        {"term": "designing", "app_label": "reviews", "model_name": "relatedlink",
         "field_name": "target"},
        headers={"referer": f"http://testserver{change_url(book)}"},
    )  # fmt: skip
    ids = [result["id"] for result in response.json()["results"]]
    assert ids == [str(other.pk)]


def test_the_related_picker_offers_no_delete_button_for_the_other_summary(editor_client):
    book = build_summary()
    html = editor_client.get(change_url(book)).content.decode()
    for row in range(book.related_links.count()):
        assert f'id="delete_id_related_links-{row}-target"' not in html
    assert 'id="delete_id_book_authors-0-author"' not in html


def test_the_delete_page_says_authors_are_kept(editor_client):
    book = build_summary()
    html = editor_client.get(change_url(book, "delete/")).content.decode()
    assert "Its authors stay in the library" in html
    assert "Book authors:" not in html and "<li>Authors:" not in html
    assert "Author credits:" in html


def test_the_lock_out_page_names_the_command_that_lifts_a_lock(settings):
    UserFactory(username="locked", is_staff=True)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": "locked", "password": "wrong"})
    assert response.status_code == 429
    assert "axes_reset" in response.content.decode()
