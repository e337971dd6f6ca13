"""Search cannot be used to take the site down: bounded work, a time limit, a rate limit."""

import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.core.cache import cache
from django.db import connection

import books.search.core
import books.search.sqlite
from books.search import get_backend, search
from books.search.analysis import MAX_PHRASE_ALTERNATIVES, analyse, clause_keys
from books.search.query import MAX_ALTERNATIVES, MAX_CLAUSES, MAX_PHRASES, TOO_SLOW, parse
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db

DOZEN_PHRASES = " OR ".join(f'"word{n} other{n}"' for n in range(12))


def test_phrases_alternatives_and_terms_are_capped():
    query = parse(DOZEN_PHRASES)
    phrases = [clause for clause in query.clauses if len(clause.words) > 1]
    assert len(phrases) <= MAX_PHRASES
    assert all(len(group) <= MAX_ALTERNATIVES for group in query.groups)
    assert query.shortened
    many = parse(" ".join(f"w{n}" for n in range(40)) + " " + " ".join(f"-x{n}" for n in range(9)))
    assert len(many.clauses) + len(many.excluded) <= MAX_CLAUSES
    # hyphenated words are phrases too, and count as such
    assert len([c for c in parse("a1-b1 a2-b2 a3-b3 a4-b4 a5-b5").clauses if len(c.words) > 1]) <= 3
    assert len(parse('"' + " ".join(f"w{n}" for n in range(50)) + '"').clauses[0].words) <= 6


def test_synonyms_add_a_bounded_number_of_phrases_and_the_readers_words_always_count():
    """Synonym sets that fan each word out to phrases cannot multiply a query's position
    checks: phrases beyond the bound are left out, the words the reader typed never."""
    parsed = parse("alpha beta gamma delta")
    rows = [
        (key, ", ".join([word] + [f"{word} phrase{n} words" for n in range(5)]))
        for word, key in zip(["alpha", "beta", "gamma", "delta"], clause_keys(parsed), strict=True)
    ]
    analysed = analyse(parsed, ["en", "ru"], rows)
    alternatives = [alt for group in analysed.groups for alt in group]
    assert len({alt.stems for alt in alternatives if alt.phrase}) == MAX_PHRASE_ALTERNATIVES
    typed = {alt.words for alt in alternatives if not alt.phrase}
    assert {("alpha",), ("beta",), ("gamma",), ("delta",)} <= typed


@pytest.mark.parametrize("filler", [3, 30])
def test_a_phrase_finds_only_its_own_order_among_few_or_many_matches(indexed, filler, monkeypatch):
    """The engine sizes its work on a cheap count of the phrase's words in any order: a
    phrase still matches only where its words stand together, however many hold them."""
    monkeypatch.setattr(books.search.sqlite, "PUBLIC_LOOKUP_LIMIT", 10)
    with indexed():
        together = BookFactory(title="Queues", lede="Backpressure control keeps queues short.")
        for number in range(filler):
            BookFactory(title=f"Filler {number}", lede="Control the flow; backpressure is later.")
    found = search('"backpressure control"')
    assert (found.total, [hit.slug for hit in found.hits]) == (1, [together.slug])
    assert search("backpressure control").total == filler + 1


def test_a_capped_query_still_searches_and_says_it_was_shortened(client, demo_library):
    response = client.get("/search/", {"q": '"large language" OR ' + DOZEN_PHRASES})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 summaries match" in html  # the demo and its Russian translation
    assert "only its beginning was used" in html


@pytest.fixture
def slow_statement(monkeypatch, settings):
    """Every search's ranking statement preceded by one that outlasts the time limit."""
    settings.SEARCH_TIMEOUT_MS = 50
    monkeypatch.setattr(books.search.sqlite, "PROGRESS_STEPS", 100)
    engine = get_backend()
    find = engine.find

    def slow_find(*args, **kwargs):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_sleep(1)")
            else:
                cursor.execute(
                    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                    "WHERE i < 100000000) SELECT count(*) FROM n"
                )
        return find(*args, **kwargs)

    monkeypatch.setattr(engine, "find", slow_find)


def test_a_search_past_the_time_limit_answers_with_a_message_not_a_500(
    client, demo_library, slow_statement
):
    assert search("LLM").message == TOO_SLOW
    response = client.get("/search/", {"q": "LLM"})
    assert response.status_code == 200
    assert "took too long" in response.content.decode()
    # and the connection is fine for what comes next
    assert client.get("/").status_code == 200


def test_did_you_mean_looks_at_a_bounded_number_of_words(demo_library, monkeypatch):
    engine = get_backend()
    asked = []
    similar = engine.similar_words
    monkeypatch.setattr(
        engine, "similar_words", lambda word, *args: asked.append(word) or similar(word, *args)
    )
    search(" ".join(f"zzqword{n}x" for n in range(8)))
    assert 1 <= len(asked) <= books.search.core.CORRECTED_WORDS


# --- The rate limit ---------------------------------------------------------------------------


@pytest.fixture
def limited(settings, monkeypatch):
    # django-ratelimit counts in fixed windows: a test whose requests straddle a window's
    # end would start counting afresh. Its clock stands still here.
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))
    settings.RATELIMIT_ENABLE = True
    settings.SEARCH_RATE = "3/m"
    settings.SUGGEST_RATE = "3/m"
    cache.clear()
    yield
    cache.clear()


def test_over_the_limit_search_answers_429_with_retry_after_and_a_readable_page(
    client, demo_library, limited
):
    for _ in range(3):
        assert client.get("/search/", {"q": "LLM"}).status_code == 200
    response = client.get("/search/", {"q": "LLM"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 65
    html = response.content.decode()
    assert "<h1>Too many searches</h1>" in html and "Please wait" in html
    for _ in range(3):
        client.get("/search/suggest/", {"q": "ja"})
    suggested = client.get("/search/suggest/", {"q": "ja"})
    assert suggested.status_code == 429 and suggested["Retry-After"]
    assert suggested.json()["suggestions"] == []


def test_readers_of_cached_pages_are_never_limited(client, demo_library, limited):
    for _ in range(4):
        client.get("/search/", {"q": "LLM"})
    assert client.get("/search/", {"q": "LLM"}).status_code == 429
    for url in ["/", "/tags/", f"/books/{demo_library.slug}/"]:
        for _ in range(5):
            assert client.get(url).status_code == 200, url


def test_the_address_comes_from_the_trusted_proxy_setting(client, demo_library, limited, settings):
    # Not behind a proxy: X-Forwarded-For is anyone's to forge, so it is ignored.
    for number in range(4):
        response = client.get("/search/", {"q": "LLM"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    assert response.status_code == 429
    # Behind one proxy: each client the proxy saw is counted on its own.
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    cache.clear()
    for number in range(4):
        response = client.get("/search/", {"q": "LLM"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
        assert response.status_code == 200
    for _ in range(3):
        client.get("/search/", {"q": "LLM"}, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert (
        client.get("/search/", {"q": "LLM"}, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    )


def test_head_on_search_answers_like_get(client, demo_library):
    assert client.head("/search/", {"q": "LLM"}).status_code == 200
