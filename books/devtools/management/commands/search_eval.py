"""``search_eval``: MRR@10 and nDCG@10 of the search over the judged test corpus.

Imports the corpus (tests/search/corpus) into a throwaway database of the engine
in use, runs every judged query (tests/search/judgments.json) through the real
``search()``, and prints the scores next to the baseline kept in the repository.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from books.devtools.evaluation import evaluate, import_corpus, load_judgments
from books.devtools.throwaway import require_throwaway, run_worker
from books.summaries import SummaryFileError

TESTS = Path(settings.BASE_DIR) / "tests" / "search"


class Command(BaseCommand):
    """Measure relevance on the judged corpus, in a throwaway database."""

    help = "Print MRR@10 and nDCG@10 of search over the judged test corpus."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", default=str(TESTS / "corpus"))
        parser.add_argument("--judgments", default=str(TESTS / "judgments.json"))
        parser.add_argument("--baseline", default=str(TESTS / "baseline.json"))
        parser.add_argument("--worker", action="store_true", help="(internal)")

    def handle(self, *args, corpus, judgments, baseline, worker=False, **options):
        if not worker:
            run_worker(
                "search_eval",
                "eval",
                [f"--corpus={corpus}", f"--judgments={judgments}", f"--baseline={baseline}"],
                self.stdout,
            )
            return
        require_throwaway()
        call_command("migrate", verbosity=0)
        try:
            files = import_corpus(corpus)  # commits, so the index follows at once
        except SummaryFileError as error:
            raise CommandError(str(error)) from None
        if not files:
            raise CommandError(f"No summary files in {corpus}.")
        result = evaluate(load_judgments(judgments))
        vendor = connection.vendor
        self.stdout.write(
            f"search_eval: {vendor}, {files} summary files, {len(result.scores)} queries"
        )
        for item in result.scores:
            landing = {None: "", True: " chapter ok", False: " CHAPTER MISSED"}[item.chapter_ok]
            self.stdout.write(
                f"  {item.kind:<12} {item.query[:40]:<40} RR {item.reciprocal_rank:.2f} "
                f"nDCG {item.ndcg:.2f}{landing}"
                + (" LEAK" if item.expected_nothing and item.ranked else "")
            )
        self.stdout.write(
            f"MRR@10 = {result.mrr:.3f}  nDCG@10 = {result.ndcg:.3f}  "
            f"chapter landing = {result.chapter_accuracy:.0%}  ({vendor})"
        )
        known = (
            json.loads(Path(baseline).read_text()).get(vendor) if Path(baseline).exists() else None
        )
        if known:
            self.stdout.write(
                f"baseline: MRR@10 = {known['mrr']:.3f}  nDCG@10 = {known['ndcg']:.3f}"
            )
        self.stdout.write("")
        self.stdout.write(
            f"{'group':<18} {'queries':>7} {'MRR@10':>7} {'nDCG@10':>8} "
            f"{'baseline MRR':>12} {'baseline nDCG':>13}"
        )
        for name in result.group_names:
            group = result.group(name)
            base = (known or {}).get("groups", {}).get(name, {})
            self.stdout.write(
                f"{name:<18} {len(group.judged):>7} {group.mrr:>7.3f} {group.ndcg:>8.3f} "
                f"{base.get('mrr', float('nan')):>12.3f} {base.get('ndcg', float('nan')):>13.3f}"
            )
        if result.leaks:
            raise CommandError(f"{len(result.leaks)} queries returned drafts.")
