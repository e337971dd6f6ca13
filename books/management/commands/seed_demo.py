"""Load the demo library (the summaries and collections shipped in books/demo/); safe to run
again."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from books.curation.models import Collection, CollectionItem
from books.models import Book, Status
from books.summaries import SummaryFileError, import_file

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


def demo_files():
    """The demo summary files, a summary naming its translation after the one it names: the
    link is made when that summary is already in the library."""
    return sorted(
        DEMO_DIR.glob("*.json"),
        key=lambda path: (
            bool(json.loads(path.read_text(encoding="utf-8")).get("translation_of")),
            path.name,
        ),
    )


class Command(BaseCommand):
    """``seed_demo``: import the demo summaries through the regular importer."""

    help = "Load the demo summaries. Idempotent: running it again updates them in place."

    def handle(self, *args, **options):
        for path in demo_files():
            try:
                # The demo files are the truth for the demo summaries: they may replace them.
                result = import_file(path, replace=True)
            except SummaryFileError as error:
                raise CommandError(str(error)) from None
            addresses = {
                book.slug: book.url_in_own_language()
                for book in Book.objects.filter(
                    slug__in=[*result.created, *result.updated, *result.unchanged]
                )
            }
            for slug in result.created:
                self.stdout.write(self.style.SUCCESS(_("Added demo summary: %s") % addresses[slug]))
            for slug in result.updated:
                self.stdout.write(_("Demo summary updated: %s") % addresses[slug])
            for slug in result.unchanged:
                self.stdout.write(_("Demo summary up to date: %s") % addresses[slug])
        for path in sorted((DEMO_DIR / "collections").glob("*.json")):
            collection = self.seed_collection(json.loads(path.read_text()))
            self.stdout.write(_("Demo collection: %s") % collection.get_absolute_url())

    @transaction.atomic
    def seed_collection(self, data):
        """The collection in ``data``, published, with those of its summaries the library has."""
        collection, _ = Collection.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "title": data["title"],
                "intro": data.get("intro", ""),
                "status": Status.PUBLISHED,
            },
        )
        if data.get("featured") and not Collection.objects.filter(featured=True).exists():
            collection.featured = True
            collection.save(update_fields=["featured"])
        books = {book.slug: book for book in Book.objects.filter(slug__in=data["summaries"])}
        collection.items.all().delete()
        CollectionItem.objects.bulk_create(
            CollectionItem(collection=collection, book=books[slug], position=number)
            for number, slug in enumerate(
                (slug for slug in data["summaries"] if slug in books), start=1
            )
        )
        return collection
