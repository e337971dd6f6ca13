"""DATABASE_REPLICA_URL: readers' queries go to the replica, writes and fresh reads to the primary."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from books.models import Book
from config.routers import routing_scope
from tests.factories import BookFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]

# Committed rows (transaction=True), so the replica's own connection sees them.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def replica_routing(settings):
    settings.DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
    middleware = list(settings.MIDDLEWARE)
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    middleware.insert(auth + 1, "config.routers.PrimaryReplicaMiddleware")
    settings.MIDDLEWARE = middleware
    yield
    connections["replica"].close()


class Queries:
    """The SQL each database received while the block ran."""

    def __enter__(self):
        self.captures = {alias: CaptureQueriesContext(connections[alias]) for alias in connections}
        for capture in self.captures.values():
            capture.__enter__()
        return self

    def __exit__(self, *exc):
        for capture in self.captures.values():
            capture.__exit__(*exc)

    def on(self, alias, table="books_book"):
        return [q["sql"] for q in self.captures[alias].captured_queries if table in q["sql"]]


@pytest.fixture
def book():
    with routing_scope():
        return BookFactory(title="Replicated Book")


def test_reader_pages_read_the_library_from_the_replica(client, book):
    with Queries() as queries:
        listing = client.get(reverse("books:list"))
        page = client.get(book.get_absolute_url())
    assert listing.status_code == page.status_code == 200
    assert "Replicated Book" in page.content.decode()
    assert queries.on("replica") and not queries.on("default")


def test_editors_read_from_the_primary(client, book):
    client.force_login(UserFactory(is_staff=True))
    with Queries() as queries:
        assert client.get(book.get_absolute_url()).status_code == 200
    assert queries.on("default") and not queries.on("replica")


def test_sign_in_and_sessions_use_the_primary(client):
    UserFactory(username="reader", password="a-long-test-password")
    with Queries() as queries:
        response = client.post(
            reverse("admin:login"), {"username": "reader", "password": "a-long-test-password"}
        )
    assert response.status_code == 200  # not staff: the form says so, no error
    assert queries.on("default", "auth_user")
    assert not queries.on("replica", "auth_user") and not queries.on("replica", "django_session")


def test_writes_go_to_the_primary_and_later_reads_follow_them():
    with routing_scope(), Queries() as queries:
        assert Book.objects.count() == 0  # before any write: the replica
        BookFactory(title="Fresh")
        assert Book.objects.filter(title="Fresh").exists()  # read-your-writes
    assert len(queries.on("replica")) == 1
    assert any(sql.startswith("INSERT") for sql in queries.on("default"))
    assert any("Fresh" in sql and sql.startswith("SELECT") for sql in queries.on("default"))


def test_a_write_pins_only_its_own_request(client, book):
    client.force_login(UserFactory(is_staff=False))
    client.post(reverse("admin:logout"))  # a write (the session) in one request…
    with Queries() as queries:
        client.get(book.get_absolute_url())  # …does not pin the next one
    assert queries.on("replica") and not queries.on("default")


def test_reads_inside_a_transaction_use_the_primary(book):
    with routing_scope(), Queries() as queries, transaction.atomic():
        assert Book.objects.get(pk=book.pk).title == "Replicated Book"
    assert queries.on("default") and not queries.on("replica")


def test_accounts_are_always_read_from_the_primary():
    user_model = get_user_model()
    with routing_scope():
        assert router.db_for_read(user_model) == "default"
        assert router.db_for_read(Book) == "replica"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate_model("default", Book)
    assert not router.allow_migrate_model("replica", Book)
    assert not router.allow_migrate_model("replica", get_user_model())


@pytest.mark.slow
def test_database_replica_url_adds_the_replica_router_and_middleware():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    code = (
        "import config.settings as s;"
        "r = s.DATABASES['replica'];"
        "print(r['ENGINE'], r['NAME'], r['TEST'], s.DATABASE_ROUTERS,"
        " 'config.routers.PrimaryReplicaMiddleware' in s.MIDDLEWARE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DATABASE_REPLICA_URL": "postgres://reader@replica.internal:5432/library"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "library",
        "{'MIRROR':",
        "'default'}",
        "['config.routers.PrimaryReplicaRouter']",
        "True",
    ]
