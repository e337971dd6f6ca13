"""App configuration for reviews and related links."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """The reviews app: a review per summary, its takeaways, and related chapters."""

    name = "reviews"
    verbose_name = _("Reviews and related chapters")

    def ready(self):
        from books import changes

        from . import signals  # noqa: F401
        from .models import RelatedLink, Review, Takeaway

        # A review, a takeaway or a related link saved on its own changes its summary.
        changes.follow_rows(Review, Takeaway, RelatedLink, deleted_before=[Takeaway])
