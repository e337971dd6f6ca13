"""The page cache across processes: gunicorn workers, each with its own cache, never serve a stale page.

A save made in one process clears nothing in another worker's local-memory
cache; the workers stay exact because every cached page's key holds version
tokens read from the database (books/cache.py). With TEST_REDIS_URL set (CI),
the same run uses the shared Redis cache instead.
"""

# ruff: noqa: S310 (every URL opened here is the local test server's)

import os
import urllib.request

import pytest

from tests.servers import free_port, gunicorn, manage, production_env

pytestmark = [pytest.mark.cache, pytest.mark.slow]

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()


@pytest.fixture
def workers(tmp_path):
    """gunicorn with two single-threaded worker processes, on a fresh SQLite file."""
    env = production_env(tmp_path, free_port(), WEB_CONCURRENCY="2", GUNICORN_THREADS="1")
    if TEST_REDIS_URL:
        env["REDIS_URL"] = TEST_REDIS_URL
    with gunicorn(env, "/healthz") as base:
        yield base, env


def visit(url, times):
    """``times`` requests, each on a new connection (so both workers answer some)."""
    answers = []
    for _ in range(times):
        with urllib.request.urlopen(url, timeout=10) as response:
            answers.append((response.headers.get("X-Page-Cache"), response.read().decode()))
    return answers


def test_a_save_in_another_process_refreshes_every_workers_cached_pages(workers):
    base, env = workers
    manage(
        env,
        "shell",
        "-c",
        "from tests.factories import build_summary; "
        "build_summary(title='Title before the edit', tags=['nlp'])",
    )
    pages = [f"{base}/books/title-before-the-edit/", f"{base}/", f"{base}/tags/nlp/"]
    for page in pages:
        answers = visit(page, 12)
        assert all("Title before the edit" in html for _, html in answers), page
        assert sum(state == "hit" for state, _ in answers) >= 9, page  # a miss per worker at most

    # The edit happens in a process of its own: no worker hears of it.
    manage(
        env,
        "shell",
        "-c",
        "from books.models import Book; book = Book.objects.get(slug='title-before-the-edit'); "
        "book.title = 'Title after the edit'; book.save()",
    )

    for page in pages:
        answers = visit(page, 12)
        stale = [state for state, html in answers if "Title after the edit" not in html]
        assert not stale, f"{page}: {len(stale)} of 12 answers were stale"
