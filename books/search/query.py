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

MAX_QUERY_CHARS = 200
MAX_CLAUSES = 12

# PostgreSQL's English stop-word list (tsearch_data/english.stop): dropping the
# same words on both engines makes "an all-stop-word query" mean the same thing.
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very s t can will just don should now
    """.split()  # noqa: SIM905 - a word list reads better as text
)

UNWANTED = frozenset({"Cc", "Cf", "Cs", "Co"})

# A word is a run of letters and digits; everything else separates words, as in
# FTS5's unicode61 tokenizer.
WORD_RE = re.compile(r"[^\W_]+")
TOKEN_RE = re.compile(r'-?"[^"]*(?:"|$)|\S+')

EMPTY = "Type a word to search for."
ONLY_COMMON = (
    "That search has only very common words (like “the” or “and”). Add a more specific word."
)
ONLY_EXCLUDED = "Add a word to search for, not only words to leave out."


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


def fold(word):
    """Lower-case and strip accents, as the engines do when indexing."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words_of(text):
    """The folded words of ``text``, in order."""
    return [fold(word) for word in WORD_RE.findall(text)]


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
        if len(query.groups) + len(query.excluded) >= MAX_CLAUSES:
            query.shortened = True
            break
        if negated:
            query.excluded.append(clause)
            join_next = False
        elif join_next:
            query.groups[-1].append(clause)
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
