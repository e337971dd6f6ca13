"""``rebuild_search_index``: re-index every summary in batches, or check the index for drift."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from books.models import refresh_statistics
from books.search import INDEX_BATCH, drift, rebuild


class Command(BaseCommand):
    """Re-index all summaries (safe to re-run), or report drift with ``--check``."""

    help = (
        "Re-index every summary in batches; safe to run again at any time. With --check, "
        "change nothing and report summaries whose index rows are missing, stale or orphaned "
        "(exit status 1 when there are any)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Report drift between content and index."
        )
        parser.add_argument("--batch-size", type=int, default=INDEX_BATCH)

    def handle(self, *args, check=False, batch_size=INDEX_BATCH, **options):
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        if check:
            self.check_drift(batch_size)
            return

        def progress(done, total):
            if options["verbosity"] > 1 or done == total:
                self.stdout.write(
                    ngettext(
                        "Indexed %(done)d of %(total)d summary",
                        "Indexed %(done)d of %(total)d summaries",
                        total,
                    )
                    % {"done": done, "total": total}
                )

        total = rebuild(batch_size=batch_size, progress=progress)
        refresh_statistics()
        if not total:
            self.stdout.write(_("No summaries to index."))
        self.stdout.write(self.style.SUCCESS(_("The search index is up to date.")))

    def check_drift(self, batch_size):
        report = drift(batch_size=batch_size)
        if not report:
            self.stdout.write(self.style.SUCCESS(_("The search index matches the content.")))
            return
        for (one, many), ids in (
            (
                (
                    "%(count)d summary missing from the index: %(ids)s",
                    "%(count)d summaries missing from the index: %(ids)s",
                ),
                report.missing,
            ),
            (
                (
                    "%(count)d summary indexed with old content: %(ids)s",
                    "%(count)d summaries indexed with old content: %(ids)s",
                ),
                report.stale,
            ),
            (
                (
                    "%(count)d summary indexed but deleted: %(ids)s",
                    "%(count)d summaries indexed but deleted: %(ids)s",
                ),
                report.orphaned,
            ),
        ):
            if ids:
                shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
                self.stdout.write(ngettext(one, many, len(ids)) % {"count": len(ids), "ids": shown})
        raise CommandError(
            _(
                "The search index has drifted from the content; "
                "run `python manage.py rebuild_search_index`."
            )
        )
