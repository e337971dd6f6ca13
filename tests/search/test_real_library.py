"""Search on a library unlike the fixtures: full summaries beside one-sentence stubs,
Russian beside English, synonyms editors keep, and results that read well."""

import re

import pytest
from django.core.management import call_command

from books.search import search, suggest
from books.search.models import SynonymSet
from tests.factories import (
    AuthorFactory,
    BookAuthorFactory,
    BookFactory,
    ChapterFactory,
    PartFactory,
)

pytestmark = pytest.mark.django_db

DEMO = "hands-on-large-language-models"


def slugs(results):
    return [hit.slug for hit in results.hits]


@pytest.fixture
def demo_with_stubs(indexed):
    """The demo summary, and short summaries that mention its topics once or carry its tags."""
    with indexed():
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        for number in range(7):
            BookFactory(title=f"Stub {number}", lede="A quick note on LLM apps.", tags=["LLM"])
        for number in range(12):
            BookFactory(
                title=f"Short take {number}",
                lede="One paragraph about transformers.",
                tags=["transformers"],
            )


# --- 1. Ranking that survives short documents ------------------------------------------------


@pytest.mark.parametrize("query", ["LLM", "transformers", '"large language model"'])
def test_a_full_summary_about_the_query_outranks_stubs_that_mention_it(demo_with_stubs, query):
    results = search(query)
    assert results.total > 5  # the stubs match too (a synonym set joins LLM to its long form)
    assert slugs(results)[0] == DEMO


def test_the_best_chapter_stays_the_landing_point(demo_with_stubs):
    hit = search("transformers").hits[0]
    assert hit.snippet_url == f"/books/{DEMO}/#chapter-1-3"
    assert hit.where == "Chapter 3 · Inside the <mark>transformer</mark>"


# --- 2. Languages ---------------------------------------------------------------------------------


@pytest.fixture
def russian(indexed):
    with indexed():
        book = BookFactory(
            title="Надёжные системы хранения", language="ru", lede="Книга о базах данных."
        )
        part = PartFactory(book=book, position=1, title="Основы", summary="")
        ChapterFactory(part=part, position=1, title="Хранимые функции",
                       summary="Функция выполняется рядом с данными.")  # fmt: skip
        ChapterFactory(part=part, position=2, title="Документация",
                       summary="Комментарий к таблице объясняет её назначение.")  # fmt: skip
        ChapterFactory(part=part, position=3, title="Транзакции",
                       summary="Транзакция объединяет операции; уровни изоляции транзакций.")  # fmt: skip
        ChapterFactory(part=part, position=4, title="Секционирование",
                       summary="Секционирование делит большую таблицу на части.")  # fmt: skip
    return book


@pytest.mark.parametrize(
    ("query", "anchor"),
    [
        ("функции", "chapter-1-1"),
        ("Функции", "chapter-1-1"),
        ("комментарии", "chapter-1-2"),
        ("транзакций", "chapter-1-3"),
        ("секционирования", "chapter-1-4"),
        ("надежные", ""),
    ],
)
def test_russian_queries_find_other_inflected_forms(russian, query, anchor):
    results = search(query)
    assert slugs(results) == [russian.slug]
    hit = results.hits[0]
    assert hit.snippet_url == hit.url + (f"#{anchor}" if anchor else "")
    assert "<mark>" in hit.snippet + hit.where or not anchor


def test_a_mixed_library_ranks_each_languages_own_summaries_first(indexed):
    with indexed():
        english = BookFactory(title="Event logs", lede="Kafka streams carry events.")
        russian = BookFactory(
            title="Журналы событий", language="ru", lede="Kafka: потоки событий и очереди."
        )
    # Both match; the query's own language comes first.
    assert slugs(search("Kafka")) == [english.slug, russian.slug]
    assert slugs(search("Kafka OR потоки OR событий")) == [russian.slug, english.slug]
    # English words are still stemmed as English in a Russian summary (as PostgreSQL does)
    assert slugs(search("stream")) == [english.slug]
    assert slugs(search("потоков")) == [russian.slug]


def test_yo_and_ye_fold_together_and_accents_fold_as_before(indexed):
    with indexed():
        book = BookFactory(title="Ёлка и Gödel", language="ru", lede="Елочные игрушки.")
    for query in ["елка", "ёлка", "godel", "Gödel", "ёлочные"]:
        assert slugs(search(query)) == [book.slug], query


# --- 3. Synonyms and acronyms -----------------------------------------------------------------------


def test_default_synonym_sets_ship_with_the_library():
    terms = [str(synonym) for synonym in SynonymSet.objects.all()]
    assert any(term.startswith("LLM, ") and "large language model" in term for term in terms)
    assert "SRE, site reliability engineering" in terms
    assert "RAG, retrieval-augmented generation" in terms


def test_a_synonym_set_changes_results_at_once_without_reindexing(indexed):
    with indexed():
        book = BookFactory(title="Vector stores", lede="Approximate nearest neighbour search.")
    assert search("ANN").total == 0
    synonym = SynonymSet(terms="ANN, approximate nearest neighbour")
    synonym.full_clean()
    synonym.save()
    assert slugs(search("ANN")) == [book.slug]
    # a phrase stays a phrase: the words apart do not match
    with indexed():
        BookFactory(title="Apart", lede="Nearest shops, approximate prices, neighbour towns.")
    assert slugs(search("ANN")) == [book.slug]
    synonym.delete()
    assert search("ANN").total == 0


def test_acronyms_find_their_long_form_and_back(indexed):
    with indexed():
        sre = BookFactory(title="Site Reliability Engineering", lede="How Google runs systems.")
        rag = BookFactory(title="Pipelines", lede="Retrieval-augmented generation in practice.")
    assert slugs(search("SRE")) == [sre.slug]
    assert slugs(search("RAG")) == [rag.slug]
    assert slugs(search('"retrieval augmented generation"')) == [rag.slug]


def test_editors_keep_synonym_sets_in_the_admin(editor_client):
    response = editor_client.get("/admin/search/synonymset/")
    assert response.status_code == 200
    assert "SRE, site reliability engineering" in response.content.decode()
    response = editor_client.post(
        "/admin/search/synonymset/add/", {"terms": "k8s, kubernetes, kube"}, follow=True
    )
    assert response.status_code == 200
    assert SynonymSet.objects.filter(terms="k8s, kubernetes, kube").exists()
    response = editor_client.post("/admin/search/synonymset/add/", {"terms": "lonely"})
    assert "at least two" in response.content.decode()


# --- 4. Results that read well ------------------------------------------------------------------------


def test_a_snippet_is_one_passage_cut_at_sentences_and_labelled(client, demo_library):
    html = client.get("/search/", {"q": "text generation"}).content.decode()
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
    assert "Chapter 7 · Advanced <mark>text</mark> <mark>generation</mark>" in snippet
    assert " · " not in re.sub(r'<a class="snippet-where".*?</a>', "", snippet)


def test_a_passage_with_part_of_a_phrase_is_not_a_hit_for_the_phrase(indexed):
    with indexed():
        book = BookFactory(title="Topics")
        part = PartFactory(book=book, position=1, summary="")
        ChapterFactory(part=part, position=1, title="Models", summary="A modeling primer.")
        ChapterFactory(part=part, position=2, title="Clusters", summary="Topic modeling in depth.")
    hit = search('"topic modeling"').hits[0]
    assert [passage.anchor for passage in hit.passages] == ["chapter-1-2"]
    assert hit.snippet == "<mark>Topic</mark> <mark>modeling</mark> in depth."


def test_suggestions_go_straight_to_what_they_name(indexed):
    with indexed():
        book = BookFactory(title="AI Engineering", tags=["BERTopic"])
        BookAuthorFactory(book=book, author=AuthorFactory(name="Chip Huyen"), position=1)
        BookAuthorFactory(book=book, author=AuthorFactory(name="Jay Alammar"), position=2)
    assert [(s.kind, s.url) for s in suggest("chip")] == [
        ("author", "/authors/chip-huyen/"),
        ("search", "/search/?q=chip"),
    ]
    assert ("tag", "/tags/bertopic/") in [(s.kind, s.url) for s in suggest("bert")]
    assert ("author", "/authors/jay-alammar/") in [(s.kind, s.url) for s in suggest("jay")]
    assert (suggest("engin")[0].kind, suggest("engin")[0].url) == ("title", f"/books/{book.slug}/")
    assert suggest("engin")[-1].kind == "search"


def test_facets_by_count_then_name_hidden_when_they_would_not_narrow(client, indexed):
    with indexed():
        BookFactory(title="One", lede="facetword", tags=["zeta", "Alpha", "beta", "all"])
        BookFactory(title="Two", lede="facetword", tags=["zeta", "all"])
        BookFactory(title="Three", lede="facetword", tags=["all", "Beta2"])
    facets = [(f.name, f.count) for f in search("facetword").facets]
    assert facets == [("zeta", 2), ("Alpha", 1), ("beta", 1), ("Beta2", 1)]
    html = client.get("/search/", {"q": "facetword"}).content.decode()
    assert '<li><a href="/tags/alpha/">Alpha</a></li>' in html  # the tag pills are links


def test_unknown_tags_are_dropped_with_a_plain_message(client, indexed):
    with indexed():
        BookFactory(title="Tagged", lede="dropword", tags=["real"])
    html = client.get(
        "/search/", {"q": "dropword", "tag": ["real", "<b>nope</b>"]}
    ).content.decode()
    assert "1 summary matches" in html
    assert "not tags of this library" in html
    assert "nope" not in html


def test_an_overlong_query_is_echoed_cut_and_cannot_widen_the_page(client, demo_library):
    query = "transformer" * 450 + " LLM"
    html = client.get("/search/", {"q": query}).content.decode()
    main = html.split('<main id="main"', 1)[1]
    assert "transformer" * 30 not in main  # at most the part used
    assert "…" in main
    assert "Your search was long" in main


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1e3", "", "99"])
def test_bad_page_numbers_answer_as_the_list_pages_do(client, demo_library, page):
    search_page = client.get("/search/", {"q": "LLM", "page": page})
    list_page = client.get("/", {"page": page})
    assert search_page.status_code == list_page.status_code == 404
    message = "Page numbers are whole numbers" if page != "99" else "There is no page 99"
    assert message in search_page.content.decode()
    assert message in list_page.content.decode()


def test_no_results_offers_did_you_mean_popular_tags_and_newest(client, demo_library):
    html = client.get("/search/", {"q": "zzqqxx"}).content.decode()
    assert "Popular tags" in html and 'href="/tags/llm/"' in html
    assert "Newest summaries" in html and f'href="/books/{DEMO}/"' in html
    html = client.get("/search/", {"q": "transformerz"}).content.decode()
    assert "Did you mean" in html
