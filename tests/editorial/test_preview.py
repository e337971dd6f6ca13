"""Previews: staff see drafts marked as such; a share link opens one draft to anyone, until it
expires or an editor revokes it."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from books.models import ShareLink
from books.preview import share_path
from tests.factories import BookFactory, build_summary

pytestmark = pytest.mark.django_db


def share_link(editor_client, book):
    """The link an editor makes and copies on the admin's “Share preview” page."""
    response = editor_client.post(f"/admin/books/book/{book.pk}/share/", follow=True)
    assert response.status_code == 200
    match = re.search(r'id="share-url"[^>]*value="([^"]+)"', response.content.decode())
    assert match, "no share link on the page"
    url = unescape(match.group(1))
    assert url.startswith("http://testserver/preview/")
    return url.removeprefix("http://testserver")


def assert_private(response):
    cache_control = response.headers["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control


def test_staff_preview_of_a_draft_is_marked_and_never_cached(editor_client):
    book = BookFactory(draft=True, title="Half written")
    response = editor_client.get(book.get_absolute_url())
    html = response.content.decode()
    assert "Draft — not public." in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert_private(response)


def test_staff_preview_of_a_scheduled_summary_says_when(editor_client):
    book = BookFactory(scheduled=True)
    html = editor_client.get(book.get_absolute_url()).content.decode()
    assert "Draft — not public." in html and "it is scheduled for" in html


def test_a_share_link_lets_a_reader_without_an_account_read_the_draft(editor_client):
    book = build_summary(draft=True, title="Secret manuscript")
    reader = Client()
    path = share_link(editor_client, book)

    response = reader.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Secret manuscript" in html
    assert "Draft — not public." in html and "shared this preview with you" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert_private(response)
    # ... and nothing else: the draft's own address, and other drafts, stay closed.
    assert reader.get(book.get_absolute_url()).status_code == 404
    assert reader.get("/admin/books/book/").status_code == 302


def test_a_share_link_opens_only_its_own_summary(editor_client):
    first = BookFactory(draft=True, title="First draft")
    second = BookFactory(draft=True, title="Second draft")
    token = share_link(editor_client, first).split("/")[2]
    reader = Client()
    for guess in (token[:-1] + ("A" if token[-1] != "A" else "B"), str(second.pk), token * 2):
        response = reader.get(f"/preview/{guess}/")
        assert response.status_code == 404
        assert "Second draft" not in response.content.decode()
        assert "does not work any more" in response.content.decode()


def test_editing_the_summary_keeps_its_share_links_working(editor_client):
    book = BookFactory(draft=True, title="Moving target")
    path = share_link(editor_client, book)
    reader = Client()
    assert reader.get(path).status_code == 200

    book.lede = "A typo fixed in the opening."
    book.save()

    response = reader.get(path)
    assert response.status_code == 200
    assert "A typo fixed in the opening." in response.content.decode()


def test_an_editor_revokes_a_share_link_from_the_summary_page(editor_client):
    book = BookFactory(draft=True, title="Moving target")
    path = share_link(editor_client, book)
    change_page = editor_client.get(f"/admin/books/book/{book.pk}/change/").content.decode()
    assert path in change_page
    link = ShareLink.objects.get(book=book)
    revoke_url = f"/admin/books/book/{book.pk}/share/{link.pk}/revoke/"
    assert revoke_url in change_page

    assert editor_client.post(revoke_url).status_code == 302

    response = Client().get(path)
    assert response.status_code == 404
    assert "Moving target" not in response.content.decode()
    assert_private(response)
    assert path not in editor_client.get(f"/admin/books/book/{book.pk}/change/").content.decode()


def test_share_links_expire(editor_client, settings):
    settings.PREVIEW_LINK_MAX_AGE = timedelta(days=7)
    book = BookFactory(draft=True)
    old_path = share_path(book)
    ShareLink.objects.filter(book=book).update(expires_at=timezone.now() - timedelta(days=1))
    assert Client().get(old_path).status_code == 404
    assert Client().get(share_path(book)).status_code == 200


def test_a_share_link_to_a_published_summary_goes_to_its_public_page(editor_client):
    book = BookFactory(draft=True)
    path = share_link(editor_client, book)
    book.status = "published"
    book.save()
    response = Client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == book.get_absolute_url()


def test_the_preview_hides_related_links_to_other_drafts(editor_client):
    book = build_summary(draft=True)
    hidden = BookFactory(draft=True, title="Another unpublished title")
    book.related_links.create(target=hidden, note="a secret neighbour", position=9)
    html = Client().get(share_link(editor_client, book)).content.decode()
    assert "Another unpublished title" not in html
    assert "a secret neighbour" not in html


@pytest.mark.parametrize("token", ["x", "a:b:c", "e30:1tX:abc", "é" * 300, "0" * 5000])
def test_garbage_tokens_get_a_clear_404(client, token):
    response = client.get(f"/preview/{token}/")
    assert response.status_code == 404
    assert "does not work any more" in response.content.decode()


def test_a_nul_character_in_an_address_is_a_404_not_a_crash(client):
    for path in ("/preview/%00/", "/books/%00/", "/books/a%00b/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


def test_only_editors_can_make_share_links(client, django_user_model):
    book = BookFactory(draft=True)
    assert client.get(f"/admin/books/book/{book.pk}/share/").status_code == 302
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    assert client.get(f"/admin/books/book/{book.pk}/share/").status_code == 302
