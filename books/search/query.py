"""Parse what a reader typed, once, into words, phrases, alternatives and exclusions.

The parser never fails: any text becomes a ``ParsedQuery``, possibly with a
``problem`` to tell the reader (empty, only common words, only exclusions).
Backends turn the parsed clauses into their own engine syntax, always escaped.
"""

import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from django.utils.translation import gettext_lazy

from .language import STOP_WORDS, WORD_RE, words_of

# Bounds on the work one query can cause (docs/search.md, "Expensive queries"): what is
# past them is left out, and the page says that only the beginning was used.
MAX_QUERY_CHARS = 200
MAX_CLAUSES = 6  # words and phrases, to find or to leave out
MAX_ALTERNATIVES = 3  # clauses joined by OR in one group
MAX_PHRASES = 3
MAX_PHRASE_WORDS = 5

UNWANTED = frozenset({"Cc", "Cf", "Cs", "Co"})
TOKEN_RE = re.compile(r'-?"[^"]*(?:"|$)|\S+')

# What the search page tells a reader, in the interface's language when it is shown.
EMPTY = gettext_lazy("Type a word to search for.")
ONLY_COMMON = gettext_lazy(
    "That search has only very common words (like “the” or “and”). Add a more specific word."
)
ONLY_EXCLUDED = gettext_lazy("Add a word to search for, not only words to leave out.")
TOO_SLOW = gettext_lazy(
    "That search took too long and was stopped. Try fewer words, fewer phrases or fewer "
    "alternatives joined by OR."
)


@cache
def _unwanted_characters():
    """A character class of control, format, surrogate and private-use characters."""
    ranges, start = [], None
    for code in range(sys.maxunicode + 2):
        unwanted = code <= sys.maxunicode and unicodedata.category(chr(code)) in UNWANTED
        if unwanted and start is None:
            start = code
        elif not unwanted and start is not None:
            ranges.append(f"\\U{start:08x}-\\U{code - 1:08x}")
            start = None
    return re.compile(f"[{''.join(ranges)}]")


def clean_text(text):
    """Normalise user text: NFKC, no control, format, surrogate or private-use characters."""
    text = unicodedata.normalize("NFKC", text or "")
    return _unwanted_characters().sub(" ", text)


def exact_key(text):
    """The form of a title or a name used to spot an exact match: folded words, spaced."""
    return " ".join(words_of(clean_text(text)))


@dataclass(frozen=True)
class Clause:
    """One word or quoted phrase. ``text`` is what the reader wrote, without quotes or dash."""

    text: str
    words: tuple
    phrase: bool = False

    def __str__(self):
        return f'"{self.text}"' if self.phrase else self.text


@dataclass
class ParsedQuery:
    """A query as AND of groups (each an OR of clauses), minus the excluded clauses."""

    raw: str
    groups: list = field(default_factory=list)
    excluded: list = field(default_factory=list)
    problem: str = ""
    shortened: bool = False

    @property
    def clauses(self):
        """Every positive clause, in order."""
        return [clause for group in self.groups for clause in group]

    @property
    def words(self):
        """Every word the reader is looking for (not the excluded ones)."""
        return [word for clause in self.clauses for word in clause.words]

    @property
    def shown(self):
        """What the page echoes: the query as typed, or the part of it used, cut with "…"."""
        if not self.shortened:
            return self.raw
        return f"{self} …" if self.groups or self.excluded else f"{self.raw[:MAX_QUERY_CHARS]}…"

    def __str__(self):
        parts = [" OR ".join(str(clause) for clause in group) for group in self.groups]
        parts += [f"-{clause}" for clause in self.excluded]
        return " ".join(parts)


def _clause(token):
    negated = token.startswith("-") and len(token) > 1
    body = token[1:] if negated else token
    phrase = body.startswith('"')
    if phrase:
        body = body[1:-1] if body.endswith('"') and len(body) > 1 else body[1:]
    body = body.strip()
    words = tuple(words_of(body))
    return Clause(text=body, words=words, phrase=phrase), negated


def _meaningful(clause):
    # A phrase keeps its stop words ("to be or not to be") as long as it holds
    # one other word; a bare stop word carries no meaning for ranking.
    return any(word not in STOP_WORDS for word in clause.words)


def parse(raw):
    """Parse ``raw`` into a ``ParsedQuery``; never raises."""
    text = clean_text(raw).strip()
    query = ParsedQuery(raw=text)
    if len(text) > MAX_QUERY_CHARS:
        text, query.shortened = text[:MAX_QUERY_CHARS], True
    tokens = TOKEN_RE.findall(text)
    if not tokens:
        query.problem = EMPTY
        return query

    saw_words = False
    join_next = False
    phrases = 0
    for token in tokens:
        if token == "OR":  # noqa: S105 - the OR operator, not a secret
            join_next = bool(query.groups)
            continue
        clause, negated = _clause(token)
        if not clause.words:
            join_next = False
            continue
        saw_words = True
        if not _meaningful(clause):
            join_next = False
            continue
        if len(query.clauses) + len(query.excluded) >= MAX_CLAUSES:
            query.shortened = True
            break
        if len(clause.words) > 1:  # a phrase, quoted or not ("KV-cache"): positions to check
            if phrases >= MAX_PHRASES:
                query.shortened = True
                join_next = False
                continue
            phrases += 1
            if len(clause.words) > MAX_PHRASE_WORDS:
                text = " ".join(WORD_RE.findall(clause.text)[:MAX_PHRASE_WORDS])
                clause = Clause(text, clause.words[:MAX_PHRASE_WORDS], phrase=clause.phrase)
                query.shortened = True
        if negated:
            query.excluded.append(clause)
            join_next = False
        elif join_next and len(query.groups[-1]) < MAX_ALTERNATIVES:
            query.groups[-1].append(clause)
            join_next = False
        elif join_next:
            query.shortened = True  # too many alternatives: the rest of the OR is left out
            join_next = False
        else:
            query.groups.append([clause])

    if not query.groups:
        if query.excluded:
            query.problem = ONLY_EXCLUDED
        elif saw_words:
            query.problem = ONLY_COMMON
        else:
            query.problem = EMPTY
    return query
