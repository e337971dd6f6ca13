"""Settings read from the environment, and refuse to run production on an unsafe key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly ``env`` on top of a clean base."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}
    }
    code = (
        "import config.settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.ALLOWED_HOSTS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("key", ["django-insecure-" + "x" * 50, "short", "a" * 60])
def test_production_refuses_an_insecure_secret_key(key):
    result = load_settings(DEBUG="false", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY is insecure" in result.stderr


def test_production_starts_with_a_strong_key_and_its_hosts():
    result = load_settings(
        DEBUG="false", SECRET_KEY="k3y-" + "Zq8#xT2!mW9@" * 5, ALLOWED_HOSTS="books.example.org"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"
    assert "['books.example.org']" in result.stdout


def test_defaults_work_with_no_environment_at_all():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    debug, engine, name = result.stdout.split()[:3]
    assert (debug, engine) == ("True", "django.db.backends.sqlite3")
    assert name == str(ROOT / "db.sqlite3")


def test_database_url_selects_postgresql():
    result = load_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/library")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1:3] == ["django.db.backends.postgresql", "library"]


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting; this run uses " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
        # The test database lives in memory, where WAL does not apply; check the setting itself.
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]
