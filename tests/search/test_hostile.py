"""Any input is safe: every query answers 200 with results or a clear message."""

import os

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from books.models import Book
from books.search import search, suggest
from tests.shared_data import shared_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_library(django_db_setup, django_db_blocker):
    """The demo library, loaded and indexed once for the module: its tests only search it."""

    def build():
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", stdout=quiet)
        return Book.objects.get(slug="hands-on-large-language-models")

    yield from shared_rows(django_db_blocker, build)


HOSTILE = [
    '"',
    '"unterminated',
    "it's",
    "C++",
    "multi-agent",
    "(",
    ")",
    "AND",
    "OR",
    "NOT",
    "NEAR(",
    "^",
    "*",
    "title:x",
    "-",
    "a & | b",
    "\\",
    "ubuntu 20.04",
    "reader@example.com",
    "🙂🚀",
    "Кириллица и поиск",
    "x" * 5000,
    "LLM " * 1250,
    "a\x00b",
    "\x00",
    "",
    "   ",
    "the of and",
    "'; DROP TABLE books_book; --",
    "NEAR(a b, 2)",
    "llm:* & !rag",
    "{title}: llm",
    "\ue000mark\ue001",
    "%_%",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_answer_with_results_or_a_message(client, demo_library, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    results = response.context["results"]
    html = response.content.decode()
    assert results.total or results.message or "No summaries match" in html
    assert client.get("/search/suggest/", {"q": query}).status_code == 200


def test_messages_for_empty_and_common_only(client, demo_library):
    assert "Type a word to search for." in client.get("/search/", {"q": ""}).content.decode()
    page = client.get("/search/", {"q": "the and"}).content.decode()
    assert "only very common words" in page


def test_hostile_words_still_find_what_they_name(demo_library):
    assert search("C++").message == ""
    assert search("ubuntu 20.04").message == ""
    assert search("Кириллица").total == 0
    assert search("LLM " * 1250).query.shortened


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    query=st.lists(
        st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
        | st.sampled_from([*"\"()*^:-+&|!\\'{}[]<>~", "OR", "AND", "NOT", "NEAR(", "-x", '"a b']),
        max_size=8,
    ).map(" ".join),
    tag=st.text(max_size=20),
    page=st.integers(min_value=-5, max_value=10**6),
)
def test_any_text_searches_without_error(demo_library, query, tag, page):
    results = search(query, tags=[tag], page=page)
    # A page the reader can be shown: within the results (or past them, which the page
    # answers with a 404), never more than a page of hits, a hit on every page while
    # anything matches, and only published summaries.
    assert results.page >= 1
    assert results.past_end == (results.page > max(1, results.num_pages))
    assert len(results.hits) <= results.per_page
    assert bool(results.hits) == bool(results.total and not results.past_end)
    # The demo library: the summary and its Russian translation.
    assert {hit.slug for hit in results.hits} <= {demo_library.slug, f"{demo_library.slug}-ru"}
    assert results.page >= 1
    for hit in results.hits:
        assert "<script" not in hit.snippet
    suggest(query)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=40), page=st.text(max_size=8))
def test_any_request_answers_200_or_a_404_for_a_bad_page(client, demo_library, query, page):
    response = client.get("/search/", {"q": query, "page": page, "tag": query})
    good_page = page.isascii() and page.isdigit() and page[0] != "0"
    if not good_page:
        assert response.status_code == 404
        assert "Page numbers are whole numbers from 1 up" in response.content.decode()
    elif page == "1":
        assert response.status_code == 200
    else:
        assert response.status_code in (200, 404)
