"""The admin says what needs doing: the dashboard on its index, and one completeness checklist
shown on the dashboard, the summary's page (with words per section) and the list."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from PIL import Image

from books.models import Book, Chapter
from books.summaries import writing
from books.summaries.completeness import checklist, with_completeness
from tests.factories import BookFactory, UserFactory, build_summary

pytestmark = pytest.mark.django_db


def png():
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(out, "PNG")
    return out.getvalue()


def complete_summary(**fields):
    book = build_summary(**fields)
    Book.objects.filter(pk=book.pk).update(
        cover=default_storage.save("covers/c.png", ContentFile(png()))
    )
    for chapter in Chapter.objects.filter(part__book=book):
        chapter.summary = "What the chapter says."
        chapter.save()
    book.refresh_from_db()
    return book


def checks_of(book):
    return checklist(with_completeness(Book.objects.filter(pk=book.pk)).get())


def missing(book):
    return [check.name for check in checks_of(book).missing]


def test_a_complete_summary_passes_every_check():
    assert checks_of(complete_summary()).complete


@pytest.mark.parametrize(
    ("spoil", "name"),
    [
        (lambda b: Book.objects.filter(pk=b.pk).update(cover=""), "cover"),
        (lambda b: Book.objects.filter(pk=b.pk).update(lede=""), "lede"),
        (
            lambda b: [
                a.author.__class__.objects.filter(pk=a.author_id).update(bio="")
                for a in b.book_authors.all()
            ],
            "author_bio",
        ),
        (
            lambda b: Chapter.objects.filter(part__book=b).filter(position=2).update(summary=""),
            "chapter_summaries",
        ),
        (lambda b: b.review.takeaways.all().delete(), "takeaways"),
        (lambda b: b.tags.clear(), "tags"),
        (lambda b: b.audience.all().delete(), "audience"),
        (lambda b: b.related_links.update(featured=False), "featured_link"),
        (
            lambda b: Chapter.objects.filter(part__book=b, position=1).update(
                summary_html='<p><img src="/media/uploads/x.png" alt=""></p>'
            ),
            "image_alt",
        ),
    ],
)
def test_each_missing_item_is_flagged(spoil, name):
    book = complete_summary()
    spoil(book)
    assert missing(book) == [name]


def test_an_uploaded_image_without_alt_text_is_flagged_until_it_has_some():
    book = complete_summary()
    chapter = Chapter.objects.filter(part__book=book).first()
    chapter.summary = "Look: ![](/media/uploads/abc.png)"
    chapter.save()
    assert missing(book) == ["image_alt"]
    chapter.summary = "Look: ![A diagram of attention heads](/media/uploads/abc.png)"
    chapter.save()
    assert missing(book) == []
    book.description = 'Raw <img src="/media/uploads/raw.png"> too'
    book.save()
    assert missing(book) == ["image_alt"]


def test_the_summary_page_shows_the_checklist_and_words_per_section(editor_client):
    book = build_summary(title="A short one", parts=1, chapters_per_part=2)
    html = editor_client.get(f"/admin/books/book/{book.pk}/change/").content.decode()
    checklist_html = html.split('id="checklist"')[1].split("</section>")[0]
    assert "A cover" in checklist_html and "(missing)" in checklist_html
    assert "Words per section" in html
    part = book.parts.get()
    words = part.word_count + sum(c.word_count for c in part.chapters.all())
    assert re.search(rf"Part: {re.escape(part.title)}</th><td>{words}</td>", html)


def test_the_list_has_a_completeness_column_and_filter(editor_client):
    done = complete_summary(title="All there")
    BookFactory(title="Bare bones")
    html = editor_client.get("/admin/books/book/").content.decode()
    assert "✓ Complete" in html and "missing: A cover" in html
    html = editor_client.get("/admin/books/book/", {"completeness": "incomplete"}).content.decode()
    assert "Bare bones" in html and done.title not in html
    html = editor_client.get("/admin/books/book/", {"completeness": "complete"}).content.decode()
    assert "Bare bones" not in html and done.title in html


def test_the_dashboard_says_what_needs_doing(editor, editor_client):
    mine = BookFactory(title="My own draft", draft=True)
    with writing(user=editor) as write:
        write.save([mine])
    BookFactory(title="Someone else's draft", draft=True)
    later = timezone.now() + timedelta(days=3)
    BookFactory(title="Coming next week", published_at=later)
    other = UserFactory(username="olga", is_staff=True)
    changed = complete_summary(title="Changed by Olga")
    with writing(user=other, comment="Fixed a typo.") as write:
        write.save([changed])

    html = editor_client.get("/admin/").content.decode()
    dashboard = html.split('id="dashboard"')[1]

    drafts = dashboard.split('id="dash-drafts"')[1].split("</section>")[0]
    assert "My own draft" in drafts and "Someone else" not in drafts
    scheduled = dashboard.split('id="dash-scheduled"')[1].split("</section>")[0]
    assert "Coming next week" in scheduled
    assert timezone.localtime(later).strftime("%-d %b %Y") in scheduled
    recent = dashboard.split('id="dash-changes"')[1].split("</section>")[0]
    assert "Changed by Olga" in recent and "olga" in recent and "My own draft" not in recent
    unfinished = dashboard.split('id="dash-incomplete"')[1].split("</section>")[0]
    assert "My own draft" in unfinished and "missing: a cover" in unfinished
    assert "Changed by Olga" not in unfinished


def test_the_dashboard_and_the_list_filter_agree(editor_client):
    complete_summary(title="All there")
    for n in range(3):
        BookFactory(title=f"Bare {n}")
    dashboard = editor_client.get("/admin/").content.decode()
    listed = editor_client.get("/admin/books/book/", {"completeness": "incomplete"})
    count = listed.context["cl"].result_count
    assert count >= 3
    assert f"All {count} summaries with something missing" in dashboard


def test_readers_never_see_the_dashboard():
    assert Client().get("/admin/").status_code == 302
