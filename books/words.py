"""Counting words in text and HTML: plain functions, without models, for worker processes too."""

import contextvars
import re
from contextlib import contextmanager

from django.utils.html import strip_tags

_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")


# Texts already counted elsewhere (a worker process, during a long import).
_counted = contextvars.ContextVar("counted_words", default=None)


def count_words(*texts):
    """Words in ``texts`` (plain text or HTML; tags and their attributes are not counted)."""
    counted = _counted.get() or {}
    return sum(
        counted[text] if text in counted else len(_WORD.findall(strip_tags(text)))
        for text in texts
        if text
    )


@contextmanager
def precounted(words_by_text):
    """Within the block, ``count_words`` takes the counts these texts were found to hold."""
    token = _counted.set(words_by_text)
    try:
        yield
    finally:
        _counted.reset(token)
