"""Synthetic summaries in the summary-file format, for benchmarks (deterministic, no network)."""

# ruff: noqa: S311 (seeded pseudo-random text, not secrets)

import json
import random

WORDS = (
    "attention", "model", "token", "embedding", "layer", "vector", "training", "data",
    "language", "transformer", "context", "window", "prompt", "retrieval", "search", "index",
    "query", "ranking", "evaluation", "metric", "reader", "chapter", "author", "system",
    "design", "memory", "cache", "latency", "throughput", "scale", "network", "graph",
    "function", "value", "policy", "agent", "reward", "feedback", "signal", "noise", "sample",
    "pattern", "structure", "example", "method", "result", "theory", "practice", "history",
    "future", "idea", "question", "answer", "problem", "solution", "method", "process",
    "learning", "knowledge", "insight",
)  # fmt: skip
TAGS = (
    "llm", "nlp", "machine learning", "databases", "distributed systems", "management",
    "psychology", "economics", "history", "design", "writing", "statistics", "python",
    "security", "product", "leadership", "productivity", "science", "philosophy", "biology",
)  # fmt: skip


def _sentence(rng, words=12):
    text = " ".join(
        rng.choice(WORDS)
        for _ in range(rng.randint(max(2, words - words // 3), words + words // 3))
    )
    return text[0].upper() + text[1:] + "."


def _paragraph(rng, sentences=4):
    return " ".join(_sentence(rng) for _ in range(sentences))


def _markdown(rng, paragraphs=2, sentences=4):
    """A few paragraphs with the Markdown editors use: emphasis, code, a link, a list."""
    blocks = [_paragraph(rng, sentences) for _ in range(paragraphs)]
    blocks[0] = blocks[0].replace(" model ", " **model** ", 1).replace(" token ", " `token` ", 1)
    if rng.random() < 0.2:
        blocks.append("\n".join(f"- {_sentence(rng, 6)}" for _ in range(3)))
    if rng.random() < 0.3:
        blocks.append(f"See [the notes](https://example.org/notes/{rng.randint(1, 999)}).")
    return "\n\n".join(blocks)


def _author(number):
    """Author ``number``, the same in every summary that names them (as in a real library)."""
    return {
        "name": f"Author {number}",
        "bio": _paragraph(random.Random(-number), 2),
        "url": f"https://example.org/authors/{number}",
    }


def summary(index, *, count, chapters=30, parts=5, rng=None):
    """Summary number ``index`` of ``count``; its related links point backwards and forwards."""
    rng = rng or random.Random(index)
    slug = f"synthetic-book-{index:06d}"
    per_part, extra = divmod(chapters, parts)
    part_sizes = [per_part + (1 if n < extra else 0) for n in range(parts)]
    related = [{"title": f"An outside book {index}", "authors": "A. Writer", "note": "Background"}]
    # Links to a summary later in the same file exercise the importer's forward references.
    for other in {(index + 1) % count, (index + count // 2) % count} - {index}:
        related.append({"slug": f"synthetic-book-{other:06d}", "note": _sentence(rng, 6)})
    related[-1]["featured"] = True
    return {
        "slug": slug,
        "title": f"Synthetic book {index}: {_sentence(rng, 5)[:-1]}",
        "subtitle": _sentence(rng, 6)[:-1],
        "authors": [_author((index * 7 + n) % max(count // 2, 2)) for n in range(2)],
        "publisher": "Synthetic Press",
        "year": 1990 + index % 35,
        "pages": 200 + index % 300,
        "lede": _sentence(rng, 20),
        "description": _markdown(rng),
        "authors_intro": _sentence(rng),
        "structure_intro": _paragraph(rng, 2),
        "sections": [
            {"heading": _sentence(rng, 3)[:-1], "body": _markdown(rng, 3)} for _ in range(2)
        ],
        "audience": [_sentence(rng, 10) for _ in range(3)],
        "tags": rng.sample(TAGS, 3),
        "status": "published",
        "published_at": "2025-01-01T09:00:00+00:00",
        "parts": [
            {
                "label": str(position),
                "title": _sentence(rng, 5)[:-1],
                "summary": _paragraph(rng, 2),
                "chapters": [
                    {"title": _sentence(rng, 6)[:-1], "summary": _markdown(rng, 1, 3)}
                    for _ in range(size)
                ],
            }
            for position, size in enumerate(part_sizes, start=1)
        ],
        "review": {
            "reviewer": "Synthetic Reviewer",
            "source": "Benchmarks",
            "url": "https://example.org/review",
            "title": _sentence(rng, 5)[:-1],
            "body": _markdown(rng),
            "published_at": "2025-01-02",
            "takeaways": [
                {"title": _sentence(rng, 3)[:-1], "text": _sentence(rng)} for _ in range(3)
            ],
        },
        "related": related,
    }


def write_summary_file(path, count, *, chapters=30, seed=0):
    """Write ``count`` synthetic summaries to ``path`` as a JSON list, one at a time."""
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("[")
        for index in range(count):
            rng = random.Random(seed * 1_000_003 + index)
            stream.write(",\n" if index else "\n")
            stream.write(json.dumps(summary(index, count=count, chapters=chapters, rng=rng)))
        stream.write("\n]\n")
    return path
