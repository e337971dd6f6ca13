"""Relevance, measured: MRR@10 and nDCG@10 of ``search()`` over judged queries.

A judgment names a query, the summaries that answer it with a grade (2: the
answer, 1: also relevant) and optionally the chapter anchor the best result should
land on. A judgment with no relevant summaries expects no results at all (a word
found only in a draft, for example).
"""

import json
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from books.search import search
from books.summaries import import_file, read_items

K = 10
# The groups ``search_eval`` reports, besides one per language: queries whose answer a
# short summary could steal (a topic word that is also a tag, an acronym).
LENGTH_SENSITIVE = frozenset({"topic word", "acronym"})


@dataclass
class QueryScore:
    """How one judged query fared."""

    query: str
    kind: str
    reciprocal_rank: float
    ndcg: float
    ranked: list
    chapter_ok: bool | None = None
    expected_nothing: bool = False
    language: str = "en"

    @property
    def groups(self):
        """The groups this query counts in: all, length-sensitive, its language."""
        return ["all", *(["length-sensitive"] if self.kind in LENGTH_SENSITIVE else []),
                f"language {self.language}"]  # fmt: skip


@dataclass
class Evaluation:
    """Mean scores over all judged queries (those expecting results)."""

    scores: list = field(default_factory=list)

    @property
    def judged(self):
        return [score for score in self.scores if not score.expected_nothing]

    @property
    def mrr(self):
        return sum(s.reciprocal_rank for s in self.judged) / max(1, len(self.judged))

    @property
    def ndcg(self):
        return sum(s.ndcg for s in self.judged) / max(1, len(self.judged))

    @property
    def chapter_accuracy(self):
        checked = [s.chapter_ok for s in self.scores if s.chapter_ok is not None]
        return sum(checked) / max(1, len(checked))

    def group(self, name):
        """The evaluation of one group's queries."""
        return Evaluation([score for score in self.scores if name in score.groups])

    @property
    def group_names(self):
        names = dict.fromkeys(name for score in self.scores for name in score.groups)
        return list(names)

    @property
    def leaks(self):
        """Queries that expected no results and got some."""
        return [s for s in self.scores if s.expected_nothing and s.ranked]


def import_corpus(directory):
    """Import every summary file of ``directory`` as one file: they may link to each other."""
    paths = sorted(Path(directory).glob("*.json"))
    items = [item for path in paths for item in read_items(path)]
    with tempfile.TemporaryDirectory() as folder:
        combined = Path(folder) / "corpus.json"
        combined.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        import_file(combined)
    return len(paths)


def load_judgments(path):
    return json.loads(open(path, encoding="utf-8").read())


def _dcg(grades):
    return sum((2**grade - 1) / math.log2(position + 2) for position, grade in enumerate(grades))


def score(judgment):
    results = search(judgment["query"])
    ranked = [hit.slug for hit in results.hits[:K]]
    relevant = judgment["relevant"]
    language = judgment.get("language", "en")
    if not relevant:
        return QueryScore(
            judgment["query"], judgment["kind"], 0, 0, ranked, expected_nothing=True,
            language=language,
        )  # fmt: skip
    first = next((i for i, slug in enumerate(ranked) if relevant.get(slug)), None)
    ideal = _dcg(sorted(relevant.values(), reverse=True)[:K])
    chapter_ok = None
    if "chapter" in judgment:
        top = results.hits[0] if results.hits else None
        chapter_ok = bool(
            top
            and relevant.get(top.slug)
            and top.passages
            and top.passages[0].anchor == judgment["chapter"]
        )
    return QueryScore(
        judgment["query"],
        judgment["kind"],
        reciprocal_rank=0 if first is None else 1 / (first + 1),
        ndcg=_dcg([relevant.get(slug, 0) for slug in ranked]) / ideal,
        ranked=ranked,
        chapter_ok=chapter_ok,
        language=language,
    )


def evaluate(judgments):
    return Evaluation([score(judgment) for judgment in judgments])
