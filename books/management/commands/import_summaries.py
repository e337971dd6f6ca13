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
            "--max-bytes",
            type=int,
            default=DEFAULT_MAX_BYTES,
            help=f"refuse a file larger than this many bytes (default {DEFAULT_MAX_BYTES:,})",
        )

    def handle(self, *args, paths, max_bytes, **options):
        failed = 0
        for path in paths:
            try:
                result = import_file(path, max_bytes=max_bytes)
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
            self.stdout.write(
                self.style.SUCCESS(
                    f"{path}: {len(result.created)} created, {len(result.updated)} updated"
                )
            )
        if failed:
            raise CommandError(f"{failed} of {len(paths)} file(s) could not be imported.")
