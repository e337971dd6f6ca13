"""The search page, the search box on every page, and the suggestions endpoint."""

import re

import pytest

from tests.factories import BookFactory

pytestmark = pytest.mark.django_db


def test_search_page_shows_ranked_results_with_highlights(client, demo_library):
    response = client.get("/search/", {"q": "BERTopic"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 summaries match" in html  # the demo and its Russian translation
    assert 'href="/books/hands-on-large-language-models/"' in html
    assert 'href="/books/hands-on-large-language-models-ru/"' in html
    assert 'href="/books/hands-on-large-language-models/#chapter-2-2"' in html
    assert "<mark>BERTopic</mark>" in html
    assert "Jay Alammar, Maarten Grootendorst" in html
    assert 'value="BERTopic"' in html  # the box keeps the query


def test_every_page_has_a_labelled_search_box_that_works_without_javascript(client, demo_library):
    for url in ["/", "/books/hands-on-large-language-models/", "/search/?q=x"]:
        html = client.get(url).content.decode()
        form = re.search(r'<form class="search-form".*?</form>', html, re.S).group(0)
        assert 'action="/search/"' in form and 'method="get"' in form
        assert '<label for="site-search"' in form and 'name="q"' in form
        assert 'data-suggest-url="/search/suggest/"' in form
        assert re.search(r'<script src="[^"]*js/search-suggest\.js" defer></script>', html)


def test_search_templates_have_no_inline_script_or_style(client, demo_library):
    html = client.get("/search/", {"q": "LLM"}).content.decode()
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_tag_narrowing_links_and_pagination_keep_the_query(client, indexed):
    with indexed():
        for number in range(12):
            BookFactory(
                title=f"Pager {number}", lede="pagerword", tags=["one", "two"][: 1 + number % 2]
            )
    html = client.get("/search/", {"q": "pagerword"}).content.decode()
    assert "12 summaries match" in html
    # "one" is on every match: it would not narrow them, so it is not offered
    assert 'href="?q=pagerword&amp;tag=one"' not in html
    assert 'href="?q=pagerword&amp;tag=two"' in html
    assert 'two <span class="count">6</span>' in html
    assert 'href="?q=pagerword&amp;page=2"' in html
    narrowed = client.get("/search/", {"q": "pagerword", "tag": "two"}).content.decode()
    assert "6 summaries match" in narrowed
    assert 'aria-current="true"' in narrowed
    assert client.get("/search/", {"q": "pagerword", "page": "2"}).context["results"].page == 2
    assert client.get("/search/", {"q": "pagerword", "page": "x"}).status_code == 404


def test_nothing_found_says_so_and_offers_the_closest_word(client, demo_library):
    html = client.get("/search/", {"q": "tokenizaton"}).content.decode()
    assert 'No summaries match <strong class="search-query">tokenizaton</strong>' in html
    assert "Did you mean" in html and 'href="?q=tokenization"' in html
    html = client.get("/search/", {"q": "zzzqqq"}).content.decode()
    assert 'No summaries match <strong class="search-query">zzzqqq</strong>' in html
    assert "Did you mean" not in html


def test_suggest_endpoint_answers_json(client, demo_library):
    response = client.get("/search/suggest/", {"q": "Grooten"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "query": "Grooten",
        "suggestions": [
            {
                "kind": "author",
                "label": "Maarten Grootendorst",
                "url": "/authors/maarten-grootendorst/",
            },
            {"kind": "search", "label": "Search for “Grooten”", "url": "/search/?q=Grooten"},
        ],
    }


def test_search_page_makes_a_fixed_number_of_queries(client, indexed, django_assert_num_queries):
    # Both: the library's languages with the query's synonym sets (one statement),
    # then the page's details and its passages. SQLite: the matches counted, then
    # listed with their tags, then their short fields scored. PostgreSQL: the query
    # compiled, then count, rank and tag counts in one statement, inside a transaction
    # (savepoint, two SET LOCAL, release).
    with indexed():
        BookFactory(title="Countable one", tags=["a"])
    client.get("/search/", {"q": "countable"})  # warm the content-type cache
    with django_assert_num_queries(6 if _sqlite() else 9):
        client.get("/search/", {"q": "countable"})
    with indexed():
        for number in range(9):
            BookFactory(title=f"Countable {number}", tags=["a", "b", f"t{number}"])
    with django_assert_num_queries(6 if _sqlite() else 9):
        client.get("/search/", {"q": "countable"})


def _sqlite():
    from django.db import connection

    return connection.vendor == "sqlite"


def test_results_link_each_summary_and_tag_in_the_readers_language(client, indexed):
    with indexed():
        BookFactory(title="Prefixed", slug="prefixed", lede="prefixword", tags=["alpha"])
    # Whichever language searched first, each page links its own language's pages.
    for prefix in ["", "/ru", "", "/ru"]:
        html = client.get(f"{prefix}/search/", {"q": "prefixword"}).content.decode()
        pills = re.search(r'<ul class="tags" aria-label=.*?</ul>', html, re.S).group(0)
        assert f'href="{prefix}/tags/alpha/"' in pills
        assert f'<h2 class="card-title"><a href="{prefix}/books/prefixed/">' in html
