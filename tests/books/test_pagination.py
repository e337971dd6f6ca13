"""Every paginated page takes only sensible page numbers, with a clear 404 for the rest."""

import pytest

from tests.factories import AuthorFactory, BookAuthorFactory, BookFactory
from tests.shared_data import shared_rows

pytestmark = pytest.mark.django_db

PAGINATED = ["/", "/tags/llm/", "/tags/llm/?and=rag", "/authors/ada/"]
BAD_PAGES = {
    "abc": "whole numbers from 1",
    "0": "whole numbers from 1",
    "-1": "whole numbers from 1",
    "1e30": "whole numbers from 1",
    "%00": "whole numbers from 1",
    "1.5": "whole numbers from 1",
    " 2": "whole numbers from 1",
    "99999999999999999999": "whole numbers from 1",
    "3": "There is no page 3: this list has 2 pages.",
    "999": "There is no page 999: this list has 2 pages.",
}


def test_an_empty_library_has_a_first_page(client, db):
    # First: the tests after it share the thirteen books.
    response = client.get("/?page=1")
    assert response.status_code == 200
    assert "No summaries are published yet." in response.content.decode()
    assert client.get("/?page=2").status_code == 404


@pytest.fixture(scope="module")
def thirteen_books(django_db_setup, django_db_blocker):
    """Two pages of one author's summaries, built once for the module's tests (which only read)."""

    def build():
        author = AuthorFactory(name="Ada", slug="ada")
        for _ in range(13):
            BookAuthorFactory(book=BookFactory(tags=["llm", "rag"]), author=author, position=1)

    yield from shared_rows(django_db_blocker, build, after_commit=False)


@pytest.mark.parametrize("url", PAGINATED)
@pytest.mark.parametrize("page", list(BAD_PAGES))
def test_bad_page_numbers_are_a_clear_styled_404(client, thirteen_books, url, page):
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}page={page.replace(' ', '%20')}")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert BAD_PAGES[page] in html


@pytest.mark.parametrize("url", PAGINATED)
def test_valid_pages_work_and_keep_other_parameters(client, thirteen_books, url):
    separator = "&" if "?" in url else "?"
    first = client.get(url)
    second = client.get(f"{url}{separator}page=2")
    assert first.status_code == second.status_code == 200
    assert len(first.context["books"]) == 12
    assert len(second.context["books"]) == 1
    assert "Page 2 of 2" in second.content.decode()
    if "and=rag" in url:
        assert 'href="?and=rag&amp;page=2"' in first.content.decode()
    assert (
        f'rel="canonical" href="http://testserver{url.replace("&", "&amp;")}{separator.replace("&", "&amp;")}page=2"'
        in second.content.decode()
    )
