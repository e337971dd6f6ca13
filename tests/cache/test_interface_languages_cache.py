"""Each language's page is cached on its own: a Russian page is never served at an English
address, nor the other way round, and a cached page sets no cookie.

Marked ``cache``: CI runs this module again against Redis (TEST_REDIS_URL).
"""

import pytest
from django.utils import translation

from tests.factories import build_summary

pytestmark = [pytest.mark.django_db, pytest.mark.cache]


@pytest.fixture
def summary(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        book = build_summary(title="Atomic habits explained", tags=["habits"], authors=1)
    with translation.override("en"):
        return book.get_absolute_url()


def visit(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert not response.cookies, "a readers' page sets no cookie"
    html = response.content.decode()
    return response.headers.get("X-Page-Cache"), html[: html.index("</html>")]


@pytest.mark.parametrize("url", ["/", "/tags/habits/", "/books/", "summary"])
def test_each_language_has_its_own_cached_page(client, summary, url):
    url = summary if url == "summary" else url
    assert visit(client, url)[0] == "miss"
    state, english = visit(client, url)
    assert state == "hit" and '<html lang="en">' in english

    # The Russian address is not given the cached English page…
    state, russian = visit(client, "/ru" + url)
    assert state == "miss" and '<html lang="ru">' in russian and "Конспекты книг" in russian
    state, again = visit(client, "/ru" + url)
    assert state == "hit" and again == russian

    # …nor the English address the Russian one, whatever the browser prefers.
    state, english_again = visit(client, url, accept_language="ru")
    assert state == "hit" and english_again == english and "Конспекты книг" not in english_again


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_a_hit_carries_the_headers_of_the_page_it_stores(client, summary, prefix):
    """The middleware below the cache (language, CSP, frames) is skipped on a hit: what it
    added is stored with the page and sent again."""
    miss = client.get(prefix + summary)
    hit = client.get(prefix + summary)
    assert (miss.headers["X-Page-Cache"], hit.headers["X-Page-Cache"]) == ("miss", "hit")
    assert hit.headers["Content-Language"] == (prefix.strip("/") or "en")
    for header in ("Content-Language", "Content-Security-Policy", "X-Frame-Options", "ETag"):
        assert hit.headers[header] == miss.headers[header], header
    assert hit.content == miss.content
