"""Load the demo library (the summaries shipped in books/demo/); safe to run again."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from books.summaries import SummaryFileError, import_file

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    """``seed_demo``: import the demo summaries through the regular importer."""

    help = "Load the demo summaries. Idempotent: running it again updates them in place."

    def handle(self, *args, **options):
        for path in sorted(DEMO_DIR.glob("*.json")):
            try:
                # The demo files are the truth for the demo summaries: they may replace them.
                result = import_file(path, replace=True)
            except SummaryFileError as error:
                raise CommandError(str(error)) from None
            for slug in result.created:
                self.stdout.write(self.style.SUCCESS(f"Added demo summary: /books/{slug}/"))
            for slug in result.updated:
                self.stdout.write(f"Demo summary updated: /books/{slug}/")
            for slug in result.unchanged:
                self.stdout.write(f"Demo summary up to date: /books/{slug}/")
