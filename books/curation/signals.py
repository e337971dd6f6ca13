"""A collection saved or deleted, or one of its items: the pages that list collections change.

Collections appear only on list pages (home, the collections, their feeds), which
are cached under the library's token; a summary page never shows one. So a
change gives the library a new token after the commit (``books.cache.retire_lists``)
and leaves every summary page cached.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from books.cache import retire_lists

from .models import Collection, CollectionItem


@receiver(post_save, sender=Collection, dispatch_uid="curation.collection_saved")
@receiver(post_delete, sender=Collection, dispatch_uid="curation.collection_deleted")
@receiver(post_save, sender=CollectionItem, dispatch_uid="curation.item_saved")
@receiver(post_delete, sender=CollectionItem, dispatch_uid="curation.item_deleted")
def collection_changed(sender, raw=False, using="default", **kwargs):
    if not raw:
        transaction.on_commit(retire_lists, using=using)
