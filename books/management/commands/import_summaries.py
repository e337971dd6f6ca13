"""Import summary files (JSON, see docs/summary-format.md): one transaction per file."""

from django.core.management.base import BaseCommand, CommandError

from books.summaries import SummaryFileError, import_file


class Command(BaseCommand):
    """``import_summaries PATH…``: create or update summaries by slug."""

    help = "Import summary files. Each file is imported whole or not at all."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="summary files (.json)")

    def handle(self, *args, paths, **options):
        failed = 0
        for path in paths:
            try:
                result = import_file(path)
            except SummaryFileError as error:
                failed += 1
                self.stderr.write(self.style.ERROR(f"{error}\n  Nothing from {path} was imported."))
                continue
            self.stdout.write(
                self.style.SUCCESS(
                    f"{path}: {len(result.created)} created, {len(result.updated)} updated"
                )
            )
        if failed:
            raise CommandError(f"{failed} of {len(paths)} file(s) could not be imported.")
