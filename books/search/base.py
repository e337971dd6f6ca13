"""What every engine shares: the result types, highlighting, and the SQL for "public"."""

import difflib
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from books.models import Book

from .documents import MARK_END, MARK_START

PASSAGES_PER_RESULT = 3
FACET_LIMIT = 30


def highlight(text):
    """Escape engine output and turn the private highlight markers into ``<mark>``."""
    escaped = escape(text or "")
    return mark_safe(  # noqa: S308 - every character of the text was escaped above
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


class Public:
    """The summaries readers may see, narrowed to all of ``tags`` (slugs), as SQL.

    Built from ``Book.objects.published()``, the one definition of public, at query
    time: a scheduled summary appears when its time comes.
    """

    def __init__(self, tags=()):
        self.tags = tuple(tags)

    def _books(self):
        books = Book.objects.published()
        for slug in self.tags:
            books = books.filter(tags__slug=slug)
        return books.order_by().values("pk")

    @cached_property
    def ids_sql(self):
        """``(sql, params)`` selecting the ids of every public summary."""
        return self._books().query.sql_with_params()

    def exists_sql(self, id_column):
        """``(sql, params)``: is the book whose id is in ``id_column`` public? (a key lookup)"""
        # id_column is one of our fixed column names, never user text.
        books = self._books().filter(pk=RawSQL(id_column, ()))  # noqa: S611
        sql, params = books.query.sql_with_params()
        return f"EXISTS ({sql})", params


@dataclass
class PassageHit:
    """A place in a summary that matched, with its own highlighted snippet."""

    anchor: str
    label: str
    title: str
    snippet: str
    url: str = ""


@dataclass
class Hit:
    """One summary in the results."""

    book_id: int
    title: str
    authors: str
    snippet: str
    slug: str = ""
    url: str = ""
    tags: list = field(default_factory=list)
    passages: list = field(default_factory=list)


@dataclass
class TagFacet:
    """A tag among the matching summaries, with how many of them carry it."""

    name: str
    slug: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    """Everything the search page shows for one query."""

    query: object
    message: str = ""
    total: int = 0
    page: int = 1
    num_pages: int = 0
    per_page: int = 10
    hits: list = field(default_factory=list)
    facets: list = field(default_factory=list)
    tags: tuple = ()
    suggestion: str = ""
    original_total: int | None = None

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.num_pages

    @property
    def start_index(self):
        return (self.page - 1) * self.per_page + 1 if self.total else 0


def closest_word(word, candidates):
    """The candidate spelled most like ``word`` (ties go to the more frequent), or None.

    ``candidates`` is an iterable of ``(word, frequency)``.
    """
    best, best_key = None, None
    for candidate, frequency in candidates:
        if candidate == word:
            continue
        ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
        if ratio < 0.75:
            continue
        key = (ratio, frequency)
        if best_key is None or key > best_key:
            best, best_key = candidate, key
    return best
