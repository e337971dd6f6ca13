"""Draw the share cards of summaries that have none or an outdated one, ahead of readers."""

from itertools import batched

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from books.models import Book
from books.share_cards import refresh_share_cards

BATCH = 200


class Command(BaseCommand):
    """``draw_share_cards``: what a reader's first request does for a card, for every summary."""

    help = (
        "Draw the 1200 x 630 share card of every summary whose card is missing or shows an old "
        "title, authors, cover or tag. Cards are drawn when first asked for; this draws them ahead."
    )

    def handle(self, *args, **options):
        ids = list(Book.objects.order_by("pk").values_list("pk", flat=True))
        for batch in batched(ids, BATCH):
            refresh_share_cards(batch)
        self.stdout.write(
            ngettext(
                "Checked the share card of %(count)d summary.",
                "Checked the share cards of %(count)d summaries.",
                len(ids),
            )
            % {"count": len(ids)}
        )
