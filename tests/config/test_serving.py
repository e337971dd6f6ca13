"""Production serving: gunicorn's settings from the environment, and the real stack over HTTP."""

import os
import runpy

import pytest

from tests.servers import GUNICORN_CONF, fetch, free_port, gunicorn, production_env

# Each test serves the site with gunicorn.
pytestmark = pytest.mark.slow


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


@pytest.fixture
def production_server(tmp_path):
    """gunicorn with config/gunicorn.conf.py and DEBUG off, on a fresh SQLite file."""
    env = production_env(tmp_path, free_port(), WEB_CONCURRENCY="1", GUNICORN_THREADS="2")
    with gunicorn(env, "/static/css/site.css") as base:
        yield base


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
