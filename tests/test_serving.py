"""Production serving: gunicorn's settings from the environment, and the real stack over HTTP."""

# ruff: noqa: S310 (every URL opened here is the local test server's)

import os
import runpy
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"
ONE_YEAR = 365 * 24 * 3600


def gunicorn_settings(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "BIND", "PORT", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_defaults_follow_the_cores_and_listen_on_localhost(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    cores = len(os.sched_getaffinity(0))
    assert conf["workers"] == 2 * cores
    assert conf["threads"] == 4
    assert conf["worker_class"] == "gthread"
    assert conf["bind"] == ["127.0.0.1:8000"]


def test_gunicorn_reads_workers_threads_and_address_from_the_environment(monkeypatch):
    conf = gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_THREADS="8", PORT="8123")
    assert (conf["workers"], conf["threads"], conf["bind"]) == (3, 8, ["127.0.0.1:8123"])
    conf = gunicorn_settings(monkeypatch, PORT="8123", BIND="0.0.0.0:9000")
    assert conf["bind"] == ["0.0.0.0:9000"]


@pytest.mark.parametrize("value", ["zero", "0", "-2", "1.5"])
def test_gunicorn_refuses_a_bad_worker_count_with_a_message(monkeypatch, value):
    with pytest.raises(SystemExit, match=f"WEB_CONCURRENCY must be a whole number.*{value!r}"):
        gunicorn_settings(monkeypatch, WEB_CONCURRENCY=value)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


@pytest.fixture
def production_server(tmp_path):
    """gunicorn with config/gunicorn.conf.py and DEBUG off, on a fresh SQLite file."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BIND"}},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'library.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "PORT": str(port),
    }
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(f"{base}/static/css/site.css")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stderr.read().decode()) from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_production_stack_serves_pages_and_compressed_hashed_static_files(production_server):
    status, headers, body = fetch(f"{production_server}/")
    assert status == 200
    page = body.decode()
    stylesheet = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert stylesheet.startswith("/static/css/site.") and stylesheet != "/static/css/site.css"

    status, headers, body = fetch(f"{production_server}{stylesheet}", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    cache = headers["Cache-Control"]
    assert "immutable" in cache and int(cache.split("max-age=")[1].split(",")[0]) >= ONE_YEAR

    # The unhashed name may change content at any deploy: it is never cached for long.
    status, headers, _ = fetch(f"{production_server}/static/css/site.css")
    assert "immutable" not in headers["Cache-Control"]
