"""Search fixtures: content saved the way a commit saves it, so the index follows.

pytest-django wraps each test in a transaction that never commits, so on-commit
work (the ``summaries_changed`` signal that re-indexes) runs only when a block
is wrapped in ``indexed()``, which runs the callbacks as it ends.
"""

from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command

from books.devtools.evaluation import import_corpus
from books.models import Book

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def indexed(db, django_capture_on_commit_callbacks):
    """``with indexed(): …`` commits (as far as the index can tell) when the block ends."""

    @contextmanager
    def block():
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return block


@pytest.fixture
def demo_library(indexed):
    """The demo library, loaded with ``seed_demo`` and indexed."""
    with indexed(), open("/dev/null", "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    return Book.objects.get(slug="hands-on-large-language-models")


@pytest.fixture
def corpus(indexed):
    """The relevance corpus (tests/search/corpus), imported and indexed."""
    with indexed():
        import_corpus(CORPUS)
    return Book.objects.all()
