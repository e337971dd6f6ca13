"""Faults and abuse at the edges of the site: logging, methods, media names, a busy
database, sign-in bursts and expensive images."""

# ruff: noqa: S310 (every URL opened here is the local test server's)

import errno
import http.cookiejar
import io
import json
import pathlib
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests.servers import free_port, gunicorn, manage, production_env

# --- Request ids and logs ------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client, settings):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second
    # A client's own id is ignored unless a trusted proxy sets it.
    forged = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert forged.headers["X-Request-ID"] != "abc-123"
    settings.BEHIND_PROXY = True
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    assert (
        client.get("/healthz", headers={"X-Request-ID": "bad id\n"}).headers["X-Request-ID"]
        != "bad id\n"
    )


def _break_the_library(env):
    """Drop the books table under a migrated library: every list page then fails (a 500)."""
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as database:
        database.execute("DROP TABLE books_book")


@pytest.mark.slow
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_server_error_is_logged_with_its_traceback_and_request_id(tmp_path, log_format):
    env = production_env(
        tmp_path, free_port(), WEB_CONCURRENCY="1", GUNICORN_THREADS="2", LOG_FORMAT=log_format
    )
    log = tmp_path / "server.log"
    with gunicorn(env, "/healthz", stderr=log) as base:
        _break_the_library(env)
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(f"{base}/", timeout=10)
        assert failed.value.code == 500
        request_id = failed.value.headers["X-Request-ID"]
        failed.value.close()  # an open connection would hold up the server's shutdown
        deadline = time.monotonic() + 10
        while request_id not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
    text = log.read_text()
    assert "Traceback (most recent call last)" in text or "Traceback" in text, text[-3000:]
    assert "no such table: books_book" in text
    lines = [line for line in text.splitlines() if request_id in line]
    assert lines, f"no log line names request {request_id}"
    if log_format == "json":
        records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        errors = [r for r in records if r["level"] == "ERROR" and r["request_id"] == request_id]
        assert errors and "no such table" in errors[0]["traceback"]


# --- Methods ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/", "/feeds/latest/", "/sitemap.xml", "/robots.txt", "/healthz", "/search/?q=x",
     "/admin/login/", "/tags/"],
)  # fmt: skip
def test_trace_is_refused_everywhere(client, url):
    response = client.generic("TRACE", url)
    assert response.status_code == 405
    assert b"TRACE" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/search/?q=model", "/search/suggest/?q=mo", "/sitemap.xml"])
def test_head_answers_like_get(client, url):
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code == 200
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.content == b""


# --- Media names -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["a" * 255, "a" * 300, "é" * 200 + ".png", "covers/" + "b" * 256 + ".jpg"]
)
@pytest.mark.parametrize("python", ["this Python", "Python 3.12"])
def test_a_media_name_too_long_for_the_file_system_is_a_404(client, monkeypatch, name, python):
    if python == "Python 3.12":
        # Python 3.12's Path.exists() raises ENAMETOOLONG where 3.13 answers False.
        original = pathlib.Path.exists

        def exists(path, *args, **kwargs):
            if any(len(part.encode()) > 255 for part in path.parts):
                raise OSError(errno.ENAMETOOLONG, "File name too long", str(path))
            return original(path, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, "exists", exists)
    assert client.get(f"/media/{urllib.parse.quote(name)}").status_code == 404


# --- A long SQLite import and the editors -----------------------------------------------------------


def _csrf_opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def _sign_in(opener, base, username, password, token):
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "next": "/admin/",
         "csrfmiddlewaretoken": token}
    ).encode()  # fmt: skip
    request = urllib.request.Request(
        f"{base}/admin/login/", data=data, headers={"Referer": f"{base}/admin/login/"}
    )
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode(), response.url
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.url


def _login_token(opener, base):
    with opener.open(f"{base}/admin/login/", timeout=10) as response:
        page = response.read().decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.mark.slow
def test_an_editor_signing_in_during_a_long_import_gets_a_clear_page_not_a_500(tmp_path):
    env = production_env(
        tmp_path, free_port(), WEB_CONCURRENCY="1", GUNICORN_THREADS="2", SQLITE_BUSY_TIMEOUT="1"
    )
    with gunicorn(env, "/healthz") as base:
        manage(env, "shell", "-c", CREATE_EDITOR)
        opener, _ = _csrf_opener()
        token = _login_token(opener, base)
        # What import_summaries does to SQLite for a whole file: hold the write lock.
        path = env["DATABASE_URL"].removeprefix("sqlite:///")
        importer = sqlite3.connect(path, isolation_level=None)
        importer.execute("BEGIN IMMEDIATE")
        try:
            status, page, _ = _sign_in(opener, base, "editor1", "right-password-123", token)
        finally:
            importer.execute("ROLLBACK")
            importer.close()
        assert status == 503
        assert "An import of summary files is writing to the database" in page
        status, _, url = _sign_in(opener, base, "editor1", "right-password-123", token)
        assert status == 200 and url.endswith("/admin/")


# --- Sign-in bursts ---------------------------------------------------------------------------------

CREATE_EDITOR = (
    "from django.contrib.auth import get_user_model; "
    "get_user_model().objects.create_user('editor1', password='right-password-123', "
    "is_staff=True)"
)
WRONG = "Please enter the correct username and password"


def _burst(base, attempts, token_holder):
    """Send ``attempts`` (username, password) sign-ins at once; their answers."""
    answers = [None] * len(attempts)
    start = threading.Barrier(len(attempts))

    def attempt(index, username, password):
        opener, token = token_holder()
        start.wait()
        answers[index] = _sign_in(opener, base, username, password, token)

    threads = [
        threading.Thread(target=attempt, args=(index, *pair)) for index, pair in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


def _check_burst(base):
    def fresh_client():
        opener, _ = _csrf_opener()
        return opener, _login_token(opener, base)

    answers = _burst(base, [("editor1", f"wrong-{n}") for n in range(16)], fresh_client)
    wrong = [status for status, page, _ in answers if status == 200 and WRONG in page]
    locked = [status for status, _, _ in answers if status == 429]
    assert len(wrong) <= 5, f"{len(wrong)} wrong-password answers got past a limit of 5"
    assert len(wrong) + len(locked) == 16
    opener, token = fresh_client()
    status, _, _ = _sign_in(opener, base, "editor1", "right-password-123", token)
    assert status == 429, "the right password got in after the burst"


@pytest.mark.slow
def test_the_sign_in_limit_holds_under_a_parallel_burst_on_sqlite(tmp_path):
    env = production_env(tmp_path, free_port(), WEB_CONCURRENCY="2", GUNICORN_THREADS="8")
    with gunicorn(env, "/healthz") as base:
        manage(env, "shell", "-c", CREATE_EDITOR)
        _check_burst(base)


@pytest.mark.slow
def test_the_sign_in_limit_holds_under_a_parallel_burst_on_postgresql(tmp_path):
    from tests.postgres import throwaway_database

    with throwaway_database("sign_in") as url:
        env = production_env(
            tmp_path, free_port(), WEB_CONCURRENCY="2", GUNICORN_THREADS="8", DATABASE_URL=url
        )
        with gunicorn(env, "/healthz") as base:
            manage(env, "shell", "-c", CREATE_EDITOR)
            _check_burst(base)


# --- Images ---------------------------------------------------------------------------------------


def _gif(frames, side):
    """An animation of ``frames`` one-colour frames, each a different colour (so none is merged).

    Palette frames: Pillow writes them without quantising, five times faster than RGB ones.
    """
    palette = [value for index in range(256) for value in (index, 255 - index, index // 2)]
    images = []
    for n in range(frames):
        image = Image.new("P", (side, side), n % 256)
        image.putpalette(palette)
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("side", "message"),
    [(6300, "The image has too many pixels."), (4500, "too many pixels in all")],
)
def test_a_huge_animation_is_refused_at_once(editor_client, side, message):
    data = _gif(8, side)  # 6300: 243 KB, 317 million pixels to re-encode
    assert len(data) < 300_000
    start = time.perf_counter()
    response = editor_client.post(
        "/markdownx/upload/", {"image": SimpleUploadedFile("a.gif", data, "image/gif")}
    )
    assert time.perf_counter() - start < 2
    assert response.status_code == 400
    assert message in response.json()["image"][0]


@pytest.mark.django_db
def test_an_animation_with_too_many_frames_is_refused(editor_client, settings):
    data = _gif(settings.UPLOAD_ANIMATION_MAX_FRAMES + 1, 4)
    response = editor_client.post(
        "/markdownx/upload/", {"image": SimpleUploadedFile("a.gif", data, "image/gif")}
    )
    assert response.status_code == 400
    assert "too many frames" in response.json()["image"][0]


@pytest.mark.django_db
def test_a_small_animation_is_still_accepted_and_keeps_its_frames(editor_client):
    response = editor_client.post(
        "/markdownx/upload/", {"image": SimpleUploadedFile("a.gif", _gif(3, 40), "image/gif")}
    )
    assert response.status_code == 200
    url = re.search(r"\((/media/[^)]+)\)", response.json()["image_code"]).group(1)
    stored = Client().get(url)
    with Image.open(io.BytesIO(b"".join(stored.streaming_content))) as image:
        assert image.n_frames == 3
