"""Re-render every stored Markdown field, in batches: run after changing the sanitiser policy."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from books import changes
from books.markdown import RenderedMarkdownMixin

BATCH_SIZE = 500
# How each model's rows lead to the summaries that show them (default: ``book``).
SUMMARY_PATHS = {
    "books.Book": "pk",
    "books.Author": "book_links__book",
    "books.Chapter": "part__book",
}


class Command(BaseCommand):
    """``rerender_markdown [--dry-run]``: refresh the stored HTML of every Markdown field."""

    help = (
        "Render every Markdown source again and store the HTML that changed. Pages show the "
        "HTML stored at save time, so run this after changing books/markdown.py."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would change, write nothing"
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, dry_run, batch_size, **options):
        total = 0
        for model in apps.get_models():
            if issubclass(model, RenderedMarkdownMixin) and model.markdown_fields:
                checked, changed = self.rerender(model, batch_size, dry_run=dry_run)
                total += changed
                counts = (
                    _("%(checked)d checked, %(changed)d would change")
                    if dry_run
                    else _("%(checked)d checked, %(changed)d updated")
                )
                self.stdout.write(
                    f"{model._meta.label}: " + counts % {"checked": checked, "changed": changed}
                )
        if dry_run:
            done = ngettext("%(count)d row would change.", "%(count)d rows would change.", total)
        else:
            done = ngettext("%(count)d row updated.", "%(count)d rows updated.", total)
        self.stdout.write(self.style.SUCCESS(done % {"count": total}))

    def rerender(self, model, batch_size, *, dry_run):
        """Re-render ``model`` in primary-key batches; return (rows checked, rows changed)."""
        targets = list(model.markdown_fields.values())
        # Rows that count the words of their text count them from the rendered HTML.
        counts_words = hasattr(model, "count_words")
        if counts_words:
            targets.append("word_count")
        rows = model._default_manager.order_by("pk")
        checked = changed = 0
        last_pk = None
        while True:
            # Keyset pagination: each batch is a short query and a short transaction.
            batch = list(
                (rows.filter(pk__gt=last_pk) if last_pk is not None else rows)[:batch_size]
            )
            if not batch:
                return checked, changed
            last_pk = batch[-1].pk
            checked += len(batch)
            stale = []
            for row in batch:
                before = [getattr(row, target) for target in targets]
                row.render_markdown()
                if counts_words:
                    row.count_words()
                if [getattr(row, target) for target in targets] != before:
                    stale.append(row)
            changed += len(stale)
            if stale and not dry_run:
                with transaction.atomic():
                    model._default_manager.bulk_update(stale, targets)
                    # bulk_update sends no signals: name the summaries for the search
                    # index and the page cache, which follow them after the commit.
                    changes.mark(self.summaries_showing(model, stale))

    @staticmethod
    def summaries_showing(model, rows):
        """Ids of the summaries whose pages show these rows."""
        path = SUMMARY_PATHS.get(model._meta.label, "book")
        return set(
            model._default_manager.filter(pk__in=[row.pk for row in rows]).values_list(
                path, flat=True
            )
        )
