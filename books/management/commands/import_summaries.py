"""Import summary files (JSON, see docs/summary-format.md): one transaction per file."""

from django.core.management.base import BaseCommand, CommandError

from books.summaries import SummaryFileError, import_file


class Command(BaseCommand):
    """``import_summaries PATH…``: create or update summaries by slug."""

    help = "Import summary files. Each file is imported whole or not at all."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="summary files (.json)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="let a summary that names its slug remove parts, chapters, the review or "
            "related links of the summary in the library, or unpublish it",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="write nothing; print what each summary would be: created, updated (and "
            "what changes) or unchanged",
        )

    def handle(self, *args, paths, replace, dry_run, **options):
        failed = 0
        for path in paths:
            try:
                result = import_file(path, replace=replace, dry_run=dry_run)
            except SummaryFileError as error:
                failed += 1
                self.stderr.write(self.style.ERROR(f"{error}\n  Nothing from {path} was imported."))
                continue
            if dry_run:
                self._report(result)
            counts = (
                f"{len(result.created)} created, {len(result.updated)} updated, "
                f"{len(result.unchanged)} unchanged"
            )
            if dry_run:
                self.stdout.write(f"{path}: would be {counts} (dry run: nothing was written)")
            else:
                self.stdout.write(self.style.SUCCESS(f"{path}: {counts}"))
        if failed:
            raise CommandError(f"{failed} of {len(paths)} file(s) could not be imported.")

    def _report(self, result):
        for slug in result.created:
            self.stdout.write(f"  created: {slug}")
        for slug in result.updated:
            self.stdout.write(f"  updated: {slug} ({'; '.join(result.changes[slug])})")
        for slug in result.unchanged:
            self.stdout.write(f"  unchanged: {slug}")
