"""A real gunicorn with the production settings on a free local port, for tests over HTTP."""

# ruff: noqa: S310 (every URL opened here is the local test server's)

import fcntl
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


def production_env(folder, port, **settings):
    """DEBUG off over plain HTTP, a fresh SQLite file in ``folder``; ``settings`` add to it."""
    inherited = {"DATABASE_URL", "BIND", "REDIS_URL"}
    return {
        **{name: value for name, value in os.environ.items() if name not in inherited},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'library.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "PORT": str(port),
        **settings,
    }


def manage(env, *arguments):
    """Run ``manage.py`` with ``env``; its output, or a failed assertion with its errors."""
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@cache
def _prepared_folder():
    """A migrated SQLite library and the collected static files, made once per test run.

    Each server test copies the library and shares the (read-only) static files: migrating
    and collecting for every server would cost the suite seconds per test. The processes
    of one pytest-xdist run share the folder; the first to need it makes it.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        folder = Path(tempfile.mkdtemp(prefix="library-server-"))
        _fill_prepared_folder(folder)
        return folder
    folder = Path(tempfile.gettempdir()) / f"library-server-{run}"
    folder.mkdir(exist_ok=True)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "ready").exists():
            _fill_prepared_folder(folder)
            (folder / "ready").touch()
    return folder


def _fill_prepared_folder(folder):
    env = production_env(folder, 0)
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input")


def copy_migrated_library(target):
    """Make ``target`` a new SQLite library, migrated as ``manage.py migrate`` leaves it."""
    source, copy = sqlite3.connect(_prepared_folder() / "library.sqlite3"), sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()


def _prepare(env):
    """Give ``env`` a migrated database and collected static files."""
    database = env["DATABASE_URL"]
    prepared = _prepared_folder()
    target = Path(database.removeprefix("sqlite:///"))
    if database.startswith("sqlite:///") and not target.exists():
        copy_migrated_library(target)
    else:
        manage(env, "migrate", "--no-input")
    env["STATIC_ROOT"] = str(prepared / "static")


@contextmanager
def gunicorn(env, ready_path, *, stderr=None):
    """Migrate, collect static files and serve with ``config/gunicorn.conf.py``; yield the base URL
    once ``ready_path`` answers. ``stderr``: a file for the server's log."""
    _prepare(env)
    log = open(stderr, "w") if stderr else None  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log or subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(f"{base}{ready_path}")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = Path(stderr).read_text() if log else server.stderr.read().decode()
                    raise AssertionError(output) from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        if log:
            log.close()


@contextmanager
def private_redis():
    """A Redis server of our own on a free local port (no persistence); yield its URL."""
    import shutil

    import pytest

    program = shutil.which("redis-server")
    if program is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is needed (apt-get install redis-server)")
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen(
        [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("redis-server did not start") from None
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)
