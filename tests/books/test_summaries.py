"""Summary files: import validation, atomicity, idempotence and the export round trip."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from books.models import Author, Book, Chapter, Status
from books.summaries import ALL_LINKS, SummaryFileError, import_file, load_summaries
from reviews.models import RelatedLink, Takeaway
from tests.factories import build_summary

pytestmark = pytest.mark.django_db


def write(tmp_path, data, name="summaries.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def minimal(**fields):
    return {"title": "A Minimal Book", "status": "published", **fields}


def test_minimal_summary_is_created_with_a_derived_slug(tmp_path):
    result = import_file(write(tmp_path, minimal()))
    book = Book.objects.get()
    assert result.created == ["a-minimal-book"]
    assert book.slug == "a-minimal-book"
    assert book.is_public


def test_importing_the_same_file_twice_changes_nothing(tmp_path, demo_book):
    before = [json.dumps(export(demo_book))]
    counts = (Book.objects.count(), Author.objects.count(), Chapter.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Book.objects.count(), Author.objects.count(), Chapter.objects.count()) == counts
    assert [json.dumps(export(demo_book))] == before


def test_import_updates_an_existing_summary_by_slug(tmp_path):
    import_file(
        write(tmp_path, minimal(slug="s", parts=[{"title": "P", "chapters": [{"title": "Old"}]}]))
    )
    import_file(
        write(
            tmp_path,
            minimal(
                slug="s", title="New title", parts=[{"title": "P", "chapters": [{"title": "New"}]}]
            ),
        ),
        replace=True,  # chapter "Old" goes
    )
    book = Book.objects.get()
    assert book.title == "New title"
    assert list(Chapter.objects.values_list("title", flat=True)) == ["New"]


def test_published_summary_keeps_its_first_publication_time_on_reimport(tmp_path):
    path = write(tmp_path, minimal())
    import_file(path)
    first = Book.objects.get().published_at
    import_file(path)
    assert Book.objects.get().published_at == first


def export(book):
    from books.summaries import export_summary

    (summary,) = load_summaries(Book.objects.filter(pk=book.pk), links=ALL_LINKS)
    return export_summary(summary)


def test_export_then_import_into_an_empty_library_is_lossless(tmp_path, demo_book):
    draft = build_summary(draft=True, tags=["Ёлки", "python"])
    RelatedLink.objects.create(book=draft, target=demo_book, note="Read this first", position=9)
    path = tmp_path / "all.json"
    call_command("export_summaries", "-o", str(path), stderr=io.StringIO())
    exported = json.loads(path.read_text())
    assert {item["slug"] for item in exported} == set(Book.objects.values_list("slug", flat=True))
    assert {demo_book.slug, draft.slug} <= {item["slug"] for item in exported}

    Book.objects.all().delete()
    Author.objects.all().delete()
    call_command("import_summaries", str(path), stdout=io.StringIO())

    again = tmp_path / "again.json"
    call_command("export_summaries", "-o", str(again), stderr=io.StringIO())
    assert json.loads(again.read_text()) == exported
    assert Book.objects.get(slug=draft.slug).status == Status.DRAFT


def test_export_of_one_slug_is_a_single_object(demo_book):
    out = io.StringIO()
    call_command("export_summaries", "--slug", demo_book.slug, stdout=out)
    data = json.loads(out.getvalue())
    assert data["title"] == "Hands-On Large Language Models"
    assert len(data["review"]["takeaways"]) == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"title": "x",', "not valid JSON at line 1"),
        ('"just a string"', "must hold one summary object or a list"),
        ({"subtitle": "no title"}, "title: Field required"),
        ({"title": 42}, "title: Input should be a valid string"),
        (minimal(pages="many"), "pages: Input should be a valid integer"),
        (minimal(pages=0), "pages: Input should be greater than or equal to 1"),
        (minimal(status="live"), "status: Input should be 'published' or 'draft'"),
        (minimal(tags="llm"), "tags: Input should be a valid list"),
        (minimal(published_at="2024-01-01T10:00:00"), "published_at: Input should have timezone"),
        (
            minimal(parts=[{"title": "P", "chapters": [{"summary": "no title"}]}]),
            "parts[0].chapters[0].title: Field required",
        ),
        (minimal(authors=[{"name": "A", "url": "not a url"}]), "authors[0].url: Enter a valid URL"),
        (minimal(isbn="978-0-00-000000-1"), "isbn:"),
        (minimal(colour="blue"), "colour: Extra inputs are not permitted"),
        (
            minimal(related=[{"slug": "not-here", "note": "n"}]),
            "related[0].slug: no summary with slug 'not-here'",
        ),
        (minimal(related=[{"title": "T"}]), "related[0].note: Field required"),
        (minimal(related=[{"title": "T", "slug": "s", "note": "n"}]), "either 'slug'"),
        (minimal(cover="../../etc/passwd"), "cover:"),
    ],
)
def test_invalid_files_name_the_file_and_field_and_write_nothing(tmp_path, content, message):
    path = write(tmp_path, content, name="broken.json")
    with pytest.raises(SummaryFileError) as raised:
        import_file(path)
    assert str(path) in str(raised.value)
    assert message in str(raised.value)
    assert not Book.objects.exists()


def test_a_bad_summary_rolls_back_the_good_ones_of_the_same_file(tmp_path):
    path = write(
        tmp_path,
        [
            minimal(
                title="Good one",
                review={"reviewer": "R", "source": "S", "takeaways": [{"title": "t", "text": "x"}]},
            ),
            minimal(title="Bad", year="1999"),
        ],
    )
    with pytest.raises(SummaryFileError, match=r"summary #2 \('Bad'\): year"):
        import_file(path)
    assert not Book.objects.exists()
    assert not Takeaway.objects.exists()


def test_the_command_reports_each_file_and_imports_the_valid_ones(tmp_path):
    good = write(tmp_path, minimal(), name="good.json")
    bad = write(tmp_path, "{", name="bad.json")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 file"):
        call_command("import_summaries", str(bad), str(good), stdout=io.StringIO(), stderr=err)
    assert "bad.json: not valid JSON" in err.getvalue()
    assert "Nothing from" in err.getvalue()
    assert Book.objects.filter(title="A Minimal Book").exists()


def test_summaries_in_one_file_may_link_to_each_other(tmp_path):
    path = write(tmp_path, [
        minimal(title="First", slug="first", related=[{"slug": "second", "note": "next"}]),
        minimal(title="Second", slug="second", related=[{"slug": "first", "note": "before"}]),
    ])  # fmt: skip
    import_file(path)
    assert RelatedLink.objects.get(book__slug="first").target.slug == "second"


def test_related_titles_not_in_the_library_keep_their_authors(tmp_path):
    import_file(
        write(
            tmp_path,
            minimal(
                related=[
                    {
                        "title": "AI Engineering",
                        "authors": ["Chip Huyen"],
                        "note": "n",
                        "featured": True,
                    }
                ]
            ),
        )
    )
    link = RelatedLink.objects.get()
    assert (link.target, link.title, link.authors, link.featured) == (
        None,
        "AI Engineering",
        "Chip Huyen",
        True,
    )


def test_shared_author_keeps_a_bio_that_another_file_leaves_blank(tmp_path):
    import_file(
        write(
            tmp_path, minimal(slug="a", authors=[{"name": "Ann", "bio": "Writes books."}]), "a.json"
        )
    )
    import_file(write(tmp_path, minimal(slug="b", authors=[{"name": "Ann"}]), "b.json"))
    assert Author.objects.get().bio == "Writes books."


def test_the_format_documentation_shows_the_shipped_demo_file():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    doc = (root / "docs" / "summary-format.md").read_text()
    example = doc.split("```json\n", 1)[1].split("\n```", 1)[0]
    shipped = (root / "books" / "demo" / "hands-on-large-language-models.json").read_text()
    assert json.loads(example) == json.loads(shipped)
