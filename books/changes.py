"""Which summaries changed: collected per transaction, announced once by ``summaries_changed``.

Whatever writes a summary's content names the summaries it changed with ``mark()``:

- the write path (``books.summaries.saving``) for every summary it saves, rows
  written in bulk included;
- a summary row saved or deleted on its own (a shell, a tag merge, an author's new
  name): the receivers below ask the row which summaries show it (``summary_ids()``);
- tags, whose models django-taggit owns: the receivers below.

The ids wait on the database connection, in the ``ChangedSummaries`` of the
transaction in progress there. Once it commits, their reading time is recounted
(``Book.reading_words``: rows saved on their own changed it) and ``summaries_changed``
is sent once with all of them. Its listeners (the search index, the page cache)
reread the committed content: they never need to know who wrote it.
"""

import logging
from itertools import batched

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import Signal

from .models import Book

logger = logging.getLogger(__name__)
RECOUNT_BATCH = 500

#: Sent after a commit that changed summaries, with ``book_ids``: a frozenset.
summaries_changed = Signal()


class ChangedSummaries:
    """The summaries changed by the transaction in progress on one database connection.

    Every ``add`` asks for ``send`` to run when the transaction commits; the first
    call sends everything collected, the others find nothing left. A rolled-back
    transaction drops its callbacks but not its ids: they go out with the next
    commit, which is harmless, since the listeners read what was committed.
    """

    def __init__(self, using):
        self.using = using
        self.book_ids = set()

    @classmethod
    def of(cls, using=DEFAULT_DB_ALIAS):
        """The collector of the connection ``using`` (each thread has its own connections)."""
        connection = connections[using]
        collector = getattr(connection, "changed_summaries", None)
        if collector is None:
            collector = connection.changed_summaries = cls(using)
        return collector

    def add(self, book_ids):
        self.book_ids.update(book_id for book_id in book_ids if book_id is not None)
        if self.book_ids:
            transaction.on_commit(self.send, using=self.using)

    def send(self):
        if not self.book_ids:
            return
        book_ids = frozenset(self.book_ids)
        self.book_ids.clear()
        # The summaries' derived totals first, so that no listener (a page rendered for
        # the cache) reads a stale one: their rows may have changed outside the write path.
        try:
            for batch in batched(sorted(book_ids), RECOUNT_BATCH):
                Book.objects.using(self.using).filter(pk__in=batch).recount_reading_time()
        except DatabaseError:
            logger.exception("Could not recount the reading time of summaries %s", sorted(book_ids))
        for receiver, error in summaries_changed.send_robust(sender=type(self), book_ids=book_ids):
            if isinstance(error, Exception):
                logger.error(
                    "A summaries_changed receiver (%r) failed for summaries %s",
                    receiver,
                    sorted(book_ids),
                    exc_info=error,
                )


def mark(book_ids, using=DEFAULT_DB_ALIAS):
    """Record that the summaries ``book_ids`` changed; ``summaries_changed`` follows the commit."""
    ChangedSummaries.of(using).add(book_ids)


# --- Rows saved or deleted one at a time ----------------------------------------------------
# Models whose rows belong to summaries define ``summary_ids()``: the summaries whose
# pages show the row. Their save and delete mark those summaries.


def row_saved(sender, instance, raw=False, using=DEFAULT_DB_ALIAS, **kwargs):
    if not raw:
        mark(instance.summary_ids(), using)


def row_deleted(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    mark(instance.summary_ids(), using)


def follow_rows(*models, deleted_before=()):
    """Mark the summaries of these models' rows whenever one is saved or deleted.

    ``deleted_before``: models whose ``summary_ids()`` must be read before the delete
    (a summary's id, and the summaries linking to it, are gone after it).
    """
    for model in models:
        label = model._meta.label_lower
        post_save.connect(row_saved, sender=model, dispatch_uid=f"changes.saved.{label}")
        deleted = pre_delete if model in deleted_before else post_delete
        deleted.connect(row_deleted, sender=model, dispatch_uid=f"changes.deleted.{label}")


# --- Tags (django-taggit's models) ----------------------------------------------------------


def follow_tags(book_model):
    """Mark the summaries whose tags are added, removed, renamed or deleted."""
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import Tag, TaggedItem

    def book_type_id():
        return ContentType.objects.get_for_model(book_model).pk

    def tagged_books(**filters):
        return TaggedItem.objects.filter(content_type_id=book_type_id(), **filters).values_list(
            "object_id", flat=True
        )

    def tags_changed(sender, instance, action, pk_set, using=DEFAULT_DB_ALIAS, **kwargs):
        if not action.startswith("post_"):
            return
        if isinstance(instance, book_model):
            mark({instance.pk}, using)
        elif pk_set:  # from a tag's side: the books are the pk_set
            mark(pk_set, using)

    def tagging_changed(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
        if instance.content_type_id == book_type_id():
            mark({instance.object_id}, using)

    def tag_renamed(sender, instance, created, using=DEFAULT_DB_ALIAS, **kwargs):
        if not created:
            mark(tagged_books(tag=instance), using)

    def tag_deleted(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
        mark(tagged_books(tag=instance), using)

    m2m_changed.connect(
        tags_changed, sender=book_model.tags.through, weak=False, dispatch_uid="changes.tags"
    )
    post_save.connect(tagging_changed, sender=TaggedItem, weak=False, dispatch_uid="changes.tagged")
    post_delete.connect(
        tagging_changed, sender=TaggedItem, weak=False, dispatch_uid="changes.untagged"
    )
    post_save.connect(tag_renamed, sender=Tag, weak=False, dispatch_uid="changes.tag_renamed")
    pre_delete.connect(tag_deleted, sender=Tag, weak=False, dispatch_uid="changes.tag_deleted")
