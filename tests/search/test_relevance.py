"""Relevance must not regress: MRR@10 and nDCG@10 at least the stored baseline."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from books.devtools.evaluation import evaluate, load_judgments

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent


def test_corpus_and_judgments_are_big_enough(corpus):
    assert corpus.filter(status="published").count() >= 15
    # Thin summaries (a sentence or two, well tagged) beside full ones, and a Russian one.
    thin = [book for book in corpus if book.reading_words < 60 and book.tags.exists()]
    assert len(thin) >= 12
    assert corpus.filter(language="ru", status="published").count() >= 1
    judgments = load_judgments(HERE / "judgments.json")
    assert len(judgments) >= 30
    kinds = {judgment["kind"] for judgment in judgments}
    for kind in ("exact title", "author", "one chapter", "phrase", "exclusion", "stemming",
                 "misspelling", "topic word", "acronym", "inflected"):  # fmt: skip
        assert kind in kinds
    assert sum(judgment.get("language") == "ru" for judgment in judgments) >= 4


def test_relevance_at_least_the_baseline(corpus):
    baseline = json.loads((HERE / "baseline.json").read_text())[connection.vendor]
    result = evaluate(load_judgments(HERE / "judgments.json"))
    assert result.leaks == []
    assert result.chapter_accuracy == 1.0, [s.query for s in result.scores if s.chapter_ok is False]
    assert round(result.mrr, 3) >= baseline["mrr"], [
        (s.query, s.ranked) for s in result.scores if s.reciprocal_rank < 1
    ]
    assert round(result.ndcg, 3) >= baseline["ndcg"]


def test_each_group_at_least_its_baseline_and_095_mrr(corpus):
    """All queries, the length-sensitive ones (topic words, acronyms), each language."""
    baseline = json.loads((HERE / "baseline.json").read_text())[connection.vendor]["groups"]
    result = evaluate(load_judgments(HERE / "judgments.json"))
    assert set(result.group_names) == set(baseline)
    for name, known in baseline.items():
        group = result.group(name)
        misses = [(s.query, s.ranked[:3]) for s in group.scores if s.reciprocal_rank < 1]
        assert round(group.mrr, 3) >= max(known["mrr"], 0.95), (name, misses)
        assert round(group.ndcg, 3) >= known["ndcg"], (name, misses)


@pytest.mark.slow
def test_search_eval_prints_the_scores_from_a_throwaway_database(db):
    out = StringIO()
    call_command("search_eval", stdout=out)
    output = out.getvalue()
    assert f"({connection.vendor})" in output
    assert "MRR@10 = " in output and "nDCG@10 = " in output
    assert "baseline: MRR@10" in output
    for group in ("all", "length-sensitive", "language en", "language ru"):
        assert group in output
