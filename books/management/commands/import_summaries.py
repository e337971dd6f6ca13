"""Import summary files (JSON, see docs/summary-format.md): one transaction per file."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from books.summaries import SummaryFileError, import_file
from books.summaries.format import DEFAULT_MAX_BYTES


def _database_problem(path, error):
    """A database error told like a validation error: the file, and the table and column
    when the database names them (PostgreSQL does)."""
    diag = getattr(getattr(error, "__cause__", None), "diag", None)
    where = ".".join(
        name
        for name in (getattr(diag, "table_name", None), getattr(diag, "column_name", None))
        if name
    )
    message = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return f"{path}: the database refused the import{f' ({where})' if where else ''}: {message}"


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
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=DEFAULT_MAX_BYTES,
            help=f"refuse a file larger than this many bytes (default {DEFAULT_MAX_BYTES:,})",
        )

    def handle(self, *args, paths, replace, dry_run, max_bytes, **options):
        failed = 0
        for path in paths:
            try:
                result = import_file(path, replace=replace, dry_run=dry_run, max_bytes=max_bytes)
            except (SummaryFileError, DatabaseError) as error:
                failed += 1
                problem = str(error) if isinstance(error, SummaryFileError) else None
                self.stderr.write(
                    self.style.ERROR(
                        f"{problem or _database_problem(path, error)}\n"
                        f"  Nothing from {path} was imported."
                    )
                )
                if problem is None:  # a lost connection is opened afresh for the next file
                    for connection in connections.all(initialized_only=True):
                        if not connection.in_atomic_block and not connection.is_usable():
                            connection.close()
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
