"""Large summary files: streamed, written in batches, still one transaction with exact errors."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from books.devtools.summary_files import write_summary_file
from books.models import Author, Book, Chapter, Part
from books.summaries import SummaryFileError, import_file, read_items
from reviews.models import RelatedLink, Review, Takeaway

pytestmark = pytest.mark.django_db


def write(tmp_path, data, name="summaries.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def summary(slug, **fields):
    return {"slug": slug, "title": f"Title {slug}", "status": "published", **fields}


def chapters(count):
    return [
        {"title": "Part", "chapters": [{"title": f"C{n}", "summary": "*x*"} for n in range(count)]}
    ]


def test_a_broken_file_is_refused_before_any_summary_is_read(tmp_path):
    path = write(tmp_path, '[{"title": "First"},\n{"title": "Second",,}]')
    items = read_items(path)
    # The whole file is checked before the first summary is handed over.
    with pytest.raises(SummaryFileError, match=r"summary #2, not valid JSON at line 2, column 20"):
        next(items)


def test_a_single_object_file_is_one_summary(tmp_path):
    assert list(read_items(write(tmp_path, summary("solo")))) == [summary("solo")]


def test_numbers_keep_their_json_types(tmp_path):
    """Streaming must not turn 428 into 428.0 or a Decimal: the format's types are exact."""
    import_file(write(tmp_path, summary("n", pages=428, year=2024)))
    assert Book.objects.get().pages == 428
    with pytest.raises(SummaryFileError, match="pages: Input should be a valid integer"):
        import_file(write(tmp_path, summary("m", pages=428.5)))


def test_links_may_point_forward_across_batches_and_authors_are_shared(tmp_path):
    path = write(
        tmp_path,
        [
            summary("a", related=[{"slug": "e", "note": "later in the file"}],
                    authors=[{"name": "Ann Lee", "slug": "ann", "bio": "Writes."}], tags=["LLM"]),
            summary("b", authors=[{"name": "Ann Lee"}], tags=["llm", "NLP"]),
            summary("c", authors=[{"name": "Bo Chen"}]),
            summary("d", authors=[{"name": "Ann Lee", "slug": "ann"}, {"name": "Bo Chen"}]),
            summary("e", related=[{"slug": "a", "note": "back"}], tags=["nlp"]),
        ],
    )  # fmt: skip
    result = import_file(path, batch_size=2)
    assert result.created == ["a", "b", "c", "d", "e"]
    assert RelatedLink.objects.get(book__slug="a").target.slug == "e"
    assert RelatedLink.objects.get(book__slug="e").target.slug == "a"
    assert list(Author.objects.values_list("name", "slug", "bio")) == [
        ("Ann Lee", "ann", "Writes."),  # a blank bio later in the file keeps it
        ("Bo Chen", "bo-chen", ""),
    ]
    assert [a.name for a in Book.objects.get(slug="d").ordered_authors] == ["Ann Lee", "Bo Chen"]
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["LLM", "NLP"]
    assert sorted(Book.objects.get(slug="b").tags.names()) == ["LLM", "NLP"]


def test_a_bad_summary_in_a_later_batch_rolls_back_the_earlier_batches(tmp_path):
    good = [
        summary(f"s{n}", parts=chapters(3), review={"reviewer": "R", "source": "S"})
        for n in range(5)
    ]
    path = write(tmp_path, [*good, summary("bad", year=1000)])
    with pytest.raises(SummaryFileError, match=r"summary #6 \('Title bad'\): year"):
        import_file(path, batch_size=2)
    assert not Book.objects.exists()
    assert not Chapter.objects.exists()
    assert not Review.objects.exists()
    assert not Author.objects.exists()


def test_a_missing_link_target_at_the_end_rolls_back_everything(tmp_path):
    path = write(
        tmp_path, [summary("a"), summary("b"), summary("c", related=[{"slug": "zz", "note": "n"}])]
    )
    with pytest.raises(SummaryFileError, match=r"summary #3 \('Title c'\): related\[0\].slug"):
        import_file(path, batch_size=1)
    assert not Book.objects.exists()


def test_a_slug_used_twice_in_one_file_is_refused(tmp_path):
    path = write(tmp_path, [summary("same"), summary("other"), summary("same", title="Again")])
    with pytest.raises(SummaryFileError) as raised:
        import_file(path)
    assert str(path) in str(raised.value)
    assert "summary #3 ('Again'): slug: 'same' is already used by summary #1" in str(raised.value)
    assert not Book.objects.exists()


def test_reimport_in_batches_replaces_what_each_summary_holds(tmp_path):
    first = [
        summary(
            f"s{n}",
            parts=chapters(4),
            tags=["keep", f"old{n}"],
            review={"reviewer": "R", "source": "S", "takeaways": [{"title": "t", "text": "x"}]},
            related=[{"title": "Outside", "note": "n"}],
        )
        for n in range(5)
    ]
    import_file(write(tmp_path, first), batch_size=2)
    second = [
        summary(
            f"s{n}",
            parts=chapters(2),
            tags=["Keep", "new"],
            related=[{"slug": "s0" if n else "s1", "note": "m"}],
        )
        for n in range(5)
    ]
    result = import_file(write(tmp_path, second), batch_size=2, replace=True)
    assert result.updated == [f"s{n}" for n in range(5)] and not result.created
    assert Book.objects.count() == 5
    assert Part.objects.count() == 5
    assert Chapter.objects.count() == 10
    assert not Review.objects.exists() and not Takeaway.objects.exists()
    assert sorted(Book.objects.get(slug="s3").tags.names()) == ["keep", "new"]
    assert RelatedLink.objects.count() == 5
    assert RelatedLink.objects.get(book__slug="s0").target.slug == "s1"


def test_import_queries_do_not_grow_with_chapters_and_stay_few_per_summary(tmp_path):
    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            import_file(path)
        return len(captured.captured_queries)

    # The tag and the content types of every row exist after a first import.
    import_file(write(tmp_path, summary("warm-up", parts=chapters(1), tags=["t"]), "warm-up.json"))
    small = write(
        tmp_path, [summary(f"a{n}", parts=chapters(1), tags=["t"]) for n in range(20)], "a.json"
    )
    large = write(
        tmp_path, [summary(f"b{n}", parts=chapters(30), tags=["t"]) for n in range(20)], "b.json"
    )
    small_count, large_count = queries(small), queries(large)
    assert small_count == large_count
    # Every write is in bulk per batch (books, reviews, children, tags, history, index
    # rows): a summary costs a share of those statements, never one per chapter.
    assert large_count <= 20 * 9


def test_synthetic_files_import_whole(tmp_path):
    """The benchmark's generator writes valid files whose links point forwards and back."""
    path = write_summary_file(tmp_path / "synthetic.json", 6, chapters=4)
    call_command("import_summaries", str(path), stdout=io.StringIO())
    assert Book.objects.published().count() == 6
    assert Chapter.objects.count() == 24
    assert RelatedLink.objects.filter(target__isnull=False).count() == 12


@pytest.mark.slow
def test_bench_import_imports_into_a_throwaway_database_and_prints_figures(settings):
    out = io.StringIO()
    call_command(
        "bench_import", "--summaries", "3", "--baseline", "1", "--chapters", "2", stdout=out
    )
    text = out.getvalue()
    assert re.search(r"^\s+1\s+[\d.]+ s\s+[\d.]+\s+[\d.]+ MB$", text, re.MULTILINE), text
    assert re.search(r"^\s+3\s+[\d.]+ s\s+[\d.]+\s+[\d.]+ MB$", text, re.MULTILINE), text
    assert re.search(r"RSS growth from 1 to 3 summaries: [+-][\d.]+ MB", text)
    assert not Book.objects.exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'bench_import_%%'")
            assert cursor.fetchone()[0] == 0  # dropped again


def test_an_import_starts_no_other_process(tmp_path, monkeypatch):
    """Callable from any Python code: a script without a ``__main__`` guard, a shell, a task
    queue. A spawned worker would re-import its caller's main module."""

    def refuse(process):
        raise AssertionError(f"the import started a process: {process!r}")

    monkeypatch.setattr("multiprocessing.process.BaseProcess.start", refuse)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1})
    summaries = [
        summary(f"md{n}", description=f"About **{n}**", parts=chapters(3)) for n in range(6)
    ]
    import_file(write(tmp_path, summaries), batch_size=2)
    assert Book.objects.get(slug="md5").description_html == "<p>About <strong>5</strong></p>"
    assert set(Chapter.objects.values_list("summary_html", flat=True)) == {"<p><em>x</em></p>"}


def test_a_large_import_refreshes_postgresql_planner_statistics(tmp_path, monkeypatch):
    monkeypatch.setattr("books.summaries.importer.ANALYZE_AFTER", 3)
    with CaptureQueriesContext(connection) as small:
        import_file(write(tmp_path, [summary("a"), summary("b")], "small.json"))
    with CaptureQueriesContext(connection) as large:
        import_file(write(tmp_path, [summary(f"l{n}") for n in range(3)], "large.json"))
    analyzed = [q["sql"] for q in large.captured_queries if q["sql"].startswith("ANALYZE")]
    assert not any(q["sql"].startswith("ANALYZE") for q in small.captured_queries)
    if connection.vendor == "postgresql":
        assert analyzed and '"books_chapter"' in analyzed[0]
    else:
        assert not analyzed  # SQLite plans without statistics
