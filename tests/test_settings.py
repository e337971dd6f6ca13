"""Settings read from the environment, and refuse to run production on an unsafe key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Each test loads the settings in a fresh Python process.
pytestmark = pytest.mark.slow


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


def test_sqlite_database_file_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    database = tmp_path / "library.sqlite3"
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "cursor = connection.cursor();"
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0],"
        " cursor.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{database}",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    journal_mode, busy_timeout = result.stdout.split()
    assert journal_mode == "wal"
    assert int(busy_timeout) >= 5000
