"""Cached pages without the database: with Redis, a hit reads nothing from PostgreSQL.

A private PostgreSQL cluster (tests/postgres.py) and a private Redis serve gunicorn
with the production settings. While the cluster is stopped, the cached pages keep
serving; once it is back, the workers reconnect by themselves (CONN_HEALTH_CHECKS),
and an edit made in another process refreshes every worker's pages at once.
"""

# ruff: noqa: S310 (every URL opened here is the local test server's)

import urllib.error
import urllib.request

import pytest

from tests.postgres import private_postgres
from tests.servers import free_port, gunicorn, manage, private_redis, production_env

pytestmark = [pytest.mark.slow, pytest.mark.cache]

SEED = (
    "from tests.factories import build_summary; "
    "build_summary(title='Outage survivor', tags=['resilience'])"
)
EDIT = (
    "from books.models import Book; book = Book.objects.get(slug='outage-survivor'); "
    "book.subtitle = 'Edited after the outage'; book.save()"
)


def visit(url):
    """``(status, X-Page-Cache, body)`` over a new connection, so every worker answers some."""
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.headers.get("X-Page-Cache"), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-Page-Cache"), error.read().decode()


def test_cached_pages_outlive_a_database_outage_and_the_workers_reconnect(tmp_path):
    with private_postgres() as cluster, private_redis() as redis_url:
        env = production_env(
            tmp_path,
            free_port(),
            WEB_CONCURRENCY="2",
            GUNICORN_THREADS="2",
            DATABASE_URL=cluster.createdb("outage"),
            REDIS_URL=redis_url,
        )
        with gunicorn(env, "/healthz") as base:
            manage(env, "shell", "-c", SEED)
            pages = [f"{base}/books/outage-survivor/", f"{base}/", f"{base}/tags/resilience/"]
            for page in pages:
                for _ in range(6):
                    status, _, html = visit(page)
                    assert status == 200 and "Outage survivor" in html, page
                assert visit(page)[1] == "hit", page

            cluster.stop()
            for page in pages:
                for _ in range(6):
                    status, state, html = visit(page)
                    assert (status, state) == (200, "hit"), f"{page} while the database is down"
                    assert "Outage survivor" in html
            # A page that was never cached needs the database: it fails, and does not hang.
            assert visit(f"{base}/search/?q=survivor")[0] >= 500

            cluster.start()
            # Every worker notices its connection is gone and opens a new one.
            for _ in range(8):
                status, _, html = visit(f"{base}/search/?q=survivor")
                assert status == 200 and "Outage survivor" in html

            manage(env, "shell", "-c", EDIT)
            for page in pages[:1]:
                for _ in range(6):
                    status, _, html = visit(page)
                    assert status == 200 and "Edited after the outage" in html, page
