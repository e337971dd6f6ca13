"""Snippets that read well: one passage, cut at sentence boundaries, matched words marked.

Both engines hand over the passage's stored text; the snippet is cut here, the same
way on both, from the analysed query: a word is marked when its stem (in the summary's
language) is one the query looks for, and the words of a phrase only where the whole
phrase stands together.
"""

import re

from .documents import MARK_END, MARK_START
from .language import WORD_RE, surface_stem

SNIPPET_WORDS = 32
# A snippet is looked for in the passage's first sentences only (a bound on the work).
MAX_SENTENCES = 24
SENTENCE_RE = re.compile(r"[^.!?…\n]*(?:[.!?…]+[\"')\]]*|\n|$)")


def _sentences(text):
    return [match.group().strip() for match in SENTENCE_RE.finditer(text) if match.group().strip()]


def _targets(alternatives, language):
    """The query's stems in ``language``: ``{first stem: [(stems, words), …]}``."""
    targets = {}
    for alternative in alternatives:
        if alternative.language == language:
            targets.setdefault(alternative.stems[0], []).append(
                (alternative.stems, alternative.words)
            )
    return targets


def _may_match(sentence, targets):
    """False when an ASCII sentence cannot hold any of the stems (each stem, but its last
    letter, begins the words it stems from): most sentences skip tokenizing."""
    if not sentence.isascii() or not all(stem.isascii() for stem in targets):
        return True
    lowered = sentence.lower()
    return any(stem[:-1] in lowered for stem in targets)


def _matches(sentence, targets, language):
    """Spans ``(start, end)`` of the matched words of ``sentence``, and the alternatives seen."""
    if not _may_match(sentence, targets):
        return [], set()
    tokens = [
        (match.start(), match.end(), surface_stem(match.group(), language))
        for match in WORD_RE.finditer(sentence)
    ]
    spans, seen = set(), set()
    for index, (_, _, first) in enumerate(tokens):
        for stems, words in targets.get(first, ()):
            size = len(stems)
            if size == 1 or tuple(token[2] for token in tokens[index : index + size]) == stems:
                seen.add(words)
                spans.update(token[:2] for token in tokens[index : index + size])
    return sorted(spans), seen


def _marked(sentence, spans, limit=None):
    """The sentence with its spans marked; cut to ``limit`` words around the first match."""
    words = list(WORD_RE.finditer(sentence))
    start_char, end_char, prefix, suffix = 0, len(sentence), "", ""
    if limit and len(words) > limit:
        first = next((i for i, w in enumerate(words) if (w.start(), w.end()) in spans), 0)
        begin = max(0, min(first - limit // 3, len(words) - limit))
        end = begin + limit
        if begin:
            start_char, prefix = words[begin].start(), "…"
        if end < len(words):
            end_char, suffix = words[end - 1].end(), "…"
    out, position = [prefix], start_char
    for start, end in spans:
        if start < start_char or end > end_char:
            continue
        out += [sentence[position:start], MARK_START, sentence[start:end], MARK_END]
        position = end
    out += [sentence[position:end_char], suffix]
    return "".join(out)


def make_snippet(text, alternatives, language, words=SNIPPET_WORDS):
    """The best sentences of ``text`` for the query, with matched words marked.

    The sentence matching the most of the query's terms comes first, followed by the
    sentences after it while they fit in ``words``; a sentence longer than that is cut
    around its first match. Returns ``(snippet, matched)``: ``matched`` is False when
    nothing in the passage matched (the snippet is then its opening).
    """
    sentences = _sentences(text)[:MAX_SENTENCES]
    if not sentences:
        return "", False
    targets = _targets(alternatives, language)
    scored = []
    for index, sentence in enumerate(sentences):
        spans, seen = _matches(sentence, targets, language)
        scored.append((len(seen), len(spans), -index, spans))
    best = max(range(len(sentences)), key=lambda i: scored[i][:3])
    matched = scored[best][0] > 0
    if not matched:
        best = 0
    count = len(WORD_RE.findall(sentences[best]))
    if count >= words:
        return _marked(sentences[best], scored[best][3], limit=words), matched
    pieces = [_marked(sentences[best], scored[best][3])]
    for index in range(best + 1, len(sentences)):
        size = len(WORD_RE.findall(sentences[index]))
        if count + size > words:
            break
        pieces.append(_marked(sentences[index], scored[index][3]))
        count += size
    return " ".join(pieces), matched


def mark_words(text, alternatives, language):
    """All of ``text`` (a title) with its matched words marked."""
    spans, _ = _matches(text, _targets(alternatives, language), language)
    return _marked(text, spans)
