"""Production safety: deploy checks, security headers, the CSP on every page, media, sign-in throttling."""

import io
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from config.security import client_ip
from tests.factories import BookFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


# --- check --deploy ------------------------------------------------------------------------


def production_env(**overrides):
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_", "BEHIND_PROXY"))
    }
    return {
        **base,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "books.example.org",
        "BEHIND_PROXY": "true",
        "DATABASE_URL": "sqlite://:memory:",
        **overrides,
    }


def check_deploy(**overrides):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(**overrides),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_passes_with_production_settings():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "warning"),
    [
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
        ({"SECURE_COOKIES": "false"}, "security.W012"),
    ],
)
@pytest.mark.slow
def test_check_deploy_fails_when_a_protection_is_switched_off(override, warning):
    result = check_deploy(**override)
    assert result.returncode != 0
    assert warning in result.stderr


@pytest.mark.slow
def test_production_settings_trust_proxy_headers_only_when_told():
    code = "import config.settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    for behind, expected in (("true", "('HTTP_X_FORWARDED_PROTO', 'https')"), ("false", "None")):
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=production_env(BEHIND_PROXY=behind),
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == expected


# --- Headers and the Content-Security-Policy ---------------------------------------------------


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = []
        self.handlers = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        self.handlers += [
            f"<{tag} {name}={value!r}>"
            for name, value in attrs.items()
            if name.startswith("on")
            or (
                (value or "").strip().lower().startswith("javascript:")
                and value not in INERT_JAVASCRIPT_URLS
            )
        ]


# django-nested-admin's add/remove links carry these do-nothing URLs; its script
# handles the click and prevents the navigation, so the policy never sees them.
INERT_JAVASCRIPT_URLS = {"javascript:void(0)", "javascript://"}


# Data blocks are not executed, so the policy does not apply to them.
DATA_BLOCK_TYPES = {"application/json", "application/ld+json"}


def assert_scripts_allowed_by_the_policy(response):
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    parser = _PageParser()
    parser.feed(response.content.decode())
    assert not parser.handlers, f"inline event handlers or javascript: URLs: {parser.handlers}"
    for script in parser.scripts:
        src = script.get("src")
        if src:
            assert src.startswith("/") and not src.startswith("//"), f"foreign script {src}"
        elif script.get("type", "").lower() not in DATA_BLOCK_TYPES:
            assert nonce and script.get("nonce") == nonce.group(1), f"inline script {script}"
    return parser.scripts


def assert_security_headers(response):
    policy = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
                      "base-uri 'none'"):  # fmt: skip
        assert directive in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_public_pages_send_the_policy_and_run_no_unapproved_script(client, demo_book):
    draft = BookFactory(draft=True)
    editor = Client()
    editor.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    share = editor.post(f"/admin/books/book/{draft.pk}/share/", follow=True).content.decode()
    preview = re.search(r'value="http://testserver(/preview/[^"]+)"', share).group(1)
    for url in ("/", demo_book.get_absolute_url(), "/no-such-page/", preview, "/preview/bad/"):
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        assert_security_headers(response)
        assert_scripts_allowed_by_the_policy(response)


@pytest.mark.django_db
def test_admin_pages_send_the_policy_and_every_script_has_the_nonce(client, demo_book):
    assert_security_headers(client.get("/admin/login/"))
    assert_scripts_allowed_by_the_policy(client.get("/admin/login/"))
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    pk = demo_book.pk
    pages = [
        "/admin/",
        "/admin/books/book/",
        f"/admin/books/book/{pk}/change/",
        "/admin/books/book/add/",
        f"/admin/books/book/{pk}/history/",
        f"/admin/books/book/{pk}/share/",
        "/admin/books/book/recover/",
        "/admin/books/author/add/",
        f"/admin/reviews/review/{demo_book.review.pk}/change/",
        "/admin/auth/user/",
    ]
    history = client.get(f"/admin/books/book/{pk}/history/").content.decode()
    version = re.search(r'name="from" value="(\d+)"', history).group(1)
    pages.append(f"/admin/books/book/{pk}/history/compare/?from={version}")
    scripts = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
        scripts += len(assert_scripts_allowed_by_the_policy(response))
    assert scripts > 20  # the admin's own scripts were seen and checked


# --- Media --------------------------------------------------------------------------------------


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 200, 10)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_uploaded_images_are_served_with_nosniff_and_a_sandbox(editor_client, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")
    code = editor_client.post("/markdownx/upload/", {"image": upload}).json()["image_code"]
    url = re.search(r"\((/media/[^)]+)\)", code).group(1)

    response = client.get(url)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.format == "PNG"


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_only_offered_as_a_download(client, media_root):
    (media_root / "covers").mkdir(parents=True)
    (media_root / "covers" / "page.html").write_text("<script>alert(1)</script>")
    (media_root / ".secret").write_text("hidden")

    response = client.get("/media/covers/page.html")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"] == "attachment"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert client.get("/media/.secret").status_code == 404
    assert client.get("/media/../config/settings.py").status_code == 404
    assert client.get("/media/covers/").status_code == 404
    assert client.get("/media/nothing.png").status_code == 404
    assert client.post("/media/covers/page.html").status_code == 405


# --- Admin sign-in throttling --------------------------------------------------------------------

# Addresses from the documentation ranges (RFC 5737): never real hosts.
ADDRESSES = [f"192.0.2.{n}" for n in range(1, 20)]


def sign_in(client, username, password, address, **headers):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


@pytest.fixture
def account(db):
    return UserFactory(username="editor1", is_staff=True, password="right-password-123")


def test_failed_sign_ins_lock_the_account_from_every_address(account, settings):
    client = Client()
    for address in ADDRESSES[: settings.AXES_FAILURE_LIMIT - 1]:
        assert sign_in(client, "editor1", "wrong", address).status_code == 200
    assert sign_in(client, "editor1", "wrong", ADDRESSES[9]).status_code == 429
    response = sign_in(client, "editor1", "right-password-123", ADDRESSES[10])
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_sign_ins_lock_the_address_for_every_account(account, settings):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess{n}", "wrong", "198.51.100.7")
    assert sign_in(client, "editor1", "right-password-123", "198.51.100.7").status_code == 429
    assert sign_in(client, "editor1", "right-password-123", "198.51.100.8").status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_lock_out(account, settings):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess{n}", "wrong", "198.51.100.7", HTTP_X_FORWARDED_FOR=ADDRESSES[n])
    response = sign_in(
        client, "editor1", "right-password-123", "198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.99"
    )
    assert response.status_code == 429


def test_behind_a_proxy_the_address_it_saw_is_used(rf, settings):
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_ip(request) == "203.0.113.5"  # the client's own claim (6.6.6.6) is ignored
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"
    settings.BEHIND_PROXY = True
    garbage = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>, x")
    assert client_ip(garbage) == "127.0.0.1"


def test_a_successful_sign_in_still_works_and_resets_the_count(account, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "editor1", "wrong", "192.0.2.50")
    assert sign_in(client, "editor1", "right-password-123", "192.0.2.50").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "editor1", "wrong", "192.0.2.50")
    assert sign_in(client, "editor1", "right-password-123", "192.0.2.50").status_code == 302
