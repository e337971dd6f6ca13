"""The readers' interface in English and Russian: its words, plural forms, dates and switcher.

English stays at the addresses it always had; Russian is the same page under /ru/.
"""

import re
from datetime import date
from html import unescape

import pytest
from django.utils import translation

from books.models import Book
from tests.factories import (
    AuthorFactory,
    BookAuthorFactory,
    BookFactory,
    build_summary,
)

pytestmark = pytest.mark.django_db

SWITCHER = re.compile(r'<nav class="language-switcher"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r"<a ([^>]*)>([^<]*)</a>")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def english(url_of, *args):
    """An English address (a request to /ru/… leaves Russian active in the test's thread)."""
    with translation.override("en"):
        return url_of(*args)


def html_lang(html):
    return re.search(r'<html lang="([^"]*)"', html)[1]


def text_of(html):
    """The page's words, without markup: what a reader reads."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def switcher(html):
    """``{code: (href, name, current)}`` of the language switcher's links."""
    links = {}
    for attributes, name in LINK.findall(SWITCHER.search(html)[1]):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', attributes))
        assert attrs["lang"] == attrs["hreflang"]
        links[attrs["lang"]] = (unescape(attrs["href"]), name, attrs.get("aria-current") == "page")
    return links


@pytest.fixture
def summary(committed):
    with committed():
        book = build_summary(title="Atomic habits explained", tags=["habits"], authors=1)
        review = book.review
        review.published_on = date(2026, 12, 5)
        review.save()
    return book


def addresses(book):
    return {
        "home": "/",
        "tag": "/tags/habits/",
        "author": english(book.authors.first().get_absolute_url),
        "summary": english(book.get_absolute_url),
        "search": "/search/?q=atomic",
    }


# What each page says in each language (a heading or a count the page shows).
WORDS = {
    "home": ("Newest summaries", "Новые конспекты"),
    "tag": ("Summaries tagged", "Конспекты с тегом"),
    "author": ("Summaries of their books", "Конспекты книг автора"),
    "summary": ("About the book", "О книге"),
    "search": ("1 summary matches", "1 конспект по запросу"),
}


@pytest.mark.parametrize("name", WORDS)
def test_russian_pages_speak_russian_and_english_ones_english(client, summary, name):
    url = addresses(summary)[name]
    in_english, in_russian = WORDS[name]

    html = page(client, url)
    assert html_lang(html) == "en"
    assert in_english in text_of(html) and in_russian not in text_of(html)
    assert ">Browse</a>" in html and "Book summaries" in html

    html = page(client, "/ru" + url)
    assert html_lang(html) == "ru"
    assert in_russian in text_of(html) and in_english not in text_of(html)
    assert ">Каталог</a>" in html and "Конспекты книг" in html
    assert ">Browse</a>" not in html
    # Links on a Russian page keep the reader in Russian.
    assert f'href="/ru{addresses(summary)["summary"]}"' in html


def test_a_summary_in_russian_reads_russian_throughout(client, summary):
    words = text_of(page(client, f"/ru{english(summary.get_absolute_url)}"))
    for expected in (
        "Конспект книги",
        "Содержание",
        "Рецензия",
        "Практическая польза этой главы",
        "Структура книги",
        "Кому стоит прочитать эту книгу?",
        "Наверх",
        "3 практических вывода",
        "12 глав в конспекте",
        "300 страниц",
    ):
        assert expected in words, expected
    for word in ("min read", "About the book", "Who is this book for?", "takeaways", "pages"):
        assert word not in words, word


@pytest.fixture
def reading_times():
    """Summaries that take 1, 2, 5 and 21 minutes to read."""
    books = {}
    for minutes in (1, 2, 5, 21):
        book = BookFactory(title=f"Takes {minutes}")
        Book.objects.filter(pk=book.pk).update(reading_words=230 * minutes)
        books[minutes] = book
    return books


RUSSIAN_MINUTES = {
    1: "1 минута чтения",
    2: "2 минуты чтения",
    5: "5 минут чтения",
    21: "21 минута чтения",
}


def test_reading_time_has_russian_plural_forms(client, reading_times):
    for url in ("/ru/", "/ru/books/"):
        words = text_of(page(client, url))
        for expected in RUSSIAN_MINUTES.values():
            assert expected in words, (url, expected)
        assert "min read" not in words
    for minutes, book in reading_times.items():
        words = text_of(page(client, f"/ru{english(book.get_absolute_url)}"))
        assert RUSSIAN_MINUTES[minutes] in words


def test_reading_time_in_english_is_unchanged(client, reading_times):
    words = text_of(page(client, "/books/"))
    for minutes in (1, 2, 5, 21):
        assert f"{minutes} min read" in words


def test_reading_list_cards_say_the_reading_time_in_the_interface_language(client, reading_times):
    query = "&".join(f"slug={book.slug}" for book in reading_times.values())
    russian = client.get(f"/ru/reading-list/cards/?{query}").json()["cards"]
    in_english = client.get(f"/reading-list/cards/?{query}").json()["cards"]
    assert [card["reading_time"] for card in russian] == list(RUSSIAN_MINUTES.values())
    assert [card["reading_time"] for card in in_english] == [
        "1 min read", "2 min read", "5 min read", "21 min read"
    ]  # fmt: skip


@pytest.fixture
def counted():
    """21 summaries tagged "many": 5 of them "five", 2 "two", 1 "one"; an author of 2, one of 21."""
    prolific = AuthorFactory(name="Prolific Writer")
    pair = AuthorFactory(name="Pair Writer")
    for number in range(21):
        tags = ["many"] + (["five"] if number < 5 else []) + (["two"] if number < 2 else [])
        tags += ["one"] if number < 1 else []
        book = BookFactory(title=f"Counted {number}", tags=tags)
        BookAuthorFactory(book=book, author=prolific, position=1)
        if number < 2:
            BookAuthorFactory(book=book, author=pair, position=2)
    return {"prolific": prolific, "pair": pair}


RUSSIAN_COUNTS = {1: "1 конспект", 2: "2 конспекта", 5: "5 конспектов", 21: "21 конспект"}
TAGS = {1: "one", 2: "two", 5: "five", 21: "many"}


def test_tag_pages_count_summaries_with_russian_plural_forms(client, counted):
    index = text_of(page(client, "/ru/tags/"))
    for count, tag in TAGS.items():
        assert f"{tag} {RUSSIAN_COUNTS[count]}" in index
        heading = re.search(r'<h2 id="tagged"[^>]*>(.*?)</h2>', page(client, f"/ru/tags/{tag}/"))[1]
        assert heading == RUSSIAN_COUNTS[count]
    in_english = text_of(page(client, "/tags/"))
    assert "one 1 summary" in in_english and "many 21 summaries" in in_english


def test_author_pages_count_summaries_with_russian_plural_forms(client, counted):
    # 21 on the first page's count, though a page shows 12 of them.
    assert "21 конспект" in text_of(
        page(client, f"/ru{english(counted['prolific'].get_absolute_url)}")
    )
    assert "2 конспекта" in text_of(page(client, f"/ru{english(counted['pair'].get_absolute_url)}"))
    authors = text_of(page(client, "/ru/authors/"))
    assert "Pair Writer 2 конспекта" in authors and "Prolific Writer 21 конспект" in authors
    assert "2 автора опубликованных конспектов" in authors
    assert "21 summaries" in text_of(page(client, english(counted["prolific"].get_absolute_url)))


def test_book_index_and_search_counts_decline(client, counted, committed):
    assert RUSSIAN_COUNTS[21] in text_of(page(client, "/ru/books/"))
    assert RUSSIAN_COUNTS[5] in text_of(page(client, "/ru/books/?tag=five"))
    with committed():
        Book.objects.filter(pk__in=Book.objects.values("pk")).recount_reading_time()
        from books.search import rebuild

        rebuild()
    assert "21 конспект по запросу" in text_of(page(client, "/ru/search/?q=counted"))
    assert "21 summaries match" in text_of(page(client, "/search/?q=counted"))


def test_dates_are_in_the_reader_language(client, summary):
    assert "5 декабря 2026 г." in text_of(page(client, f"/ru{english(summary.get_absolute_url)}"))
    assert "5 December 2026" in text_of(page(client, english(summary.get_absolute_url)))


def test_feeds_keep_machine_dates_in_russian(client, summary):
    # The Russian feed lists Russian summaries; ?lang=all every language (the summary is English).
    feed = page(client, "/ru/feeds/latest/?lang=all")
    assert re.search(r"<updated>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", feed)
    assert "<title>Конспекты книг: новые</title>" in feed
    assert f"/ru{english(summary.get_absolute_url)}" in feed


def test_a_russian_404_explains_in_russian(client, summary):
    response = client.get("/ru/books/?page=abc")
    assert response.status_code == 404
    html = response.content.decode()
    assert html_lang(html) == "ru" and "Номер страницы — целое число" in html
    assert "Страница не найдена" in html
    # The switcher of a page that does not exist leads to the other language's home page.
    assert switcher(html)["en"][0] == "/books/"
    missing = client.get("/ru/no-such-page/")
    assert switcher(missing.content.decode())["en"][0] == "/"


SWITCHED = [
    "/",
    "/books/?sort=title",
    "/tags/",
    "/tags/habits/",
    "/authors/",
    "/collections/",
    "/reading-list/",
    "/search/?q=atomic",
]


@pytest.mark.parametrize("url", [*SWITCHED, "summary", "author"])
def test_the_switcher_leads_to_the_same_page_in_the_other_language(client, summary, url):
    url = addresses(summary).get(url, url)
    on_english = switcher(page(client, url))
    assert on_english == {"en": (url, "English", True), "ru": ("/ru" + url, "Русский", False)}
    on_russian = switcher(page(client, "/ru" + url))
    assert on_russian == {"en": (url, "English", False), "ru": ("/ru" + url, "Русский", True)}
    # Each link works, and shows the page in its language.
    for code, (href, _, _) in on_english.items():
        assert html_lang(page(client, href)) == code


def test_the_switcher_keeps_only_what_makes_the_page(client, summary):
    links = switcher(page(client, "/tags/?sort=popular&utm_source=newsletter"))
    assert links["ru"][0] == "/ru/tags/?sort=popular"
    links = switcher(page(client, "/books/?tag=habits&sort=time&page=1&utm_source=x"))
    assert links["ru"][0] == "/ru/books/?tag=habits&sort=time"
    # A search keeps its words and known tags, and drops tags the library does not have.
    links = switcher(page(client, "/search/?q=atomic&tag=habits&tag=%3Cb%3Enope%3C%2Fb%3E"))
    assert links["ru"][0] == "/ru/search/?q=atomic&tag=habits"
