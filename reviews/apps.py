"""App configuration for reviews and related links."""

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """The reviews app: a review per summary, its takeaways, and related chapters."""

    name = "reviews"
    verbose_name = "Reviews and related chapters"

    def ready(self):
        from . import signals  # noqa: F401
