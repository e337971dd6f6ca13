"""Set-up commands: the demo library and the first editor account."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from books.models import Book

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)
    assert Book.objects.published().count() == 1
    assert "Added demo summary: /books/hands-on-large-language-models/" in out.getvalue()
    assert "Demo summary up to date" in out.getvalue()


def test_ensure_editor_creates_one_editor_with_a_generated_password(client):
    out = io.StringIO()
    call_command("ensure_editor", stdout=out)
    password = out.getvalue().split("password: ")[1].split()[0]
    assert len(password) >= 12
    assert client.login(username="editor", password=password)
    assert client.get("/admin/books/book/").status_code == 200

    again = io.StringIO()
    call_command("ensure_editor", stdout=again)
    assert "password" not in again.getvalue().split("createsuperuser")[0].lower()
    assert get_user_model().objects.count() == 1


def test_each_new_editor_gets_a_different_password():
    passwords = set()
    for _ in range(2):
        get_user_model().objects.all().delete()
        out = io.StringIO()
        call_command("ensure_editor", stdout=out)
        passwords.add(out.getvalue().split("password: ")[1].split()[0])
    assert len(passwords) == 2
