"""``bench_search``: time the search on a synthetic library, in a throwaway database.

Builds a seeded corpus (Zipf vocabulary), indexes it with the real ``rebuild()``,
then times queries in three frequency bands through the real ``search()``, the
bare engine query and a naive ``icontains`` search over the same fields. Prints
p50/p95 per band, the index build time and the database size. Never touches the
library in ``DATABASE_URL``: the work runs in a child process on a new database.
"""

import random
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Q
from taggit.models import TaggedItem

from books.devtools.library import SyntheticLibrary
from books.devtools.throwaway import require_throwaway, run_worker
from books.models import (
    AudienceItem,
    Book,
    BookAuthor,
    Chapter,
    Part,
    Section,
    refresh_statistics,
)
from books.search import compiled_query, get_backend, rebuild, search
from books.search.query import parse
from reviews.models import RelatedLink, Review, Takeaway

TARGETS = {
    "sqlite": {"p50": 15, "p95": 100},
    "postgresql": {"p50": 30, "p95": 200},
}


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return (time.perf_counter() - start) * 1000


def naive_search(words):
    """The obvious way: ``icontains`` over every searched field, first 10 public summaries."""
    books = Book.objects.published()
    for word in words:

        def in_books(model, *fields, book="book_id", word=word):
            condition = Q()
            for name in fields:
                condition |= Q(**{f"{name}__icontains": word})
            return Q(pk__in=model.objects.filter(condition).values(book))

        books = books.filter(
            Q(title__icontains=word)
            | Q(subtitle__icontains=word)
            | Q(lede__icontains=word)
            | Q(description__icontains=word)
            | Q(structure_intro__icontains=word)
            | in_books(BookAuthor, "author__name")
            | in_books(TaggedItem, "tag__name", book="object_id")
            | in_books(Section, "heading", "body")
            | in_books(AudienceItem, "text")
            | in_books(Part, "title", "summary")
            | in_books(Chapter, "title", "summary", book="part__book_id")
            | in_books(Review, "title", "body", "reviewer", "source")
            | in_books(Takeaway, "title", "text", book="review__book_id")
            | in_books(RelatedLink, "title", "authors", "note")
        )
    return list(books.values_list("pk", flat=True)[:10])


class Command(BaseCommand):
    """Benchmark search on a synthetic library in a throwaway database."""

    help = "Time search on a seeded synthetic library built in a throwaway database."

    def add_arguments(self, parser):
        parser.add_argument("--summaries", type=int, default=10_000)
        parser.add_argument("--chapters", type=int, default=30, help="Chapters per summary.")
        parser.add_argument("--queries", type=int, default=40, help="Queries per band.")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--skip-naive", action="store_true", help="Do not time the icontains search."
        )
        parser.add_argument(
            "--hostile",
            action="store_true",
            help="Time the most expensive queries one can build against one-word queries "
            "(issue target: at most 5x, on 2,000 summaries).",
        )
        parser.add_argument("--worker", action="store_true", help=argparse_hidden())

    def handle(self, *args, **options):
        if not options["worker"]:
            arguments = [
                f"--summaries={options['summaries']}",
                f"--chapters={options['chapters']}",
                f"--queries={options['queries']}",
                f"--seed={options['seed']}",
            ] + (["--skip-naive"] if options["skip_naive"] else [])
            arguments += ["--hostile"] if options["hostile"] else []
            run_worker("bench_search", "bench", arguments, self.stdout)
            return
        require_throwaway()
        self.bench(**options)

    def say(self, text=""):
        self.stdout.write(text)
        self.stdout.flush()

    def bench(self, summaries, chapters, queries, seed, skip_naive, hostile=False, **options):
        call_command("migrate", verbosity=0)
        engine = get_backend()
        version = connection.Database.sqlite_version if engine.vendor == "sqlite" else ""
        if engine.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
        self.say(
            f"bench_search: {engine.vendor} {version}, {summaries} summaries x {chapters} "
            f"chapters = {summaries * chapters} chapters, seed {seed}"
        )
        library = SyntheticLibrary(summaries, chapters, seed=seed)
        start = time.perf_counter()
        library.build()
        self.say(f"corpus written in {time.perf_counter() - start:.1f} s (bulk_create)")
        if engine.vendor == "postgresql":
            # As autovacuum would have by now on a real library: planner statistics.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        start = time.perf_counter()
        rebuild()
        build = time.perf_counter() - start
        refresh_statistics()  # on SQLite, as the rebuild_search_index command does
        self.say(
            f"index built in {build:.1f} s ({summaries / build:.0f} summaries/s, "
            "rebuild_search_index code path)"
        )
        self.say(self.sizes(engine.vendor))

        bands = self.bands(library, queries, random.Random(seed))  # noqa: S311 - seeded, not secret
        if hostile:
            self.hostile(library, bands, queries)
            return
        for query_list in bands.values():  # warm the caches once
            for query in query_list:
                search(query)
        self.say("")
        header = (
            f"{'band':<8} {'n':>3} {'p50 ms':>7} {'p95 ms':>7} {'bare p50':>8} {'bare p95':>8} "
            f"{'full/bare p50':>13} {'full/bare p95':>13} {'icontains p50':>13} "
            f"{'icontains/full p50':>18} {'hits p50':>8}"
        )
        self.say(header)
        summary = {}
        for band, query_list in bands.items():
            if not query_list:
                self.say(f"{band:<8}   0 (no words in this band at this size)")
                continue
            full = [timed(search, query) for query in query_list]
            totals = [search(query).total for query in query_list]
            compiled = [compiled_query(query) for query in query_list]
            bare = [timed(engine.bare, item) for item in compiled if item]
            naive = (
                []
                if skip_naive
                else [timed(naive_search, parse(query).words) for query in query_list]
            )
            row = {
                "p50": percentile(full, 0.5),
                "p95": percentile(full, 0.95),
                "bare50": percentile(bare, 0.5),
                "bare95": percentile(bare, 0.95),
                "naive50": percentile(naive, 0.5) if naive else None,
            }
            summary[band] = row
            naive_text = (
                f"{row['naive50']:>13.1f} {row['naive50'] / row['p50']:>17.1f}x"
                if naive
                else f"{'-':>13} {'-':>18}"
            )
            self.say(
                f"{band:<8} {len(query_list):>3} {row['p50']:>7.1f} {row['p95']:>7.1f} "
                f"{row['bare50']:>8.1f} {row['bare95']:>8.1f} "
                f"{row['p50'] / row['bare50']:>12.1f}x {row['p95'] / row['bare95']:>12.1f}x "
                f"{naive_text} {statistics.median(totals):>8.0f}"
            )
        self.say("")
        self.verdict(engine.vendor, summary)

    def hostile(self, library, bands, count):
        """The most expensive queries within the caps, against one-word queries."""
        from books.search.models import SynonymSet

        frequency = library.document_frequency
        common = [word for word, _ in frequency.most_common(40)]
        pairs = [f"{common[i]} {common[i + 1]}" for i in range(0, 24, 2)]
        # Synonym sets that fan each of four common words out to phrases of common words.
        for index in range(4):
            SynonymSet(terms=", ".join([common[index], *pairs[index : index + 5]])).save()
        queries = {
            "a dozen phrases OR-ed": " OR ".join(f'"{pair}"' for pair in pairs),
            "twelve common words": " ".join(common[:12]),
            "three groups of four ORs": " ".join(
                " OR ".join(common[group * 4 : group * 4 + 4]) for group in range(3)
            ),
            "one long hyphenated word": "-".join(common[:12]),
            "phrases of six common words": " ".join(
                '"' + " ".join(common[i : i + 6]) + '"' for i in range(0, 18, 6)
            ),
            "a word minus eight": common[0] + " " + " ".join(f"-{w}" for w in common[1:9]),
            "eight misspellings": " ".join(
                w[:-1] + ("q" if w[-1] != "q" else "z") for w in common[:8]
            ),
            "synonym fan-out": " OR ".join(common[:4]),
            "200 characters of words": (" ".join(common) * 3)[:200],
        }
        for query_list in bands.values():
            for query in query_list:
                search(query)
        single = {
            band: [timed(search, query) for query in bands[band][: count * 3 // 4]]
            for band in ("common", "medium")
        }
        repeat = 7
        self.say("")
        self.say(f"{'one-word queries':<34} {'n':>3} {'p50 ms':>7} {'p95 ms':>7}")
        for band, times in single.items():
            self.say(
                f"{band:<34} {len(times):>3} {percentile(times, 0.5):>7.1f} "
                f"{percentile(times, 0.95):>7.1f}"
            )
        reference = percentile(single["common"], 0.5)
        self.say("")
        self.say(
            f"{'hostile query':<34} {'p50 ms':>7} {'max ms':>7} {'x one word':>10} hits  message"
        )
        worst = 0.0
        for label, query in queries.items():
            search(query)
            times = [timed(search, query) for _ in range(repeat)]
            result = search(query)
            median = percentile(times, 0.5)
            worst = max(worst, median)
            note = result.message[:40] or ("shortened" if result.query.shortened else "")
            self.say(
                f"{label:<34} {median:>7.1f} {max(times):>7.1f} {median / reference:>9.1f}x "
                f"{result.total:>5}  {note}"
            )
        ratio = worst / reference
        self.say("")
        self.say(
            f"target: the most expensive query ≤ 5x a one-word query (common word p50 "
            f"{reference:.1f} ms): worst {worst:.1f} ms = {ratio:.1f}x "
            + ("PASS" if ratio <= 5 else "MISS")
        )

    def bands(self, library, count, rng):
        """Queries by how many summaries hold their words: common, medium and rare."""
        total = library.summaries * 0.95  # about 5% are drafts
        frequency = library.document_frequency
        common = [w for w, n in frequency.items() if n >= 0.2 * total]
        medium = [w for w, n in frequency.items() if 0.005 * total <= n <= 0.05 * total]
        rare = [w for w, n in frequency.items() if 1 <= n <= max(3, 0.001 * total)]
        for words in (common, medium, rare):
            words.sort()
        singles = count * 3 // 4

        def pick(words, k):
            return rng.sample(words, min(k, len(words))) if words else []

        return {
            "common": pick(common, singles)
            + [" ".join(pick(common, 2)) for _ in range(count - singles)],
            "medium": pick(medium, singles)
            + [
                f"{a} {b}"
                for a, b in zip(pick(medium, count - singles), pick(common, count), strict=False)
            ],
            "rare": pick(rare, count),
        }

    def sizes(self, vendor):
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                path = Path(settings.DATABASES["default"]["NAME"])
                size = path.stat().st_size
                return f"database size {size / 2**20:.0f} MB (SQLite file, index included)"
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
            cursor.execute(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "WHERE c.relkind = 'r' AND c.relname LIKE 'search\\_%%'"
            )
            index = cursor.fetchone()[0] or 0
            return (
                f"database size {size / 2**20:.0f} MB, of which the search tables "
                f"{index / 2**20:.0f} MB"
            )

    def verdict(self, vendor, summary):
        target = TARGETS[vendor]
        worst50 = max(row["p50"] for row in summary.values())
        worst95 = max(row["p95"] for row in summary.values())
        lines = [
            f"target p50 ≤ {target['p50']} ms in every band: worst {worst50:.1f} ms "
            + ("PASS" if worst50 <= target["p50"] else "MISS"),
            f"target p95 ≤ {target['p95']} ms in every band: worst {worst95:.1f} ms "
            + ("PASS" if worst95 <= target["p95"] else "MISS"),
        ]
        for band in ("medium", "rare"):
            row = summary.get(band)
            if row and row["naive50"] is not None:
                ratio = row["naive50"] / row["p50"]
                lines.append(
                    f"target ≥ 20x faster than icontains at p50 ({band}): {ratio:.0f}x "
                    + ("PASS" if ratio >= 20 else "MISS")
                )
        for band, row in summary.items():
            ratio = row["p50"] / row["bare50"]
            lines.append(
                f"target full path ≤ 2x bare engine at p50 ({band}): {ratio:.1f}x "
                + ("PASS" if ratio <= 2 else "MISS")
            )
        for line in lines:
            self.say(line)


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS
