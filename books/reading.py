"""Reading time: every row of a summary counts the words a reader reads in it when it is saved.

Each summary row (book, section, part, chapter, audience item, review, takeaway)
stores ``word_count`` for its own text, counted from the rendered HTML in the
same save that renders it. A summary's reading time is the sum over its rows,
added up by the database (``BookQuerySet.with_reading_time``), so it cannot go
stale when chapters are edited inline, reordered, deleted or imported in bulk.
"""

import math
import re

from django.db import models
from django.utils.html import strip_tags

WORDS_PER_MINUTE = 230
_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")


def count_words(*texts):
    """Words in ``texts`` (plain text or HTML; tags and their attributes are not counted)."""
    return sum(len(_WORD.findall(strip_tags(text))) for text in texts if text)


def reading_minutes(words):
    """Whole minutes to read ``words`` at an unhurried pace; at least one."""
    return max(1, math.ceil((words or 0) / WORDS_PER_MINUTE))


class CountedWords(models.Model):
    """Stores ``word_count`` for the text in ``counted_fields``, recounted on every save.

    List it after ``RenderedMarkdownMixin`` in the bases, so that HTML fields
    are rendered before they are counted.
    """

    counted_fields = ()

    word_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.count_words()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.counted_fields):
            kwargs["update_fields"] = {*update_fields, "word_count"}
        super().save(*args, **kwargs)

    def count_words(self):
        self.word_count = count_words(*(getattr(self, name) for name in self.counted_fields))
