"""The summary page's rendered parts: served where the whole page cannot be, retired with it.

The page cache is off here (``PAGE_CACHE_SECONDS=0``), so every request reaches the
view, as a reader with a session always does. Marked ``cache``: CI runs this module
again against Redis (TEST_REDIS_URL).
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from books.models import Author, Book, Chapter
from tests.factories import BookAuthorFactory, RelatedLinkFactory, build_summary

pytestmark = [pytest.mark.django_db, pytest.mark.cache]


@pytest.fixture(autouse=True, params=["database", "cache"])
def token_store(request, settings):
    settings.PAGE_CACHE_TOKENS = request.param
    settings.PAGE_CACHE_SECONDS = 0
    return request.param


@pytest.fixture
def library(committed):
    """Alpha, whose page is read; Beta under its "more like this"; Gamma, which it links to."""
    with committed():
        alpha = build_summary(title="Alpha title", tags=["llm", "nlp"], authors=0)
        BookAuthorFactory(book=alpha, author=Author.objects.create(name="Ada Writer"), position=1)
        beta = build_summary(title="Beta title", tags=["nlp"])
        gamma = build_summary(title="Gamma title", tags=["cooking"])
        RelatedLinkFactory(book=alpha, target=gamma, position=5, note="Read it next")
    return {"alpha": alpha, "beta": beta, "gamma": gamma}


def visit(client, url):
    """The page's text and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


def article(html):
    return html[html.index("<article") : html.index("</article>")]


def test_the_second_visit_reads_the_summary_from_its_fragments_and_shows_the_same(client, library):
    url = library["alpha"].get_absolute_url()
    first, rendered = visit(client, url)
    second, from_fragments = visit(client, url)
    assert second == first
    assert "Alpha title" in second and "Ada Writer" in second and "Gamma title" in second
    # The loader's dozen queries are skipped: the book's row and its version token remain.
    assert rendered >= 10
    assert from_fragments <= 3


def test_fragments_can_be_turned_off(client, library, settings):
    settings.FRAGMENT_CACHE_SECONDS = 0
    url = library["alpha"].get_absolute_url()
    _, first = visit(client, url)
    _, second = visit(client, url)
    assert second == first >= 10


def test_every_change_the_page_shows_retires_its_fragments(client, library, committed):
    alpha, beta, gamma = library["alpha"], library["beta"], library["gamma"]
    url = alpha.get_absolute_url()
    visit(client, url)
    chapter = Chapter.objects.filter(part__book=alpha).first()
    with committed():
        chapter.title = "A rewritten chapter"
        chapter.save()
    assert "A rewritten chapter" in visit(client, url)[0]
    with committed():  # shown under "more like this"
        beta.title = "Beta renamed"
        beta.save()
    assert "Beta renamed" in visit(client, url)[0]
    with committed():  # the summary Alpha links to
        gamma.title = "Gamma renamed"
        gamma.save()
    assert "Gamma renamed" in visit(client, url)[0]
    with committed():
        author = Author.objects.get(name="Ada Writer")
        author.name = "Ada Renamed"
        author.save()
    html = visit(client, url)[0]
    assert "Ada Renamed" in html and "Ada Writer" not in html
    gamma_link = f'href="{gamma.get_absolute_url()}"'
    assert gamma_link in visit(client, url)[0]
    with committed():
        Book.objects.get(pk=gamma.pk).delete()
    # The link stays as a citation of the title, no longer a way to a page that is gone.
    html = visit(client, url)[0]
    assert "<cite>Gamma renamed</cite>" in html and gamma_link not in html


def test_editors_share_a_public_summarys_fragments_but_a_draft_is_always_rendered(
    editor_client, library, committed
):
    url = library["alpha"].get_absolute_url()
    html, _ = visit(Client(), url)  # a reader's visit fills the fragments
    editor_html, queries = visit(editor_client, url)
    assert queries <= 8  # the session and the user, besides the book and its token
    assert article(editor_html) == article(html) and "Alpha title" in article(html)
    with committed():
        draft = build_summary(title="Secret draft", draft=True)
    chapter = Chapter.objects.filter(part__book=draft).first()
    visit(editor_client, draft.get_absolute_url())
    # Changed without a commit, so nothing retires a thing: only rendering afresh shows it.
    chapter.title = "Edited in the draft"
    chapter.save()
    assert "Edited in the draft" in visit(editor_client, draft.get_absolute_url())[0]
