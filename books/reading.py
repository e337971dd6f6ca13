"""Reading time: every row of a summary counts the words a reader reads in it when it is saved.

Each summary row (book, section, part, chapter, audience item, review, takeaway)
stores ``word_count`` for its own text, counted from the rendered HTML in the
same save that renders it. A summary's total, ``Book.reading_words``, is the sum
over its rows (``reading_words_sum``), added up by the database whenever the
summary changes (``BookQuerySet.recount_reading_time``): cards and pages read
one column.
"""

import math
import re

from django.apps import apps
from django.db import models
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import ngettext

WORDS_PER_MINUTE = 230
_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")


# A tag with its attributes, quoted values may hold ">": enough for the sanitised HTML the
# site stores. Django's ``strip_tags`` (an HTML parser run until nothing changes) was a tenth
# of a bulk import's time.
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def count_words(*texts):
    """Words in ``texts`` (plain text or HTML; tags and their attributes are not counted)."""
    return sum(
        len(_WORD.findall(_TAG.sub("", text) if "<" in text else text)) for text in texts if text
    )


def reading_minutes(words):
    """Whole minutes to read ``words`` at an unhurried pace; at least one."""
    return max(1, math.ceil((words or 0) / WORDS_PER_MINUTE))


def reading_time(minutes):
    """ "5 min read", in the interface's language (as ``includes/reading_time.html`` says it)."""
    return ngettext("%(minutes)s min read", "%(minutes)s min read", minutes) % {"minutes": minutes}


class CountedWords(models.Model):
    """Stores ``word_count`` for the text in ``counted_fields``, recounted on every save.

    List it after ``RenderedMarkdownMixin`` in the bases, so that HTML fields
    are rendered before they are counted.
    """

    counted_fields = ()
    #: How a row leads to its summary, as a lookup path ("book", "part__book"…).
    book_path = "book"

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


def reading_words_sum():
    """The words of every row of a summary, added up by the database: an expression on Book.

    The one sum behind a summary's reading time. Every model that counts words says
    how its rows lead to their summary (``book_path``); the app registry lists them.
    """
    total = F("word_count")
    for model in apps.get_models():
        if issubclass(model, CountedWords) and model.book_path:
            rows = model.objects.filter(**{model.book_path: OuterRef("pk")}).order_by()
            words = rows.values(model.book_path).annotate(total=Sum("word_count")).values("total")
            total += Coalesce(Subquery(words), 0)
    return total
