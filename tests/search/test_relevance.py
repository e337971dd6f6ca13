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
    judgments = load_judgments(HERE / "judgments.json")
    assert len(judgments) >= 30
    kinds = {judgment["kind"] for judgment in judgments}
    for kind in ("exact title", "author", "one chapter", "phrase", "exclusion", "stemming",
                 "misspelling"):  # fmt: skip
        assert kind in kinds


def test_relevance_at_least_the_baseline(corpus):
    baseline = json.loads((HERE / "baseline.json").read_text())[connection.vendor]
    result = evaluate(load_judgments(HERE / "judgments.json"))
    assert result.leaks == []
    assert result.chapter_accuracy == 1.0, [s.query for s in result.scores if s.chapter_ok is False]
    assert round(result.mrr, 3) >= baseline["mrr"], [
        (s.query, s.ranked) for s in result.scores if s.reciprocal_rank < 1
    ]
    assert round(result.ndcg, 3) >= baseline["ndcg"]


@pytest.mark.slow
def test_search_eval_prints_the_scores_from_a_throwaway_database(db):
    out = StringIO()
    call_command("search_eval", stdout=out)
    output = out.getvalue()
    assert f"({connection.vendor})" in output
    assert "MRR@10 = " in output and "nDCG@10 = " in output
    assert "baseline: MRR@10" in output
