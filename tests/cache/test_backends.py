"""The cache backend: local memory by default, Django's Redis cache when REDIS_URL is set.

Tests marked ``cache`` run twice in CI: with local memory, and against the Redis
server named by TEST_REDIS_URL (.ci/run).
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

ROOT = Path(__file__).resolve().parents[2]
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()


def settings_caches(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.CACHES['default'])"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_the_cache_is_local_memory_without_redis_url():
    assert "LocMemCache" in settings_caches()


@pytest.mark.slow
def test_redis_url_selects_djangos_redis_cache():
    caches = settings_caches(REDIS_URL="redis://cache.internal:6379/2")
    assert "config.cache.RedisCache" in caches  # Django's, reusing its client
    assert "redis://cache.internal:6379/2" in caches


@pytest.fixture
def key():
    name = f"test-{uuid.uuid4().hex}"
    yield name
    cache.delete(name)


@pytest.mark.cache
def test_the_configured_cache_stores_and_forgets_values(key):
    assert isinstance(caches["default"], RedisCache if TEST_REDIS_URL else LocMemCache)
    cache.set(key, {"title": "Ёлки"}, timeout=30)
    assert cache.get(key) == {"title": "Ёлки"}
    cache.delete(key)
    assert cache.get(key) is None


@pytest.mark.cache
@pytest.mark.slow
def test_redis_is_one_cache_for_every_process_and_local_memory_is_not(key):
    cache.set(key, "shared", timeout=30)
    code = (
        "import django; django.setup();"
        "from django.core.cache import cache;"
        f"print(cache.get({key!r}))"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    if TEST_REDIS_URL:
        env["REDIS_URL"] = TEST_REDIS_URL
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Another worker (another process) sees the value only through Redis.
    assert result.stdout.strip() == ("shared" if TEST_REDIS_URL else "None")
