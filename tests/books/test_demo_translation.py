"""The demo's Russian summary keeps every fact of the seed review, as the English one does."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from books.models import Book
from books.summaries.export import iter_exports

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "books" / "demo"
ENGLISH, RUSSIAN = "hands-on-large-language-models", "hands-on-large-language-models-ru"
CYRILLIC = re.compile("[\u0400-\u04ff]")


@pytest.fixture
def summaries():
    """Both demo summaries as the library holds them after ``seed_demo``, by language."""
    call_command("seed_demo", stdout=io.StringIO())
    exported = iter_exports(Book.objects.filter(slug__in=[ENGLISH, RUSSIAN]))
    return {summary["language"]: summary for summary in exported}


def chapters(summary):
    return [[chapter["title"] for chapter in part["chapters"]] for part in summary["parts"]]


def test_the_book_facts_of_the_seed_survive_in_russian(summaries):
    english, russian = summaries["en"], summaries["ru"]
    assert russian["title"] == english["title"] == "Hands-On Large Language Models"
    for fact in ("publisher", "year", "pages", "isbn", "published_at"):
        assert russian[fact] == english[fact], fact
    assert (russian["publisher"], russian["pages"]) == ("O'Reilly Media, Inc.", 428)
    # The same two authors, in Russian spelling, with their sites and the Latin names.
    assert [author["name"] for author in russian["authors"]] == [
        "Джей Аламмар",
        "Маартен Гротендорст",
    ]
    assert [author["url"] for author in russian["authors"]] == [
        "https://jalammar.github.io/",
        "https://newsletter.maartengrootendorst.com/",
    ]
    assert "Jay Alammar" in russian["description"]
    assert "Maarten Grootendorst" in russian["description"]
    assert "Cohere" in russian["authors"][0]["bio"]
    assert "BERTopic" in russian["authors"][1]["bio"] and "KeyBERT" in russian["authors"][1]["bio"]
    assert "300" in russian["description"] and "300" in russian["sections"][0]["body"]


def test_the_russian_summary_has_the_english_structure(summaries):
    english, russian = summaries["en"], summaries["ru"]
    assert [len(titles) for titles in chapters(russian)] == [3, 6, 3]
    assert [len(titles) for titles in chapters(english)] == [3, 6, 3]
    assert sum(map(len, chapters(russian))) == 12
    assert "12 глав" in russian["structure_intro"]
    assert [part["label"] for part in russian["parts"]] == ["I", "II", "III"]
    for key in ("sections", "audience", "tags", "related"):
        assert len(russian[key]) == len(english[key]), key
    assert [link.get("featured") for link in russian["related"]] == [
        link.get("featured") for link in english["related"]
    ]
    assert len(russian["review"]["takeaways"]) == len(english["review"]["takeaways"]) == 4
    assert russian["sections"][0]["heading"] == "Философия книги"


def test_every_text_of_the_russian_summary_is_written_in_russian(summaries):
    english, russian = summaries["en"], summaries["ru"]
    texts = [
        russian["lede"],
        russian["description"],
        russian["authors_intro"],
        russian["structure_intro"],
        *(author["bio"] for author in russian["authors"]),
        *(section["heading"] for section in russian["sections"]),
        *(section["body"] for section in russian["sections"]),
        *russian["audience"],
        *(part["title"] for part in russian["parts"]),
        *(part["summary"] for part in russian["parts"]),
        *(chapter["summary"] for part in russian["parts"] for chapter in part["chapters"]),
        russian["review"]["title"],
        russian["review"]["body"],
        *(item[key] for item in russian["review"]["takeaways"] for key in ("title", "text")),
        *(link["note"] for link in russian["related"]),
    ]
    for text in texts:
        assert text.strip(), "an empty text"
        assert CYRILLIC.search(text), text
    english_texts = {english["lede"], english["description"], *english["audience"]}
    assert not english_texts & set(texts)


def test_the_review_is_the_seed_review_from_book_cube(summaries):
    english, russian = summaries["en"], summaries["ru"]
    assert russian["review"]["reviewer"] == "Александр Поломодов"
    assert russian["review"]["url"] == english["review"]["url"] == "https://t.me/book_cube"
    assert "Книжный куб" in russian["review"]["source"]
    assert russian["review"]["published_at"] == english["review"]["published_at"]


def test_the_russian_file_names_the_english_summary_as_its_translation():
    data = json.loads((DEMO / f"{RUSSIAN}.json").read_text(encoding="utf-8"))
    assert (data["slug"], data["language"], data["translation_of"]) == (RUSSIAN, "ru", ENGLISH)
    assert json.loads((DEMO / f"{ENGLISH}.json").read_text())["slug"] == ENGLISH


def test_readers_find_the_russian_summary_on_the_russian_interface(client, summaries):
    page = client.get(f"/ru/books/{RUSSIAN}/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Джей Аламмар", "Маартен Гротендорст", "O&#x27;Reilly Media, Inc.", "428"):
        assert text in html, text
    for text in ("Философия книги", "Внутри трансформера", "Материал для собеседований"):
        assert text in html, text
    assert client.get(f"/books/{RUSSIAN}/").status_code == 200
