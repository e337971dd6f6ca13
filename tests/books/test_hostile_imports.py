"""Hostile and broken summary files: refused cheaply, named precisely, and nothing half-done.

The hostile files are imported by ``manage.py import_summaries`` in a child process
with a memory ceiling and a time limit, as an operator would run it: a refusal must
come within seconds and in about 100 MB, whatever the file holds.
"""

import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.db.models.query import QuerySet

from books.models import Book, Chapter
from tests.factories import build_summary
from tests.servers import copy_migrated_library

ROOT = Path(__file__).resolve().parents[2]
DEPTH = 100_000
MEMORY_CEILING = 1024 * 2**20  # address space; an unbounded parser is stopped here


def write(tmp_path, data, name="summaries.json"):
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def summary(slug, **fields):
    return {"slug": slug, "title": f"Title {slug}", "status": "published", **fields}


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CEILING, MEMORY_CEILING))


def import_in_child(tmp_path, *arguments, timeout=60):
    """``manage.py import_summaries …`` in a process of its own: (exit code, stderr, seconds)."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'library.sqlite3'}",
    }
    start = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "import_summaries", *map(str, arguments)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"import_summaries was still running after {timeout} s")
    return result.returncode, result.stderr, time.monotonic() - start


# --- Refused by bounds, before anything expensive --------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "place"),
    [
        (("[" * DEPTH + "]" * DEPTH).encode(), "line 1, column 33"),
        (('{"a":' * DEPTH).encode(), "line 1, column 161"),
        (b'[{"title": "' + b"x" * (40 * 2**20) + b'"}]', "summary #1, line 1"),
    ],
    ids=["nested 100,000 deep", "100,000 open objects", "one 40 MB string"],
)
def test_hostile_files_are_refused_quickly_naming_the_file_and_the_place(tmp_path, content, place):
    path = write(tmp_path, content, name="hostile.json")
    code, stderr, seconds = import_in_child(tmp_path, path)
    assert code != 0
    assert "Traceback" not in stderr and "MemoryError" not in stderr, stderr[-2000:]
    assert f"{path}:" in stderr and place in stderr, stderr[-2000:]
    assert "Nothing from" in stderr and "was imported" in stderr
    assert seconds < 15  # Django's start included; the refusal itself takes milliseconds


@pytest.mark.slow
def test_max_bytes_refuses_a_larger_file_before_reading_it(tmp_path):
    path = write(tmp_path, [summary("a"), summary("b")])
    code, stderr, _ = import_in_child(tmp_path, path, "--max-bytes", "20")
    assert code != 0
    assert f"{path}: {path.stat().st_size:,} bytes, more than the limit of 20" in stderr
    assert "--max-bytes" in stderr


@pytest.mark.django_db
def test_a_trailing_comma_is_refused_in_linear_time_before_any_write(tmp_path):
    """A large file broken at its very end is refused by a parse no slower than twice
    json.loads (with room for a shared machine), before one summary is written."""
    chapters = [{"title": f"Chapter {n}", "summary": "Some *text* here. " * 20} for n in range(30)]
    items = [summary(f"s{n}", parts=[{"title": "Part", "chapters": chapters}]) for n in range(600)]
    text = json.dumps(items)
    path = write(tmp_path, text[:-1] + ",]")
    start = time.perf_counter()
    with pytest.raises(json.JSONDecodeError):
        json.loads(path.read_bytes())
    loads = time.perf_counter() - start
    errors = io.StringIO()
    start = time.perf_counter()
    with pytest.raises(CommandError):
        call_command("import_summaries", str(path), stderr=errors, stdout=io.StringIO())
    refusal = time.perf_counter() - start
    assert "not valid JSON at line 1" in errors.getvalue()
    assert not Book.objects.exists()
    assert refusal < 3 * loads + 0.2, (refusal, loads)


# --- NUL characters, on both databases ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "Nul\x00title"}, "title"),
        ({"lede": "A lede\x00"}, "lede"),
        ({"tags": ["ok", "t\x00g"]}, "tags[1]"),
        ({"authors": [{"name": "Ann", "url": "https://a.example/\x00"}]}, "authors[0].url"),
        (
            {"parts": [{"title": "P", "chapters": [{"title": "C", "summary": "x\x00y"}]}]},
            "parts[0].chapters[0].summary",
        ),
        ({"review": {"reviewer": "R", "source": "S", "body": "b\x00"}}, "review.body"),
        ({"related": [{"title": "T", "note": "n\x00"}]}, "related[0].note"),
    ],
)
def test_a_nul_character_in_any_text_field_is_refused_by_the_import(tmp_path, fields, field):
    bad = write(tmp_path, [summary("fine"), summary("nul", **fields)], name="bad.json")
    good = write(tmp_path, [summary("good")], name="good.json")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("import_summaries", str(bad), str(good), stderr=errors, stdout=io.StringIO())
    message = errors.getvalue()
    assert f"{bad}: summary #2 (" in message
    assert f"): {field}: Null characters are not allowed." in message
    assert f"Nothing from {bad} was imported." in message
    # The later file on the command line was still imported.
    assert list(Book.objects.values_list("slug", flat=True)) == ["good"]


@pytest.mark.django_db
def test_a_nul_character_is_refused_by_the_admin_in_summary_and_inline_fields(editor_client):
    from tests.admin_forms import form_data

    book = build_summary(title="Clean title")
    url = f"/admin/books/book/{book.pk}/change/"
    data = form_data(editor_client.get(url), "book_form")
    chapter_title = next(name for name in data if name.endswith("-title") and "chapter" in name)
    data[chapter_title] = "Chapter\x00zebracorn"
    data["lede"] = "Lede\x00"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert not Chapter.objects.filter(title__contains="zebracorn").exists()


@pytest.mark.django_db
def test_every_text_field_of_the_library_refuses_nul_characters():
    """New text fields cannot forget it: every editable text field carries the validator."""
    from django.apps import apps
    from django.core.validators import ProhibitNullCharactersValidator
    from django.db import models

    missing = [
        f"{model.__name__}.{field.name}"
        for app in ("books", "reviews", "search", "curation")
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and field.editable
        and not field.choices
        and model.__name__ not in {"SummaryVersion"}
        and not any(isinstance(v, ProhibitNullCharactersValidator) for v in field.validators)
    ]
    assert not missing


# --- Database errors are messages, and later files are still tried --------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_database_error_is_reported_like_a_validation_error(tmp_path, monkeypatch):
    original = QuerySet.bulk_create

    def failing(self, objs, *args, **kwargs):
        objs = list(objs)
        if self.model is Chapter and any(chapter.title == "BOOM" for chapter in objs):
            raise OperationalError("server closed the connection unexpectedly")
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", failing)
    parts = [{"title": "P", "chapters": [{"title": "BOOM"}]}]
    bad = write(tmp_path, [summary("first"), summary("boom", parts=parts)], name="bad.json")
    good = write(tmp_path, [summary("later")], name="good.json")
    errors, out = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 file"):
        call_command("import_summaries", str(bad), str(good), stderr=errors, stdout=out)
    message = errors.getvalue()
    assert "Traceback" not in message
    assert f"{bad}: " in message and "server closed the connection unexpectedly" in message
    assert f"Nothing from {bad} was imported." in message
    assert f"{good}: 1 created" in out.getvalue()
    assert list(Book.objects.values_list("slug", flat=True)) == ["later"]


# --- No process outlives the import ---------------------------------------------------------------


def _children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_a_killed_import_leaves_no_process_behind(tmp_path):
    chapters = [{"title": f"C{n}", "summary": "Words *in* a chapter. " * 30} for n in range(30)]
    items = [summary(f"s{n}", parts=[{"title": "P", "chapters": chapters}]) for n in range(1000)]
    path = write(tmp_path, items)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'library.sqlite3'}",
    }
    copy_migrated_library(tmp_path / "library.sqlite3")
    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_summaries", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        seen = set()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and importer.poll() is None:
            seen.update(_children(importer.pid))
            time.sleep(0.2)
        assert importer.poll() is None, "the import ended before it could be killed"
        seen.update(_children(importer.pid))
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=10)
        # A second for its children to end, no longer than they take.
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline and any(_alive(pid) for pid in seen):
            time.sleep(0.05)
        survivors = [pid for pid in seen if _alive(pid)]
        assert not survivors, f"processes left behind by the killed import: {survivors}"
    finally:
        if importer.poll() is None:
            importer.kill()
        for pid in seen:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
