"""Uploads on object storage: MEDIA_STORAGE=s3 puts covers and Markdown images in a bucket.

The bucket is served by moto's standalone server on 127.0.0.1 (tests/s3.py), which
the tests start; the site reaches it through django-storages over HTTP, as it would
reach S3 or MinIO.
"""

# ruff: noqa: S310 (every URL opened here is the local S3 server's)

import io
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.admin_forms import form_data
from tests.factories import BookFactory
from tests.s3 import BUCKET, CREDENTIALS, s3_server

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="session")
def s3_endpoint():
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3_storage(settings, s3_endpoint, monkeypatch, media_root):
    """The site's default storage in the bucket, as MEDIA_STORAGE=s3 sets it."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    settings.AWS_STORAGE_BUCKET_NAME = BUCKET
    settings.AWS_S3_ENDPOINT_URL = s3_endpoint
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_QUERYSTRING_AUTH = False
    settings.AWS_S3_FILE_OVERWRITE = False
    settings.AWS_DEFAULT_ACL = None
    assert type(default_storage._wrapped).__name__ in {"S3Storage", "object"}
    yield s3_endpoint
    assert not media_root.exists() or not any(media_root.rglob("*.*")), "a file reached the disk"


def png_bytes(color=(10, 200, 10)):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), color).save(buffer, "PNG")
    return buffer.getvalue()


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers, response.read()


def test_a_markdown_image_is_uploaded_to_the_bucket(editor_client, s3_storage):
    upload = SimpleUploadedFile("shot.png", png_bytes(), content_type="image/png")
    response = editor_client.post("/markdownx/upload/", {"image": upload})
    assert response.status_code == 200
    url = re.search(r"!\[\]\(([^)]+)\)", response.json()["image_code"]).group(1)
    assert url.startswith(f"{s3_storage}/{BUCKET}/uploads/") and url.endswith(".png")
    headers, body = fetch(url)
    assert headers["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "PNG" and image.size == (8, 6)


def test_a_cover_is_stored_in_the_bucket_and_shown_on_the_page(editor_client, client, s3_storage):
    book = BookFactory(title="Covered in the cloud")
    url = f"/admin/books/book/{book.pk}/change/"
    data = form_data(editor_client.get(url), "book_form")
    data["cover"] = SimpleUploadedFile("c.jpg", png_bytes((200, 0, 0)), content_type="image/jpeg")
    assert editor_client.post(url, data).status_code == 302
    book.refresh_from_db()
    assert book.cover.name.startswith("covers/") and book.cover.name.endswith(".png")
    cover_url = book.cover.url
    assert cover_url.startswith(f"{s3_storage}/{BUCKET}/covers/")
    _, body = fetch(cover_url)
    assert body == png_bytes((200, 0, 0))
    assert cover_url in client.get(book.get_absolute_url()).content.decode()


def test_media_storage_s3_selects_django_storages_with_the_aws_settings():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MEDIA_"))},
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "books-media",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.net",
        "AWS_S3_CUSTOM_DOMAIN": "media.example.org",
    }
    code = (
        "import config.settings as s; print(s.STORAGES['default']['BACKEND'], "
        "s.AWS_STORAGE_BUCKET_NAME, s.AWS_S3_ENDPOINT_URL, s.AWS_S3_CUSTOM_DOMAIN, "
        "s.AWS_QUERYSTRING_AUTH)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage", "books-media", "https://s3.example.net",
        "media.example.org", "False",
    ]  # fmt: skip
    env.pop("AWS_STORAGE_BUCKET_NAME")
    missing = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert missing.returncode != 0 and "AWS_STORAGE_BUCKET_NAME" in missing.stderr
