"""Import summary files (JSON, see docs/summary-format.md): one transaction per file."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from books.models import refresh_statistics
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
    if where:
        return _("%(path)s: the database refused the import (%(where)s): %(message)s") % {
            "path": path,
            "where": where,
            "message": message,
        }
    return _("%(path)s: the database refused the import: %(message)s") % {
        "path": path,
        "message": message,
    }


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
        failed = written = 0
        for path in paths:
            try:
                result = import_file(path, replace=replace, dry_run=dry_run, max_bytes=max_bytes)
            except (SummaryFileError, DatabaseError) as error:
                failed += 1
                problem = str(error) if isinstance(error, SummaryFileError) else None
                self.stderr.write(
                    self.style.ERROR(
                        f"{problem or _database_problem(path, error)}\n  "
                        + _("Nothing from %s was imported.") % path
                    )
                )
                if problem is None:  # a lost connection is opened afresh for the next file
                    for connection in connections.all(initialized_only=True):
                        if not connection.in_atomic_block and not connection.is_usable():
                            connection.close()
                continue
            if dry_run:
                self._report(result)
            counts = _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged") % {
                "created": len(result.created),
                "updated": len(result.updated),
                "unchanged": len(result.unchanged),
            }
            if dry_run:
                self.stdout.write(
                    _("%(path)s: would be %(counts)s (dry run: nothing was written)")
                    % {"path": path, "counts": counts}
                )
            else:
                self.stdout.write(self.style.SUCCESS(f"{path}: {counts}"))
                written += len(result.created) + len(result.updated)
        if written:
            refresh_statistics()
        if failed:
            raise CommandError(
                ngettext(
                    "%(failed)d of %(count)d file could not be imported.",
                    "%(failed)d of %(count)d files could not be imported.",
                    len(paths),
                )
                % {"failed": failed, "count": len(paths)}
            )

    def _report(self, result):
        for slug in result.created:
            self.stdout.write("  " + _("created: %s") % slug)
        for slug in result.updated:
            self.stdout.write(
                "  "
                + _("updated: %(slug)s (%(changes)s)")
                % {"slug": slug, "changes": "; ".join(result.changes[slug])}
            )
        for slug in result.unchanged:
            self.stdout.write("  " + _("unchanged: %s") % slug)
