"""A parsed query made ready for the engines: synonyms added, words stemmed in each language.

Each clause the reader typed becomes a list of ``Alternative``s: the clause itself and
the terms of its synonym sets, each in every language being searched. A clause of one
word is a term; of several, a phrase (it stays a phrase whatever its synonyms are).
"""

from dataclasses import dataclass, field

from .language import analysed_keys, fold, stem, supported_languages, words_of
from .synonyms import expansions

# Bounds on the engine work of one query after synonyms and languages multiply it: its
# alternatives, and among them its phrases (each costs a check of word positions in every
# summary holding its words; docs/search.md, "Expensive queries").
MAX_ALTERNATIVES = 16
MAX_PHRASE_ALTERNATIVES = 3


@dataclass(frozen=True)
class Alternative:
    """One way a clause can match: its words, and their stems in one language."""

    words: tuple
    stems: tuple
    language: str

    @property
    def phrase(self):
        return len(self.words) > 1


@dataclass
class AnalysedQuery:
    """The groups (AND of ORs) and exclusions of a query, as alternatives."""

    parsed: object
    languages: tuple
    own_language: str
    groups: list = field(default_factory=list)
    excluded: list = field(default_factory=list)

    @property
    def alternatives(self):
        """Every positive alternative: what a field, a passage or a snippet may match."""
        seen = {}
        for group in self.groups:
            for alternative in group:
                seen.setdefault(alternative, None)
        return list(seen)


def clause_keys(parsed):
    """The synonym keys of every clause (folded and stemmed, in every supported language)."""
    keys = set()
    for clause in [*parsed.clauses, *parsed.excluded]:
        keys |= analysed_keys(" ".join(clause.words))
    return sorted(keys)


def query_language(parsed, languages):
    """The language the reader typed in, by script: Cyrillic is Russian, else the first."""
    words = parsed.words
    cyrillic = sum(1 for word in words if any("\u0430" <= char <= "\u044f" for char in fold(word)))
    if "ru" in languages and cyrillic * 2 > len(words):
        return "ru"
    others = [language for language in languages if language != "ru"]
    return others[0] if others else languages[0]


def analyse(parsed, languages, synonym_rows):
    """``parsed`` with its synonyms (``synonym_rows``: (key, terms) found for its clauses)."""
    languages = tuple(languages) or tuple(supported_languages()[:1])
    by_key = expansions(synonym_rows)
    analysed = AnalysedQuery(parsed, languages, query_language(parsed, languages))
    budget = {"all": MAX_ALTERNATIVES, "phrases": MAX_PHRASE_ALTERNATIVES}
    phrases = set()  # stems of the phrases counted: the same stems in two languages count once

    def alternatives(clause):
        forms = [tuple(clause.words)]
        for key in sorted(analysed_keys(" ".join(clause.words))):
            for term in by_key.get(key, ()):
                words = tuple(words_of(term))
                if words and words not in forms:
                    forms.append(words)
        found = {}
        for number, words in enumerate(forms):
            for language in languages:
                alternative = Alternative(
                    words, tuple(stem(word, language) for word in words), language
                )
                if alternative in found:
                    continue
                new_phrase = alternative.phrase and alternative.stems not in phrases
                if number and (budget["all"] <= 0 or (new_phrase and budget["phrases"] <= 0)):
                    break  # the reader's own words always count; synonyms while there is room
                found[alternative] = None
                budget["all"] -= 1
                if new_phrase:
                    phrases.add(alternative.stems)
                    budget["phrases"] -= 1
        return list(found)

    for group in parsed.groups:
        analysed.groups.append([alt for clause in group for alt in alternatives(clause)])
    for clause in parsed.excluded:
        analysed.excluded.append(alternatives(clause))
    return analysed
