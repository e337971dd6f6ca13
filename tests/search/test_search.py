"""The search contract: the same tests run on whichever database is in use (CI runs both)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from books.models import Book
from books.search import rebuild, search, suggest
from books.search.documents import load_documents
from tests.factories import (
    AuthorFactory,
    BookAuthorFactory,
    BookFactory,
    ChapterFactory,
    PartFactory,
    build_summary,
)

pytestmark = pytest.mark.django_db


def slugs(results):
    return [hit.slug for hit in results.hits]


def passages(results, slug):
    hit = next(hit for hit in results.hits if hit.slug == slug)
    return hit.passages


# --- The demo library: the "done when" ------------------------------------------------

DEMO = "hands-on-large-language-models"
# Its Russian translation, which names BERTopic, Chip Huyen and the title too.
DEMO_RU = "hands-on-large-language-models-ru"


@pytest.mark.parametrize(
    ("query", "anchor", "marked", "found"),
    [
        ("KV-cache", "chapter-1-3", "cache</mark>", [DEMO]),
        ("BERTopic", "chapter-2-2", "<mark>BERTopic</mark>", [DEMO, DEMO_RU]),
        ("Chip Huyen", "related-chapter", "<mark>Chip</mark> <mark>Huyen</mark>", [DEMO, DEMO_RU]),
        (
            "document retrieval",
            "chapter-2-5",
            "<mark>document</mark> <mark>retrieval</mark>",
            [DEMO],
        ),
        ('"topic modeling"', "chapter-2-2", "Modeling</mark>", [DEMO]),
    ],
)
def test_demo_queries_land_on_the_summary_and_chapter_with_highlights(
    demo_library, client, query, anchor, marked, found
):
    results = search(query)

    # The English summary first (the query's language), then its translation if it matches.
    assert slugs(results) == found
    best = passages(results, DEMO)[0]
    assert best.url == f"/books/{DEMO}/#{anchor}"
    assert marked in best.where + best.snippet
    assert "<mark>" in results.hits[0].where + results.hits[0].snippet
    # and the anchor is really on the summary page
    page = client.get(f"/books/{DEMO}/").content.decode()
    assert f'id="{anchor}"' in page


def test_every_passage_anchor_exists_on_the_summary_page(demo_library, client):
    page = client.get(f"/books/{DEMO}/").content.decode()
    for query in ["LLM", "Polomodov", "intuition", "ChatGPT", "AI Engineering", "prompt"]:
        for hit in search(query).hits:
            for passage in hit.passages:
                # the overview has no anchor: it lands on the top of the page
                assert passage.anchor == "" or f'id="{passage.anchor}"' in page, (query, passage)


# --- Query language ---------------------------------------------------------------------------


@pytest.fixture
def shelf(indexed):
    """A few summaries built to tell the query features apart."""
    with indexed():
        books = {
            "tokens": BookFactory(
                title="Tokens everywhere",
                lede="On tokenization of text.",
                description="Plain words.",
            ),
            "godel": BookFactory(
                title="Gödel, Escher, Bach", lede="Loops and minds.", description="Strange loops."
            ),
            "agents": BookFactory(
                title="Building agents", lede="Agents with memory.", description="Tools and RAG."
            ),
            "rag": BookFactory(
                title="Retrieval systems",
                lede="Retrieval augmented generation.",
                description="RAG pipelines.",
            ),
        }
    return books


def test_all_words_must_match(shelf):
    assert slugs(search("agents memory")) == [shelf["agents"].slug]
    assert slugs(search("agents pipelines")) == []


def test_stemming_finds_other_forms(shelf):
    assert slugs(search("tokenizers")) == [shelf["tokens"].slug]
    assert slugs(search("TOKENIZED")) == [shelf["tokens"].slug]


def test_accents_are_folded_both_ways(shelf):
    assert slugs(search("godel")) == [shelf["godel"].slug]
    assert slugs(search("Gödel")) == [shelf["godel"].slug]


def test_or_and_exclusion(shelf):
    assert set(slugs(search("memory OR pipelines"))) == {shelf["agents"].slug, shelf["rag"].slug}
    assert slugs(search("rag -agents")) == [shelf["rag"].slug]
    assert slugs(search('rag -"retrieval augmented"')) == [shelf["agents"].slug]


def test_phrase_needs_the_words_together(indexed):
    with indexed():
        together = BookFactory(title="One", lede="It covers topic modeling in depth.")
        apart = BookFactory(title="Two", lede="A modeling approach for every topic.")
    assert slugs(search('"topic modeling"')) == [together.slug]
    assert set(slugs(search("topic modeling"))) == {together.slug, apart.slug}


def test_a_snippet_across_two_chapters_reads_as_two_sentences(indexed):
    with indexed():
        part = PartFactory(book=BookFactory(title="Joined"), summary="")
        ChapterFactory(part=part, position=1, summary="Tuning the retriever")
        ChapterFactory(part=part, position=2, summary="Reranking with cross-encoders")

    [hit] = search("retriever reranking").hits
    snippets = [hit.snippet, *(passage.snippet for passage in hit.passages)]

    assert any("<mark>retriever</mark>" in snippet for snippet in snippets)
    assert not any("retriever</mark> <mark>Reranking" in snippet for snippet in snippets)
    assert (
        "Tuning the retriever. Reranking with cross-encoders."
        in load_documents([part.book_id])[0].body
    )


# --- Ranking --------------------------------------------------------------------------------


def test_exact_title_and_author_rank_first(indexed):
    with indexed():
        body = BookFactory(
            title="Focus at work",
            lede="Deep work, deep work and more deep work: the book is about deep work.",
        )
        titled = BookFactory(title="Deep Work", lede="Rules for focused success.")
        newport = AuthorFactory(name="Cal Newport")
        BookAuthorFactory(book=titled, author=newport, position=1)
        mention = BookFactory(title="Reading list", lede="Cal Newport, Cal Newport, Cal Newport.")

    assert slugs(search("deep work"))[0] == titled.slug
    assert body.slug in slugs(search("deep work"))
    assert slugs(search("Cal Newport"))[0] == titled.slug
    assert mention.slug in slugs(search("Cal Newport"))


def test_title_outranks_body_text(indexed):
    with indexed():
        in_body = BookFactory(title="Systems", lede="A note on observability.")
        in_title = BookFactory(title="Observability engineering", lede="Systems in production.")
    assert slugs(search("observability")) == [in_title.slug, in_body.slug]


def test_best_chapters_link_to_their_anchor(indexed):
    with indexed():
        book = BookFactory(title="Database internals")
        part = PartFactory(book=book, position=2, title="Distributed systems")
        ChapterFactory(part=part, position=1, title="Failure detection", summary="Heartbeats.")
        ChapterFactory(part=part, position=2, title="Consensus", summary="Paxos and Raft.")

    hit = search("raft").hits[0]
    assert hit.passages[0].url == f"/books/{book.slug}/#chapter-2-2"
    assert "<mark>Raft</mark>" in hit.passages[0].snippet
    assert hit.passages[0].label == "Chapter 2"


# --- Drafts and scheduled summaries ------------------------------------------------------------


def test_drafts_and_scheduled_summaries_are_never_returned_or_suggested(indexed):
    with indexed():
        BookFactory(title="Secret draft zyxwords", draft=True)
        scheduled = BookFactory(title="Scheduled zyxwords", scheduled=True)
        public = BookFactory(title="Public zyxwords")

    assert slugs(search("zyxwords")) == [public.slug]
    assert search("secret").total == 0
    assert search("scheduled").total == 0
    assert [s.label for s in suggest("zyx")] == ["Public zyxwords", "Search for “zyx”"]
    assert [s.kind for s in suggest("secr")] == ["search"]
    # a misspelling of a draft-only word suggests nothing
    assert search("secrat").suggestion == ""

    # its time comes: public with no re-indexing and no job
    later = timezone.now() + timedelta(days=8)
    with mock.patch("books.models.timezone.now", return_value=later):
        assert set(slugs(search("zyxwords"))) == {public.slug, scheduled.slug}


def test_related_link_to_a_draft_does_not_leak_its_title(indexed):
    with indexed():
        draft = BookFactory(title="Unannounced qwertyword", draft=True)
        book = build_summary(title="Open book")
        book.related_links.update(target=draft)
        from books.changes import mark

        mark([book.pk])
    assert search("qwertyword").total == 0


# --- Snippets are safe -----------------------------------------------------------------------


def test_snippets_escape_content_and_cannot_forge_highlights(indexed):
    with indexed():
        BookFactory(
            title="Escaping",
            lede="Look <script>alert(1)</script> & \ue000forged\ue001 markers zebra.",
        )
    hit = search("zebra").hits[0]
    # SQLite shows the tag as text, PostgreSQL's ts_headline drops it: never as HTML
    assert "<script" not in hit.snippet
    assert "alert(1)" in hit.snippet
    assert "&amp;" in hit.snippet
    assert "<mark>forged</mark>" not in hit.snippet
    assert "<mark>zebra</mark>" in hit.snippet


# --- Pages, tags, counts and "did you mean" ----------------------------------------------------


def test_pagination_and_tag_counts(indexed):
    with indexed():
        for number in range(23):
            BookFactory(
                title=f"Pager {number}",
                lede="Common pagerword.",
                tags=["odd" if number % 2 else "even", "all"],
            )
    first = search("pagerword")
    assert (first.total, first.num_pages, len(first.hits)) == (23, 3, 10)
    assert len(search("pagerword", page=3).hits) == 3
    assert search("pagerword", page=99).past_end
    # "all" is on every match: it would not narrow the results
    assert [(f.slug, f.count) for f in first.facets] == [("even", 12), ("odd", 11)]

    narrowed = search("pagerword", tags=["odd"])
    assert narrowed.total == 11
    assert [(f.slug, f.count, f.selected) for f in narrowed.facets] == [("odd", 11, True)]
    assert search("pagerword", tags=["odd", "even"]).total == 0


def test_did_you_mean_suggests_the_closest_indexed_word(demo_library):
    results = search("BERTopik")
    assert results.suggestion == "bertopic"
    assert results.original_total == 0
    assert slugs(results) == [DEMO, DEMO_RU]
    nothing = search("qqqqzzzz")
    assert (nothing.total, nothing.suggestion, nothing.hits) == (0, "", [])


def test_suggestions_are_titles_authors_and_tags_by_prefix(demo_library):
    labels = [(s.kind, s.label, s.url) for s in suggest("lang")]
    assert labels == [
        ("title", "Hands-On Large Language Models", f"/books/{DEMO}/"),
        ("title", "Hands-On Large Language Models", f"/books/{DEMO_RU}/"),
        ("search", "Search for “lang”", "/search/?q=lang"),
    ]
    assert ("author", "Jay Alammar") in [(s.kind, s.label) for s in suggest("ja")]
    assert ("tag", "transformers") in [(s.kind, s.label) for s in suggest("transf")]
    assert [s.label for s in suggest("large lang")][:1] == ["Hands-On Large Language Models"]
    assert suggest("l") == []
    assert suggest("") == []


def test_search_leaves_the_planner_settings_of_the_transaction_alone(demo_library):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL planner settings")
    search("BERTopic")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan')")
        assert cursor.fetchone()[0] == "on"


def test_many_matches_take_the_bounded_ranking_path_and_stay_correct(indexed, monkeypatch):
    """Past the engines' thresholds for many matches, drafts stay out and order holds."""
    import books.search.postgres
    import books.search.sqlite

    monkeypatch.setattr(books.search.sqlite, "PUBLIC_LOOKUP_LIMIT", 2)
    monkeypatch.setattr(books.search.postgres, "FULL_RANK_LIMIT", 2)
    with indexed():
        drafts = [BookFactory(title=f"Capword capword draft {n}", draft=True) for n in range(3)]
        in_title = BookFactory(title="Capword", lede="Plain.")
        others = [BookFactory(title=f"Other {n}", lede="Mentions capword once.") for n in range(5)]

    # the engine's best matches are drafts
    first = search("capword", per_page=2)
    assert first.total == 6
    assert slugs(first)[0] == in_title.slug
    assert len(slugs(first)) == 2
    every = [slug for page in (1, 2, 3) for slug in slugs(search("capword", page=page, per_page=2))]
    assert sorted(every) == sorted([in_title.slug, *(book.slug for book in others)])
    assert not {book.slug for book in drafts} & set(every)
    assert len(slugs(search("mentions", per_page=2))) == 2
    assert_hidden_summaries_never_shown(drafts)


def assert_hidden_summaries_never_shown(drafts):
    """Scheduled and withdrawn summaries stay out too, and so does one deleted a moment ago
    whose index rows its listener has not removed yet (nothing commits here)."""
    past = timezone.now() - timedelta(days=1)
    hidden = [
        BookFactory(title="Capword scheduled", scheduled=True),
        BookFactory(title="Capword withdrawn", unpublish_at=past, published_at=past - timedelta(1)),
        BookFactory(title="Capword draft once published", draft=True, published_at=past),
    ]
    rebuild()  # index them all, as a commit would
    gone = BookFactory(title="Capword deleted")
    rebuild()
    Book.objects.filter(pk=gone.pk).delete()  # not committed: its index rows remain
    every = [
        slug for page in (1, 2, 3, 4) for slug in slugs(search("capword", page=page, per_page=2))
    ]
    assert len(every) == 6
    assert not {book.slug for book in [*drafts, *hidden, gone]} & set(every)
