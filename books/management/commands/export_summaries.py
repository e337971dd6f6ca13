"""Export summaries, drafts included, to the summary-file format (JSON)."""

import json
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from books.models import Book
from books.summaries import iter_exports


class Command(BaseCommand):
    """``export_summaries [--slug S] [-o PATH]``: every summary, or the ones named."""

    help = "Export summaries as JSON. Without --slug, every summary (drafts included)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--slug", action="append", default=[], help="export this summary (repeatable)"
        )
        parser.add_argument("-o", "--output", help="write to this file instead of standard output")

    def handle(self, *args, slug, output, **options):
        books = Book.objects.all()
        if slug:
            books = books.filter(slug__in=slug)
            missing = set(slug) - set(books.values_list("slug", flat=True))
            if missing:
                raise CommandError(_("No summary with slug: %s") % ", ".join(sorted(missing)))
        self.stdout.ending = ""
        target = open(output, "w", encoding="utf-8") if output else nullcontext(self.stdout)  # noqa: SIM115
        with target as stream:
            exports = iter_exports(books)
            if len(slug) == 1:
                json.dump(next(exports), stream, ensure_ascii=False, indent=2)
            else:
                # Written one summary at a time, so memory stays flat for large libraries.
                stream.write("[")
                for index, summary in enumerate(exports):
                    stream.write(",\n" if index else "\n")
                    stream.write(json.dumps(summary, ensure_ascii=False, indent=2))
                stream.write("\n]")
            stream.write("\n")
        if output:
            self.stderr.write(self.style.SUCCESS(_("Wrote %s") % output))
