"""Always fresh: after any commit that changes a summary, search shows the change."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from taggit.models import Tag

import books.search
import books.search.core
from books.changes import mark, summaries_changed
from books.models import Book, Chapter, Status
from books.search import search
from books.summaries import SummaryFileError, import_file
from reviews.models import RelatedLink, Review, Takeaway
from tests.admin_forms import form_data
from tests.factories import BookFactory, build_summary

pytestmark = pytest.mark.django_db


def found(query):
    return [hit.slug for hit in search(query).hits]


@pytest.fixture
def summary(indexed):
    with indexed():
        return build_summary(title="Freshness guide", tags=["alpha"])


@pytest.fixture
def sent(indexed):
    """Every ``summaries_changed`` signal sent, as sets of book ids."""
    calls = []

    def listener(sender, book_ids, **kwargs):
        calls.append(set(book_ids))

    summaries_changed.connect(listener)
    yield calls
    summaries_changed.disconnect(listener)


def test_book_fields(summary, indexed):
    with indexed():
        summary.lede = "Now about xylophones."
        summary.save()
    assert found("xylophones") == [summary.slug]


def test_one_signal_per_transaction_with_every_affected_book(summary, indexed, sent):
    other = BookFactory(title="Other")
    with indexed():
        summary.title = "Renamed guide"
        summary.save()
        Chapter.objects.filter(part__book=summary).first().save()
        other.save()
    assert sent == [{summary.pk, other.pk}]


def test_chapters_parts_sections_audience(summary, indexed):
    chapter = Chapter.objects.filter(part__book=summary).first()
    with indexed():
        chapter.summary = "Quaternions explained."
        chapter.save()
        part = summary.parts.first()
        part.title = "Marsupials"
        part.save()
        section = summary.sections.first()
        section.body = "Hyperboloids."
        section.save()
        item = summary.audience.first()
        item.text = "Lighthouse keepers"
        item.save()
    for word in ("quaternions", "marsupials", "hyperboloids", "lighthouse"):
        assert found(word) == [summary.slug], word

    with indexed():
        chapter.delete()
    assert found("quaternions") == []


def test_tags_added_removed_and_renamed(summary, indexed):
    with indexed():
        summary.tags.add("Zeppelins")
    assert found("zeppelins") == [summary.slug]
    with indexed():
        tag = Tag.objects.get(name="Zeppelins")
        tag.name = "Airships"
        tag.save()
    assert found("airships") == [summary.slug]
    assert found("zeppelins") == []
    with indexed():
        summary.tags.remove(tag)
    assert found("airships") == []
    with indexed():
        summary.tags.clear()
    assert found("alpha") == []


def test_review_and_takeaways(summary, indexed):
    review = Review.objects.get(book=summary)
    with indexed():
        review.body = "Magnificent trilobites."
        review.save()
        takeaway = Takeaway.objects.filter(review=review).first()
        takeaway.text = "Remember the ammonites."
        takeaway.save()
    assert found("trilobites") == [summary.slug]
    assert found("ammonites") == [summary.slug]
    with indexed():
        takeaway.delete()
    assert found("ammonites") == []
    with indexed():
        review.delete()
    assert found("trilobites") == []


def test_publish_unpublish_schedule_and_delete(summary, indexed):
    with indexed():
        summary.status = Status.DRAFT
        summary.save()
    assert found("freshness") == []
    with indexed():
        summary.status = Status.PUBLISHED
        summary.published_at = timezone.now() + timedelta(hours=1)
        summary.save()
    assert found("freshness") == []
    with indexed():
        summary.published_at = timezone.now() - timedelta(minutes=1)
        summary.save()
    assert found("freshness") == [summary.slug]
    with indexed():
        summary.delete()
    assert found("freshness") == []
    assert summary.pk not in books.search.get_backend().entries()


def test_author_rename_reindexes_all_their_books_and_links_to_them(indexed):
    with indexed():
        first = build_summary(title="First")
        second = BookFactory(title="Second")
        author = first.book_authors.first().author
        second.book_authors.create(author=author, position=1)
        linking = BookFactory(title="Linking")
        RelatedLink.objects.create(book=linking, target=first, note="Next.", position=1)
    with indexed():
        author.name = "Wilhelmina Quasimodo"
        author.save()
    assert set(found("Quasimodo")) == {first.slug, second.slug, linking.slug}
    assert found("Quasimodo")[:2] != [linking.slug]  # authors outrank a related link


def test_renamed_target_shows_in_the_linking_summary(indexed):
    with indexed():
        target = BookFactory(title="Target")
        linking = BookFactory(title="Linking")
        RelatedLink.objects.create(book=linking, target=target, note="Next.", position=1)
    with indexed():
        target.title = "Pomegranates"
        target.save()
    assert set(found("pomegranates")) == {target.slug, linking.slug}
    with indexed():
        target.status = Status.DRAFT
        target.save()
    assert found("pomegranates") == []


def test_writes_without_signals_are_indexed_once_marked(summary, indexed):
    with indexed():
        Book.objects.filter(pk=summary.pk).update(lede="Bypassed the signals: obelisks.")
    assert found("obelisks") == []
    with indexed():
        mark([summary.pk])  # what bulk writers do
    assert found("obelisks") == [summary.slug]


def test_an_import_is_indexed_after_its_commit_like_any_other_write(
    indexed, tmp_path, sent, monkeypatch
):
    loaded = []
    original = books.search.core.load_documents
    monkeypatch.setattr(
        books.search.core, "load_documents", lambda ids: loaded.append(list(ids)) or original(ids)
    )
    path = tmp_path / "five.json"
    path.write_text(
        json.dumps(
            [
                {"title": f"Imported {n}", "lede": "Periwinkles.", "status": "published"}
                for n in range(5)
            ]
        )
    )
    with indexed():
        import_file(path)
    assert len(found("periwinkles")) == 5
    assert len(sent) == 1 and len(sent[0]) == 5  # one signal for the whole file
    # The index read the five summaries once, together, after the commit.
    assert [sorted(ids) for ids in loaded] == [sorted(sent[0])]


def test_a_failed_import_leaves_search_as_the_rest_of_the_transaction_left_it(
    summary, indexed, tmp_path
):
    path = tmp_path / "broken.json"
    path.write_text(
        json.dumps(
            [
                {"title": "Freshness guide", "slug": summary.slug, "lede": "Now about narwhals."},
                {"title": "Second", "related": [{"slug": "nowhere", "note": "Missing."}]},
            ]
        )
    )
    with indexed():
        summary.lede = "Edited first: walruses."
        summary.save()
        # One summary per batch: the first is indexed before the second fails.
        with pytest.raises(SummaryFileError):
            import_file(path, batch_size=1)
    assert found("narwhals") == []
    assert found("walruses") == [summary.slug]


def test_admin_inline_edit_is_searchable(editor_client, demo_library, indexed):
    url = f"/admin/books/book/{demo_library.pk}/change/"
    data = form_data(editor_client.get(url), "book_form")
    data["parts-0-chapters-2-summary"] = "Now explains speculative decoding too."
    data["review-0-takeaways-0-text"] = "Mentions flamingos."
    data["_continue"] = "Save and continue editing"
    with indexed():
        response = editor_client.post(url, data)
    assert response.status_code == 302
    hit = search("speculative decoding").hits[0]
    assert hit.passages[0].anchor == "chapter-1-3"
    assert found("flamingos") == [demo_library.slug]


def test_a_rolled_back_change_never_reaches_search(summary, indexed):
    from django.db import transaction

    with indexed():
        try:
            with transaction.atomic():
                summary.lede = "Rolled back: narwhals."
                summary.save()
                raise RuntimeError
        except RuntimeError:
            pass
    assert found("narwhals") == []
    assert found("freshness") == [summary.slug]
