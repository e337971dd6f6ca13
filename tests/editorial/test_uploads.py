"""The admin editor's Markdown preview and image upload: staff only, images decoded."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

pytestmark = pytest.mark.django_db


def image_bytes(fmt="PNG", size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def upload(client, content, name="picture.png", content_type="image/png"):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(
        "/markdownx/upload/", {"image": file}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )


@pytest.mark.parametrize("path", ["/markdownx/upload/", "/markdownx/markdownify/"])
def test_anonymous_users_are_refused(client, path):
    assert client.post(path, {"content": "**x**"}).status_code == 403


def test_signed_in_non_staff_users_are_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    assert client.post("/markdownx/markdownify/", {"content": "x"}).status_code == 403


def test_preview_uses_the_public_sanitiser(editor_client):
    response = editor_client.post(
        "/markdownx/markdownify/", {"content": "**hi** <script>alert(1)</script>"}
    )
    assert response.status_code == 200
    assert response.content.decode() == "<p><strong>hi</strong> </p>"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_raster_images_are_stored_under_a_random_name(editor_client, media_root, fmt):
    response = upload(editor_client, image_bytes(fmt), name="../../evil name.html")
    assert response.status_code == 200
    code = response.json()["image_code"]
    assert code.startswith("![](/media/uploads/") and "evil" not in code
    stored = list((media_root / "uploads").iterdir())
    assert len(stored) == 1
    assert stored[0].suffix == {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp", "GIF": ".gif"}[fmt]
    with Image.open(stored[0]) as image:
        assert image.format == fmt


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"<html><script>alert(1)</script></html>", "x.gif", "image/gif"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "x.svg",
            "image/svg+xml",
        ),
        (b"GIF89a" + b"<script>alert(1)</script>", "x.gif", "image/gif"),
        (image_bytes("PNG")[:40], "truncated.png", "image/png"),
        (image_bytes("BMP"), "x.png", "image/png"),
        (b"", "empty.png", "image/png"),
    ],
)
def test_anything_but_a_decodable_raster_image_gets_a_400(
    editor_client, media_root, content, name, content_type
):
    response = upload(editor_client, content, name=name, content_type=content_type)
    assert response.status_code == 400
    assert "not a readable image" in response.json()["image"][0] or "empty" in str(response.json())
    assert not (media_root / "uploads").exists()


def test_oversized_uploads_are_refused_with_the_limit(editor_client, settings):
    settings.UPLOAD_IMAGE_MAX_BYTES = 1024
    response = upload(editor_client, image_bytes("PNG", size=(400, 400)) + b"\0" * 2048)
    assert response.status_code == 400
    assert "too large: the limit is 1 KB" in response.json()["image"][0]


def test_missing_file_gets_a_400(editor_client):
    response = editor_client.post("/markdownx/upload/", {})
    assert response.status_code == 400
    assert response.json() == {"image": ["Choose an image file to upload."]}


def test_a_cover_is_stored_under_the_extension_of_its_real_format(editor_client, media_root):
    from tests.admin_forms import form_data
    from tests.factories import BookFactory

    book = BookFactory()
    url = f"/admin/books/book/{book.pk}/change/"
    data = form_data(editor_client.get(url), "book_form")
    # A PNG that claims to be a JPEG, under the uploader's own name.
    data["cover"] = SimpleUploadedFile(
        "my-cover.jpg", image_bytes("PNG"), content_type="image/jpeg"
    )
    assert editor_client.post(url, data).status_code == 302
    book.refresh_from_db()
    assert book.cover.name.startswith("covers/") and book.cover.name.endswith(".png")
    assert "my-cover" not in book.cover.name
    response = editor_client.get(book.cover.url)
    assert response.headers["Content-Type"] == "image/png"


def test_a_cover_that_is_not_an_image_is_refused_with_a_message(editor_client, media_root):
    from tests.admin_forms import form_data
    from tests.factories import BookFactory

    book = BookFactory()
    url = f"/admin/books/book/{book.pk}/change/"
    data = form_data(editor_client.get(url), "book_form")
    data["cover"] = SimpleUploadedFile(
        "cover.png", b"<svg onload=alert(1)>", content_type="image/png"
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    assert not (media_root / "covers").exists()
