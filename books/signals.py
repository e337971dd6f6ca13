"""Which summaries changed: one ``summaries_changed`` signal after each commit.

Every model that makes up a summary (the book, its authors, sections, audience,
parts, chapters, tags, review, takeaways and related links) marks the affected
book ids while a transaction runs. Once it commits, ``summaries_changed`` is sent
once with all of them. The search index listens to it (``books/search``), and so
can anything else that must follow the content exactly, such as a page cache.

Code that writes without model signals (``bulk_create``, ``QuerySet.update``)
calls ``mark_changed()`` itself, as the summary importer does.
"""

import logging
import threading

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import Signal, receiver
from taggit.models import Tag, TaggedItem

from reviews.models import RelatedLink, Review, Takeaway

from .models import AudienceItem, Author, Book, BookAuthor, Chapter, Part, Section

logger = logging.getLogger(__name__)

#: Sent after a commit that changed summaries, with ``book_ids`` (a frozenset) and
#: ``indexed``: those of them the search index already holds as committed.
summaries_changed = Signal()

_pending = threading.local()


def mark_changed(book_ids, using="default", *, indexed=False):
    """Record that these books changed; ``summaries_changed`` follows the commit.

    ``indexed`` says the search index already holds these books as they are now
    (an import writes it in its own transaction): the signal still names them,
    for the caches, and lists them in ``indexed`` so that the index skips them,
    unless a later change in the transaction marks them again.
    """
    ids = {book_id for book_id in book_ids if book_id is not None}
    if not ids:
        return
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = set()
        _pending.indexed = set()
    pending.update(ids)
    if indexed:
        _pending.indexed.update(ids)
    else:
        _pending.indexed.difference_update(ids)
    # One callback per mark; the first to run after the commit sends everything
    # pending, the rest find nothing. (A rolled-back transaction drops its
    # callbacks but not its ids: those are re-indexed with the next commit,
    # which is harmless, since indexing reads the committed content.)
    transaction.on_commit(_send_pending, using=using)


def forget_indexed(book_ids):
    """The index rows written for these books were rolled back: index them after all."""
    indexed = getattr(_pending, "indexed", None)
    if indexed:
        indexed.difference_update(book_ids)


def _send_pending():
    pending = getattr(_pending, "ids", None)
    if not pending:
        return
    book_ids = frozenset(pending)
    indexed = frozenset(_pending.indexed & book_ids)
    pending.clear()
    _pending.indexed.clear()
    for handler, error in summaries_changed.send_robust(
        sender=Book, book_ids=book_ids, indexed=indexed
    ):
        if isinstance(error, Exception):
            logger.error(
                "A summaries_changed handler (%r) failed for books %s",
                handler,
                sorted(book_ids),
                exc_info=error,
            )


def linking_to(book_ids):
    """Books whose related links point at these books (they show their titles)."""
    return set(RelatedLink.objects.filter(target__in=book_ids).values_list("book_id", flat=True))


# --- The book and its authors ---------------------------------------------------------


@receiver(post_save, sender=Book)
def book_saved(sender, instance, **kwargs):
    mark_changed({instance.pk} | linking_to([instance.pk]))


@receiver(pre_delete, sender=Book)
def book_deleted(sender, instance, **kwargs):
    mark_changed({instance.pk} | linking_to([instance.pk]))


@receiver(post_save, sender=Author)
@receiver(post_delete, sender=Author)
def author_changed(sender, instance, **kwargs):
    books = set(BookAuthor.objects.filter(author=instance).values_list("book_id", flat=True))
    mark_changed(books | linking_to(books))


# --- Parts of one summary ----------------------------------------------------------------


@receiver(post_save, sender=BookAuthor)
@receiver(post_delete, sender=BookAuthor)
@receiver(post_save, sender=Section)
@receiver(post_delete, sender=Section)
@receiver(post_save, sender=AudienceItem)
@receiver(post_delete, sender=AudienceItem)
@receiver(post_save, sender=Part)
@receiver(post_delete, sender=Part)
@receiver(post_save, sender=Review)
@receiver(post_delete, sender=Review)
@receiver(post_save, sender=RelatedLink)
@receiver(post_delete, sender=RelatedLink)
def book_child_changed(sender, instance, **kwargs):
    mark_changed({instance.book_id})


@receiver(post_save, sender=Chapter)
@receiver(pre_delete, sender=Chapter)
def chapter_changed(sender, instance, **kwargs):
    mark_changed(Part.objects.filter(pk=instance.part_id).values_list("book_id", flat=True))


@receiver(post_save, sender=Takeaway)
@receiver(pre_delete, sender=Takeaway)
def takeaway_changed(sender, instance, **kwargs):
    mark_changed(Review.objects.filter(pk=instance.review_id).values_list("book_id", flat=True))


# --- Tags ----------------------------------------------------------------------------------


def _book_type_id():
    return ContentType.objects.get_for_model(Book).pk


def _tagged_books(**filters):
    return TaggedItem.objects.filter(content_type_id=_book_type_id(), **filters).values_list(
        "object_id", flat=True
    )


@receiver(m2m_changed, sender=Book.tags.through)
def tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if isinstance(instance, Book):
        mark_changed({instance.pk})
    elif pk_set:  # from a tag's side: the books are the pk_set
        mark_changed(pk_set)


@receiver(post_save, sender=TaggedItem)
@receiver(post_delete, sender=TaggedItem)
def tagged_item_changed(sender, instance, **kwargs):
    if instance.content_type_id == _book_type_id():
        mark_changed({instance.object_id})


@receiver(post_save, sender=Tag)
def tag_renamed(sender, instance, created, **kwargs):
    if not created:
        mark_changed(_tagged_books(tag=instance))


@receiver(pre_delete, sender=Tag)
def tag_deleted(sender, instance, **kwargs):
    mark_changed(_tagged_books(tag=instance))
