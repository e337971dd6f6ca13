"""Shared fixtures: fast hashing, throwaway media, an editor account and the demo library."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from tests.factories import UserFactory


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def fresh_content_type_cache():
    """Transactional tests flush the database and recreate content types under new ids;
    a cache left over from an earlier test would point history rows at ids that are gone."""
    ContentType.objects.clear_cache()


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
