"""Shared fixtures: fast hashing, throwaway media, an editor account and the demo library."""

import os
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import translation

from config.settings import cache_config
from tests.factories import UserFactory


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client builds its middleware for every new client, and WhiteNoise reads
    # every collected static file when it starts: after `make serve` (collectstatic) that
    # was an eighth of the suite's time. In-process tests serve no static file; the server
    # tests collect their own (tests/servers.py).
    settings.STATIC_ROOT = settings.BASE_DIR / "tests" / "no-static-files"
    # Never the shell's REDIS_URL (tests clear the cache): local memory, or the Redis
    # database named by TEST_REDIS_URL, which .ci/run sets for the cache tests.
    test_redis_url = os.environ.get("TEST_REDIS_URL", "").strip()
    settings.CACHES = cache_config(test_redis_url)
    # The page cache's tokens live where they would in production with this cache.
    settings.PAGE_CACHE_TOKENS = "cache" if test_redis_url else "database"
    # Tests search far faster than a reader; tests/search/test_rate_limit.py turns it on.
    settings.RATELIMIT_ENABLE = False
    if "replica" not in settings.DATABASES:
        # A replica mirroring the test database, for the router's tests; with no
        # router installed (the default) no query goes there.
        settings.DATABASES["replica"] = {
            **settings.DATABASES["default"],
            "TEST": {"MIRROR": "default"},
        }


@pytest.fixture(autouse=True)
def fresh_content_type_cache():
    """Transactional tests flush the database and recreate content types under new ids;
    a cache left over from an earlier test would point history rows at ids that are gone."""
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language, as a new process does: a request to
    a Russian page (or a Russian editor's admin) leaves Russian active in its thread."""
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the page cache's version tokens come back with
    every rolled-back test transaction, so a page cached by an earlier test could match."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def interface_language():
    """Each test starts in the default language: a request to /ru/… leaves Russian active in
    the thread (LocaleMiddleware activates a language per request, and never deactivates it)."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): …`` runs the after-commit work (search index, page cache) as it ends,
    as a real save would."""

    @contextmanager
    def block():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return block


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes uploads into its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def editor(db):
    """A staff account in the Editors group, as an editor would have (not a superuser)."""
    user = UserFactory(username="ed", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def demo_book(db):
    """The demo library, loaded the way ``make run`` loads it."""
    from books.models import Book

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Book.objects.get(slug="hands-on-large-language-models")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The slow tests (servers, subprocesses) first, in an order pytest-django allows.

    pytest-django runs the database tests, then the transactional ones (which empty the
    database), then those that use no database. Here the tests that use no database come
    first, and within them and within the database tests the slow ones lead: started last,
    a long server test kept one worker busy while the other had nothing left to run.
    """

    def order(item):
        fixtures = set(item.fixturenames)
        marker = item.get_closest_marker("django_db")
        quick = item.get_closest_marker("slow") is None
        if marker is None and not {"db", "transactional_db", "live_server"} & fixtures:
            return (0, quick)
        transaction = marker.kwargs.get("transaction", bool(marker.args)) if marker else False
        reset_sequences = marker.kwargs.get("reset_sequences", False) if marker else False
        if transaction or reset_sequences or {"transactional_db", "live_server"} & fixtures:
            return (2, False)  # their own order: after every other database test
        return (1, quick)

    items.sort(key=order)
