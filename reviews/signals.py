"""Keep related links readable when the summary they point to is deleted."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from books.models import Book

from .models import RelatedLink


@receiver(pre_delete, sender=Book)
def keep_title_of_deleted_target(sender, instance, **kwargs):
    """Copy the title and authors into links to a deleted summary, so they stay as plain titles."""
    authors = ", ".join(author.name for author in instance.authors.order_by("book_links__position"))
    RelatedLink.objects.filter(target=instance, title="").update(title=instance.title)
    RelatedLink.objects.filter(target=instance, authors="").update(authors=authors)
