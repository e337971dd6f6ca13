"""What every engine shares: the result types, highlighting, and the SQL for "public"."""

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models.expressions import RawSQL
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

from books.models import Book

from .documents import MARK_END, MARK_START

PASSAGES_PER_RESULT = 3
FACET_LIMIT = 30
# The index stores a passage's label in English ("Chapter 7"); readers see it in their language.
_CHAPTER_LABEL = re.compile(r"Chapter (\d+)")


def passage_label(kind, anchor, label):
    """The label of a passage of ``kind`` in the interface's language (a section's is its own
    heading, written by the editors)."""
    if kind == "overview":
        return pgettext("search result", "Summary")
    if kind == "review":
        return gettext("Review")
    if kind == "related" and anchor == "related-chapter":
        return gettext("Related chapter")
    if kind == "related":
        return gettext("Related chapters")
    if kind == "chapter" and (number := _CHAPTER_LABEL.fullmatch(label)):
        return gettext("Chapter %(number)s") % {"number": number[1]}
    return label


def highlight(text):
    """Escape engine output and turn the private highlight markers into ``<mark>``."""
    escaped = escape(text or "")
    return mark_safe(  # noqa: S308 - every character of the text was escaped above
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


class Public:
    """The summaries readers may see, narrowed to all of ``tags`` (slugs) and to those written
    in ``language`` (when given), as SQL.

    Built from ``Book.objects.published()``, the one definition of public, at query
    time: a scheduled summary appears when its time comes.
    """

    def __init__(self, tags=(), language=None):
        self.tags = tuple(tags)
        self.language = language

    def _books(self):
        books = Book.objects.published().in_language(self.language)
        for slug in self.tags:
            books = books.filter(tags__slug=slug)
        return books.order_by().values("pk")

    @cached_property
    def ids_sql(self):
        """``(sql, params)`` selecting the ids of every public summary."""
        return self._books().query.sql_with_params()

    @cached_property
    def hidden_ids_sql(self):
        """``(sql, params)`` selecting the ids of every summary readers may not see (drafts,
        scheduled, withdrawn): a few, where the public ones are nearly the whole library.
        None when the search narrows by tag or language (the complement is then most of it).
        """
        if self.tags or self.language is not None:
            return None
        return Book.objects.hidden().order_by().values("pk").query.sql_with_params()

    def exists_sql(self, id_column):
        """``(sql, params)``: is the book whose id is in ``id_column`` public? (a key lookup)"""
        # id_column is one of our fixed column names, never user text.
        books = self._books().filter(pk=RawSQL(id_column, ()))  # noqa: S611
        sql, params = books.query.sql_with_params()
        return f"EXISTS ({sql})", params


@dataclass
class PassageHit:
    """A place in a summary that matched: where it is, its text, then its snippet."""

    anchor: str
    label: str
    title: str
    text: str
    kind: str = "chapter"
    snippet: str = ""
    url: str = ""
    marked_title: str = ""  # the title as escaped HTML with ``<mark>``, once the snippet is made

    @property
    def where(self):
        """Where the passage is on the page, e.g. "Chapter 7 · Advanced text generation"."""
        label = passage_label(self.kind, self.anchor, self.label)
        if not self.title or self.title == self.label:
            return label
        return format_html("{} · {}", label, self.marked_title or self.title)


@dataclass
class Hit:
    """One summary in the results."""

    book_id: int
    title: str
    authors: str
    snippet: str
    slug: str = ""
    url: str = ""
    tags: list = field(default_factory=list)  # TagLink
    passages: list = field(default_factory=list)  # the best first: the snippet's own
    where: str = ""  # the label of the snippet's passage
    snippet_url: str = ""


@dataclass
class TagLink:
    """A tag pill on a result: its name and its page."""

    name: str
    slug: str
    url: str


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
    notice: str = ""
    total: int = 0
    page: int = 1
    num_pages: int = 0
    per_page: int = 10
    hits: list = field(default_factory=list)
    facets: list = field(default_factory=list)
    tags: tuple = ()
    suggestion: str = ""
    original_total: int | None = None
    past_end: bool = False

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.num_pages

    @property
    def start_index(self):
        return (self.page - 1) * self.per_page + 1 if self.total else 0


def count_facets(tag_lists, selected, total, counts=None):
    """Tag facets over the matches' ``(name, slug)`` lists (or ``counts`` of them): by count,
    then name, ignoring case.

    A tag that every match carries would not narrow the results: it is left out unless
    the reader chose it.
    """
    if counts is None:
        counts = Counter(tag for tags in tag_lists for tag in tags)
    facets = [
        TagFacet(name, slug, count, selected=slug in selected)
        for (name, slug), count in counts.items()
        if count < total or slug in selected
    ]
    facets.sort(key=lambda facet: (-facet.count, facet.name.casefold(), facet.slug))
    return facets[:FACET_LIMIT]


def closest_word(word, candidates):
    """The candidate spelled most like ``word`` (ties go to the more frequent), or None.

    ``candidates`` is an iterable of ``(word, frequency)``.
    """
    best, best_key = None, None
    for candidate, frequency in candidates:
        if candidate == word:
            continue
        matcher = difflib.SequenceMatcher(None, word, candidate)
        if matcher.real_quick_ratio() < 0.75 or matcher.quick_ratio() < 0.75:
            continue
        ratio = matcher.ratio()
        if ratio < 0.75:
            continue
        key = (ratio, frequency)
        if best_key is None or key > best_key:
            best, best_key = candidate, key
    return best
