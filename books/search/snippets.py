"""Snippets that read well: one passage, cut at sentence boundaries, matched words marked.

Both engines hand over the passage's stored text; the snippet is cut here, the same
way on both, from the analysed query: a word is marked when its stem (in the summary's
language) is one the query looks for, and the words of a phrase only where the whole
phrase stands together.
"""

import re

from .documents import MARK_END, MARK_START
from .language import WORD_RE, fold, stem

SNIPPET_WORDS = 32
SENTENCE_RE = re.compile(r"[^.!?…\n]*(?:[.!?…]+[\"')\]]*|\n|$)")


def _sentences(text):
    return [match.group().strip() for match in SENTENCE_RE.finditer(text) if match.group().strip()]


def _matches(sentence, alternatives, language):
    """Spans ``(start, end)`` of the matched words of ``sentence``, and the alternatives seen."""
    tokens = [(m.start(), m.end(), stem(fold(m.group()), language)) for m in WORD_RE.finditer(sentence)]
    stems = [token[2] for token in tokens]
    spans, seen = set(), set()
    for alternative in alternatives:
        if alternative.language != language:
            continue
        size = len(alternative.stems)
        for index in range(len(stems) - size + 1):
            if tuple(stems[index : index + size]) == alternative.stems:
                seen.add(alternative.words)
                spans.update(tokens[index + offset][:2] for offset in range(size))
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
    sentences = _sentences(text)
    if not sentences:
        return "", False
    scored = []
    for index, sentence in enumerate(sentences):
        spans, seen = _matches(sentence, alternatives, language)
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
    spans, _ = _matches(text, alternatives, language)
    return _marked(text, spans)
