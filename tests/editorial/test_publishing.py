"""Publishing: drafts, scheduled summaries that appear on time with no cron job, admin actions."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from books.models import Book, Status
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/books/book/"


def later(monkeypatch, delta):
    """Move the clock forward: what a reader sees depends only on the current time."""
    moved = timezone.now() + delta
    monkeypatch.setattr(timezone, "now", lambda: moved)


def test_a_scheduled_summary_appears_when_its_time_comes(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # saved: the page cache hears of it
        book = BookFactory(
            title="Tomorrow's summary", published_at=timezone.now() + timedelta(hours=2)
        )
    assert client.get(book.get_absolute_url()).status_code == 404
    assert "Tomorrow&#x27;s summary" not in client.get("/").content.decode()

    later(monkeypatch, timedelta(hours=3))

    assert client.get(book.get_absolute_url()).status_code == 200
    assert "Tomorrow&#x27;s summary" in client.get("/").content.decode()
    assert list(Book.objects.published()) == [book]


def test_a_draft_with_a_past_date_stays_hidden(client):
    book = BookFactory(status=Status.DRAFT, published_at=timezone.now() - timedelta(days=3))
    assert client.get(book.get_absolute_url()).status_code == 404
    assert not Book.objects.published().exists()


def test_the_list_shows_status_date_and_whether_scheduled(editor_client):
    BookFactory(title="Live one", published_at=timezone.now() - timedelta(days=1))
    soon = BookFactory(title="Coming soon", published_at=timezone.now() + timedelta(days=2))
    BookFactory(title="Rough draft", draft=True)
    html = editor_client.get(CHANGELIST).content.decode()
    assert "Scheduled for " + timezone.localtime(soon.published_at).strftime("%Y-%m-%d") in html
    for text in ("Live one", "Coming soon", "Rough draft", "Published", "Draft", "Publication"):
        assert text in html


@pytest.mark.parametrize(
    ("visibility", "shown", "hidden"),
    [
        ("public", "Live one", ["Coming soon", "Rough draft"]),
        ("scheduled", "Coming soon", ["Live one", "Rough draft"]),
        ("draft", "Rough draft", ["Live one", "Coming soon"]),
    ],
)
def test_the_list_filters_by_visibility(editor_client, visibility, shown, hidden):
    BookFactory(title="Live one")
    BookFactory(title="Coming soon", scheduled=True)
    BookFactory(title="Rough draft", draft=True)
    html = editor_client.get(CHANGELIST, {"visibility": visibility}).content.decode()
    assert shown in html
    assert not [title for title in hidden if title in html]


def run_action(client, action, books):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(book.pk) for book in books]},
        follow=True,
    )


def test_publish_action_publishes_drafts_now_and_keeps_a_future_date(editor_client):
    reader = Client()
    draft = BookFactory(title="Ready now", draft=True)
    future = timezone.now() + timedelta(days=5)
    scheduled = BookFactory(title="Ready later", status=Status.DRAFT, published_at=future)

    response = run_action(editor_client, "publish", [draft, scheduled])

    html = response.content.decode()
    assert "1 summary published: readers see it now" in html
    assert "1 summary scheduled: it appears at its publication date" in html
    draft.refresh_from_db()
    scheduled.refresh_from_db()
    assert draft.status == scheduled.status == Status.PUBLISHED
    assert draft.is_public and reader.get(draft.get_absolute_url()).status_code == 200
    assert scheduled.published_at == future
    assert reader.get(scheduled.get_absolute_url()).status_code == 404
    revision = Version.objects.get_for_object(draft).first().revision
    assert revision.user.username == "ed"
    assert "Published" in revision.comment


def test_unpublish_action_hides_summaries_again(editor_client, django_capture_on_commit_callbacks):
    reader = Client()
    book = BookFactory(title="Pulled back")
    assert reader.get(book.get_absolute_url()).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):  # committed: the cached page goes
        response = run_action(editor_client, "unpublish", [book])

    assert "1 summary is a draft again" in response.content.decode()
    book.refresh_from_db()
    assert book.status == Status.DRAFT
    assert reader.get(book.get_absolute_url()).status_code == 404
    assert "Pulled back" not in reader.get("/").content.decode()


def test_actions_count_a_new_version(editor_client):
    book = BookFactory(draft=True)
    version = book.version
    run_action(editor_client, "publish", [book])
    book.refresh_from_db()
    assert book.version == version + 1


def test_each_summary_an_action_changes_gets_its_own_revision(editor_client):
    first, second = BookFactory(draft=True), BookFactory(draft=True)
    run_action(editor_client, "publish", [first, second])
    revisions = {Version.objects.get_for_object(book).get().revision_id for book in (first, second)}
    assert len(revisions) == 2
    for book in (first, second):
        (version,) = Version.objects.get_for_object(book)
        assert {
            v.object_id for v in version.revision.version_set.filter(content_type__model="book")
        } == {str(book.pk)}
