"""Imports never wipe or churn a live summary: destructive updates need the slug and --replace,
--dry-run says what would change, and an identical file is a true no-op."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation
from django.utils.encoding import iri_to_uri
from reversion.models import Version
from taggit.models import Tag

from books.models import Book, Chapter, Part, Status
from reviews.models import RelatedLink, Review
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db

DEMO_FILE = Path(__file__).resolve().parents[2] / "books" / "demo"
DEMO_FILE = DEMO_FILE / "hands-on-large-language-models.json"


def write(tmp_path, data, name="summaries.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run_import(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        # In the site's language, as from a shell, whatever page a test read before.
        with translation.override(settings.LANGUAGE_CODE):
            call_command("import_summaries", *map(str, args), stdout=out, stderr=err)
    except CommandError:
        return False, out.getvalue() + err.getvalue()
    return True, out.getvalue() + err.getvalue()


def demo_state(book):
    book.refresh_from_db()
    return (
        book.status,
        book.version,
        Part.objects.filter(book=book).count(),
        Chapter.objects.filter(part__book=book).count(),
        Review.objects.filter(book=book).exists(),
        RelatedLink.objects.filter(book=book).count(),
        Version.objects.get_for_object(book).count(),
    )


def test_a_title_alone_does_not_wipe_the_summary_it_names(tmp_path, demo_book):
    before = demo_state(demo_book)
    path = write(tmp_path, {"title": "Hands-On Large Language Models"})

    imported, output = run_import(path)

    assert not imported
    assert demo_state(demo_book) == before
    assert demo_book.is_public
    for removed in ("3 parts", "chapters", "the review", "related links", "unpublish it"):
        assert removed in output, removed
    assert '"slug": "hands-on-large-language-models"' in output and "--replace" in output


def test_a_derived_slug_is_refused_even_with_replace(tmp_path, demo_book):
    before = demo_state(demo_book)
    imported, _ = run_import(write(tmp_path, {"title": "Hands-On Large Language Models"}),
                             "--replace")  # fmt: skip
    assert not imported
    assert demo_state(demo_book) == before


def test_an_explicit_slug_removes_only_with_replace(tmp_path, demo_book):
    data = json.loads(DEMO_FILE.read_text())
    data["parts"] = data["parts"][:1]
    data["related"] = []
    path = write(tmp_path, data)
    before = demo_state(demo_book)

    imported, output = run_import(path)
    assert not imported
    assert "2 parts" in output and "related links" in output and "--replace" in output
    assert demo_state(demo_book) == before

    imported, output = run_import(path, "--replace")
    assert imported, output
    assert Part.objects.filter(book=demo_book).count() == 1
    assert not RelatedLink.objects.filter(book=demo_book).exists()


def test_an_update_that_only_adds_needs_no_replace(tmp_path, demo_book):
    data = json.loads(DEMO_FILE.read_text())
    data["parts"][0]["chapters"].append({"title": "A new chapter", "summary": "More."})
    imported, output = run_import(write(tmp_path, data))
    assert imported, output
    assert Chapter.objects.filter(part__book=demo_book, title="A new chapter").exists()


def test_a_dry_run_says_what_each_summary_would_become_and_writes_nothing(tmp_path, demo_book):
    demo = json.loads(DEMO_FILE.read_text())
    changed = dict(demo, lede="A sharper hook.")
    changed["parts"] = [*demo["parts"], {"title": "An appendix", "chapters": [{"title": "A"}]}]
    new = {"title": "Книга про машинное обучение", "status": "draft"}
    path = write(tmp_path, [changed, new])
    before = demo_state(demo_book)

    imported, output = run_import(path, "--dry-run")

    assert imported, output
    assert "created: книга-про-машинное-обучение" in output
    assert "updated: hands-on-large-language-models (lede changed; 1 part added" in output
    assert "dry run" in output
    assert demo_state(demo_book) == before
    assert not Book.objects.filter(title__startswith="Книга").exists()

    _, output = run_import(write(tmp_path, demo, "same.json"), "--dry-run")
    assert "unchanged: hands-on-large-language-models" in output


def test_a_dry_run_reports_a_destructive_update_as_refused(tmp_path, demo_book):
    imported, output = run_import(write(tmp_path, {"title": "Hands-On Large Language Models"}),
                                  "--dry-run")  # fmt: skip
    assert not imported and "unpublish it" in output


def test_reimporting_an_identical_file_is_a_true_no_op(tmp_path, demo_book, editor_client):
    # An editor has the summary open, and a reader holds a share link to it.
    change_url = f"/admin/books/book/{demo_book.pk}/change/"
    open_form = form_data(editor_client.get(change_url), "book_form")
    Book.objects.filter(pk=demo_book.pk).update(status=Status.DRAFT)
    share = editor_client.post(f"/admin/books/book/{demo_book.pk}/share/", follow=True)
    share_path = share.content.decode().split('id="share-url"')[1].split('value="')[1]
    share_path = "/" + share_path.split('"')[0].split("/", 3)[3]
    Book.objects.filter(pk=demo_book.pk).update(status=Status.PUBLISHED)
    data = json.loads(DEMO_FILE.read_text())
    path = write(tmp_path, data)
    before = demo_state(demo_book)

    imported, output = run_import(path)

    assert imported, output
    assert "0 created, 0 updated, 1 unchanged" in output
    assert demo_state(demo_book) == before  # no new version, no history entry
    # The editor's open page still saves: no conflict.
    open_form["lede"] = "The editor's own change."
    open_form["_continue"] = "1"
    assert editor_client.post(change_url, open_form).status_code == 302
    assert Book.objects.get(pk=demo_book.pk).lede == "The editor's own change."
    Book.objects.filter(pk=demo_book.pk).update(status=Status.DRAFT)
    assert Client().get(share_path).status_code == 200


def test_an_import_whose_cover_is_missing_is_refused(tmp_path, demo_book):
    data = json.loads(DEMO_FILE.read_text())
    data["cover"] = "covers/not-there.jpg"
    imported, output = run_import(write(tmp_path, data))
    assert not imported
    assert "covers/not-there.jpg" in output and "media folder" in output
    demo_book.refresh_from_db()
    assert not demo_book.cover


def test_a_tags_names_in_other_languages_come_in_with_the_file(tmp_path):
    focus = {"name": "Focus", "slug": "focus", "translations": {"ru": {"name": "Фокус"}}}
    summary = {"slug": "deep-work", "title": "Deep Work", "status": "published", "tags": [focus]}
    path = write(tmp_path, [summary])
    assert run_import(path)[0]
    translation = Tag.objects.get(slug="focus").translations.get()
    assert (translation.language, translation.name, translation.slug) == ("ru", "Фокус", "фокус")
    page = Client().get("/ru/books/deep-work/").content.decode()
    assert f'href="{iri_to_uri("/ru/tags/фокус/")}">Фокус</a>' in page
    # The same file again changes nothing; a new Russian name moves the old address aside.
    assert "1 unchanged" in run_import(path)[1]
    focus["translations"]["ru"] = {"name": "Сосредоточенность", "slug": "sosredotochennost"}
    assert run_import(write(tmp_path, [summary]))[0]
    assert Client().get("/ru/tags/фокус/").status_code == 301


@pytest.mark.parametrize("language", ["en", "xx"])
def test_a_tag_name_in_a_language_the_site_has_not_is_refused(tmp_path, language):
    focus = {"name": "Focus", "slug": "focus", "translations": {language: {"name": "F"}}}
    path = write(tmp_path, [{"slug": "deep-work", "title": "Deep Work", "tags": [focus]}])
    imported, output = run_import(path)
    assert not imported and "translations" in output
    assert not Book.objects.exists()
