"""The admin in the editor's chosen language: a switcher in its header, the project's own
strings translated, and the commands' messages in the language that is active."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation
from reversion.models import Version

from books.models import Book
from tests.admin_forms import form_data
from tests.factories import BookFactory, UserFactory

pytestmark = pytest.mark.django_db

DEMO_FILE = Path(__file__).resolve().parents[2] / "books" / "demo"
DEMO_FILE = DEMO_FILE / "hands-on-large-language-models.json"


def change_url(book, suffix="change/"):
    return f"/admin/books/book/{book.pk}/{suffix}"


def choose_language(client, language, page="/admin/"):
    """Pick ``language`` with the header's switcher on ``page``, as an editor does."""
    html = client.get(page).content.decode()
    assert 'action="/i18n/setlang/"' in html and f'name="next" value="{page}"' in html
    response = client.post("/i18n/setlang/", {"language": language, "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    return client


def russian_editor(username="ed-ru"):
    client = Client()
    client.force_login(UserFactory(username=username, is_staff=True, is_superuser=True))
    return choose_language(client, "ru")


def test_the_admin_is_english_until_the_editor_chooses_russian(editor_client):
    html = editor_client.get("/admin/").content.decode()
    assert "What needs doing" in html and "Log out" in html
    assert '<option value="ru" lang="ru">Русский</option>' in html

    choose_language(editor_client, "ru")
    response = editor_client.get("/admin/")
    html = response.content.decode()
    assert response["Content-Language"] == "ru"
    assert '<html lang="ru"' in html
    # The project's own strings and Django's.
    assert "Что нужно сделать" in html and "Ваши черновики" in html
    assert "Конспекты книг — редакция" in html
    assert "Выйти" in html and "What needs doing" not in html
    assert '<option value="ru" lang="ru" selected>Русский</option>' in html

    choose_language(editor_client, "en")
    assert "What needs doing" in editor_client.get("/admin/").content.decode()


def test_the_cookie_does_not_move_readers_pages_off_english(client, demo_book):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get(demo_book.get_absolute_url())
    assert response.status_code == 200 and response["Content-Language"] == "en"


def test_the_dashboard_counts_in_russian_plural_forms(db):
    editor = russian_editor()
    BookFactory.create_batch(3, draft=True)
    html = editor.get("/admin/").content.decode()
    assert "Все 3 конспекта, в которых чего-то не хватает" in html
    assert "Все черновики (3)" in html and "Ещё не заполнены" in html
    assert "не хватает: обложка" in html  # the checklist's own labels

    BookFactory.create_batch(2, draft=True)
    assert (
        "Все 5 конспектов, в которых чего-то не хватает" in editor.get("/admin/").content.decode()
    )


def test_the_summary_page_speaks_russian(demo_book):
    html = russian_editor().get(change_url(demo_book)).content.decode()
    # Fieldsets, labels and help texts of the model.
    assert "О книге" in html and "Подзаголовок" in html
    assert "Зацепка в начале: одно–три предложения" in html
    assert "Последняя часть адреса конспекта (/books/…/)" in html
    assert "Краткое содержание главы в Markdown." in html
    # The checklist, the publishing buttons and the share links.
    assert "Что есть в конспекте:" in html
    assert (
        'value="Сохранить изменения"' in html
        and "Снять с публикации (сохранить как черновик)" in html
    )
    assert "Ссылки для просмотра" in html
    assert "The opening hook" not in html and "What this summary has" not in html
    # The words the page's script shows (contents bar, collapse buttons, the alt-text prompt).
    assert 'data-collapse="Свернуть"' in html and 'data-expand="Развернуть"' in html
    assert 'data-alt-prompt="Опишите это изображение' in html


def test_the_conflict_screen_speaks_russian(demo_book):
    first = Client()
    first.force_login(UserFactory(username="alice", is_staff=True, is_superuser=True))
    second = russian_editor("boris")
    firsts_form = form_data(first.get(change_url(demo_book)), "book_form")
    seconds_form = form_data(second.get(change_url(demo_book)), "book_form")
    firsts_form["title"] = "Alice's title"
    assert first.post(change_url(demo_book), firsts_form).status_code == 302

    seconds_form["subtitle"] = "Подзаголовок Бориса"
    response = second.post(change_url(demo_book), seconds_form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Не сохранено: конспект изменился, пока вы его редактировали" in html
    assert "Кто-то другой сохранил этот конспект после того, как вы его открыли" in html
    assert (
        "После того как вы его открыли, его сохраняли:" in html and "<strong>alice</strong>" in html
    )
    assert "Что изменилось с тех пор, как вы его открыли" in html
    # The differences are labelled in Russian too.
    assert "Название: <ins>Alice&#x27;s title</ins>" in html
    assert Book.objects.get(pk=demo_book.pk).subtitle != "Подзаголовок Бориса"


def test_the_history_and_compare_screens_speak_russian(demo_book):
    editor = russian_editor()
    data = form_data(editor.get(change_url(demo_book)), "book_form")
    data.update({"title": "Новое название", "parts-1-chapters-0-summary": "Новый текст главы."})
    assert editor.post(change_url(demo_book), data).status_code == 302

    history = editor.get(change_url(demo_book, "history/")).content.decode()
    assert "Каждое сохранение конспекта хранится" in history
    assert "Сравнить выбранные версии" in history and "Восстановить эту версию" in history
    assert "Изменено Название." in history  # Django's change message, with our field label

    new, old = Version.objects.get_for_object(demo_book)[:2]
    compare = editor.get(change_url(demo_book, "history/compare/"), {"from": old.pk, "to": new.pk})
    html = compare.content.decode()
    assert compare.status_code == 200
    assert "Изменения в «Новое название»" in html
    assert "Название: <del>Hands-On Large Language Models</del>" in html
    assert "Глава 2.1: Text classification" in html
    assert "− удалено" in html and "Назад к истории" in html


def test_a_form_level_check_is_refused_in_russian(db):
    editor = russian_editor()
    data = form_data(editor.get("/admin/books/book/add/"), "book_form")
    data.update({"title": "Новый конспект", "slug": "novyi-konspekt", "_save_draft": "1"})
    for index, title in enumerate(["Первая", "Вторая"]):
        data.update({
            f"related_links-{index}-title": title,
            f"related_links-{index}-note": "почему",
            f"related_links-{index}-featured": "on",
        })  # fmt: skip
    data["related_links-TOTAL_FORMS"] = "2"
    response = editor.post("/admin/books/book/add/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "В конспекте может быть выделена только одна связанная ссылка." in html
    assert "Only one related link" not in html
    assert not Book.objects.filter(slug="novyi-konspekt").exists()


def test_an_action_reports_in_russian_with_plural_forms(db):
    editor = russian_editor()
    drafts = BookFactory.create_batch(2, draft=True)
    response = editor.post(
        "/admin/books/book/",
        {"action": "publish", "_selected_action": [book.pk for book in drafts]},
        follow=True,
    )
    assert "2 конспекта опубликованы: читатели уже видят их." in response.content.decode()


def import_refused(path):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("import_summaries", str(path), stdout=out, stderr=err)
    return err.getvalue() + str(refusal.value)


def test_import_refusals_are_english_by_default_and_russian_when_russian_is_active(
    tmp_path, demo_book
):
    data = json.loads(DEMO_FILE.read_text())
    data["parts"] = data["parts"][:1]
    path = tmp_path / "shorter.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    english = import_refused(path)
    assert "updating the existing summary 'hands-on-large-language-models' would remove" in english
    assert "2 parts (" in english and f"Nothing from {path} was imported." in english
    assert "1 of 1 file could not be imported." in english

    with translation.override("ru"):
        russian = import_refused(path)
    assert (
        "при обновлении существующего конспекта 'hands-on-large-language-models' пришлось бы "
        "удалить 2 части (" in russian
    )
    assert "Чтобы сделать это, импортируйте с --replace." in russian
    assert f"Из {path} ничего не импортировано." in russian
    assert "Не удалось импортировать файлов: 1 из 1." in russian
    assert Book.objects.get(pk=demo_book.pk).parts.count() == 3
